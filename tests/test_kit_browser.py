"""The teacher kit printed: every kit page of every lesson, in English and Japanese, opened in
Debian Chromium and printed to PDF (one browser, one page, all printouts in one test). The parent
letter is one A4 page, a worksheet fits in a few, cards tile 3 × 3 on A4 after the page that says
how to play, nothing is cut off, the text is drawn in the school font served beside the pages
(every kana and kanji of a Japanese page is in it), and axe-core finds nothing critical or
serious. axe runs on e08's three pages and j07's worksheet (code answers), in both languages:
the other pages come from the same templates, and the lesson text in them is scanned in the
lesson tests; axe is most of this test's time (1–2 s a page)."""

from __future__ import annotations

import math
import re
import time
from pathlib import Path

import pytest
from axe_helpers import axe_violations, describe

from autograder.build.kit import CARDS_PER_PAGE, FONTS, write_kit
from autograder.build.lessonfile import read_notebook, split_teacher_notes
from autograder.build.worksheet import worksheet
from course.catalog import load_catalog

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
MAX_WORKSHEET_PAGES = 4
A4_WIDTH_PX = 794  # 210 mm at 96 px per inch: print layout width
AXE_PAGES = {"e08": ("worksheet.html", "cards.html", "letter.html"), "j07": ("worksheet.html",)}
JAPANESE = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")  # emoji may come from another font

# What sticks out of its box: text wider than its element, or a card's text taller than the card.
CUT_OFF = """() => {
  const out = [];
  for (const el of document.querySelectorAll('main *')) {
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
      out.push(el.tagName + ': ' + el.textContent.slice(0, 60));
  }
  for (const card of document.querySelectorAll('.card'))
    if (card.scrollHeight > card.clientHeight + 1) out.push('card: ' + card.textContent.slice(0, 60));
  for (const el of document.querySelectorAll('main *'))
    if (el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      out.push('too wide ' + el.tagName + ': ' + el.textContent.slice(0, 60));
  return out;
}"""
FONT_LOADED = """async () => { await document.fonts.ready;
  return [...document.fonts].filter(f => f.family.replace(/"/g, '') === 'BIZ UDPGothic'
                                         && f.status === 'loaded').length; }"""


@pytest.fixture(scope="module")
def kits(tmp_path_factory) -> Path:
    """The kit of every lesson in both languages (written as `manabu build` writes it), and a
    check that each worksheet asks at least three things, one of them written."""
    root = tmp_path_factory.mktemp("kits")
    for lang in ("en", "ja"):
        for lesson in load_catalog(lang):
            nb = split_teacher_notes(read_notebook(lesson))[0]
            kinds = [q.kind for s in worksheet(nb) for q in s.questions]
            assert len(kinds) >= 3 and "written" in kinds, (lesson.id, lang, kinds)
            write_kit(root / lang, lesson, nb)
    return root


def pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF that Chromium wrote (each page object says /Type /Page)."""
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def font_characters() -> set[str]:
    from fontTools.ttLib import TTFont

    return {chr(code) for code in TTFont(FONTS / "BIZUDPGothic-Regular.ttf").getBestCmap()}


def test_every_kit_page_prints_on_a4_in_the_school_font_with_nothing_cut_off(browser, kits):
    pages = sorted(kits.glob("*/kit/*/*.html"))
    assert {p.parent.name for p in pages if p.name == "letter.html"} >= {"e08", "j07", "e11", "j13"}
    assert len(pages) >= 2 * 18 + 2 * 6 + 2 * 2
    glyphs, problems, started = font_characters(), [], time.time()
    page = browser.new_page(viewport={"width": A4_WIDTH_PX, "height": 1123})
    page.route("**/*", lambda route: route.abort()  # nothing may come from outside
               if route.request.url.startswith(("http:", "https:")) else route.continue_())
    try:
        page.emulate_media(media="print")
        for path in pages:
            name = str(path.relative_to(kits))
            page.goto(path.as_uri())
            if not page.evaluate(FONT_LOADED):
                problems.append(f"{name}: the school font did not load from {path.parent.parent / 'fonts'}")
            if name.startswith("ja/"):
                missing = set(JAPANESE.findall(page.inner_text("main"))) - glyphs
                if missing:
                    problems.append(f"{name}: not in the school font: {''.join(sorted(missing))}")
            problems += [f"{name}: cut off: {what}" for what in page.evaluate(CUT_OFF)[:3]]
            count = pdf_pages(page.pdf(prefer_css_page_size=True, print_background=True))
            if path.name == "letter.html" and count != 1:
                problems.append(f"{name}: the letter is {count} pages, not 1")
            elif path.name == "worksheet.html" and not 1 <= count <= MAX_WORKSHEET_PAGES:
                problems.append(f"{name}: the worksheet is {count} pages (at most {MAX_WORKSHEET_PAGES})")
            elif path.name == "cards.html":
                cards = page.locator(".card").count()
                if count != 1 + math.ceil(cards / CARDS_PER_PAGE):
                    problems.append(f"{name}: {cards} cards on {count} pages: they do not tile "
                                    f"{CARDS_PER_PAGE} to an A4 page after the how-to-play page")
            found = axe_violations(page) if path.name in AXE_PAGES.get(path.parent.name, ()) else []
            if found:
                problems.append(f"{name}: axe:\n{describe(found)}")
        if problems:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "kit-failure.png"), full_page=True)
    finally:
        page.close()
    assert not problems, "\n".join(problems)
    print(f"{len(pages)} kit pages printed in {time.time() - started:.1f} s")
