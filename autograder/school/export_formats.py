"""JupyterLab's list of export formats (``/api/nbconvert``), worked out once per server.

JupyterLab asks for it each time a notebook opens (for File > Save and Export As). jupyter_server
answers by importing nbconvert on its event loop (the first time: 0.4-0.8 s here, up to 7 s on a
busy machine, with every other request of the page held) and then instantiating each of
nbconvert's exporters in threads (every time: 0.5-2.7 s of the server's CPU), while the same page
waits on the server for the notebook, its checkpoint and its kernel. On the hub each child's server
is new each day, and 30 children open a lesson at once. Nothing installs an exporter while the
server runs, so this server extension (``make lab`` and the hub image enable it) works the list out
once, in a thread started with the server, and answers every page from it.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import Future, ThreadPoolExecutor

from jupyter_server.auth.decorator import authorized
from jupyter_server.services.nbconvert.handlers import NbconvertRootHandler
from jupyter_server.utils import url_path_join
from tornado import web

_formats: Future | None = None


def export_formats() -> dict[str, dict]:
    """What jupyter_server's ``/api/nbconvert`` answers: each exporter's output MIME type."""
    from nbconvert.exporters import base

    formats = {}
    for name in base.get_export_names():
        try:
            formats[name] = {"output_mimetype": base.get_exporter(name).output_mimetype}
        except ValueError:  # uninstalled meanwhile
            continue
    return formats


def start() -> Future:
    """Work the list out in a thread (once; again after a failure)."""
    global _formats
    if _formats is None or (_formats.done() and _formats.exception() is not None):
        pool = ThreadPoolExecutor(1, thread_name_prefix="manabu-export-formats")
        _formats = pool.submit(export_formats)
        pool.shutdown(wait=False)  # the thread ends with its one job
    return _formats


class ExportFormatsHandler(NbconvertRootHandler):
    """``/api/nbconvert`` from the list worked out at start (same answer, same permission)."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        try:
            formats = await asyncio.wrap_future(start())
        except ImportError as err:  # as jupyter_server says it
            raise web.HTTPError(500, f"Could not import nbconvert: {err}") from err
        self.finish(json.dumps(formats))


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "autograder.school.export_formats"}]


def _load_jupyter_server_extension(server_app) -> None:
    # an extension's handlers go before jupyter_server's own (tornado puts them ahead of the
    # catch-all host group), so this one answers /api/nbconvert
    base = server_app.web_app.settings["base_url"]
    server_app.web_app.add_handlers(".*$", [(url_path_join(base, "/api/nbconvert"),
                                             ExportFormatsHandler)])
    start()
