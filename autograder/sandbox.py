"""Run untrusted student code for grading: a copy of one submission, in a sandbox, with budgets.

Isolation levels (the grader prints the one it reached):

``full``
    bubblewrap (``bwrap``): new mount, network, PID and IPC namespaces. The student code sees the
    Python install, the ``course`` library and a copy of its own submission folder, nothing else
    (not ``source/``, not the gradebook, not other students, not the teacher's home); it has no
    network; it runs as the unprivileged user ``nobody`` when the grader is root (as the teacher's
    own user, mapped in a user namespace, when not). Resource limits always apply.
``limits``
    no usable bubblewrap: resource limits only, and the ``nobody`` user when the grader is root.
    The code could still read files its user can read. ``--require-sandbox`` refuses this.

Resource limits (``rlimit``): memory (address space for data, default 1 GiB), processes, file
size, open files, CPU seconds. Time budgets: per cell (interrupt, then kill) and per notebook.
"""

from __future__ import annotations

import functools
import json
import os
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

NOBODY = 65534
SANDBOX_HOME = "/home/student"


class SandboxUnavailable(RuntimeError):
    """Full isolation was required but this machine cannot give it."""


@dataclass
class Limits:
    memory_mb: int = 1024
    processes: int = 64
    file_mb: int = 64
    open_files: int = 256
    cell_seconds: float = 30
    notebook_seconds: float = 120
    lang: str = "en"                 # the language of messages the student reads
    output_chars: int = 20_000       # per output (a print, a table, an error)
    notebook_chars: int = 400_000    # all outputs of one notebook together (feedback stays small)


@dataclass
class CellResult:
    ok: bool
    outputs: list[dict]
    count: int | None = None
    restored: list[str] = field(default_factory=list)
    ran: bool = True


@dataclass
class RunReport:
    level: str
    cells: list[CellResult]
    seconds: float
    problems: list[str]       # "stopped" reasons: time budget, process ended early
    restored: list[str]       # tampering the runner undid before a test
    cut: bool = False         # some output was cut to the caps


def _bwrap() -> str | None:
    return shutil.which("bwrap")


@functools.lru_cache(maxsize=1)
def isolation_level() -> str:
    """'full' when bubblewrap works here (tried once per process), else 'limits'."""
    if _bwrap() is None:
        return "limits"
    probe = sandbox_prefix(Path(tempfile.gettempdir())) + ["/bin/true"]
    try:
        done = subprocess.run(probe, capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "limits"
    return "full" if done.returncode == 0 else "limits"


@functools.lru_cache(maxsize=1)
def _others_can_run_python() -> bool:
    """Can another user (nobody) run this Python? Not when it lives in root's home."""
    for path in [Path(sys.executable).resolve(), *_python_roots()]:
        for folder in [path, *path.parents]:
            if folder.is_dir() and not os.stat(folder).st_mode & 0o001:
                return False
    return True


def _as_nobody(level: str) -> bool:
    return os.geteuid() == 0 and (level == "full" or _others_can_run_python())


def describe(level: str, _=lambda message: message) -> str:
    """The isolation ``level`` in words, for the first line of a grading run (``_``: the
    teacher's language)."""
    who = _("as user nobody") if _as_nobody(level) else _("as your own user") if os.geteuid() \
        else _("AS ROOT (this Python is not readable by others)")
    if level == "full":
        return _("sandbox: full (bubblewrap: only a copy of each submission, no network, {who}, "
                 "memory/process/file limits)").format(who=who)
    return _("sandbox: limits only ({who}, memory/process/file limits; student code could read "
             "files this user can read: install bubblewrap for full isolation)").format(who=who)


def refusal(level: str, _=lambda message: message) -> str:
    """Why ``--require-sandbox`` refuses to grade at ``level``, and what to do."""
    return describe(level, _) + ". " + _(
        "--require-sandbox refuses to grade without full isolation: install bubblewrap "
        "(apt-get install bubblewrap) and check that it can run here.")


def _python_roots() -> list[Path]:
    """Folders the student's Python needs to read: the interpreter, the venv, our packages."""
    import autograder
    import course

    roots = {Path(sys.base_prefix), Path(sys.prefix), Path(sys.executable).resolve().parent.parent,
             Path(course.__file__).resolve().parent, Path(autograder.__file__).resolve().parent}
    return sorted(r for r in roots if not str(r).startswith("/usr"))


def sandbox_prefix(workdir: Path) -> list[str]:
    """The bwrap command line that runs a program with ``workdir`` as its only writable folder."""
    cmd = [_bwrap() or "bwrap", "--unshare-net", "--unshare-pid", "--unshare-ipc",
           "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session",
           "--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib64", "lib32", "sbin"):
        path = Path("/") / name
        if path.is_symlink():
            cmd += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            cmd += ["--ro-bind", str(path), str(path)]
    if os.geteuid() != 0:
        cmd += ["--unshare-user"]
    # a private /tmp first: the Python install or venv may itself live under /tmp (bound below)
    cmd += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp",
            "--perms", "1777", "--tmpfs", "/dev/shm"]
    made = set()
    for root in _python_roots():
        for parent in reversed(root.parents):
            if str(parent) != "/" and parent not in made:
                cmd += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        cmd += ["--ro-bind", str(root), str(root)]
        if (root / "_lessons").is_dir():  # a wheel install ships lesson sources with answers
            cmd += ["--tmpfs", str(root / "_lessons")]
    cmd += ["--perms", "0755", "--dir", SANDBOX_HOME,
            "--bind", str(workdir), f"{SANDBOX_HOME}/work", "--chdir", f"{SANDBOX_HOME}/work"]
    return cmd


def _rlimits(limits: Limits):
    def apply():
        os.setsid()
        mb = 1024 * 1024
        for what, value in ((resource.RLIMIT_DATA, limits.memory_mb * mb),
                            (resource.RLIMIT_FSIZE, limits.file_mb * mb),
                            (resource.RLIMIT_NOFILE, limits.open_files),
                            (resource.RLIMIT_CORE, 0),
                            (resource.RLIMIT_CPU, int(limits.notebook_seconds) + 30)):
            resource.setrlimit(what, (value, value))
        if os.geteuid() != 0:  # root is not bound by RLIMIT_NPROC; nobody (below) is
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
    return apply


def _environment(level: str, workdir_inside: str) -> dict:
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8",
           "HOME": workdir_inside, "MPLBACKEND": "module://matplotlib_inline.backend_inline",
           "MPLCONFIGDIR": "/tmp/matplotlib" if level == "full" else f"{workdir_inside}/.mpl",
           "IPYTHONDIR": "/tmp/ipython" if level == "full" else f"{workdir_inside}/.ipython",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "MALLOC_ARENA_MAX": "2", "JOBLIB_MULTIPROCESSING": "0", "PYTHONDONTWRITEBYTECODE": "1",
           "NBGRADER_EXECUTION": "autograde"}
    if "MANABU_LANG" in os.environ:
        env["MANABU_LANG"] = os.environ["MANABU_LANG"]
    return env


def command(level: str, workdir: Path, limits: Limits) -> tuple[list[str], dict]:
    python = [sys.executable, "-I", "-m", "autograder.runner"]
    drop = []
    if _as_nobody(level):
        drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all"]
        # set after the switch to nobody: root is not bound by RLIMIT_NPROC (see _rlimits)
        drop += ["prlimit", f"--nproc={limits.processes}"]
    if level == "full":
        return sandbox_prefix(workdir) + drop + python, _environment(level, f"{SANDBOX_HOME}/work")
    return drop + python, _environment(level, str(workdir))


def run_cells(cells: list[dict], workdir: Path, limits: Limits | None = None,
              require_full: bool = False) -> RunReport:
    """Run ``cells`` ([{"source", "kind": setup|answer|test}]) on a copy of ``workdir``."""
    limits = limits or Limits()
    level = isolation_level()
    if require_full and level != "full":
        raise SandboxUnavailable(refusal(level))
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="manabu-sandbox-") as tmp:
        copy = Path(tmp) / "work"
        shutil.copytree(workdir, copy, symlinks=False,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        os.chmod(tmp, 0o711)
        if _as_nobody(level):
            for path in [copy, *copy.rglob("*")]:
                os.lchown(path, NOBODY, NOBODY)
        argv, env = command(level, copy, limits)
        request = json.dumps({"cells": cells, "limits": {
            "cell_seconds": limits.cell_seconds, "memory_mb": limits.memory_mb, "lang": limits.lang, "output_chars": limits.output_chars,
            "notebook_chars": limits.notebook_chars}})
        with open(Path(tmp) / "runner.err", "w+b") as err:
            report = _supervise(argv, env, copy, request, cells, limits, level, err)
    report.seconds = time.monotonic() - start
    return report


def _supervise(argv, env, cwd, request, cells, limits: Limits, level: str, err) -> RunReport:
    from course.i18n import translator

    _ = translator(limits.lang)  # the course language, for the teacher's and student's words
    results: dict[int, CellResult] = {}
    problems: list[str] = []
    cut = timed_out = False

    def cell_number(index: int) -> int:
        return cells[index]["index"] + 1
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=err, cwd=cwd, env=env,
                            preexec_fn=_rlimits(limits))
    try:
        proc.stdin.write(request.encode())
        proc.stdin.close()
    except BrokenPipeError:
        pass
    os.set_blocking(proc.stdout.fileno(), False)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    buffer = b""
    current, cell_started = None, time.monotonic()
    notebook_deadline = time.monotonic() + limits.notebook_seconds
    max_line = 4 * limits.notebook_chars + 1_000_000
    ended = False
    try:
        while not ended:
            now = time.monotonic()
            cell_deadline = cell_started + limits.cell_seconds + 5  # the runner interrupts first
            deadline = min(notebook_deadline, cell_deadline if current is not None else 1e18)
            if now >= deadline:
                timed_out = True
                if current is None:
                    problems.append(_("Python did not start within the notebook's time budget; "
                                      "no cell ran"))
                elif now >= notebook_deadline:
                    problems.append(_("cell {n} ran past the notebook's time budget; the cells "
                                      "after it did not run").format(n=cell_number(current)))
                else:
                    problems.append(_("cell {n} ran past the {seconds} s limit per cell; the "
                                      "cells after it did not run").format(
                        n=cell_number(current), seconds=f"{limits.cell_seconds:g}"))
                break
            if not sel.select(timeout=min(1.0, deadline - now)):
                continue
            chunk = proc.stdout.read()
            if not chunk:  # the process ended
                if current is not None or len(results) < len(cells):
                    try:
                        code = proc.wait(timeout=5)
                    except subprocess.TimeoutExpired:
                        code = "?"
                    if current is None:
                        problems.append(_("the Python process ended before the first cell "
                                          "(exit code {code}); no cell ran").format(code=code))
                    else:
                        problems.append(_("the Python process ended during cell {n} (exit code "
                                          "{code}); the cells after it did not run").format(
                            n=cell_number(current), code=code))
                break
            buffer += chunk
            if len(buffer) > max_line:
                problems.append(_("too much output; the cells after it did not run"))
                break
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                message = json.loads(line)
                if message["event"] == "start":
                    current, cell_started = message["cell"], time.monotonic()
                elif message["event"] == "done":
                    results[message["cell"]] = CellResult(
                        bool(message["ok"]), message["outputs"], message["count"],
                        message["restored"])
                    cut = cut or message.get("cut", False)
                    if message.get("timed_out"):
                        problems.append(_("cell {n} ran longer than {seconds} s and was "
                                          "stopped").format(n=cell_number(message["cell"]),
                                                            seconds=f"{limits.cell_seconds:g}"))
                    current = None
                elif message["event"] == "end":
                    ended = True
    except (ValueError, KeyError) as error:  # not `err`: that name is the stderr file
        problems.append(_("the grading process sent something unexpected ({error}); the cells "
                          "after it did not run").format(error=error))
    finally:
        _kill(proc)
        sel.close()
    err.seek(0)
    stderr = err.read(20_000).decode(errors="replace")
    if problems and stderr.strip() and not results:
        problems[-1] += f" [{stderr.strip().splitlines()[-1][:300]}]"
    cells_out = []
    for i in range(len(cells)):
        if i in results:
            cells_out.append(results[i])
        elif i == current:
            cells_out.append(CellResult(False, [_stopped_output(timed_out, _)],
                                        None, [], True))
        else:
            cells_out.append(CellResult(False, [], None, [], False))
    restored = sorted({name for r in results.values() for name in r.restored})
    return RunReport(level, cells_out, 0.0, problems, restored, cut)


def _stopped_output(timed_out: bool, _) -> dict:
    """The error a student sees in the cell that was stopped from outside (``_``: the course
    language)."""
    if timed_out:
        return _error_output("TimeoutError", _(
            "This cell was stopped because it ran too long, so the cells after it did not run. "
            "Look for a loop that never ends."))
    return _error_output("RuntimeError", _(
        "Python stopped while running this cell, so the cells after it did not run."))


def _error_output(ename: str, evalue: str) -> dict:
    return {"output_type": "error", "ename": ename, "evalue": evalue,
            "traceback": [f"{ename}: {evalue}"]}


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - a process stuck in the kernel
        pass
    try:
        proc.stdout.close()
    except OSError:
        pass
