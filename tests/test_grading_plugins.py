"""Unit tests of grading's internals in nbgrader's style: a few cells made by small helpers, one
question each, no course, no sandbox, no nbgrader run (those are in test_grading*.py). They run
in milliseconds and are the first tier of `make test`."""

from __future__ import annotations

import time

import nbformat
import pytest

from autograder.gradescsv import GradeRow, severity
from autograder.gradescsv import write_grades as write_grades_csv
from autograder.grading.grade import (
    GradingTooLong,
    Ledger,
    status_from,
    wall_clock,
)
from autograder.grading.nbgrader_plugins import (
    AnswerStubs,
    HideHiddenTests,
    OverwriteCellsQuietly,
    SanitizeStudentHTML,
    _kind,
)
from autograder.school.roster import check_username, generated_id, grade_class, split_name


def code(source: str, **nbgrader) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = {"grade": False, "solution": False, "locked": False,
                                     "schema_version": 3, **nbgrader}
    return cell


def notebook(*cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    return nb


def error(ename: str, traceback: list[str]) -> nbformat.NotebookNode:
    return nbformat.from_dict({"output_type": "error", "ename": ename, "evalue": "why",
                               "traceback": traceback})


# -- AnswerStubs: the student version of an answer cell ------------------------------------------

def stub(source: str) -> str:
    nb = notebook(code(source, grade_id="ex1", solution=True))
    nb, _ = AnswerStubs().preprocess(nb, {})
    return nb.cells[0].source


def test_an_assignment_answer_becomes_name_equals_dots():
    assert stub("# how many?\n### BEGIN SOLUTION\nanswer_k = 3\n### END SOLUTION") == \
        "# how many?\nanswer_k = ..."


def test_several_assignments_each_become_dots():
    assert stub("### BEGIN SOLUTION\na = 1\n\nb = [1, 2]\n### END SOLUTION") == "a = ...\nb = ..."


def test_a_function_body_gets_nbgraders_stub():
    out = stub("def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION")
    assert "return x + 1" not in out and "NotImplementedError" in out


def test_a_comparison_is_not_an_assignment():
    out = stub("### BEGIN SOLUTION\nanswer == 3\n### END SOLUTION")
    assert "answer == 3" not in out and "..." not in out


# -- HideHiddenTests: what feedback shows of a test cell -----------------------------------------

def hide(cell) -> nbformat.NotebookNode:
    nb, _ = HideHiddenTests().preprocess(notebook(cell), {})
    return nb.cells[0]


TEST = "check(a == 1, 'hi')\n### BEGIN HIDDEN TESTS\ncheck(a != 2, 'secret')\n### END HIDDEN TESTS"


def test_feedback_loses_the_hidden_region_of_a_test():
    cell = hide(code(TEST, grade_id="t", grade=True, locked=True, points=1))
    assert "secret" not in cell.source and "check(a == 1, 'hi')" in cell.source


def test_a_traceback_that_may_quote_a_hidden_line_is_cut_to_one_line():
    cell = code(TEST, grade_id="t", grade=True, points=1)
    cell.outputs = [error("AssertionError", ["Traceback", "check(a != 2, 'secret')", "boom"])]
    assert hide(cell).outputs[0].traceback == ["AssertionError: why"]


def test_the_childs_friendly_check_line_is_kept():
    cell = code(TEST, grade_id="t", grade=True, points=1)
    cell.outputs = [error("CheckFailed", ["✘ Try again", "more"])]
    assert hide(cell).outputs[0].traceback == ["✘ Try again", "more"]


def test_answer_cells_are_left_alone():
    cell = code("x = 1\n### BEGIN HIDDEN TESTS\nnot a test\n### END HIDDEN TESTS",
                grade_id="a", solution=True)
    assert hide(cell).source == cell.source


# -- SanitizeStudentHTML: nothing a student wrote runs in the Formgrader or feedback -------------

def sanitize(cell) -> nbformat.NotebookNode:
    nb, _ = SanitizeStudentHTML().preprocess(notebook(cell), {})
    return nb.cells[0]


def html_output(html: str) -> nbformat.NotebookNode:
    return nbformat.from_dict({"output_type": "display_data", "metadata": {},
                               "data": {"text/html": html, "text/plain": "x"}})


def test_a_script_in_an_html_output_is_removed_and_furigana_kept():
    cell = code("display(HTML(...))")
    cell.outputs = [html_output("<script>alert(1)</script><ruby>漢<rt>かん</rt></ruby>")]
    html = sanitize(cell).outputs[0].data["text/html"]
    assert "<script" not in html and "<ruby>漢<rt>かん</rt></ruby>" in html


def test_html_cleaned_once_is_cleaned_the_same_every_time(monkeypatch):
    """A worker remembers cleaned text (the lesson's pictures repeat in every submission): the
    second submission with the same output gets the same clean text, never the raw one."""
    import bleach

    from autograder.grading import nbgrader_plugins

    calls = []
    real = bleach.clean
    monkeypatch.setattr("nbconvert.preprocessors.sanitize.clean",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(nbgrader_plugins, "_CLEANED", {})
    raw = '<table><td style="color: red" onclick="steal()">7</td></table><script>x</script>'
    first, second = [], []
    for out in (first, second):
        cell = code("show()")
        cell.outputs = [html_output(raw)]
        out.append(sanitize(cell).outputs[0].data["text/html"])
    assert first == second and "onclick" not in first[0] and "<script" not in first[0]
    assert 'style="color: red;"' in first[0] or 'style="color: red"' in first[0]
    assert len(calls) == 1


def test_an_event_handler_in_markdown_is_removed():
    cell = nbformat.v4.new_markdown_cell('<img src="x.png" onerror="steal()"> **bold**')
    source = sanitize(cell).source
    assert "onerror" not in source and 'src="x.png"' in source


def test_plain_markdown_keeps_its_signs():
    cell = nbformat.v4.new_markdown_cell("> a quote & 3 > 2")
    assert sanitize(cell).source == "> a quote & 3 > 2"


def test_a_javascript_output_is_dropped_and_says_so():
    cell = code("x")
    cell.outputs = [nbformat.from_dict({"output_type": "display_data", "metadata": {},
                                        "data": {"application/javascript": "steal()"}})]
    data = sanitize(cell).outputs[0].data
    assert "application/javascript" not in data and data["text/plain"] == "[output removed]"


# -- OverwriteCellsQuietly: only a real edit of a locked cell is reported ------------------------

@pytest.mark.parametrize("as_released, warned", [(True, 0), (False, 1)])
def test_a_checksum_change_is_reported_only_for_a_real_edit(as_released, warned, caplog):
    import logging

    plugin = OverwriteCellsQuietly()
    plugin.log = logging.getLogger("manabu-test-overwrite")
    plugin._as_released = as_released
    with caplog.at_level(logging.WARNING, logger="manabu-test-overwrite"):
        plugin.report_change("t1", "checksum", "old", "new")
    assert len(caplog.messages) == warned
    assert all("t1" in line and "put back" in line for line in caplog.messages)


def test_kind_without_a_gradebook_follows_the_cells_metadata():
    assert _kind(code("x = 1", grade_id="a", solution=True)) == "answer"
    assert _kind(code("check(x)", grade_id="t", grade=True)) == "test"
    assert _kind(code("import numpy", grade_id="s", locked=True)) == "setup"


# -- statuses, the ledger, grades.csv --------------------------------------------------------------

def test_a_run_that_stopped_says_stopped_with_every_reason():
    assert status_from({"problems": ["cell 7 ran too long"]}, ["edited locked cells put back"]) \
        == "stopped: cell 7 ran too long; edited locked cells put back"


def test_notes_or_refused_links_make_a_flag():
    assert status_from({}, ["deleted cells put back: t1"]) == \
        "flagged: deleted cells put back: t1"
    assert status_from({"refused": ["link"]}, []).startswith("flagged: links or special files")


def test_a_clean_run_is_ok():
    assert status_from({"problems": [], "refused": []}, []) == "ok"


def test_summary_lists_ok_first_then_the_most_serious():
    kinds = sorted([("flagged", 1), ("ok", 3), ("failed", 1), ("odd", 1), ("stopped", 2)],
                   key=lambda item: severity(item[0]))
    assert [k for k, _n in kinds] == ["ok", "failed", "stopped", "flagged", "odd"]


def submit(course, student: str, text: str = "{}") -> None:
    folder = course / "submitted" / student / "e01"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "e01.ipynb").write_text(text)


def test_the_ledger_keeps_a_result_until_the_student_submits_again(tmp_path):
    submit(tmp_path, "kai")
    Ledger(tmp_path, "e01").record(GradeRow("kai", "e01", 2, 2, "ok", False))
    assert Ledger(tmp_path, "e01").done("kai") == GradeRow("kai", "e01", 2, 2, "ok", False)
    time.sleep(0.01)
    submit(tmp_path, "kai", '{"cells": []}')  # a new submission: other size and time
    assert Ledger(tmp_path, "e01").done("kai") is None


def test_a_line_cut_by_a_crash_only_loses_that_student(tmp_path):
    submit(tmp_path, "kai")
    submit(tmp_path, "mei")
    ledger = Ledger(tmp_path, "e01")
    ledger.record(GradeRow("kai", "e01", 1, 2, "ok", False))
    with ledger.path.open("a") as handle:
        handle.write('{"fingerprint": "x", "row": {"student": "me')
    again = Ledger(tmp_path, "e01")
    assert again.done("kai").score == 1 and again.done("mei") is None


def test_forget_starts_the_ledger_again(tmp_path):
    submit(tmp_path, "kai")
    ledger = Ledger(tmp_path, "e01")
    ledger.record(GradeRow("kai", "e01", 1, 2, "ok", False))
    ledger.forget()
    assert not ledger.path.exists() and Ledger(tmp_path, "e01").done("kai") is None


def test_grades_csv_replaces_one_lessons_rows_and_keeps_the_others(tmp_path):
    import csv

    write_grades_csv(tmp_path, "e01", [GradeRow("kai", "e01", 1, 2, "ok", False)])
    write_grades_csv(tmp_path, "e02", [GradeRow("kai", "e02", 3, 3, "ok", True)])
    write_grades_csv(tmp_path, "e01", [GradeRow("kai", "e01", 2, 2, "ok", False)])
    with (tmp_path / "grades.csv").open(encoding="utf-8") as handle:
        rows = [(r["lesson"], r["score"], r["needs_manual"]) for r in csv.DictReader(handle)]
    assert rows == [("e01", "2", "no"), ("e02", "3", "yes")]


def test_the_wall_clock_stops_a_submission_that_runs_too_long():
    with pytest.raises(GradingTooLong), wall_clock(0.05):
        time.sleep(2)


def test_no_budget_means_no_alarm():
    with wall_clock(0):
        time.sleep(0.01)


# -- roster helpers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name, parts", [("山田 太郎", ("太郎", "山田")),
                                         ("Alice van Dijk", ("Alice van", "Dijk")),
                                         ("Kai", ("", "Kai"))])
def test_japanese_names_are_family_name_first(name, parts):
    assert split_name(name) == parts


@pytest.mark.parametrize("raw, prefix, user, problem", [
    ("S5A07", "", "s5a07", None), ("１２３", "s", "s123", None),
    ("123", "", "123", "--prefix s"), ("a b", "", "a b", "characters"), ("", "", "", "no student")])
def test_student_ids_become_unix_user_names_or_a_reason(raw, prefix, user, problem):
    got_user, got_problem = check_username(raw, prefix)
    assert got_user == user
    assert (got_problem is None) if problem is None else (problem in got_problem)


def test_grade_and_kumi_make_a_class():
    assert grade_class("5年", "A組") == ("5a", "5年A組")
    assert grade_class("5", "1") == ("5-1", "5年1組")
    assert grade_class("", "1") == ("", "")


def test_attendance_numbers_make_ids_when_there_are_none():
    assert generated_id("5a", "3") == ("5a-03", None)
    assert generated_id("5a", "")[1].startswith("no 出席番号")
