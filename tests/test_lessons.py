"""Every lesson: front matter, en/ja parity, timing plan, and the teacher version runs clean."""

from __future__ import annotations

import nbformat
import pytest
from conftest import lesson_ids
from helpers import wrong_answers

from autograder.build.lessonfile import (
    graded_cells,
    read_notebook,
    split_teacher_notes,
    timing_plan,
)
from autograder.dev.execute import run_notebook
from course.catalog import lesson_folders, read_entry
from course.checks import OK_MARK

LESSONS = lesson_ids()


def notebook(lesson_id: str, lang: str):
    return read_notebook(read_entry(lesson_folders()[lesson_id], lang))


def parity_key(nb):
    """What must match between languages: code cells in order, grade ids, points."""
    return ([c.cell_type for c in nb.cells],
            [(c.metadata.nbgrader.get("grade_id"), c.metadata.nbgrader.get("points"))
             for c in graded_cells(nb)])


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_english_and_japanese_have_the_same_cells_grade_ids_and_points(lesson_id):
    en, ja = notebook(lesson_id, "en"), notebook(lesson_id, "ja")
    assert parity_key(en) == parity_key(ja)
    en_entry, ja_entry = en.metadata.manabu, ja.metadata.manabu
    for key in ("id", "band", "grade", "minutes", "big_ideas", "ai4k12"):
        assert en_entry[key] == ja_entry[key], key


def test_parity_check_notices_a_missing_cell():
    en = notebook(LESSONS[0], "en")
    broken = notebook(LESSONS[0], "ja")
    broken.cells.pop(3)
    assert parity_key(en) != parity_key(broken)


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("lesson_id", LESSONS)
def test_timing_plan_fills_one_class_period(lesson_id, lang):
    nb = notebook(lesson_id, lang)
    _student, notes = split_teacher_notes(nb)
    plan = timing_plan(notes)
    assert len(plan) >= 4
    assert sum(minutes for minutes, _ in plan) == nb.metadata.manabu["minutes"]


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_lesson_anatomy(lesson_id):
    """At least three autograded exercises, each with hidden tests, and a written reflection."""
    nb = notebook(lesson_id, "en")
    tests = [c for c in graded_cells(nb) if c.metadata.nbgrader["grade"]
             and not c.metadata.nbgrader["solution"]]
    written = [c for c in graded_cells(nb) if c.cell_type == "markdown"
               and c.metadata.nbgrader["solution"] and c.metadata.nbgrader["grade"]]
    assert len(tests) >= 3 and written
    assert all("BEGIN HIDDEN TESTS" in c.source for c in tests)
    assert all("check(" in c.source.split("### BEGIN HIDDEN TESTS")[0] for c in tests)


def with_wrong_answers(nb, wrongs: dict) -> tuple[object, dict]:
    """A copy of ``nb`` followed, for each wrong answer, by: the wrong answer, its check cell
    (hidden tests included), the right answer again. Returns (notebook, {(gid, n): check index})."""
    import copy

    cells = {c.metadata.nbgrader["grade_id"]: c for c in nb.cells if c.metadata.get("nbgrader")}
    extended, checks = copy.deepcopy(nb), {}
    for gid, answers in wrongs.items():
        for n, wrong in enumerate(answers):
            extended.cells.append(nbformat.v4.new_code_cell(wrong))
            extended.cells.append(nbformat.v4.new_code_cell(cells[f"{gid}-check"].source))
            checks[(gid, n)] = len(extended.cells) - 1
            extended.cells.append(nbformat.v4.new_code_cell(cells[gid].source))
    return extended, checks


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("lesson_id", LESSONS)
def test_teacher_version_runs_top_to_bottom_in_a_fresh_kernel(lesson_id, lang, tmp_path):
    """...and afterwards, in the same kernel, every prepared wrong answer fails its check
    (nbgrader itself grades the first wrong answer of each exercise in test_grading)."""
    nb, _notes = split_teacher_notes(notebook(lesson_id, lang))
    lesson_cells = len(nb.cells)
    nb, checks = with_wrong_answers(nb, wrong_answers(lesson_id))
    nb, _stats = run_notebook(nb, tmp_path)
    errors = [f"cell {i + 1}: {o.get('ename')}: {o.get('evalue')}"
              for i, cell in enumerate(nb.cells[:lesson_cells]) for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert errors == []
    texts = "".join(o.get("text", "") for c in nb.cells[:lesson_cells] for o in c.get("outputs", []))
    assert OK_MARK in texts  # the visible checks said so
    widgets = [o for c in nb.cells for o in c.get("outputs", [])
               if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widgets, "the explore widgets were displayed"
    passed = [key for key, index in checks.items()
              if not any(o.get("output_type") == "error" for o in nb.cells[index].outputs)]
    assert checks and not passed, f"these wrong answers pass their check: {passed}"
    shown = [o for index in checks.values() for o in nb.cells[index].outputs
             if o.get("output_type") == "error" and o.get("ename") == "CheckFailed"]
    assert shown and all("✘" in "".join(o["traceback"]) for o in shown)  # one friendly line


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("lesson_id", LESSONS)
def test_tests_read_only_the_lessons_own_names_and_the_students_answers(lesson_id, lang):
    """Grading runs test cells in the judge with the setup cell's names; anything else comes
    from the student's notebook as data. A test that relied on an explore cell's list or robot
    would trust a value the student can change."""
    from autograder.build.lessonfile import unjudgeable_names

    assert unjudgeable_names(notebook(lesson_id, lang)) == []


def test_the_name_rule_notices_a_test_that_reads_an_explore_cells_name():
    from autograder.build.lessonfile import unjudgeable_names

    nb = notebook("j09", "en")
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "j09-ex2-check":
            cell.source = cell.source.replace('judged = GridRobot(mode="learn")', "")
    assert unjudgeable_names(nb) == ["j09-ex2-check: judged"]


def test_the_name_rule_notices_an_answer_that_shadows_a_builtin():
    from autograder.build.lessonfile import unjudgeable_names

    nb = notebook("j05", "en")
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "j05-ex1")
    answer.source += "\n\ndef max(values):\n    return 0"
    assert unjudgeable_names(nb) == ["j05-ex1: max (a built-in name)"]
