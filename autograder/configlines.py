"""Set one ``c.Section.name = value`` line in a course's ``nbgrader_config.py``, keeping the rest."""

from __future__ import annotations

import re
from pathlib import Path

from autograder.nbconfig import CONFIG_NAME
from autograder.paths import CourseError, write_atomic


def _pattern(key: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(key)}\s*=.*$", re.MULTILINE)


def config_path(course_dir: Path) -> Path:
    path = Path(course_dir) / CONFIG_NAME
    if not path.exists():
        raise CourseError(f"{course_dir} is not a Manabu course (no {CONFIG_NAME}). "
                          f"Build it first: manabu build --course {course_dir}")
    return path


def set_line(course_dir: Path, key: str, value, comment: str) -> bool:
    """Replace the line ``key = ...`` with ``key = repr(value)``, or append it under ``# comment``.
    True if the file changed."""
    path = config_path(course_dir)
    text = path.read_text(encoding="utf-8")
    line = f"{key} = {value!r}"
    pattern = _pattern(key)
    if pattern.search(text):
        new = pattern.sub(lambda _m: line, text, count=1)
    else:
        new = text.rstrip("\n") + f"\n\n# {comment}\n{line}\n"
    if new == text:
        return False
    write_atomic(path, new)
    return True
