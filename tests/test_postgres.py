"""The gradebook on a real PostgreSQL server (a private cluster this test starts as the
``postgres`` user and stops afterwards): build, roster import and ``manabu grade`` with
``--db postgresql://...``; scores land in PostgreSQL and grades.csv; a wrong ``--db`` gets one
line saying what to do and changes nothing."""

from __future__ import annotations

import csv
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import nbformat
import pytest
from conftest import free_port
from helpers import autograded_points, wrong_answers

from autograder.cli import main
from autograder.grading.submissions import answer_cells, fill_answers, read_versions, submit

LESSON = "e01"
PASSWORD = "kyoushitsu-pw"


def pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert found, "PostgreSQL is missing: run `make system-deps` (apt-get install postgresql)"
    return Path(found[-1]).parent


@pytest.fixture(scope="module")
def postgres():
    """A throw-away cluster on 127.0.0.1 (and a socket in its folder): a database
    ``manabu_course`` owned by the password-login role ``manabu``. Yields (url, port)."""
    bindir, port = pg_bin(), free_port()
    root = Path(tempfile.mkdtemp(prefix="manabu-pg-"))
    as_root = os.geteuid() == 0
    user = {"user": "postgres"} if as_root else {}  # PostgreSQL refuses to run as root
    if as_root:
        shutil.chown(root, "postgres", "postgres")
    env = {"PATH": f"{bindir}:/usr/bin:/bin", "LC_ALL": "C.UTF-8", "HOME": str(root)}

    def run(*args):
        subprocess.run([str(bindir / args[0]), *args[1:]], check=True, cwd=root, env=env,
                       capture_output=True, **user)

    data = root / "data"
    run("initdb", "-D", str(data), "-U", "postgres", "--auth-local=trust",
        "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8")
    run("pg_ctl", "-D", str(data), "-l", str(root / "server.log"), "-w", "-o",
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "start")
    try:
        run("psql", "-h", str(root), "-p", str(port), "-U", "postgres", "-v", "ON_ERROR_STOP=1",
            "-c", f"CREATE ROLE manabu LOGIN PASSWORD '{PASSWORD}'",
            "-c", "CREATE DATABASE manabu_course OWNER manabu ENCODING 'UTF8'")
        yield f"postgresql://manabu:{PASSWORD}@127.0.0.1:{port}/manabu_course", port
    finally:
        run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def test_grading_with_the_gradebook_on_postgresql(tmp_path, postgres, capsys):
    from nbgrader.api import Gradebook

    url, _port = postgres
    course = tmp_path / "course"
    assert main(["build", "--course", str(course), "--lang", "en", LESSON, "--db", url]) == 0
    recorded = url.replace("postgresql://", "postgresql+psycopg://")  # the driver, named
    assert f"c.CourseDirectory.db_url = {recorded!r}" in (course / "nbgrader_config.py").read_text()

    roster = tmp_path / "roster.csv"
    roster.write_bytes("学籍番号,氏名,クラス\nright,山田 花子,5-1\nwrong,Ben Ito,5-1\n".encode("cp932"))
    assert main(["roster", "import", str(roster), "--course", str(course), "--class", "5-1",
                 "--db", url]) == 0

    teacher, student = read_versions(course, LESSON)
    right = answer_cells(teacher)
    wrong_id, wrongs = next(iter(wrong_answers(LESSON).items()))
    submit(course, "right", LESSON, nbformat.writes(fill_answers(student, right)))
    submit(course, "wrong", LESSON, nbformat.writes(fill_answers(student, {**right, wrong_id: wrongs[0]})))
    capsys.readouterr()
    assert main(["grade", LESSON, "--course", str(course), "--workers", "2", "--db", url]) == 0

    points = autograded_points(teacher)
    full = sum(points.values())
    expected = {"right": full, "wrong": full - points[f"{wrong_id}-check"]}
    assert expected["wrong"] < expected["right"]
    with Gradebook(recorded, "manabu") as gb:  # the scores are in PostgreSQL ...
        scores = {s: gb.find_submission(LESSON, s).score for s in expected}
        names = {s.id: (s.last_name, s.first_name) for s in gb.students}
    assert scores == expected
    assert names == {"right": ("山田", "花子"), "wrong": ("Ito", "Ben")}
    assert not (course / "gradebook.db").exists()  # ... and no SQLite gradebook was made
    with (course / "grades.csv").open(encoding="utf-8") as handle:
        rows = {r["student"]: (float(r["score"]), r["status"]) for r in csv.DictReader(handle)}
    assert rows == {s: (score, "ok") for s, score in expected.items()}

    # two workers wrote the gradebook, each submission in one transaction: the same rows as
    # nbgrader's own bookkeeping (a new gradebook per step, a commit per cell) writes
    from helpers import forget_submissions, gradebook_rows

    from autograder.grading.grade import Options, grade_lesson

    ours = gradebook_rows(recorded, LESSON)
    forget_submissions(recorded, LESSON)
    before = Options(batch_gradebook=False, regrade=True)
    grade_lesson(LESSON, course, log=lambda *a: None, workers=1, options=before)
    assert gradebook_rows(recorded, LESSON) == ours


@pytest.fixture(scope="module")
def sqlite_course(tmp_path_factory):
    course = tmp_path_factory.mktemp("sqlite") / "course"
    assert main(["build", "--course", str(course), "--lang", "en", LESSON]) == 0
    return course


@pytest.mark.parametrize("make_url, words", [
    (lambda url, port: url.replace(PASSWORD, "wrong-pw"), "Check the user name and password"),
    (lambda url, port: url.replace(f":{port}/", f":{free_port()}/"), "Is PostgreSQL running there?"),
    (lambda url, port: url.replace("/manabu_course", "/no_such_db"), "Create it first: createdb"),
    (lambda url, port: url.replace("postgresql://", "mysql://"), "is not a gradebook address"),
])
def test_a_wrong_db_gets_one_line_and_changes_nothing(tmp_path, postgres, sqlite_course, capsys,
                                                      make_url, words):
    url, port = postgres
    course = sqlite_course
    config = (course / "nbgrader_config.py").read_text()
    capsys.readouterr()
    bad = make_url(url, port)
    assert main(["grade", LESSON, "--course", str(course), "--db", bad]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and words in err, err
    assert "wrong-pw" not in err  # the password is never printed
    assert (course / "nbgrader_config.py").read_text() == config
    # build with a bad --db into a new folder leaves no half-made course behind
    assert main(["build", "--course", str(tmp_path / "new"), "--lang", "en", LESSON, "--db", bad]) == 2
    assert not (tmp_path / "new").exists()
