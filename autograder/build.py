"""``manabu build``: lessons → an nbgrader course folder (source, release, guides, start page)."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.guide import guide_html
from autograder.lessonfile import read_notebook, split_teacher_notes
from autograder.nbconfig import course_language, nbgrader_api, write_config
from autograder.startpage import write_start_page
from course.catalog import LANGUAGES, Lesson, LessonError, find_lesson, load_catalog


class CourseError(Exception):
    """The course folder cannot be used. The message says what to do."""


@dataclass
class BuildReport:
    course: Path
    lang: str
    lessons: list[Lesson] = field(default_factory=list)


def usable_course_dir(course_dir: Path, must_exist: bool = False) -> Path:
    """Resolve ``course_dir`` and check it can be used; raise :class:`CourseError` if not."""
    course_dir = Path(course_dir).expanduser().resolve()
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


def build_course(course_dir: Path, lang: str = "en", lesson_ids: list[str] | None = None,
                 log=print) -> BuildReport:
    """Build lessons into ``course_dir``; every lesson file is checked before anything is written."""
    if lang not in LANGUAGES:
        raise CourseError(f"Unknown language {lang!r}: use --lang en or --lang ja.")
    course_dir = usable_course_dir(course_dir)
    if (course_dir / "nbgrader_config.py").exists() and course_language(course_dir, lang) != lang:
        raise CourseError(f"{course_dir} was built in {course_language(course_dir)!r}. "
                          f"Use another --course folder for {lang!r}.")
    lessons = ([find_lesson(i, lang) for i in lesson_ids] if lesson_ids else load_catalog(lang))
    prepared = []
    for lesson in lessons:  # read and check all lessons before writing anything
        nb = read_notebook(lesson)
        prepared.append((lesson, *split_teacher_notes(nb)))

    created = not course_dir.exists()
    report = BuildReport(course_dir, lang)
    try:
        course_dir.mkdir(parents=True, exist_ok=True)
        (course_dir / "exchange").mkdir(exist_ok=True)
        write_config(course_dir, lang)
        api = nbgrader_api(course_dir)
        for number, (lesson, student_nb, notes) in enumerate(prepared, 1):
            log(f"[{number}/{len(prepared)}] {lesson.id}  {lesson.title}")
            build_lesson(api, course_dir, lesson, student_nb, notes)
            report.lessons.append(lesson)
        write_start_page(course_dir, load_catalog(lang), lang)
    except BaseException:
        if created:
            shutil.rmtree(course_dir, ignore_errors=True)
        raise
    log(f"Built {len(report.lessons)} lesson(s) in {course_dir} ({lang}).")
    return report


def nbgrader_error(result: dict) -> str:
    """The most telling line of a failed nbgrader API call."""
    text = (result.get("log") or "") + "\n" + (result.get("error") or "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    telling = [line for line in lines if ("Error:" in line or "Error " in line)
               and "Please see the" not in line and not line.startswith("File ")]
    return (telling or lines or ["unknown error"])[-1][:300]


def build_lesson(api, course_dir: Path, lesson: Lesson, nb, notes: list) -> None:
    """source/<id>/<id>.ipynb, then nbgrader's release/<id>/, then guides/<id>.html."""
    source = course_dir / "source" / lesson.id
    release = course_dir / "release" / lesson.id
    write_atomic(source / f"{lesson.id}.ipynb", nbformat.writes(nb))
    result = api.generate_assignment(lesson.id, force=True, create=True)
    if not result.get("success"):
        shutil.rmtree(release, ignore_errors=True)
        raise LessonError(f"nbgrader could not make the student version of {lesson.id}: "
                          f"{nbgrader_error(result)} (teacher version: {source / (lesson.id + '.ipynb')})")
    write_atomic(course_dir / "guides" / f"{lesson.id}.html", guide_html(lesson, nb, notes))
