"""A new active cell collapses only the other editors that show highlighted text (@manabu/lab:
selections, course/labextension/src/trimSelections.ts), not every editor of the lesson: JupyterLab
updated each cell's editor on every tap that changed the active cell.

One JupyterLab (window.jupyterapp exposed); a notebook of code cells. Text is selected in the
first cell, then a later cell is clicked: the first cell's selection is collapsed, as with
JupyterLab alone, and the editors updated are counted, with the plugin and without it."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from browser_helpers import TOKEN, browser_page, plugins_switched
from lab_tabs import exposed_lab, restored_in_time

from autograder.dev.labserver import forget_workspace

pytestmark = pytest.mark.browser
PLUGIN = "@manabu/lab:selections"
CELLS = 20
SHOTS = Path(__file__).resolve().parent.parent / "build" / "test-screenshots"
# counts the cursor moves JupyterLab makes in the cells' editors (setCursorPosition)
COUNT_MOVES = """() => {
    window.cursorMoves = 0;
    const cells = window.jupyterapp.shell.currentWidget.content.widgets;
    for (const cell of cells) {
        const editor = cell.editor;
        const move = editor.setCursorPosition.bind(editor);
        editor.setCursorPosition = (...args) => { window.cursorMoves++; return move(...args); };
    }
    return cells.filter(cell => cell.editor).length;
}"""
# the selection of the first cell's editor: [from, to]
FIRST_SELECTION = """() => {
    const range = window.jupyterapp.shell.currentWidget.content.widgets[0].editor.getSelection();
    return [range.start.line, range.start.column, range.end.line, range.end.column];
}"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    cells = [nbformat.v4.new_code_cell(f"step_{i} = {i}  # a line to select") for i in range(CELLS)]
    with exposed_lab(tmp_path_factory, "selections", {"cells.ipynb": cells}) as (base, _course, config):
        yield base, config


def select_then_move(browser, base: str) -> tuple[int, int, list[int], list[int]]:
    """Select the first cell's text, then click the last cell: the cursor moves JupyterLab made,
    the editors, and the first cell's selection before and after."""
    forget_workspace(base, TOKEN)
    with browser_page(browser, SHOTS / "selections-failure.png", base) as page:
        page.goto(f"{base}/lab/tree/cells.ipynb?token={TOKEN}")
        assert restored_in_time(page), "JupyterLab did not start in 60 s"
        page.wait_for_function(f"() => document.querySelectorAll('.jp-Notebook .jp-Cell .cm-editor')"
                               f".length >= {CELLS}", timeout=60_000)
        editors = page.evaluate(COUNT_MOVES)
        first = page.locator(".jp-Notebook .jp-Cell").first.locator(".cm-content")
        first.click()
        page.keyboard.press("End")
        page.keyboard.press("Shift+Home")  # the whole line highlighted
        before = page.evaluate(FIRST_SELECTION)
        page.evaluate("() => { window.cursorMoves = 0; }")
        last = page.locator(".jp-Notebook .jp-Cell").last
        last.scroll_into_view_if_needed()
        last.locator(".jp-InputPrompt").click()  # the last cell becomes the active one
        page.wait_for_function(f"() => window.jupyterapp.shell.currentWidget.content.activeCellIndex"
                               f" === {CELLS - 1}", timeout=10_000)
        after = page.evaluate(FIRST_SELECTION)
        moves = page.evaluate("() => window.cursorMoves")
    return moves, editors, before, after


def test_a_new_active_cell_collapses_only_the_selections_there_are(lab, browser):
    base, page_config = lab
    ours, editors, our_before, our_after = select_then_move(browser, base)
    with plugins_switched(page_config, {PLUGIN: True}):  # JupyterLab's own behaviour
        theirs, _, their_before, their_after = select_then_move(browser, base)
    print(f"cursor moves when the active cell changed, {editors} editors: {ours} "
          f"(JupyterLab alone: {theirs})")
    assert editors == CELLS
    line = len("step_0 = 0  # a line to select")
    # the first cell's line was highlighted, and is one cursor once another cell is active
    assert our_before[1] != our_before[3] and their_before == our_before, (our_before, their_before)
    assert our_after == their_after and our_after[1] == our_after[3] in (0, line), (our_after, their_after)
    assert theirs >= CELLS - 1, f"the count missed JupyterLab's moves: {theirs}"
    assert ours <= 2, f"{ours} editors updated for one highlighted selection (JupyterLab: {theirs})"
