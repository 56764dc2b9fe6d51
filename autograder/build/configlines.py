"""Set one ``c.Section.name = value`` line in a course's ``nbgrader_config.py``, keeping the rest."""

from __future__ import annotations

import re
from pathlib import Path

from autograder.build.nbconfig import CONFIG_NAME, built_course_dir
from autograder.paths import write_atomic


def _pattern(key: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(key)}\s*=.*$", re.MULTILINE)


def config_path(course_dir: Path) -> Path:
    return built_course_dir(course_dir) / CONFIG_NAME


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
