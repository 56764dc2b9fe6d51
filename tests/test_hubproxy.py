"""The hub's proxy is kept through a hub restart (autograder.school.hubproxy), with a real
configurable-http-proxy (npm): the proxy from before the restart, its routes and its open
connections stay; one that listens elsewhere or takes another token is replaced.
tests/test_hub.py checks the same through a whole hub restart with a student's open kernel."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading
import time
from types import SimpleNamespace

import pytest
import requests
from conftest import free_port
from jupyterhub.objects import Hub
from jupyterhub.proxy import ConfigurableHTTPProxy

from autograder.school.hubproxy import KeptProxy

TOKEN = "t" * 40


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def running(tmp_path):
    """A proxy left running by the previous hub, not a child of this test (as after a restart,
    so a stopped one is gone, not a zombie): (pid, public port, api port, pid file)."""
    port, api = free_port(), free_port()
    pid = int(subprocess.run(
        ["sh", "-c", f"configurable-http-proxy --ip 127.0.0.1 --port {port} --api-ip 127.0.0.1 "
                     f"--api-port {api} >/dev/null 2>&1 & echo $!"],
        env={**os.environ, "CONFIGPROXY_AUTH_TOKEN": TOKEN}, capture_output=True, text=True,
        check=True, start_new_session=True).stdout)
    pid_file = tmp_path / "proxy.pid"
    pid_file.write_text(str(pid))
    headers = {"Authorization": f"token {TOKEN}"}
    for _ in range(200):
        try:
            requests.post(f"http://127.0.0.1:{api}/api/routes/user/alice", headers=headers,
                          json={"target": "http://127.0.0.1:9"}, timeout=2).raise_for_status()
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    yield pid, port, api, pid_file
    for stop in {pid, int(pid_file.read_text() or 0) if pid_file.exists() else 0} - {0}:
        try:
            os.kill(stop, signal.SIGTERM)
        except ProcessLookupError:
            pass


def starting_hub_proxy(cls, port: int, api: int, pid_file, token: str = TOKEN):
    return cls(public_url=f"http://127.0.0.1:{port}/", api_url=f"http://127.0.0.1:{api}",
               auth_token=token, pid_file=str(pid_file), check_running_interval=3600,
               hub=Hub(ip="127.0.0.1", port=free_port()),
               app=SimpleNamespace(subdomain_host="", internal_ssl=False))


def in_own_loop(start) -> None:
    """Run the coroutine function ``start`` on a fresh event loop in its own thread: an earlier
    test in the session may leave an event loop running in this one."""
    errors = []

    def target():
        try:
            asyncio.run(start())
        except BaseException as err:  # noqa: BLE001 - raised again in the test's thread
            errors.append(err)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(120)
    assert not thread.is_alive(), "the proxy did not start in 120 s"
    if errors:
        raise errors[0]


def routes(api: int) -> dict:
    return requests.get(f"http://127.0.0.1:{api}/api/routes", timeout=5,
                        headers={"Authorization": f"token {TOKEN}"}).json()


@pytest.mark.parametrize("cls, kept", [(KeptProxy, True), (ConfigurableHTTPProxy, False)])
def test_the_starting_hub_keeps_the_running_proxy_and_its_routes(running, cls, kept):
    """JupyterHub's own proxy class (the second case) kills it: students' open lessons lose
    their connection for the whole start. Manabu's keeps it."""
    pid, port, api, pid_file = running
    proxy = starting_hub_proxy(cls, port, api, pid_file)

    async def start():
        await proxy.start()
        if proxy._check_running_callback is not None:
            proxy._check_running_callback.stop()

    in_own_loop(start)
    assert alive(pid) is kept
    assert ("/user/alice" in routes(api)) is kept  # a new proxy starts with no routes
    assert (pid_file.read_text().strip() == str(pid)) is kept


@pytest.mark.parametrize("change", ["port", "token"])
def test_a_proxy_that_does_not_fit_this_hub_is_replaced(running, change):
    pid, port, api, pid_file = running
    proxy = starting_hub_proxy(KeptProxy, port if change == "token" else free_port(), api,
                               pid_file, token="u" * 40 if change == "token" else TOKEN)

    async def start():
        await proxy.start()
        proxy._check_running_callback.stop()

    in_own_loop(start)
    assert not alive(pid)  # the old one was stopped; the new one is in the pid file
    assert pid_file.read_text().strip() != str(pid) and alive(int(pid_file.read_text()))
