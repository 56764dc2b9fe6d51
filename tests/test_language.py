"""What a student reads: English reading level, Japanese kanji for the grade, no leftover language."""

from __future__ import annotations

import re

import nbformat
import pytest
from conftest import lesson_ids

from autograder.build.lessonfile import read_notebook
from autograder.dev.prose import (
    english_left,
    fk_grade,
    japanese_left,
    kanji_problems,
    student_texts,
)
from course.catalog import lesson_folders, read_entry

LESSONS = lesson_ids()
FK_LIMIT = {"elementary": 6.0, "junior_high": 9.0}


def lesson(lesson_id, lang):
    return read_notebook(read_entry(lesson_folders()[lesson_id], lang))


def tiny(markdown: str, code: str = "", band="elementary", grade=4):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(markdown)]
    if code:
        nb.cells.append(nbformat.v4.new_code_cell(code))
    nb.metadata["manabu"] = {"title": "", "objectives": [], "band": band, "grade": grade}
    return nb


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_english_reading_level(lesson_id):
    nb = lesson(lesson_id, "en")
    band = nb.metadata.manabu["band"]
    assert fk_grade(nb) <= FK_LIMIT[band]


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_japanese_uses_only_kanji_taught_by_the_target_grade(lesson_id):
    nb = lesson(lesson_id, "ja")
    meta = nb.metadata.manabu
    problems = kanji_problems(nb, meta["band"], meta["grade"])
    assert not problems, "\n".join(problems)


def off_register(nb) -> list[str]:
    """Japanese prose that leaves the lessons' voice: the formal 〜ましょう (the lessons ask with
    〜しよう) and 「パイソン」 (the lessons write Python). Check messages in code are not read here."""
    return [f"{where}: {match.group()}" for where, text in student_texts(nb, strings=False)
            for match in re.finditer(r"\S{0,6}(ましょう|パイソン)", text)]


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_japanese_prose_speaks_in_one_voice(lesson_id):
    assert off_register(lesson(lesson_id, "ja")) == []


def test_register_check_finds_the_formal_voice():
    assert off_register(tiny("次のセルを実行しましょう。")) == ["cell 1: セルを実行しましょう"]
    assert off_register(tiny("パイソンの関数を書こう。")) != []
    assert off_register(tiny("次のセルを実行しよう。", 'check(x, "書きましょう")')) == []


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_no_language_left_over(lesson_id):
    assert english_left(lesson(lesson_id, "ja")) == []
    assert japanese_left(lesson(lesson_id, "en")) == []


def test_kanji_check_names_the_kanji_and_accepts_a_reading():
    bad = tiny("動物を分類しよう。")  # 類 is taught in grade 4, 物 in 3: fine for grade 4
    assert kanji_problems(bad, "elementary", 4) == []
    problems = kanji_problems(bad, "elementary", 3)
    assert len(problems) == 1 and "類" in problems[0] and "cell 1" in problems[0]
    assert kanji_problems(tiny("動物を分類（ぶんるい）しよう。"), "elementary", 3) == []
    # furigana as ruby counts as read, with or without <rp> brackets; a bare <rt> elsewhere does not
    for ruby in ("<ruby>分類<rt>ぶんるい</rt></ruby>", "<ruby>分<rt>ぶん</rt>類<rt>るい</rt></ruby>",
                 "<ruby>**分類**<rt>ぶんるい</rt></ruby>",
                 "<ruby>分類<rp>（</rp><rt>ぶんるい</rt><rp>）</rp></ruby>"):
        assert kanji_problems(tiny(f"動物を{ruby}しよう。"), "elementary", 3) == [], ruby
    assert kanji_problems(tiny("<ruby>動物<rt>どうぶつ</rt></ruby>を分類しよう。"), "elementary", 3)
    assert kanji_problems(tiny("<ruby>分類</ruby>しよう。"), "elementary", 3)
    in_code = tiny("はじめよう", 'check(x, "正解を選ぼう")')
    assert any("選" in p for p in kanji_problems(in_code, "elementary", 3))
    assert kanji_problems(tiny("薔薇がさく"), "junior_high", 7)  # outside the 常用漢字 list
    assert kanji_problems(tiny("薔薇（ばら）がさく"), "junior_high", 7) == []


def test_english_and_japanese_leftovers_are_found():
    assert english_left(tiny("ボタン Clear をおそう。`answer = 3` と書こう。")) == ["cell 1: Clear"]
    assert english_left(tiny("`Shift` + `Enter` をおそう。AI のしくみ。")) == []
    assert japanese_left(tiny("Press the 「けす」 button.")) != []


def test_reading_level_rises_with_hard_prose():
    easy = tiny("The cat sat on the mat. It is a big cat. We like the cat.")
    hard = tiny("Contemporary computational methodologies systematically approximate "
                "multidimensional probability distributions, notwithstanding considerable "
                "uncertainty regarding generalisation characteristics.")
    assert fk_grade(easy) <= 6.0 < fk_grade(hard)


def test_readings_become_ruby_only_in_the_prose_a_student_reads():
    from autograder.dev.ruby import to_ruby

    lesson = "\n".join([
        "---", "manabu:", "  title: 決定木（けっていぎ）ゲーム", "---", "",
        "# 決定木（けっていぎ）ゲーム", "",
        "```{code-cell} ipython3", 'print("湖（みずうみ）")', "```", "",
        '+++ {"tags": ["teacher"]}', "", "漁師（りょうし）に聞く。", "",
        "+++", "", "[//]: # (### BEGIN HIDDEN TESTS)", "| 2 | 温度（おんど） |",
        "[//]: # (### END HIDDEN TESTS)", "これが**決定木（けっていぎ）**です。",
        "今日は湖（みずうみ）に行きます。"])
    out = to_ruby(lesson).split("\n")
    assert out[2] == "  title: 決定木（けっていぎ）ゲーム"          # front matter: plain text
    assert out[5] == "# <ruby>決定木<rt>けっていぎ</rt></ruby>ゲーム"
    assert out[8] == 'print("湖（みずうみ）")'                       # code
    assert out[13] == "漁師（りょうし）に聞く。"                      # teacher notes
    assert out[18] == "| 2 | 温度（おんど） |"                        # a rubric
    assert out[-2] == "これが<ruby>**決定木**<rt>けっていぎ</rt></ruby>です。"  # bold inside
    assert out[-1] == "今日は<ruby>湖<rt>みずうみ</rt></ruby>に行きます。"
