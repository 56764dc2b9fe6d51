"""Helpers for driving a real JupyterLab in Debian Chromium with Playwright."""

from __future__ import annotations

import json
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

from autograder.dev import labserver
from autograder.dev.browser_bench import menu_command

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOKEN = "manabu-test-token"


def write_notebook(path: Path, cells: list) -> None:
    """Write a notebook of ``cells`` (nbformat cells) at ``path``, for the Python 3 kernel."""
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, path)


@contextmanager
def plugins_switched(page_config: Path, switches: dict[str, bool]):
    """While the block runs, the JupyterLab page config at ``page_config`` (read on each page
    load) turns off each plugin in ``switches`` mapped to True and on each mapped to False;
    afterwards it is as it was."""
    original = page_config.read_text(encoding="utf-8")
    config = json.loads(original)
    config.setdefault("disabledExtensions", {}).update(switches)
    page_config.write_text(json.dumps(config), encoding="utf-8")
    try:
        yield
    finally:
        page_config.write_text(original, encoding="utf-8")


def running(cmd: list[str], port: int, log_path: Path, env=None, seconds: float = 180,
            ready: str | None = None, cwd: Path | None = None):
    """Run a Jupyter server command (in the folder ``cwd``, else this one) with the tests' token
    until the block ends; yield its base URL (once ``ready``, a path on the server, answers).
    See autograder.dev.labserver.running."""
    return labserver.running(cmd, port, log_path, TOKEN, env, seconds, ready, cwd)


@contextmanager
def browser_page(browser, failure_png: Path, base: str | None = None, height: int = 1000,
              full_page: bool = False, touch: bool = False):
    """A new browser page for one test: on failure a screenshot goes to ``failure_png``; at the
    end the page is closed and (with ``base``, a Jupyter server) its kernels are shut down.
    With ``touch``, a touch screen as on a tablet (CSS ``any-pointer: coarse`` matches)."""
    page = browser.new_page(viewport={"width": 1400, "height": height}, has_touch=touch)
    try:
        yield page
    except Exception:
        failure_png.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(failure_png), full_page=full_page)
        raise
    finally:
        page.close()
        if base:
            shutdown_kernels(base)


def mouse_stroke(page, element) -> None:
    """A real pointer stroke with the mouse: a "1" down the middle of ``element``."""
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, box["y"] + box["height"] * 0.1)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x, box["y"] + box["height"] * (0.1 + 0.08 * step))
    page.mouse.up()


# the menu bar position where each command was found last: tried first next time (each menu
# opened in vain costs a few round trips to the browser, for every lesson)
MENU_OF: dict[str, int] = {}


def run_command(page, command: str) -> None:
    """Click the menu entry of a JupyterLab command, found by its data-command id (any UI
    language), once it is not greyed out (autograder.dev.browser_bench.menu_command)."""
    MENU_OF[command] = menu_command(page, command, first=MENU_OF.get(command))


def open_and_run_all(page, url: str) -> None:
    """Open a notebook, wait for its kernel, clear what an earlier run saved, and run all cells
    from the Run menu.

    No kernel restart here: a restart while JupyterLab is still connecting its first kernel
    left the notebook "Starting" for good on a loaded machine (the server mixed up the two
    websocket connections). Each test shuts its kernels down, so a new page gets a new kernel.
    """
    page.goto(url)
    clear_and_run_all(page, url)


def clear_and_run_all(page, url: str) -> None:
    """In a notebook just opened in ``page`` (at ``url``, whose last part names its file): wait
    for its kernel, clear what an earlier run saved, and run all cells from the Run menu."""
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    wait_for_idle_kernel(url)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    run_command(page, "editmenu:clear-all")  # saved execution counts would look like a finished run
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
        ".some(e => /\\d/.test(e.textContent))", timeout=30_000)
    run_command(page, "runmenu:run-all")


def wait_for_idle_kernel(url: str, seconds: float = 90) -> None:
    """Wait until the server has started the kernel of the notebook at ``url`` and it is idle.

    The page's own indicator says "idle" before any kernel exists, and "run all" with no
    kernel yet runs nothing; the server's session list knows."""
    parts = urllib.parse.urlsplit(url)
    name = urllib.parse.unquote(parts.path.rsplit("/", 1)[-1])
    deadline, states = time.time() + seconds, []
    while time.time() < deadline:
        states = [(s.get("kernel") or {}).get("execution_state")
                  for s in sessions(f"{parts.scheme}://{parts.netloc}")
                  if s.get("path", "").endswith(name)]
        if "idle" in states:
            return
        time.sleep(0.25)
    raise AssertionError(f"the kernel of {name} was not idle after {seconds:.0f} s (states {states})")


# Widgets that could not be drawn: ipywidgets writes "Error displaying widget" in the output
# when a view fails or its model is missing, and draws an error icon instead (ErrorWidgetView)
# when the widget's code fails to load; that icon has no such text.
WIDGET_ERRORS = """() => [
    ...[...document.querySelectorAll('.jp-OutputArea-output')]
        .filter(e => e.textContent.includes('Error displaying widget'))
        .map(e => e.textContent.trim().slice(0, 200)),
    ...[...document.querySelectorAll('.jupyter-widgets-error-widget')]
        .map(e => 'a widget drawn as an error icon, in the cell: '
             + (e.closest('.jp-Cell')?.querySelector('.jp-InputArea-editor')?.textContent ?? '?').trim().slice(0, 200))]"""


def widget_errors(page) -> list[str]:
    """The widgets in ``page`` that could not be drawn, each with what ipywidgets says or the
    start of its cell's code ([] when every widget is drawn)."""
    return page.evaluate(WIDGET_ERRORS)


ERROR_OUTPUT = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
# Each code cell's [n] prompt; in an elementary lesson's student view the code (and JupyterLab's
# prompt with it) is folded, and the Manabu extension's run bar shows the count instead.
PROMPTS = ("[...document.querySelectorAll('.jp-CodeCell')].map(c => "
           "(c.querySelector('.jp-InputPrompt')?.textContent ?? '') + "
           "(c.querySelector('.manabu-run-count')?.textContent ?? ''))")


def wait_until_all_ran(page, seconds: float = 120) -> None:
    """Wait until every code cell shows an execution count (none queued as [*] or unrun).

    An error output stops "run all", so it ends the wait at once with the error's text;
    a timeout says which cells never ran and what the kernel was doing."""
    script = f"""(errorSelector) => {{
        const p = {PROMPTS};
        return document.querySelector(errorSelector) !== null
            || (p.length > 0 && p.every(text => /\\[\\d+\\]/.test(text)));
    }}"""
    try:
        page.wait_for_function(script, arg=ERROR_OUTPUT, timeout=seconds * 1000)
    except Exception as error:
        prompts = page.evaluate(f"() => {PROMPTS}")
        status = page.locator(".jp-Notebook-ExecutionIndicator").first.get_attribute("data-status")
        unrun = [i for i, text in enumerate(prompts) if not any(c.isdigit() for c in text)]
        raise AssertionError(f"after {seconds:.0f} s, code cells {unrun} of {len(prompts)} had not run "
                             f"(prompts {prompts}); kernel status {status!r}") from error
    errors = page.locator(ERROR_OUTPUT)
    assert errors.count() == 0, "a cell failed:\n" + errors.first.inner_text()[:800]


def sessions(base: str) -> list[dict]:
    """The notebook sessions (and their kernels) of the Jupyter server at ``base``."""
    return labserver.sessions(base, TOKEN)


def shutdown_kernels(base: str) -> None:
    """Stop every kernel of a Jupyter server (each opened lesson starts one)."""
    labserver.shutdown_kernels(base, TOKEN)
