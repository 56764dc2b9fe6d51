"""Fresh IPython kernels forked from a pre-imported parent, for the tests that run many lessons.

Starting a kernel and importing the lessons' libraries (NumPy, Matplotlib, scikit-learn,
ipywidgets) costs about 1.9 of the 2.2 CPU s a lesson takes in a fresh kernel. The zygote pays
the imports once: a plain Python process imports them, starts no kernel, runs no lesson code and
then only forks. Each child becomes one kernel (``IPKernelApp``, as ``python -m
ipykernel_launcher`` would start it) in the working folder and environment jupyter_client asked
for, so every lesson starts from the same untouched state and nothing one lesson did (its names,
the modules it imported, its figures and Matplotlib settings, its working folder, changes to a
library module) can reach another: those live in the child's own memory and die with it.

What differs from a kernel started from scratch: the third-party modules in :data:`PRELOAD` are
already in ``sys.modules`` when the first cell runs (as in the grader's sandbox zygote,
:mod:`autograder.grading.zygote`), so a lesson that reads ``sklearn.tree`` after only
``import sklearn`` would pass here and fail in JupyterLab. Manabu's own ``course`` package is
not preloaded: each lesson imports it afresh, as in class. ``make bench`` keeps fresh kernels
(it measures them).

Use :class:`ForkedKernelManager` as nbclient's ``kernel_manager_class``.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import threading
import uuid
from functools import cache

from autograder.grading.zygote import end_in_child

# third-party modules every lesson (or the kernel) imports; never Manabu's own code
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "IPython", "IPython.display",
           "numpy", "matplotlib", "matplotlib.pyplot", "ipywidgets",
           "sklearn", "sklearn.neighbors", "sklearn.linear_model", "sklearn.tree",
           "sklearn.metrics", "sklearn.cluster", "sklearn.model_selection",
           "sklearn.feature_extraction.text")
INLINE = "module://matplotlib_inline.backend_inline"  # what ipykernel sets when unset


# -- the zygote process ---------------------------------------------------------------------

def serve() -> None:
    """The zygote: import :data:`PRELOAD`, then fork one kernel per request line on stdin."""
    reply = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints of an import must not corrupt the replies
    os.environ.setdefault("MPLBACKEND", INLINE)  # as ipykernel does before any lesson code
    backend = os.environ["MPLBACKEND"]
    import importlib.util

    for name in PRELOAD:
        importlib.import_module(name)
    base_path = [p for p in sys.path if p != ""]  # `-c` put "" first; the kernel adds it again
    launcher = importlib.util.find_spec("ipykernel_launcher").origin  # a kernel's sys.argv[0]
    # fork() copies only this thread: a library that started threads could leave a lock held
    reply.write(json.dumps({"ready": threading.active_count() == 1}) + "\n")
    signal.signal(signal.SIGCHLD, _reap)  # waited for, so their CPU time is counted
    for line in sys.stdin:
        try:
            request = json.loads(line)
            if threading.active_count() != 1:
                raise RuntimeError("the zygote has threads; it cannot fork safely")
            pid = os.fork()
            if pid == 0:
                end_in_child("forked kernel", _kernel, request, base_path, backend, launcher)
            KERNELS.add(pid)
            reply.write(json.dumps({"pid": pid}) + "\n")
        except Exception as err:  # a bad request is reported, the zygote goes on
            reply.write(json.dumps({"error": repr(err)}) + "\n")
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for pid in list(KERNELS):  # stdin closed: the tests are over; a kernel left running ends
        try:
            if os.waitpid(pid, os.WNOHANG) == (0, 0):  # still ours and running
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
    os._exit(0)


KERNELS: set[int] = set()  # the zygote's children not yet reaped


def _reap(_signum, _frame) -> None:
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        KERNELS.discard(pid)


def _kernel(request: dict, base_path: list[str], backend: str, launcher: str) -> None:
    """In the forked child (ended by end_in_child): become the kernel jupyter_client asked for."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the kernel's own subprocesses
    os.setsid()  # its own process group, as jupyter_client's launcher gives a kernel
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.closerange(3, 1 << 16)  # the zygote's pipes
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    if os.environ.setdefault("MPLBACKEND", INLINE) != backend:
        raise RuntimeError(f"Matplotlib was imported for {backend}, not "
                           f"{os.environ['MPLBACKEND']}: start kernels afresh")
    os.environ["JPY_PARENT_PID"] = str(os.getppid())  # as jupyter_client's launcher sets
    sys.path[:] = base_path
    sys.argv[:] = [launcher, *request["argv"]]
    sys.modules["numpy"].random.seed()  # as random as a fresh process (random reseeds itself)
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    # read from the environment when ipykernel was imported, here in the zygote: the kernel
    # ends if its parent (the zygote) does
    app.parent_handle = os.getppid()
    app.initialize(request["argv"])
    # ipywidgets registers its comm targets when imported inside a running IPython;
    # it was imported here before there was one, so do what its import would have done
    sys.modules["ipywidgets"]._handle_ipython()
    app.start()


# -- the tests' side ------------------------------------------------------------------------

class KernelZygote:
    """One zygote process for this (pytest) process; ended at exit."""

    def __init__(self):
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from autograder.dev.kernel_zygote import serve; serve()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        hello = json.loads(self.proc.stdout.readline() or "{}")
        if not hello.get("ready"):
            self.close()
            raise RuntimeError(f"the kernel zygote did not start: {hello}")
        atexit.register(self.close)

    def fork(self, argv: list[str], cwd: str, env: dict) -> int:
        """A new kernel process started with ``argv`` (ipykernel_launcher's arguments)."""
        with self.lock:
            self.proc.stdin.write(json.dumps({"argv": argv, "cwd": cwd, "env": env}) + "\n")
            answer = json.loads(self.proc.stdout.readline() or '{"error": "zygote gone"}')
        if "pid" not in answer:
            raise RuntimeError(f"the kernel zygote could not fork: {answer['error']}")
        return answer["pid"]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


_zygote: KernelZygote | None = None


def zygote() -> KernelZygote:
    """This process's zygote, started on first use (again if it died)."""
    global _zygote
    if _zygote is None or _zygote.proc.poll() is not None:
        _zygote = KernelZygote()
    return _zygote


class ForkedKernel:
    """A forked kernel, quacking like the ``subprocess.Popen`` jupyter_client keeps. It is the
    zygote's child, not ours: its end is seen through a pidfd, signals go by pid."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid, self.returncode = pid, None
        try:
            self.pidfd = os.pidfd_open(pid)
        except ProcessLookupError:  # already ended and reaped
            self.pidfd, self.returncode = None, 0

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self.pidfd], [], [], 0)[0]:
            self.returncode = 0  # the exit status is the zygote's to collect
        if self.returncode is not None and self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.poll() is None:
            if not select.select([self.pidfd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired("forked kernel", timeout)
        return self.poll()

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


@cache
def _provisioner_class():
    from jupyter_client.provisioning import LocalProvisioner

    class ForkingProvisioner(LocalProvisioner):
        """jupyter_client's local provisioner, but the kernel is forked by the zygote."""

        async def launch_kernel(self, cmd: list[str], **kwargs):
            if cmd[0] != sys.executable or "ipykernel_launcher" not in cmd:
                raise RuntimeError(f"the kernel {cmd} is not this Python's ipykernel: the zygote "
                                   "can only fork kernels of the Python it runs")
            launcher = cmd.index("ipykernel_launcher")
            env = kwargs.get("env") or dict(os.environ)
            cwd = str(kwargs.get("cwd") or os.getcwd())
            pid = zygote().fork(cmd[launcher + 1:], cwd, {str(k): str(v) for k, v in env.items()})
            self.process = ForkedKernel(pid)
            self.pid = self.pgid = pid  # the child calls setsid(); until then kill() uses the pid
            self.cwd = cwd
            return self.connection_info

    return ForkingProvisioner


@cache
def _manager_class():
    from jupyter_client.manager import AsyncKernelManager

    class ForkedKernelManager(AsyncKernelManager):
        """An ``AsyncKernelManager`` whose kernels come from the zygote."""

        async def _async_pre_start_kernel(self, **kw):
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            if self.provisioner is None:
                self.provisioner = _provisioner_class()(
                    kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                    parent=self)
            return await super()._async_pre_start_kernel(**kw)

    return ForkedKernelManager


def __getattr__(name: str):
    # built on first use: importing this module (as the zygote does) must not import
    # jupyter_client's manager machinery into every forked kernel
    if name == "ForkedKernelManager":
        return _manager_class()
    raise AttributeError(name)
