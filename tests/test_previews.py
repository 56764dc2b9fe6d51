"""Trying a lesson as a student never touches what is released, releasing refuses a release folder
somebody worked in (through real nbgrader: its API as the Formgrader calls it, and its command),
and `manabu build` never deletes student work."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import built_once, copy_course

from autograder.build.builder import build_course
from autograder.build.nbconfig import nbgrader_api
from autograder.cli import main
from autograder.grading.submissions import answer_cells, fill_answers, read_versions, submit

LESSON = "e03"
SECRET = 'answer_k = "b"'  # e03's right answer, in the teacher version only


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """e03 built once per test run (shared with other tests): only copied, never changed."""
    return built_once(tmp_path_factory, f"{LESSON}-en", "en", [LESSON])


@pytest.fixture
def course(built, tmp_path) -> Path:
    """A fresh copy of the built course for each test (it changes files)."""
    return copy_course(built, tmp_path / "course")


def work_in(path: Path, text: str = SECRET) -> None:
    """Type an answer into the first answer cell and give a cell an output, as a person would."""
    nb = nbformat.read(path, as_version=4)
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
    answer.source = text
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]
    path.chmod(0o644)
    nbformat.write(nb, path)


def student_link(course: Path) -> str:
    """Where the start page's student-version link of the lesson points."""
    text = "\n".join(c.source for c in nbformat.read(course / "start.ipynb", as_version=4).cells)
    row = next(line for line in text.splitlines() if line.startswith(f"| {LESSON} |"))
    return re.findall(r"\]\(([^)]+)\)", row)[0]


def released(course: Path) -> Path:
    return course / "exchange" / "manabu" / "outbound" / LESSON / f"{LESSON}.ipynb"


def test_start_page_student_link_opens_a_personal_copy(course):
    link = student_link(course)
    assert link == f"preview/{LESSON}/{LESSON}.ipynb"
    copy = nbformat.read(course / link, as_version=4)
    release = nbformat.read(course / "release" / LESSON / f"{LESSON}.ipynb", as_version=4)
    assert [c.source for c in copy.cells] == [c.source for c in release.cells]


def test_working_in_the_personal_copy_never_reaches_the_class(course):
    work_in(course / student_link(course))
    result = nbgrader_api(course).release_assignment(LESSON)
    assert result["success"], result
    assert SECRET not in released(course).read_text(encoding="utf-8")
    assert "hello" not in released(course).read_text(encoding="utf-8")


def test_release_refuses_a_release_folder_somebody_worked_in(course):
    work_in(course / "release" / LESSON / f"{LESSON}.ipynb")
    result = nbgrader_api(course).release_assignment(LESSON)  # what the Formgrader's Release runs
    assert not result["success"]
    assert f"manabu build --course {course} {LESSON}" in result["log"]
    assert "hand out answers" in result["log"]
    assert not released(course).exists()
    command = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "release_assignment",
                              LESSON, "--force"], cwd=course, capture_output=True, text=True)
    assert command.returncode != 0
    assert "it was not released" in command.stdout + command.stderr
    assert not released(course).exists()


def test_release_refuses_a_lesson_whose_build_was_not_recorded(course):
    (course / ".manabu" / f"release-{LESSON}.json").unlink()
    result = nbgrader_api(course).release_assignment(LESSON)
    assert not result["success"] and "was not recorded" in result["log"]


def test_generate_in_the_formgrader_records_what_it_made(course):
    (course / ".manabu" / f"release-{LESSON}.json").unlink()
    api = nbgrader_api(course)
    assert api.generate_assignment(LESSON, force=True)["success"]
    assert api.release_assignment(LESSON)["success"]


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_again_keeps_submissions_grades_feedback_and_work_in_progress(course):
    from autograder.grading.grade import grade_lesson

    teacher, student = read_versions(course, LESSON)
    submit(course, "aoi", LESSON, nbformat.writes(fill_answers(student, answer_cells(teacher))))
    [row] = grade_lesson(LESSON, course, log=lambda *a: None, workers=1)
    assert row.status == "ok"
    before = {name: files(course / name) for name in ("submitted", "autograded", "feedback")}
    assert all(before.values())
    work_in(course / "preview" / LESSON / f"{LESSON}.ipynb", "my preview work")
    work_in(course / "release" / LESSON / f"{LESSON}.ipynb", "work typed into release")

    assert main(["build", "--course", str(course), "--lang", "en", LESSON]) == 0

    assert {name: files(course / name) for name in before} == before
    with nbgrader_api(course).gradebook as gb:
        assert gb.find_submission(LESSON, "aoi").score == row.score
    preview = course / "preview" / LESSON
    assert "my preview work" in (preview / f"{LESSON}.ipynb").read_text(encoding="utf-8")
    [saved] = preview.glob(f"{LESSON}-from-release-*.ipynb")
    assert "work typed into release" in saved.read_text(encoding="utf-8")
    clean = (course / "release" / LESSON / f"{LESSON}.ipynb").read_text(encoding="utf-8")
    assert "work typed into release" not in clean
    assert nbgrader_api(course).release_assignment(LESSON)["success"]


def test_build_again_brings_an_untouched_copy_up_to_date(course):
    preview = course / "preview" / LESSON / f"{LESSON}.ipynb"
    preview.write_text("stale", encoding="utf-8")  # not what the build made: somebody's
    manifest = course / ".manabu" / f"release-{LESSON}.json"
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    from autograder.build.release_guard import fingerprint

    recorded["files"][f"{LESSON}.ipynb"] = fingerprint(b"stale", f"{LESSON}.ipynb")
    manifest.write_text(json.dumps(recorded), encoding="utf-8")  # ... unless the build made it
    (course / "release" / LESSON / f"{LESSON}.ipynb").write_bytes(b"stale")
    build_course(course, "en", [LESSON], log=lambda *a: None)
    assert nbformat.read(preview, as_version=4).cells  # replaced by the new student version
    assert not list(preview.parent.glob("*-from-release-*"))


def test_preview_fresh_starts_again_and_keeps_the_old_copy(course, capsys):
    mine = course / "preview" / LESSON / f"{LESSON}.ipynb"
    work_in(mine, "half done")
    assert main(["preview", LESSON, "--course", str(course)]) == 0
    assert "half done" in mine.read_text(encoding="utf-8")  # kept without --fresh
    assert main(["preview", LESSON, "--course", str(course), "--fresh"]) == 0
    assert "half done" not in mine.read_text(encoding="utf-8")
    [old] = mine.parent.glob(f"{LESSON}-before-*.ipynb")
    assert "half done" in old.read_text(encoding="utf-8")
    assert str(mine) in capsys.readouterr().out


def test_an_older_course_config_gets_the_release_check(course):
    from autograder.build.nbconfig import HOOKS

    config = course / "nbgrader_config.py"
    text = config.read_text(encoding="utf-8")
    for _key, block in HOOKS:
        text = text.replace(block, "")
    text = text.replace('    "autograder.grading.feedback.MarkUngradedAnswers",  # "your teacher will read '
                        'this", not a zero\n', "")
    config.write_text(text, encoding="utf-8")
    assert "CheckedReleaseAssignment" not in text and "MarkUngraded" not in text
    build_course(course, "en", [LESSON], log=lambda *a: None)
    text = config.read_text(encoding="utf-8")
    assert "exchange.CheckedReleaseAssignment" in text and "MarkUngradedAnswers" in text
    work_in(course / "release" / LESSON / f"{LESSON}.ipynb")
    assert not nbgrader_api(course).release_assignment(LESSON)["success"]


def test_make_lab_on_a_course_built_before_previews_makes_them(course):
    from autograder.build.builder import refresh_course

    shutil.rmtree(course / "preview")
    (course / "start.ipynb").unlink()
    refresh_course(course, "en")  # what `manabu lab` does for a course that is built already
    assert (course / student_link(course)).is_file()
