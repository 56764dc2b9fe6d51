"""JupyterLab's state on Manabu's pages (@manabu/lab:state, course/labextension/src/
workspaceState.ts): a lesson URL opens its notebook without first waiting for the workspace to be
saved, and the workspace is kept exactly as JupyterLab's own plugin keeps it (tabs restored on the
next visit, ``?reset``, ``?clone``, the browser tab's title).

One JupyterLab with Manabu's page config; each check runs on a page with Manabu's plugin and on
one with JupyterLab's own in its place (the page config is read on each page load)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import nbformat
import pytest
from browser_helpers import TOKEN, plugins_switched, shutdown_kernels
from lab_tabs import exposed_lab, restored_in_time

from autograder.dev.labserver import forget_workspace
from autograder.labpage import REPLACED

pytestmark = pytest.mark.browser
OURS = "@manabu/lab:state"
THEIRS = next(old for old, new in REPLACED.items() if new == OURS)
LESSON = "lesson/kaeru.ipynb"  # a folder and a name as a lesson's
# the documents in JupyterLab's main area, by path
DOCUMENTS = "() => [...window.jupyterapp.shell.widgets('main')].filter(w => w.context).map(w => w.context.path)"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a folder with one small notebook; yields its URL and page config."""
    notebooks = {LESSON: [nbformat.v4.new_markdown_cell("# かえる")]}
    with exposed_lab(tmp_path_factory, "state", notebooks) as (base, _course, page_config):
        assert json.loads(page_config.read_text(encoding="utf-8"))["disabledExtensions"][THEIRS]
        yield base, page_config


@pytest.fixture(params=["ours", "theirs"])
def plugin(request, lab):
    """Which state plugin the pages load: Manabu's (the page config's) or JupyterLab's own."""
    base, page_config = lab
    forget_workspace(base, TOKEN)
    with plugins_switched(page_config, {THEIRS: False, OURS: True} if request.param == "theirs" else {}):
        try:
            yield request.param
        finally:
            shutdown_kernels(base)
            for name in ("default", "copy"):
                forget_workspace(base, TOKEN, name)


def open_page(browser, base: str, path: str, requests: list | None = None):
    """A page at ``path`` (URL on the server), restored; ``requests`` collects (method, URL)."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    if requests is not None:
        page.on("request", lambda r: requests.append((r.method, r.url)))
    page.goto(f"{base}{path}{'&' if '?' in path else '?'}token={TOKEN}")
    assert restored_in_time(page), "JupyterLab did not start in 60 s"
    return page


def provider(page) -> str:
    """The id of the plugin that gives this page its state database."""
    return page.evaluate("""() => {
        for (const [token, id] of window.jupyterapp.pluginRegistry._services)
            if (token.name.endsWith(':IStateDB')) return id;
        return null; }""")


def saved(base: str, name: str = "default") -> dict:
    """The workspace ``name`` as the server keeps it: its ``data``."""
    with urllib.request.urlopen(f"{base}/lab/api/workspaces/{name}?token={TOKEN}",
                                timeout=10) as response:
        return json.load(response)["data"]


def wait_for_saved(page, base: str, has_lesson: bool, name: str = "default") -> dict:
    """The workspace once its save has reached the server (debounced: within a second or so)."""
    data = None  # none saved yet
    for _ in range(40):
        try:
            data = saved(base, name)
            if any(LESSON in key for key in data) == has_lesson:
                return data
        except urllib.error.HTTPError:
            pass
        page.wait_for_timeout(250)
    raise AssertionError(f"workspace {name!r} never saved {'with' if has_lesson else 'without'} "
                         f"the lesson: {data}")


def test_a_lesson_url_asks_for_its_notebook_before_the_workspace_is_saved(lab, plugin, browser):
    """JupyterLab's plugin makes the page wait for the debounced save (0.5 s) before it opens the
    notebook of the URL; Manabu's opens it at once and saves as well."""
    base, _ = lab
    requests: list[tuple[str, str]] = []
    page = open_page(browser, base, f"/lab/tree/{LESSON}", requests)
    try:
        page.wait_for_function(f"() => ({DOCUMENTS})().includes('{LESSON}')", timeout=60_000)
        assert provider(page) == (OURS if plugin == "ours" else THEIRS)
        wait_for_saved(page, base, has_lesson=True)
        assert page.title() == "kaeru.ipynb - JupyterLab"
    finally:
        page.close()
    asked = next(i for i, (method, url) in enumerate(requests)
                 if method == "GET" and f"/api/contents/{LESSON}" in url)
    put = next(i for i, (method, url) in enumerate(requests)
               if method == "PUT" and "/lab/api/workspaces/default" in url)
    if plugin == "ours":
        assert asked < put, requests[min(asked, put):max(asked, put) + 1]
    else:  # the wait this plugin takes out
        assert put < asked, requests[min(asked, put):max(asked, put) + 1]


def test_tabs_come_back_reset_empties_and_clone_copies(lab, plugin, browser):
    """The workspace works as JupyterLab's: the next visit restores the lesson's tab, ``?clone``
    copies it into another workspace, ``?reset`` starts empty and saves that."""
    base, _ = lab
    page = open_page(browser, base, f"/lab/tree/{LESSON}")
    try:
        page.wait_for_function(f"() => ({DOCUMENTS})().includes('{LESSON}')", timeout=60_000)
        wait_for_saved(page, base, has_lesson=True)
    finally:
        page.close()
    page = open_page(browser, base, "/lab")  # no document in the URL: the saved tabs come back
    try:
        page.wait_for_function(f"() => ({DOCUMENTS})().includes('{LESSON}')", timeout=60_000)
    finally:
        page.close()
    page = open_page(browser, base, "/lab/workspaces/copy?clone")
    try:
        page.wait_for_function(f"() => ({DOCUMENTS})().includes('{LESSON}')", timeout=60_000)
        wait_for_saved(page, base, has_lesson=True, name="copy")
        # the URL loses `clone` once the copy is saved (just after the server has it)
        page.wait_for_url(lambda url: "clone" not in url, timeout=10_000)
    finally:
        page.close()
    page = open_page(browser, base, "/lab?reset")
    try:
        assert page.evaluate(DOCUMENTS) == []
        wait_for_saved(page, base, has_lesson=False)
        page.wait_for_url(lambda url: "reset" not in url, timeout=10_000)  # the same for `reset`
        assert page.title() == "JupyterLab"
    finally:
        page.close()
