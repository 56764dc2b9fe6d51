"""``manabu build``: lessons → an nbgrader course folder (source, release, guides, start page)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.build.config_upgrade import upgrade_config
from autograder.build.guide import guide_html
from autograder.build.kit import write_kit
from autograder.build.pagefont import embedded_font_css
from autograder.build.lessonfile import read_notebook, split_teacher_notes
from autograder.build.nbconfig import course_language, nbgrader_api, nbgrader_error, write_config
from autograder.paths import CourseError, nearest_course, usable_course_dir, write_atomic
from autograder.build.preview import keep_release_work, preview_folder, refresh_preview, snapshot
from autograder.build.release_guard import record_release, recorded
from autograder.build.startpage import write_start_page
from course.catalog import Lesson, LessonError, find_lesson, load_catalog
from course.i18n import LANGUAGES, translator


@dataclass
class BuildReport:
    course: Path
    lang: str
    lessons: list[Lesson] = field(default_factory=list)


def build_course(course_dir: Path, lang: str = "en", lesson_ids: list[str] | None = None,
                 log=print, db_url: str | None = None) -> BuildReport:
    """Build lessons into ``course_dir``; every lesson file is checked before anything is written."""
    if lang not in LANGUAGES:
        raise CourseError(f"Unknown language {lang!r}: use --lang en or --lang ja.")
    course_dir = usable_course_dir(course_dir)
    built_in = course_language(course_dir, lang)  # reads and runs nbgrader_config.py once
    if built_in != lang:
        raise CourseError(f"{course_dir} was built in {built_in!r}. "
                          f"Use another --course folder for {lang!r}.")
    lessons = ([find_lesson(i, lang) for i in lesson_ids] if lesson_ids else load_catalog(lang))
    prepared = []
    for lesson in lessons:  # read and check all lessons before writing anything
        nb = read_notebook(lesson)
        prepared.append((lesson, *split_teacher_notes(nb)))

    created = not course_dir.exists()
    near = nearest_course(course_dir, close_only=True) if created else None
    _ = translator(lang)
    if near:  # a typo in --course would otherwise quietly start a second course
        log(_("Making a new course in {course}. (A course with a similar name is {near}: "
              "to build into it, use --course {near}.)").format(course=course_dir, near=near))
    report = BuildReport(course_dir, lang)
    try:
        course_dir.mkdir(parents=True, exist_ok=True)
        (course_dir / "exchange").mkdir(exist_ok=True)
        write_config(course_dir, lang)
        upgrade_config(course_dir)  # hooks a config from an older Manabu lacks
        if db_url:  # checked, then recorded in nbgrader_config.py for every later command
            from autograder.grading.gradebook_db import record_db_url

            record_db_url(course_dir, db_url)
        api = nbgrader_api(course_dir)
        for number, (lesson, student_nb, notes) in enumerate(prepared, 1):
            log(f"[{number}/{len(prepared)}] {lesson.id}  {lesson.title}")
            build_lesson(api, course_dir, lesson, student_nb, notes, log)
            report.lessons.append(lesson)
        write_start_page(course_dir, load_catalog(lang), lang)
    except BaseException:
        if created:
            shutil.rmtree(course_dir, ignore_errors=True)
        raise
    log(_("Built {n} lesson(s) in {course} ({lang}).").format(
        n=len(report.lessons), course=course_dir, lang=lang))
    return report


def refresh_course(course_dir: Path, lang: str) -> None:
    """For a course that is built already (``make lab``): add the config hooks an older Manabu did
    not write, make the missing preview copies and write the start page again."""
    lang = course_language(course_dir, lang)
    upgrade_config(course_dir)
    release = course_dir / "release"
    for folder in sorted(release.iterdir()) if release.is_dir() else []:
        if folder.is_dir() and not preview_folder(course_dir, folder.name).exists():
            refresh_preview(course_dir, folder.name, recorded(course_dir, folder.name), log=print)
    write_start_page(course_dir, load_catalog(lang), lang)


def build_lesson(api, course_dir: Path, lesson: Lesson, nb, notes: list, log=print) -> None:
    """source/<id>/<id>.ipynb, then nbgrader's release/<id>/ (recorded, so only it is released;
    work found in the old one is saved first), the preview copy, then guides/<id>.html and the
    printable kit in kit/<id>/.
    Nothing under submitted/, autograded/ or feedback/ is touched."""
    source = course_dir / "source" / lesson.id
    release = course_dir / "release" / lesson.id
    built_before, old = recorded(course_dir, lesson.id), snapshot(release)
    if built_before is not None:  # save work done in release/ before nbgrader replaces it
        keep_release_work(course_dir, lesson.id, old, built_before, log)
    write_atomic(source / f"{lesson.id}.ipynb", nbformat.writes(nb))
    result = api.generate_assignment(lesson.id, force=True, create=True)
    if not result.get("success"):
        if built_before is None:
            keep_release_work(course_dir, lesson.id, old, {}, log)
        shutil.rmtree(release, ignore_errors=True)
        raise LessonError(f"nbgrader could not make the student version of {lesson.id}: "
                          f"{nbgrader_error(result)} (teacher version: {source / (lesson.id + '.ipynb')})")
    record_release(course_dir, lesson.id)
    if built_before is None:  # built by an older Manabu: keep what differs from the new version
        keep_release_work(course_dir, lesson.id, old, recorded(course_dir, lesson.id) or {}, log)
    refresh_preview(course_dir, lesson.id, built_before, log)
    guide = guide_html(lesson, nb, notes)
    if lesson.lang == "ja":  # the school font inside, where no Japanese font is installed
        guide = guide_html(lesson, nb, notes, embedded_font_css(guide))
    write_atomic(course_dir / "guides" / f"{lesson.id}.html", guide)
    write_kit(course_dir, lesson, nb)
