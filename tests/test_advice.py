"""Mistakes get the right advice: a mistyped lesson id gets the closest ids (not advice to build
it), a mistyped course path the nearest existing course folder, a busy port the exact command
with a free one, at once."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from autograder.cli import main
from course.catalog import closest_ids, lesson_folders


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from conftest import built_once, copy_course

    # a copy: the tests write grades into it and build beside it
    return copy_course(built_once(tmp_path_factory, "e03-en", "en", ["e03"]),
                       tmp_path_factory.mktemp("advice") / "course")


@pytest.mark.parametrize("typed, meant", [
    ("e3", ["e03"]), ("E03", ["e03"]), ("e-3", ["e03"]), ("e30", ["e03"]), ("j1", ["j01"]),
    ("e99", ["e09"]), ("x99", []), ("e987", []), ("hello", []),
])
def test_closest_lesson_ids(typed, meant):
    assert closest_ids(typed, lesson_folders())[:len(meant) or None] == meant


def test_build_with_a_mistyped_id_names_the_closest(tmp_path, capsys):
    assert main(["build", "--course", str(tmp_path / "c"), "e3"]) == 2
    err = capsys.readouterr().err
    assert "no lesson 'e3'" in err and "Did you mean e03?" in err


def test_grade_with_a_mistyped_id_does_not_say_build_it(course, capsys):
    assert main(["grade", "e3", "--course", str(course)]) == 2
    err = capsys.readouterr().err
    assert "Did you mean e03?" in err
    assert "manabu build" not in err  # e3 does not exist: building it cannot work


def test_grade_of_a_lesson_not_built_says_build_it(course, capsys):
    assert main(["grade", "e05", "--course", str(course)]) == 2
    assert f"manabu build --course {course} e05" in capsys.readouterr().err


def test_preview_and_report_with_a_mistyped_id(course, capsys):
    from autograder.gradescsv import GradeRow, write_grades

    assert main(["preview", "e30", "--course", str(course)]) == 2
    assert "Did you mean e03?" in capsys.readouterr().err
    write_grades(course, "e03", [GradeRow("aoi", "e03", 1, 4, "ok", False)])
    assert main(["report", "--course", str(course), "--lesson", "e3"]) == 2
    err = capsys.readouterr().err
    assert "Did you mean e03?" in err and "manabu grade e3" not in err


def test_a_mistyped_course_path_names_the_nearest_course(course, capsys):
    typo = course.parent / "cuorse"
    assert main(["grade", "e03", "--course", str(typo)]) == 2
    err = capsys.readouterr().err
    assert f"The nearest course folder is {course}: use --course {course}" in err
    assert not typo.exists()
    assert main(["report", "--course", str(course.parent)]) == 2  # a folder, but not a course
    assert f"use --course {course}" in capsys.readouterr().err


def test_building_at_a_mistyped_path_names_the_course_it_resembles(course, capsys):
    typo = course.parent / "cuorse"
    assert main(["build", "--course", str(typo), "--lang", "en", "e01"]) == 0
    assert f"A course with a similar name is {course}" in capsys.readouterr().out
    assert main(["build", "--course", str(course.parent / "other"), "--lang", "en", "e01"]) == 0
    assert "similar name" not in capsys.readouterr().out


def test_a_path_far_from_any_course_gets_no_guess(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the current folder is searched too
    assert main(["grade", "e03", "--course", str(tmp_path / "nothing" / "here")]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "nearest" not in err


@pytest.mark.parametrize("under_make", [True, False])
def test_a_busy_port_gets_the_exact_command_at_once(tmp_path, under_make):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if k != "MAKELEVEL"}
        if under_make:
            env["MAKELEVEL"] = "1"  # what make sets for the commands it runs
        course = tmp_path / "course"
        start = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "autograder.cli", "lab", "--course",
                                 str(course), "--port", str(port), "--no-browser"],
                                capture_output=True, text=True, env=env, timeout=120)
        seconds = time.monotonic() - start
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"Port {port} is in use" in result.stderr
    free = int(result.stderr.split("PORT=")[1].split()[0].rstrip(")"))
    assert free > port
    if under_make:
        assert result.stderr.rstrip().endswith(f"make lab PORT={free}")
    else:
        assert f"manabu lab --course {course} --port {free}" in result.stderr
    assert not course.exists()  # nothing was built
    assert seconds < 5, seconds  # not after the build and JupyterLab's start
