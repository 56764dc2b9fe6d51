"""Through real nbgrader: right answers get full marks, blank gets 0, each wrong answer loses
its points, and neither the student version nor the feedback shows solutions or hidden tests."""

from __future__ import annotations

import nbformat
import pytest
from conftest import lesson_ids
from helpers import autograded_points, leaked, wrong_answers

from autograder.grading.grade import grade_lesson
from autograder.grading.submissions import answer_cells, fill_answers, read_versions, submit

LESSONS = lesson_ids()


@pytest.fixture(scope="module")
def graded(built_course):
    """Every lesson graded for a class of right, blank and one-wrong-answer students."""
    lang, course = built_course
    results = {}
    for lesson_id in LESSONS:
        teacher, student = read_versions(course, lesson_id)
        right = answer_cells(teacher)
        cases = {"right": right, "blank": {}}
        for gid, wrongs in wrong_answers(lesson_id).items():
            # the first wrong answer of each exercise through nbgrader; all of them are also
            # tried in one kernel by test_lessons (an nbgrader run per answer is too slow for CI)
            cases[f"wrong-{gid}-0"] = {**right, gid: wrongs[0]}
        for name, answers in cases.items():
            submit(course, name, lesson_id, nbformat.writes(fill_answers(student, answers)))
        rows = {row.student: row for row in grade_lesson(lesson_id, course, log=lambda *a: None)}
        results[lesson_id] = (teacher, rows)
    return lang, course, results


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_right_answers_get_every_autograded_point(graded, lesson_id):
    _lang, _course, results = graded
    teacher, rows = results[lesson_id]
    row = rows["right"]
    assert row.status == "ok"
    assert row.score == sum(autograded_points(teacher).values())
    assert row.needs_manual  # the written reflection waits for the teacher


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_unanswered_student_version_gets_zero(graded, lesson_id):
    _lang, _course, results = graded
    _teacher, rows = results[lesson_id]
    assert rows["blank"].status == "ok" and rows["blank"].score == 0


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_every_prepared_wrong_answer_loses_its_points(graded, lesson_id):
    _lang, _course, results = graded
    teacher, rows = results[lesson_id]
    points = autograded_points(teacher)
    full = sum(points.values())
    wrongs = wrong_answers(lesson_id)
    assert set(wrongs) == {gid[:-len("-check")] for gid in points}, "a wrong answer per exercise"
    for gid, answers in wrongs.items():
        row = rows[f"wrong-{gid}-0"]
        assert row.score == full - points[f"{gid}-check"], (gid, answers[0])


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_student_version_has_no_solutions_or_hidden_tests(graded, lesson_id):
    _lang, course, results = graded
    teacher, _rows = results[lesson_id]
    assert leaked(teacher, course / "release" / lesson_id / f"{lesson_id}.ipynb") == []
    # the detector works: the teacher version itself is full of secrets
    assert leaked(teacher, course / "source" / lesson_id / f"{lesson_id}.ipynb")


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_feedback_has_no_hidden_tests(graded, lesson_id):
    _lang, course, results = graded
    teacher, rows = results[lesson_id]
    hidden_only = [line for line in leaked(teacher, course / "source" / lesson_id / f"{lesson_id}.ipynb")
                   if "check(" in line]
    assert hidden_only
    for student in rows:
        feedback = course / "feedback" / student / lesson_id / f"{lesson_id}.html"
        assert feedback.exists(), student
        text = feedback.read_text(encoding="utf-8")
        assert not [line for line in leaked(teacher, feedback) if "check(" in line], student
        assert len(text) < 1_000_000


def test_nbgraders_default_feedback_would_leak_hidden_tests(graded, tmp_path):
    """Proves the feedback test can fail: plain nbgrader shows hidden tests (its issue #917)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from autograder.build.nbconfig import load_config

    _lang, course, results = graded
    lesson_id = LESSONS[0]
    config = load_config(course)
    config.GenerateFeedback.preprocessors = [
        "nbgrader.preprocessors.GetGrades", "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]
    config.CourseDirectory.feedback_directory = str(tmp_path / "plain-feedback")
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    assert api.generate_feedback(lesson_id, "wrong-" + LESSONS[0] + "-ex1-0")["success"]
    teacher, _rows = results[lesson_id]
    plain = next((tmp_path / "plain-feedback").rglob("*.html"))
    assert [line for line in leaked(teacher, plain) if "check(" in line]


def test_grades_csv_has_a_row_per_submission(graded):
    import csv

    _lang, course, results = graded
    with (course / "grades.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert set(rows[0]) >= {"student", "lesson", "score", "max_score", "status", "needs_manual"}
    assert len(rows) == sum(len(r) for _t, r in results.values())


def ime_typed(source: str) -> str:
    """``source`` as a child types it with the Japanese IME on: full-width letters, digits, signs
    and spaces, and ” for every double quote."""
    return "".join("”" if ch == '"' else "\u3000" if ch == " " else
                   chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in source)


IME_LESSONS = ["e01", "e03"]  # built in a course of their own, whatever MANABU_TEST_LESSONS says


@pytest.fixture(scope="module", params=["en", "ja"])
def ime_graded(request, tmp_path_factory):
    """e01 and e03 graded for a student who typed every answer with the IME on."""
    from autograder.build.builder import build_course

    course = tmp_path_factory.mktemp(f"ime-{request.param}")
    build_course(course, request.param, IME_LESSONS, log=lambda *a: None)
    results = {}
    for lesson_id in IME_LESSONS:
        teacher, student = read_versions(course, lesson_id)
        right = answer_cells(teacher)
        code = {c.metadata.nbgrader["grade_id"] for c in teacher.cells
                if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}
        typed = {gid: ime_typed(text) if gid in code else text for gid, text in right.items()}
        assert all(typed[gid] != right[gid] and not typed[gid].isascii() for gid in code)
        submit(course, "ime", lesson_id, nbformat.writes(fill_answers(student, typed)))
        rows = {row.student: row for row in grade_lesson(lesson_id, course, log=lambda *a: None)}
        results[lesson_id] = (teacher, rows)
    return results


@pytest.mark.parametrize("lesson_id", IME_LESSONS)
def test_answers_typed_with_the_ime_on_get_every_point(ime_graded, lesson_id):
    teacher, rows = ime_graded[lesson_id]
    assert rows["ime"].status == "ok"
    assert rows["ime"].score == sum(autograded_points(teacher).values())

