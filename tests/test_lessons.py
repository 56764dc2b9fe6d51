"""Every lesson: front matter, en/ja parity, timing plan, and the teacher version runs clean."""

from __future__ import annotations

import pytest
from conftest import lesson_ids

from autograder.execute import run_notebook
from autograder.lessonfile import graded_cells, read_notebook, split_teacher_notes, timing_plan
from course.catalog import lesson_folders, read_entry

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


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("lesson_id", LESSONS)
def test_teacher_version_runs_top_to_bottom_in_a_fresh_kernel(lesson_id, lang, tmp_path):
    nb, _notes = split_teacher_notes(notebook(lesson_id, lang))
    nb, stats = run_notebook(nb, tmp_path)
    assert stats.errors == []
    texts = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "✔" in texts  # the visible checks said so
    widgets = [o for c in nb.cells for o in c.get("outputs", [])
               if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widgets, "the explore widgets were displayed"
