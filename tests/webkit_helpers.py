"""A real WebKit engine (Debian's WebKitGTK MiniBrowser) driven through its W3C WebDriver,
``WebKitWebDriver``, over plain HTTP: the closest to iPad Safari that installs on Debian.

WebKitGTK 2.50 has no headless mode (MiniBrowser exits with "cannot open display"), so the
browser runs in an Xvfb display. The W3C protocol is a few JSON requests, so no client library.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

WEBDRIVER = "/usr/bin/WebKitWebDriver"
MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C key of an element reference


class WebDriverError(RuntimeError):
    """The driver answered a command with an error."""


class WebKitSession:
    """One WebDriver session: the few W3C commands the tests use."""

    def __init__(self, base: str, session_id: str):
        self.url = f"{base}/session/{session_id}"

    def _call(self, method: str, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=180) as response:
                return json.load(response)["value"]
        except urllib.error.HTTPError as error:
            raise WebDriverError(f"{method} {path}: {error.read().decode()[:600]}") from error

    def goto(self, url: str) -> None:
        self._call("POST", "/url", {"url": url})

    def js(self, script: str, *args):
        """Run ``script`` (a function body; arguments in ``arguments``) and return its value."""
        return self._call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def wait_js(self, script: str, *args, seconds: float = 60, what: str = "") -> object:
        """Poll ``script`` until it returns something truthy; fail after ``seconds``."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            value = self.js(script, *args)
            if value:
                return value
            time.sleep(0.3)
        raise AssertionError(f"WebKit: after {seconds:.0f} s still waiting for {what or script}")

    def find(self, css: str) -> dict:
        """The first element matching ``css`` (a W3C element reference)."""
        return self._call("POST", "/element", {"using": "css selector", "value": css})

    def click(self, element: dict) -> None:
        """A real mouse click at the centre of ``element`` (WebKit's element-click command calls
        Lumino's open menu items "not interactable", so input actions instead)."""
        x, y, w, h = self.js("arguments[0].scrollIntoView({block: 'nearest'});"
                             "const r = arguments[0].getBoundingClientRect();"
                             "return [r.x, r.y, r.width, r.height]", element)
        self.pointer_stroke([(x + w / 2, y + h / 2)])

    def rect(self, element: dict) -> dict:
        return self._call("GET", f"/element/{element[ELEMENT]}/rect")

    def pointer_stroke(self, points: list[tuple[float, float]], kind: str = "mouse") -> None:
        """Press at the first of ``points`` (viewport pixels), move through the rest, release:
        real input events through WebKit's automation, as a ``kind`` pointer."""
        moves = [{"type": "pointerMove", "duration": 20, "x": round(x), "y": round(y)} for x, y in points]
        actions = [moves[0], {"type": "pointerDown", "button": 0}, *moves[1:],
                   {"type": "pointerUp", "button": 0}]
        self._call("POST", "/actions", {"actions": [
            {"type": "pointer", "id": f"{kind}1", "parameters": {"pointerType": kind}, "actions": actions}]})
        self._call("DELETE", "/actions")

    def screenshot(self, path: Path) -> None:
        import base64

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self._call("GET", "/screenshot")))


@contextmanager
def webkit_session(port: int, log_path: Path, width: int = 1024, height: int = 768):
    """Xvfb, WebKitWebDriver and one MiniBrowser session, for the length of the block."""
    env = dict(os.environ)
    with log_path.open("w") as log, _xvfb(log, width, height) as display:
        env["DISPLAY"] = display
        driver = subprocess.Popen([WEBDRIVER, f"--port={port}"], stdout=log, stderr=subprocess.STDOUT, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for(f"{base}/status", driver)
            caps = {"capabilities": {"alwaysMatch": {"webkitgtk:browserOptions": {
                "binary": MINIBROWSER, "args": ["--automation"]}}}}
            request = urllib.request.Request(f"{base}/session", data=json.dumps(caps).encode(),
                                             method="POST", headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=120) as response:
                session_id = json.load(response)["value"]["sessionId"]
            session = WebKitSession(base, session_id)
            session._call("POST", "/window/rect", {"width": width, "height": height})
            try:
                yield session
            finally:
                session._call("DELETE", "")
        finally:
            driver.terminate()
            driver.wait(20)


@contextmanager
def _xvfb(log, width: int, height: int):
    """A private X display (Debian's Xvfb) named by a free number, as ``xvfb-run -a`` does."""
    xvfb = shutil.which("Xvfb") or "/usr/bin/Xvfb"
    number = next(n for n in range(99, 199) if not Path(f"/tmp/.X11-unix/X{n}").exists()
                  and not Path(f"/tmp/.X{n}-lock").exists())
    proc = subprocess.Popen([xvfb, f":{number}", "-screen", "0", f"{width + 200}x{height + 200}x24", "-nolisten", "tcp"],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 20
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"Xvfb :{number} did not start (exit {proc.poll()})")
            time.sleep(0.1)
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(20)


def _wait_for(url: str, proc, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"WebKitWebDriver exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"WebKitWebDriver did not answer at {url}")
