"""A lesson's page connects to the kernel its server started for it as the notebook opens
(@manabu/lab:early-session, course/labextension/src/earlySession.ts), not after JupyterLab has
loaded the notebook and listed and made its first checkpoint.

One JupyterLab as `make lab` runs it (its server starts a notebook's session as the page is
asked for: autograder/school/early_kernel.py). A notebook never opened before (no checkpoint)
is opened; the page's requests are recorded in order: the kernel's WebSocket opens before the
first checkpoint is made. JupyterLab alone opens it after (the same page with the plugin off).
Either way the page uses the one session the server started, and a cell runs on it."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from browser_helpers import TOKEN, browser_page, plugins_switched, sessions
from lab_tabs import exposed_lab, restored_in_time

from autograder.dev.labserver import forget_workspace

pytestmark = pytest.mark.browser
PLUGIN = "@manabu/lab:early-session"
SHOTS = Path(__file__).resolve().parent.parent / "build" / "test-screenshots"
# the kernel the notebook's page is connected to
PAGE_KERNEL = "() => window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.id ?? null"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    cells = [nbformat.v4.new_markdown_cell(f"Step {i}: read this, then run the cell below.") if i % 2
             else nbformat.v4.new_code_cell(f"answer_{i} = {i} * 2\nanswer_{i}") for i in range(30)]
    with exposed_lab(tmp_path_factory, "early-session", {"template.ipynb": cells}) as lab:
        yield lab


def open_fresh(browser, base: str, course: Path, name: str) -> tuple[list[str], str | None, list[dict], str]:
    """Open a new copy ``name`` of the notebook (no checkpoint yet) and run its first cell: the
    page's kernel WebSockets and checkpoint requests in the order they began, the kernel the page
    uses, the server's sessions of the notebook, and the first cell's output."""
    shutil.copy(course / "template.ipynb", course / name)
    forget_workspace(base, TOKEN)
    events: list[str] = []
    with browser_page(browser, SHOTS / f"early-session-{name}-failure.png", base) as page:
        page.on("websocket", lambda ws: events.append("kernel websocket")
                if "/channels" in ws.url else None)
        page.on("request", lambda request: events.append(f"{request.method} checkpoints")
                if request.url.split("?")[0].endswith(f"{name}/checkpoints") else None)
        page.goto(f"{base}/lab/tree/{name}?token={TOKEN}")
        assert restored_in_time(page), "JupyterLab did not start in 60 s"
        page.wait_for_function(f"() => ({PAGE_KERNEL})() !== null", timeout=60_000)
        page.wait_for_function("() => window.jupyterapp.shell.currentWidget.sessionContext"
                               ".session.kernel.status === 'idle'", timeout=60_000)
        first = page.locator(".jp-Notebook .jp-CodeCell").first
        first.locator(".cm-content").click()
        page.keyboard.press("Control+Enter")
        output = first.locator(".jp-OutputArea-output")
        output.wait_for(timeout=60_000)
        kernel = page.evaluate(PAGE_KERNEL)
        mine = [s for s in sessions(base) if s["path"].endswith(name)]
        return events, kernel, mine, output.inner_text().strip()


def test_the_page_connects_to_the_early_kernel_before_it_makes_its_checkpoint(lab, browser):
    base, course, page_config = lab
    ours = open_fresh(browser, base, course, "ours.ipynb")
    with plugins_switched(page_config, {PLUGIN: True}):  # JupyterLab alone
        theirs = open_fresh(browser, base, course, "theirs.ipynb")
    print(f"with the plugin: {ours[0]}\nJupyterLab alone: {theirs[0]}")
    for events, kernel, mine, output in (ours, theirs):
        # one session, the server's, is the page's, and runs the lesson's code
        assert len(mine) == 1 and mine[0]["kernel"]["id"] == kernel, (mine, kernel)
        assert output == "0", output
        assert "kernel websocket" in events and "POST checkpoints" in events, events
    # JupyterLab alone: the kernel waits for the checkpoint (so the check can see the order)
    assert theirs[0].index("POST checkpoints") < theirs[0].index("kernel websocket"), theirs[0]
    # the plugin: the kernel's connection opens first
    assert ours[0].index("kernel websocket") < ours[0].index("POST checkpoints"), ours[0]
