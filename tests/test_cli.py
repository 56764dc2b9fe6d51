"""The `manabu` command as a teacher or lesson author uses it, bad input included."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest

from autograder.cli import main

REPO = Path(__file__).resolve().parent.parent


def manabu(*args, env=None):
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], capture_output=True,
                          text=True, env=env, timeout=600)


@pytest.mark.parametrize("command", ["lessons", "build", "grade", "demo", "lab"])
def test_every_subcommand_has_help(command):
    result = manabu(command, "--help")
    assert result.returncode == 0 and "usage: manabu " + command in result.stdout


def test_lessons_lists_the_catalog(capsys):
    assert main(["lessons", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "e03" in out and "elementary" in out and "Draw, and the computer guesses" in out
    assert main(["lessons", "--lang", "ja"]) == 0
    assert "かいた数字" in capsys.readouterr().out


def test_unknown_lesson_is_named_with_the_known_ones(tmp_path, capsys):
    assert main(["build", "--course", str(tmp_path / "c"), "e99"]) == 2
    err = capsys.readouterr().err
    assert "no lesson 'e99'" in err and "e03" in err and "manabu lessons" in err
    assert not (tmp_path / "c").exists()  # nothing half-written


def test_course_path_that_cannot_be_created(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["build", "--course", str(blocker / "course")]) == 2
    assert "not a writable folder" in capsys.readouterr().err
    assert main(["build", "--course", str(blocker)]) == 2
    assert "is a file" in capsys.readouterr().err


def test_grading_a_course_that_does_not_exist(tmp_path, capsys):
    assert main(["grade", "e03", "--course", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "manabu build --course" in err


def test_unwritable_course_folder_as_a_normal_user():
    """Root may write anywhere, so this runs as `nobody` (Debian's Python, readable by all)."""
    import os
    import tempfile

    top = Path(tempfile.mkdtemp(prefix="manabu-locked-", dir="/tmp"))
    try:
        top.chmod(0o755)
        (top / "locked").mkdir(mode=0o555)
        (top / "secret").mkdir(mode=0o700)
        code = ("import sys; from autograder.paths import usable_course_dir, CourseError\n"
                "try:\n    usable_course_dir(sys.argv[1])\nexcept CourseError as e:\n"
                "    print(e); sys.exit(2)")
        for target, message in [(top / "locked" / "course", "not a writable folder"),
                                (top / "secret" / "course", "permission denied")]:
            cmd = ["/usr/bin/python3", "-c", code, str(target)]
            if os.geteuid() == 0:
                cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
            copy = top / "src"
            if not copy.exists():
                shutil.copytree(REPO / "autograder", copy / "autograder")
            result = subprocess.run(cmd, capture_output=True, text=True, cwd="/",
                                    env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
            assert result.returncode == 2, result.stderr
            assert message in result.stdout and "Choose a --course folder" in result.stdout
    finally:
        shutil.rmtree(top, ignore_errors=True)


def broken_lessons(tmp_path, old: str, new: str) -> Path:
    root = tmp_path / "lessons"
    shutil.copytree(REPO / "lessons", root)
    path = root / "e03-draw-and-guess" / "en.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root


@pytest.mark.parametrize("old, new, message", [
    ("  minutes: 45\n", "  minutes: [45\n", "front matter is not valid YAML"),
    ("  minutes: 45\n", "", "'minutes' is missing"),
    ("    - Count the votes", "    - Count: the votes", "each objective must be one line of text"),
    ("  grade_id: e03-ex1\n", "  grade_id: [e03-ex1\n", "metadata could not be read"),
    ('"grade_id": "e03-reflect",', '"grade_id" "e03-reflect",', "metadata could not be read"),
    ("  grade_id: e03-ex2-check\n", "  grade_id: e03-ex1-check\n", "used twice"),
    ("### END SOLUTION\n```\n\nRun this", "```\n\nRun this", "END SOLUTION"),
])
def test_broken_lesson_files_get_a_clear_message_and_nothing_is_written(tmp_path, old, new, message,
                                                                       monkeypatch, capsys):
    # in this process, as test_unknown_lesson...: `manabu` itself starts in test_every_subcommand_has_help
    # and the demo; an error main() does not turn into a message fails the test with its traceback
    monkeypatch.setenv("MANABU_LESSONS", str(broken_lessons(tmp_path, old, new)))
    course = tmp_path / "course"
    assert main(["build", "--course", str(course), "--lang", "en", "e03"]) == 2
    stderr = capsys.readouterr().err
    assert message in stderr and "en.md" in stderr
    assert "Traceback" not in stderr
    assert not course.exists()


def test_demo_runs_the_teacher_cycle(tmp_path):
    """In English; the same cycle in Japanese is checked where test_japanese_everywhere already
    runs it (test_demo_and_report_print_japanese), so the demo runs once per language."""
    from helpers import check_demo_class

    course = tmp_path / "demo"
    result = manabu("demo", "--course", str(course), "--lang", "en")
    assert result.returncode == 0, result.stderr
    check_demo_class(course, result.stdout, "Class summary for e03", "Average of 3 graded")


def test_regrading_replaces_this_lessons_rows_and_keeps_others(tmp_path):
    from autograder.gradescsv import GradeRow, write_grades

    write_grades(tmp_path, "e01", [GradeRow("a", "e01", 1, 2, "ok", False)])
    write_grades(tmp_path, "e03", [GradeRow("a", "e03", 3, 6, "ok", True)])
    write_grades(tmp_path, "e03", [GradeRow("a", "e03", 4, 6, "ok", True)])
    with (tmp_path / "grades.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["lesson"], r["score"]) for r in rows] == [("e01", "1"), ("e03", "4")]


def test_guide_has_objectives_timing_answer_key_and_notes(built_course):
    lang, course = built_course
    html = (course / "guides" / "e03.html").read_text(encoding="utf-8")
    text = unescape(html)
    assert 'answer_k = "b"' in text and '(answer_k).strip().lower() == "b"' in text  # the key, hidden tests too
    assert "<td>45</td>" in html                                 # the timing plan's total
    assert ("Objectives" if lang == "en" else "目標") in html
    assert ("misconceptions" if lang == "en" else "誤解") in html.lower()


def test_a_built_course_refuses_a_second_language(built_course, capsys):
    lang, course = built_course
    other = "ja" if lang == "en" else "en"
    assert main(["build", "--course", str(course), "--lang", other]) == 2
    assert "Use another --course folder" in capsys.readouterr().err
