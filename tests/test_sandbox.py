"""The grading sandbox on its own (autograder.sandbox.run_cells): isolation, budgets, caps, and
tampering that is put back before every test. No nbgrader here: see test_grading_safety.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autograder.sandbox import Limits, SandboxUnavailable, describe, isolation_level, run_cells

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
    assert "nobody" in describe("full")


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
    assert uid_line.startswith("65534 /home/student/work") and "e01.ipynb" in uid_line
    for number in (2, 3, 4):
        assert not report.cells[number].ok
        assert report.cells[number].outputs[-1]["ename"] in (
            "FileNotFoundError", "PermissionError", "OSError")
    assert "HIDDEN TEST TEXT" not in text(report.cells[2])
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
def test_tampering_is_put_back_before_the_tests(workdir, what):
    report = run_cells(cells(
        ("setup", SETUP),
        ("answer", "answer = 3\n" + TAMPERING[what]),
        ("test", "from course import check\ncheck(answer == 4, 'not four')"),
        ("test", "check(bool(np.array_equal([1], [2])) is False, 'numpy lies')"),
    ), workdir, FAST)
    wrong, numpy_test = report.cells[2], report.cells[3]
    assert not wrong.ok and wrong.outputs and wrong.outputs[-1]["ename"] == "CheckFailed", what
    assert numpy_test.ok, what
    assert report.restored, f"{what}: nothing reported as put back"


@pytest.mark.parametrize("what", ["check", "builtins.bool", "set_custom_exc"])
def test_the_tampering_tests_can_fail(workdir, what):
    """Without the put-back, the trick hides a wrong answer from nbgrader, which scores a test
    by its error outputs: the same check cell, run as an ordinary cell (nothing is put back
    before it), shows no error."""
    report = run_cells(cells(("setup", SETUP), ("answer", "answer = 3\n" + TAMPERING[what]),
                             ("answer", "check(answer == 4, 'not four')")), workdir, FAST)
    assert not report.restored
    assert not any(o["output_type"] == "error" for o in report.cells[2].outputs)


def test_without_bubblewrap_limits_still_apply_and_full_isolation_can_be_required(
        workdir, monkeypatch):
    import autograder.sandbox as sandbox

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
    from autograder.sandbox import _python_roots, sandbox_prefix

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
