"""The grading sandbox on its own (autograder.grading.sandbox.run_cells): isolation, budgets, caps, and
honest tests: test cells run in the judge, never in the student's process, so tampering there
cannot change a result. No nbgrader here: see test_grading_safety.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autograder.grading.sandbox import (
    SLOT_UID,
    Limits,
    SandboxUnavailable,
    describe,
    isolation_level,
    run_cells,
)

SETUP = "from course import check\nimport numpy as np\nimport builtins"
FAST = Limits(cell_seconds=3, notebook_seconds=30)


def cells(*specs):
    """[(kind, source), ...] -> the runner's cell list."""
    return [{"index": i, "kind": kind, "source": src} for i, (kind, src) in enumerate(specs)]


def text(result) -> str:
    return "\n".join(o.get("text", "") + o.get("evalue", "") + str(o.get("data", ""))
                     for o in result.outputs)


@pytest.fixture()
def workdir(tmp_path):
    folder = tmp_path / "submitted" / "kai" / "e01"
    folder.mkdir(parents=True)
    (folder / "e01.ipynb").write_text("{}")
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "secret.txt").write_text("HIDDEN TEST TEXT")
    return folder


def test_full_isolation_is_available_here():
    # CI runs as root with bubblewrap installed by `make test`: anything less is a regression.
    assert isolation_level() == "full", describe(isolation_level())
    assert "unprivileged user of its own" in describe("full")


def test_student_code_sees_only_its_copy(workdir, tmp_path):
    course_root = tmp_path
    report = run_cells(cells(
        ("setup", SETUP),
        ("answer", "import os\nprint(os.getuid(), os.getcwd())\nprint(sorted(os.listdir('.')))"),
        ("answer", f"print(open({str(course_root / 'source' / 'secret.txt')!r}).read())"),
        ("answer", f"open({str(course_root / 'pwned.txt')!r}, 'w').write('x')"),
        ("answer", "open('../pwned.txt', 'w').write('x')"),
        ("answer", "open('/tmp/pwned.txt', 'w').write('x'); open('mine.txt', 'w').write('ok')"),
        ("answer", "import socket\nsocket.create_connection(('127.0.0.1', 22), timeout=2)"),
        ("answer", f"import os\nhome = {str(Path.home())!r}\n"
                   f"print(sorted(os.listdir(home)) if os.path.isdir(home) else [], "
                   f"os.path.exists({str(Path(__file__).parent.parent / 'lessons')!r}))"),
    ), workdir, FAST)
    assert report.level == "full" and not report.problems
    uid_line = text(report.cells[1])
    uid, folder = uid_line.split()[:2]
    assert int(uid) >= SLOT_UID and folder == "/home/student/work" and "e01.ipynb" in uid_line
    for number in (2, 3):
        assert not report.cells[number].ok
        assert report.cells[number].outputs[-1]["ename"] in (
            "FileNotFoundError", "PermissionError", "OSError")
    assert "HIDDEN TEST TEXT" not in text(report.cells[2])
    assert report.cells[4].ok  # '..' is the sandbox's own home, a memory file system
    assert report.cells[5].ok  # /tmp inside is a private tmpfs; the copy itself is writable
    assert not report.cells[6].ok  # no network, not even loopback
    # the teacher's home holds at most the Python install; the lesson sources are not there
    home_inside, lessons_inside = text(report.cells[7]).strip().rsplit(" ", 1)
    assert lessons_inside == "False" and (Path(__file__).parent.parent / "lessons").exists()
    inside = set(eval(home_inside))
    assert inside <= {".pyenv", ".local"} and set(os.listdir(Path.home())) - inside
    assert not (course_root / "pwned.txt").exists() and not Path("/tmp/pwned.txt").exists()
    assert not (workdir.parent / "pwned.txt").exists() and not (workdir / "mine.txt").exists()


def test_budgets_and_caps(workdir):
    report = run_cells(cells(
        ("setup", SETUP),
        ("answer", "while True:\n    pass"),                      # interrupted, then goes on
        ("answer", "x = bytearray(3 * 1024 ** 3)"),                # over the 1 GiB memory limit
        ("answer", "print('x' * 50_000_000)"),                     # one huge line
        ("answer", "import sys\nsys.exit(3)"),                     # an error, nothing more
        ("test", "check(1 + 1 == 2, 'sums')\nprint('still here')"),
    ), workdir, FAST)
    loop, memory, huge, exit_, test = report.cells[1:]
    assert loop.outputs[-1]["ename"] == "TimeoutError" and "3 seconds" in loop.outputs[-1]["evalue"]
    assert memory.outputs[-1]["ename"] == "MemoryError"
    assert huge.ok and len(huge.outputs[0]["text"]) == FAST.output_chars and report.cut
    assert not exit_.ok and exit_.outputs[0]["ename"] == "SystemExit"
    assert test.ok and "still here" in text(test)
    assert any("ran longer than 3 s" in p for p in report.problems)


def test_a_loop_that_ignores_the_interrupt_is_killed_and_later_tests_do_not_count(workdir):
    report = run_cells(cells(
        ("setup", SETUP),
        ("answer", "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"),
        ("test", "check(True, 'never reached')"),
    ), workdir, Limits(cell_seconds=1, notebook_seconds=30))
    assert report.cells[1].outputs[-1]["ename"] == "TimeoutError"
    assert "ran too long" in report.cells[1].outputs[-1]["evalue"]
    assert not report.cells[2].ran and not report.cells[2].ok
    assert "ran past" in report.problems[0] and "did not run" in report.problems[0]


def test_whole_notebook_budget(workdir):
    report = run_cells(cells(*[("answer", "import time\ntime.sleep(1.5)")] * 6,
                             ("test", "print('late')")),
                       workdir, Limits(cell_seconds=5, notebook_seconds=4))
    assert "time budget" in report.problems[0]
    assert sum(c.ran for c in report.cells) <= 4 and not report.cells[-1].ran


def test_os_exit_ends_the_run_but_keeps_what_ran(workdir):
    report = run_cells(cells(
        ("setup", SETUP),
        ("test", "check(True, 'fine')\nprint('first test ran')"),
        ("answer", "import os\nos._exit(0)"),
        ("test", "check(True, 'fine')"),
    ), workdir, FAST)
    assert report.cells[1].ok and "first test ran" in text(report.cells[1])
    assert not report.cells[3].ok and "ended" in report.problems[0]


TAMPERING = {
    "check": "check = lambda *a, **k: None",
    "builtins.bool": "builtins.bool = lambda *a: True",
    "numpy.array_equal": "np.array_equal = lambda *a, **k: True",
    "course.checks.check.__code__": "check.__code__ = (lambda *a, **k: None).__code__",
    "course.checks.CheckFailed": "import course.checks\ncourse.checks.CheckFailed = type('Fine', (Exception,), {})",
    "input_transformers_post": "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])",
    "set_custom_exc": "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)",
    "sys.settrace": "import sys\nsys.settrace(lambda *a: None)",
    "sys.modules": "import sys, types\nfake = types.ModuleType('course')\nfake.check = lambda *a, **k: None\nsys.modules['course'] = fake",
    "_showtraceback": "get_ipython()._showtraceback = lambda *a, **k: None",
}


@pytest.mark.parametrize("what", sorted(TAMPERING))
def test_tampering_in_the_students_process_cannot_change_a_test(workdir, what):
    report = run_cells(cells(
        ("setup", SETUP),
        ("answer", "answer = 3\n" + TAMPERING[what]),
        ("test", "from course import check\ncheck(answer == 4, 'not four')"),
        ("test", "check(bool(np.array_equal([1], [2])) is False, 'numpy lies')"),
    ), workdir, FAST)
    wrong, numpy_test = report.cells[2], report.cells[3]
    assert not wrong.ok and wrong.outputs and wrong.outputs[-1]["ename"] == "CheckFailed", what
    assert numpy_test.ok, what


@pytest.mark.parametrize("what", ["check", "builtins.bool", "set_custom_exc"])
def test_the_tampering_tests_can_fail(workdir, what):
    """Run in the student's own process (the old design), the trick hides a wrong answer from
    nbgrader, which scores a test by its error outputs: the same check, run as a student cell
    in the sandbox, shows no error."""
    report = run_cells(cells(("setup", SETUP), ("answer", "answer = 3\n" + TAMPERING[what]),
                             ("answer", "check(answer == 4, 'not four')")), workdir, FAST)
    assert not any(o["output_type"] == "error" for o in report.cells[2].outputs)


FOOLS = {  # answers that are not data: every one must fail `answer == 4`-style checks
    "eq-always-true": "class A:\n    def __eq__(self, other):\n        return True\nanswer = A()",
    "int-subclass": "class I(int):\n    def __eq__(self, other):\n        return True\n"
                    "answer = I(3)",
    "numpy-scalar-subclass": "class F(np.float64):\n    def __eq__(self, other):\n"
                             "        return True\nanswer = F(3)",
    "list-subclass": "class L(list):\n    def __eq__(self, other):\n        return True\n"
                     "answer = L([3])",
    "object-array": "answer = np.array([3, 'x'], dtype=object)",
    "module": "import math as answer",
}


@pytest.mark.parametrize("what", sorted(FOOLS))
def test_only_plain_data_reaches_a_test(workdir, what):
    report = run_cells(cells(("setup", SETUP), ("answer", FOOLS[what]),
                             ("test", "check(answer == 4, 'not four')"),
                             ("test", "check(answer == [4], 'not four')")), workdir, FAST)
    for test in report.cells[2:]:
        assert not test.ok and test.outputs[-1]["ename"] == "CheckFailed", what
    assert "not an answer of the right kind" in text(report.cells[2]), what


def test_a_thread_that_patches_again_and_the_request_in_memory_change_nothing(workdir):
    """Tricks the old in-process runner could not undo: a thread that keeps patching after each
    restore, and reading the grader's request (hidden tests) out of memory with gc."""
    marker = "SECRET-HIDDEN-TEST-MARKER"
    report = run_cells(cells(
        ("setup", SETUP),
        ("answer", "import builtins, gc, threading, time\nanswer = 3\n"
                   "def patch():\n    while True:\n        builtins.bool = lambda *a: True\n"
                   "        time.sleep(0.001)\n"
                   "threading.Thread(target=patch, daemon=True).start()\ntime.sleep(0.05)"),
        ("test", f"# {marker}\ncheck(answer == 4, 'not four')"),
        ("answer", f"import gc\nfound = [o for o in gc.get_objects() if isinstance(o, str) "
                   f"and '{marker[:-1]}' + 'R' in o]\nprint('found', len(found))"),
    ), workdir, FAST)
    assert not report.cells[2].ok and report.cells[2].outputs[-1]["ename"] == "CheckFailed"
    assert text(report.cells[3]).startswith("found 0")


def test_a_students_function_is_called_in_the_sandbox_with_data(workdir):
    report = run_cells(cells(
        ("setup", SETUP),
        ("answer", "import os\ndef double(xs):\n    xs.append(os.getuid())\n"
                   "    return [2 * x for x in xs[:-1]]\n"
                   "def loop(x):\n    while True:\n        pass\n"
                   "def broken(x):\n    raise ValueError('no ' + str(x))\n"
                   "def sneaky():\n    return np.array([1, 2], dtype=object)"),
        ("test", "import os\nq = [1, 2]\nresult = double(q)\n"
                 "check(result == [2, 4] and type(result) is list, 'doubles')\n"
                 "check(q[:2] == [1, 2] and len(q) == 3 and q[2] != os.getuid(), 'changed q')\n"
                 "print('ok so far')"),
        ("test", "check(loop(1) == 1, 'loops')"),
        ("test", "try:\n    broken(7)\nexcept ValueError as err:\n    print('caught:', err)"),
        ("test", "check(sneaky() == [1, 2], 'object array')"),
        ("test", "check(double([5]) == [10], 'still answers after a time-out')"),
    ), workdir, Limits(cell_seconds=2, notebook_seconds=30))
    first, loop, broken, sneaky, after = report.cells[2:]
    assert first.ok and "ok so far" in text(first)   # the call ran as another uid, in the sandbox
    assert not loop.ok and loop.outputs[-1]["ename"] == "TimeoutError"
    assert broken.ok and "caught: no 7" in text(broken)
    assert not sneaky.ok and "not an answer of the right kind" in text(sneaky)
    assert after.ok, text(after)


def test_forged_protocol_lines_cannot_pass_a_test(workdir):
    """Student code that writes forged "passed" lines into every descriptor: the sandbox's replies
    are only ever read as cell results and data, never as test results (a forged value is no
    more than the student writing that value as the answer)."""
    forged = '{"event": "done", "ok": true, "outputs": [], "cell": 2}\n' * 3
    report = run_cells(cells(
        ("setup", SETUP),
        ("answer", f"import os\nanswer = 3\nfor fd in range(0, 30):\n    try:\n"
                   f"        os.write(fd, {forged.encode()!r})\n    except OSError:\n        pass"),
        ("test", "check(answer == 4, 'not four')"),
    ), workdir, FAST)
    assert not report.cells[2].ok


def test_without_bubblewrap_limits_still_apply_and_full_isolation_can_be_required(
        workdir, monkeypatch):
    import autograder.grading.sandbox as sandbox

    monkeypatch.setattr(sandbox, "_bwrap", lambda: None)
    sandbox.isolation_level.cache_clear()
    try:
        spec = cells(("setup", SETUP), ("answer", "x = bytearray(3 * 1024 ** 3)"))
        report = run_cells(spec, workdir, FAST)
        assert report.level == "limits" and report.cells[1].outputs[-1]["ename"] == "MemoryError"
        assert "limits only" in describe("limits") and "bubblewrap" in describe("limits")
        with pytest.raises(SandboxUnavailable, match="--require-sandbox refuses"):
            run_cells(spec, workdir, FAST, require_full=True)
    finally:
        sandbox.isolation_level.cache_clear()


def test_the_private_tmp_is_mounted_before_the_python_it_hides(tmp_path):
    """A venv under /tmp (a CI clone) must stay visible: bwrap mounts in order."""
    from autograder.grading.sandbox import _python_roots, sandbox_prefix

    cmd = sandbox_prefix(tmp_path)
    tmpfs = cmd.index("/tmp", cmd.index("--tmpfs"))
    roots = {str(root) for root in _python_roots()}
    binds = [i for i, arg in enumerate(cmd) if arg == "--ro-bind" and cmd[i + 1] in roots]
    assert binds and min(binds) > tmpfs


def test_messages_for_the_student_follow_the_course_language(workdir):
    report = run_cells(cells(("setup", SETUP), ("answer", "while True:\n    pass"),
                             ("answer", "input()")),
                       workdir, Limits(cell_seconds=2, notebook_seconds=30, lang="ja"))
    assert "2 秒より長く動いた" in report.cells[1].outputs[-1]["evalue"]
    assert "input() は使えません" in report.cells[2].outputs[-1]["evalue"]


def test_garbage_on_the_protocol_stops_the_run_with_a_reason(workdir):
    """Student code that writes junk into every open file descriptor (the runner's private
    channel among them) ends the run with a clear problem, never a crash of the grader."""
    report = run_cells(cells(
        ("setup", SETUP),
        ("answer", "import os\nfor fd in range(3, 30):\n    try:\n        os.write(fd, b'not json\\n')\n"
                   "    except OSError:\n        pass"),
        ("test", "check(True, 'fine')"),
    ), workdir, FAST)
    assert any("something unexpected" in p for p in report.problems), report.problems
    assert not report.cells[2].ok


def test_problems_for_the_teacher_follow_the_course_language(workdir):
    report = run_cells(cells(("setup", SETUP),
                             ("answer", "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                        "while True:\n    pass")),
                       workdir, Limits(cell_seconds=1, notebook_seconds=30, lang="ja"))
    assert report.problems and "セル 2" in report.problems[0] and "ran" not in report.problems[0]
    assert "長く動きすぎた" in report.cells[1].outputs[-1]["evalue"]  # the student's message


def test_a_fork_bomb_does_not_starve_a_classmate_graded_at_the_same_time(tmp_path):
    """Each sandbox runs as a uid of its own, so the process limit is per submission."""
    from concurrent.futures import ThreadPoolExecutor

    folders = []
    for name in ("bomber", "classmate"):
        folder = tmp_path / name
        folder.mkdir()
        folders.append(folder)
    bomb = cells(("setup", SETUP), ("answer", "import os, time\nkids = 0\n"
                                              "for _ in range(500):\n    try:\n"
                                              "        if os.fork() == 0:\n"
                                              "            time.sleep(8)\n            os._exit(0)\n"
                                              "        kids += 1\n    except OSError:\n"
                                              "        break\nprint('kids', kids)\ntime.sleep(6)"))
    work = cells(("setup", SETUP), ("answer", "import time\ntime.sleep(1.5)\n"
                                              "from concurrent.futures import ThreadPoolExecutor\n"
                                              "with ThreadPoolExecutor(8) as pool:\n"
                                              "    total = sum(pool.map(abs, range(-50, 50)))\n"
                                              "answer = total"),
                 ("test", "check(answer == 2500, 'threads work')"))
    limits = Limits(cell_seconds=15, notebook_seconds=40, processes=32)
    with ThreadPoolExecutor(2) as pool:
        bomber = pool.submit(run_cells, bomb, folders[0], limits)
        classmate = pool.submit(run_cells, work, folders[1], limits)
        bombed, fine = bomber.result(), classmate.result()
    assert "kids" in text(bombed.cells[1]) and int(text(bombed.cells[1]).split()[1]) < 32
    assert fine.cells[2].ok, [text(c) for c in fine.cells]


def test_files_and_temporary_files_count_against_the_disk_budget(workdir):
    report = run_cells(cells(
        ("setup", SETUP),
        ("answer", "open('big.bin', 'wb').write(b'x' * 40 * 1024 * 1024)"),
        ("answer", "import tempfile\nwith tempfile.TemporaryFile() as f:\n"
                   "    f.write(b'x' * 40 * 1024 * 1024)"),
        ("answer", "open('/tmp/big.bin', 'wb').write(b'x' * 40 * 1024 * 1024)"),
        ("answer", "open('/dev/shm/big.bin', 'wb').write(b'x' * 40 * 1024 * 1024)"),
        ("answer", "open('small.txt', 'w').write('fine')"),
    ), workdir, Limits(cell_seconds=10, notebook_seconds=60, disk_mb=50, file_mb=64))
    big, temp, tmp, shm, small = report.cells[1:]
    assert big.ok and not temp.ok  # 40 MB fits in 50 MB; 80 MB together do not
    assert "No space left" in text(temp)
    assert not tmp.ok and not shm.ok  # /tmp and /dev/shm: 32 MB each
    assert small.ok or "No space left" in text(small)


def test_lesson_texts_are_hidden_wherever_they_are_installed(workdir, monkeypatch):
    """A system-wide install keeps lessons under /usr (bound into the sandbox): hidden anyway."""
    import shutil

    import autograder.grading.sandbox as sandbox

    lessons = Path("/usr/local/share/manabu-test-lessons")
    (lessons / "e01").mkdir(parents=True, exist_ok=True)
    (lessons / "e01" / "en.md").write_text("ANSWER KEY")
    monkeypatch.setenv("MANABU_LESSONS", str(lessons))
    try:
        assert lessons in sandbox.lesson_text_paths()
        report = run_cells(cells(("setup", SETUP), ("answer", f"import os\nprint(os.listdir("
                                                            f"{str(lessons)!r}))")),
                           workdir, FAST)
        assert text(report.cells[1]).strip() == "[]"
    finally:
        shutil.rmtree(lessons)


def test_an_unwritten_function_is_named_not_judged(workdir):
    report = run_cells(cells(("setup", SETUP),
                             ("answer", "def mse(a, b):\n    \"\"\"The mean squared error.\"\"\"\n    ..."),
                             ("test", "check(mse([1], [2]) == 1.0, 'Square each mistake.')")),
                       workdir, FAST)
    assert not report.cells[2].ok and "mse() is not written yet" in text(report.cells[2])
    assert "Square each mistake" not in text(report.cells[2])
