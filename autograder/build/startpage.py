"""The start page JupyterLab opens on: the lessons by grade band, with links."""

from __future__ import annotations

from pathlib import Path

import nbformat

from autograder.paths import write_atomic
from autograder.build.preview import PREVIEW_DIR
from course.catalog import Lesson
from course.i18n import translator

START_PAGE = "start.ipynb"


def start_page(lessons: list[Lesson], lang: str, built: set[str],
               kits: dict[str, list[tuple[str, str]]] | None = None) -> nbformat.NotebookNode:
    """A notebook with one markdown cell (``templates/pages/start.md.j2``): a table of lessons
    per grade band; ``kits`` gives each built lesson's kit pages as (label, path)."""
    from autograder.templates import render

    _ = translator(lang)
    kits = {lesson_id: kits.get(lesson_id, []) for lesson_id in built} if kits else dict.fromkeys(built, [])
    bands = {"elementary": _("Elementary school (grades 3–6, 45 minutes)"),
             "junior_high": _("Junior high school (grades 7–9, 50 minutes)")}
    text = render("start.md.j2", _, built=built, preview_dir=PREVIEW_DIR, kits=kits,
                  bands=[(heading, [lesson for lesson in lessons if lesson.band == band])
                         for band, heading in bands.items()])
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(text.strip())]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    return nb


def write_start_page(course_dir: Path, lessons: list[Lesson], lang: str) -> Path:
    """Write ``start.ipynb`` in the course folder, listing which lessons are built."""
    built = {p.name for p in (course_dir / "release").iterdir()} if (course_dir / "release").is_dir() else set()
    from autograder.build.kit import kit_links

    _ = translator(lang)  # link only the kit pages there are (a course built before kits had none)
    kits = {lesson.id: [(label, href) for label, href in kit_links(lesson, _)
                        if (course_dir / href).exists()] for lesson in lessons}
    path = course_dir / START_PAGE
    write_atomic(path, nbformat.writes(start_page(lessons, lang, built, kits)))
    return path
