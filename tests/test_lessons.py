"""Every lesson: front matter, en/ja parity, timing plan, and the teacher version runs clean."""

from __future__ import annotations

import re
from pathlib import Path

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
# executed teacher versions, (lesson id, lang) -> notebook: the accessibility scan reuses the run
EXECUTED: dict[tuple[str, str], nbformat.NotebookNode] = {}


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
    (nbgrader itself grades the first wrong answer of each exercise in test_grading). The kernel
    is forked from a pre-imported parent: fresh for each lesson, without paying the imports
    (test_forked_kernels_start_clean_after_another_lesson)."""
    nb, _notes = split_teacher_notes(notebook(lesson_id, lang))
    lesson_cells = len(nb.cells)
    nb, checks = with_wrong_answers(nb, wrong_answers(lesson_id))
    nb, _stats = run_notebook(nb, tmp_path, forked=True)
    if lang == "ja":  # the Japanese lessons are scanned statically (below)
        EXECUTED[lesson_id, lang] = nbformat.from_dict({**nb, "cells": nb.cells[:lesson_cells]})
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


# what a lesson leaves behind in its kernel: a name, a module, a changed library, a Matplotlib
# setting, its working folder and an environment variable
LEAVE_BEHIND = """
leftover = 42
import tabnanny
import numpy
numpy.leftover = 1
import matplotlib.pyplot as plt
plt.rcParams["lines.linewidth"] = 9
import os
os.makedirs("sub")
os.chdir("sub")
os.environ["MANABU_LEFTOVER"] = "1"
"""
LOOK_FOR_IT = """
import json, os, sys
import numpy
import matplotlib.pyplot as plt
print(json.dumps({"module": "tabnanny" in sys.modules, "library": hasattr(numpy, "leftover"),
                  "linewidth": plt.rcParams["lines.linewidth"],
                  "cwd": os.getcwd(), "env": "MANABU_LEFTOVER" in os.environ}))
"""


def test_forked_kernels_start_clean_after_another_lesson(tmp_path):
    """What one lesson leaves in its forked kernel is not there for the next: a name it defined is
    a NameError, and its modules, library changes, Matplotlib settings, folder and environment are
    gone. The same look in the kernel that made the mess finds all of it (the check can fail)."""
    import json

    def run(cells: list[str], folder: Path):
        folder.mkdir()
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
        nb, _stats = run_notebook(nb, folder, forked=True)
        *_, look = nb.cells
        facts = json.loads("".join(o.get("text", "") for o in look.outputs))
        return nb, facts

    messy, in_same = run([LEAVE_BEHIND, "leftover", LOOK_FOR_IT], tmp_path / "first")
    assert not [o for c in messy.cells for o in c.outputs if o.output_type == "error"]
    assert in_same == {"module": True, "library": True, "linewidth": 9,
                       "cwd": str(tmp_path / "first" / "sub"), "env": True}
    clean, in_next = run(["leftover", LOOK_FOR_IT], tmp_path / "second")
    [error] = clean.cells[0].outputs
    assert error.ename == "NameError"
    assert in_next == {"module": False, "library": False,
                       "linewidth": in_next["linewidth"], "cwd": str(tmp_path / "second"),
                       "env": False}
    assert in_next["linewidth"] != 9


def test_japanese_lessons_text_and_outputs_pass_axe(browser, tmp_path):
    """axe-core (WCAG 2.2 AA) finds nothing critical or serious in the Japanese teacher versions'
    text and outputs, drawn as one static page from the runs above (run again when alone).
    Widgets are scanned live: every English lesson (test_browser.py), e03 in Japanese
    (test_offline_browser.py) and every widget family after a move (test_gallery_browser.py)."""
    from axe_helpers import describe, scan_static_html, static_notebook_html

    cells = []
    for lesson_id in LESSONS:
        nb = EXECUTED.get((lesson_id, "ja"))
        if nb is None:
            nb, _stats = run_notebook(split_teacher_notes(notebook(lesson_id, "ja"))[0], tmp_path,
                                      forked=True)
        for index, cell in enumerate(nb.cells):  # the id names the lesson in a finding
            cells.append(nbformat.from_dict({**cell, "id": f"{lesson_id}-{index}"}))
    found = scan_static_html(browser, static_notebook_html(nbformat.v4.new_notebook(cells=cells)))
    assert not found, describe(found)


def test_the_static_scan_sees_lesson_text_and_outputs(browser):
    """An unnamed link in lesson text, and an unnamed slider in an output, are found. (Not a
    picture without alt text: nbconvert adds one itself; pictures are checked live.)"""
    from axe_helpers import scan_static_html, static_notebook_html

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell('See <a href="#x"></a>'),
        nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/html": '<div role="slider" tabindex="0" aria-valuenow="1">',
                                  "text/plain": "x"})])])
    assert {v["id"] for v in scan_static_html(browser, static_notebook_html(nb))} == {
        "aria-input-field-name", "link-name"}


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


# --- issue #15: what graded items measure, no points for copying, tapping, rubrics -------------
# Every lesson meets the contract, elementary and junior high.
CONTRACT = LESSONS


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("lesson_id", CONTRACT)
def test_graded_items_measure_understanding_and_reflections_have_rubrics(lesson_id, lang):
    """Every test cell says what it measures (its 観点 is checked when the lesson is read); at
    least 70% of the autograded points
    are prediction, transfer or code; every elementary answer is tapped, not typed (junior high
    writes small functions); every written answer has a full / half / none rubric with samples."""
    from autograder.build import lessonrules as rules

    nb = notebook(lesson_id, lang)
    assert rules.measures_problems(nb) == []
    assert rules.understanding_share(nb) >= rules.UNDERSTANDING_SHARE
    if nb.metadata.manabu["band"] == "elementary":  # junior high writes functions: typed
        assert rules.untappable_answers(nb) == []
    assert rules.rubric_problems(nb) == []


@pytest.mark.parametrize("lesson_id", CONTRACT)
def test_both_languages_measure_the_same_things(lesson_id):
    from autograder.build.lessonrules import cell_measures

    def measures(nb):
        return [(c.metadata.nbgrader["grade_id"], cell_measures(c)) for c in graded_cells(nb)]

    assert measures(notebook(lesson_id, "en")) == measures(notebook(lesson_id, "ja"))


@pytest.mark.parametrize("lesson_id", CONTRACT)
def test_no_points_for_a_line_copied_after_the_widget_said_right(lesson_id):
    from autograder.build.lessonrules import copied_after_check

    assert copied_after_check(notebook(lesson_id, "en")) == []


def test_the_contract_rules_notice_what_they_forbid():
    from autograder.build import lessonrules as rules

    nb = notebook(CONTRACT[0], "en")
    test = next(c for c in nb.cells if rules.is_test_cell(c))
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")
                  and c.cell_type == "code")
    name = sorted(rules._answer_names(answer))[0]
    test.metadata["manabu"].pop("measures")
    assert rules.measures_problems(nb)[0].endswith("(manabu: {measures: ...}, one of "
                                                   "prediction, transfer, code, recall)")
    for cell in nb.cells:
        if rules.is_test_cell(cell):
            cell.metadata["manabu"]["measures"] = "recall"
    assert rules.understanding_share(nb) == 0
    nb.cells.append(nbformat.v4.new_code_cell(f'MultipleChoice("?", ["x", "y"], answer="a", name="{name}")'))
    assert any(name in p for p in rules.copied_after_check(nb))
    answer.source += "\nanswer_typed = 3"
    assert "answer_typed" in " ".join(rules.untappable_answers(nb))
    rubric = next(c for c in nb.cells if rules.is_rubric_cell(c))
    rubric.source = "\n".join(line for line in rubric.source.splitlines() if not line.startswith("| 0"))
    assert rules.rubric_problems(nb) and "0 points" in rules.rubric_problems(nb)[0]
    nb.cells.remove(rubric)
    assert "put its rubric cell" in rules.rubric_problems(nb)[0]


def test_a_mistyped_measures_and_a_stray_hidden_region_are_refused(tmp_path):
    from autograder.build.lessonfile import check_measures, check_nbgrader_cells
    from course.catalog import LessonError

    nb = notebook(CONTRACT[0], "en")
    test = next(c for c in nb.cells if c.metadata.get("manabu", {}).get("measures"))
    test.metadata["manabu"]["measures"] = "predicton"
    with pytest.raises(LessonError, match="measures 'predicton' is not one of"):
        check_measures(nb, "e01/en.md")
    nb.cells.append(nbformat.v4.new_markdown_cell("[//]: # (### BEGIN HIDDEN TESTS)\nx\n\n"
                                                  "[//]: # (### END HIDDEN TESTS)"))
    with pytest.raises(LessonError, match="only a test cell or a locked rubric cell"):
        check_nbgrader_cells(nb, "e01/en.md")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_guide_shows_the_kanten_table_and_every_rubric(lang):
    from autograder.build.guide import guide_html
    from autograder.build.lessonrules import is_rubric_cell, is_test_cell, rubric_rows

    lesson = read_entry(lesson_folders()[CONTRACT[0]], lang)
    nb, notes = split_teacher_notes(read_notebook(lesson))
    font = '@font-face{font-family:"BIZ UDPGothic";src:url("BIZUDPGothic-Regular.ttf")}'
    html = guide_html(lesson, nb, notes, font if lang == "ja" else "")
    # the page's CSS as written: a quote escaped inside <style> (&#34;) voids the school font's rule
    style = html.split("</style>")[0]
    assert "&#34;" not in style and 'font-family:"BIZ UDPGothic"' in style
    assert (font in style) == (lang == "ja")
    assert ("Items by 観点" if lang == "en" else "観点別の問題") in html
    assert ("Thinking, judgement and expression" if lang == "en" else "思考・判断・表現") in html
    tests = [c for c in nb.cells if is_test_cell(c)]
    assert all(f"<td>{c.metadata.nbgrader['grade_id']}</td>" in html for c in tests)
    samples = [sample for c in nb.cells if is_rubric_cell(c) for _p, _w, sample in rubric_rows(c)]
    assert samples and all(sample.strip('"「」“”')[:20] in html for sample in samples)


def test_a_widget_that_shows_its_line_only_when_right_is_practice():
    """DataMixer shows its line only once every group meets the goal: grading that line would
    grade copying. Named or not (it then uses answer_mix), the rule notices."""
    from autograder.build.lessonrules import copied_after_check

    for widget in ("DataMixer(budget=60)", 'DataMixer(name="answer_mix", budget=60)'):
        nb = nbformat.v4.new_notebook(cells=[
            nbformat.v4.new_code_cell(widget),
            nbformat.v4.new_code_cell("check(is_fair_mix(answer_mix), 'Try again.')",
                                      metadata={"nbgrader": {"grade": True, "solution": False,
                                                             "grade_id": "x-check", "points": 2}})])
        assert copied_after_check(nb) == ["x-check: answer_mix (a widget shows ✔ for it)"]
        nb.cells[0].source = widget.replace("budget=60", "budget=60, name=None")
        assert copied_after_check(nb) == []

    # ThresholdAudit shows its line at ✔ only when it is given a rule to meet (j08)
    nb.cells[1].source = "check(answer_threshold > 0.5, 'Try again.')"
    nb.cells[0].source = 'ThresholdAudit(threshold=0.5, rule={"max_fpr": 0.1})'
    assert copied_after_check(nb) == ["x-check: answer_threshold (a widget shows ✔ for it)"]
    nb.cells[0].source = "ThresholdAudit(threshold=0.5)"
    assert copied_after_check(nb) == []


SHIFT_ENTER = re.compile(r"shift[`*\s]*(?:\+|キー|と|を)?.{0,12}?enter", re.IGNORECASE | re.DOTALL)


def asks_for_shift_enter(nb) -> list[str]:
    """The student-facing Markdown cells of ``nb`` that tell a child to press Shift + Enter."""
    return [c.source[:80] for c in nb.cells if c.cell_type == "markdown"
            and "teacher" not in c.metadata.get("tags", []) and SHIFT_ENTER.search(c.source)]


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("lesson_id", [i for i in LESSONS if i.startswith("e")])
def test_elementary_prose_says_tap_run_not_shift_enter(lesson_id, lang):
    # a tablet's soft keyboard has no Shift + Enter; the extension's button is "▶ Run" / "▶ 実行"
    assert asks_for_shift_enter(notebook(lesson_id, lang)) == []


def test_the_shift_enter_rule_notices_both_languages():
    cells = [nbformat.v4.new_markdown_cell(s) for s in (
        "Then run the next cell: click it and press **Shift + Enter**.",
        "セルをクリックして、`Shift` キーをおしながら `Enter` キーをおします。",
        "Tap **▶ Run**.")]
    teacher = nbformat.v4.new_markdown_cell("Keyboard users can press Shift+Enter.")
    teacher.metadata["tags"] = ["teacher"]
    nb = nbformat.v4.new_notebook(cells=[*cells, teacher])
    assert len(asks_for_shift_enter(nb)) == 2


def test_the_run_button_the_prose_names_is_the_one_the_extension_shows():
    view = Path(__file__).resolve().parent.parent / "course" / "labextension" / "src" / "studentView.ts"
    labels = re.findall(r"run: '([^']+)'", view.read_text(encoding="utf-8"))
    assert labels == ["▶ Run", "▶ 実行"]
    for lesson_id in [i for i in LESSONS if i.startswith("e")]:
        for lang, label in zip(("en", "ja"), labels, strict=True):
            prose = "\n".join(c.source for c in notebook(lesson_id, lang).cells if c.cell_type == "markdown")
            assert f"**{label}**" in prose, (lesson_id, lang)
