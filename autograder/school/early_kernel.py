"""A lesson's kernel starts while its page loads (``make lab`` and the hub image enable this).

A child opens a lesson by its address: a link the teacher posted, the start page, a bookmark,
``.../lab/tree/<folder>/<lesson>.ipynb``. JupyterLab asks the server for the notebook's kernel
only once its own JavaScript runs, 5-7 s after the address on a cheap Chromebook (the bench's
4x CPU), and the kernel then needs another 0.5-2 s before "run all" can start. This server
extension starts the notebook's session when the server sends that page, so the kernel is
starting while JupyterLab loads. JupyterLab then finds the session by the notebook's path and
uses it, as it does after a reload: one kernel, the notebook's own, started in its folder.

Once started, the kernel imports the modules the notebook's code imports first (the
``import`` lines before anything else, each in a ``try``), silently: no output, no run count,
no name left in the notebook's namespace. The kernel would otherwise wait idle while the page loads, and then spend
up to a second of the child's "run all" importing scikit-learn; a module that fails to import is
left for the child's own run to report.

Nothing starts for an address that is not a notebook file under the server's root, for a
notebook that already has a session (a reload), for a kernel that is not installed, or for a
user who may not run kernels. A failure is logged; the page loads as before and JupyterLab
starts the kernel itself.
"""

from __future__ import annotations

import ast
import asyncio
import json
from pathlib import PurePosixPath

from jupyter_core.utils import ensure_async

from autograder.labpage import add_page_config_hook, chain_hook

# the lesson paths whose session this server is starting now (two quick reloads start one)
_starting: set[str] = set()
# the tasks started, kept so that they are not garbage-collected while they run
_tasks: set[asyncio.Task] = set()


def notebook_path(tree: str | None) -> str | None:
    """The notebook a JupyterLab address opens, from its ``/tree/...`` part (tornado has decoded
    it), relative to the server's root; None for anything else (the file browser, a folder,
    another file, a path that climbs out of the root)."""
    if not tree or not tree.startswith("/tree/"):
        return None
    path = tree[len("/tree/"):].strip("/")
    parts = path.split("/")
    if not path.endswith(".ipynb") or any(part in ("", "..", ".") for part in parts):
        return None
    return path


async def read_notebook(settings: dict, path: str) -> dict:
    """The notebook at ``path`` (nbformat JSON), through the server's contents manager."""
    model = await ensure_async(settings["contents_manager"].get(
        path, content=True, type="file", format="text"))
    return json.loads(model["content"])


async def start_session(settings: dict, path: str, log) -> str | None:
    """Start the session (the kernel) of the notebook at ``path``, as JupyterLab would start it:
    same path, name and type, the kernel its metadata names. Returns the kernel id, or None
    when nothing was started (and why, in the log at debug level)."""
    if path in _starting:
        return None
    _starting.add(path)
    try:
        contents = settings["contents_manager"]
        sessions = settings["session_manager"]
        if not await ensure_async(contents.file_exists(path)):
            log.debug("early kernel: no notebook at %s", path)
            return None
        if await sessions.session_exists(path=path):
            return None  # a reload: JupyterLab uses the kernel already running
        notebook = await read_notebook(settings, path)
        kernel = (notebook.get("metadata", {}).get("kernelspec") or {}).get("name")
        specs = await ensure_async(settings["kernel_spec_manager"].get_all_specs())
        if kernel not in specs:
            log.debug("early kernel: %s names kernel %r, not installed here", path, kernel)
            return None
        session = await sessions.create_session(path=path, name=PurePosixPath(path).name,
                                                type="notebook", kernel_name=kernel)
        log.info("early kernel: started %s for %s while its page loads: kernel %s", kernel, path,
                 session["kernel"]["id"])
        return session["kernel"]["id"]
    except Exception as err:  # the page still loads; JupyterLab starts the kernel itself
        log.warning("early kernel: could not start the kernel of %s (%s: %s); JupyterLab will "
                    "start it when the page asks", path, type(err).__name__, err)
        return None
    finally:
        _starting.discard(path)


def imported_modules(notebook: dict) -> list[str]:
    """The modules ``notebook`` (nbformat JSON) imports before its code does anything else: the
    absolute ``import`` lines its code cells start with, up to the first other statement, each
    module once, in order. So the kernel imports them in the state the child's own run would
    (nothing has run before them but other imports). Markdown cells and a cell that is not plain
    Python (a magic, a half-typed line) are passed over."""
    names: list[str] = []
    for cell in notebook.get("cells") or []:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source") or ""
        try:
            body = ast.parse("".join(source) if isinstance(source, list) else source).body
        except (SyntaxError, ValueError):
            continue
        for node in body:
            if isinstance(node, ast.Import):
                names.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):  # not a relative one, nor __future__
                if node.level == 0 and node.module and node.module != "__future__":
                    names.append(node.module)
            elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
                return list(dict.fromkeys(names))  # the code does something: no further
    return list(dict.fromkeys(names))


def warm_code(modules: list[str]) -> str:
    """Python that imports ``modules`` (any that fails is passed over) and leaves no name behind."""
    return ("def _manabu_warm(names):\n"
            "    import importlib\n"
            "    for name in names:\n"
            "        try:\n"
            "            importlib.import_module(name)\n"
            "        except Exception:\n"
            "            pass\n"
            f"_manabu_warm({modules!r})\n"
            "del _manabu_warm\n")


WARM_SECONDS = 120  # the longest a warm-up is waited for (the kernel goes on regardless)


async def warm_imports(settings: dict, path: str, kernel_id: str, log,
                       seconds: float = WARM_SECONDS) -> list[str]:
    """Have the kernel ``kernel_id`` import what the notebook at ``path`` imports (silently: no
    output, no run count, no history). Returns the modules asked for; nothing on a failure,
    which is logged (the child's own run imports them as ever)."""
    client = None
    try:
        modules = imported_modules(await read_notebook(settings, path))
        if not modules:
            return []
        client = settings["kernel_manager"].get_kernel(kernel_id).client()
        client.start_channels()
        await client.wait_for_ready(timeout=seconds)
        loop = asyncio.get_running_loop()
        started = loop.time()
        msg_id = client.execute(warm_code(modules), silent=True, store_history=False,
                                allow_stdin=False)
        while True:  # its reply (any other reply on this client's channel is passed over)
            left = started + seconds - loop.time()
            reply = await client.get_shell_msg(timeout=max(left, 0.01))
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                break
        log.info("early kernel: %s imported %d modules in %.1f s while its page loads",
                 path, len(modules), loop.time() - started)
        return modules
    except Exception as err:
        log.warning("early kernel: the kernel of %s did not import its modules ahead (%s: %s); "
                    "the lesson's own run will", path, type(err).__name__, err)
        return []
    finally:
        if client is not None:
            client.stop_channels()


async def start_and_warm(settings: dict, path: str, log) -> None:
    """:func:`start_session`, then :func:`warm_imports` in the kernel it started."""
    kernel_id = await start_session(settings, path, log)
    if kernel_id:
        await warm_imports(settings, path, kernel_id, log)


def start_for_page(handler, page_config: dict) -> dict:
    """Start the session of the notebook a JupyterLab page opens (as the page renders), if the
    user may run kernels; the page config goes on unchanged."""
    path = notebook_path(handler.path_kwargs.get("tree"))
    if path is not None and handler.authorizer.is_authorized(
            handler, handler.current_user, "execute", "kernels"):
        task = asyncio.ensure_future(start_and_warm(handler.settings, path, handler.log))
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)
    return page_config


def page_config_hook(previous=None):
    """A ``page_config_hook`` that runs :func:`start_for_page` after ``previous``."""
    return chain_hook(previous, start_for_page)


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "autograder.school.early_kernel"}]


def _load_jupyter_server_extension(server_app) -> None:
    add_page_config_hook(server_app, start_for_page)
