"""A Jupyter server (``manabu lab``, ``jupyter lab``, Voilà) started for a browser run and
stopped after it, and the kernels its pages start. Shared by the browser bench
(:mod:`autograder.dev.browser_bench`) and the browser tests (``tests/browser_helpers.py``):
a maintainer module cannot import the tests, so the one copy lives here."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_server(url: str, proc: subprocess.Popen, seconds: float = 90) -> None:
    """Wait until ``url`` answers 200; fail at once if ``proc`` (the server) exits."""
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
def running(cmd: list[str], port: int, log_path: Path, token: str, env=None,
            seconds: float = 180, ready: str | None = None,
            cwd: Path | None = None) -> Iterator[str]:
    """Run a Jupyter server command (in the folder ``cwd``, else this one), with ``token`` as its
    token, until the block ends; yield its base URL once ``ready`` (a path on the server; its status API by default) answers. Output
    goes to ``log_path``: a server that exits or never answers names it in the error."""
    env = {**(env or os.environ), "JUPYTER_TOKEN": token}
    ready = ready or f"/api/status?token={token}"
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                                cwd=cwd)
        try:
            try:
                wait_for_server(f"http://127.0.0.1:{port}{ready}", proc, seconds)
            except (RuntimeError, TimeoutError) as error:
                raise type(error)(f"{error} (log: {log_path})") from None
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


def sessions(base: str, token: str) -> list[dict]:
    """The notebook sessions (and their kernels) of the Jupyter server at ``base``."""
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=10) as response:
        return json.load(response)


def shutdown_kernels(base: str, token: str) -> None:
    """Stop every kernel of the Jupyter server at ``base`` (each opened notebook starts one)."""
    for session in sessions(base, token):
        request = urllib.request.Request(f"{base}/api/sessions/{session['id']}?token={token}",
                                         method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()


def forget_workspace(base: str, token: str, name: str = "default") -> None:
    """Delete JupyterLab's saved workspace ``name`` (the tabs a page restores) on the server at
    ``base``, so the next page starts as on a child's first visit; none saved yet is fine."""
    request = urllib.request.Request(f"{base}/lab/api/workspaces/{name}?token={token}",
                                     method="DELETE")
    try:
        urllib.request.urlopen(request, timeout=10).close()
    except urllib.error.HTTPError as error:
        if error.code != 404:
            raise
