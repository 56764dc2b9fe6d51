"""The start page JupyterLab opens on: the lessons by grade band, with links."""

from __future__ import annotations

from pathlib import Path

import nbformat

from autograder.paths import write_atomic
from autograder.preview import PREVIEW_DIR
from course.catalog import Lesson
from course.i18n import translator

START_PAGE = "start.ipynb"


def start_page(lessons: list[Lesson], lang: str, built: set[str]) -> nbformat.NotebookNode:
    """A notebook with one markdown cell: a table of lessons per grade band."""
    _ = translator(lang)
    bands = {"elementary": _("Elementary school (grades 3–6, 45 minutes)"),
             "junior_high": _("Junior high school (grades 7–9, 50 minutes)")}
    lines = ["# " + _("Manabu: learn how AI works"), "",
             _("Pick a lesson. Students, and teachers who try a lesson: open the student "
               "version. It is your own copy: what you write there never reaches the class. "
               "Teachers: the teacher version has the answers; the guide has the plan and "
               "notes."), "",
             _("To assign a lesson as homework, use the Formgrader (nbgrader menu): it hands out "
               "the clean student version made from the lesson text. To start your own copy "
               "again: {command}").format(command="`manabu preview <id> --fresh`"), ""]
    for band, heading in bands.items():
        rows = [lesson for lesson in lessons if lesson.band == band]
        if not rows:
            continue
        lines += [f"## {heading}", "",
                  f"| | {_('lesson')} | {_('grade')} | {_('student version')} | "
                  f"{_('teacher version')} | {_('guide')} |", "|---|---|---|---|---|---|"]
        for lesson in rows:
            if lesson.id in built:
                links = (f"[{_('open')}]({PREVIEW_DIR}/{lesson.id}/{lesson.id}.ipynb) | "
                         f"[{_('open')}](source/{lesson.id}/{lesson.id}.ipynb) | "
                         f"[{_('guide')}](guides/{lesson.id}.html)")
            else:
                links = f"{_('not built yet')} | | "
            lines.append(f"| {lesson.id} | {lesson.title} | {lesson.grade} | {links} |")
        lines.append("")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("\n".join(lines))]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    return nb


def write_start_page(course_dir: Path, lessons: list[Lesson], lang: str) -> Path:
    """Write ``start.ipynb`` in the course folder, listing which lessons are built."""
    built = {p.name for p in (course_dir / "release").iterdir()} if (course_dir / "release").is_dir() else set()
    path = course_dir / START_PAGE
    write_atomic(path, nbformat.writes(start_page(lessons, lang, built)))
    return path
