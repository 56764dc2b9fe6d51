"""Run untrusted student code for grading: a copy of one submission, in a sandbox, with budgets.

Honest by design: the student's notebook runs in the sandbox (:mod:`autograder.grading.runner`); the test
cells, visible and hidden, run in a separate clean process, the judge (:mod:`autograder.grading.judge`),
and never enter the sandbox. This module starts both and carries the judge's questions to the
sandbox ("what is ``answer_k``?", "call ``mse`` with these numbers") and the answers back, which
are plain data (:mod:`autograder.grading.answerdata`). Student code can at most change the values it hands
over, never whether a test passed.

Isolation levels (the grader prints the one it reached):

``full``
    bubblewrap (``bwrap``): new mount, network, PID and IPC namespaces. The student code sees the
    Python install, the ``course`` library and a copy of its own submission folder, nothing else
    (not ``source/``, not the gradebook, not other students, not the teacher's home, no lesson
    text in any install mode); it has no network; it runs as an unprivileged user of its own
    (one uid per sandbox running at the same time, so process limits are per submission) when
    the grader is root, as the teacher's own user mapped in a user namespace when not. Its
    working folder, ``/tmp`` and ``/dev/shm`` are size-capped memory file systems: the disk budget.
``limits``
    no usable bubblewrap: resource limits only, and an unprivileged user when the grader is root.
    The code could still read files its user can read. ``--require-sandbox`` refuses this.

Resource limits (``rlimit``): memory (address space for data, default 1 GiB), processes, file
size, open files, CPU seconds. Time budgets: per cell and per call of a student's function
(interrupt, then kill) and per notebook (everything, the judge's work included).
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import resource
import selectors
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grading.limits import default

NOBODY = 65534
SLOT_UID = 1_700_000_000     # sandbox n runs as uid SLOT_UID + n: a uid no real account uses
SLOTS = 64
SANDBOX_HOME = "/home/student"


class SandboxUnavailable(RuntimeError):
    """Full isolation was required but this machine cannot give it."""


@dataclass
class Limits:
    """What one run may spend. The teacher's limits and their defaults are declared in
    :class:`autograder.grading.limits.GradingLimits` (see its ``for_sandbox``); the rest are fixed."""

    memory_mb: int = default("memory_mb")
    disk_mb: int = default("disk_mb")              # the working copy and its temporary files
    processes: int = 64
    file_mb: int = 64
    open_files: int = 256
    cell_seconds: float = default("cell_timeout")  # one cell, or one call of a student's function
    notebook_seconds: float = default("notebook_timeout")
    lang: str = "en"                 # the language of messages the student reads
    output_chars: int = default("output_chars")
    notebook_chars: int = default("notebook_chars")
    fork: bool = default("fork")     # start from the pre-imported zygote when it can


@dataclass
class CellResult:
    ok: bool
    outputs: list[dict]
    count: int | None = None
    ran: bool = True


@dataclass
class RunReport:
    level: str
    cells: list[CellResult]
    seconds: float
    problems: list[str]       # "stopped" reasons: time budget, process ended early
    refused: list[str] = field(default_factory=list)  # links, devices, FIFOs: never copied
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
    """Can another user run this Python? Not when it lives in root's home."""
    for path in [Path(sys.executable).resolve(), *_python_roots()]:
        for folder in [path, *path.parents]:
            if folder.is_dir() and not os.stat(folder).st_mode & 0o001:
                return False
    return True


def _unprivileged(level: str) -> bool:
    return os.geteuid() == 0 and (level == "full" or _others_can_run_python())


def describe(level: str, _=lambda message: message) -> str:
    """The isolation ``level`` in words, for the first line of a grading run (``_``: the
    teacher's language)."""
    who = _("as an unprivileged user of its own") if _unprivileged(level) else _("as your own user") if os.geteuid() \
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


def lesson_text_paths() -> list[Path]:
    """Where lesson texts (with answers and hidden tests) may lie on this machine: the wheel's
    ``course/_lessons``, ``MANABU_LESSONS``, the repository's ``lessons/``. Hidden in the
    sandbox wherever they are, ``/usr`` and ``/opt`` installs included."""
    import course
    from course.catalog import lessons_dir

    paths = {Path(course.__file__).resolve().parent / "_lessons"}
    try:
        paths.add(lessons_dir().resolve())
    except Exception:  # no lessons anywhere: nothing to hide
        pass
    return sorted(p for p in paths if p.is_dir())


def _visible(path: Path, binds: list[Path]) -> bool:
    return any(path == b or b in path.parents for b in binds)


def sandbox_prefix(copy: Path | None, limits: Limits | None = None) -> list[str]:
    """The bwrap command line that runs a program on a copy of a submission (``copy``, bound
    read-only; the runner copies it into a size-capped working folder). ``None``: no submission
    (the zygote, whose children each bind their own)."""
    limits = limits or Limits()
    mb = 1024 * 1024
    cmd = [_bwrap() or "bwrap", "--unshare-net", "--unshare-pid", "--unshare-ipc",
           "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session",
           "--ro-bind", "/usr", "/usr"]
    binds = [Path("/usr")]
    for name in ("bin", "lib", "lib64", "lib32", "sbin"):
        path = Path("/") / name
        if path.is_symlink():
            cmd += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            cmd += ["--ro-bind", str(path), str(path)]
    if os.geteuid() != 0:
        cmd += ["--unshare-user"]
    # a private /tmp first: the Python install or venv may itself live under /tmp (bound below)
    cmd += ["--proc", "/proc", "--dev", "/dev",
            "--size", str(32 * mb), "--perms", "1777", "--tmpfs", "/tmp",
            "--size", str(32 * mb), "--perms", "1777", "--tmpfs", "/dev/shm"]
    made = set()
    for root in _python_roots():
        for parent in reversed(root.parents):
            if str(parent) != "/" and parent not in made:
                cmd += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        cmd += ["--ro-bind", str(root), str(root)]
        binds.append(root)
    for hidden in lesson_text_paths():  # answers never show, whatever the install mode
        if _visible(hidden, binds):
            cmd += ["--tmpfs", str(hidden)]
    cmd += ["--size", str(limits.disk_mb * mb), "--perms", "0777", "--tmpfs", SANDBOX_HOME,
            "--perms", "0777", "--dir", f"{SANDBOX_HOME}/work",
            "--perms", "0777", "--dir", f"{SANDBOX_HOME}/tmp"]
    if copy is not None:
        cmd += ["--ro-bind", str(copy), f"{SANDBOX_HOME}/submission"]
    return cmd + ["--chdir", f"{SANDBOX_HOME}/work"]


def rlimit_values(limits: Limits) -> dict[str, int]:
    """The resource limits of one run, by name (``DATA`` is ``resource.RLIMIT_DATA``)."""
    mb = 1024 * 1024
    return {"DATA": limits.memory_mb * mb, "FSIZE": limits.file_mb * mb,
            "NOFILE": limits.open_files, "CORE": 0, "CPU": int(limits.notebook_seconds) + 30,
            "NPROC": limits.processes}


def _rlimits(limits: Limits, own_session: bool = True):
    def apply():
        if own_session:
            os.setsid()
        for name, value in rlimit_values(limits).items():
            # root is not bound by RLIMIT_NPROC; the sandbox's uid (set after this) is
            if name != "NPROC" or os.geteuid() != 0:
                resource.setrlimit(getattr(resource, f"RLIMIT_{name}"), (value, value))
    return apply


def _environment(level: str, workdir_inside: str) -> dict:
    tmp = "/tmp" if level == "full" else workdir_inside
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8",
           "HOME": workdir_inside, "MPLBACKEND": "module://matplotlib_inline.backend_inline",
           "MPLCONFIGDIR": f"{tmp}/.matplotlib", "IPYTHONDIR": f"{tmp}/.ipython",
           "TMPDIR": f"{SANDBOX_HOME}/tmp" if level == "full" else workdir_inside,
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "MALLOC_ARENA_MAX": "2", "JOBLIB_MULTIPROCESSING": "0", "PYTHONDONTWRITEBYTECODE": "1",
           "NBGRADER_EXECUTION": "autograde"}
    # no MANABU_LANG from the grader's own environment: the lesson speaks the language it was
    # built in, and the runner's messages follow limits.lang (the course's)
    return env


class Slot:
    """A uid of its own for one sandbox while it runs (root only): RLIMIT_NPROC counts processes
    per uid, so a fork bomb in one submission cannot starve a classmate graded at the same time."""

    def __init__(self):
        self.uid, self._handle = NOBODY, None
        if os.geteuid() != 0:
            return
        folder = Path(tempfile.gettempdir()) / "manabu-sandbox-slots"
        folder.mkdir(mode=0o700, exist_ok=True)
        for number in range(SLOTS):
            handle = open(folder / f"{number}.lock", "w")  # noqa: SIM115 - held while it runs
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            self.uid, self._handle = SLOT_UID + number, handle
            return

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def command(level: str, copy: Path, limits: Limits, uid: int = NOBODY) -> tuple[list[str], dict]:
    """The sandboxed runner's command line and environment."""
    python = [sys.executable, "-I", "-m", "autograder.grading.runner"]
    drop = []
    if _unprivileged(level):
        drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all"]
        # set after the switch of user: root is not bound by RLIMIT_NPROC (see _rlimits)
        drop += ["prlimit", f"--nproc={limits.processes}"]
    if level == "full":
        return (sandbox_prefix(copy, limits) + drop + python,
                _environment(level, f"{SANDBOX_HOME}/work"))
    return drop + python, _environment(level, str(copy))


def safe_copy(source: Path, target: Path) -> list[str]:
    """Copy a submission folder, never following a link: symbolic links, files with other hard
    links (they may be a file outside the folder), devices, FIFOs and sockets are left out.
    Returns the names of what was left out (relative to ``source``)."""
    refused = []
    target.mkdir(parents=True, exist_ok=True)
    for entry in sorted(os.scandir(source), key=lambda e: e.name):
        if entry.name == ".ipynb_checkpoints":
            continue
        info = entry.stat(follow_symlinks=False)
        if stat.S_ISDIR(info.st_mode):
            refused += [f"{entry.name}/{name}" for name in
                        safe_copy(Path(entry.path), target / entry.name)]
        elif _plain_file(info):
            shutil.copyfile(entry.path, target / entry.name, follow_symlinks=False)
        else:
            refused.append(entry.name)
    return refused


def unsafe_entries(folder: Path) -> list[str]:
    """What :func:`safe_copy` would leave out of ``folder``."""
    found = []
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            info = path.lstat()
            if not stat.S_ISDIR(info.st_mode) and not _plain_file(info):
                found.append(str(path.relative_to(folder)))
    return sorted(found)


def _plain_file(info: os.stat_result) -> bool:
    """A regular file with no other name: one a student cannot have linked to a file outside
    the folder (a symbolic link, a hard link, a device, a FIFO or a socket is not)."""
    return stat.S_ISREG(info.st_mode) and info.st_nlink == 1


class ChannelError(Exception):
    """A child process ended, was too slow, or said something that is not the protocol."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(kind, detail)
        self.kind, self.detail = kind, detail   # kind: "timeout" | "ended" | "garbage"


class Channel:
    """One child process's conversation: JSON lines in, JSON lines out, with deadlines."""

    def __init__(self, proc: subprocess.Popen, max_line: int):
        self.proc, self.max_line = proc, max_line
        self.buffer = b""
        os.set_blocking(proc.stdout.fileno(), False)
        self.selector = selectors.DefaultSelector()
        self.selector.register(proc.stdout, selectors.EVENT_READ)

    def send(self, message: dict) -> None:
        try:
            self.proc.stdin.write((json.dumps(message, ensure_ascii=False) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            raise ChannelError("ended") from None

    def receive(self, deadline: float) -> dict:
        while b"\n" not in self.buffer:
            now = time.monotonic()
            if now >= deadline:
                raise ChannelError("timeout")
            if not self.selector.select(timeout=min(1.0, deadline - now)):
                continue
            chunk = self.proc.stdout.read()
            if not chunk:
                raise ChannelError("ended")
            self.buffer += chunk
            if len(self.buffer) > self.max_line and b"\n" not in self.buffer[:self.max_line]:
                raise ChannelError("garbage", "too much output")
        line, self.buffer = self.buffer.split(b"\n", 1)
        try:
            message = json.loads(line)
        except (ValueError, RecursionError) as err:
            raise ChannelError("garbage", str(err)[:200]) from None
        if not isinstance(message, dict):
            raise ChannelError("garbage", "not a JSON object")
        return message

    def close(self) -> None:
        _kill(self.proc)
        self.selector.close()


def _start(argv, env, cwd, stderr, preexec) -> subprocess.Popen:
    return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                            cwd=cwd, env=env, preexec_fn=preexec)


_judges: dict[int, tuple[Channel, object]] = {}  # one idle judge per grading process


def _take_judge(limits: Limits):
    """A judge for one submission: this process's idle one, reset, or a new one. A judge runs
    only the lesson's code on data, so it can serve one submission after another; keeping it
    saves starting Python and importing the lesson's libraries for every student."""
    held = _judges.pop(os.getpid(), None)
    if held is not None:
        channel, err = held
        if channel.proc.poll() is None:
            try:
                channel.send({"op": "reset", "lang": limits.lang})
                err.seek(0)
                err.truncate()
                return channel, err
            except ChannelError:
                pass
        channel.close()
        err.close()
    argv, env = _judge_command()
    err = tempfile.TemporaryFile()
    channel = Channel(_start(argv, env, tempfile.gettempdir(), err,
                             _rlimits(_judge_limits(limits))), 64_000_000)
    try:
        channel.send({"lang": limits.lang})
    except ChannelError:
        pass  # seen at its first reply
    return channel, err


def _give_back_judge(channel: Channel, err, healthy: bool) -> None:
    if healthy and channel.proc.poll() is None and not channel.buffer:
        _judges[os.getpid()] = (channel, err)
    else:
        channel.close()
        err.close()


def _judge_command() -> tuple[list[str], dict]:
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8",
           "MPLBACKEND": "agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "PYTHONDONTWRITEBYTECODE": "1", "HOME": tempfile.gettempdir()}
    return [sys.executable, "-I", "-m", "autograder.grading.judge"], env


def run_cells(cells: list[dict], workdir: Path, limits: Limits | None = None,
              require_full: bool = False) -> RunReport:
    """Run ``cells`` ([{"index", "kind": setup|answer|test, "source"}]) for one submission.

    ``setup`` cells (the lesson's own, locked) run in the sandbox and in the judge; ``answer``
    cells (everything the student could write) only in the sandbox, on a copy of ``workdir``;
    ``test`` cells only in the judge, which asks the sandbox for the student's values as data.
    """
    limits = limits or Limits()
    level = isolation_level()
    if require_full and level != "full":
        raise SandboxUnavailable(refusal(level))
    start = time.monotonic()
    slot = Slot() if _unprivileged(level) else None
    zygote = _zygote(level, limits) if slot is not None else None
    with tempfile.TemporaryDirectory(prefix="manabu-sandbox-",
                                     dir=zygote.inbox if zygote else None) as tmp:
        copy = Path(tmp) / "work"
        refused = safe_copy(Path(workdir), copy)
        os.chmod(tmp, 0o711)
        if slot is not None:
            for path in [copy, *copy.rglob("*")]:
                os.lchown(path, slot.uid, slot.uid)
        try:
            uid = slot.uid if slot else NOBODY
            argv, env = command(level, copy, limits, uid)
            with open(Path(tmp) / "runner.err", "w+b") as err:
                if zygote is not None:
                    launch = functools.partial(zygote.spawn, Path(tmp).name, uid, limits.disk_mb,
                                               _environment(level, f"{SANDBOX_HOME}/work"),
                                               rlimit_values(limits), err)
                else:
                    launch = functools.partial(_start, argv, env, copy.parent, err,
                                               _rlimits(limits))
                run = _Run(cells, limits, level, copy, launch, err)
                report = run.go()
        finally:
            if slot is not None:
                slot.release()
    report.refused = refused
    report.seconds = time.monotonic() - start
    return report


class _Run:
    """One submission's run: the sandbox and the judge, driven cell by cell."""

    def __init__(self, cells, limits: Limits, level: str, copy: Path, launch, err):
        from course.i18n import translator

        self._ = translator(limits.lang)  # the course language, for the teacher's and student's words
        self.cells, self.limits, self.level, self.err = cells, limits, level, err
        self.results: dict[int, CellResult] = {}
        self.problems: list[str] = []
        self.cut = self.timed_out = False
        self.deadline = time.monotonic() + limits.notebook_seconds
        max_line = 4 * limits.notebook_chars + 2_000_000
        self.sandbox = Channel(launch(), max_line)  # a fresh sandbox, or the zygote's child
        self.judge, self.judge_err = _take_judge(limits)
        self.sandbox_alive = self.judge_alive = True
        self.stopped_at: int | None = None   # the cell that was running when the sandbox stopped
        inside = f"{SANDBOX_HOME}/submission" if level == "full" else None
        self._send_sandbox({"limits": {
            "cell_seconds": limits.cell_seconds, "memory_mb": limits.memory_mb,
            "lang": limits.lang, "output_chars": limits.output_chars,
            "notebook_chars": limits.notebook_chars}, "copy_from": inside})

    def number(self, position: int) -> int:
        return self.cells[position]["index"] + 1

    # -- the two channels, each failure turned into a problem in words --------------------------
    def _send_sandbox(self, message: dict) -> None:
        try:
            self.sandbox.send(message)
        except ChannelError:
            pass  # seen when its reply does not come

    def _send_judge(self, message: dict) -> None:
        try:
            self.judge.send(message)
        except ChannelError:
            pass

    def _sandbox_reply(self, position: int | None, seconds: float | None) -> dict | None:
        """The sandbox's next reply, or None after recording why it will never come."""
        now = time.monotonic()
        deadline = self.deadline if seconds is None else min(self.deadline, now + seconds)
        try:
            return self.sandbox.receive(deadline)
        except ChannelError as error:
            self._sandbox_failed(error, position)
            return None

    def _sandbox_failed(self, error: ChannelError, position: int | None) -> None:
        _ = self._
        self.sandbox_alive = False
        self.stopped_at = position
        if error.kind == "timeout":
            self.timed_out = True
            if position is None:
                self.problems.append(_("Python did not start within the notebook's time budget; "
                                       "no cell ran"))
            elif time.monotonic() >= self.deadline:
                self.problems.append(_("cell {n} ran past the notebook's time budget; the cells "
                                       "after it did not run").format(n=self.number(position)))
            else:
                self.problems.append(_("cell {n} ran past the {seconds} s limit per cell; the "
                                       "cells after it did not run").format(
                    n=self.number(position), seconds=f"{self.limits.cell_seconds:g}"))
        elif error.kind == "ended":
            code = self.sandbox.proc.poll()
            if code is None:
                try:
                    code = self.sandbox.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    code = "?"
            if position is None:
                self.problems.append(_("the Python process ended before the first cell "
                                       "(exit code {code}); no cell ran").format(code=code))
            else:
                self.problems.append(_("the Python process ended during cell {n} (exit code "
                                       "{code}); the cells after it did not run").format(
                    n=self.number(position), code=code))
        elif error.detail == "too much output":
            self.problems.append(_("too much output; the cells after it did not run"))
        else:
            self.problems.append(_("the grading process sent something unexpected ({error}); the "
                                   "cells after it did not run").format(error=error.detail))
        self.sandbox.close()

    def _judge_failed(self, error: ChannelError, position: int) -> None:
        _ = self._
        self.judge_alive = False
        if error.kind == "timeout" and time.monotonic() >= self.deadline:
            self.timed_out = True
            self.problems.append(_("cell {n} ran past the notebook's time budget; the cells "
                                   "after it did not run").format(n=self.number(position)))
        else:
            self.judge_err.seek(0)
            tail = self.judge_err.read()[-2000:].decode(errors="replace").strip().splitlines()
            self.problems.append(_("the tests could not be run ({error}); the tests after it did "
                                   "not run").format(error=(tail[-1] if tail else error.kind)[:300]))
        self.judge.close()

    # -- cells --------------------------------------------------------------------------------------
    def go(self) -> RunReport:
        try:
            ready = self._sandbox_reply(None, None)
            if ready is not None and ready.get("event") != "ready":
                self._sandbox_failed(ChannelError("garbage", "no ready line"), None)
            for position, cell in enumerate(self.cells):
                if not self.sandbox_alive:
                    break
                if cell["kind"] == "test":
                    self._test(position, cell)
                else:
                    self._student(position, cell)
        finally:
            if self.sandbox_alive:
                try:
                    self.sandbox.send({"op": "end"})
                except ChannelError:
                    pass
            self.sandbox.close()
            _give_back_judge(self.judge, self.judge_err, self.judge_alive)
        self.err.seek(0)
        stderr = self.err.read(20_000).decode(errors="replace")
        if self.problems and stderr.strip() and not self.results:
            self.problems[-1] += f" [{stderr.strip().splitlines()[-1][:300]}]"
        cells_out = []
        for position in range(len(self.cells)):
            if position in self.results:
                cells_out.append(self.results[position])
            elif position == self.stopped_at:
                cells_out.append(CellResult(False, [_stopped_output(self.timed_out, self._)],
                                            None, True))
            else:
                cells_out.append(CellResult(False, [], None, False))
        return RunReport(self.level, cells_out, 0.0, self.problems, [], self.cut)

    def _student(self, position: int, cell: dict) -> None:
        """A setup or answer cell: run in the sandbox (a setup cell in the judge too)."""
        if cell["kind"] == "setup" and self.judge_alive:
            self._send_judge({"op": "setup", "source": cell["source"], "cell": position})
        self._send_sandbox({"op": "run", "cell": position, "source": cell["source"]})
        reply = self._sandbox_reply(position, self.limits.cell_seconds + 5)
        if reply is not None:
            if reply.get("event") != "done":
                self._sandbox_failed(ChannelError("garbage", "not a cell result"), position)
            else:
                self.results[position] = self._cell_result(reply, position)
        if cell["kind"] == "setup" and self.judge_alive:
            try:
                done = self.judge.receive(self.deadline)
            except ChannelError as error:
                self._judge_failed(error, position)
            else:
                if not done.get("ok"):
                    _ = self._
                    self.judge_alive = False
                    outputs = done.get("outputs") or [{}]
                    self.problems.append(_(
                        "the lesson's setup cell failed in the checker ({error}); the tests did "
                        "not run").format(error=str(outputs[-1].get("evalue", "?"))[:300]))

    def _cell_result(self, reply: dict, position: int) -> CellResult:
        outputs = clean_outputs(reply.get("outputs"), self.limits)
        self.cut = self.cut or bool(reply.get("cut"))
        if reply.get("timed_out"):
            _ = self._
            self.problems.append(_("cell {n} ran longer than {seconds} s and was "
                                        "stopped").format(n=self.number(position),
                                                          seconds=f"{self.limits.cell_seconds:g}"))
        count = reply.get("count")
        return CellResult(reply.get("ok") is True, outputs,
                          count if type(count) is int else None)

    def _test(self, position: int, cell: dict) -> None:
        """A test cell: run in the judge; its questions go to the sandbox, answers come back."""
        if not self.judge_alive:
            return
        self._send_judge({"op": "test", "cell": position, "source": cell["source"]})
        while True:
            try:
                message = self.judge.receive(self.deadline)
            except ChannelError as error:
                self._judge_failed(error, position)
                return
            need = message.get("need")
            if need in ("get", "call"):
                self._send_judge(self._ask_sandbox(position, need, message))
                continue
            outputs = message.get("outputs") if isinstance(message.get("outputs"), list) else []
            self.results[position] = CellResult(message.get("ok") is True, outputs, None)
            return

    def _ask_sandbox(self, position: int, need: str, message: dict) -> dict:
        if not self.sandbox_alive:
            return {"gone": True}
        question = {"op": need, "name": str(message.get("name", ""))}
        if need == "call":
            question.update(args=message.get("args"), kwargs=message.get("kwargs"))
        self._send_sandbox(question)
        reply = self._sandbox_reply(position, self.limits.cell_seconds + 5)
        if reply is None:
            return {"gone": True}
        if reply.get("event") != "value":
            self._sandbox_failed(ChannelError("garbage", "not a value"), position)
            return {"gone": True}
        return {key: reply[key] for key in ("missing", "function", "stub", "value", "kind",
                                             "timeout",
                                             "raised", "message", "changed", "printed")
                if key in reply}


def _judge_limits(limits: Limits) -> Limits:
    """The judge runs only the teacher's code, on data: generous limits, still bounded."""
    return Limits(memory_mb=max(2048, 2 * limits.memory_mb), processes=limits.processes,
                  file_mb=limits.file_mb, open_files=limits.open_files,
                  notebook_seconds=24 * 3600)  # CPU seconds: it serves a whole class


OUTPUT_KEYS = {"stream": ("name", "text"), "error": ("ename", "evalue", "traceback"),
               "display_data": ("data", "metadata"),
               "execute_result": ("data", "metadata", "execution_count")}


def clean_outputs(outputs, limits: Limits) -> list[dict]:
    """The sandbox's outputs rebuilt as valid nbformat outputs (anything else is dropped), so a
    forged reply can never break nbgrader's notebook writing."""
    clean = []
    if not isinstance(outputs, list):
        return clean
    for out in outputs[:1000]:
        if not isinstance(out, dict) or out.get("output_type") not in OUTPUT_KEYS:
            continue
        kind = out["output_type"]
        if kind == "stream":
            if out.get("name") in ("stdout", "stderr") and isinstance(out.get("text"), str):
                clean.append({"output_type": kind, "name": out["name"], "text": out["text"]})
        elif kind == "error":
            trace = out.get("traceback")
            trace = [t for t in trace if isinstance(t, str)] if isinstance(trace, list) else []
            clean.append({"output_type": kind, "ename": str(out.get("ename", "Error"))[:200],
                          "evalue": str(out.get("evalue", ""))[:2000], "traceback": trace})
        else:
            data = out.get("data")
            if not isinstance(data, dict):
                continue
            data = {k: v for k, v in data.items() if isinstance(k, str) and "/" in k
                    and isinstance(v, (str, dict, list))}
            meta = out.get("metadata") if isinstance(out.get("metadata"), dict) else {}
            item = {"output_type": kind, "data": data, "metadata": meta}
            if kind == "execute_result":
                count = out.get("execution_count")
                item["execution_count"] = count if type(count) is int else None
            clean.append(item)
    return clean


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


def _zygote(level: str, limits: Limits):
    """This process's zygote when each submission can be forked from it with the same isolation
    as a fresh sandbox (full isolation, as root: see :mod:`autograder.grading.zygote`), else None."""
    if not (limits.fork and level == "full" and os.geteuid() == 0):
        return None
    from autograder.grading.zygote_client import zygote_for

    return zygote_for(sandbox_prefix(None, limits), _environment(level, f"{SANDBOX_HOME}/work"))


def _kill(proc) -> None:
    if not isinstance(proc, subprocess.Popen):  # the zygote's child: its namespace is killed
        proc.kill()
    elif proc.poll() is None:
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
