"""A lesson's table of contents lists the lesson's own headings, not headings inside outputs
(autograder.lab.LAB_SETTINGS: the ToC's ``includeOutput`` off). With outputs included, JupyterLab
cleaned every HTML output of a code cell with its sanitizer again each time the cell got one
more output, as "run all" drew a lesson.

One JupyterLab with the course's settings; a notebook with a heading in a markdown cell and
headings in a code cell's HTML outputs, run, its table of contents read: with Manabu's settings,
and, as a check that the test sees output headings when they are listed, with JupyterLab's
default put back in the course's user settings."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from browser_helpers import (
    TOKEN,
    browser_page,
    clear_and_run_all,
    running,
    shutdown_kernels,
    write_notebook,
)
from conftest import free_port

from autograder.dev.labserver import forget_workspace
from autograder.lab import lab_command, lab_environment

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "build" / "test-screenshots"
OUTPUT_HEADINGS = 3
# the table of contents' entries, once it lists the notebook's (its panel open)
ENTRIES = ".jp-TableOfContents-content .jp-tocItem-content"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    course = tmp_path_factory.mktemp("toc-course")
    env = lab_environment(course, "en")
    write_notebook(course / "toc.ipynb", [
        nbformat.v4.new_markdown_cell("# Lesson heading\n\nSome text."),
        nbformat.v4.new_code_cell("from IPython.display import HTML, display\n"
                                  f"for i in range({OUTPUT_HEADINGS}):\n"
                                  "    display(HTML(f'<h2>Output heading {i}</h2><p>text</p>'))")])
    setting = (Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "toc-extension"
               / "registry.jupyterlab-settings")
    port = free_port()
    with running(lab_command(course, port, open_browser=False), port,
                 tmp_path_factory.mktemp("toc-log") / "lab.log", env=env) as base:
        yield base, setting


def toc_entries(browser, base: str) -> list[str]:
    """Open the notebook on a first visit, run it, open the table of contents: its entries."""
    url = f"{base}/lab/tree/toc.ipynb?token={TOKEN}"
    forget_workspace(base, TOKEN)
    with browser_page(browser, SHOTS / "toc-failure.png", base) as page:
        page.goto(url)
        clear_and_run_all(page, url)
        page.wait_for_function(f"() => document.querySelectorAll('.jp-OutputArea-output h2').length"
                               f" >= {OUTPUT_HEADINGS}", timeout=60_000)
        page.locator(".jp-SideBar [data-id='table-of-contents']").click()
        page.wait_for_function(f"() => [...document.querySelectorAll('{ENTRIES}')]"
                               ".some(e => e.textContent.includes('Lesson heading'))", timeout=30_000)
        page.wait_for_timeout(1500)  # the table of contents updates after outputs change
        entries = [text.strip() for text in page.locator(ENTRIES).all_inner_texts()]
    shutdown_kernels(base)
    return entries


def test_the_table_of_contents_lists_the_lessons_headings_not_its_outputs(lab, browser):
    base, setting = lab
    assert json.loads(setting.read_text(encoding="utf-8")) == {"includeOutput": False}
    ours = toc_entries(browser, base)
    original = setting.read_text(encoding="utf-8")
    setting.write_text(json.dumps({"includeOutput": True}), encoding="utf-8")  # JupyterLab's default
    try:
        theirs = toc_entries(browser, base)
    finally:
        setting.write_text(original, encoding="utf-8")
    headings = [f"Output heading {i}" for i in range(OUTPUT_HEADINGS)]
    assert all(any(h in entry for entry in theirs) for h in headings), \
        f"with outputs included, the table of contents should list their headings: {theirs}"
    assert any("Lesson heading" in entry for entry in ours), ours
    assert not any("Output heading" in entry for entry in ours), ours
