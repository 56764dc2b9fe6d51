"""Feedback made before the teacher has read the written answers: "your teacher will read this"
in the course language, never a zero for them (through real nbgrader, as `manabu grade` and the
Formgrader make it)."""

from __future__ import annotations

import re

import nbformat
import pytest
from conftest import built_once, copy_course
from helpers import outside_fetches, visible_text

from autograder.build.nbconfig import load_config, nbgrader_api
from autograder.grading.grade import grade_lesson
from autograder.grading.submissions import answer_cells, fill_answers, read_versions, submit

LESSON, WRITTEN = "e03", "e03-reflect"  # its written reflection is worth 2 points
WORDS = {"en": ("Your teacher will read this.", "Score so far", "Score: 2 / 2"),
         "ja": ("先生が読んでくれます。", "今の点数", "点数: 2 / 2")}
ZERO_OF_TWO = re.compile(r"(?<![\d.])0(\.0+)? / 2(\.0+)?(?![\d.])")


@pytest.fixture(scope="module", params=["en", "ja"])
def graded(request, tmp_path_factory):
    """e03 built in one language; one student answered everything, the teacher read nothing."""
    lang = request.param
    course = copy_course(built_once(tmp_path_factory, f"{LESSON}-{lang}", lang, [LESSON]),
                         tmp_path_factory.mktemp(f"feedback-{lang}") / "course")
    teacher, student = read_versions(course, LESSON)
    submit(course, "aoi", LESSON, nbformat.writes(fill_answers(student, answer_cells(teacher))))
    [row] = grade_lesson(LESSON, course, log=lambda *a: None, workers=1)
    assert row.status == "ok" and row.needs_manual
    return lang, course, row


def feedback(course) -> str:
    return visible_text(course / "feedback" / "aoi" / LESSON / f"{LESSON}.html")


def test_ungraded_written_answer_says_the_teacher_will_read_it(graded):
    lang, course, row = graded
    will_read, so_far, _graded = WORDS[lang]
    text = feedback(course)
    assert will_read in text
    assert not ZERO_OF_TWO.search(text), ZERO_OF_TWO.search(text)
    # the total counts only what was graded: the autograded points, all of them right
    assert f"{so_far}: {row.score:g} / {row.max_score - 2:g}" in text


def test_feedback_page_fetches_nothing_from_outside(graded):
    """No CDN MathJax, script, font or style (the browser test, test_offline_browser, watches
    the requests themselves)."""
    lang, course, _row = graded
    html = (course / "feedback" / "aoi" / LESSON / f"{LESSON}.html").read_text(encoding="utf-8")
    assert not outside_fetches(html), outside_fetches(html)
    # the page says its language (screen readers, and the school font for Japanese)
    assert f'<html lang="{lang}">' in html
    if lang == "ja":  # furigana in the lesson text survives the sanitizer and nbconvert
        assert "<ruby><strong>投票</strong><rt>とうひょう</rt></ruby>" in html
    # a Japanese page carries the school font (no CJK font needed on the child's device)
    assert ("data:font/ttf;base64," in html) == (lang == "ja")


def test_feedback_after_the_teacher_graded_shows_the_score(graded):
    lang, course, _row = graded
    will_read, _so_far, graded_words = WORDS[lang]
    api = nbgrader_api(course)
    set_manual_score(api, 2)
    try:
        assert api.generate_feedback(LESSON, "aoi", force=True)["success"]
        text = feedback(course)
        assert graded_words in text and will_read not in text
    finally:
        set_manual_score(api, None)  # as the other tests expect it


def set_manual_score(api, score: float | None) -> None:
    """What the Formgrader does when the teacher scores the written answer."""
    with api.gradebook as gb:
        gb.find_grade(WRITTEN, LESSON, LESSON, "aoi").manual_score = score
        gb.db.commit()


def test_nbgraders_own_feedback_would_show_a_zero(graded, tmp_path):
    """Proves the first test can fail: nbgrader's template scores the unread answer 0.0 / 2.0."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    _lang, course, _row = graded
    config = load_config(course)
    config.GenerateFeedback.preprocessors = ["nbgrader.preprocessors.GetGrades",
                                             "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]
    del config.HTMLExporter["extra_template_basedirs"]
    config.CourseDirectory.feedback_directory = str(tmp_path / "plain")
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    assert api.generate_feedback(LESSON, "aoi", force=True)["success"]
    plain = visible_text(next((tmp_path / "plain").rglob("*.html")))
    assert "Score: 0.0 / 2.0" in plain



def test_batched_feedback_is_the_per_student_page(graded, tmp_path):
    """`manabu grade` compiles the feedback templates once per worker; nbgrader's own path (a
    fresh HTMLExporter per student, the course config as it is) makes the same page, byte for
    byte. The batched pages are made twice, the second from templates compiled for the first."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from autograder.grading.grade import Options, configure

    _lang, course, _row = graded

    def page(folder: str, batched: bool) -> str:
        config = load_config(course)
        config.CourseDirectory.feedback_directory = str(tmp_path / folder)
        api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
        if batched:
            configure(api, Options())  # as a `manabu grade` worker is set up
        assert api.generate_feedback(LESSON, "aoi", force=True)["success"]
        return (tmp_path / folder / "aoi" / LESSON / f"{LESSON}.html").read_text(encoding="utf-8")

    per_student = page("per-student", batched=False)
    assert page("batched", batched=True) == per_student
    assert page("batched-again", batched=True) == per_student
