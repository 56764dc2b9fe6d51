"""観点別 results: every graded cell names its 観点 (en = ja), the build keeps it, and the class
report and its CSV give each student A/B/C per 観点 from the real gradebook, leaving out written
answers the teacher has not graded yet."""

from __future__ import annotations

import csv
import io

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import built_once, copy_course, lesson_ids
from helpers import wrong_answers

from autograder.build.lessonfile import check_kanten, graded_cells, read_notebook
from autograder.build.nbconfig import nbgrader_api
from autograder.cli import main
from autograder.grading.submissions import answer_cells, fill_answers, read_versions, submit
from autograder.paths import CourseError
from autograder.report.kanten import KANTEN, Thresholds, cell_kanten, thresholds
from course.catalog import LessonError, lesson_folders, read_entry

LESSONS = lesson_ids()


def notebook(lesson_id: str, lang: str):
    return read_notebook(read_entry(lesson_folders()[lesson_id], lang))


def graded_kanten(nb) -> list[tuple[str, str | None]]:
    return [(c.metadata.nbgrader["grade_id"], cell_kanten(c)) for c in graded_cells(nb)
            if c.metadata.nbgrader.get("grade")]


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_every_graded_cell_has_a_kanten_and_both_languages_agree(lesson_id):
    en, ja = graded_kanten(notebook(lesson_id, "en")), graded_kanten(notebook(lesson_id, "ja"))
    assert en and all(kanten in KANTEN for _gid, kanten in en), en
    assert en == ja
    written = [c for c in graded_cells(notebook(lesson_id, "en"))
               if c.cell_type == "markdown" and c.metadata.nbgrader.get("grade")]
    assert written and all(cell_kanten(c) in ("thinking", "attitude") for c in written)


def test_every_kanten_is_used_across_the_course():
    used = {k for lesson in LESSONS for _gid, k in graded_kanten(notebook(lesson, "en"))}
    assert used == set(KANTEN)


def test_a_mistyped_kanten_is_refused():
    nb = notebook("e03", "en")
    next(c for c in graded_cells(nb) if c.metadata.nbgrader.get("grade")).metadata["manabu"] = {
        "kanten": "knowlege"}
    with pytest.raises(LessonError, match="knowlege"):
        check_kanten(nb, "e03/en.md")


def test_thresholds_are_the_teachers():
    limits = Thresholds()
    assert [limits.letter(p) for p in (100, 80, 79.9, 50, 49.9, 0)] == ["A", "A", "B", "B", "C", "C"]
    assert Thresholds(70, 40).letter(75) == "A"


# -- through a real gradebook -------------------------------------------------------------------

LESSON = "e01"  # ex2, ex3, ex4: knowledge; ex1, ex5, ex6: thinking; reflect (2): attitude
CLASS = {"aoi": [], "haruto": ["e01-ex3"], "yui": ["e01-ex2", "e01-ex3"], "sota": None}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A Japanese course with e01 autograded for four students by nbgrader, the written answer
    not graded by the teacher yet, and a fifth student who submitted nothing."""
    course = copy_course(built_once(tmp_path_factory, f"{LESSON}-ja", "ja", [LESSON]),
                         tmp_path_factory.mktemp("kanten") / "course")
    teacher, student_nb = read_versions(course, LESSON)
    right, wrongs = answer_cells(teacher), wrong_answers(LESSON)
    right["e01-reflect"] = "センサーでボールを見て、ゴールを決めるロボットです。"
    api = nbgrader_api(course)
    rows = []
    for name, wrong in CLASS.items():
        answers = {} if wrong is None else {**right, **{gid: wrongs[gid][0] for gid in wrong}}
        submit(course, name, LESSON, nbformat.writes(fill_answers(student_nb, answers)))
        assert api.autograde(LESSON, name, force=True, create=True)["success"], name
        with api.gradebook as gb:
            sub = gb.find_submission(LESSON, name)
            rows.append(f"{name},{LESSON},{sub.score},{sub.max_score},ok,"
                        f"{'yes' if sub.needs_manual_grade else 'no'},no")
    rows.append(f"riku,{LESSON},0,8,missing: {LESSON}.ipynb was not submitted,no,no")
    (course / "grades.csv").write_text(
        "student,lesson,score,max_score,status,needs_manual,late\n" + "\n".join(rows) + "\n",
        encoding="utf-8")
    return course


def kanten_rows(path) -> dict[str, list[str]]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")  # Excel reads Japanese UTF-8 with a BOM
    table = list(csv.reader(io.StringIO(text[1:])))
    return {row[0]: row for row in table}


def test_kanten_csv_from_the_gradebook_leaves_ungraded_answers_out(graded, tmp_path):
    out = tmp_path / "kanten.csv"
    assert main(["report", "--course", str(graded), "--kanten-csv", str(out)]) == 0
    rows = kanten_rows(out)
    assert rows["生徒"][:8] == ["生徒", "氏名", "知識・技能", "知識・技能（%）", "思考・判断・表現",
                              "思考・判断・表現（%）", "主体的に学習に取り組む態度",
                              "主体的に学習に取り組む態度（%）"]
    # knowledge: ex2 + ex3 + ex4 = 3 points; thinking: ex1 + ex5 + ex6 = 3 points
    assert rows["aoi"][2:8] == ["A", "100", "A", "100", "–", "–"]   # reflection not graded yet
    assert rows["haruto"][2:4] == ["B", "67"]
    assert rows["yui"][2:6] == ["C", "33", "A", "100"]
    assert rows["aoi"][8] == "e01-reflect"                          # marked, not counted as 0
    assert rows["sota"][2:8] == ["C", "0", "C", "0", "C", "0"]      # blank: nbgrader gives 0
    assert rows["riku"][2:8] == ["–"] * 6 and rows["riku"][9] == LESSON


def test_the_teachers_score_for_a_written_answer_counts(graded, tmp_path):
    api = nbgrader_api(graded)
    with api.gradebook as gb:
        grade = gb.find_grade("e01-reflect", LESSON, LESSON, "aoi")
        grade.manual_score = 1.0
        gb.db.commit()
    out = tmp_path / "kanten.csv"
    try:
        assert main(["report", "--course", str(graded), "--kanten-csv", str(out),
                     "--kanten-a", "65", "--kanten-b", "40"]) == 0
    finally:
        with api.gradebook as gb:
            gb.find_grade("e01-reflect", LESSON, LESSON, "aoi").manual_score = None
            gb.db.commit()
    rows = kanten_rows(out)
    assert rows["aoi"][6:9] == ["B", "50", ""]
    assert rows["haruto"][2:4] == ["A", "67"]  # 67 % is an A from 65 %


def test_thresholds_from_the_course_config(graded):
    config = graded / "nbgrader_config.py"
    before = config.read_text(encoding="utf-8")
    try:
        config.write_text(before + "c.Manabu.kanten_a = 90\nc.Manabu.kanten_b = 30\n", encoding="utf-8")
        assert thresholds(graded) == Thresholds(90, 30)
        assert thresholds(graded, a=85) == Thresholds(85, 30)
        with pytest.raises(CourseError, match="0 <= B <= A <= 100"):
            thresholds(graded, a=20)
    finally:
        config.write_text(before, encoding="utf-8")


def test_class_report_has_the_kanten_table_in_the_course_language(graded):
    assert main(["report", "--course", str(graded)]) == 0
    page = BeautifulSoup((graded / "reports" / "class-report.html").read_text(encoding="utf-8"),
                         "html.parser")
    section = page.find(id="kanten")
    assert "観点別の評価" in section.h2.text
    headers = [th.text for th in section.find_all("th")]
    assert headers[1:4] == ["知識・技能", "思考・判断・表現", "主体的に学習に取り組む態度"]
    cells = {tr.td.text.split()[0]: [td.text for td in tr.find_all("td")]
             for tr in section.find_all("tr")[1:]}
    assert cells["yui"][1] == "C (33%)" and cells["aoi"][3] == "–"
    assert "* e01 " in cells["aoi"][4] and "考えて書こう" in cells["aoi"][4]  # the lesson's heading
    assert "80" in section.text and "50" in section.text  # the thresholds are said
    assert (graded / "reports" / "kanten.csv").exists()


def test_the_build_keeps_the_kanten(graded):
    source = nbformat.read(graded / "source" / LESSON / f"{LESSON}.ipynb", as_version=4)
    assert source.metadata.manabu.kanten["e01-reflect"] == "attitude"
    assert dict(graded_kanten(source))["e01-ex5-check"] == "thinking"
