"""Helpers for driving a real JupyterLab in Debian Chromium with Playwright."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOKEN = "manabu-test-token"


def wait_for_server(url: str, proc, seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"the server did not answer at {url}")


@contextmanager
def running(cmd: list[str], port: int, log_path: Path, env=None, seconds: float = 180,
            ready: str = f"/api/status?token={TOKEN}"):
    """Run a Jupyter server command until the block ends; yield its base URL (once ``ready``,
    a path on the server, answers)."""
    env = {**(env or os.environ), "JUPYTER_TOKEN": TOKEN}
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            wait_for_server(f"http://127.0.0.1:{port}{ready}", proc, seconds)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def browser_page(browser, failure_png: Path, base: str | None = None, height: int = 1000,
              full_page: bool = False):
    """A new browser page for one test: on failure a screenshot goes to ``failure_png``; at the
    end the page is closed and (with ``base``, a Jupyter server) its kernels are shut down."""
    page = browser.new_page(viewport={"width": 1400, "height": height})
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


def run_command(page, command: str) -> None:
    """Click the menu entry of a JupyterLab command, found by its data-command id (any UI language)."""
    items = page.locator(".lm-MenuBar-item")
    for index in range(items.count()):
        items.nth(index).click()
        entry = page.locator(f".lm-Menu-item[data-command='{command}']")
        if entry.count() and entry.first.is_visible():
            entry.first.click()
            return
        page.keyboard.press("Escape")
    raise AssertionError(f"no menu entry runs {command}")


def open_and_run_all(page, url: str, restart: bool = False) -> None:
    """Open a notebook, wait for an idle kernel, and run all cells from the Run menu
    (``restart``: in a fresh kernel, when another page may have used this notebook's kernel)."""
    page.goto(url)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    if restart:
        run_command(page, "runmenu:restart-and-run-all")
        page.locator(".jp-Dialog .jp-mod-accept").first.click()  # "Restart the kernel?"
        # cells are queued as [*] while the kernel restarts; stale counts saved earlier go away
        page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
            ".some(e => e.textContent.includes('*'))", timeout=60_000)
    else:
        run_command(page, "runmenu:run-all")


def wait_until_all_ran(page, seconds: float = 120) -> None:
    """Wait until every code cell shows an execution count (none queued as [*] or unrun)."""
    page.wait_for_function(
        """() => { const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                   return p.length > 0 && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }""",
        timeout=seconds * 1000)


def shutdown_kernels(base: str) -> None:
    """Stop every kernel of a Jupyter server (each opened lesson starts one)."""
    import json

    with urllib.request.urlopen(f"{base}/api/sessions?token={TOKEN}", timeout=10) as response:
        sessions = json.load(response)
    for session in sessions:
        request = urllib.request.Request(f"{base}/api/sessions/{session['id']}?token={TOKEN}",
                                         method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()
