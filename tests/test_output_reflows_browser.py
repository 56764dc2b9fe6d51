"""A code cell's output prompt icon is chosen once per frame (@manabu/lab:output-reflows,
course/labextension/src/reflows.ts and perFrame.ts), not on every output a run adds: JupyterLab
reads the prompt's height (a layout of the whole page) twice for each output, so a "run all" of a
lesson laid the page out again and again as its outputs came in.

One JupyterLab; a notebook whose one cell shows 40 outputs at once, run with the plugin and,
as a check that the count sees JupyterLab's own behaviour, without it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import nbformat
import pytest
from browser_helpers import (
    TOKEN,
    browser_page,
    plugins_switched,
    run_command,
    running,
    shutdown_kernels,
    wait_for_idle_kernel,
    write_notebook,
)
from conftest import free_port

from autograder.dev.labserver import forget_workspace
from autograder.lab import lab_command, lab_environment

pytestmark = pytest.mark.browser
PLUGIN = "@manabu/lab:output-reflows"
OUTPUTS = 40  # (JupyterLab draws 50 at most, then "show more")
SHOTS = Path(__file__).resolve().parent.parent / "build" / "test-screenshots"
# numbers the frames (a counter one requestAnimationFrame ahead) and records the frame of each
# read of an output prompt's height (what JupyterLab measures to choose its icon) and of each
# output drawn
COUNT_READS = """() => {
    window.promptReads = [];
    window.outputFrames = [];
    let frame = 0;
    const tick = () => { frame++; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    const height = Object.getOwnPropertyDescriptor(Element.prototype, 'clientHeight');
    Object.defineProperty(Element.prototype, 'clientHeight', {
        configurable: true,
        get() {
            if (this.classList.contains('jp-OutputArea-promptOverlay')) window.promptReads.push(frame);
            return height.get.call(this);
        }
    });
    new MutationObserver(records => {
        for (const record of records) {
            for (const node of record.addedNodes) {
                if (node.classList?.contains('jp-OutputArea-child')) window.outputFrames.push(frame);
            }
        }
    }).observe(document.querySelector('.jp-Notebook'), {childList: true, subtree: true});
}"""
# all the outputs drawn, and two frames later the overlay's title (the icon chosen)
DRAWN = f"""() => document.querySelectorAll('.jp-OutputArea-output').length >= {OUTPUTS}"""
TWO_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    course = tmp_path_factory.mktemp("reflows-course")
    env = lab_environment(course, "en")
    write_notebook(course / "burst.ipynb", [nbformat.v4.new_code_cell(
        f"from IPython.display import display\nfor i in range({OUTPUTS}):\n    display(i)")])
    config = Path(env["JUPYTER_CONFIG_PATH"].split(":")[0]) / "labconfig" / "page_config.json"
    port = free_port()
    with running(lab_command(course, port, open_browser=False), port,
                 tmp_path_factory.mktemp("reflows-log") / "lab.log", env=env) as base:
        yield base, config


def prompt_reads(browser, base: str) -> tuple[list[int], list[int], str]:
    """Run the burst notebook's cell from the Run menu, on a first visit (no saved workspace):
    the frames of the prompt height reads and of the outputs while they came, and the title of
    the cell's output prompt once they are all drawn (the icon's)."""
    url = f"{base}/lab/tree/burst.ipynb?token={TOKEN}"
    forget_workspace(base, TOKEN)
    with browser_page(browser, SHOTS / "reflows-failure.png", base) as page:
        page.goto(url)
        page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60_000)
        wait_for_idle_kernel(url)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
        run_command(page, "editmenu:clear-all")  # the outputs an earlier run saved
        page.wait_for_function("() => !document.querySelector('.jp-OutputArea-output')",
                               timeout=30_000)
        page.evaluate(TWO_FRAMES)
        page.evaluate(COUNT_READS)
        run_command(page, "runmenu:run-all")
        page.wait_for_function(DRAWN, timeout=60_000)
        page.evaluate(TWO_FRAMES)
        reads, outputs = page.evaluate("() => [window.promptReads, window.outputFrames]")
        title = page.locator(".jp-CodeCell .jp-OutputArea-promptOverlay").first.get_attribute("title")
    shutdown_kernels(base)
    return reads, outputs, title or ""


def most_in_a_frame(frames: list[int]) -> int:
    return max(Counter(frames).values(), default=0)


def test_a_cells_outputs_lay_the_page_out_once_per_frame_not_per_output(lab, browser):
    base, page_config = lab
    ours, our_outputs, our_title = prompt_reads(browser, base)
    with plugins_switched(page_config, {PLUGIN: True}):  # JupyterLab's own behaviour
        theirs, their_outputs, their_title = prompt_reads(browser, base)
    print(f"prompt height reads for {OUTPUTS} outputs: {len(ours)} in {len(set(ours))} frames, "
          f"outputs drawn in {len(set(our_outputs))} (JupyterLab alone: {len(theirs)} in "
          f"{len(set(theirs))} frames, at most {most_in_a_frame(theirs)} in one; outputs drawn in "
          f"{len(set(their_outputs))})")
    assert len(our_outputs) >= OUTPUTS and len(their_outputs) >= OUTPUTS, (our_outputs, their_outputs)
    # JupyterLab reads on each output, several in a frame; how many frames the outputs take
    # depends on the machine's load, so the check is per frame, not a total
    assert len(theirs) >= OUTPUTS, f"the count missed JupyterLab's reads: {theirs}"
    assert most_in_a_frame(theirs) > 1, f"JupyterLab read once per frame: {theirs}"
    assert most_in_a_frame(ours) == 1, f"reads by frame: {sorted(Counter(ours).items())}"
    # one read per frame that drew outputs (and the one as the run starts), not one per output
    assert len(ours) <= len(set(our_outputs)) + 2, (ours, our_outputs)
    # the icon is still chosen, for the outputs as they are at the end
    assert our_title == their_title == "Collapse Output"
