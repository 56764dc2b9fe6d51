"""The teacher kit of a lesson, built with it by ``manabu build`` into ``<course>/kit/<id>/``:
a worksheet (always), cut-out cards (when the lesson folder has ``cards.yaml``) and a one-page
letter to parents (when the lesson's front matter says ``kit: {parent_letter: true}`` in its
``manabu:`` block). Print-ready HTML: A4 ``@page`` rules and the school font BIZ UDPGothic,
copied beside the pages so they print the same offline.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.build.cards import read_deck
from autograder.build.guide import markdown_html
from autograder.build.worksheet import NOTE_LINES, WRITTEN_LINES, worksheet
from autograder.paths import write_atomic
from course.catalog import Lesson, split_front_matter
from course.i18n import translator
from course.style import FONTS_DIR as FONTS

KIT_DIR = "kit"
FONT_DIR = "fonts"
PAGES = {"worksheet": "worksheet.html", "cards": "cards.html", "letter": "letter.html"}
CARDS_PER_PAGE = 9  # 3 × 3 cards of 63 × 88 mm (playing-card size) on A4


def kit_options(lesson: Lesson) -> dict:
    """The ``kit:`` entry of the lesson's ``manabu:`` front matter ({} when it has none)."""
    meta, _body = split_front_matter(lesson.path.read_text(encoding="utf-8"), lesson.path)
    kit = (meta.get("manabu") or {}).get("kit")
    return kit if isinstance(kit, dict) else {}


def kit_pages(lesson: Lesson) -> list[str]:
    """Which kit pages the lesson has ("worksheet", "cards", "letter"), in that order."""
    pages = ["worksheet"]
    if (lesson.folder / "cards.yaml").exists():
        pages.append("cards")
    if kit_options(lesson).get("parent_letter"):
        pages.append("letter")
    return pages


def kit_links(lesson: Lesson, _, prefix: str = "") -> list[tuple[str, str]]:
    """(label, path under ``prefix``) of each kit page of the lesson, for the guide and start page."""
    labels = {"worksheet": _("worksheet"), "cards": _("cards"), "letter": _("letter to parents")}
    return [(labels[page], f"{prefix}{KIT_DIR}/{lesson.id}/{PAGES[page]}") for page in kit_pages(lesson)]


def grade_label(lesson: Lesson, _) -> str:
    """"grade 6", or in Japanese 小学6年生 / 中学3年生."""
    if lesson.band == "junior_high":
        return _("grade {grade} (junior high)").format(grade=lesson.grade, jh_grade=lesson.grade - 6)
    return _("grade {grade} (elementary)").format(grade=lesson.grade)


def worksheet_html(lesson: Lesson, nb) -> str:
    """The lesson's worksheet page (``templates/pages/worksheet.html.j2``)."""
    from autograder.templates import render

    _ = translator(lesson.lang)
    sections = [{"heading": s.heading, "notes": s.notes, "questions": s.questions,
                 "prose": [markdown_html(p) for p in s.prose]} for s in worksheet(nb)]
    return render("worksheet.html.j2", _, lesson=lesson, sections=sections, grade=grade_label(lesson, _),
                  font_dir=f"../{FONT_DIR}", note_lines=NOTE_LINES, written_lines=WRITTEN_LINES)


def cards_html(lesson: Lesson) -> str | None:
    """The lesson's cut-out cards (``templates/pages/cards.html.j2``), or None without a deck."""
    from autograder.templates import render

    deck = read_deck(lesson.folder, lesson.lang)
    if deck is None:
        return None
    _ = translator(lesson.lang)
    sheets = [deck.cards[i:i + CARDS_PER_PAGE] for i in range(0, len(deck.cards), CARDS_PER_PAGE)]
    return render("cards.html.j2", _, lesson=lesson, deck=deck, sheets=sheets, font_dir=f"../{FONT_DIR}")


def letter_html(lesson: Lesson, nb) -> str:
    """The one-page letter to parents (``templates/pages/letter.html.j2``): what the lesson does,
    what the child types and does not type, where the work is kept, whom to ask."""
    from autograder.templates import render

    _ = translator(lesson.lang)
    questions = [q for s in worksheet(nb) for q in s.questions]
    programs = [q for q in questions if q.kind == "code" and any(line.startswith("def ") for line in q.lines)]
    written = [q for q in questions if q.kind == "written"]
    # children type words into the lesson's AI only where it has the language explorer (e08, j07)
    types_words = any("course.widgets.language" in cell.source for cell in nb.cells
                      if cell.cell_type == "code")
    return render("letter.html.j2", _, lesson=lesson, grade=grade_label(lesson, _),
                  short=len(questions) - len(programs) - len(written), written=len(written),
                  code=len(programs), types_words=types_words, font_dir=f"../{FONT_DIR}")


def write_kit(course_dir: Path, lesson: Lesson, nb) -> list[Path]:
    """Write the lesson's kit pages into ``<course>/kit/<id>/`` (and the font beside them);
    ``nb`` is the lesson without its teacher notes. Returns the pages written."""
    kit = course_dir / KIT_DIR
    fonts = kit / FONT_DIR
    fonts.mkdir(parents=True, exist_ok=True)
    for font in [*FONTS.glob("BIZUDPGothic-*.ttf"), FONTS / "OFL.txt"]:
        if not (fonts / font.name).exists() or (fonts / font.name).stat().st_size != font.stat().st_size:
            shutil.copyfile(font, fonts / font.name)
    makers = {"worksheet": lambda: worksheet_html(lesson, nb), "cards": lambda: cards_html(lesson),
              "letter": lambda: letter_html(lesson, nb)}
    written = []
    for page in kit_pages(lesson):
        path = kit / lesson.id / PAGES[page]
        write_atomic(path, makers[page]())
        written.append(path)
    return written
