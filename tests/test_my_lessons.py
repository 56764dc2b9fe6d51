"""The server side of the students' "My lessons" panel, through a real Jupyter server with the
extension and real nbgrader: a Japanese course as ``make lab`` makes it, a released lesson, the
student's fetch and submit, the teacher's grading and released feedback, and the student's own
score read from the feedback they fetched."""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from browser_helpers import TOKEN, running
from conftest import free_port
from nbgrader.utils import get_username

from autograder.build.nbconfig import nbgrader_api
from autograder.grading.feedback_score import read_score, score_tag
from autograder.grading.grade import grade_lesson
from autograder.grading.submissions import answer_cells, fill_answers, read_versions
from autograder.lab import ASSIGNMENT_LIST, EXPORT_FORMATS, PANEL_EXTENSION, lab_command
from autograder.school import deadlines
from autograder.school.assignment_list import (
    FETCH_FAILED,
    MESSAGES,
    SUBMIT_FAILED,
    VALIDATE_FAILED,
)
from autograder.school.deadline_publish import OWN_FOLDER, PUBLIC_NAME, write_for_user
from autograder.school.my_lessons import MyLessons, student_config

LESSON, WRITTEN = "e03", "e03-reflect"  # its written reflection (2 points) waits for the teacher
ME = get_username()  # nbgrader's student on one machine: the user running the server


def call(base: str, path: str, body: dict | None = None, token: str | None = TOKEN,
         handlers: str = "/manabu/my-lessons"):
    """(status, JSON) of a request to the panel's handlers (or other ``handlers``)."""
    request = urllib.request.Request(f"{base}{handlers}{path}", method="POST" if body
                                     is not None else "GET",
                                     data=json.dumps(body).encode() if body is not None else None)
    if token:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        text = err.read()
        try:
            return err.code, json.loads(text)
        except ValueError:
            return err.code, {"raw": text.decode(errors="replace")}


def nbgrader(base: str, path: str, body: dict | None = None):
    """(status, JSON) of one of nbgrader's own Assignment List handlers (what its panel calls)."""
    return call(base, path, body, handlers="")


def row(base: str) -> dict:
    status, data = call(base, "")
    assert status == 200, data
    [found] = [r for r in data["lessons"] if r["lesson"] == LESSON]
    return found


@pytest.fixture(scope="module")
def flow(tmp_path_factory, course_e03_ja):
    """The whole cycle once; each step's answers, for the tests below to ask one question each."""
    tmp = tmp_path_factory.mktemp("my-lessons")
    course = course_e03_ja(tmp / "course")
    api = nbgrader_api(course)
    assert api.release_assignment(LESSON)["success"]
    deadlines.set_due(course, LESSON, "2026-12-10 15:30")
    deadlines.extend(course, LESSON, ME, "2026-12-12 15:30")
    deadlines.extend(course, LESSON, "haruto", "2026-12-20 09:00")  # a classmate's: never shown
    port, steps = free_port(), {}
    cmd = [sys.executable, "-m", "jupyter_server", f"--ServerApp.root_dir={course}",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", "--no-browser",
           "--ServerApp.jpserver_extensions", f"{PANEL_EXTENSION}=True",
           "--ServerApp.jpserver_extensions", f"{ASSIGNMENT_LIST}=True",
           "--ServerApp.jpserver_extensions", f"{EXPORT_FORMATS}=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    env = {**os.environ, "JUPYTER_DATA_DIR": str(tmp / "data"),  # nbgrader's cache
           "JUPYTER_CONFIG_DIR": str(tmp / "config")}
    ours = {"course_id": "manabu", "assignment_id": LESSON}
    # started in another folder than its root (the course), as a service manager or a test may:
    # nbgrader's own Assignment List must still find the course from the root
    with running(cmd, port, tmp / "server.log", env=env, cwd=tmp) as base:
        steps["anonymous"] = call(base, "", token=None)
        steps["export_formats"] = [nbgrader(base, "/api/nbconvert") for _ in range(2)]
        steps["export_formats_anonymous"] = call(base, "/api/nbconvert", token=None, handlers="")
        steps["nb_courses"] = nbgrader(base, "/courses")
        steps["nb_released"] = nbgrader(base, "/assignments?course_id=manabu")
        steps["released"] = row(base)
        steps["fetch"] = call(base, "/fetch", {"course_id": "manabu", "lesson": LESSON})
        steps["fetch_again"] = call(base, "/fetch", {"course_id": "manabu", "lesson": LESSON})
        steps["nb_fetch_again"] = nbgrader(base, "/assignments/fetch", ours)
        steps["nb_fetched"] = nbgrader(base, "/assignments?course_id=manabu")
        steps["nb_submit_unknown"] = nbgrader(base, "/assignments/submit",
                                              {**ours, "assignment_id": "e99"})
        steps["nb_validate_missing"] = nbgrader(base, "/assignments/validate",
                                                {"path": "e99/e99.ipynb"})
        steps["bad"] = call(base, "/submit", {"course_id": "manabu", "lesson": "../e03"})
        teacher, _student = read_versions(course, LESSON)
        nb = nbformat.read(course / LESSON / f"{LESSON}.ipynb", as_version=4)
        nbformat.write(fill_answers(nb, answer_cells(teacher)), course / LESSON / f"{LESSON}.ipynb")
        steps["nb_submit"] = nbgrader(base, "/assignments/submit", ours)  # then My lessons again
        steps["submit"] = call(base, "/submit", {"course_id": "manabu", "lesson": LESSON})
        # the teacher: collect, grade, release the feedback (written answer not read yet)
        assert api.collect(LESSON)["success"]
        [graded] = grade_lesson(LESSON, course, log=lambda *a: None, workers=1)
        steps["graded"] = graded
        assert api.release_feedback(LESSON)["success"]
        steps["released_feedback"] = row(base)
        steps["feedback"] = call(base, "/feedback", {"course_id": "manabu", "lesson": LESSON})
        # the teacher reads the written answer but releases nothing new: the student's score
        # stays what their feedback says (it never comes from the gradebook)
        with api.gradebook as gb:
            gb.find_grade(WRITTEN, LESSON, LESSON, ME).manual_score = 2
            gb.db.commit()
        steps["after_gradebook_change"] = row(base)
    steps["course"], steps["tmp"] = course, tmp
    return steps


def test_only_a_logged_in_user_may_ask(flow):
    assert flow["anonymous"][0] == 403


def test_released_lesson_is_listed_with_its_japanese_title_and_own_extended_due_time(flow):
    r = flow["released"]
    assert r["status"] == "released" and r["course_id"] == "manabu"
    assert r["title"] != LESSON and any("\u3040" <= ch <= "\u30ff" for ch in r["title"])
    assert r["due"] == "2026-12-12T15:30:00+09:00" and r["extended"] is True
    assert r["timezone"] == "Asia/Tokyo"
    assert "2026-12-20" not in json.dumps(r)  # a classmate's extension


def test_fetch_puts_the_lesson_in_the_students_folder(flow):
    status, data = flow["fetch"]
    assert status == 200, data
    assert data["lesson"]["status"] == "fetched"
    assert data["lesson"]["path"] == f"{LESSON}/{LESSON}.ipynb"
    assert (flow["course"] / data["lesson"]["path"]).is_file()


def test_a_refused_action_says_which_and_why(flow):
    status, data = flow["fetch_again"]
    assert status == 409 and data["error"] == "fetch_failed" and data["detail"]
    assert flow["bad"][0] == 400 and flow["bad"][1]["error"] == "bad_request"


def test_nbgraders_own_assignment_list_lists_fetches_and_submits_from_the_servers_root(flow):
    """nbgrader's Assignment List on a server whose working folder is not the course: it reads
    the course's nbgrader_config.py from the root, as the My lessons panel does."""
    assert flow["nb_courses"] == (200, {"success": True, "value": ["manabu"]})
    status, listed = flow["nb_released"]
    assert status == 200 and listed["success"], listed
    assert [(a["assignment_id"], a["status"]) for a in listed["value"]] == [(LESSON, "released")]
    status, listed = flow["nb_fetched"]
    assert listed["success"], listed
    [fetched] = [a for a in listed["value"] if a["status"] == "fetched"]
    assert fetched["path"] == LESSON  # in the root (relative to it), not in the process's folder
    assert [nb["path"] for nb in fetched["notebooks"]] == [f"{LESSON}/{LESSON}.ipynb"]
    status, listed = flow["nb_submit"]
    assert listed["success"], listed
    [submitted] = [a for a in listed["value"] if a["status"] == "submitted"]
    assert submitted["assignment_id"] == LESSON and len(submitted["submissions"]) == 1


def test_nbgraders_assignment_list_tells_the_child_one_short_sentence(flow):
    """Instead of nbgrader's traceback (or, for a fetch, nothing); the teacher finds nbgrader's
    words in the server log."""
    assert flow["nb_fetch_again"] == (200, {"success": False, "value": FETCH_FAILED})
    assert flow["nb_submit_unknown"] == (200, {"success": False, "value": SUBMIT_FAILED})
    assert flow["nb_validate_missing"] == (200, {"success": False, "value": VALIDATE_FAILED})
    log = (flow["tmp"] / "server.log").read_text(encoding="utf-8")
    told = [line for line in log.splitlines() if f"the student was told {SUBMIT_FAILED!r}" in line]
    assert len(told) == 1 and "Assignment not found" in told[0] and "What to do:" in told[0], told


def test_make_lab_and_the_hub_image_enable_the_rooted_assignment_list():
    install = (Path(__file__).resolve().parent.parent / "deploy" / "image" /
               "install.sh").read_text(encoding="utf-8")
    for extension in (ASSIGNMENT_LIST, EXPORT_FORMATS):
        assert f"{extension}=True" in lab_command(Path("/nonexistent/course"), 8888)
        assert f'\\"{extension}\\": true' in install


def test_export_formats_come_from_the_list_worked_out_at_start(flow):
    """JupyterLab's /api/nbconvert answers as jupyter_server's own (html, script, pdf...), from
    the list autograder.school.export_formats works out once; a stranger gets nothing."""
    from autograder.school.export_formats import export_formats

    first, again = flow["export_formats"]
    assert first == again == (200, export_formats())
    assert {"html", "script", "notebook"} <= set(first[1])
    assert flow["export_formats_anonymous"][0] == 403
    log = (flow["tmp"] / "server.log").read_text(encoding="utf-8")
    assert f"{EXPORT_FORMATS} | extension was successfully loaded" in log


def test_submit_hands_in_and_says_when(flow):
    status, data = flow["submit"]
    assert status == 200, data
    r = data["lesson"]
    assert r["status"] == "submitted" and r["submitted_at"].endswith("+00:00")
    assert r["late"] is False and r["feedback"] is None


def test_released_feedback_is_offered_before_it_is_fetched(flow):
    feedback = flow["released_feedback"]["feedback"]
    assert feedback["ready"] is True and feedback["fetched"] is False
    assert feedback["score"] is None


def test_fetched_feedback_gives_the_students_own_score_and_a_page_to_open(flow):
    status, data = flow["feedback"]
    assert status == 200, data
    feedback, graded = data["lesson"]["feedback"], flow["graded"]
    assert feedback["fetched"] is True
    # the written answer waits for the teacher: counted as pending, never as a zero
    assert feedback["score"] == {"score": graded.score, "max_score": graded.max_score,
                                 "pending_points": 2.0}
    page = flow["course"] / feedback["path"]
    assert page.suffix == ".html" and "先生が読んでくれます。" in page.read_text(encoding="utf-8")


def test_score_comes_from_the_fetched_feedback_not_the_gradebook(flow):
    assert flow["after_gradebook_change"]["feedback"]["score"]["pending_points"] == 2.0


def test_score_record_round_trips_and_a_page_without_one_has_no_score(tmp_path):
    record = {"format": "manabu-score/1", "lesson": "e03", "notebook": "e03", "score": 5.0,
              "max_score": 7.0, "pending_points": 2.0, "late_penalty": 0.0}
    page = tmp_path / "e03.html"
    page.write_text(f"<html><head>{score_tag(record)}</head></html>", encoding="utf-8")
    assert read_score(page) == record
    page.write_text("<html><head><title>e03</title></head><body>Score: 5 / 7</body></html>",
                    encoding="utf-8")
    assert read_score(page) is None


def test_a_student_on_a_hub_reads_due_times_from_the_exchange(flow, tmp_path):
    """A server in the student's home cannot read the course folder: the exchange has the
    class's due times for everybody and each student's extensions for that student only."""
    exchange = flow["course"] / "exchange" / "manabu"
    public = json.loads((exchange / PUBLIC_NAME).read_text(encoding="utf-8"))
    assert public == {"timezone": "Asia/Tokyo",
                      "lessons": {LESSON: {"due": "2026-12-10T15:30:00+09:00"}}}
    own = exchange / OWN_FOLDER
    assert json.loads((own / f"{ME}.json").read_text()) == {
        "lessons": {LESSON: "2026-12-12T15:30:00+09:00"}}
    assert not (own / "haruto.json").exists()  # no Unix account to open it to: not written
    assert (own / f"{ME}.json").stat().st_mode & 0o077 == 0o040  # the ACL's mask; others: none
    config = student_config(flow["course"])  # the exchange, as the hub's nbgrader_config.py names it
    del config.CourseDirectory["root"]
    config.CourseDirectory.course_id = ""
    config.Exchange.cache = str(tmp_path / "cache")
    home = tmp_path / "home"
    home.mkdir()
    [r] = MyLessons(home, config).lessons()
    assert r["status"] == "released"
    assert r["due"] == "2026-12-12T15:30:00+09:00" and r["extended"] is True


def test_an_extension_file_opens_to_its_student_only():
    if os.geteuid() != 0:
        pytest.fail("this test reads a file as two other Unix users: run it as root (CI does)")
    folder = Path(tempfile.mkdtemp(prefix="manabu-acl-"))  # /tmp: other users may enter
    try:
        folder.chmod(0o755)
        path = folder / "nobody.json"
        assert write_for_user(path, '{"lessons": {}}', "nobody")
        def read_as(user: str) -> subprocess.CompletedProcess:
            account = pwd.getpwnam(user)
            return subprocess.run(["setpriv", f"--reuid={account.pw_uid}",
                                   f"--regid={account.pw_gid}", "--clear-groups", "cat",
                                   str(path)], capture_output=True, text=True)

        own = read_as("nobody")
        assert own.returncode == 0 and own.stdout == '{"lessons": {}}', own.stderr
        other = read_as("daemon")
        assert other.returncode != 0  # a classmate
        assert not write_for_user(folder / "x.json", "{}", "no-such-user-here")
        assert not (folder / "x.json").exists()
    finally:
        shutil.rmtree(folder)


def panel_words() -> dict[str, dict[str, str]]:
    """The panel's labels, per language, as src/panel.ts writes them."""
    source = (Path(__file__).resolve().parent.parent / "course" / "labextension" / "src" /
              "panel.ts").read_text(encoding="utf-8")
    words = {}
    for lang in ("en", "ja"):
        block = re.search(rf"^  {lang}: \{{(.*?)^  \}}", source, re.S | re.M).group(1)
        words[lang] = dict(re.findall(r"^\s+(\w+): '([^']*)'", block, re.M))
    return words


def test_panel_labels_exist_in_both_languages_and_a_third_grader_reads_the_japanese():
    import kanji_lists  # in the [test] extra: a missing package fails here, it is never skipped

    words = panel_words()
    assert set(words["ja"]) == set(words["en"]) and len(words["en"]) > 20
    allowed = set().union(*(getattr(kanji_lists.KYOIKU.REIWA2, f"GRADE{g}") for g in (1, 2, 3)))
    kanji = {ch for text in words["ja"].values() for ch in text if "\u4e00" <= ch <= "\u9fff"}
    assert kanji <= allowed, sorted(kanji - allowed)
    # every error code the server sends has a sentence for the child
    assert {"fetch_failed", "submit_failed", "feedback_failed", "network"} <= set(words["ja"])


def test_assignment_list_japanese_is_read_by_a_third_grader():
    """nbgrader's Assignment List labels (src/assignmentListWords.ts): kana and grade 1-3 kanji."""
    import kanji_lists

    source = (Path(__file__).resolve().parent.parent / "course" / "labextension" / "src" /
              "assignmentListWords.ts").read_text(encoding="utf-8")
    table = dict(re.findall(r"^  '([^']+)': '([^']*)',?$", source, re.M))
    assert len(table) > 20 and {"Fetch", "Submit", "Validate"} <= set(table)
    allowed = set().union(*(getattr(kanji_lists.KYOIKU.REIWA2, f"GRADE{g}") for g in (1, 2, 3)))
    kanji = {ch for text in table.values() for ch in text if "\u4e00" <= ch <= "\u9fff"}
    assert kanji <= allowed, sorted(kanji - allowed)
    assert not any(re.search(r"[A-Za-z]", text) for text in table.values())
    # every sentence Manabu's server sends instead of nbgrader's errors has its Japanese
    assert set(MESSAGES) <= set(table), sorted(set(MESSAGES) - set(table))
