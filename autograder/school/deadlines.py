"""``manabu deadline``: due times per lesson in the school's time zone, per-student extensions,
who is late and who has not submitted.

A course folder is one class (on the school hub each class has its own), so a due time per
lesson of the course is a due time per lesson and class. They live in ``DIR/deadlines.json``::

    {"timezone": "Asia/Tokyo",
     "lessons": {"e03": {"due": "2026-12-10T15:30:00+09:00",
                         "extensions": {"s5a07": "2026-12-12T15:30:00+09:00"}}}}

Students read their due times from copies in the exchange (:mod:`autograder.school.deadline_publish`).
Times are stored with their offset and always compared as aware datetimes: nbgrader writes
submission times in UTC (``timestamp.txt``), the teacher types them in the school's zone.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from autograder.paths import CourseError, write_atomic

FILE_NAME = "deadlines.json"
SHOWN = "%Y-%m-%d %H:%M"  # how a time is shown to the teacher (with the zone's name after it)
FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S",
           "%Y/%m/%d %H:%M", "%Y-%m-%d")


def zone(name: str) -> ZoneInfo:
    """The time zone called ``name`` (IANA, e.g. Asia/Tokyo); a CourseError that says what to
    write if there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CourseError(f"Unknown time zone {name!r}: use an IANA name such as Asia/Tokyo "
                          "or Europe/London.") from None


def parse_time(text: str, tz: ZoneInfo) -> dt.datetime:
    """A time the teacher typed ("2026-12-10 15:30"), in ``tz`` unless it names its own offset;
    a date alone means the end of that day (23:59)."""
    text = text.strip()
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        when = None
        for fmt in FORMATS:
            try:
                when = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if when is None:
        raise CourseError(f"Cannot read the time {text!r}: write it as \"YYYY-MM-DD HH:MM\", "
                          "e.g. \"2026-12-10 15:30\".")
    if len(text) == 10:  # a date only
        when = when.replace(hour=23, minute=59)
    return when.replace(tzinfo=tz) if when.tzinfo is None else when


def course_timezone(course_dir: Path) -> str:
    """The school's time zone: the one recorded in deadlines.json, else the course config's
    ``c.Manabu.timezone``, else Asia/Tokyo."""
    data = load(course_dir)
    if data.get("timezone"):
        return data["timezone"]
    from autograder.courseconfig import course_settings

    return course_settings(course_dir).timezone


def load(course_dir: Path) -> dict:
    """The course's deadlines (an empty table when none were set)."""
    path = Path(course_dir) / FILE_NAME
    if not path.exists():
        return {"lessons": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise CourseError(f"{path} cannot be read ({err}). Fix it, or delete it and set the due "
                          "times again: manabu deadline set LESSON TIME") from None
    data.setdefault("lessons", {})
    return data


def save(course_dir: Path, data: dict) -> Path:
    path = Path(course_dir) / FILE_NAME
    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    from autograder.school.deadline_publish import publish

    publish(course_dir, data)  # what the students' panel reads on a hub
    return path


def set_due(course_dir: Path, lesson: str, text: str, tz_name: str | None = None) -> dt.datetime:
    """Record ``lesson``'s due time (``text`` in the school's zone); return it."""
    data = load(course_dir)
    if tz_name:
        zone(tz_name)
        data["timezone"] = tz_name
    tz = zone(tz_name or course_timezone(course_dir))
    when = parse_time(text, tz)
    data["lessons"].setdefault(lesson, {})["due"] = when.isoformat()
    save(course_dir, data)
    return when


def extend(course_dir: Path, lesson: str, student: str, text: str) -> dt.datetime:
    """Give ``student`` a later due time for ``lesson``; return it."""
    data = load(course_dir)
    when = parse_time(text, zone(course_timezone(course_dir)))
    data["lessons"].setdefault(lesson, {}).setdefault("extensions", {})[student] = when.isoformat()
    save(course_dir, data)
    return when


def due_time(data: dict, lesson: str, student: str | None = None) -> dt.datetime | None:
    """The student's effective due time (their extension, else the lesson's), or None."""
    entry = data.get("lessons", {}).get(lesson) or {}
    text = (entry.get("extensions") or {}).get(student) if student else None
    text = text or entry.get("due")
    return dt.datetime.fromisoformat(text) if text else None


def submitted_at(course_dir: Path, lesson: str, student: str) -> dt.datetime | None:
    """When nbgrader recorded the submission (aware, UTC), or None if there is none."""
    from nbgrader.utils import parse_utc

    stamp = Path(course_dir) / "submitted" / student / lesson / "timestamp.txt"
    try:
        text = stamp.read_text(encoding="utf-8").strip()
        return parse_utc(text).replace(tzinfo=dt.timezone.utc)  # parse_utc gives naive UTC
    except (OSError, ValueError, OverflowError, AttributeError):
        return None


def is_late(course_dir: Path, lesson: str, student: str, data: dict | None = None) -> bool:
    """True if the student's submission came after their effective due time."""
    data = load(course_dir) if data is None else data
    due, when = due_time(data, lesson, student), submitted_at(course_dir, lesson, student)
    return bool(due and when and when > due)


def late_columns(course_dir: Path, lesson: str, students: list[str]) -> dict[str, str]:
    """grades.csv's ``late`` for each student: "yes" or "no" (no due time set: nobody is late);
    "" for all when deadlines.json cannot be read (grading goes on; ``deadline status`` says
    why)."""
    try:
        data = load(course_dir)
        return {s: "yes" if is_late(course_dir, lesson, s, data) else "no" for s in students}
    except (CourseError, ValueError, TypeError, AttributeError):
        return dict.fromkeys(students, "")


@dataclass
class StudentState:
    student: str
    due: dt.datetime | None
    submitted: dt.datetime | None

    @property
    def late(self) -> bool:
        return bool(self.due and self.submitted and self.submitted > self.due)


def class_students(course_dir: Path) -> list[str]:
    """The gradebook's students (the roster), plus anyone who submitted something."""
    from autograder.build.nbconfig import nbgrader_api

    names = {p.name for p in (Path(course_dir) / "submitted").glob("*") if p.is_dir()}
    try:
        with nbgrader_api(course_dir).gradebook as gb:
            names |= {s.id for s in gb.students}
    except Exception:  # no gradebook yet: the submitted folders are all we know
        pass
    return sorted(names)


def inbound_times(course_dir: Path, lesson: str) -> dict[str, dt.datetime]:
    """{student: latest submission time (aware, UTC)} of submissions still in the exchange's
    inbound folder, not collected yet; {} when the exchange cannot be read."""
    from nbgrader.utils import parse_utc

    from autograder.build.nbconfig import COURSE_ID, load_config

    try:
        config = load_config(course_dir)
        root = config.get("Exchange", {}).get("root", "/srv/nbgrader/exchange")
        course_id = config.get("CourseDirectory", {}).get("course_id", COURSE_ID)
        found: dict[str, dt.datetime] = {}
        for path in (Path(root) / course_id / "inbound").glob(f"*+{lesson}+*"):
            parts = path.name.rsplit("+", 3)  # student+lesson+time[+random], as nbgrader names them
            if len(parts) == 4 and parts[1] != lesson:
                parts = path.name.rsplit("+", 2)
            if len(parts) < 3 or parts[1] != lesson:
                continue
            when = parse_utc(parts[2]).replace(tzinfo=dt.timezone.utc)
            found[parts[0]] = max(when, found.get(parts[0], when))
        return found
    except Exception:  # unreadable exchange (permissions, not set up): only collected ones count
        return {}


def lesson_states(course_dir: Path, lesson: str) -> list[StudentState]:
    """Each student's due time and latest submission (collected, or still in the exchange)."""
    data = load(course_dir)
    inbound = inbound_times(course_dir, lesson)
    states = []
    for student in sorted(set(class_students(course_dir)) | set(inbound)):
        times = [t for t in (submitted_at(course_dir, lesson, student), inbound.get(student)) if t]
        states.append(StudentState(student, due_time(data, lesson, student),
                                   max(times) if times else None))
    return states


def shown(when: dt.datetime, tz: ZoneInfo) -> str:
    local = when.astimezone(tz)
    return f"{local.strftime(SHOWN)} {local.tzname()}"


def status_lines(course_dir: Path, lesson: str, now: dt.datetime | None = None) -> list[str]:
    """What ``manabu deadline status`` prints, in the course language: the due time, who has
    not submitted (collected into ``submitted/``), who was late, and extensions."""
    from autograder.build.nbconfig import course_language
    from course.i18n import translator

    _ = translator(course_language(course_dir))
    tz = zone(course_timezone(course_dir))
    now = now or dt.datetime.now(dt.timezone.utc)
    states = lesson_states(course_dir, lesson)
    due = due_time(load(course_dir), lesson)
    lines = [_("{lesson}: due {when}").format(lesson=lesson, when=shown(due, tz)) if due else
             _("{lesson}: no due time set (set one: manabu deadline set {lesson} \"YYYY-MM-DD HH:MM\" "
               "--course {course})").format(lesson=lesson, course=course_dir)]
    missing = [s for s in states if s.submitted is None]
    late = [s for s in states if s.late]
    on_time = [s for s in states if s.submitted is not None and not s.late]
    lines.append(_("{n} submitted on time, {late} late, {missing} not submitted.").format(
        n=len(on_time), late=len(late), missing=len(missing)))
    if missing:
        lines.append(_("Not submitted:"))
        for s in missing:
            note = ""
            if s.due and s.due != due:
                note = _(" (extended to {when})").format(when=shown(s.due, tz))
            elif s.due and now > s.due:
                note = _(" (past the due time)")
            lines.append(f"  {s.student}{note}")
    if late:
        lines.append(_("Late:"))
        for s in late:
            lines.append("  " + _("{student}: submitted {when}, due {due}").format(
                student=s.student, when=shown(s.submitted, tz), due=shown(s.due, tz)))
    waiting = sorted(inbound_times(course_dir, lesson))
    if waiting:
        lines.append(_("{n} submission(s) are not collected yet: collect them before grading "
                       "(nbgrader collect {lesson}).").format(n=len(waiting), lesson=lesson))
    return lines
