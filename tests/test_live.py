"""The live class view without a hub: the state model (states, attempts, the hardest exercise,
what survives a restart, forged events), what a student's kernel sends and when it sends
nothing, the hub service's least-privilege role, the page in Japanese, and ``make lab``'s server
extension in a real Jupyter server. The hub itself: tests/test_hub.py."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import requests
from conftest import free_port

from autograder.live.model import BadEvent, LiveState, parse_event
from autograder.live.page import class_page, labels
from autograder.school.hubconfig import LIVE_SERVICE, live_service, remembered_port

EXERCISES = ["e03-ex1-check", "e03-ex2-check", "e03-ex3-check"]
SHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"


def event(exercise="e03-ex1-check", kind="check", ok=True, **more):
    return parse_event({"lesson": "e03", "exercise": exercise, "kind": kind, "ok": ok,
                        "exercises": EXERCISES, **more})


def cells(view: dict, student: str) -> list[tuple[str, int]]:
    row = next(r for r in view["rows"] if r["student"] == student)
    return [(c["state"], c["attempts"]) for c in row["cells"]]


# --- the state model -----------------------------------------------------------------------

def test_states_and_attempts_follow_the_childs_runs():
    state = LiveState()
    state.record("5a", "aki", event(kind="answer"), now=100)
    state.record("5a", "aki", event("e03-ex2-check", ok=False), now=101)
    state.record("5a", "aki", event("e03-ex2-check", ok=False), now=102)
    state.record("5a", "aki", event("e03-ex2-check", ok=True), now=103)
    state.record("5a", "aki", event("e03-ex3-check", kind="answer", ok=False), now=104)
    view = state.view("5a", "e03", ["aki", "ben"], now=105)
    assert view["exercises"] == EXERCISES
    assert cells(view, "aki") == [("answered", 0), ("form_ok", 3), ("trying", 0)]
    assert cells(view, "ben") == [("not_started", 0)] * 3  # in the class, nothing run yet
    assert [r["student"] for r in view["rows"]] == ["aki", "ben"]
    assert view["counts"] == {"not_started": 3, "answered": 1, "trying": 1, "form_ok": 1}


def test_the_hardest_exercise_is_where_most_children_are_trying_now():
    state = LiveState()
    for name in ("a", "b"):
        state.record("5a", name, event("e03-ex1-check", ok=False), now=1000)
    for _ in range(5):  # one child fails ex2 often; two are stuck on ex1
        state.record("5a", "c", event("e03-ex2-check", ok=False), now=1000)
    hardest = state.view("5a", "e03", [], now=1010)["hardest"]
    assert hardest == {"exercise": "e03-ex1-check", "trying": 2, "fails": 2}
    state.record("5a", "a", event("e03-ex1-check", ok=True), now=1020)
    state.record("5a", "b", event("e03-ex1-check", ok=True), now=1020)
    assert state.view("5a", "e03", [], now=1030)["hardest"]["exercise"] == "e03-ex2-check"
    assert state.view("5a", "e03", [], now=1000 + 3600)["hardest"] is None  # an hour later


def test_classes_are_apart_and_the_state_survives_a_restart(tmp_path):
    path = tmp_path / "live" / "state.json"
    state = LiveState(path)
    state.record("5a", "aki", event(ok=False), now=1)
    state.record("6b", "ben", event(), now=2)
    assert [r["student"] for r in state.view("5a", "e03", [])["rows"]] == ["aki"]
    state.save()
    again = LiveState(path)
    assert cells(again.view("5a", "e03", []), "aki")[0] == ("trying", 1)
    assert again.lessons("6b") == ["e03"]
    path.write_text("{half a fil")  # a damaged file: an empty view, not a dead service
    assert LiveState(path).lessons("5a") == []


@pytest.mark.parametrize("raw", [
    [], {"lesson": "e03"}, {"lesson": "../x", "exercise": "e03-ex1", "kind": "check", "ok": True},
    {"lesson": "e03", "exercise": "<script>", "kind": "check", "ok": True},
    {"lesson": "e03", "exercise": "e03-ex1", "kind": "grade", "ok": True},
    {"lesson": "e03", "exercise": "e03-ex1", "kind": "check", "ok": "yes"},
    {"lesson": "e03", "exercise": "e03-ex1", "kind": "check", "ok": True,
     "exercises": [f"x{i}" for i in range(41)]},
])
def test_bad_events_are_refused(raw):
    with pytest.raises(BadEvent):
        parse_event(raw)


def test_an_exercise_the_lesson_does_not_have_is_refused():
    state = LiveState()
    assert not state.record("5a", "aki", event("e03-ex9-check"), known=EXERCISES)
    forged = parse_event({"lesson": "e03", "exercise": "rude-word", "kind": "check", "ok": True})
    assert not state.record("5a", "aki", forged, known=EXERCISES)
    assert state.view("5a", "e03", [])["rows"] == []


# --- the student's kernel ------------------------------------------------------------------

NOTEBOOK = {"cells": [
    {"cell_type": "code", "id": "setup", "metadata": {}, "source": "start_lesson('e03')"},
    {"cell_type": "code", "id": "ans1", "source": "answer_vote = ...",
     "metadata": {"nbgrader": {"grade_id": "e03-ex1", "solution": True, "grade": False}}},
    {"cell_type": "code", "id": "chk1", "source": "check(answer_vote in range(10), 'x')",
     "metadata": {"nbgrader": {"grade_id": "e03-ex1-check", "grade": True, "solution": False}}},
    {"cell_type": "markdown", "id": "refl", "source": "write here",
     "metadata": {"nbgrader": {"grade_id": "e03-reflect", "grade": True, "solution": True}}},
    {"cell_type": "code", "id": "chk2", "source": "check(True, 'y')",
     "metadata": {"nbgrader": {"grade_id": "e03-ex2-check", "grade": True, "solution": False}}},
]}


class Catcher(BaseHTTPRequestHandler):
    got: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Catcher.got.append((self.path, self.headers["Authorization"], json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture()
def view_server():
    server = HTTPServer(("127.0.0.1", 0), Catcher)
    Catcher.got = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/live/"
    server.shutdown()


@pytest.fixture()
def lesson_shell(tmp_path, monkeypatch, view_server):
    """An IPython shell in a notebook's kernel, as JupyterLab starts it on the hub."""
    from IPython.core.interactiveshell import InteractiveShell

    notebook = tmp_path / "e03.ipynb"
    notebook.write_text(json.dumps(NOTEBOOK), encoding="utf-8")
    monkeypatch.setenv("MANABU_LIVE_URL", view_server)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "student-token")
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook))
    for name in ("NBGRADER_EXECUTION", "MANABU_LIVE_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    shell = InteractiveShell.instance()
    shell._showtraceback = lambda *args: None
    assert shell.run_cell("from course import start_lesson, check\nstart_lesson('e03', 'en')",
                          cell_id="setup").success
    yield shell
    InteractiveShell.clear_instance()


def sent(count: int, timeout: float = 5) -> list:
    deadline = time.monotonic() + timeout
    while len(Catcher.got) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.1)  # nothing more should come
    return Catcher.got


def test_a_lesson_kernel_reports_graded_runs_in_the_background(lesson_shell):
    started = time.monotonic()
    lesson_shell.run_cell("answer_vote = 4", cell_id="ans1")             # typed: found by id
    lesson_shell.run_cell("check(answer_vote in range(10), 'x')")        # found by its text
    lesson_shell.run_cell("answer_vote = five", cell_id="ans1")          # an error
    lesson_shell.run_cell("check(True, 'y')", cell_id="chk2")
    lesson_shell.run_cell("1 + 1", cell_id="other")                      # not graded: nothing
    assert time.monotonic() - started < 1  # the child never waits for the view
    got = sent(4)
    assert [(e["exercise"], e["kind"], e["ok"]) for _p, _a, e in got] == [
        ("e03-ex1-check", "answer", True), ("e03-ex1-check", "check", True),
        ("e03-ex1-check", "answer", False), ("e03-ex2-check", "check", True)]
    assert {(p, a) for p, a, _e in got} == {("/live/api/event", "token student-token")}
    assert got[0][2]["exercises"] == ["e03-ex1-check", "e03-ex2-check"]
    assert got[0][2]["lesson"] == "e03"


@pytest.mark.parametrize("unset, set_", [
    ("MANABU_LIVE_URL", {}),                        # plain Jupyter: no live view
    ("JPY_SESSION_NAME", {}),                       # not a notebook opened in JupyterLab
    ("JUPYTERHUB_API_TOKEN", {}),                   # no token to say who it is
    (None, {"NBGRADER_EXECUTION": "autograde"}),    # nbgrader grading the notebook
])
def test_a_kernel_outside_a_class_sends_nothing(lesson_shell, monkeypatch, unset, set_):
    if unset:
        monkeypatch.delenv(unset)
    for name, value in set_.items():
        monkeypatch.setenv(name, value)
    lesson_shell.run_cell("answer_vote = 4", cell_id="ans1")
    lesson_shell.run_cell("check(True, 'y')", cell_id="chk2")
    assert sent(1, timeout=1) == []


def test_a_view_that_is_down_never_slows_or_breaks_a_check(lesson_shell, monkeypatch):
    monkeypatch.setenv("MANABU_LIVE_URL", f"http://10.255.255.1:{free_port()}/")  # blackhole
    started = time.monotonic()
    for _ in range(200):  # more than the queue holds
        assert lesson_shell.run_cell("check(True, 'y')", cell_id="chk2").success
    assert time.monotonic() - started < 5


# --- the hub service's role, and the page ------------------------------------------------

def test_the_live_service_may_only_read_its_classes_groups():
    service, role = live_service(["5a", "6b"], 4321, ["python"], {})
    assert service["name"] == role["name"] == LIVE_SERVICE and service["user"] == LIVE_SERVICE
    assert "api_token" not in service  # the hub makes a new one at each start
    assert sorted(role["scopes"]) == sorted(
        f"read:groups!group={g}" for g in
        ("nbgrader-5a", "formgrade-5a", "nbgrader-6b", "formgrade-6b"))


def test_the_live_port_outlives_a_restart_while_it_is_free(tmp_path):
    """Students' kernels keep the address they started with: a restarted hub reuses the port."""
    import socket

    path = tmp_path / "live-port"
    port = remembered_port(path)
    assert remembered_port(path) == port and path.read_text() == str(port)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        other = remembered_port(path)
    assert other != port and path.read_text() == str(other)


def test_the_page_speaks_the_course_language():
    page = class_page("5年A組", "ja", "data")
    assert "授業のようす: 5年A組" in page and 'lang="ja"' in page
    words = labels("ja")
    assert words["trying"] == "挑戦中" and words["form_ok"] == "形はOK"
    assert all(value != labels("en")[key] for key, value in words.items()), words
    assert "<script>" not in class_page("<script>", "en", "data").split("<body>")[1].split(
        "<script>\nconst")[0]


# --- make lab: the server extension in a real Jupyter server --------------------------------

@pytest.mark.browser
def test_make_lab_serves_the_view_and_takes_its_kernels_events(tmp_path, browser):
    """``make lab``'s server: the page behind its login, events only with the kernels' secret,
    the state kept from before; in Chromium on a tablet-sized screen, the table in Japanese."""
    from autograder.lab import lab_environment

    course = tmp_path / "course"
    (course / "release" / "e03").mkdir(parents=True)
    (course / "release" / "e03" / "e03.ipynb").write_text(json.dumps(NOTEBOOK), encoding="utf-8")
    before = LiveState(course / ".manabu" / "live-state.json")  # a class, from before a restart
    two = ["e03-ex1-check", "e03-ex2-check"]
    for number, name in enumerate(["あおい", "はると", "ゆい", "そうた", "めい"]):
        for exercise, fails in zip(two, (number % 2, number % 4), strict=True):
            for _ in range(fails):
                before.record("lab", name, parse_event({"lesson": "e03", "exercise": exercise,
                                                        "kind": "check", "ok": False}), two)
            if number % 4 != 3:
                before.record("lab", name, parse_event({"lesson": "e03", "exercise": exercise,
                                                        "kind": "check", "ok": number < 3}), two)
    before.save()
    port = free_port()
    env = lab_environment(course, "ja", port)
    env["MANABU_LIVE_URL"] = env["MANABU_LIVE_URL"].replace("127.0.0.1", "localhost")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", f"--ServerApp.root_dir={course}",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", "--no-browser",
         "--IdentityProvider.token=teacher-secret", "--allow-root"],
        env=env, cwd=course, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}/manabu/live/"
    try:
        for _ in range(150):
            try:
                if requests.get(base + "data", timeout=2).status_code in (200, 302, 403):
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        assert requests.get(base + "data", timeout=5, allow_redirects=False).status_code in (
            302, 403)  # behind the server's login
        bad = requests.post(base + "api/event", timeout=5, headers={"Authorization": "token x"},
                            json={"lesson": "e03", "exercise": "e03-ex1-check", "kind": "check",
                                  "ok": False})
        assert bad.status_code == 403
        ok = requests.post(base + "api/event", timeout=5,
                           headers={"Authorization": f"token {env['MANABU_LIVE_TOKEN']}"},
                           json={"lesson": "e03", "exercise": "e03-ex1-check", "kind": "check",
                                 "ok": False})
        assert ok.status_code == 204, ok.text
        auth = {"Authorization": "token teacher-secret"}
        data = requests.get(base + "data", headers=auth, timeout=5).json()
        assert data["lessons"] == ["e03"]
        assert data["exercises"] == ["e03-ex1-check", "e03-ex2-check"]  # as released
        rows = {r["student"]: [c["state"] for c in r["cells"]] for r in data["rows"]}
        assert len(rows) == 6 and rows["あおい"] == ["form_ok", "form_ok"]  # kept from before
        assert rows[live_student()] == ["trying", "not_started"]           # the kernel's event
        page = requests.get(base, headers=auth, timeout=5)
        assert page.ok and "授業のようす" in page.text
        tab = browser.new_page(viewport={"width": 1024, "height": 768})  # a school iPad
        try:
            tab.goto(base + "?token=teacher-secret")
            tab.wait_for_selector("table td.trying", timeout=20000)
            text = tab.inner_text("body")
            assert "いま一番むずかしい問題: ex1（挑戦中 3 人" in text and "挑戦中" in text and "形はOK" in text
            assert tab.evaluate("document.documentElement.scrollWidth <= innerWidth")
            assert tab.evaluate("""document.fonts.ready.then(() =>
                document.fonts.check('18px "BIZ UDPGothic"', '挑戦中'))""")  # the school font
            SHOTS.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(SHOTS / "live-view-ja.png"), full_page=True)
        finally:
            tab.close()
    finally:
        server.terminate()
        server.wait(10)


def live_student() -> str:
    import os

    return os.environ.get("USER") or "student"


# --- the hub service's permissions, with a stand-in for the hub -----------------------------

class FakeHub:
    """Who is in which hub group (what the service asks the hub)."""

    groups = {"nbgrader-5a": {"aki", "ben"}, "formgrade-5a": {"sato"},
              "nbgrader-6b": {"ben"}, "formgrade-6b": {"ito"}}

    async def members(self, group):
        return self.groups.get(group, set())


class FakeAuth:
    """The hub's answer to "whose token is this?": token ``t-<name>`` is ``name``'s."""

    import re as _re
    auth_header_pat = _re.compile(r"(?:token|bearer)\s+(.+)", _re.I)

    @classmethod
    def instance(cls):
        return cls()

    async def user_for_token(self, token, sync=False):
        return {"name": token[2:], "kind": "user"} if token.startswith("t-") else None


@pytest.fixture()
def service(monkeypatch, tmp_path):
    """The hub service's app on a local port; the viewer is named by a test header."""
    import asyncio

    from tornado.ioloop import IOLoop

    from autograder.live import hubservice

    monkeypatch.setattr(hubservice, "HubOAuth", FakeAuth)
    monkeypatch.setattr(hubservice.HubOAuthenticated, "get_current_user",
                        lambda self: ({"name": self.request.headers["X-Viewer"]}
                                      if "X-Viewer" in self.request.headers else None))
    state = LiveState()
    port = free_port()
    ready = threading.Event()
    loops = []

    def serve():
        asyncio.set_event_loop(asyncio.new_event_loop())
        app = hubservice.make_app("/services/manabu-live/", [
            {"id": "5a", "name": "5年A組", "language": "ja"},
            {"id": "6b", "name": "6B", "language": "en"}], state, FakeHub(), tmp_path)
        app.listen(port, "127.0.0.1")
        loops.append(IOLoop.current())
        ready.set()
        IOLoop.current().start()

    threading.Thread(target=serve, daemon=True).start()
    ready.wait(10)
    yield f"http://127.0.0.1:{port}/services/manabu-live/", state
    loops[0].add_callback(loops[0].stop)


def post(base, token, **event):
    body = {"lesson": "e03", "exercise": "e03-ex1-check", "kind": "check", "ok": True, **event}
    headers = {"Authorization": f"token {token}"} if token else {}
    return requests.post(base + "api/event", json=body, headers=headers, timeout=10)


def test_students_report_only_about_themselves_and_only_teachers_see_their_class(service):
    base, state = service
    assert post(base, "t-aki").status_code == 204 and post(base, "t-aki").text == ""
    assert post(base, "t-ben", ok=False).status_code == 204   # in both classes
    assert post(base, "t-sato").status_code == 204            # a teacher trying it: not counted
    assert post(base, "").status_code == 401
    assert post(base, "stolen").status_code == 403
    assert post(base, "t-aki", kind="grade").status_code == 400
    view = state.view("5a", "e03", [])
    assert {r["student"]: r["cells"][0]["state"] for r in view["rows"]} == {
        "aki": "form_ok", "ben": "trying"}
    assert [r["student"] for r in state.view("6b", "e03", [])["rows"]] == ["ben"]

    def get(path, viewer):
        return requests.get(base + path, headers={"X-Viewer": viewer}, timeout=10,
                            allow_redirects=False)

    data = get("class/5a/data", "sato")
    assert data.status_code == 200
    assert [r["student"] for r in data.json()["rows"]] == ["aki", "ben"]
    assert "授業のようす: 5年A組" in get("class/5a/", "sato").text
    for path, viewer in (("class/5a/data", "ito"), ("class/5a/", "ito"), ("class/5a/data", "aki"),
                         ("class/9z/data", "sato")):
        assert get(path, viewer).status_code == 403, (path, viewer)
    assert get("", "ito").headers["Location"] == "class/6b/"  # one class: straight to it
    assert "classes.yaml" in get("", "aki").text               # nothing to see for a student
