"""Due times where students can read them: in the class's exchange folder.

On a hub a student's server cannot read the course folder (``deadlines.json``), so every save of
the due times (``manabu deadline set`` / ``extend``) also writes, in ``<Exchange.root>/<course>/``:

* ``manabu-deadlines.json``: the time zone and each lesson's due time, for the whole class
  (``{"timezone": "Asia/Tokyo", "lessons": {"e03": {"due": "2026-12-10T15:30:00+09:00"}}}``);
* ``manabu-due/<student>.json``: one student's own extensions
  (``{"lessons": {"e03": "2026-12-12T15:30:00+09:00"}}``), readable by that student only: the
  file is closed to everybody (0600) and opened to the student's Unix account by a POSIX ACL.
  Where no ACL can be set (a file system without them, a student with no Unix account) the file
  is not written: the student's panel then shows the class's due time, and no classmate can
  ever read anybody's extension.
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
from pathlib import Path

from autograder.paths import write_atomic

PUBLIC_NAME = "manabu-deadlines.json"
OWN_FOLDER = "manabu-due"
ACL_XATTR = "system.posix_acl_access"
_ACL_VERSION, _UNDEFINED = 2, 0xFFFFFFFF
_USER_OBJ, _USER, _GROUP_OBJ, _MASK, _OTHER = 0x01, 0x02, 0x04, 0x10, 0x20


def exchange_course_dir(course_dir: Path) -> Path:
    """The course's folder in nbgrader's exchange (``<Exchange.root>/<course_id>``)."""
    from autograder.build.nbconfig import COURSE_ID, load_config

    config = load_config(course_dir)
    root = config.get("Exchange", {}).get("root", "/srv/nbgrader/exchange")
    return Path(root) / config.get("CourseDirectory", {}).get("course_id", COURSE_ID)


def public_table(data: dict, tz_name: str) -> dict:
    """What every student of the class may read: the zone and each lesson's due time, without
    anybody's extension."""
    return {"timezone": tz_name,
            "lessons": {lesson: {"due": entry["due"]}
                        for lesson, entry in data.get("lessons", {}).items()
                        if isinstance(entry, dict) and entry.get("due")}}


def own_tables(data: dict) -> dict[str, dict]:
    """{student: {"lessons": {lesson: their extended due time}}}."""
    tables: dict[str, dict] = {}
    for lesson, entry in data.get("lessons", {}).items():
        for student, when in ((entry or {}).get("extensions") or {}).items():
            tables.setdefault(student, {"lessons": {}})["lessons"][lesson] = when
    return tables


def acl_for(uid: int) -> bytes:
    """A POSIX ACL (the kernel's ``system.posix_acl_access`` form) that lets the owner read and
    write, the user ``uid`` read, and nobody else anything."""
    entries = [(_USER_OBJ, 6, _UNDEFINED), (_USER, 4, uid), (_GROUP_OBJ, 0, _UNDEFINED),
               (_MASK, 4, _UNDEFINED), (_OTHER, 0, _UNDEFINED)]
    return struct.pack("<I", _ACL_VERSION) + b"".join(struct.pack("<HHI", *e) for e in entries)


def write_for_user(path: Path, text: str, user: str) -> bool:
    """Write ``path`` so that only its owner and the Unix user ``user`` can read it; False (and
    nothing written) when that cannot be made sure."""
    import pwd

    try:
        uid = pwd.getpwnam(user).pw_uid
    except KeyError:
        return False
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # 0600 from the start
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.setxattr(tmp, ACL_XATTR, acl_for(uid))
        os.replace(tmp, path)
        return True
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        return False


def publish(course_dir: Path, data: dict) -> Path | None:
    """Write the class's due times and each student's own extensions into the exchange (see
    the module's docstring). Returns the class's file, or None when the exchange cannot be
    written (the due times still count for grading and ``deadline status``)."""
    from autograder.school.deadlines import course_timezone

    try:
        folder = exchange_course_dir(Path(course_dir))
        if not folder.parent.is_dir():
            return None
        path = folder / PUBLIC_NAME
        table = public_table(data, data.get("timezone") or course_timezone(Path(course_dir)))
        write_atomic(path, json.dumps(table, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    except Exception:  # no exchange to write (a bare course folder): deadlines.json still counts
        return None
    own = folder / OWN_FOLDER
    try:
        own.mkdir(exist_ok=True)
        os.chmod(own, 0o711)  # students open their own file by name; nobody lists the folder
        tables = own_tables(data)
        for student, table in tables.items():
            if "/" in student or student.startswith("."):
                continue  # not a name a file may have (nor a Unix user)
            target = own / f"{student}.json"
            if not write_for_user(target, json.dumps(table, sort_keys=True) + "\n", student):
                target.unlink(missing_ok=True)  # never leave an older one readable
        for old in own.glob("*.json"):
            if old.stem not in tables:
                old.unlink()
    except OSError:
        pass  # the class's due times are out; extensions show in the panel where they can
    return path


def read_student_tables(exchange_course: Path, student: str) -> dict | None:
    """What a student's server can read: the class's due times with the student's own
    extensions merged in, as a ``deadlines.json``-like table; None when nothing is published."""
    public = exchange_course / PUBLIC_NAME
    if not public.is_file():
        return None
    data = json.loads(public.read_text(encoding="utf-8"))
    try:
        own = json.loads((exchange_course / OWN_FOLDER / f"{student}.json").read_text(
            encoding="utf-8"))
    except (OSError, ValueError):
        return data
    for lesson, when in (own.get("lessons") or {}).items():
        entry = data.setdefault("lessons", {}).setdefault(lesson, {})
        entry.setdefault("extensions", {})[student] = when
    return data
