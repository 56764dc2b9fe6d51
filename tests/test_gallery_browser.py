"""Every widget in docs/gallery/ renders in a real JupyterLab with no widget error, and one
interaction per widget changes what it shows. Screenshots go to docs/images/."""

from __future__ import annotations

import json
import re
import time
import urllib.request
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
from browser_helpers import TOKEN, browser_page, open_and_run_all, running, wait_until_all_ran
from conftest import free_port

from autograder.lab import lab_command, lab_environment
from autograder.labpage import NEEDED, UNUSED

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parent.parent
GALLERY = sorted((REPO / "docs" / "gallery").glob("*.md"))
IMAGES = REPO / "docs" / "images"


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


@pytest.fixture(scope="module")
def gallery_lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("gallery")
    for md in GALLERY:
        jupytext.write(jupytext.read(md), root / f"{md.stem}.ipynb")
    nbformat.write(japanese_gallery(), root / "gallery-ja.ipynb")
    port = free_port()
    cmd = lab_command(root, port, open_browser=False)
    with running(cmd, port, tmp_path_factory.mktemp("gallery-log") / "lab.log",
                 env=lab_environment(root, "en")) as base:
        yield base


def inner_html(locator) -> str:
    return locator.evaluate("el => el.innerHTML")


def respond(page, item: dict) -> None:
    """Do a gallery item's action on its control; its output must change within 15 s."""
    root = page.locator(item["root"]).first
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


@pytest.mark.parametrize("md", GALLERY, ids=[p.stem for p in GALLERY])
def test_gallery_widgets_render_and_respond(gallery_lab, browser, md):
    items = interactions(md)
    assert items, f"{md.name} needs a 'gallery:' list in its front matter"
    with browser_page(browser, REPO / "build" / f"gallery-{md.stem}-failure.png", gallery_lab,
                   height=1100) as page:
        open_and_run_all(page, f"{gallery_lab}/lab/tree/{md.stem}.ipynb?reset&token={TOKEN}")
        for item in items:
            page.locator(item["root"]).first.wait_for(timeout=90_000)
        assert page.locator("text=Error displaying widget").count() == 0
        IMAGES.mkdir(parents=True, exist_ok=True)
        for number, item in enumerate(items, 1):
            respond(page, item)
            page.locator(item["root"]).first.screenshot(path=str(IMAGES / f"{md.stem}-{number}.png"))
        assert page.locator("text=Error displaying widget").count() == 0
        # every widget of the family, after a move or a click, for a screen reader and a keyboard
        found = axe_violations(page, NOTEBOOK_CONTENT)
        assert not found, f"{md.stem}: {count(found)} critical/serious axe findings:\n" + describe(found)
        assert keyboard_problems(page) == []


def test_gallery_widgets_in_japanese_pass_axe(gallery_lab, browser):
    """Every widget family at once, in Japanese, after its move or click: nothing critical or
    serious for axe, the keyboard checks (English: one family a page, above), and a slider's
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
        wait_until_all_ran(page)
        failed = [e for e in errors if re.search(r"failed to activate|No provider for", e, re.I)]
        assert not failed, failed
        for item in items:
            page.locator(item["root"]).first.wait_for(timeout=90_000)
        assert page.locator("text=Error displaying widget").count() == 0
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
        # keyboard only: Enter on a slider's handle edits its value, Enter or Escape goes back
        assert readout_edit_problems(page) == []


@pytest.mark.parametrize("md", GALLERY, ids=[p.stem for p in GALLERY])
def test_gallery_widgets_render_in_notebook_7(gallery_lab, browser, md):
    """The same widgets in Notebook 7's interface (rendering only: Notebook 7 moves the keyboard
    focus back to the notebook while it runs, so interactions are tested in JupyterLab)."""
    with browser_page(browser, REPO / "build" / f"gallery-{md.stem}-nb7-failure.png", gallery_lab,
                   height=1100) as page:
        open_and_run_all(page, f"{gallery_lab}/notebooks/{md.stem}.ipynb?token={TOKEN}")
        wait_until_all_ran(page)
        for item in interactions(md):
            page.locator(item["root"]).first.wait_for(state="attached", timeout=90_000)
        assert page.locator("text=Error displaying widget").count() == 0
