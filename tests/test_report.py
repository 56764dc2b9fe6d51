"""``manabu report``: a class report from a real nbgrader gradebook and a grades.csv with every
kind of status, in English and Japanese; read back as a teacher would (parsed HTML, a browser)."""

from __future__ import annotations

import base64
import csv
import re

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import built_once, copy_course
from helpers import wrong_answers

from autograder.build.nbconfig import nbgrader_api
from autograder.cli import main
from autograder.dev.prose import LATIN_OK
from autograder.gradescsv import parse_status
from autograder.grading.submissions import answer_cells, fill_answers, read_versions, submit

LESSON = "e01"  # quiz widgets only: the quickest lesson to grade
# student: (wrong exercises, status written to grades.csv); None = not run through nbgrader
CLASS = {
    "aoi": ([], "ok"),
    "haruto": (["e01-ex3"], "ok"),
    "yui": (["e01-ex1", "e01-ex3", "e01-ex4"], "ok"),                              # 3 of 8: below half
    "sota": (None, "ok"),                                                          # blank: 0
    "ren": ([], "flagged: test cell e01-ex2-check was edited; restored from the gradebook"),
    "kaito": (["e01-ex2"], "stopped: cell 7 ran past the 60 s limit; graded for what ran"),
    "mei": ("broken", "broken: not valid JSON; ask the student to submit again"),
    "riku": ("missing", "missing: e01.ipynb was not submitted"),
}
GRADED = ["aoi", "haruto", "yui", "sota", "ren", "kaito"]
NEED_HELP = {"yui", "sota", "ren", "kaito", "mei", "riku"}
HARDEST = {"en": "Exercise 3: two traffic lights", "ja": "問題3：2つのしんごう"}


def make_class(course, lang: str, built, students: dict = CLASS) -> None:
    """Copy ``built`` (``LESSON`` built in ``lang``) to ``course``, autograde the students with
    nbgrader (the gradebook is real), and write grades.csv with the statuses of ``students``."""
    copy_course(built, course)
    teacher, student_nb = read_versions(course, LESSON)
    right, wrongs = answer_cells(teacher), wrong_answers(LESSON)
    api = nbgrader_api(course)
    rows = []
    for name, (wrong, status) in students.items():
        score, max_score, manual = 0.0, 8.0, "no"
        if wrong != "missing":
            answers = ({**right, **{gid: wrongs[gid][0] for gid in wrong}}
                       if isinstance(wrong, list) else {})
            text = nbformat.writes(fill_answers(student_nb, answers))
            submit(course, name, LESSON, text[:-200] if wrong == "broken" else text)
        if isinstance(wrong, list) or wrong is None:
            assert api.autograde(LESSON, name, force=True, create=True)["success"], name
            with api.gradebook as gb:
                sub = gb.find_submission(LESSON, name)
                score, max_score = sub.score, sub.max_score
                manual = "yes" if sub.needs_manual_grade else "no"
        rows.append({"student": name, "lesson": LESSON, "score": score, "max_score": max_score,
                     "status": status, "needs_manual": manual})
    with (course / "grades.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module", params=["en", "ja"])
def report(request, tmp_path_factory):
    """(lang, course, parsed HTML, HTML path, terminal lines) of a graded class of eight."""
    lang = request.param
    course = tmp_path_factory.mktemp(f"report-{lang}") / "course"
    make_class(course, lang, built_once(tmp_path_factory, f"{LESSON}-{lang}", lang, [LESSON]))
    lines = []
    from autograder.report.class_report import make_report

    path = make_report(course, log=lines.append)
    return lang, course, BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser"), path, lines


def table_rows(section, heading_start: str) -> list[list[str]]:
    """The cells of the table under the h3 that starts with ``heading_start``."""
    h3 = next(h for h in section.find_all("h3") if h.get_text().startswith(heading_start))
    table = h3.find_next_sibling("table")
    return [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in table.find_all("tr")[1:]]


def test_gradebook_scores_are_real(report):
    """The fixture's class is graded by nbgrader as planned (6 autograded points of 8)."""
    _lang, course, _soup, _path, _lines = report
    with (course / "grades.csv").open(encoding="utf-8") as handle:
        scores = {r["student"]: float(r["score"]) for r in csv.DictReader(handle)}
    assert scores == {"aoi": 6, "haruto": 5, "yui": 3, "sota": 0, "ren": 6, "kaito": 5, "mei": 0,
                      "riku": 0}


def test_hardest_exercise_is_named_and_marked(report):
    lang, _course, soup, _path, _lines = report
    rows = table_rows(soup.section, "2.")
    assert [r[0] for r in rows][2].startswith(HARDEST[lang])  # names come from the lesson's headings
    hardest = soup.section.find_all("tr", class_="hardest")
    assert len(hardest) == 1 and HARDEST[lang] in hardest[0].get_text()
    assert "50% (3/6)" in hardest[0].get_text()  # only 3 of the 6 graded students got it right
    assert HARDEST[lang] in soup.section.find("h3", string=re.compile("^2")).find_next(
        "p", class_="next").get_text()  # and the teacher is told to go over it


def test_students_who_need_help_are_listed(report):
    _lang, _course, soup, _path, _lines = report
    listed = {r[0] for r in table_rows(soup.section, "3.")}
    assert listed == NEED_HELP


def test_flagged_and_problem_submissions_show_their_reasons(report):
    _lang, _course, soup, _path, _lines = report
    rows = {r[0]: r for r in table_rows(soup.section, "4.")}
    assert set(rows) == {"ren", "kaito", "mei", "riku"}
    for student, (_wrong, status) in CLASS.items():
        if status != "ok":
            assert status.split(": ", 1)[1] in rows[student][2], student
    assert rows["ren"][0:2] != rows["mei"][0:2]  # each kind has its own label


def test_plots_are_inline_png_and_the_page_is_self_contained(report):
    _lang, _course, soup, path, _lines = report
    images = soup.find_all("img")
    assert len(images) == 2  # score distribution, exercises
    for img in images:
        src = img["src"]
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
        assert img.get("alt")
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:|//|/)""", text)
    assert not soup.find_all(["script", "link"])


def test_japanese_report_has_no_english_left(report):
    """Everything but the data (names, the grader's reasons), commands and paths is Japanese;
    the same check finds the English of the English report, so it can fail."""
    lang, _course, soup, _path, _lines = report
    assert soup.html["lang"] == lang
    if lang == "ja":
        assert english_words(soup) == set()
    else:
        assert {"Score", "distribution", "Students", "Next"} <= english_words(soup)


def english_words(soup) -> set[str]:
    for code in soup.find_all(["code", "style", "title"]):
        code.decompose()
    data = " ".join([*CLASS, *(status for _w, status in CLASS.values())])
    # nbgrader's UI is English; "AI" and the like are Latin in Japanese text too (lesson titles)
    allowed = set(re.findall(r"[A-Za-z]{2,}", data)) | {"Formgrader"} | LATIN_OK
    return set(re.findall(r"[A-Za-z]{2,}", soup.get_text(" "))) - allowed


def test_terminal_summary_names_the_hardest_and_the_file(report):
    lang, _course, _soup, path, lines = report
    assert len(lines) == 4
    assert HARDEST[lang] in lines[1] and "50%" in lines[1] and "6" in lines[1]
    assert str(path) in lines[2] and path.name == "class-report.html"
    assert str(path.parent / "kanten.csv") in lines[3]  # 観点別 results (tests/test_kanten.py)
    assert path.parent.name == "reports"


def test_cli_lesson_and_out(report, tmp_path, capsys):
    _lang, course, _soup, _path, _lines = report
    out = tmp_path / "e01.html"
    assert main(["report", "--course", str(course), "--lesson", LESSON, "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    assert BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser").find("tr", class_="hardest")


def test_unknown_lesson_says_which_lessons_have_grades(report, capsys):
    lang, course, _soup, _path, _lines = report
    assert main(["report", "--course", str(course), "--lesson", "e02"]) == 2
    err = capsys.readouterr().err
    has = "it has: e01" if lang == "en" else "あるのは e01"  # in the course language
    assert "e02" in err and has in err and "manabu grade e02" in err


def test_without_grades_it_says_to_grade_first(tmp_path, capsys):
    """A course with no grades.csv, or an empty one: one line saying what to run, exit 2."""
    from autograder.build.nbconfig import write_config

    assert main(["report", "--course", str(tmp_path / "nowhere")]) == 2
    assert "manabu build" in capsys.readouterr().err
    write_config(tmp_path, "en")
    assert main(["report", "--course", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "No grades yet" in err and f"manabu grade LESSON --course {tmp_path}" in err
    (tmp_path / "grades.csv").write_text("student,lesson,score,max_score,status,needs_manual\n")
    assert main(["report", "--course", str(tmp_path)]) == 2
    assert "has no rows" in capsys.readouterr().err
    (tmp_path / "grades.csv").write_text("student,lesson,score\naoi,e01,3\n")
    assert main(["report", "--course", str(tmp_path)]) == 2
    assert "no column max_score, status, needs_manual" in capsys.readouterr().err
    (tmp_path / "grades.csv").write_text("student,lesson,score,max_score,status,needs_manual\n"
                                         "aoi,e01,three,8,ok,no\n")
    assert main(["report", "--course", str(tmp_path)]) == 2
    assert "line 2" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()


def test_without_a_gradebook_the_rest_of_the_report_still_comes(tmp_path):
    """grades.csv alone (say, copied from another machine), two lessons, odd names: no exercise
    rates and it says why; a section per lesson; names are shown as text, never as markup."""
    from autograder.build.nbconfig import write_config
    from autograder.report.class_report import make_report

    write_config(tmp_path, "en")
    (tmp_path / "grades.csv").write_text("student,lesson,score,max_score,status,needs_manual\n"
                                         "aoi,e01,6,8,ok,no\n<b>yui</b>,e01,2,8,ok,yes\n"
                                         "aoi,e02,0,5,missing: e02.ipynb was not submitted,no\n")
    soup = BeautifulSoup(make_report(tmp_path, log=lambda *a: None).read_text(encoding="utf-8"),
                         "html.parser")
    first, second = soup.find_all("section")
    assert "No gradebook at" in first.get_text() and "manabu grade e01" in first.get_text()
    assert len(first.find_all("img")) == 1  # the distribution; no exercise plot
    assert {r[0] for r in table_rows(first, "3.")} == {"<b>yui</b>"} and not soup.find("b", string="yui")
    assert "No submission of this lesson was graded" in second.get_text() and not second.find("img")
    assert [a["href"] for a in soup.nav.find_all("a")] == ["#lesson-e01", "#lesson-e02"]


def test_a_broken_gradebook_costs_only_the_exercise_rates(tmp_path):
    from autograder.build.nbconfig import write_config
    from autograder.report.class_report import make_report

    write_config(tmp_path, "en")
    (tmp_path / "grades.csv").write_text("student,lesson,score,max_score,status,needs_manual\n"
                                         "aoi,e01,6,8,ok,no\n")
    (tmp_path / "gradebook.db").write_bytes(b"this is not a database" * 100)
    text = make_report(tmp_path, log=lambda *a: None).read_text(encoding="utf-8")
    assert "Could not read the gradebook (" in text and "manabu grade e01" in text
    assert (tmp_path / "gradebook.db").read_bytes() == b"this is not a database" * 100


def test_hardest_is_the_lowest_share_ties_included_and_none_when_all_full():
    from autograder.report.class_report import Exercise, hardest

    a, b, c = Exercise("x-ex1-check", "1", 1, 3, 4), Exercise("x-ex2-check", "2", 1, 1, 4), \
        Exercise("x-ex3-check", "3", 1, 1, 4)
    assert hardest([a, b, c]) == [b, c]
    assert hardest([a, Exercise("x-ex4-check", "4", 1, 0, 0)]) == [a]  # nobody graded: no rate
    assert hardest([Exercise("x-ex1-check", "1", 1, 4, 4)]) == []


@pytest.mark.parametrize(("status", "kind", "reason"), [
    ("ok", "ok", ""),
    (" OK ", "ok", ""),
    ("flagged: restored test cell e01-ex2-check", "flagged", "restored test cell e01-ex2-check"),
    ("stopped: cell 4 ran past 60 s: graded for what ran", "stopped", "cell 4 ran past 60 s: graded for what ran"),
    ("broken notebook: not valid JSON", "broken", "not valid JSON"),   # the older wording
    ("grading failed: RuntimeError()", "failed", "RuntimeError()"),
    ("odd: something new", "other", "odd: something new"),
])
def test_status_kinds(status, kind, reason):
    assert parse_status(status) == (kind, reason)


def test_report_has_help(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--help"])
    assert exit_.value.code == 0 and "--lesson" in capsys.readouterr().out


@pytest.mark.browser
def test_report_reads_well_in_chromium(report, browser):
    """In a real browser every plot decodes, nothing spills sideways on a tablet-sized screen,
    and the English page becomes the README's screenshot."""
    from conftest import REPO

    lang, _course, _soup, path, _lines = report
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    try:
        page.goto(path.as_uri())
        sizes = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.complete, i.naturalWidth])")
        assert len(sizes) == 2 and all(done and width > 300 for done, width in sizes)
        shot = (REPO / "docs" / "images" / "report.png" if lang == "en"
                else REPO / "build" / "screenshots" / f"report-{lang}.png")
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        page.set_viewport_size({"width": 600, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= 600
    finally:
        page.close()
