"""Course folder paths: checked before use, written atomically. (No heavy imports here.)"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def on_school_hub() -> bool:
    """Whether this runs in a class's Formgrader on the school hub (a JupyterHub service, as
    deploy/hub starts it), where `manabu lab` and `make` are not the next step."""
    return bool(os.environ.get("JUPYTERHUB_SERVICE_NAME"))


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
        near = nearest_course(course_dir)
        hint = (f"The nearest course folder is {near}: use --course {near}. " if near else "")
        raise CourseError(f"The course folder {course_dir} does not exist. {hint}"
                          f"To make a new course there: manabu build --course {course_dir}")
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


COURSE_MARK = "nbgrader_config.py"  # what makes a folder a course (autograder.build.nbconfig.CONFIG_NAME)


def course_folders_near(course_dir: Path) -> list[Path]:
    """Course folders (holding nbgrader_config.py) in or beside the nearest existing folder at or
    above ``course_dir``, and in the current folder: where a mistyped --course meant to point."""
    here = next((p for p in [course_dir, *course_dir.parents] if p.is_dir()), None)
    places = [p for p in (here, here and here.parent, Path.cwd()) if p is not None]
    found = []
    for place in places:
        try:
            children = sorted(place.iterdir())
        except OSError:
            continue
        for folder in [place, *children]:
            try:
                if (folder / COURSE_MARK).is_file() and folder not in found:
                    found.append(folder)
            except OSError:
                continue
    return found


def nearest_course(course_dir: Path, close_only: bool = False) -> Path | None:
    """The existing course folder a mistyped ``course_dir`` most likely meant, or None: the only
    course inside it, else the most similar folder name (difflib), else the only course folder
    near. ``close_only`` asks for a very similar name and nothing else."""
    import difflib

    folders = [f for f in course_folders_near(course_dir) if f != course_dir]
    inside = [f for f in folders if f.parent == course_dir]
    if len(inside) == 1 and not close_only:  # --course named the folder around a course
        return inside[0]
    ratio = {f: difflib.SequenceMatcher(None, course_dir.name, f.name).ratio() for f in folders}
    best = max(folders, key=ratio.get, default=None)
    if best is not None and ratio[best] >= (0.75 if close_only else 0.6):
        return best
    return folders[0] if len(folders) == 1 and not close_only else None


def mistyped_lesson_hint(course_dir: Path, lesson_id: str, known: list[str]) -> str:
    """"Did you mean e03? " when ``lesson_id`` is neither a lesson of the catalog nor built in
    the course (a typo) and resembles one of ``known``; else ""."""
    from course.catalog import LessonError, did_you_mean, lesson_folders

    try:
        catalog = list(lesson_folders())
    except LessonError:
        catalog = []
    if lesson_id in catalog or (course_dir / "source" / lesson_id).is_dir():
        return ""
    return did_you_mean(lesson_id, known) or did_you_mean(lesson_id, catalog)


def missing_lesson(course_dir: Path, lesson_id: str) -> str:
    """What to say when ``source/<lesson_id>`` is not in a built course: build it, or the id is
    mistyped (then the closest ids)."""
    from course.catalog import LessonError, did_you_mean, lesson_folders

    built = sorted(p.name for p in (course_dir / "source").glob("*") if p.is_dir())
    try:
        catalog = list(lesson_folders())
    except LessonError:
        catalog = []
    if lesson_id in catalog:
        return (f"Lesson {lesson_id!r} is not built in {course_dir}. "
                f"Build it first: manabu build --course {course_dir} {lesson_id}")
    hint = did_you_mean(lesson_id, built) or did_you_mean(lesson_id, catalog)
    return (f"There is no lesson {lesson_id!r} in {course_dir}. {hint}Lessons built there: "
            f"{', '.join(built) or 'none'} (all lessons: manabu lessons).")

