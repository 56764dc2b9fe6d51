"""Through real nbgrader: right answers get full marks, blank gets 0, each wrong answer loses
its points, and neither the student version nor the feedback shows solutions or hidden tests."""

from __future__ import annotations

import nbformat
import pytest
from conftest import lesson_ids
from helpers import autograded_points, leaked, visible_text, wrong_answers

from autograder.grading.grade import GradingPool, Options, grade_lesson
from autograder.grading.submissions import answer_cells, fill_answers, read_versions, submit

pytestmark = pytest.mark.slow  # builds courses, runs sandboxes, nbgrader or servers

LESSONS = lesson_ids()
IME_LESSONS = ["e01", "e03"]  # graded whatever MANABU_TEST_LESSONS says


def wrong_submissions(lesson_id: str, right: dict, lang: str) -> dict[str, dict]:
    """Two submissions that between them get every exercise wrong: ``wrong-odd`` the 1st, 3rd,
    … exercise, ``wrong-even`` the others. Exercises next to each other are never wrong together,
    so one wrong answer cannot hide behind its neighbour's. Each exercise's wrong answer is one
    of its prepared ones (English takes the first, Japanese the last: both through nbgrader);
    every prepared wrong answer is also tried in one kernel by test_lessons."""
    wrongs = wrong_answers(lesson_id)
    pick = 0 if lang == "en" else -1
    return {name: {**right, **{gid: answers[pick] for n, (gid, answers)
                               in enumerate(wrongs.items()) if n % 2 == parity}}
            for name, parity in (("wrong-odd", 0), ("wrong-even", 1))}


@pytest.fixture(scope="module")
def graded(built_course):
    """Every lesson graded for a class of four (right, blank, odd and even exercises wrong) by
    one pool of grading workers for the whole course (as ``manabu grade`` does for one lesson);
    e01 and e03 also grade a child who typed with the IME."""
    from autograder.build.builder import build_course

    lang, course = built_course
    missing = [i for i in IME_LESSONS if i not in LESSONS]
    if missing:  # MANABU_TEST_LESSONS left them out: build them too
        build_course(course, lang, missing, log=lambda *a: None)
    results = {}
    with GradingPool(course, 2, Options()) as pool:
        for lesson_id in sorted(set(LESSONS) | set(IME_LESSONS)):
            teacher, student = read_versions(course, lesson_id)
            right = answer_cells(teacher)
            cases = {"right": right, "blank": {}} if lesson_id in LESSONS else {}
            if lesson_id in LESSONS:
                cases.update(wrong_submissions(lesson_id, right, lang))
            if lesson_id in IME_LESSONS:
                cases["ime"] = ime_answers(teacher, right)
            for name, answers in cases.items():
                submit(course, name, lesson_id, nbformat.writes(fill_answers(student, answers)))
            rows = grade_lesson(lesson_id, course, log=lambda *a: None, pool=pool)
            results[lesson_id] = (teacher, {row.student: row for row in rows})
    return lang, course, results


# per language one lesson that uses what the zygote pre-imports: scikit-learn and matplotlib
# (e03), seeded randomness (j09)
SIDE_BY_SIDE = {"en": "e03", "ja": "j09"}


def test_nbgrader_own_bookkeeping_and_a_fresh_sandbox_give_the_same_gradebook(graded, tmp_path):
    """The fixture graded with two workers sharing one SQLite gradebook, each opening it once and
    writing a submission's grades in one transaction, every submission in a child forked from the
    pre-imported zygote (the defaults). Graded again from an empty record with nbgrader's own
    bookkeeping (a new gradebook per step, a commit per cell) and a fresh sandbox each, as before
    both, the right, blank, odd-wrong and even-wrong submissions get the same scores and statuses,
    the same gradebook rows (grades, comments, scores, timestamps) and the same grades.csv."""
    import shutil

    from helpers import forget_submissions, gradebook_rows

    lang, course, results = graded
    lesson_id = SIDE_BY_SIDE[lang] if SIDE_BY_SIDE[lang] in results else sorted(results)[0]
    copy = tmp_path / "course"
    shutil.copytree(course, copy, symlinks=True)
    config = copy / "nbgrader_config.py"  # the only file that names the folder
    config.write_text(config.read_text(encoding="utf-8").replace(str(course), str(copy)),
                      encoding="utf-8")
    forget_submissions(f"sqlite:///{copy / 'gradebook.db'}", lesson_id)
    (copy / "grades.csv").unlink()
    before = Options(fork=False, batch_gradebook=False, regrade=True)
    with GradingPool(copy, 2, before) as pool:
        again = grade_lesson(lesson_id, copy, log=lambda *a: None, options=before, pool=pool)
    forked = results[lesson_id][1]
    assert {r.student: (r.score, r.status) for r in again} == \
        {s: (r.score, r.status) for s, r in forked.items()}, lesson_id
    theirs = gradebook_rows(f"sqlite:///{copy / 'gradebook.db'}", lesson_id)
    assert sum(1 for key, row in theirs.items() if key[0] == "grade"
               and row["auto_score"] is not None) >= len(forked)  # a real record to compare
    assert gradebook_rows(f"sqlite:///{course / 'gradebook.db'}", lesson_id) == theirs

    def csv_lines(folder):
        lines = (folder / "grades.csv").read_text(encoding="utf-8").splitlines()
        return [line for line in lines[1:] if f",{lesson_id}," in line]
    assert csv_lines(course) == csv_lines(copy) != []


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
def test_every_exercise_rejects_a_wrong_answer(graded, lesson_id):
    """wrong-odd loses exactly the points of the odd exercises, wrong-even of the even ones: so
    every test cell rejected its wrong answer and no other test cell was upset by it."""
    lang, _course, results = graded
    teacher, rows = results[lesson_id]
    points = autograded_points(teacher)
    full = sum(points.values())
    wrongs = wrong_answers(lesson_id)
    assert set(wrongs) == {gid[:-len("-check")] for gid in points}, "a wrong answer per exercise"
    for name, answers in wrong_submissions(lesson_id, answer_cells(teacher), lang).items():
        wrong = [gid for gid in wrongs if answers[gid] != answer_cells(teacher)[gid]]
        assert wrong
        lost = sum(points[f"{gid}-check"] for gid in wrong)
        assert rows[name].status == "ok", (name, rows[name].status)
        assert rows[name].score == full - lost, (name, wrong)


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
    assert api.generate_feedback(lesson_id, "wrong-odd")["success"]
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


def ime_answers(teacher, right: dict) -> dict:
    """The right answers as a child types them with the IME on (code answers only)."""
    code = {c.metadata.nbgrader["grade_id"] for c in teacher.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}
    typed = {gid: ime_typed(text) if gid in code else text for gid, text in right.items()}
    assert all(typed[gid] != right[gid] and not typed[gid].isascii() for gid in code)
    return typed


@pytest.mark.parametrize("lesson_id", IME_LESSONS)
def test_answers_typed_with_the_ime_on_get_every_point(graded, lesson_id):
    _lang, _course, results = graded
    teacher, rows = results[lesson_id]
    assert rows["ime"].status == "ok"
    assert rows["ime"].score == sum(autograded_points(teacher).values())



def test_rubrics_show_where_the_teacher_grades_and_never_to_students(graded):
    """A written answer's rubric is in the graded notebook the Formgrader shows, right after the
    student's answer; the student version and the feedback never carry it."""
    from autograder.build.lessonrules import is_rubric_cell, rubric_rows

    _lang, course, results = graded
    seen = 0
    for lesson_id, (teacher, _rows) in results.items():
        if lesson_id not in LESSONS:  # an IME-only lesson (MANABU_TEST_LESSONS left it out): no blank submission
            continue
        for rubric in (c for c in teacher.cells if is_rubric_cell(c)):
            texts = [text[:30] for _points, what, sample in rubric_rows(rubric) for text in (what, sample)]
            notebook = f"{lesson_id}.ipynb"
            graded_nb = nbformat.read(course / "autograded" / "blank" / lesson_id / notebook, as_version=4)
            gid = rubric.metadata.nbgrader["grade_id"]
            index = next(i for i, c in enumerate(graded_nb.cells)
                         if c.metadata.get("nbgrader", {}).get("grade_id") == gid)
            assert graded_nb.cells[index - 1].metadata.nbgrader["grade_id"] == gid[:-len("-rubric")]
            assert texts and all(text in graded_nb.cells[index].source for text in texts)
            for path in (course / "release" / lesson_id / notebook,
                         course / "feedback" / "blank" / lesson_id / f"{lesson_id}.html"):
                shown = visible_text(path)
                assert [text for text in texts if text in shown] == [], path
            seen += 1
    assert seen >= len(LESSONS)  # every lesson has a written answer, so a rubric
