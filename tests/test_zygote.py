"""Submissions forked from the pre-imported zygote (autograder.grading.zygote) are as isolated
as in a fresh sandbox: a child cannot read a sibling's submission, cannot signal the zygote or a
sibling, and nothing it leaves behind outlives it. The rest of the sandbox's promises (budgets,
caps, hidden lesson texts, honest tests, fork bombs) are test_sandbox.py's, which runs on the
fork path too. Scores through nbgrader, fork and fresh side by side: test_grading.py."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from autograder.grading.sandbox import SLOT_UID, Limits, run_cells
from autograder.grading.zygote_client import _zygotes

SETUP = "from course import check"
LIMITS = Limits(cell_seconds=20, notebook_seconds=60)


def cells(*specs):
    return [{"index": i, "kind": kind, "source": src} for i, (kind, src) in enumerate(specs)]


def text(result) -> str:
    return "\n".join(o.get("text", "") + o.get("evalue", "") for o in result.outputs)


def folder(tmp_path, name: str, files: dict[str, str]):
    path = tmp_path / "submitted" / name / "e01"
    path.mkdir(parents=True)
    for file, content in files.items():
        (path / file).write_text(content)
    return path


def both(first, second):
    """Run two submissions at the same time, as two grading workers' children would."""
    with ThreadPoolExecutor(2) as pool:
        one, two = pool.submit(run_cells, *first), pool.submit(run_cells, *second)
        return one.result(), two.result()


def test_a_submission_runs_in_a_forked_child_with_the_libraries_already_imported(tmp_path):
    work = folder(tmp_path, "kai", {"mine.txt": "x"})
    probe = cells(("setup", SETUP), ("answer", "import sys, os\nprint('preloaded' if "
                                               "'sklearn.neighbors' in sys.modules else 'fresh', "
                                               "os.getpid(), os.getuid(), sorted(os.listdir()))"))
    first = run_cells(probe, work, LIMITS)
    zygote = _zygotes[os.getpid()]
    second = run_cells(probe, work, LIMITS)
    assert _zygotes[os.getpid()] is zygote and zygote.alive()
    for report in (first, second):
        said = text(report.cells[1]).split(maxsplit=3)
        assert said[0] == "preloaded" and said[1] == "2", said  # PID 2: under its own PID 1
        assert int(said[2]) >= SLOT_UID and said[3].strip() == "['mine.txt']"


SEARCH = """import os
found = []
def look(top):
    for root, dirs, files in os.walk(top, onerror=lambda e: None):
        for name in files:
            try:
                with open(os.path.join(root, name), errors='replace') as f:
                    content = f.read(1000)
                if content.startswith('SECRET-'):
                    found.append(content)
            except OSError:
                pass
import time
time.sleep(2)  # the sibling has started and copied its submission in
for top in ['/home', '/tmp', '/dev/shm', '/run', '/var', '/mnt']:
    look(top)
for pid in [p for p in os.listdir('/proc') if p.isdigit()]:
    look(f'/proc/{pid}/root/home')
    look(f'/proc/{pid}/cwd')
print('found:', sorted(set(found)))
"""


def test_a_forked_child_cannot_read_a_sibling_submission(tmp_path):
    """The search finds its own submission's file (so it works), never the sibling's."""
    mine = folder(tmp_path, "ren", {"ren.txt": "SECRET-\nrens-own"})
    theirs = folder(tmp_path, "yui", {"yui.txt": "SECRET-\nyuis-answer"})
    attacker = cells(("setup", SETUP), ("answer", SEARCH))
    victim = cells(("setup", SETUP), ("answer", "import time\ntime.sleep(6)\nanswer = 1"),
                   ("test", "check(answer == 1, 'fine')"))
    searched, sibling = both((attacker, mine, LIMITS), (victim, theirs, LIMITS))
    said = text(searched.cells[1])
    assert "rens-own" in said, said
    assert "yuis-answer" not in said, said
    assert sibling.cells[2].ok, text(sibling.cells[2])


KILL_ALL = """import os, signal, time
for _ in range(20):
    for pid in [int(p) for p in os.listdir('/proc') if p.isdigit()]:
        if pid != os.getpid():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    try:
        os.kill(-1, signal.SIGKILL)   # every process this user may signal, but itself
    except OSError:
        pass
    time.sleep(0.05)
if os.fork() == 0:          # a process left behind, to outlive the run
    os.setsid()
    if os.fork() == 0:
        time.sleep(30)
    os._exit(0)
time.sleep(0.5)
print('still here')
"""


def left_behind(zygote) -> list[str]:
    """Processes of a sandbox user still running under the zygote (none once a run is over)."""
    import time

    import psutil

    for _ in range(20):  # the kernel takes a moment to end a namespace
        found = [f"{p.pid} uid {p.uids().real}" for p in
                 psutil.Process(zygote.proc.pid).children(recursive=True)
                 if p.status() != psutil.STATUS_ZOMBIE and p.uids().real >= SLOT_UID]
        if not found:
            return []
        time.sleep(0.1)
    return found


def test_a_forked_child_cannot_kill_the_zygote_or_a_sibling_and_leaves_nothing_behind(tmp_path):
    """A child that kills every process it can see harms only itself: the sibling graded at the
    same time finishes and passes, the zygote is the same process as before, and the process it
    started to outlive its run ended with it."""
    run_cells(cells(("setup", SETUP), ("answer", "answer = 1")), folder(tmp_path, "a", {}), LIMITS)
    zygote = _zygotes[os.getpid()]
    pid = zygote.proc.pid
    attacker = cells(("setup", SETUP), ("answer", KILL_ALL))
    patient = cells(("setup", SETUP), ("answer", "import time\ntime.sleep(3)\nanswer = 1"),
                    ("test", "check(answer == 1, 'fine')"))
    killer, sibling = both((attacker, folder(tmp_path, "ren", {}), LIMITS),
                           (patient, folder(tmp_path, "yui", {}), LIMITS))
    assert "still here" in text(killer.cells[1]), (killer.problems, text(killer.cells[1]))
    assert sibling.cells[2].ok and not sibling.problems, (sibling.problems, text(sibling.cells[2]))
    assert left_behind(zygote) == []
    assert _zygotes[os.getpid()] is zygote and zygote.alive() and zygote.proc.pid == pid
