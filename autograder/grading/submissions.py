"""Make submissions from a lesson's student version: the answers a teacher wrote, some, or none.

Used by ``manabu demo`` (a simulated class) and by the tests.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import nbformat

from autograder.build.lessonfile import BEGIN_SOLUTION, END_SOLUTION
from autograder.paths import write_atomic


def answer_cells(nb) -> dict[str, str]:
    """{grade_id: the whole answer cell as a right answer} for a teacher notebook: the solution
    markers are dropped, so a function's ``def`` line around the solution stays."""
    answers = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            lines = cell.source.splitlines()
            if cell.cell_type == "code":
                lines = [line for line in lines
                         if BEGIN_SOLUTION not in line and END_SOLUTION not in line]
            answers[meta["grade_id"]] = "\n".join(lines)
    return answers


def fill_answers(student_nb, answers: dict[str, str]):
    """A copy of the student version with the answer cells named in ``answers`` replaced."""
    nb = copy.deepcopy(student_nb)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb


def submit(course_dir: Path, student: str, lesson_id: str, notebook_text: str) -> Path:
    """Put a notebook where ``nbgrader collect`` would: submitted/<student>/<lesson>/."""
    folder = course_dir / "submitted" / student / lesson_id
    write_atomic(folder / f"{lesson_id}.ipynb", notebook_text)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
    write_atomic(folder / "timestamp.txt", stamp)
    return folder / f"{lesson_id}.ipynb"


def read_versions(course_dir: Path, lesson_id: str):
    """(teacher version, student version) notebooks of a built lesson."""
    teacher = nbformat.read(course_dir / "source" / lesson_id / f"{lesson_id}.ipynb", as_version=4)
    student = nbformat.read(course_dir / "release" / lesson_id / f"{lesson_id}.ipynb", as_version=4)
    return teacher, student
