"""autograder.dev.labserver, the one copy of "start a Jupyter server for a browser run and stop it
after" that the browser tests and the browser bench share: tried on a tiny stand-in server."""

from __future__ import annotations

import sys
import urllib.request

import pytest

from autograder.dev.labserver import free_port, running


def test_running_yields_once_ready_and_stops_the_server(tmp_path):
    port = free_port()
    cmd = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
           "--directory", str(tmp_path)]
    with running(cmd, port, tmp_path / "server.log", "t0ken", ready="/") as base:
        assert base == f"http://127.0.0.1:{port}"
        urllib.request.urlopen(f"{base}/", timeout=5).close()
    with pytest.raises(OSError):  # stopped with the block: nothing answers there any more
        urllib.request.urlopen(f"{base}/", timeout=2).close()


def test_a_server_that_exits_says_so_and_names_its_log(tmp_path):
    log = tmp_path / "server.log"
    cmd = [sys.executable, "-c", "import os, sys; print(os.environ['JUPYTER_TOKEN']); sys.exit(3)"]
    with pytest.raises(RuntimeError, match=r"exited with 3 \(log: .*server\.log\)"):
        with running(cmd, free_port(), log, "t0ken"):
            pass
    assert log.read_text().strip() == "t0ken"  # the server got the token
