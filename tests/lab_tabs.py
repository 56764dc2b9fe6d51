"""One JupyterLab page that opens notebooks one after another, without a page load for each.

Loading JupyterLab costs Chromium ~4 CPU seconds on this machine; a test that runs every lesson
in a page of its own paid that 24 times. Here the page loads once, and each lesson is opened with
JupyterLab's own ``docmanager:open`` command, then closed without saving and its kernel shut
down, so the next lesson's checks see only that lesson in a page laid out as a fresh one.

It needs ``window.jupyterapp``: a server started with :data:`EXPOSE_APP` (tests only; ``make
lab`` and the hub never expose it).
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path

from browser_helpers import TOKEN, clear_and_run_all, running, shutdown_kernels, write_notebook
from conftest import free_port
from device_checks import LEFT_PANEL

from autograder.lab import lab_command, lab_environment

# JupyterLab's server option that sets window.jupyterapp in the page
EXPOSE_APP = {"LabApp": {"expose_app_in_browser": True}}
VIEWPORT = {"width": 1400, "height": 1000}
# a promise for false in 60 s: a page whose start hangs fails the test instead of stopping it
TIMEOUT = "new Promise(done => setTimeout(() => done(false), 60000))"


@contextmanager
def exposed_lab(tmp_path_factory, name: str, notebooks: dict[str, list]):
    """`manabu lab` (English) on a new folder with ``notebooks`` ({path in it: nbformat cells})
    and :data:`EXPOSE_APP`; yields its base URL, the folder and the page config JupyterLab reads
    on each page load (browser_helpers.plugins_switched switches plugins in it)."""
    course = tmp_path_factory.mktemp(f"{name}-course")
    for path, cells in notebooks.items():
        (course / path).parent.mkdir(parents=True, exist_ok=True)
        write_notebook(course / path, cells)
    env = lab_environment(course, "en")
    config = Path(env["JUPYTER_CONFIG_PATH"].split(":")[0])  # the course's own
    (config / "jupyter_server_config.json").write_text(json.dumps(EXPOSE_APP), encoding="utf-8")
    port = free_port()
    with running(lab_command(course, port, open_browser=False), port,
                 tmp_path_factory.mktemp(f"{name}-log") / "lab.log", env=env) as base:
        yield base, course, config / "labconfig" / "page_config.json"


def restored_in_time(page) -> bool:
    """Wait until the JupyterLab (or Notebook 7) app of ``page``, loading, is restored: False if
    it is not within 60 s (the caller says what it saw)."""
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=60_000)
    return page.evaluate(f"() => Promise.race([window.jupyterapp.restored.then(() => true), {TIMEOUT}])")


def exposing_app_env(folder: Path) -> dict[str, str]:
    """The environment for a Jupyter server (``manabu lab`` too: it keeps JUPYTER_CONFIG_PATH)
    that exposes ``window.jupyterapp``, its config written in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "jupyter_server_config.json").write_text(json.dumps(EXPOSE_APP), encoding="utf-8")
    env = dict(os.environ)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        [str(folder), *filter(None, [env.get("JUPYTER_CONFIG_PATH")])])
    return env


# Close every document of the main area without "Save changes?": a lesson run here is never
# saved (a clean model closes without asking; the file on disk stays as the test found it).
# JupyterLab puts a Launcher in the emptied main area: documents=false closes it in turn.
CLOSE = """(documents) => {
    for (const w of [...window.jupyterapp.shell.widgets('main')]) {
        if (Boolean(w.context) !== documents) continue;
        if (w.context) w.context.model.dirty = false;
        w.close();
    }
}"""
NO_DOCUMENT = """() => ![...window.jupyterapp.shell.widgets('main')].some(w => w.context)
    && !document.querySelector('.jp-Notebook, .jp-Dialog')"""

LEFTOVERS = """() => 'tabs: ' + [...window.jupyterapp.shell.widgets('main')].map(w => w.title.label).join(', ')
    + '; dialogs: ' + [...document.querySelectorAll('.jp-Dialog')].map(d => d.innerText.slice(0, 200)).join(' | ')
    + '; left sidebar ' + (""" + LEFT_PANEL + """)() + ' px wide'"""


class LabTabs:
    """A JupyterLab page in ``browser`` on the server at ``base``, loaded once and reused for
    one notebook after another (see :meth:`notebook`); ``touch``: a touch screen, as a tablet's."""

    def __init__(self, browser, base: str, touch: bool = False) -> None:
        self.browser, self.base, self.touch = browser, base, touch
        self.page = None
        self.loads = 0  # JupyterLab page loads so far: one, and one more after each failure
        self.failures = 0
        self.reload_reasons: list[str] = []  # why a page that had no failure was dropped
        self.left_panel = 0  # the left sidebar's width in a freshly loaded page

    def load(self) -> None:
        """A new page with JupyterLab loaded, no document open, and its layout noted."""
        self.close()
        self.page = self.browser.new_page(viewport=VIEWPORT, has_touch=self.touch)
        self.page.goto(f"{self.base}/lab?reset&token={TOKEN}")
        self.page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=60_000)
        self.page.evaluate("() => window.jupyterapp.restored")
        self.loads += 1
        self.close_documents()
        # the sidebar's width once JupyterLab has laid it out (the same over 3 polls, 0.1 s apart)
        self.page.wait_for_function(f"""() => {{ const w = ({LEFT_PANEL})(), seen = window.manabuLeft ?? [];
            window.manabuLeft = [...seen.slice(-2), w];
            return window.manabuLeft.length === 3 && window.manabuLeft.every(x => x === w); }}""",
                                    polling=100, timeout=15_000)
        self.left_panel = self.page.evaluate(LEFT_PANEL)

    def close_documents(self) -> None:
        """Close every open document without saving, then stop the server's kernels."""
        self.page.evaluate(CLOSE, True)
        self.page.wait_for_function(NO_DOCUMENT, timeout=15_000)
        shutdown_kernels(self.base)

    def reset(self) -> None:
        """The page as freshly loaded: nothing open, no kernel, the first viewport, and the left
        sidebar as it was then (a narrow screen folded it away; the device checks unfold it)."""
        if self.page is None:
            raise RuntimeError("no page to reset")
        self.close_documents()
        self.page.set_viewport_size(VIEWPORT)
        if self.left_panel:
            self.page.evaluate("() => window.jupyterapp.shell.expandLeft()")
        else:
            self.page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
        # (within 2 px: JupyterLab keeps the sidebar's share of the width, rounded, through resizes)
        self.page.wait_for_function(f"() => Math.abs(({LEFT_PANEL})() - {self.left_panel}) <= 2",
                                    timeout=15_000)

    @contextmanager
    def notebook(self, path: str, failure_png: Path, full_page: bool = False):
        """Open the notebook at ``path`` (relative to the server's root) in the page, run all of it
        (browser_helpers.clear_and_run_all) and yield the page, in which it is the only document.
        On failure a screenshot goes to ``failure_png`` and the page is dropped: the next notebook
        gets a freshly loaded one. At the end the notebook is closed unsaved, its kernel stopped."""
        try:
            try:
                self.reset()
            except Exception as error:  # no page yet, or one that cannot be reset: not the lesson's fault
                if self.page is not None:
                    self.reload_reasons.append(f"before {path}: {self.leftovers()}: {error}"[:600])
                self.load()
            self.page.evaluate("async (path) => { await window.jupyterapp.commands"
                               ".execute('docmanager:open', {path}); }", path)
            self.page.evaluate(CLOSE, False)  # the Launcher: one tab, as in a freshly loaded page
            clear_and_run_all(self.page, f"{self.base}/lab/tree/{path}")
            # every check after this reads the whole page: it must hold this notebook only
            assert self.page.locator(".jp-Notebook").count() == 1, "another notebook is still open"
            yield self.page
        except Exception:
            self.failures += 1
            if self.page is not None:
                failure_png.parent.mkdir(parents=True, exist_ok=True)
                self.page.screenshot(path=str(failure_png), full_page=full_page)
            self.close()
            raise
        if self.page is not None:
            try:
                self.close_documents()
            except Exception as error:  # a page that cannot close its tab cannot be trusted: load anew
                self.reload_reasons.append(f"after {path}: {self.leftovers()}: {error}"[:600])
                self.close()

    def reloaded_needlessly(self) -> str | None:
        """What went wrong if the page was loaded again with no notebook failing (a closed tab
        that left something behind): the lessons pass, only slower, so it is said."""
        if self.loads > 1 + self.failures:
            return (f"JupyterLab was loaded {self.loads} times for {self.failures} failed notebooks: "
                    "closing a notebook or resetting the page failed (tests/lab_tabs.py):\n"
                    + "\n".join(self.reload_reasons))
        return None

    def leftovers(self) -> str:
        """The tabs and dialogs left in the page (to say why it could not be reset)."""
        try:
            return self.page.evaluate(LEFTOVERS)
        except Exception as error:
            return f"(the page does not answer: {error})"

    def close(self) -> None:
        """Close the page (if any) and stop the server's kernels."""
        if self.page is not None:
            self.page.close()
            self.page = None
            shutdown_kernels(self.base)
