"""What a student's "My lessons" panel shows and does, through nbgrader's own exchange classes:
the lessons released to them, fetch, submit, and after feedback is released their own score.

Everything is read as the student's own server reads it: nbgrader's configuration (the school's
``nbgrader_config.py`` on a hub, the course's in ``make lab``), the exchange's released lessons
(the courses the student may open, through nbgrader's authenticator), the student's own cache of
submissions, and the feedback pages they fetched (the score inside them, see
:mod:`autograder.grading.feedback_score`) — never the gradebook, never anybody else's files.
Due times come from the course's ``deadlines.json`` when the server runs in the course folder
(``make lab``), else from what :mod:`autograder.school.deadline_publish` put in the exchange (a hub):
both with the student's own extension.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
from pathlib import Path

from traitlets.config import Config

from autograder.grading.feedback_score import read_score, total
from autograder.school import deadlines
from autograder.school.deadline_publish import read_student_tables

CONFIG_FILE = "nbgrader_config.py"


class LessonActionError(Exception):
    """A fetch, submit or feedback that did not work: ``code`` says which (the panel shows a
    sentence for the child), ``detail`` is nbgrader's message (for the teacher)."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


def student_config(root: Path) -> Config:
    """nbgrader's configuration as the student's server sees it: the Jupyter config folders'
    ``nbgrader_config.py`` (lowest priority first), then the server's root folder's."""
    from jupyter_core.paths import jupyter_config_path
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    for folder in [*reversed(jupyter_config_path()), str(root)]:
        if (Path(folder) / CONFIG_FILE).is_file():
            config.merge(PyFileConfigLoader(CONFIG_FILE, path=folder).load_config())
    return config


class MyLessons:
    """The student's lessons in the folder ``root`` (where lessons are fetched to)."""

    def __init__(self, root: Path, config: Config | None = None,
                 log: logging.Logger | None = None):
        self.root = Path(root).resolve()
        self.config = config if config is not None else student_config(self.root)
        if self.config.get("Exchange", {}).get("assignment_dir", ".") == ".":
            self.config.Exchange.assignment_dir = str(self.root)  # not the process's cwd
        self.log = log or logging.getLogger("manabu.my_lessons")

    # --- nbgrader ----------------------------------------------------------------------------

    @property
    def student(self) -> str:
        from nbgrader.utils import get_username

        named = self.config.get("CourseDirectory", {}).get("student_id", "*")
        return named if named and named != "*" else get_username()

    def _exchange(self, kind: str, course_id: str = "", lesson: str = "", student_id: str = "",
                  **options):
        """One of nbgrader's exchange actions (``List``, ``FetchAssignment``, ``Submit``,
        ``FetchFeedback``, as the config's ``ExchangeFactory`` names them: Manabu's private
        submit on a hub)."""
        from nbgrader.auth import Authenticator
        from nbgrader.coursedir import CourseDirectory
        from nbgrader.exchange import ExchangeFactory

        config = copy.deepcopy(self.config)  # Config(...) would share (and change) its sections
        config.CourseDirectory.course_id = course_id
        config.CourseDirectory.assignment_id = lesson
        if student_id:
            config.CourseDirectory.student_id = student_id
        for key, value in options.items():
            setattr(config.ExchangeList, key, value)
        coursedir = CourseDirectory(config=config)
        action = getattr(ExchangeFactory(config=config), kind)
        return action(coursedir=coursedir, authenticator=Authenticator(config=config),
                      config=config, log=self.log)

    def _run(self, kind: str, code: str, course_id: str, lesson: str) -> None:
        from nbgrader.exchange import ExchangeError

        if not all(safe_name(n) for n in (course_id, lesson)):  # they become folder names
            raise LessonActionError("bad_request", f"no such course or lesson: {course_id!r}, "
                                                   f"{lesson!r}")
        try:
            self._exchange(kind, course_id, lesson).start()
        except ExchangeError as err:
            raise LessonActionError(code, str(err)) from None
        except Exception as err:  # nbgrader's copy failed (disk, permissions): say so, keep serving
            self.log.exception("My lessons: %s of %s/%s failed", kind, course_id, lesson)
            raise LessonActionError(code, f"{type(err).__name__}: {err}") from None

    def fetch(self, course_id: str, lesson: str) -> dict:
        """Copy a released lesson into the student's folder (nbgrader's fetch)."""
        self._run("FetchAssignment", "fetch_failed", course_id, lesson)
        return self.lesson(course_id, lesson)

    def submit(self, course_id: str, lesson: str) -> dict:
        """Hand in the student's copy (nbgrader's submit)."""
        self._run("Submit", "submit_failed", course_id, lesson)
        return self.lesson(course_id, lesson)

    def fetch_feedback(self, course_id: str, lesson: str) -> dict:
        """Fetch the feedback released for the student's submissions; the lesson with its
        score."""
        self._run("FetchFeedback", "feedback_failed", course_id, lesson)
        return self.lesson(course_id, lesson)

    # --- the list ----------------------------------------------------------------------------

    def _listed(self, course_id: str = "", lesson: str = "", cached: bool = False) -> list[dict]:
        from nbgrader.exchange import ExchangeError

        try:
            # with the student named, nbgrader keeps to the courses the authenticator gives
            # them (their hub groups) and to their own cached submissions
            lister = self._exchange("List", course_id, lesson, student_id=self.student,
                                    cached=cached, inbound=False)
            return lister.start()
        except ExchangeError as err:  # no exchange yet (nothing released): nothing to show
            self.log.info("My lessons: %s", err)
            return []

    def lessons(self, course_id: str = "", lesson: str = "") -> list[dict]:
        """Each lesson released to the student or submitted by them, newest state first known:
        ``released`` → ``fetched`` → ``submitted`` (with ``feedback`` once released)."""
        rows: dict[tuple[str, str], dict] = {}
        for info in self._listed(course_id, lesson):
            row = rows.setdefault((info["course_id"], info["assignment_id"]),
                                  self._row(info["course_id"], info["assignment_id"]))
            row["status"] = info["status"]
            notebooks = [Path(nb["path"]) for nb in info.get("notebooks", [])]
            if notebooks:
                row["title"] = notebook_title(notebooks[0]) or row["title"]
            if info["status"] == "fetched" and notebooks:
                row["path"] = self._relative(notebooks[0])
        for info in self._listed(course_id, lesson, cached=True):
            if info.get("student_id") != self.student:  # the cache is the user's; still, only theirs
                continue
            key = (info["course_id"], info["assignment_id"])
            row = rows.setdefault(key, self._row(*key))
            self._add_submission(row, info["submissions"])
        self._add_due_times(list(rows.values()))
        return sorted(rows.values(), key=lambda r: (r["course_id"], r["lesson"]))

    def lesson(self, course_id: str, lesson: str) -> dict:
        """One lesson's row (as in :meth:`lessons`)."""
        found = self.lessons(course_id, lesson)
        if not found:
            raise LessonActionError("not_found", f"no lesson {lesson!r} in {course_id!r}")
        return found[0]

    def _row(self, course_id: str, lesson: str) -> dict:
        return {"course_id": course_id, "lesson": lesson, "title": lesson, "status": "released",
                "path": None, "submitted_at": None, "late": False, "due": None,
                "extended": False, "feedback": None}

    def _relative(self, path: Path) -> str:
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def _add_submission(self, row: dict, submissions: list[dict]) -> None:
        latest = max(submissions, key=lambda s: s["timestamp"])
        row["status"] = "submitted"
        row["submitted_at"] = utc_iso(latest["timestamp"])
        ready = bool(latest.get("has_exchange_feedback"))
        pages = [Path(nb["local_feedback_path"]) for nb in latest.get("notebooks", [])
                 if nb.get("local_feedback_path")]
        records = [r for r in (read_score(p) for p in pages) if r]
        row["feedback"] = {
            "ready": ready,  # released by the teacher: the panel offers to fetch it
            "fetched": bool(pages),
            "updated": bool(latest.get("feedback_updated")),  # the teacher released it again
            "path": self._relative(pages[0]) if pages else None,
            "score": total(records) if records and len(records) == len(pages) else None,
        } if ready or pages else None

    # --- due times ---------------------------------------------------------------------------

    def _deadline_tables(self, course_ids: set[str]) -> dict[str, dict]:
        """{course_id: deadline table}: the course's own file when this server runs in that
        course's folder, else the copies for this student in the exchange."""
        from nbgrader.exchange.default.exchange import Exchange

        tables = {}
        here = self.config.get("CourseDirectory", {}).get("course_id", "")
        local = self.root / deadlines.FILE_NAME
        exchange_root = Path(Exchange(config=self.config).root)
        for course_id in course_ids:
            try:
                if course_id == here and local.is_file() and (self.root / CONFIG_FILE).is_file():
                    data = deadlines.load(self.root)
                    data.setdefault("timezone", deadlines.course_timezone(self.root))
                    tables[course_id] = data
                    continue
                published = read_student_tables(exchange_root / course_id, self.student)
                if published is not None:
                    tables[course_id] = published
            except Exception as err:  # a damaged file: show the lessons without due times
                self.log.warning("My lessons: cannot read the due times of %s: %s", course_id, err)
        return tables

    def _add_due_times(self, rows: list[dict]) -> None:
        tables = self._deadline_tables({r["course_id"] for r in rows})
        for row in rows:
            data = tables.get(row["course_id"], {})
            try:
                due = deadlines.due_time(data, row["lesson"], self.student)
                plain = deadlines.due_time(data, row["lesson"])
                tz = deadlines.zone(data.get("timezone") or deadlines.DEFAULT_TZ)
            except Exception:  # noqa: BLE001 - a bad entry hides one due time, not the panel
                continue
            if due is None:
                continue
            row["due"] = due.astimezone(tz).isoformat()  # the school's wall time, with its offset
            row["timezone"] = str(tz.key)
            row["extended"] = plain is not None and due != plain
            submitted = row["submitted_at"] and dt.datetime.fromisoformat(row["submitted_at"])
            row["late"] = bool(submitted and submitted > due)


def safe_name(name: str) -> bool:
    """True for a course or lesson id nbgrader can use as one folder name."""
    return bool(name) and not name.startswith(".") and not any(c in name for c in "/\\+*")


def utc_iso(timestamp: str) -> str | None:
    """nbgrader's submission time (its own text format, UTC) as ISO 8601 with the offset."""
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(timestamp).replace(tzinfo=dt.timezone.utc).isoformat()
    except Exception:  # an odd folder name in the cache: no time rather than no list
        return None


def notebook_title(path: Path) -> str | None:
    """The lesson's title: the first Markdown heading of its notebook."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "markdown":
                source = "".join(cell.get("source", []))
                for line in source.splitlines():
                    if line.startswith("#"):
                        return line.lstrip("#").strip() or None
    except (OSError, ValueError, AttributeError):
        return None
    return None
