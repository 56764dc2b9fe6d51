"""Small parts of `manabu grade`, one question each: grades.csv cells, the ledger, preflight on
any bytes, and the cell classification that keeps students' cells out of the judge."""

from __future__ import annotations

import csv
import json

import nbformat
import pytest

from autograder.gradescsv import GradeRow, write_grades
from autograder.grading.csvcells import neutralize, unneutralize
from autograder.grading.grade import Ledger, grading_metadata_ok, metadata_changes
from autograder.grading.nbgrader_plugins import classify


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "=HYPERLINK(\"x\")"])
def test_formula_cells_are_neutralized_and_read_back(text, tmp_path):
    assert neutralize(text).startswith("'") and unneutralize(neutralize(text)) == text
    write_grades(tmp_path, "e01", [GradeRow(text, "e01", 1, 2, "ok", False)])
    with (tmp_path / "grades.csv").open(encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    assert row["student"] == "'" + text and row["score"] == "1"


def test_plain_cells_and_numbers_are_untouched():
    assert neutralize("kai") == "kai" and neutralize(-1.0) == -1.0 and unneutralize("'a") == "'a"


def test_a_failed_row_is_never_final_in_the_ledger(tmp_path):
    folder = tmp_path / "submitted" / "kai" / "e01"
    folder.mkdir(parents=True)
    (folder / "e01.ipynb").write_text("{}")
    ledger = Ledger(tmp_path, "e01")
    ledger.record(GradeRow("kai", "e01", 0, 0, "failed: database locked", False))
    assert Ledger(tmp_path, "e01").done("kai") is None
    ledger.record(GradeRow("kai", "e01", 2, 2, "ok", False))
    assert Ledger(tmp_path, "e01").done("kai").score == 2


@pytest.mark.parametrize("meta,ok", [
    ({"grade_id": "a", "grade": True, "points": 2}, True), ("grade me", False),
    ({"grade_id": 3}, False), ({"grade": "yes"}, False), ({"points": "2"}, False),
    ({"points": float("nan")}, False), ({"points": -1}, False), (None, False)])
def test_grading_metadata_shapes(meta, ok):
    assert grading_metadata_ok({"metadata": {"nbgrader": meta}}) is ok


def cell(grade_id, **meta):
    return {"cell_type": "code", "source": "", "metadata": {"nbgrader": {
        "grade_id": grade_id, "grade": False, "solution": False, "locked": False, **meta}}}


def test_changed_grading_metadata_is_named():
    released = [cell("t1", grade=True, locked=True, points=2), cell("a1", solution=True)]
    assert metadata_changes(released, released) == []
    changed = [cell("t1", solution=True, locked=True, points=2), cell("a1", solution=True),
               cell("a1", solution=True), cell("mine", grade=True, points=5)]
    assert metadata_changes(changed, released) == [
        "t1 (grade, solution, points)", "a1 (twice)", "mine (not in the lesson)"]


def test_only_the_gradebooks_cells_are_tests_or_setup():
    lesson = {"t1": ("test", "check(answer == 1, 'x')"), "setup": ("setup", "import numpy")}
    test = nbformat.v4.new_code_cell("pass")
    test.metadata["nbgrader"] = {"grade_id": "t1", "grade": True}
    forged = nbformat.v4.new_code_cell("import os")
    forged.metadata["nbgrader"] = {"grade_id": "mine", "grade": True, "locked": True}
    plain = nbformat.v4.new_code_cell("x = 1")
    assert classify(test, lesson) == {"kind": "test", "source": "check(answer == 1, 'x')"}
    assert classify(forged, lesson) == {"kind": "answer", "source": "import os"}
    assert classify(plain, lesson) == {"kind": "answer", "source": "x = 1"}


@pytest.fixture(scope="module")
def e01_course(tmp_path_factory):
    from conftest import built_once, copy_course

    # a copy: the tests write submissions into it
    return copy_course(built_once(tmp_path_factory, "e01-en", "en", ["e01"]),
                       tmp_path_factory.mktemp("units") / "c")


@pytest.mark.parametrize("raw", [b"\xff\xfe", b"[]", b'{"cells": {}}', b'{"cells": [1]}',
                                 b'{"cells": ' + b"[" * 200_000, b"null", b'{"cells": []}'])
def test_preflight_turns_any_bytes_into_a_status(raw, e01_course):
    from autograder.grading.grade import preflight

    course = e01_course
    folder = course / "submitted" / "kai" / "e01"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "e01.ipynb").write_bytes(raw)
    status, notes = preflight(course, "e01", "kai")
    assert status.split(":")[0] in ("broken", "ok") and isinstance(notes, list)
    if raw != b'{"cells": []}':
        assert status.startswith("broken"), status
    json.dumps(status)


def test_collect_never_follows_a_link_a_student_planted(tmp_path):
    """Plain nbgrader's copytree copies a link's *target* (the teacher's source/) as the
    grader; Manabu's collect leaves links, hard links and FIFOs behind."""
    import os
    import shutil

    from autograder.school.exchange import OwnerCheckedCollect

    secret = tmp_path / "source.ipynb"
    secret.write_text("HIDDEN TESTS")
    src = tmp_path / "inbound" / "kai+e01+2026"
    src.mkdir(parents=True)
    (src / "e01.ipynb").write_text("{}")
    (src / "answers.ipynb").symlink_to(secret)
    os.link(secret, src / "copy.ipynb")
    os.mkfifo(src / "pipe")
    (src / "sub").mkdir()
    (src / "sub" / "deep.ipynb").symlink_to(secret)
    from nbgrader.coursedir import CourseDirectory

    collect = OwnerCheckedCollect(coursedir=CourseDirectory(root=str(tmp_path)))
    collect.do_copy(str(src), str(tmp_path / "submitted"))
    got = sorted(str(p.relative_to(tmp_path / "submitted"))
                 for p in (tmp_path / "submitted").rglob("*"))
    assert got == ["e01.ipynb", "sub"]
    plain = tmp_path / "plain"  # what nbgrader's own copy does: the secret comes along
    shutil.copytree(src, plain, ignore=lambda folder, names: [n for n in names if n == "pipe"])
    assert (plain / "answers.ipynb").read_text() == "HIDDEN TESTS"


def _feedback_notebooks() -> list:
    """Three different small notebooks: text, code, an output, a picture-less error."""
    v4 = nbformat.v4
    return [
        v4.new_notebook(cells=[v4.new_markdown_cell("# Lesson\nHello *world*"),
                               v4.new_code_cell("answer = 3", outputs=[
                                   v4.new_output("stream", name="stdout", text="3\n")])]),
        v4.new_notebook(cells=[v4.new_code_cell("print('やった')", outputs=[
            v4.new_output("execute_result", data={"text/plain": "7"}, execution_count=1)])]),
        v4.new_notebook(cells=[v4.new_markdown_cell("Only words, $x^2$."),
                               v4.new_code_cell("1/0", outputs=[v4.new_output(
                                   "error", ename="ZeroDivisionError", evalue="division by zero",
                                   traceback=["ZeroDivisionError: division by zero"])])]),
    ]


def test_class_exporter_makes_the_same_pages_and_compiles_templates_once(monkeypatch):
    """The batched feedback path (templates compiled once per worker) against nbgrader's
    per-student path (a fresh exporter compiling every template): the same bytes, page by page."""
    from jinja2 import Environment
    from nbconvert.exporters import HTMLExporter

    from autograder.grading.feedback_exporter import CLASS_CACHE, ClassHTMLExporter

    CLASS_CACHE.clear()
    compiled = []
    real_compile = Environment.compile

    def counting_compile(self, source, name=None, *args, **kwargs):
        compiled.append(name)
        return real_compile(self, source, name, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", counting_compile)
    pages = []
    for number, nb in enumerate(_feedback_notebooks()):
        per_student = HTMLExporter().from_notebook_node(nb)[0]
        compiled.clear()
        batched = ClassHTMLExporter().from_notebook_node(nb)[0]  # a new exporter, as nbgrader does
        assert batched == per_student
        if number:  # every template came from the cache
            assert compiled == []
        pages.append(batched)
    assert len(set(pages)) == 3
