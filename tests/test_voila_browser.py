"""Voilà, as a teacher projects a gallery notebook or a lesson (code hidden, widgets live), in
Debian Chromium: each widget renders with no widget error and no Voilà error, and one real
interaction per widget changes what it shows. Screenshots go to docs/images/voila-*.png."""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

import jupytext
import pytest
from browser_helpers import browser_page, mouse_stroke, running
from conftest import VENV_BIN, free_port
from device_checks import SLIDER_LAYOUT

from course.catalogs import LOCALE_DIR, po_messages

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parent.parent
IMAGES = REPO / "docs" / "images"
FAILURES = REPO / "build" / "screenshots"
# what a widget that failed, a cell that raised, or a page that failed shows in Voilà
ERRORS = ("Error displaying widget", "There was an error when executing cell", "Execution error")


def voila_command(root: Path, port: int) -> list[str]:
    """The teacher's command (`voila FOLDER`), on a given port of 127.0.0.1 that fails loudly
    when taken, with no browser opened."""
    return [str(VENV_BIN / "voila"), str(root), "--no-browser", f"--Voila.port={port}",
            "--Voila.port_retries=0", "--Voila.ip=127.0.0.1"]


@contextmanager
def voila(root: Path, lang: str, log: Path):
    port = free_port()
    env = {**os.environ, "MANABU_LANG": lang}
    with running(voila_command(root, port), port, log, env=env, ready="/") as base:
        yield f"{base}/voila/render"


def gallery_folder(root: Path, names: list[str]) -> Path:
    for name in names:
        jupytext.write(jupytext.read(REPO / "docs" / "gallery" / f"{name}.md"), root / f"{name}.ipynb")
    return root


@pytest.fixture(scope="module")
def voila_en(tmp_path_factory):
    root = gallery_folder(tmp_path_factory.mktemp("voila-en"), ["drawing_pad", "fitting", "robot"])
    with voila(root, "en", tmp_path_factory.mktemp("voila-en-log") / "voila.log") as base:
        yield base


@pytest.fixture(scope="module")
def voila_ja(tmp_path_factory):
    """`MANABU_LANG=ja voila ...` on the robot gallery and on lesson e07 built in Japanese."""
    from autograder.build.builder import build_course

    root = gallery_folder(tmp_path_factory.mktemp("voila-ja"), ["robot"])
    build_course(root / "course", "ja", ["e07"], log=lambda *a: None)
    with voila(root, "ja", tmp_path_factory.mktemp("voila-ja-log") / "voila.log") as base:
        yield base


@contextmanager
def projected(browser, url: str, root: str, name: str):
    """Open a notebook in Voilà and wait for the widget ``root``; on failure keep a screenshot."""
    with browser_page(browser, FAILURES / f"voila-{name}-failure.png", full_page=True) as page:
        page.goto(url, timeout=90_000)  # Voilà runs the whole notebook before the page loads
        page.locator(root).first.wait_for(timeout=30_000)
        assert_no_errors(page)
        yield page
        assert_no_errors(page)


def assert_no_errors(page) -> None:
    text = page.locator("body").inner_text()
    shown = [error for error in ERRORS if error in text]
    assert not shown, f"Voilà shows {shown}"
    assert page.locator(".voila-error").count() == 0, "Voilà shows its error page"


def act_and_see_change(page, output, act) -> None:
    """Do ``act()`` and wait until ``output``'s HTML changes (a widget that ignores the event
    fails here)."""
    before = output.evaluate("el => el.innerHTML")
    act()
    page.wait_for_function("([el, before]) => el.innerHTML !== before",
                           arg=[output.element_handle(), before], timeout=15_000)


def test_drawing_pad_takes_a_real_stroke_in_voila(voila_en, browser):
    with projected(browser, f"{voila_en}/drawing_pad.ipynb", ".manabu-drawing-pad canvas",
                   "drawing-pad") as page:
        widget = page.locator(".manabu-draw-and-guess").first
        neighbors = widget.locator(".manabu-neighbors")
        neighbors.wait_for()
        assert "guess" in neighbors.inner_text().lower()  # "Draw a digit and I will guess it."
        mouse_stroke(page, widget.locator(".manabu-drawing-pad canvas"))
        guess = neighbors.locator(".manabu-guess")
        guess.wait_for(timeout=15_000)
        assert "1" in guess.inner_text()
        widget.screenshot(path=str(IMAGES / "voila-draw-and-guess.png"))


def test_line_fitter_slider_redraws_in_voila(voila_en, browser):
    with projected(browser, f"{voila_en}/fitting.ipynb", ".manabu-fitting-slope .noUi-handle",
                   "fitting") as page:
        widget = page.locator(".manabu-fitting").first
        handle = widget.locator(".manabu-fitting-slope .noUi-handle")
        act_and_see_change(page, widget.locator(".manabu-fitting-out"), lambda: handle.press("ArrowRight"))
        act_and_see_change(page, widget.locator(".manabu-fitting-out"),
                           lambda: widget.locator("button.manabu-fitting-step").click())


def test_robot_steps_in_voila(voila_en, browser):
    """The robot steps; its sliders keep their readouts beside their tracks on a projector's
    wide page (with a mouse: ipywidgets' fixed slider height once let a wrapped readout lie over
    the next slider, "Exploration rate" over "Learning rate")."""
    with projected(browser, f"{voila_en}/robot.ipynb", "button.manabu-robot-step", "robot") as page:
        widget = page.locator(".manabu-robot").first
        assert page.evaluate(SLIDER_LAYOUT, True) == []
        act_and_see_change(page, widget.locator(".manabu-robot-out"),
                           lambda: widget.locator("button.manabu-robot-step").click())
        assert "1" in widget.locator(".manabu-robot-out").inner_text()  # "Steps: 1"


def english_labels(family: str) -> list[str]:
    """The English labels of a widget family whose Japanese differs (whole words, no fields)."""
    catalog = po_messages((LOCALE_DIR / "ja" / f"{family}.po").read_text(encoding="utf-8"))
    return [en for en, ja in catalog.items()
            if ja and ja != en and "{" not in en and re.fullmatch(r"[A-Za-z][A-Za-z ()']{3,}", en)]


def test_robot_speaks_japanese_in_voila(voila_ja, browser):
    """MANABU_LANG=ja reaches the kernel Voilà starts: every label is Japanese."""
    with projected(browser, f"{voila_ja}/robot.ipynb", "button.manabu-robot-step", "robot-ja") as page:
        widget = page.locator(".manabu-robot").first
        step = widget.locator("button.manabu-robot-step")
        assert step.inner_text().strip() == "1回動かす"
        text = widget.inner_text()
        left = [label for label in english_labels("robot") if label in text]
        assert not left, f"English left in the Japanese robot: {left}"
        act_and_see_change(page, widget.locator(".manabu-robot-out"), step.click)
        # the school font: a Voilà page has no lab extension, so the widgets bring its @font-face,
        # and Voilà serves the file (no machine here has the font installed: it is the file)
        faces = page.evaluate("""async () => {
            await document.fonts.load('16px "BIZ UDPGothic"', 'ロボット').catch(() => null);
            return [...document.fonts].filter(f => f.family.replace(/"/g, '') === 'BIZ UDPGothic')
                .map(f => f.status); }""")
        assert faces, "no @font-face for the school font on a Japanese Voilà page"
        assert "loaded" in faces, f"the school font did not load on a Voilà page: {faces}"
        assert step.evaluate("e => getComputedStyle(e).fontFamily").startswith('"BIZ UDPGothic"')
        # but the buttons' icons keep their icon font (in a text font they were empty boxes)
        icon = step.locator("i.fa").evaluate("e => getComputedStyle(e).fontFamily")
        assert "Font Awesome" in icon, icon
        assert page.evaluate(SLIDER_LAYOUT, True) == []  # Japanese descriptions are longer
        widget.screenshot(path=str(IMAGES / "voila-robot-ja.png"))


def test_a_japanese_lesson_projects_in_voila(voila_ja, browser):
    """A teacher projects lesson e07's teacher version: every cell runs, every robot renders."""
    with projected(browser, f"{voila_ja}/course/source/e07/e07.ipynb", "button.manabu-robot-step",
                   "e07-ja") as page:
        robots = page.locator(".manabu-robot")
        robots.nth(3).wait_for(timeout=30_000)  # robot, planner, learner, practice
        first = robots.first
        act_and_see_change(page, first.locator(".manabu-robot-out"),
                           lambda: first.locator("button.manabu-robot-step").click())
