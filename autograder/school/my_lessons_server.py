"""The Jupyter server extension behind the students' "My lessons" panel: JSON over the
student's own server, built on :class:`autograder.school.my_lessons.MyLessons`.

    GET  /manabu/my-lessons            {"student", "lang", "lessons": [row, ...]}
    POST /manabu/my-lessons/fetch      {"course_id", "lesson"} -> {"lesson": row}
    POST /manabu/my-lessons/submit     {"course_id", "lesson"} -> {"lesson": row}
    POST /manabu/my-lessons/feedback   {"course_id", "lesson"} -> {"lesson": row}

A failed action answers 400 (a wrong request) or 409 (nbgrader refused: not released, already
fetched, nothing to submit) with ``{"error": code, "detail": nbgrader's message}``; the panel
shows the child a short sentence for ``code``. Enabled in ``make lab`` (autograder/lab.py) and on
the hub's user servers (deploy/image/install.sh)::

    c.ServerApp.jpserver_extensions = {"autograder.school.my_lessons_server": True}
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

from autograder.school.my_lessons import LessonActionError, MyLessons

BASE = "manabu/my-lessons"
ACTIONS = {"fetch": "fetch", "submit": "submit", "feedback": "fetch_feedback"}


class _Handler(APIHandler):
    def my_lessons(self) -> MyLessons:
        # read the configuration at each request: a teacher's change needs no restart
        return MyLessons(Path(self.settings["server_root_dir"]).expanduser(), log=self.log)

    def fail(self, status: int, code: str, detail: str) -> None:
        self.set_status(status)
        self.finish(json.dumps({"error": code, "detail": detail}))


class LessonsHandler(_Handler):
    """The list of the student's lessons."""

    @web.authenticated
    async def get(self):
        lessons = self.my_lessons()
        rows = await asyncio.to_thread(lessons.lessons)
        lang = lessons.config.get("Manabu", {}).get("lang")
        self.finish(json.dumps({"student": lessons.student,
                                "lang": lang if isinstance(lang, str) else None,
                                "lessons": rows}))


class ActionHandler(_Handler):
    """Fetch, submit or fetch the feedback of one lesson."""

    @web.authenticated
    async def post(self, action: str):
        try:
            body = json.loads(self.request.body or b"{}")
            course_id, lesson = str(body["course_id"]), str(body["lesson"])
        except (ValueError, KeyError, TypeError):
            return self.fail(400, "bad_request", 'send {"course_id": ..., "lesson": ...}')
        lessons = self.my_lessons()
        try:
            row = await asyncio.to_thread(getattr(lessons, ACTIONS[action]), course_id, lesson)
        except LessonActionError as err:
            return self.fail(400 if err.code == "bad_request" else 409, err.code, err.detail)
        self.finish(json.dumps({"lesson": row}))


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "autograder.school.my_lessons_server"}]


def _load_jupyter_server_extension(server_app) -> None:
    """Add the handlers to the server."""
    web_app = server_app.web_app
    base = url_path_join(web_app.settings["base_url"], BASE)
    web_app.add_handlers(".*$", [
        (base, LessonsHandler),
        (url_path_join(base, "(fetch|submit|feedback)"), ActionHandler),
    ])
