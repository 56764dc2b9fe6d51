"""The teacher kit (autograder/build/kit.py): worksheets read from the lesson text, cards from
the lesson's data, the parent letter where a lesson asks for one, and the links to them. The
printouts themselves are opened in Chromium in test_kit_browser.py."""

from __future__ import annotations

import ast
import re
from functools import cache

import pytest

from autograder.build.kit import kit_links, kit_options, kit_pages, letter_html, worksheet_html
from autograder.build.lessonfile import read_notebook, split_teacher_notes
from autograder.build.worksheet import code_lines, paper_text, worksheet
from course.catalog import lesson_folders, load_catalog, read_entry

CARD_LESSONS = {"e03", "e04", "e05", "e08", "j06", "j07"}
LETTER_LESSONS = {"e08", "j07", "e11", "j13"}  # chatbots, privacy, generative AI


@cache
def lesson_nb(lesson_id: str, lang: str):
    lesson = read_entry(lesson_folders()[lesson_id], lang)
    return lesson, split_teacher_notes(read_notebook(lesson))[0]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_worksheet_asks_every_choice_question_of_the_lesson_with_its_options(lang):
    """Every MultipleChoice of e03 is on paper, word for word with its options; screen-only
    lines (run a cell, press Shift + Enter) are not."""
    lesson, nb = lesson_nb("e03", lang)
    calls = [node for cell in nb.cells if cell.cell_type == "code" and "MultipleChoice(" in cell.source
             for node in ast.walk(ast.parse(cell.source))
             if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "MultipleChoice"]
    questions = [q for s in worksheet(nb) for q in s.questions]
    choices = [(q.text, q.options) for q in questions if q.kind == "choice"]
    assert len(calls) >= 4
    assert choices == [(ast.literal_eval(c.args[0]), ast.literal_eval(c.args[1])) for c in calls]
    assert [q.kind for q in questions].count("written") == 1
    html = worksheet_html(lesson, nb)
    assert "Shift" not in html and "セル" not in html and " cell" not in html
    assert ("Name" if lang == "en" else "名前") in html


def test_a_code_answer_shows_what_to_fill_in_never_the_solution():
    lesson, nb = lesson_nb("j07", "en")
    code = [q for s in worksheet(nb) for q in s.questions if q.kind == "code"]
    assert code[0].lines[0] == "def bigram_counts(text):" and len(code[0].lines) >= 5
    assert "answer_cold = " in [line for q in code for line in q.lines]
    html = worksheet_html(lesson, nb)
    from html import unescape

    assert "setdefault" not in html and 'answer_cold = "a"' not in unescape(html)  # the solution
    assert code_lines("x = 1\n### BEGIN SOLUTION\nanswer = 3\n### END SOLUTION") == ["x = 1", "answer = "]


def test_paper_text_drops_what_only_a_screen_has():
    text = paper_text("A fish is 30 cm.\n\nRun the next cell.\n\n**Try this:**\n\n1. Move the slider.\n\n"
                      "![a fish](images/fish.png)")
    assert text == "A fish is 30 cm."


def test_cards_and_letters_are_where_the_lessons_ask_for_them():
    """Cards for the lessons with a cards.yaml, a parent letter for those whose front matter
    switches it on (new lessons add `kit: {parent_letter: true}`), a worksheet for all."""
    pages = {lesson.id: kit_pages(lesson) for lesson in load_catalog("en")}
    assert all(p[0] == "worksheet" for p in pages.values())
    assert CARD_LESSONS <= {i for i, p in pages.items() if "cards" in p}
    letters = {i for i, p in pages.items() if "letter" in p}
    assert LETTER_LESSONS <= letters
    assert all(kit_options(read_entry(lesson_folders()[i], "ja")).get("parent_letter") for i in letters)
    assert "letter" not in pages["e03"]


def test_cards_show_the_lessons_own_data():
    from autograder.build.cards import read_deck
    from course.data.fish import load_fish
    from course.digits import load_examples

    folders = lesson_folders()
    fish = read_deck(folders["e04"], "en").cards
    river = load_fish("train", "river")
    assert fish[0].lines[0] == f"length (cm): {river.column('length_cm')[0]:g}"
    assert fish[0].lines[-1] == f"→ {river.labels[0]}" and fish[-1].lines[-1] == "→ ?"
    digits = read_deck(folders["e03"], "ja").cards
    assert digits[0].picture == load_examples("train").images[0].astype(int).reshape(8, 8).tolist()
    assert digits[0].title == str(load_examples("train").labels[0]) and digits[-1].title == "?"
    words = read_deck(folders["e08"], "ja").cards
    assert [c.title for c in words[:2]] == ["ねこが", "ひなたで"]


POLITE_END = re.compile(r"(です|ます|ません|ください|でした|ました)。$")


@pytest.mark.parametrize("lesson_id", sorted(LETTER_LESSONS))
def test_the_japanese_parent_letter_is_polite_and_says_what_parents_need(lesson_id):
    lesson, nb = lesson_nb(lesson_id, "ja")
    html = letter_html(lesson, nb)
    text = re.sub(r"<[^>]+>", "\n", html)
    assert "保護者向けのお知らせ" in text and lesson.title in text
    for heading in ("授業の内容", "お子様が入力すること", "お子様が入力しないこと", "学習データの取り扱い",
                    "お問い合わせ"):
        assert heading in text
    assert "個人情報" in text and "学校のサーバー" in text and "担任" in text
    # words typed into the lesson's AI only where there is a language model to type into
    assert ("「ねこが」" in text) == (lesson_id in ("e08", "j07")), lesson_id
    # every sentence the letter itself says (not the lesson's objectives, quoted) ends politely
    objectives = set(lesson.objectives)
    sentences = [s.strip() + "。" for line in text.splitlines() if line.strip() not in objectives
                 for s in line.split("。")[:-1] if s.strip()]
    assert len(sentences) >= 8
    impolite = [s for s in sentences if not POLITE_END.search(s)]
    assert not impolite, impolite


def test_the_guide_and_the_start_page_link_the_kit(tmp_path):
    from autograder.build.guide import guide_html
    from autograder.build.startpage import write_start_page
    from course.i18n import translator

    lesson, nb = lesson_nb("e08", "ja")
    html = guide_html(lesson, nb, [])
    assert "授業キット" in html
    assert all(f"href='../kit/e08/{name}.html'" in html for name in ("worksheet", "cards", "letter"))
    (tmp_path / "release" / "e08").mkdir(parents=True)
    for _label, href in kit_links(lesson, translator("ja"))[:2]:  # a letter not written: no link
        (tmp_path / href).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / href).write_text("x")
    page = write_start_page(tmp_path, load_catalog("ja"), "ja").read_text(encoding="utf-8")
    assert "kit/e08/worksheet.html" in page and "kit/e08/cards.html" in page
    assert "kit/e08/letter.html" not in page


def test_furigana_in_the_lesson_text_stays_on_paper():
    """Printouts are HTML that keeps <ruby> (JupyterLab's sanitizer would drop it)."""
    from autograder.build.guide import markdown_html

    html = markdown_html(paper_text("<ruby>分類<rt>ぶんるい</rt></ruby>しよう。"))
    assert "<ruby>分類<rt>ぶんるい</rt></ruby>" in html
