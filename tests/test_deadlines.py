"""``manabu deadline``: due times in the school's time zone against nbgrader's UTC timestamps,
per-student extensions, the ``late`` column of grades.csv, and who has not submitted."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from nbgrader.api import Gradebook

from autograder.build.nbconfig import write_config
from autograder.cli import main
from autograder.gradescsv import FIELDS, GradeRow, read_grades, write_grades
from autograder.paths import CourseError
from autograder.school import deadlines

LESSON = "e03"


def stamp(course, student: str, utc_text: str, lesson: str = LESSON) -> None:
    """A collected submission with nbgrader's timestamp (UTC, its own format)."""
    folder = course / "submitted" / student / lesson
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{lesson}.ipynb").write_text("{}", encoding="utf-8")
    (folder / "timestamp.txt").write_text(utc_text, encoding="utf-8")


@pytest.fixture(scope="module")
def class_gradebook(tmp_path_factory, empty_gradebook):
    """A gradebook with three students, made once (copied for each test)."""
    path = tmp_path_factory.mktemp("class") / "gradebook.db"
    shutil.copy(empty_gradebook, path)
    with Gradebook(f"sqlite:///{path}", "manabu") as gb:
        for name in ("aoi", "haruto", "yui"):
            gb.update_or_create_student(name)
    return path


@pytest.fixture
def course(tmp_path, class_gradebook):
    """A course folder as the build leaves it (config, source/e03), with three students in its
    gradebook, in Japanese."""
    course = tmp_path / "course"
    (course / "source" / LESSON).mkdir(parents=True)
    write_config(course, "ja")
    shutil.copy(class_gradebook, course / "gradebook.db")
    return course


def test_due_time_is_in_the_school_zone_and_compared_with_utc_timestamps(course):
    due = deadlines.set_due(course, LESSON, "2026-12-10 15:30")  # Asia/Tokyo = 06:30 UTC
    assert due.utcoffset().total_seconds() == 9 * 3600
    stamp(course, "aoi", "2026-12-10 06:29:59.000000 UTC")   # 15:29:59 in Tokyo: on time
    stamp(course, "haruto", "2026-12-10 06:30:01.000000 UTC")  # 15:30:01 in Tokyo: late
    assert not deadlines.is_late(course, LESSON, "aoi")
    assert deadlines.is_late(course, LESSON, "haruto")
    assert not deadlines.is_late(course, LESSON, "yui")  # nothing submitted: not "late"


def test_another_zone_given_with_tz_is_recorded(course):
    deadlines.set_due(course, LESSON, "2026-12-10 15:30", "Europe/London")
    assert deadlines.course_timezone(course) == "Europe/London"
    stamp(course, "aoi", "2026-12-10 15:29:00.000000 UTC")
    assert not deadlines.is_late(course, LESSON, "aoi")  # 15:30 in London is 15:30 UTC


def test_course_config_names_the_zone(course):
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write("c.Manabu.timezone = 'America/New_York'\n")
    due = deadlines.set_due(course, LESSON, "2026-12-10 15:30")
    assert due.astimezone(deadlines.zone("UTC")).hour == 20


def test_an_extension_moves_one_students_due_time(course):
    deadlines.set_due(course, LESSON, "2026-12-10 15:30")
    deadlines.extend(course, LESSON, "yui", "2026-12-12 15:30")
    stamp(course, "yui", "2026-12-11 01:00:00.000000 UTC")
    stamp(course, "haruto", "2026-12-11 01:00:00.000000 UTC")
    assert not deadlines.is_late(course, LESSON, "yui")
    assert deadlines.is_late(course, LESSON, "haruto")


def test_grades_csv_has_a_late_column_at_the_end_that_the_report_reads(course):
    deadlines.set_due(course, LESSON, "2026-12-10 15:30")
    stamp(course, "aoi", "2026-12-10 06:00:00.000000 UTC")
    stamp(course, "haruto", "2026-12-10 07:00:00.000000 UTC")
    rows = [GradeRow("aoi", LESSON, 4, 6, "ok", False), GradeRow("haruto", LESSON, 5, 6, "ok", True)]
    write_grades(course, LESSON, rows)
    with (course / "grades.csv").open(encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert FIELDS[:6] == ("student", "lesson", "score", "max_score", "status", "needs_manual")
    assert FIELDS[-1] == "late"
    assert [(r["student"], r["late"]) for r in table] == [("aoi", "no"), ("haruto", "yes")]
    assert {r.student: r.late for r in read_grades(course)} == {"aoi": False, "haruto": True}


def test_the_report_still_reads_a_grades_csv_without_late(course):
    (course / "grades.csv").write_text("student,lesson,score,max_score,status,needs_manual\n"
                                       "aoi,e03,4,6,ok,no\n", encoding="utf-8")
    assert read_grades(course)[0].late is None


def test_no_due_time_means_nobody_is_late_and_a_broken_file_does_not_stop_grading(course):
    stamp(course, "aoi", "2026-12-10 06:00:00.000000 UTC")
    assert deadlines.late_columns(course, LESSON, ["aoi"]) == {"aoi": "no"}
    (course / deadlines.FILE_NAME).write_text("{not json", encoding="utf-8")
    assert deadlines.late_columns(course, LESSON, ["aoi"]) == {"aoi": ""}


def test_cli_set_extend_and_status_in_the_course_language(course, capsys):
    assert main(["deadline", "set", LESSON, "2026-12-10 15:30", "--course", str(course)]) == 0
    out = capsys.readouterr().out
    assert "2026-12-10 15:30 JST" in out and "締め切り" in out
    assert main(["deadline", "extend", LESSON, "yui", "2026-12-12 09:00", "--course", str(course)]) == 0
    saved = json.loads((course / deadlines.FILE_NAME).read_text(encoding="utf-8"))
    assert saved["lessons"][LESSON]["extensions"]["yui"] == "2026-12-12T09:00:00+09:00"
    stamp(course, "haruto", "2026-12-10 07:00:00.000000 UTC")  # 16:00 in Tokyo
    capsys.readouterr()
    assert main(["deadline", "status", LESSON, "--course", str(course)]) == 0
    out = capsys.readouterr().out
    assert "まだ提出していない" in out
    not_submitted = out.split("まだ提出していない")[1].split("遅れて")[0]
    assert "aoi" in not_submitted and "yui" in not_submitted and "haruto" not in not_submitted
    assert "2026-12-12 09:00 JST" in not_submitted           # yui's extension, in Tokyo time
    assert "haruto" in out and "2026-12-10 16:00 JST" in out  # late, shown in Tokyo time


def test_cli_refuses_typos(course, capsys):
    assert main(["deadline", "set", "e3", "2026-12-10 15:30", "--course", str(course)]) == 2
    assert "e03" in capsys.readouterr().err
    assert main(["deadline", "status", "e3", "--course", str(course)]) == 2
    assert "e03" in capsys.readouterr().err
    assert main(["deadline", "set", LESSON, "2026-12-10 15:30", "--tz", "Tokio",
                 "--course", str(course)]) == 2
    assert "Asia/Tokyo" in capsys.readouterr().err
    with pytest.raises(CourseError, match="YYYY-MM-DD HH:MM"):
        deadlines.set_due(course, LESSON, "next friday")
    assert not (course / deadlines.FILE_NAME).exists()


def test_status_counts_submissions_still_in_the_exchange(course, capsys):
    """Before the teacher collects, a submission is only in the exchange's inbound folder."""
    deadlines.set_due(course, LESSON, "2026-12-10 15:30")
    inbound = course / "exchange" / "manabu" / "inbound"
    (inbound / f"aoi+{LESSON}+2026-12-10 05:00:00.000000 UTC+x1").mkdir(parents=True)
    (inbound / f"yui+{LESSON}+2026-12-10 07:00:00.000000 UTC+x2").mkdir()
    (inbound / "haruto+e01+2026-12-10 05:00:00.000000 UTC+x3").mkdir()  # another lesson
    assert main(["deadline", "status", LESSON, "--course", str(course)]) == 0
    out = capsys.readouterr().out
    not_submitted = out.split("まだ提出していない")[1].split("遅れて")[0]
    assert "haruto" in not_submitted and "aoi" not in not_submitted and "yui" not in not_submitted
    assert "yui：提出 2026-12-10 16:00 JST" in out
    assert "まだ集めていない提出物が 2 件" in out
