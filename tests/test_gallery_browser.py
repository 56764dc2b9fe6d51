"""Every widget in docs/gallery/ renders in a real JupyterLab and in Notebook 7 with no widget
error, and one interaction per widget changes what it shows. Screenshots go to docs/images/.

All gallery pages share one notebook and one browser page per check (a page and a kernel per
gallery page cost a JupyterLab load and a kernel start each); each gallery page's code runs in a
namespace of its own, as in its own notebook, and each widget is found among its own page's cells."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from functools import cache
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml
from axe_helpers import (
    NOTEBOOK_CONTENT,
    axe_violations,
    count,
    describe,
    keyboard_problems,
    readout_edit_problems,
)
from browser_helpers import (
    TOKEN,
    browser_page,
    open_and_run_all,
    running,
    wait_until_all_ran,
    widget_errors,
)
from conftest import free_port
from device_checks import DROPDOWN_TEXT

from autograder.lab import lab_command, lab_environment
from autograder.labpage import NEEDED, UNUSED

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parent.parent
GALLERY = sorted((REPO / "docs" / "gallery").glob("*.md"))
IMAGES = REPO / "docs" / "images"
RUN_ALL_SECONDS = 240  # every gallery page's code, one after another, on a busy machine


def interactions(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---")[1]).get("gallery", [])


def japanese_gallery() -> nbformat.NotebookNode:
    """Every gallery widget in one notebook, in Japanese (the kernel's language is switched in
    its first cell, so the English server and browser serve it too)."""
    cells = [nbformat.v4.new_code_cell('import os\nos.environ["MANABU_LANG"] = "ja"')]
    for md in GALLERY:
        cells += [c for c in jupytext.read(md).cells if c.cell_type == "code"]
    return nbformat.v4.new_notebook(cells=cells, metadata=jupytext.read(GALLERY[0]).metadata)


@cache
def english_gallery() -> tuple[nbformat.NotebookNode, dict[str, tuple[int, int]]]:
    """Every gallery page, text and code, in one notebook, and the cells (start, end) each page
    takes in it. Each page starts with `%reset -f`: its code sees none of the pages before it,
    as in a notebook of its own (a page that forgot an import still fails)."""
    cells: list = []
    spans = {}
    for md in GALLERY:
        start = len(cells)
        cells += [nbformat.v4.new_code_cell("%reset -f"), *jupytext.read(md).cells]
        spans[md.stem] = (start, len(cells))
    return nbformat.v4.new_notebook(cells=cells, metadata=jupytext.read(GALLERY[0]).metadata), spans


@pytest.fixture(scope="module")
def gallery_lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("gallery")
    for name in ("gallery-en.ipynb", "gallery-en-nb7.ipynb"):  # one each: no autosave between them
        nbformat.write(english_gallery()[0], root / name)
    nbformat.write(japanese_gallery(), root / "gallery-ja.ipynb")
    port = free_port()
    cmd = lab_command(root, port, open_browser=False)
    with running(cmd, port, tmp_path_factory.mktemp("gallery-log") / "lab.log",
                 env=lab_environment(root, "en")) as base:
        yield base


CELLS = ".jp-Notebook .jp-Cell"
# the index of the first of the cells [start, end) that holds an element matching the selector
FIRST_CELL_WITH = """([cells, selector, start, end]) => {
    const at = [...document.querySelectorAll(cells)].slice(start, end)
        .findIndex(c => c.querySelector(selector));
    return at < 0 ? null : {cell: start + at};
}"""


def roots_in_english_gallery(page) -> dict[tuple[str, int], object]:
    """Each gallery item's widget in the English gallery page, by (gallery page, item number),
    found among its own gallery page's cells (waiting up to 90 s for it to be drawn)."""
    notebook, spans = english_gallery()
    cells = page.locator(CELLS)
    assert cells.count() == len(notebook.cells), "the page does not show every cell of the notebook"
    roots = {}
    for md in GALLERY:
        for number, item in enumerate(interactions(md), 1):
            found = page.wait_for_function(FIRST_CELL_WITH, arg=[CELLS, item["root"], *spans[md.stem]],
                                           timeout=90_000).json_value()
            roots[md.stem, number] = cells.nth(found["cell"]).locator(item["root"]).first
    return roots


def inner_html(locator) -> str:
    return locator.evaluate("el => el.innerHTML")


def respond(page, item: dict, root=None) -> None:
    """Do a gallery item's action on its control (inside ``root``, by default the page's first
    match of the item's root); its output must change within 15 s."""
    root = root or page.locator(item["root"]).first
    output = root.locator(item["output"]).first
    control = root.locator(item["control"]).first
    root.scroll_into_view_if_needed()
    before = inner_html(output)
    if item["action"] == "click":
        control.click()
    else:  # keys: the first on the control, the others on what then has the focus
        first, *others = item["action"].split()
        control.press(first)
        for key in others:
            page.keyboard.press(key)
    deadline = time.time() + 15
    while inner_html(output) == before and time.time() < deadline:
        page.wait_for_timeout(100)
    assert inner_html(output) != before, f"{item['root']}: {item['action']} changed nothing"


def test_gallery_widgets_render_and_respond(gallery_lab, browser):
    """Every gallery page in one JupyterLab page: its widgets render with no widget error, each
    item's interaction changes what its widget shows (a picture of it goes to docs/images/), and
    then axe and the keyboard checks pass on every widget family after its move or click."""
    for md in GALLERY:
        assert interactions(md), f"{md.name} needs a 'gallery:' list in its front matter"
    with browser_page(browser, REPO / "build" / "gallery-en-failure.png", gallery_lab,
                      height=1100) as page:
        open_and_run_all(page, f"{gallery_lab}/lab/tree/gallery-en.ipynb?reset&token={TOKEN}")
        wait_until_all_ran(page, RUN_ALL_SECONDS)  # a running notebook takes the focus from widgets
        roots = roots_in_english_gallery(page)
        assert widget_errors(page) == []
        IMAGES.mkdir(parents=True, exist_ok=True)
        for md in GALLERY:
            for number, item in enumerate(interactions(md), 1):
                respond(page, item, roots[md.stem, number])
                roots[md.stem, number].screenshot(path=str(IMAGES / f"{md.stem}-{number}.png"))
        assert widget_errors(page) == []
        # every widget of every family, after a move or a click, for a screen reader and a keyboard
        found = axe_violations(page, NOTEBOOK_CONTENT)
        assert not found, f"{count(found)} critical/serious axe findings:\n" + describe(found)
        assert keyboard_problems(page) == []


def test_gallery_widgets_in_japanese_pass_axe(gallery_lab, browser):
    """Every widget family at once, in Japanese, after its move or click: nothing critical or
    serious for axe, the keyboard checks (English: the test above), and a slider's
    value typed by keyboard alone."""
    items = [item for md in GALLERY for item in interactions(md)]
    # the page starts without the plugins no lesson uses (autograder.labpage), and every plugin
    # it starts comes up: one that needed a switched-off one would fail to activate
    with urllib.request.urlopen(f"{gallery_lab}/lab?token={TOKEN}", timeout=30) as response:
        config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>',
                                      response.read().decode(), re.S)[1])
    assert set(UNUSED) <= set(config["disabledExtensions"])
    assert not set(NEEDED) & set(config["disabledExtensions"])
    # ... and asks the server for no build check (the page config reaches JupyterLab's)
    assert config["buildCheck"] is False and config["buildAvailable"] is False
    with browser_page(browser, REPO / "build" / "gallery-ja-failure.png", gallery_lab, height=1100) as page:
        errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        open_and_run_all(page, f"{gallery_lab}/lab/tree/gallery-ja.ipynb?reset&token={TOKEN}")
        wait_until_all_ran(page, RUN_ALL_SECONDS)
        failed = [e for e in errors if re.search(r"failed to activate|No provider for", e, re.I)]
        assert not failed, failed
        for item in items:
            page.locator(item["root"]).first.wait_for(timeout=90_000)
        assert widget_errors(page) == []
        # the widgets speak Japanese (the switch in the first cell took)
        english = page.evaluate("""(roots) => roots.filter(r => {
            const e = document.querySelector(r);
            return !/[\\u3040-\\u30ff]/.test(e.innerText); })""", [item["root"] for item in items])
        assert not english, f"widgets without Japanese: {english}"
        for item in items:
            respond(page, item)
        found = axe_violations(page, NOTEBOOK_CONTENT)
        assert not found, f"{count(found)} critical/serious axe findings in Japanese:\n" + describe(found)
        assert keyboard_problems(page) == []
        # every choice of every drop-down shows whole (Japanese choices are the longer ones)
        assert page.evaluate(DROPDOWN_TEXT) == []
        # keyboard only: Enter on a slider's handle edits its value, Enter or Escape goes back
        assert readout_edit_problems(page) == []


def test_gallery_widgets_render_in_notebook_7(gallery_lab, browser):
    """The same gallery notebook in Notebook 7's interface: every cell runs and every widget is
    drawn with no widget error (rendering only: Notebook 7 moves the keyboard focus back to the
    notebook while it runs, so interactions are tested in JupyterLab)."""
    with browser_page(browser, REPO / "build" / "gallery-nb7-failure.png", gallery_lab,
                      height=1100) as page:
        open_and_run_all(page, f"{gallery_lab}/notebooks/gallery-en-nb7.ipynb?token={TOKEN}")
        wait_until_all_ran(page, RUN_ALL_SECONDS)
        roots_in_english_gallery(page)  # each item's widget, among its own gallery page's cells
        assert widget_errors(page) == []
