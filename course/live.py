"""Tell the class's teachers, as the child works, how each exercise is going (the live class view).

After each run of a graded cell (an answer cell or its check), :func:`cell_ran` hands
``{lesson, exercise, kind, ok}`` to a background thread that posts it to the live view and
forgets it: a child's cell never waits for it, and nothing it does can fail a cell. It sends
only when all of these hold, so plain Jupyter, nbgrader's grading runs and the sandbox send
nothing:

* ``MANABU_LIVE_URL`` is set (the school hub sets it for students' servers, ``make lab`` for its
  own kernels) with a token: ``JUPYTERHUB_API_TOKEN`` (the student's own server token: the view
  learns who sent it from the token, so a child can only report about themself) or
  ``MANABU_LIVE_TOKEN`` (``make lab``);
* the kernel belongs to a notebook opened in JupyterLab (``JPY_SESSION_NAME``), and not to an
  nbgrader run (``NBGRADER_EXECUTION``);
* the cell is a graded cell of that notebook (found by its cell id, else by its text).

Offline or with the view down, the event is dropped after a short timeout.
"""

from __future__ import annotations

import json
import os
import queue
import threading
from pathlib import Path

TIMEOUT = 2.0     # seconds a post may take; the child never waits for it
MAX_WAITING = 50  # events held while the view is slow; more are dropped

_queue: queue.Queue = queue.Queue(MAX_WAITING)
_worker: list[threading.Thread] = []
_notebooks: dict[str, tuple[float, dict]] = {}  # path -> (mtime, exercise map)


def target() -> tuple[str, str] | None:
    """(events URL, token) when this kernel should report, else None."""
    env = os.environ
    url = env.get("MANABU_LIVE_URL", "").strip()
    token = (env.get("MANABU_LIVE_TOKEN") or env.get("JUPYTERHUB_API_TOKEN") or "").strip()
    if not url or not token or not env.get("JPY_SESSION_NAME") or env.get("NBGRADER_EXECUTION"):
        return None
    return url.rstrip("/") + "/api/event", token


def notebook_exercises(nb: dict) -> dict:
    """The graded cells of a notebook (its JSON): ``{"exercises": [test grade ids in order],
    "by_id": {cell id: (exercise, kind)}, "by_source": {text: (exercise, kind)}}``. An answer
    cell belongs to the test cell after it; written answers (markdown) never reach a kernel."""
    exercises: list[str] = []
    by_id: dict[str, tuple[str, str]] = {}
    by_source: dict[str, tuple[str, str]] = {}
    waiting: list[dict] = []  # answer cells whose test cell comes later
    for cell in nb.get("cells", []):
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        if cell.get("cell_type") != "code" or not meta.get("grade_id"):
            continue
        if meta.get("grade") and not meta.get("solution"):
            exercise = str(meta["grade_id"])
            exercises.append(exercise)
            for found, kind in [*((c, "answer") for c in waiting), (cell, "check")]:
                source = "".join(found.get("source") or "")
                if found.get("id"):
                    by_id[found["id"]] = (exercise, kind)
                by_source.setdefault(source.strip(), (exercise, kind))
            waiting = []
        elif meta.get("solution"):
            waiting.append(cell)
    return {"exercises": exercises, "by_id": by_id, "by_source": by_source}


def _notebook_map(path: str) -> dict | None:
    """:func:`notebook_exercises` of the notebook at ``path``, read again only when it changed."""
    try:
        mtime = os.stat(path).st_mtime
        cached = _notebooks.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
        found = notebook_exercises(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, AttributeError, TypeError):
        return None
    _notebooks[path] = (mtime, found)
    return found


def event_for(lesson: str, cell_id: str | None, source: str, ok: bool,
              notebook: str) -> dict | None:
    """The event for one run of a cell of ``notebook`` (a path), or None for an ungraded cell."""
    found = _notebook_map(notebook)
    if not found:
        return None
    hit = found["by_id"].get(cell_id or "") or found["by_source"].get(source.strip())
    if hit is None:
        return None
    exercise, kind = hit
    return {"lesson": lesson, "exercise": exercise, "kind": kind, "ok": bool(ok),
            "exercises": found["exercises"]}


def _notebook_path() -> str:
    """The notebook this kernel runs (JupyterLab tells it; relative names are from the cwd)."""
    name = os.environ.get("JPY_SESSION_NAME", "")
    path = Path(name)
    return str(path if path.is_absolute() and path.exists() else Path.cwd() / path.name)


def _post(url: str, token: str, event: dict) -> None:
    import urllib.request  # here, not at import: a lesson kernel starts light

    request = urllib.request.Request(url, data=json.dumps(event).encode(), method="POST",
                                     headers={"Authorization": f"token {token}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        response.read(0)


def _work() -> None:
    while True:
        lesson, cell_id, source, ok = _queue.get()
        try:
            where = target()
            event = where and event_for(lesson, cell_id, source, ok, _notebook_path())
            if event:
                _post(*where, event)
        except Exception:  # offline, view down, anything: the child's lesson goes on
            pass


def cell_ran(lesson: str, cell_id: str | None, source: str, ok: bool) -> None:
    """Report a cell's run in the background (see the module doc). Never raises, never waits."""
    try:
        if target() is None:
            return
        if not _worker or not _worker[0].is_alive():
            _worker[:] = [threading.Thread(target=_work, name="manabu-live", daemon=True)]
            _worker[0].start()
        _queue.put_nowait((lesson, cell_id, source, ok))
    except Exception:  # a full queue, no threads: drop the event
        pass


def install_reporter(shell, lesson: str) -> None:
    """Report ``shell``'s runs of graded cells of ``lesson`` (once per shell)."""
    if target() is None:
        return

    def post_run_cell(result) -> None:
        try:
            info = result.info
            cell_ran(lesson, getattr(info, "cell_id", None), info.raw_cell or "",
                     bool(result.success))
        except Exception:
            pass

    for callback in list(shell.events.callbacks["post_run_cell"]):
        if getattr(callback, "__name__", "") == "post_run_cell" and getattr(
                callback, "__module__", "") == __name__:
            shell.events.unregister("post_run_cell", callback)
    shell.events.register("post_run_cell", post_run_cell)
