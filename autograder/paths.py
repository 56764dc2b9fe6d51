"""Course folder paths: checked before use, written atomically. (No heavy imports here.)"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class CourseError(Exception):
    """The course folder cannot be used. The message says what to do."""


def usable_course_dir(course_dir: Path, must_exist: bool = False) -> Path:
    """Resolve ``course_dir`` and check it can be used; raise :class:`CourseError` if not."""
    course_dir = Path(course_dir).expanduser().absolute()
    try:
        return _check(course_dir, must_exist)
    except PermissionError as err:
        raise CourseError(f"Cannot use {course_dir}: permission denied ({err.filename}). "
                          "Choose a --course folder you can read and write.") from None


def _check(course_dir: Path, must_exist: bool) -> Path:
    if must_exist and not course_dir.is_dir():
        raise CourseError(f"The course folder {course_dir} does not exist. Build it first: "
                          f"manabu build --course {course_dir}")
    if course_dir.exists() and not course_dir.is_dir():
        raise CourseError(f"{course_dir} is a file, not a folder. Choose another --course path.")
    parent = next((p for p in [course_dir, *course_dir.parents] if p.exists()), None)
    if parent is None or not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise CourseError(f"Cannot write to {course_dir}: {parent} is not a writable folder. "
                          "Choose a --course folder you can write to.")
    return course_dir


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
