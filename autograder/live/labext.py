"""The live class view in ``make lab``: a Jupyter server extension that serves the teacher's page at
``/manabu/live/`` (behind the server's own login) and takes events from the kernels this server
started (``MANABU_LIVE_TOKEN``, a secret ``manabu lab`` makes at each start). One machine, one
class: the course folder; its state is kept in ``<course>/.manabu/live-state.json``."""

from __future__ import annotations

import hmac
import os
from pathlib import Path

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.ioloop import PeriodicCallback

from autograder.live.core import SAVE_SECONDS, lesson_data, read_event, released_exercises
from autograder.live.model import BadEvent, LiveState
from autograder.live.page import FONT_FILE, FONT_ROUTE, FONTS, class_page

CLASS = "lab"  # the one class of a course folder
PATH = "manabu/live/"


class PageHandler(JupyterHandler):
    @web.authenticated
    def get(self, data: str | None) -> None:
        live = self.settings["manabu_live"]
        self.set_header("Cache-Control", "no-store")
        if not data:
            self.finish(class_page(live["name"], live["lang"], "data", f"font/{FONT_FILE}"))
            return
        self.finish(lesson_data(live["state"], CLASS, self.get_argument("lesson", None), [],
                                live["root"] / "release"))


class EventHandler(web.RequestHandler):
    """A run of a graded cell, from a kernel of this server (the token proves it)."""

    def check_xsrf_cookie(self) -> None:  # a secret in a header, not a browser form
        pass

    def post(self) -> None:
        live = self.settings["manabu_live"]
        sent = self.request.headers.get("Authorization", "").partition(" ")[2].strip()
        if not (live["token"] and hmac.compare_digest(sent.encode(), live["token"].encode())):
            raise web.HTTPError(403, "not a kernel of this JupyterLab")
        try:
            event = read_event(self.request.body)
        except BadEvent as err:
            raise web.HTTPError(400, str(err)) from None
        live["state"].record(CLASS, live["student"], event,
                             released_exercises(live["root"] / "release", event.lesson))
        self.set_status(204)


def _load_jupyter_server_extension(serverapp) -> None:
    """Add the live view's handlers to the server ``manabu lab`` runs."""
    from autograder.build.nbconfig import course_language

    root = Path(serverapp.root_dir)
    state = LiveState(root / ".manabu" / "live-state.json")
    serverapp.web_app.settings["manabu_live"] = {
        "root": root, "state": state, "name": root.name,
        "lang": course_language(root, os.environ.get("MANABU_LANG", "en")),
        "token": os.environ.get("MANABU_LIVE_TOKEN", ""),
        "student": os.environ.get("USER") or "student"}
    base = url_path_join(serverapp.base_url, PATH)
    serverapp.web_app.add_handlers(".*$", [
        (url_path_join(base, "api/event"), EventHandler),
        (url_path_join(base, FONT_ROUTE), web.StaticFileHandler, {"path": str(FONTS)}),
        (base + "(data)?", PageHandler)])
    PeriodicCallback(state.save, SAVE_SECONDS * 1000).start()


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "autograder.live.labext"}]
