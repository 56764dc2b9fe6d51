"""A lesson's kernel starts while its page loads (autograder.school.early_kernel): the rules
with stand-in managers, then a real JupyterLab server asked for pages as a browser asks. That
JupyterLab in Chromium uses the kernel started early (one kernel): tests/test_browser.py's e03
test."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from autograder.dev.labserver import free_port, running, sessions
from autograder.lab import EARLY_KERNEL, lab_command
from autograder.school import early_kernel
from autograder.school.early_kernel import (
    imported_modules,
    notebook_path,
    page_config_hook,
    start_session,
    warm_code,
)

LOG = logging.getLogger("test-early-kernel")


@pytest.mark.parametrize("tree, path", [
    ("/tree/source/e03/e03.ipynb", "source/e03/e03.ipynb"),
    ("/tree/e03/e03.ipynb/", "e03/e03.ipynb"),
    ("/tree/レッスン/e03.ipynb", "レッスン/e03.ipynb"),
    (None, None),                      # /lab: the file browser
    ("/tree/", None),
    ("/tree/source/e03", None),        # a folder
    ("/tree/start.md", None),          # another file
    ("/tree/../secret.ipynb", None),   # out of the root
    ("/tree/a/./b.ipynb", None),
    ("/workspaces/x", None),
])
def test_only_a_notebook_address_under_the_root_names_a_notebook(tree, path):
    assert notebook_path(tree) == path


class Contents:
    def __init__(self, files: dict[str, dict]):
        self.files = files

    async def file_exists(self, path):
        return path in self.files

    async def get(self, path, content, type, format):
        return {"content": json.dumps(self.files[path])}


class Sessions:
    def __init__(self):
        self.created: list[dict] = []
        self.paths: set[str] = set()

    async def session_exists(self, path):
        return path in self.paths

    async def create_session(self, **model):
        await asyncio.sleep(0.05)  # a kernel takes a while to start
        self.created.append(model)
        self.paths.add(model["path"])
        return {"kernel": {"id": f"k{len(self.created)}"}}


class Specs:
    def get_all_specs(self):
        return {"python3": {}}


def settings(files: dict[str, dict]) -> dict:
    return {"contents_manager": Contents(files), "session_manager": Sessions(),
            "kernel_spec_manager": Specs()}


def notebook(kernel: str | None = "python3") -> dict:
    return {"metadata": {"kernelspec": {"name": kernel}} if kernel else {}, "cells": []}


def test_the_session_is_started_as_jupyterlab_starts_it():
    s = settings({"e03/e03.ipynb": notebook()})
    assert asyncio.run(start_session(s, "e03/e03.ipynb", LOG)) == "k1"
    assert s["session_manager"].created == [
        {"path": "e03/e03.ipynb", "name": "e03.ipynb", "type": "notebook", "kernel_name": "python3"}]


def test_nothing_starts_for_a_reload_a_missing_file_or_a_kernel_not_installed():
    s = settings({"a.ipynb": notebook(), "r.ipynb": notebook("ir"), "none.ipynb": notebook(None),
                  "bad.ipynb": {"not": "a notebook"}})
    s["session_manager"].paths.add("a.ipynb")  # already open: a reload
    for path in ("a.ipynb", "missing.ipynb", "r.ipynb", "none.ipynb", "bad.ipynb"):
        assert asyncio.run(start_session(s, path, LOG)) is None, path
    assert s["session_manager"].created == []


def test_two_quick_reloads_start_one_kernel():
    s = settings({"a.ipynb": notebook()})

    async def twice():
        return await asyncio.gather(start_session(s, "a.ipynb", LOG), start_session(s, "a.ipynb", LOG))

    assert sorted(asyncio.run(twice()), key=str) == [None, "k1"]
    assert len(s["session_manager"].created) == 1


def test_a_failure_is_logged_and_the_page_still_loads(caplog):
    s = settings({"a.ipynb": notebook()})

    async def broken(**model):
        raise RuntimeError("no ports left")

    s["session_manager"].create_session = broken
    with caplog.at_level(logging.WARNING, logger=LOG.name):
        assert asyncio.run(start_session(s, "a.ipynb", LOG)) is None
    assert "could not start the kernel of a.ipynb" in caplog.text and "no ports left" in caplog.text
    assert early_kernel._starting == set()  # the next page tries again


class Handler:
    def __init__(self, tree, allowed=True):
        self.path_kwargs = {"tree": tree}
        self.settings = settings({"a.ipynb": notebook()})
        self.log = LOG
        self.current_user = "hana"
        self.authorizer = type("A", (), {"is_authorized": lambda _s, h, u, action, resource:
                                          allowed and (action, resource) == ("execute", "kernels")})()


def test_the_hook_starts_only_a_notebook_page_of_a_user_who_may_run_kernels():
    async def pages():
        handlers = [Handler("/tree/a.ipynb"), Handler("/tree/a.ipynb", allowed=False),
                    Handler(None), Handler("/tree/b.md")]
        hook = page_config_hook(lambda handler, config: {**config, "chained": True})
        configs = [hook(handler, {"x": 1}) for handler in handlers]
        await asyncio.gather(*early_kernel._tasks)
        return [len(h.settings["session_manager"].created) for h in handlers], configs

    created, configs = asyncio.run(pages())
    assert created == [1, 0, 0, 0]
    assert configs == [{"x": 1, "chained": True}] * 4  # the page config is otherwise untouched


def test_make_lab_and_the_hub_image_enable_it():
    install = (Path(__file__).resolve().parent.parent / "deploy" / "image" /
               "install.sh").read_text(encoding="utf-8")
    assert f"{EARLY_KERNEL}=True" in lab_command(Path("/nonexistent/course"), 8888)
    assert f'\\"{EARLY_KERNEL}\\": true' in install


def code_cell(source: str) -> dict:
    return nbformat.v4.new_code_cell(source)


def test_the_modules_warmed_are_the_imports_before_the_code_does_anything_else():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("import markdown_is_not_code"),
        code_cell('"""A lesson."""\nfrom __future__ import annotations\n'
                  "import numpy as np, inspect\nfrom sklearn.metrics import recall_score"),
        code_cell("%matplotlib inline\nimport in_a_cell_with_a_magic"),  # not Python: passed over
        code_cell("from . import relative\nimport numpy\nfrom course import check\n"
                  "start_lesson('j08')\n"                              # the code starts: no further
                  "import after_the_code_started"),
        code_cell("import in_a_later_cell"),
    ])
    assert imported_modules(nb) == ["numpy", "inspect", "sklearn.metrics", "course"]
    assert imported_modules({"cells": [code_cell("import os\ndef later():\n    import inside\n")]}) == ["os"]
    assert imported_modules({"cells": []}) == [] and imported_modules({}) == []


def test_the_warm_up_imports_what_it_can_and_leaves_no_name(monkeypatch):
    monkeypatch.delitem(sys.modules, "wave", raising=False)
    namespace: dict = {}
    exec(warm_code(["wave", "no_such_module_for_manabu", "json"]), namespace)
    assert "wave" in sys.modules
    assert set(namespace) == {"__builtins__"}


# -- a real JupyterLab server, asked for pages as a browser asks -------------------------------

TOKEN = "early-kernel-test"


def page(base: str, path: str, token: str | None = TOKEN) -> int:
    url = f"{base}/lab/tree/{path}" + (f"?token={token}" if token else "")
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def kernel_prints(base: str, kernel_id: str, code: str) -> str:
    """Run ``code`` in the kernel over its websocket, as JupyterLab does (not counted, no
    history); what it printed."""
    import websocket

    ws = websocket.create_connection(
        base.replace("http://", "ws://") + f"/api/kernels/{kernel_id}/channels?token={TOKEN}", timeout=60)
    try:
        ws.send(json.dumps({
            "header": {"msg_id": "check", "msg_type": "execute_request", "username": "test",
                       "session": "early-kernel-test", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
        printed, replied, idle = "", False, False
        while not (replied and idle):
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != "check":
                continue
            if msg["msg_type"] == "stream":
                printed += msg["content"]["text"]
            elif msg["msg_type"] in ("execute_reply", "error"):
                replied = replied or msg["msg_type"] == "execute_reply"
            elif msg["msg_type"] == "status":
                idle = msg["content"]["execution_state"] == "idle"
        return printed
    finally:
        ws.close()


def wait_for_sessions(base: str, count: int, seconds: float = 30) -> list[dict]:
    deadline = time.time() + seconds
    while time.time() < deadline:
        found = sessions(base, TOKEN)
        if len(found) >= count:
            return found
        time.sleep(0.2)
    return sessions(base, TOKEN)


@pytest.mark.slow
def test_a_jupyterlab_page_of_a_notebook_starts_its_kernel_once(tmp_path):
    root = tmp_path / "root"
    (root / "e03").mkdir(parents=True)
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    nb.cells = [code_cell("import wave\nfrom xml.dom import minidom\nimport no_such_module_for_manabu"),
                code_cell("%matplotlib inline")]
    nbformat.write(nb, root / "e03" / "e03.ipynb")
    nbformat.write(nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "nope", "display_name": "Nope"}}),
                   root / "other.ipynb")
    port = free_port()
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", "--no-browser", "--allow-root",
           "--ServerApp.jpserver_extensions", f"{EARLY_KERNEL}=True"]
    log = tmp_path / "lab.log"
    with running(cmd, port, log, TOKEN) as base:
        # a stranger's page (the login page), a missing notebook, a folder, a kernel not
        # installed: nothing starts
        assert page(base, "e03/e03.ipynb", token=None) in (200, 302, 403)
        for path in ("missing.ipynb", "e03", "other.ipynb"):
            assert page(base, path) in (200, 404), path
        time.sleep(1)
        assert sessions(base, TOKEN) == []
        # the lesson's page: its session starts before anything asks for it
        assert page(base, "e03/e03.ipynb") == 200
        [session] = wait_for_sessions(base, 1)
        assert (session["path"], session["name"], session["type"]) == ("e03/e03.ipynb", "e03.ipynb", "notebook")
        assert session["kernel"]["name"] == "python3"
        # a reload: the same kernel, no second one
        assert page(base, "e03/e03.ipynb") == 200
        time.sleep(1)
        assert [s["id"] for s in sessions(base, TOKEN)] == [session["id"]]
        with urllib.request.urlopen(f"{base}/api/kernels?token={TOKEN}", timeout=10) as response:
            assert [k["id"] for k in json.load(response)] == [session["kernel"]["id"]]
        # it imported the notebook's modules ahead, silently: no run counted, no name left
        deadline = time.time() + 60
        while "imported 3 modules" not in log.read_text(encoding="utf-8") and time.time() < deadline:
            time.sleep(0.2)
        said = kernel_prints(base, session["kernel"]["id"],
                             "import sys; print('wave' in sys.modules, 'xml.dom' in sys.modules, "
                             "'_manabu_warm' in globals(), get_ipython().execution_count)")
        assert said == "True True False 1\n"
    text = log.read_text(encoding="utf-8")
    assert text.count("early kernel: e03/e03.ipynb imported 3 modules in") == 1
    assert text.count("early kernel: started python3 for e03/e03.ipynb") == 1
