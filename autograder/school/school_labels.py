"""What students and teachers read in nbgrader's panels on the school hub: each class by its name
(``5年A組``, from classes.yaml), not its id (``5a``), and submission times in the school's time
zone, not UTC.

A Jupyter server extension that the hub's user environment loads (deploy/image/install.sh). The
hub gives each user server ``MANABU_CLASS_NAMES`` (JSON, id -> name) and ``MANABU_TIMEZONE``;
without them it changes nothing. nbgrader's Assignment List sends back the course it shows (to
list, fetch and submit), so a name is turned back into its id on the way in.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

NAMES_ENV, ZONE_ENV = "MANABU_CLASS_NAMES", "MANABU_TIMEZONE"
TIME_KEYS = ("timestamp", "feedback_timestamp")


def class_names() -> dict[str, str]:
    """{class id: name} the hub set; {} if none or unreadable (ids are shown then)."""
    try:
        names = json.loads(os.environ.get(NAMES_ENV) or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in names.items()} if isinstance(names, dict) else {}


def school_zone() -> ZoneInfo | None:
    try:
        return ZoneInfo(os.environ[ZONE_ENV]) if os.environ.get(ZONE_ENV) else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def shown_time(stamp: str, tz: ZoneInfo) -> str:
    """nbgrader's ``2026-12-03 05:10:00.123456 UTC`` as ``2026-12-03 14:10 JST`` (the school's
    zone); anything else unchanged."""
    text = stamp.strip()
    if not text.endswith(" UTC"):
        return stamp
    try:
        when = dt.datetime.fromisoformat(text[:-4]).replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return stamp
    local = when.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def relabel(value, names: dict[str, str], tz: ZoneInfo | None):
    """``value`` (nbgrader's answer, nested dicts and lists) with class names for ids and the
    school's times for UTC ones."""
    if isinstance(value, list):
        return [relabel(v, names, tz) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key == "course_id" and isinstance(item, str):
            out[key] = names.get(item, item)
        elif key in TIME_KEYS and tz and isinstance(item, str):
            out[key] = shown_time(item, tz)
        else:
            out[key] = relabel(item, names, tz)
    return out


def patch_nbgrader(names: dict[str, str], tz: ZoneInfo | None) -> None:
    """Wrap nbgrader's Assignment List manager and Course List handler (class-wide, so the order
    in which server extensions load does not matter)."""
    from nbgrader.server_extensions.assignment_list.handlers import AssignmentList
    from nbgrader.server_extensions.course_list.handlers import CourseListHandler
    from tornado import gen

    ids = {name: cid for cid, name in names.items()}
    listed = AssignmentList.list_assignments

    def list_assignments(self, course_id=None):
        return relabel(listed(self, course_id=ids.get(course_id, course_id)), names, tz)

    AssignmentList.list_assignments = list_assignments  # list_courses reads it too

    def by_id(original):
        def action(self, course_id, assignment_id):
            return original(self, ids.get(course_id, course_id), assignment_id)
        return action

    for name in ("fetch_assignment", "fetch_feedback", "submit_assignment"):
        setattr(AssignmentList, name, by_id(getattr(AssignmentList, name)))

    formgraders = CourseListHandler.check_for_jupyterhub_formgraders

    @gen.coroutine
    def named_formgraders(self, config):
        courses = yield formgraders(self, config)
        return relabel(courses, names, None)

    CourseListHandler.check_for_jupyterhub_formgraders = named_formgraders


def _jupyter_server_extension_points():
    return [{"module": "autograder.school.school_labels"}]


def _load_jupyter_server_extension(serverapp) -> None:
    names, tz = class_names(), school_zone()
    if names or tz:
        patch_nbgrader(names, tz)
        serverapp.log.info("Manabu: nbgrader panels show %d class name(s), times in %s",
                           len(names), tz or "UTC")
