"""`manabu grade` on a corpus of crafted submissions of a real lesson (e01), through nbgrader's
gradebook and feedback: each gets the score and status it deserves, nothing secret reaches a
student-visible file, nothing is written outside the sandbox, and a killed run loses nothing."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from conftest import built_once, copy_course
from helpers import autograded_points, secret_lines, visible_text, wrong_answers

from autograder.build.lessonfile import BEGIN_HIDDEN, END_HIDDEN, region
from autograder.grading.grade import Options, grade_lesson
from autograder.grading.submissions import answer_cells, fill_answers, read_versions, submit

LESSON = "e01"
OPTIONS = Options(cell_timeout=5, notebook_timeout=25)


def e01(tmp_path_factory, lang: str) -> Path:
    """e01 built in ``lang`` once per test run (test_report and test_forgiving share it): copy it."""
    return built_once(tmp_path_factory, f"{LESSON}-{lang}", lang, [LESSON])


def with_cells(nb, edit):
    nb = copy.deepcopy(nb)
    edit(nb)
    return nb


def cell_of(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def append_to(grade_id, code):
    def edit(nb):
        cell_of(nb, grade_id).source += "\n" + code
    return edit


def prepend_to(grade_id, code):
    def edit(nb):
        cell = cell_of(nb, grade_id)
        cell.source = code + "\n" + cell.source
    return edit


def set_meta(grade_id, **changes):
    def edit(nb):
        cell_of(nb, grade_id).metadata["nbgrader"].update(changes)
    return edit


def set_raw_meta(grade_id, value):
    def edit(nb):
        cell_of(nb, grade_id).metadata["nbgrader"] = value
    return edit


def steal_grade_id(grade_id):
    """A cell of the student's own that claims to be the test ``grade_id`` and passes."""
    def edit(nb):
        cell = nbformat.v4.new_code_cell("pass")
        cell.metadata["nbgrader"] = {**cell_of(nb, grade_id).metadata["nbgrader"]}
        nb.cells.insert(nb.cells.index(cell_of(nb, grade_id)), cell)
    return edit


PWN = "document.title = 'PWNED'; window.pwned = true;"


def inject_html(nb):
    """Student HTML that would run a script in the Formgrader or the feedback page."""
    nb.cells.append(nbformat.v4.new_markdown_cell(
        f'My answer <img src="x" onerror="{PWN}"> <script>{PWN}</script>'))
    nb.cells.append(nbformat.v4.new_code_cell(
        "from IPython.display import HTML, Javascript, display\n"
        f"display(HTML('<b>hi</b><img src=x onerror=\"{PWN}\"><script>{PWN}</script>'))\n"
        f"display(Javascript({PWN!r}))\n"
        "display({'image/svg+xml': '<svg onload=\"document.title=1\"></svg>'}, raw=True)"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Build e01, submit the crafted class, grade it once: (course, teacher nb, rows, expected)."""
    course = copy_course(e01(tmp_path_factory, "en"), tmp_path_factory.mktemp("safety") / "course")
    teacher, student = read_versions(course, LESSON)
    points = autograded_points(teacher)
    full = sum(points.values())
    right_nb = fill_answers(student, answer_cells(teacher))
    wrong = {**answer_cells(teacher), "e01-ex2": wrong_answers(LESSON)["e01-ex2"][0]}
    wrong_nb = fill_answers(student, wrong)
    wrong_score = full - points["e01-ex2-check"]
    secret = course / "source" / LESSON / f"{LESSON}.ipynb"

    def drop_test(nb):
        nb.cells.remove(cell_of(nb, "e01-ex1-check"))

    def edit_test(nb):
        cell_of(nb, "e01-ex2-check").source = "pass"

    def strip_test(nb):
        cell = cell_of(nb, "e01-ex2-check")
        cell.metadata = {}
        cell.source = "pass"

    spy = (f"for path in [{str(secret)!r}, {str(course / 'gradebook.db')!r}, "
           f"{str(course / 'submitted' / 'correct' / LESSON / (LESSON + '.ipynb'))!r}]:\n"
           f"    try:\n        print(open(path, errors='replace').read())\n"
           f"    except OSError as err:\n        print('blocked', type(err).__name__)")
    vandal = (f"for path in [{str(course / 'pwned.txt')!r}, '../pwned.txt', '/tmp/pwned-manabu.txt',"
              f" {str(course / 'source' / LESSON / 'pwned.txt')!r}]:\n"
              f"    try:\n        open(path, 'w').write('x')\n    except OSError:\n        pass")
    sleeps = lambda nb: [nb.cells.insert(3, nbformat.v4.new_code_cell(  # noqa: E731
        "import time\ntime.sleep(4.5)")) for _ in range(6)]
    before_ex3 = points["e01-ex1-check"] + points["e01-ex2-check"]
    cases = {  # name: (notebook or raw text, expected score, expected status kind, words)
        "correct": (right_nb, full, "ok", ""),
        "blank": (student, 0, "ok", ""),
        "wrong": (wrong_nb, wrong_score, "ok", ""),
        "infinite-loop": (with_cells(right_nb, prepend_to("e01-ex5", "while True:\n    pass")),
                          full - points["e01-ex5-check"], "stopped", "ran longer than 5 s"),
        "sleepy": (with_cells(right_nb, sleeps), 0, "stopped", "time budget"),
        "spy": (with_cells(right_nb, append_to("e01-ex1", spy)), full, "ok", ""),
        "vandal": (with_cells(right_nb, append_to("e01-ex1", vandal)), full, "ok", ""),
        "memory-bomb": (with_cells(right_nb, append_to("e01-ex1", "big = bytearray(3 * 1024 ** 3)")),
                        full, "ok", ""),
        "huge-print": (with_cells(right_nb, append_to("e01-ex1", "print('x' * 50_000_000)")),
                       full, "ok", ""),
        "deleted-test": (with_cells(right_nb, drop_test), full, "flagged", "e01-ex1-check"),
        "edited-test": (with_cells(wrong_nb, edit_test), wrong_score, "flagged", "e01-ex2-check"),
        "stripped-test": (with_cells(wrong_nb, strip_test), wrong_score, "flagged", "e01-ex2-check"),
        "invalid-json": ('{"cells": [', 0, "broken", "damaged"),
        "os-exit": (with_cells(right_nb, append_to("e01-ex3", "import os\nos._exit(0)")),
                    before_ex3, "stopped", "ended"),
        "sys-exit": (with_cells(right_nb, prepend_to("e01-ex3", "import sys\nsys.exit()")),
                     full - points["e01-ex3-check"], "ok", ""),
        # tampering in the student's process: the tests run elsewhere, so a wrong answer stays
        # wrong, and there is nothing to flag
        "fake-check": (with_cells(wrong_nb, append_to("e01-ex2", "check = lambda *a, **k: None")),
                       wrong_score, "ok", ""),
        "patched-builtins": (with_cells(wrong_nb, append_to(
            "e01-ex2", "import builtins\nbuiltins.bool = lambda *a: True")), wrong_score, "ok", ""),
        "patched-course": (with_cells(wrong_nb, append_to(
            "e01-ex2", "import course.checks\n"
                       "course.checks.check.__code__ = (lambda *a, **k: None).__code__")),
            wrong_score, "ok", ""),
        "patched-numpy": (with_cells(wrong_nb, append_to(
            "e01-ex2", "import numpy\nnumpy.array_equal = lambda *a, **k: True")),
            wrong_score, "ok", ""),
        "hidden-errors": (with_cells(wrong_nb, append_to(
            "e01-ex2", "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)")),
            wrong_score, "ok", ""),
        "patched-ipython-compiler": (with_cells(wrong_nb, append_to(  # the last answer cell
            "e01-ex6", "ip = get_ipython()\nip.compile = lambda *a, **k: compile('pass', '<x>', "
                       "'exec')\nip.input_transformer_manager.cleanup_transforms.append("
                       "lambda lines: ['pass\\n'])")), wrong_score, "ok", ""),
        "always-equal": (with_cells(wrong_nb, append_to(
            "e01-ex2", "class Yes(str):\n    def __eq__(self, other):\n        return True\n"
                       "    __hash__ = str.__hash__\nanswer_learns = Yes('x')")),
            wrong_score, "ok", ""),
        # grading metadata changed in the submission: the lesson's own (gradebook) is used
        "test-made-answer": (with_cells(wrong_nb, set_meta("e01-ex2-check", solution=True,
                                                           grade=False)),
                             wrong_score, "flagged", "e01-ex2-check"),
        "more-points": (with_cells(wrong_nb, set_meta("e01-ex1-check", points=100)),
                        wrong_score, "flagged", "e01-ex1-check (points)"),
        "stolen-grade-id": (with_cells(wrong_nb, steal_grade_id("e01-ex2-check")),
                            wrong_score, "flagged", "e01-ex2-check (twice)"),
        "metadata-string": (with_cells(right_nb, set_raw_meta("e01-ex1-check", "grade me")),
                            0, "broken", "grading information"),
        "deep-nesting": ('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}", 0, "broken",
                         "damaged"),
        "too-many-cells": (with_cells(right_nb, lambda nb: nb.cells.extend(
            nbformat.v4.new_markdown_cell("hi") for _ in range(5000))), 0, "broken", "5"),
        # links and special files in the submission folder: never followed, moved aside
        "symlink-to-source": (right_nb, full, "flagged", "answers.ipynb"),
        "hardlink-to-source": (right_nb, full, "flagged", "copy.ipynb"),
        "fifo": (right_nb, full, "flagged", "pipe"),
        "notebook-is-a-link": (right_nb, 0, "broken", "link"),
        "html-injection": (with_cells(right_nb, inject_html), full, "ok", ""),
    }
    for name, (nb, *_rest) in cases.items():
        submit(course, name, LESSON, nb if isinstance(nb, str) else nbformat.writes(nb))
    folder = course / "submitted"
    (folder / "symlink-to-source" / LESSON / "answers.ipynb").symlink_to(secret)
    os.link(secret, folder / "hardlink-to-source" / LESSON / "copy.ipynb")
    os.mkfifo(folder / "fifo" / LESSON / "pipe")
    linked = folder / "notebook-is-a-link" / LESSON / f"{LESSON}.ipynb"
    linked.unlink()
    linked.symlink_to(secret)
    lines = []
    rows = {r.student: r for r in grade_lesson(LESSON, course, log=lines.append, workers=2,
                                               options=OPTIONS)}
    return course, teacher, rows, cases, "\n".join(lines)


def test_every_crafted_submission_gets_the_score_and_status_it_deserves(corpus):
    _course, _teacher, rows, cases, _log = corpus
    wrong = []
    for name, (_nb, score, kind, words) in cases.items():
        row = rows[name]
        if row.score != score or row.status.split(":")[0] != kind or words not in row.status:
            wrong.append(f"{name}: got {row.score:g} '{row.status}', want {score:g} {kind} "
                         f"mentioning '{words}'")
    assert not wrong, "\n".join(wrong)


def test_nothing_secret_reaches_a_student_and_feedback_stays_small(corpus):
    course, teacher, rows, _cases, _log = corpus
    secrets = secret_lines(teacher)
    hidden = [line.strip() for cell in teacher.cells if cell.cell_type == "code"
              for line in region(cell.source, BEGIN_HIDDEN, END_HIDDEN).splitlines()
              if len(line.strip()) > 8]
    assert hidden
    for name in rows:
        feedback = course / "feedback" / name / LESSON / f"{LESSON}.html"
        if rows[name].status.startswith("broken"):
            assert not feedback.exists()
            continue
        text = visible_text(feedback)
        assert not [s for s in hidden if s in text], name  # their own answers may be there
        assert feedback.stat().st_size <= 1_000_000, (name, feedback.stat().st_size)
    spied = nbformat.read(course / "autograded" / "spy" / LESSON / f"{LESSON}.ipynb", 4)
    outputs = json.dumps([c.get("outputs", []) for c in spied.cells])
    assert outputs.count("blocked FileNotFoundError") == 3
    assert not [s for s in secrets if json.dumps(s)[1:-1] in outputs]


def test_nothing_is_written_outside_the_sandbox(corpus):
    course, *_ = corpus
    assert not list(course.rglob("pwned*")) and not Path("/tmp/pwned-manabu.txt").exists()
    assert not list(course.parent.glob("pwned*"))


def test_grades_csv_and_the_log_say_what_happened(corpus):
    course, _teacher, rows, cases, log = corpus
    assert "sandbox: full" in log and f"Graded {len(cases)} submission(s)" in log
    broken = sum(kind == "broken" for _nb, _score, kind, _words in cases.values())
    assert f"{broken} broken" in log and "flagged" in log
    text = (course / "grades.csv").read_text(encoding="utf-8")
    assert text.count("\n") == len(cases) + 1 and "broken: the notebook file is damaged" in text


def test_a_stopped_grader_resumes_without_grading_anything_twice(tmp_path, tmp_path_factory):
    course = copy_course(e01(tmp_path_factory, "en"), tmp_path / "course")
    teacher, student = read_versions(course, LESSON)
    right = nbformat.writes(fill_answers(student, answer_cells(teacher)))
    students = [f"s{i:02d}" for i in range(6)]
    for name in students:
        submit(course, name, LESSON, right)
    ledger = course / ".manabu" / f"grading-{LESSON}.jsonl"
    command = [sys.executable, "-m", "autograder.cli", "grade", LESSON, "--course", str(course),
               "--workers", "2"]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}

    def run_until(results: int, sig) -> subprocess.CompletedProcess:
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, start_new_session=True)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            if ledger.exists() and len(ledger.read_text().splitlines()) >= results:
                break
            time.sleep(0.2)
        assert proc.poll() is None, "the grader finished before it could be stopped"
        os.killpg(proc.pid, sig)
        out, _ = proc.communicate(timeout=120)
        return subprocess.CompletedProcess(command, proc.returncode, out)

    stopped = run_until(2, signal.SIGINT)     # Ctrl-C in the terminal
    assert stopped.returncode == 130 and "Run the same command again" in stopped.stdout
    killed = run_until(4, signal.SIGKILL)     # the machine goes down
    assert killed.returncode == -signal.SIGKILL
    first = {json.loads(line)["row"]["student"] for line in ledger.read_text().splitlines()}
    assert len(first) >= 4
    stamps = {s: (course / "feedback" / s).stat().st_mtime_ns for s in first}
    # the two stopped runs each had two workers busy; the runs below check what is kept and what
    # is graded again, which the number of workers does not change: one worker (in the grader's
    # own process) saves a worker's start (nbgrader, zygote and judge: seconds of CPU) per run
    one_worker = command[:-1] + ["1"]
    done = subprocess.run(one_worker, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(first)} submission(s) already graded and unchanged: kept" in done.stdout
    records = [json.loads(line)["row"] for line in ledger.read_text().splitlines()]
    assert sorted(r["student"] for r in records) == students  # each graded exactly once
    assert {s: (course / "feedback" / s).stat().st_mtime_ns for s in first} == stamps
    full = sum(autograded_points(teacher).values())
    assert all(r["score"] == full and r["status"] == "ok" for r in records)
    again = subprocess.run(one_worker + ["--regrade"], env=env, capture_output=True, text=True,
                           timeout=600)
    assert again.returncode == 0 and f"Grading {len(students)} submission(s)" in again.stdout


def test_require_sandbox_refuses_where_bubblewrap_is_missing(corpus):
    course, *_ = corpus
    venv_bin = str(Path(sys.executable).parent)  # nbgrader's alembic is here; bwrap is not
    done = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", LESSON, "--course",
                           str(course), "--require-sandbox"], capture_output=True, text=True,
                          env={**os.environ, "PATH": venv_bin}, timeout=300)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--require-sandbox refuses" in done.stderr and "apt-get install bubblewrap" in done.stderr
    assert "Grading" not in done.stdout  # nothing was graded


def test_nbgrader_warns_only_about_real_edits(corpus):
    """nbgrader warned 'checksum has changed' for every hidden-test cell of every submission;
    with Manabu's pipeline a warning means the student really changed a locked cell."""
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearOutput,
        DeduplicateIds,
        OverwriteCells,
        OverwriteKernelspec,
    )

    from autograder.build.nbconfig import nbgrader_api
    from autograder.grading.grade import configure

    course, *_ = corpus
    api = nbgrader_api(course)
    configure(api, OPTIONS)

    def warnings(student):
        result = api.autograde(LESSON, student, force=True)
        assert result["success"], result.get("log")
        return [line for line in result["log"].splitlines()
                if "changed" in line and "WARNING" in line]

    assert warnings("correct") == []
    edited = warnings("edited-test")
    assert len(edited) == 1 and "e01-ex2-check" in edited[0] and "put back" in edited[0]
    config = api.config  # nbgrader's own sanitizing step: the false alarms come back
    config.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec,
                                               OverwriteCells, CheckCellMetadata]
    api.config = config
    assert len(warnings("correct")) >= 2


def test_a_japanese_class_reads_what_happened_in_japanese(tmp_path, tmp_path_factory):
    """In a course built in Japanese the teacher reads the run, the reasons in grades.csv and
    the report in Japanese; the status kind before the colon stays English for LMS imports."""
    course = copy_course(e01(tmp_path_factory, "ja"), tmp_path / "course")
    teacher, student = read_versions(course, LESSON)
    right_nb = fill_answers(student, answer_cells(teacher))
    loop = with_cells(right_nb, prepend_to("e01-ex5", "while True:\n    pass"))
    dropped = with_cells(right_nb, lambda nb: nb.cells.remove(cell_of(nb, "e01-ex1-check")))
    for name, nb in {"aoi": nbformat.writes(loop), "ren": nbformat.writes(dropped),
                     "sora": '{"cells": ['}.items():
        submit(course, name, LESSON, nb)
    lines = []
    rows = {r.student: r for r in grade_lesson(LESSON, course, log=lines.append, workers=2,
                                               options=OPTIONS)}
    log = "\n".join(lines)
    assert "サンドボックス: 完全" in log and "採点しました" in log, log
    assert rows["aoi"].status.startswith("stopped: セル ") and "5 秒を超えて" in rows["aoi"].status
    assert rows["ren"].status == "flagged: 消されたか印を外されたロック付きセルを元に戻しました: e01-ex1-check"
    assert rows["sora"].status.startswith("broken: ノートのファイルが壊れています")
    csv_text = (course / "grades.csv").read_text(encoding="utf-8")
    assert "broken: ノートのファイルが壊れています" in csv_text
    assert not any(word in log + csv_text for word in ("ran longer", "put back", "not valid notebook", "Graded ", "sandbox:"))


def test_student_html_never_runs_in_the_feedback_or_the_formgrader(corpus, browser, tmp_path):
    """The feedback page and the Formgrader's view of the submission (nbgrader's own template,
    rendered as its handler does) open in Chromium: no script or event handler of the student
    runs, and the student's words are still there."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers

    course, *_ = corpus
    autograded = course / "autograded" / "html-injection" / LESSON / f"{LESSON}.ipynb"
    exporter = HTMLExporter(template_name="formgrade",
                            extra_template_basedirs=[handlers.template_path])
    html, _ = exporter.from_filename(str(autograded), resources={
        "assignment_id": LESSON, "notebook_id": LESSON, "submission_id": "x", "index": 0,
        "total": 1, "base_url": "", "student": "html-injection", "last_name": "",
        "first_name": "", "notebook_path": str(autograded)})
    formgrade = tmp_path / "formgrade.html"
    formgrade.write_text(html, encoding="utf-8")
    feedback = course / "feedback" / "html-injection" / LESSON / f"{LESSON}.html"
    for page_file in (feedback, formgrade):
        page = browser.new_page()
        try:
            page.goto(page_file.as_uri())
            page.wait_for_timeout(500)
            assert page.evaluate("document.title") != "PWNED", page_file
            assert page.evaluate("window.pwned === undefined"), page_file
            assert "My answer" in page.inner_text("body"), page_file
            assert page.evaluate("""() => !Array.from(document.scripts).some(
                s => s.text.includes('PWNED')) && !Array.from(document.querySelectorAll('*'))
                .some(e => Array.from(e.attributes).some(
                    a => a.name.startsWith('on') && a.value.includes('PWNED')))"""), page_file
        finally:
            page.close()
