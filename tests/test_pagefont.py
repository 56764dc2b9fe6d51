"""The school font in the pages Manabu writes (autograder/build/pagefont.py): a page carries it
cut to its own characters (the class report: here; the guide's CSS: test_lessons.py::
test_the_guide_shows_the_kanten_table_and_every_rubric; loaded in a browser:
test_offline_browser.py)."""

from __future__ import annotations

import base64
import io
import re

import pytest
from fontTools.ttLib import TTFont

from autograder.build.pagefont import embedded_font_css

TEXT = "先生が読んでくれます。今の点数: 2 / 2"


def test_embedded_font_draws_every_character_of_the_page():
    css = embedded_font_css(TEXT)
    assert css.startswith('@font-face{font-family:"BIZ UDPGothic"') and 'local("BIZ UDPGothic")' in css
    data = base64.b64decode(re.search(r"data:font/ttf;base64,([^\")]+)", css).group(1))
    assert len(data) < 60_000, len(data)  # only what the page needs, not the 1.4 MB font
    cmap = TTFont(io.BytesIO(data)).getBestCmap()
    assert [c for c in TEXT + "Score 0123456789" if ord(c) not in cmap] == []


def page_font_chars(html: str) -> tuple[set[str], set[int] | None]:
    """(characters a reader sees on ``html``, code points of the school font it carries or None)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    found = re.search(r"data:font/ttf;base64,([^\")]+)", " ".join(s.get_text() for s in soup("style")))
    for tag in soup(["style", "script"]):
        tag.decompose()
    text = set(soup.get_text()) | {c for img in soup("img") for c in img.get("alt", "")}
    if not found:
        return text, None
    return text, set(TTFont(io.BytesIO(base64.b64decode(found.group(1)))).getBestCmap())


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_class_report_carries_the_school_font_cut_to_its_page(lang, tmp_path):
    """A Japanese class report draws in BIZ UDPGothic without an installed Japanese font, offline:
    every character on it is in the font it carries. An English one carries none (plain sans)."""
    from autograder.gradescsv import Row
    from autograder.report.class_report import LessonReport
    from autograder.report.report_html import report_html

    rows = [Row("あおい", "e01", 0, 8, "missing", "e01.ipynb が出ていません", False)]
    html = report_html([LessonReport("e01", "AIってなに？", rows)], tmp_path, lang)
    text, cmap = page_font_chars(html)
    if lang == "en":
        assert cmap is None
        return
    assert cmap is not None, "the Japanese report carries no school font"
    assert any("\u3040" <= c <= "\u9fff" for c in text)  # kana and kanji: all must draw
    assert sorted(c for c in text if c.strip() and ord(c) not in cmap) == []
