"""The grader's side of :mod:`autograder.grading.zygote`: start one per grading process, ask it
for a child per submission, and drive that child like the runner process it is.

SECURITY BOUNDARY (with ``sandbox`` and ``zygote``): review every change.

A child here behaves like the ``subprocess.Popen`` of a fresh sandbox for
:class:`autograder.grading.sandbox.Channel`: ``stdin``, ``stdout``, ``poll``, ``wait``, ``kill``.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

START_SECONDS = 120  # imports on a loaded 2-core machine; a zygote that is slower is not used


class ZygoteFailed(RuntimeError):
    """The zygote could not start here; grading falls back to a fresh sandbox per submission."""


class ForkedChild:
    """One submission's runner, forked by the zygote (quacks like ``subprocess.Popen``)."""

    pid = None  # in the zygote's PID namespace only: signals go through the zygote

    def __init__(self, zygote: Zygote, token: str, stdin: int, stdout: int, status: int):
        self.zygote, self.token = zygote, token
        self.stdin = os.fdopen(stdin, "wb")
        self.stdout = os.fdopen(stdout, "rb")
        self.status = status
        self.returncode: int | None = None
        self._said = b""

    def poll(self) -> int | None:
        """The runner's exit code once it has ended (negative: killed by that signal)."""
        if self.returncode is not None:
            return self.returncode
        while True:
            try:
                chunk = os.read(self.status, 64)  # the reaper writes the code, then ends
            except BlockingIOError:
                return None
            if not chunk:
                break
            self._said += chunk
        try:
            self.returncode = int(self._said) if self._said else -9
        except ValueError:
            self.returncode = -9
        os.close(self.status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired("forked runner", timeout)
            select.select([self.status], [], [], 1.0 if left is None else min(1.0, left))
        return self.returncode

    def kill(self) -> None:
        """Kill the runner's whole namespace (the zygote kills the child that holds it)."""
        if self.returncode is None:
            self.zygote.kill(self.token)
        try:
            self.stdin.close()
        except OSError:
            pass


class Zygote:
    """A pre-imported sandboxed parent, one per grading process (see :func:`zygote_for`)."""

    def __init__(self, prefix: list[str], env: dict):
        self.prefix, self.env = prefix, env  # what it was started with: the view it gives
        self.inbox = Path(tempfile.mkdtemp(prefix="manabu-zygote-"))
        os.chmod(self.inbox, 0o700)
        atexit.register(self.close)
        self.lock = threading.Lock()
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.err = tempfile.TemporaryFile()
        argv = [*prefix, "--bind", str(self.inbox), "/run/manabu-inbox",
                sys.executable, "-I", "-m", "autograder.grading.zygote"]
        try:
            self.proc = subprocess.Popen(argv, stdin=theirs.fileno(), stdout=subprocess.DEVNULL,
                                         stderr=self.err, env=env, cwd=self.inbox,
                                         start_new_session=True)
        finally:
            theirs.close()
        self.control.settimeout(START_SECONDS)
        try:
            hello = json.loads(self.control.recv(4096) or b"{}")
        except (OSError, ValueError):
            hello = {}
        self.control.settimeout(None)
        if not hello.get("ready"):
            self.close()
            self.err.seek(0)
            raise ZygoteFailed(f"zygote did not start: {hello} "
                               f"{self.err.read()[-500:].decode(errors='replace')}")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def spawn(self, token: str, uid: int, disk_mb: int, env: dict, rlimits: dict, err) -> ForkedChild:
        """A new runner for the submission copied to ``inbox/<token>/work``, as ``uid``."""
        stdin_r, stdin_w = os.pipe()
        stdout_r, stdout_w = os.pipe()
        status_r, status_w = os.pipe()
        os.set_blocking(status_r, False)
        message = {"fork": token, "uid": uid, "disk_mb": disk_mb, "env": env, "rlimits": rlimits}
        try:
            with self.lock:
                socket.send_fds(self.control, [json.dumps(message).encode()],
                                [stdin_r, stdout_w, err.fileno(), status_w])
        except OSError:
            for fd in (stdin_w, stdout_r, status_r):
                os.close(fd)
            raise
        finally:
            for fd in (stdin_r, stdout_w, status_w):
                os.close(fd)
        return ForkedChild(self, token, stdin_w, stdout_r, status_r)

    def kill(self, token: str) -> None:
        try:
            with self.lock:
                self.control.send(json.dumps({"kill": token}).encode())
        except OSError:
            pass  # the zygote is gone, and its children with it (PR_SET_PDEATHSIG)

    def close(self) -> None:
        proc = getattr(self, "proc", None)
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        self.control.close()
        shutil.rmtree(self.inbox, ignore_errors=True)


_zygotes: dict[int, Zygote] = {}
_failed: set[int] = set()
_start_lock = threading.Lock()


def zygote_for(prefix: list[str], env: dict) -> Zygote | None:
    """This process's zygote (started on first use, again if it died or if the sandbox's view
    changed, e.g. lesson texts to hide), or None where it cannot start (then each submission gets
    a fresh sandbox, as before)."""
    with _start_lock:
        pid = os.getpid()
        if pid in _failed:
            return None
        zygote = _zygotes.get(pid)
        if zygote is not None and zygote.alive() and (zygote.prefix, zygote.env) == (prefix, env):
            return zygote
        if zygote is not None:
            zygote.close()
        try:
            _zygotes[pid] = Zygote(prefix, env)
        except (ZygoteFailed, OSError) as err:
            print(f"manabu: {err}; each submission gets a fresh sandbox instead", file=sys.stderr)
            _failed.add(pid)
            return None
        return _zygotes[pid]
