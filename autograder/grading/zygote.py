"""A pre-imported parent inside the sandbox that forks one isolated child per submission.

SECURITY BOUNDARY (with ``sandbox``, ``runner``, ``judge``, ``answerdata``): review every change.

Starting Python and importing scikit-learn, matplotlib and IPython costs about 1.5 CPU s, paid
again for every submission when each gets a fresh sandbox. The zygote pays it once per grading
worker: bubblewrap starts it (as root, in its own mount, network, PID and IPC namespaces, seeing
only the Python install, like every sandbox), it imports the lessons' heavy modules, then waits.
It never receives a cell, a test or an answer: nothing secret is in its memory to inherit.

For each submission the grader (:mod:`autograder.grading.zygote_client`) puts a copy of the
submission in the zygote's inbox and sends ``{"fork": token, ...}`` with four file descriptors
(the runner's stdin, stdout and stderr, and a status pipe). The zygote forks, and the child,
before any student code runs:

1. unshares new mount, PID, IPC, network and UTS namespaces, so it cannot see, signal or ptrace
   the zygote or another child, and shares no IPC objects or sockets with them;
2. mounts a fresh size-capped tmpfs on ``/home/student`` (the disk budget), ``/tmp`` and
   ``/dev/shm``, binds its own copy read-only at ``/home/student/submission`` and covers the
   inbox with an empty read-only tmpfs, so no other submission is reachable;
3. forks the PID 1 of its namespace (a reaper: when the runner ends, everything it started is
   killed by the kernel) and mounts a ``/proc`` that shows only that namespace;
4. in the runner process: closes every other descriptor, drops the capability bounding set,
   switches to the slot's uid and gid with no groups, sets ``no_new_privs`` and the resource
   limits, then runs :func:`autograder.grading.runner.main` as a fresh sandbox would.

A killed child (``{"kill": token}``, or the zygote's death through ``PR_SET_PDEATHSIG``) takes
its whole namespace with it; the status pipe carries the runner's exit code (empty: killed).
"""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import re
import signal
import socket
import sys
import threading

INBOX = "/run/manabu-inbox"    # where the grader's copies of submissions appear
HOME = "/home/student"          # SANDBOX_HOME in sandbox.py
SLOT_UIDS = range(1_700_000_000, 1_700_000_000 + 64)  # SLOT_UID .. + SLOTS in sandbox.py
NOBODY = 65534

# what the lessons and the runner import; anything not installed is left out
PRELOAD = ("numpy", "matplotlib", "matplotlib.pyplot", "matplotlib_inline.backend_inline",
           "sklearn", "sklearn.neighbors", "sklearn.linear_model", "sklearn.tree",
           "sklearn.metrics", "sklearn.cluster", "sklearn.datasets", "sklearn.model_selection",
           "sklearn.feature_extraction.text", "ipywidgets", "IPython", "IPython.display",
           "IPython.core.interactiveshell", "course", "course.checks", "course.widgets",
           "autograder.grading.runner", "autograder.grading.answerdata")

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 32, 4096, 8192, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                        ctypes.c_char_p]
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
                        ctypes.c_ulong]


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def unshare(flags: int) -> None:
    """libc ``unshare`` (``os.unshare`` is Python 3.12+)."""
    _check(_libc.unshare(flags), "unshare")


def mount(source: str | None, target: str, fstype: str | None, flags: int,
          data: str | None = None) -> None:
    """libc ``mount``."""
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    _check(_libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def prctl(option: int, value: int) -> None:
    """libc ``prctl`` with one argument."""
    _check(_libc.prctl(option, value, 0, 0, 0), f"prctl {option}")


def preload() -> list[str]:
    """Import the heavy modules once, here, so each child starts with them loaded."""
    loaded = []
    for name in PRELOAD:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except Exception:  # a lesson library missing here is imported (and fails) in the child
            continue
    return loaded


def main() -> None:
    """Serve fork and kill requests on fd 0 (a SOCK_SEQPACKET socket) until it closes."""
    control = socket.socket(fileno=os.dup(0))
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    loaded = preload()
    CODE_UNDER_TMP[:] = code_under_tmp()
    # fork() copies one thread: a library that started threads could leave a lock held
    threads = threading.active_count()
    control.send(json.dumps({"ready": threads == 1, "threads": threads,
                             "modules": len(loaded)}).encode())
    children: dict[str, int] = {}
    while True:
        try:
            data, fds, _flags, _addr = socket.recv_fds(control, 1 << 16, 4)
        except OSError:
            break
        if not data:
            break  # the grader is gone
        _reap(children)
        try:
            message = json.loads(data)
            if "fork" in message and len(fds) == 4:
                children[message["fork"]] = _fork(message, fds, control)
            elif "kill" in message and message["kill"] in children:
                try:
                    os.kill(children.pop(message["kill"]), signal.SIGKILL)
                except ProcessLookupError:
                    pass
        except Exception as err:  # a bad request never ends the zygote
            print(f"zygote: {err!r}", file=sys.stderr, flush=True)
        finally:
            for fd in fds:
                os.close(fd)
    for pid in children.values():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    os._exit(0)


def _reap(children: dict[str, int]) -> None:
    for token, pid in list(children.items()):
        try:
            done, _status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            del children[token]


def end_in_child(what: str, body, *args, returned: int = 0) -> None:
    """In a forked child: run ``body(*args)`` and end the process there, never returning into
    the parent's code (its loop, its ``finally`` blocks, its exit handlers). Exit ``returned``
    when ``body`` returns; on any exception (SystemExit too) write one line, ``what: error``,
    to fd 2 and exit 1. The test kernels' zygote (autograder.dev.kernel_zygote) ends its
    children the same way."""
    try:
        body(*args)
    except BaseException as err:
        try:
            os.write(2, f"{what}: {err!r}\n".encode())
        finally:
            os._exit(1)
    os._exit(returned)


def _fork(message: dict, fds: list[int], control: socket.socket) -> int:
    token, uid = str(message["fork"]), message["uid"]
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", token) or token.startswith("."):
        raise ValueError(f"bad token {token!r}")
    if uid not in SLOT_UIDS and uid != NOBODY:  # never root, never a real account
        raise ValueError(f"bad uid {uid!r}")
    zygote = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    # the child: from here on it never returns into the zygote's loop (_start_namespace ends it;
    # coming back from it is a failure)
    end_in_child("zygote child", _child, zygote, control, token, message, fds, returned=1)


def _child(zygote: int, control: socket.socket, token: str, message: dict,
           fds: list[int]) -> None:
    control.close()
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != zygote:
        os._exit(1)
    _isolate(token, message)
    _start_namespace(message, fds)


def _isolate(token: str, message: dict) -> None:
    """New namespaces and a fresh file view: this submission's copy and nothing else."""
    unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS)
    mount(None, "/", None, MS_REC | MS_PRIVATE)   # nothing propagates back to the zygote
    fresh = MS_NOSUID | MS_NODEV
    mount("tmpfs", HOME, "tmpfs", fresh, f"size={int(message['disk_mb'])}m,mode=0777")
    for name in ("work", "tmp", "submission"):
        os.mkdir(f"{HOME}/{name}")
        os.chmod(f"{HOME}/{name}", 0o777 if name != "submission" else 0o755)
    mine = f"{HOME}/submission"
    mount(f"{INBOX}/{token}/work", mine, None, MS_BIND)
    mount(None, mine, None, MS_BIND | MS_REMOUNT | MS_RDONLY | fresh | MS_NOEXEC)
    mount("tmpfs", INBOX, "tmpfs", MS_RDONLY | fresh, "size=4k,mode=0555")  # hides the others
    _fresh_tmp(fresh)
    mount("tmpfs", "/dev/shm", "tmpfs", fresh, "size=32m,mode=1777")


CODE_UNDER_TMP: list[str] = []  # filled once in main(), before any fork


def code_under_tmp() -> list[str]:
    """The Python folders the sandbox bound under ``/tmp`` (a checkout or venv there, as in a CI
    clone): a child's fresh ``/tmp`` must show them again, or its runner cannot import what the
    zygote did not import first."""
    from autograder.grading.sandbox import _python_roots

    return [str(root) for root in _python_roots() if str(root).startswith("/tmp/")]


def _fresh_tmp(fresh: int) -> None:
    """An empty, size-capped ``/tmp`` with only the code folders under it bound again: built
    aside (in the child's fresh home, before anything runs) and moved onto ``/tmp``."""
    stage = f"{HOME}/.tmp-stage"
    os.mkdir(stage, 0o700)
    mount("tmpfs", stage, "tmpfs", fresh, "size=32m,mode=1777")
    for root in CODE_UNDER_TMP:
        target = stage + root[len("/tmp"):]
        os.makedirs(target, 0o755, exist_ok=True)
        mount(root, target, None, MS_BIND | MS_REC)  # with its submounts (hidden lesson texts)
        mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | fresh)
    mount(stage, "/tmp", None, MS_MOVE)
    os.rmdir(stage)


def _start_namespace(message: dict, fds: list[int]) -> None:
    """Fork the namespace's PID 1, wait for it. Killing this process kills the namespace."""
    init = os.fork()
    if init == 0:
        _init(message, fds)
    for fd in fds:
        os.close(fd)
    while True:
        try:
            os.waitpid(init, 0)
            break
        except InterruptedError:
            continue
        except ChildProcessError:
            break
    os._exit(0)


def _init(message: dict, fds: list[int]) -> None:
    """PID 1 of the child's namespace: a fresh /proc, the runner, the runner's exit code."""
    try:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        runner = os.fork()
        if runner == 0:
            end_in_child("runner start", _run_student, message, fds)
        stdin, stdout, stderr, status = fds
        for fd in (stdin, stdout, stderr):
            os.close(fd)
        code = None
        while code is None:
            try:
                pid, wait_status = os.wait()  # also reaps whatever the student left behind
            except InterruptedError:
                continue
            except ChildProcessError:
                code = -signal.SIGKILL
                break
            if pid == runner:
                code = os.waitstatus_to_exitcode(wait_status)
        os.write(status, str(code).encode())
    finally:
        os._exit(0)  # PID 1 ends: the kernel kills every process left in the namespace


def _run_student(message: dict, fds: list[int]) -> None:
    """The runner process (ended by end_in_child): descriptors, user, limits, then the
    student's notebook."""
    stdin, stdout, stderr, _status = fds
    os.dup2(stdin, 0)
    os.dup2(stdout, 1)
    os.dup2(stderr, 2)
    os.closerange(3, 1 << 16)   # the status pipe, the zygote's files: none stay open
    os.setsid()
    os.chdir(f"{HOME}/work")
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in message["env"].items()})
    _drop_privileges(int(message["uid"]))
    import resource

    for name, value in message["rlimits"].items():
        what = getattr(resource, f"RLIMIT_{name}")
        resource.setrlimit(what, (int(value), int(value)))
    if "numpy" in sys.modules:  # as random as a fresh process, not a copy of the zygote's
        sys.modules["numpy"].random.seed()
    from autograder.grading import runner

    runner.main()


def _drop_privileges(uid: int) -> None:
    """Root → the slot's uid, with no capabilities, no groups and no way back."""
    with open("/proc/sys/kernel/cap_last_cap") as handle:
        last = int(handle.read())
    for cap in range(last + 1):
        prctl(PR_CAPBSET_DROP, cap)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (uid, uid, uid) or os.getgroups():
        raise PermissionError("could not drop to the sandbox user")


if __name__ == "__main__":
    main()
