"""School hosting on one machine, with real components started here on 127.0.0.1: JupyterHub with
configurable-http-proxy (npm), real Unix users, and user servers running from the environment
that ``deploy/image/install.sh`` builds from Debian's Python (the image recipe, tested without
Docker). The hub runs ``deploy/hub/jupyterhub_config.py`` with a class list written here.

The flow: the class's grader builds and releases e01; two students log in, start their servers,
fetch, answer (Alice right, Bob wrong) and submit through their own servers' nbgrader handlers;
the grader collects, grades with ``manabu grade`` and releases feedback; each student fetches
their own feedback and sees their score. Alice cannot read, change or delete Bob's submission,
and nobody can rename the course. Then 30 more students submit at the same moment (``nbgrader
submit`` run as each of them, no servers): all 32 are collected and graded.

Needs root (it creates Unix users and runs the hub as root, as a school server does). Times
and memory are measured, never asserted: they go to build/hub-measurements.json.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
import requests
from conftest import REPO, VENV_BIN
from helpers import autograded_points, wrong_answers

from autograder.grading.submissions import answer_cells, fill_answers
from autograder.school.hubconfig import service_port

pytestmark = pytest.mark.slow

ENV = Path(os.environ.get("MANABU_TEST_ENV", "/opt/manabu-test-env"))
LESSONS = ENV / "share" / "manabu" / "lessons"  # teacher-only copy (install.sh --lessons DIR)
TEACHERS_GROUP = "manabu-test-teachers"
# Unix names this test makes and removes: MANABU_TEST_USERS=xyz gives another set, so two
# checkouts can run it on one machine at the same time
P = os.environ.get("MANABU_TEST_USERS", "mtt")
CLASS, CLASS2 = f"{P}-c1", f"{P}-c2"
NAME2 = "9年Z組"  # what students and teachers read for CLASS2 (classes.yaml's name)
TEACHER, ALICE, BOB, ADMIN = f"{P}-teach", f"{P}-alice", f"{P}-bob", f"{P}-admin"
TEACHER2 = f"{P}-teach2"  # teaches only the second class
CROWD = [f"{P}-s{i:02d}" for i in range(1, 31)]
USERS = [TEACHER, TEACHER2, ALICE, BOB, ADMIN, *CROWD]
ROSTER_USERS = [f"{P}-9z-01", f"{P}-9z-02"]  # made by the roster import (--create-accounts)
GRADERS = [f"grader-{CLASS}", f"grader-{CLASS2}"]
CLASS_GROUPS = [f"manabu-{CLASS}", f"manabu-{CLASS2}"]
LESSON = "e01"
LOCAL_SERVICE = "school-notices"  # the school's own service (jupyterhub_local.py): it reads
LOCAL_TOKEN = secrets.token_hex(32)  # the hub's services and groups for these tests
PASSWORD = secrets.token_hex(8)
INPUTS = ["deploy/image/install.sh", "pyproject.toml", "course", "autograder",
          "lessons"]
BUILT = {"__pycache__", "node_modules", "lib", "dist"}  # made from the inputs, not inputs
MEASURED: dict[str, object] = {}


def run(*cmd, user: str | None = None, check: bool = True, **kw) -> subprocess.CompletedProcess:
    if user:
        cmd = ("runuser", "-u", user, "--", *cmd)
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if check and result.returncode:
        raise AssertionError(f"{' '.join(map(str, cmd))} -> {result.returncode}\n"
                             f"{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result


def may(user: str, shell: str) -> bool:
    """Whether ``user`` can do ``shell`` (a sh -c command line)."""
    return run("sh", "-c", shell, user=user, check=False).returncode == 0


def inputs_hash() -> str:
    digest = hashlib.sha256(str(Path("/usr/bin/python3").resolve()).encode())
    for name in INPUTS:
        root = REPO / name
        files = [root] if root.is_file() else sorted(
            p for p in root.rglob("*") if p.is_file() and not BUILT & set(p.parts))
        for path in files:
            digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def end_processes_of(name: str) -> list[str]:
    """Kill every process of the Unix user ``name`` (none if there is no such user); their
    command lines."""
    if run("id", "-u", name, check=False).returncode:
        return []
    uid = int(run("id", "-u", name).stdout)
    import psutil

    procs = [p for p in psutil.process_iter(["uids", "cmdline"])
             if p.info["uids"] and p.info["uids"].real == uid]
    for proc in procs:
        proc.kill()
    psutil.wait_procs(procs, timeout=10)
    return [" ".join(p.info["cmdline"] or []) for p in procs]


def remove_user(name: str) -> None:
    end_processes_of(name)  # servers this test started as that user; userdel refuses a user with processes
    run("userdel", "--remove", name, check=False)


# --- the user environment: deploy/image/install.sh, cached while its inputs are unchanged -----

@pytest.fixture(scope="module")
def user_env():
    if os.geteuid() != 0:
        pytest.fail("tests/test_hub.py creates Unix users and runs JupyterHub as root: run it as "
                    "root (CI does), e.g. sudo make test.")
    if run("getent", "group", TEACHERS_GROUP, check=False).returncode:
        run("groupadd", "--system", TEACHERS_GROUP)
    stamp = ENV / ".manabu-test-inputs"
    want = inputs_hash()
    if not (stamp.exists() and stamp.read_text() == want):
        RERUN_OVER_AN_ENV[:] = [(ENV / "bin" / "python").exists()]
        started = time.monotonic()
        install()
        MEASURED["install_seconds"] = round(time.monotonic() - started, 1)
        stamp.write_text(want)
    return ENV


RERUN_OVER_AN_ENV: list[bool] = []  # whether user_env just ran the recipe over an existing env


def install() -> subprocess.CompletedProcess:
    """deploy/image/install.sh into ENV, with its lessons in the teachers' folder."""
    return run("bash", REPO / "deploy/image/install.sh", "--python", "/usr/bin/python3",
               "--prefix", ENV, "--lessons", LESSONS, "--lessons-group", TEACHERS_GROUP,
               timeout=900)


def test_install_is_idempotent_and_leaves_no_answers_for_students(user_env):
    """Run the recipe again over an existing env: it succeeds, and the only lesson texts (with
    the teachers' answers) are in the teachers' folder, which other users cannot open. (When
    user_env has just run it over an existing env, as after any change to its inputs, that run
    was the second one: it is not repeated.)"""
    if RERUN_OVER_AN_ENV != [True]:
        install()
    site = Path(run(ENV / "bin/python", "-c", "import course, os; print(os.path.dirname("
                    "course.__file__))", cwd="/").stdout.strip())  # not this checkout's course/
    assert site.is_relative_to(ENV), site
    assert not (site / "_lessons").exists()
    solution = "answer_learns = "  # a solution line of e01's teacher version
    assert solution in (REPO / "lessons/e01-ai-around-us/en.md").read_text(encoding="utf-8")
    found = run("grep", "-rl", "--include=*.md", "--include=*.py", "--include=*.ipynb",
                solution, ENV, check=False).stdout.split()
    assert found and all(Path(f).is_relative_to(LESSONS) for f in found), found
    lesson_texts = run("find", ENV, "-name", "en.md", "-o", "-name", "ja.md").stdout.split()
    assert lesson_texts and all(Path(f).is_relative_to(LESSONS) for f in lesson_texts)
    assert LESSONS.stat().st_mode & 0o007 == 0
    # every user starts with `manabu lab`'s JupyterLab defaults (no news pop-up offline)
    from autograder.lab import lab_overrides

    overrides = ENV / "share/jupyter/lab/settings/overrides.json"
    assert json.loads(overrides.read_text(encoding="utf-8")) == lab_overrides()
    # Manabu's JupyterLab extension came with the wheel, where every user's JupyterLab finds it
    assert (ENV / "share/jupyter/labextensions/@manabu/lab/package.json").is_file()


def test_dockerfile_runs_the_tested_install_script():
    """Docker cannot run here: the image must do what the tests run, with options that exist."""
    dockerfile = (REPO / "deploy/image/Dockerfile").read_text(encoding="utf-8")
    script = (REPO / "deploy/image/install.sh").read_text(encoding="utf-8")
    run_line = re.search(r"RUN bash /tmp/manabu-src/deploy/image/install\.sh(.*?)\n \&\&", dockerfile, re.S)
    assert run_line, "the Dockerfile no longer runs deploy/image/install.sh"
    options = set(re.findall(r"--[a-z-]+", run_line.group(1)))
    accepted = set(re.findall(r"^\s+(--[a-z-]+)\)", script, re.M))
    assert options and options <= accepted, options - accepted


# --- the hub --------------------------------------------------------------------------------

def default_interrupt() -> None:
    """In the hub's process before it starts: SIGINT as systemd leaves it, not ignored. A test run
    started in the background (``nohup``, ``&``) ignores SIGINT, and its children inherit that:
    JupyterHub stops each service with SIGINT first and then waits 30 s before SIGTERM, so the
    restart test measured about 30 s per class (59-65 s) instead of the ~1 s a real hub takes."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Hub:
    def __init__(self, url: str, root: Path, command: list, env: dict):
        self.url, self.root, self.command, self.env = url, root, command, env
        self.tokens: dict[str, str] = {}
        self.proc: subprocess.Popen | None = None

    def start(self) -> float:
        """Start the hub (again) and wait until it answers: the seconds it took."""
        started = time.monotonic()
        with (self.root / "hub.log").open("a") as log:
            self.proc = subprocess.Popen(self.command, cwd=self.root, env=self.env,
                                         stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=default_interrupt)
        while True:
            assert self.proc.poll() is None, "the hub stopped:\n" + self.log()[-4000:]
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=5).ok:
                    return time.monotonic() - started
            except requests.ConnectionError:
                pass
            time.sleep(0.2)

    def stop(self, timeout: float = 60) -> float:
        """SIGTERM, as systemd stops it: the seconds until the hub process ended."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return time.monotonic() - started

    def log(self) -> str:
        return (self.root / "hub.log").read_text(errors="replace")

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def course(self) -> Path:
        return self.root / "courses" / CLASS

    @property
    def exchange(self) -> Path:
        return self.root / "exchange"

    def browser(self, name: str) -> requests.Session:
        """A session logged in through the hub's form, as a browser is."""
        s = requests.Session()
        s.get(f"{self.url}/hub/login").raise_for_status()
        xsrf = s.cookies.get("_xsrf")
        r = s.post(f"{self.url}/hub/login", data={"username": name, "password": PASSWORD,
                                                  "_xsrf": xsrf}, allow_redirects=False)
        assert r.status_code == 302, (name, r.status_code, r.text[-500:])
        return s

    def login(self, name: str) -> str:
        """Log in through the hub's form (as a browser does) and get an API token for ``name``."""
        if name not in self.tokens:
            s = self.browser(name)
            xsrf = [c.value for c in s.cookies if c.name == "_xsrf"][-1]  # renewed at login
            r = s.post(f"{self.url}/hub/api/users/{name}/tokens", json={"note": "test"},
                       headers={"X-XSRFToken": xsrf})
            assert r.status_code == 201, r.text
            self.tokens[name] = r.json()["token"]
        return self.tokens[name]

    def api(self, method: str, name: str, path: str, **kw) -> requests.Response:
        headers = {"Authorization": f"token {self.login(name)}"}
        return requests.request(method, f"{self.url}{path}", headers=headers, timeout=120, **kw)

    def start_server(self, name: str) -> float:
        started = time.monotonic()
        r = self.api("POST", name, f"/hub/api/users/{name}/server")
        assert r.status_code in (201, 202), r.text
        while True:
            model = self.api("GET", name, f"/hub/api/users/{name}").json()
            server = model.get("servers", {}).get("")
            if server and server.get("ready"):
                return time.monotonic() - started
            assert server or model.get("pending"), f"{name}'s server stopped: see the hub log"
            time.sleep(0.2)

    def nbgrader(self, name: str, action: str, course: str = CLASS) -> dict:
        """One of the student's own server's nbgrader handlers (what the Assignment List calls)."""
        r = self.api("POST", name, f"/user/{name}/assignments/{action}",
                     data={"course_id": course, "assignment_id": LESSON})
        r.raise_for_status()
        result = r.json()
        assert result["success"], result.get("value")
        return result

    def grader(self, *cmd: str, account: str = CLASS) -> subprocess.CompletedProcess:
        """A command in the course folder as the class's grader account (what its Formgrader
        service runs as)."""
        env = f"PATH={ENV / 'bin'}:/usr/bin:/bin MANABU_LESSONS={LESSONS} MANABU_EXCHANGE={self.exchange}"
        return run("env", *env.split(), *cmd, user=f"grader-{account}",
                   cwd=self.root / "courses" / account, timeout=600)


def write_classes(root: Path) -> Path:
    classes = {
        "school": {"language": "ja", "env": str(ENV), "lessons": str(LESSONS),
                   "teachers_group": TEACHERS_GROUP, "courses": str(root / "courses"),
                   "exchange": str(root / "exchange"), "state": str(root / "state"),
                   "admins": [ADMIN]},
        "classes": [
            {"id": CLASS, "language": "en", "teachers": [TEACHER], "students": [ALICE, BOB, *CROWD]},
            {"id": CLASS2, "name": NAME2, "teachers": [TEACHER, TEACHER2], "students": [ALICE]},
        ],
    }
    path = root / "classes.yaml"
    path.write_text(json.dumps(classes), encoding="utf-8")  # JSON is YAML
    # the school's own hub settings beside it: Manabu's services and roles are added to these
    local = root / "jupyterhub_local.py"
    local.touch(mode=0o600)  # it may hold secrets: root-only, or the hub does not start
    local.write_text(
        f"c.JupyterHub.services = [{{'name': '{LOCAL_SERVICE}', 'api_token': '{LOCAL_TOKEN}'}}]\n"
        f"c.JupyterHub.load_roles = [{{'name': '{LOCAL_SERVICE}', 'services': ['{LOCAL_SERVICE}'],"
        " 'scopes': ['list:services', 'read:services', 'read:roles', 'list:groups',"
        " 'read:groups']}]\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hub(user_env):
    for name in USERS + GRADERS + ROSTER_USERS:  # left over from an interrupted run
        remove_user(name)
    for name in USERS:
        run("useradd", "--create-home", "--shell", "/bin/sh", name)
    root = Path(tempfile.mkdtemp(prefix="manabu-hub-test-"))
    root.chmod(0o755)  # users must reach the exchange below it
    # below the ephemeral range, as a school's 8000, 8081 and 8001 are: the hub binds its port
    # again at the restart, and a port of that range may be taken by any connection meanwhile
    port, hub_port, api_port = service_port(), service_port(), service_port()
    env = {**os.environ, "MANABU_CLASSES": str(write_classes(root)),
           "MANABU_HUB_AUTH": "shared-password", "MANABU_HUB_PASSWORD": PASSWORD,
           "PATH": f"{VENV_BIN}:{os.environ['PATH']}"}
    command = [str(VENV_BIN / "jupyterhub"), "-f", str(REPO / "deploy/hub/jupyterhub_config.py"),
               "--ip", "127.0.0.1", "--port", str(port),
               f"--JupyterHub.hub_bind_url=http://127.0.0.1:{hub_port}",
               f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{api_port}"]
    hub = Hub(f"http://127.0.0.1:{port}", root, command, env)
    try:
        MEASURED["hub_start_seconds"] = round(hub.start(), 2)
        yield hub
    finally:
        if hub.proc:
            hub.stop()  # the hub stops its services; the proxy and user servers stay (restarts)
            try:  # the proxy outlives the hub (restarts keep it): stop it here
                os.kill(int((hub.state / "jupyterhub-proxy.pid").read_text()), signal.SIGTERM)
            except (OSError, ValueError):
                pass
        print("hub log (tail):\n" + hub.log()[-6000:], file=sys.stderr)  # shown when a test failed
        # a stopped hub stops its services; seen after CI runs: a live service still running as
        # its user. End it, and say so (shown when a test failed)
        left = end_processes_of("manabu-live")
        if left:
            print("the live service outlived the hub; ended now: " + "; ".join(left), file=sys.stderr)
        for name in USERS + GRADERS + ROSTER_USERS:
            remove_user(name)  # also ends the user servers the hub left running
        for group in CLASS_GROUPS:
            run("groupdel", group, check=False)
        shutil.rmtree(root, ignore_errors=True)
        out = REPO / "build" / "hub-measurements.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(MEASURED, indent=2))
        print("hub measurements:", json.dumps(MEASURED), file=sys.stderr)


class KernelChannel:
    """A kernel's websocket through the hub's proxy, as an open JupyterLab holds it."""

    def __init__(self, ws):
        self.ws, self.printed = ws, ""

    def close(self):
        self.ws.close()


def open_kernel_channel(hub: Hub, name: str, kernel_id: str) -> KernelChannel:
    import websocket

    url = hub.url.replace("http://", "ws://") + f"/user/{name}/api/kernels/{kernel_id}/channels"
    return KernelChannel(websocket.create_connection(
        url, timeout=60, header=[f"Authorization: token {hub.login(name)}"]))


def run_in_kernel(channel: KernelChannel, code: str) -> str:
    """Run ``code`` over the open connection: the reply's status; what it printed is kept."""
    msg_id = secrets.token_hex(8)
    channel.ws.send(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                   "session": "restart-test", "version": "5.3",
                   "date": dt.datetime.now(dt.timezone.utc).isoformat()},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
    channel.printed, status, idle = "", None, False
    while status is None or not idle:  # the reply (shell) and the outputs (iopub) in any order
        msg = json.loads(channel.ws.recv())
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            channel.printed += msg["content"]["text"]
        elif msg["msg_type"] == "execute_reply":
            status = msg["content"]["status"]
        elif msg["msg_type"] == "status":
            idle = msg["content"]["execution_state"] == "idle"
    return status


def roster_token(hub: Hub) -> str:
    """The roster service's token, which the hub made at its first start (root reads it)."""
    path = hub.state / "roster-token"
    assert path.stat().st_uid == 0 and path.stat().st_mode & 0o077 == 0, oct(path.stat().st_mode)
    return path.read_text(encoding="utf-8").strip()


def members(hub: Hub, group: str) -> set[str]:
    r = requests.get(f"{hub.url}/hub/api/groups/{group}", timeout=60,
                     headers={"Authorization": f"token {LOCAL_TOKEN}"})
    return set(r.json()["users"]) if r.status_code == 200 else set()


def as_roster(hub: Hub, method: str, path: str, **kw) -> requests.Response:
    return requests.request(method, f"{hub.url}/hub/api{path}", timeout=60,
                            headers={"Authorization": f"token {roster_token(hub)}"}, **kw)


def test_no_file_or_process_a_student_can_read_holds_a_hub_secret(hub):
    """The roster token, the cookie secret and the school's own service token: not in any file
    Alice can read where a school's hub keeps things (its folders, the checkout, the
    environment, /etc, the homes), nor on any command line, nor in the hub's environment. The
    school's own services and roles (jupyterhub_local.py) are kept beside Manabu's."""
    secrets_ = [roster_token(hub), (hub.state / "jupyterhub_cookie_secret").read_text().strip(),
                LOCAL_TOKEN]
    assert len(secrets_[0]) >= 32
    places = [hub.root, REPO / "deploy", ENV / "etc", "/etc", "/home"]
    found = run("sh", "-c", " ".join(["grep -rlsF", *(f"-e {x}" for x in secrets_),
                                      *(f"'{p}'" for p in places), "; true"]), user=ALICE).stdout
    assert found == ""
    import psutil

    for proc in psutil.process_iter(["cmdline"]):
        line = " ".join(proc.info["cmdline"] or [])
        assert not any(x in line for x in secrets_), line[:200]
    assert not may(ALICE, f"cat /proc/{hub.proc.pid}/environ")
    # the school's own settings were kept next to Manabu's services and roles
    headers = {"Authorization": f"token {LOCAL_TOKEN}"}
    services = requests.get(f"{hub.url}/hub/api/services", headers=headers, timeout=60).json()
    assert set(services) == {LOCAL_SERVICE, CLASS, CLASS2, "manabu-roster", "manabu-live"}
    assert services[LOCAL_SERVICE]["roles"] == [LOCAL_SERVICE]
    group = requests.get(f"{hub.url}/hub/api/groups/formgrade-{CLASS}", headers=headers,
                         timeout=60).json()
    assert set(group["roles"]) == {f"formgrade-{CLASS}", "manabu-teachers"}


def test_the_roster_token_makes_students_and_never_teachers(hub):
    """What a stolen roster token could try: join a class's Formgrader group, make someone an
    admin. The hub refuses; creating a user and putting it in a class's student groups works."""
    forged = as_roster(hub, "POST", f"/groups/formgrade-{CLASS}/users", json={"users": [ALICE]})
    assert forged.status_code in (403, 404), forged.text  # 404: JupyterHub hides what it refuses
    assert members(hub, f"formgrade-{CLASS}") == {TEACHER}
    assert as_roster(hub, "PATCH", f"/users/{ALICE}", json={"admin": True}).status_code == 403
    assert as_roster(hub, "POST", f"/groups/{TEACHERS_GROUP}", json={}).status_code in (403, 404)
    assert as_roster(hub, "POST", f"/users/{P}-probe", json={}).status_code == 201
    r = as_roster(hub, "POST", f"/groups/nbgrader-{CLASS}/users", json={"users": [f"{P}-probe"]})
    assert r.status_code == 200, r.text
    # creating users needs admin:users, which in JupyterHub also renames and deletes them: with
    # the token a student could delete her hub user and rename the teacher's to her name (its
    # Formgrader group and all). The hub takes both back from the roster service.
    for method, name, body in (("PATCH", TEACHER, {"name": f"{P}-evil"}), ("DELETE", TEACHER, None),
                               ("PATCH", ALICE, {"name": f"{P}-alice2"}), ("DELETE", ADMIN, None)):
        r = as_roster(hub, method, f"/users/{name}", json=body)
        assert r.status_code == 403, (method, name, r.status_code, r.text)
    assert members(hub, f"formgrade-{CLASS}") == {TEACHER}
    assert "auth_state" not in as_roster(hub, "GET", f"/users/{TEACHER}").json()  # OAuth tokens
    # ... but it may still undo a user it added (an import row it could not finish)
    assert as_roster(hub, "DELETE", f"/users/{P}-probe").status_code == 204


def course_files(course: Path) -> dict[str, tuple]:
    return {str(p.relative_to(course)): (p.stat().st_mtime_ns, p.stat().st_uid)
            for p in [course, *course.rglob("*")]}


def test_roster_import_as_root_keeps_the_class_working(hub, tmp_path):
    """The guide's commands run as root: a dry run writes nothing at all; the import leaves every
    file of the course to the class's grader (who builds and grades there next), makes the
    student, and refuses the teacher row (teachers are set in classes.yaml)."""
    course = hub.root / "courses" / CLASS2
    roster = tmp_path / "roster.csv"
    roster.write_text(f"id,name,class,role\n{P}-r1,Rin Roster,c2,student\n"
                      f"{P}-r2,Tess Teacher,c2,teacher\n", encoding="utf-8")
    roster.chmod(0o600)  # a class list is personal data: only root reads it
    command = [ENV / "bin" / "manabu", "roster", "import", roster, "--course", course,
               "--class", f"{CLASS2}=c2", "--hub-url", hub.url,
               "--hub-token-file", hub.state / "roster-token"]
    before = course_files(course)
    # run from a folder only root may enter, as /root after `sudo -i`
    dry = run(*command, "--dry-run", check=False, cwd=tmp_path)
    assert dry.returncode == 1, dry.stdout + dry.stderr  # the teacher row
    assert course_files(course) == before
    assert tmp_path.stat().st_mode & 0o077 == 0
    result = run(*command, check=False, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"working as grader-{CLASS2}" in result.stdout
    assert "classes.yaml" in result.stdout  # why the teacher row was left out
    owner = int(run("id", "-u", f"grader-{CLASS2}").stdout)
    assert {p: uid for p, (_, uid) in course_files(course).items() if uid != owner} == {}
    groups = {g: members(hub, g)
              for g in (f"nbgrader-{CLASS2}", f"students-{CLASS2}", f"formgrade-{CLASS2}")}
    assert f"{P}-r1" in groups[f"nbgrader-{CLASS2}"] and f"{P}-r1" in groups[f"students-{CLASS2}"]
    assert f"{P}-r2" not in groups[f"formgrade-{CLASS2}"]
    # the grader can still write the gradebook (what `manabu build` does next)
    hub.grader("python", "-c", "import sqlite3; c = sqlite3.connect('gradebook.db'); "
               "c.execute('create table probe (x)'); c.commit()", account=CLASS2)


def test_roster_import_makes_accounts_with_a_root_only_password_sheet(hub, tmp_path):
    """A Japanese export with 学年, 組, 出席番号, 氏名 and no ids: as root, --create-accounts makes
    each student's Unix account (private home, a password that logs in) and lists the initial
    passwords on a sheet only root reads; a rerun makes nothing new."""
    import pamela

    roster = tmp_path / "meibo.csv"
    roster.write_bytes("学年,組,出席番号,氏名\n9,Z,1,山田 太郎\n9,Z,2,佐藤 花子\n".encode("cp932"))
    sheet = tmp_path / "passwords.csv"
    command = [ENV / "bin" / "manabu", "roster", "import", roster, "--course",
               hub.root / "courses" / CLASS2, "--class", f"{CLASS2}=9年Z組", "--prefix", f"{P}-",
               "--hub-url", hub.url, "--hub-token-file", hub.state / "roster-token",
               "--create-accounts", "--password-sheet", sheet]
    result = run(*command)
    assert "Made 2 Unix account(s)" in result.stdout, result.stdout
    assert sheet.stat().st_uid == 0 and sheet.stat().st_mode & 0o077 == 0
    with sheet.open(encoding="utf-8-sig") as handle:
        import csv

        passwords = {r["user"]: r["initial password"] for r in csv.DictReader(handle)}
    assert sorted(passwords) == ROSTER_USERS
    for name, password in passwords.items():
        pamela.authenticate(name, password, service="login")  # raises if it does not log in
        assert Path(f"/home/{name}").stat().st_mode & 0o077 == 0
    assert not may(ALICE, f"cat '{sheet}'")
    assert set(ROSTER_USERS) <= members(hub, f"nbgrader-{CLASS2}")
    again = run(*command[:-1], tmp_path / "again.csv")
    assert "account exists" in again.stdout and not (tmp_path / "again.csv").exists()


def test_homes_are_private(hub):
    assert may(BOB, f"echo my answers > /home/{BOB}/diary.txt")
    assert not may(ALICE, f"ls /home/{BOB}")
    assert not may(ALICE, f"cat /home/{BOB}/diary.txt")


@pytest.fixture(scope="module")
def released(hub):
    """The grader builds e01 with `manabu build` and releases it."""
    hub.grader("manabu", "build", "--course", str(hub.course), LESSON)
    hub.grader("nbgrader", "release_assignment", LESSON)
    # the second class gets the same student version (its grader releases it): only its own
    # students may see it
    other = hub.root / "courses" / CLASS2
    shutil.copytree(hub.course / "release", other / "release")
    # with the build's record of it: releasing checks the folder is what a build made
    (other / ".manabu").mkdir(exist_ok=True)
    shutil.copy(hub.course / ".manabu" / f"release-{LESSON}.json", other / ".manabu")
    for path in ("release", ".manabu"):
        run("chown", "-R", f"grader-{CLASS2}:grader-{CLASS2}", other / path)
    hub.grader("nbgrader", "release_assignment", LESSON, account=CLASS2)
    teacher = nbformat.read(hub.course / "source" / LESSON / f"{LESSON}.ipynb", as_version=4)
    return teacher


def page_config(hub: Hub, name: str, path: str) -> dict:
    html = hub.api("GET", name, path).text
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                      html, re.S)
    assert found, html[:500]
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def students(hub, released):
    """Alice and Bob log in, start their servers, fetch, answer and submit through them."""
    teacher = released
    right = answer_cells(teacher)
    wrong = {**right, **{gid: answers[0] for gid, answers in wrong_answers(LESSON).items()}}
    times = {}
    for name, answers in ((ALICE, right), (BOB, wrong)):
        times[name] = hub.start_server(name)
        hub.nbgrader(name, "fetch")
        path = f"/user/{name}/api/contents/{CLASS}/{LESSON}/{LESSON}.ipynb"
        model = hub.api("GET", name, path).json()
        nb = nbformat.from_dict(model["content"])
        answered = fill_answers(nb, answers)
        r = hub.api("PUT", name, path, json={"type": "notebook", "format": "json",
                                            "content": answered})
        assert r.status_code == 200, r.text
        hub.nbgrader(name, "submit")
    MEASURED["server_start_seconds"] = {k: round(v, 2) for k, v in times.items()}
    return teacher


def test_students_see_their_classes_in_japanese_without_teacher_tools(hub, students):
    courses = {name: sorted(hub.api("GET", name, f"/user/{name}/courses").json()["value"])
               for name in (ALICE, BOB)}
    assert courses == {ALICE: sorted([CLASS, NAME2]), BOB: [CLASS]}  # their hub groups, by name
    # Bob is not in the second class: his server neither fetches nor submits its lessons
    for action in ("fetch", "submit"):
        hub.api("POST", BOB, f"/user/{BOB}/assignments/{action}",
                data={"course_id": CLASS2, "assignment_id": LESSON})
    assert not (Path("/home") / BOB / CLASS2).exists()
    assert not list((hub.exchange / CLASS2 / "inbound").iterdir())
    # nor on the command line: only the class's members enter its exchange folder
    outbound = hub.exchange / CLASS2 / "outbound"
    assert may(ALICE, f"ls '{outbound}'") and not may(BOB, f"ls '{outbound}'")
    assert not may(BOB, f"mkdir '{hub.exchange / CLASS2 / 'inbound'}/{BOB}+{LESSON}+x'")
    listed = hub.api("GET", ALICE, f"/user/{ALICE}/assignments", params={"course_id": CLASS}).json()
    assert sorted((a["assignment_id"], a["status"]) for a in listed["value"]) == [
        (LESSON, "fetched"), (LESSON, "submitted")]
    # times in the school's zone (Asia/Tokyo), not nbgrader's UTC
    stamps = [s["timestamp"] for a in listed["value"] for s in a.get("submissions", [])]
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d JST", t) for t in stamps), stamps
    # the Assignment List asks by the name it shows: the class's lesson, fetched as by the id
    listed = hub.api("GET", ALICE, f"/user/{ALICE}/assignments", params={"course_id": NAME2}).json()
    assert [(a["course_id"], a["status"]) for a in listed["value"]] == [(NAME2, "released")]
    config = page_config(hub, ALICE, f"/user/{ALICE}/lab")
    # nbgrader's teacher tools and JupyterLab's unused plugins are off; lessons' needs are on
    from autograder.labpage import NEEDED, disabled_extensions

    off = set(config["disabledExtensions"])
    assert {name for name, no in disabled_extensions("student").items() if no} <= off
    assert not set(NEEDED) & off
    assert hub.api("GET", ALICE, f"/user/{ALICE}/formgrader").status_code == 404
    settings = hub.api("GET", ALICE, f"/user/{ALICE}/lab/api/settings/"
                                    "@jupyterlab/translation-extension:plugin").json()
    assert '"ja_JP"' in settings["raw"]
    pack = hub.api("GET", ALICE, f"/user/{ALICE}/lab/api/translations/ja_JP").json()
    assert pack["data"]["jupyterlab"][""]["language"] == "ja-JP"  # the language pack is there


def test_teacher_reaches_each_formgrader_and_students_do_not(hub, students):
    from autograder.labpage import disabled_extensions

    hub.start_server(TEACHER)
    listed = hub.api("GET", TEACHER, f"/user/{TEACHER}/formgraders").json()
    assert listed["success"], listed
    # the Course List names each class as classes.yaml does (an id where it gives no name)
    links = {c["course_id"]: c["url"] for c in listed["value"]}
    assert sorted(links) == sorted([CLASS, NAME2])
    assert links[NAME2].endswith(f"/services/{CLASS2}/lab?formgrader=true")
    off = set(page_config(hub, TEACHER, f"/user/{TEACHER}/lab")["disabledExtensions"])
    assert {name for name, no in disabled_extensions("teacher").items() if no} <= off
    assert not {"@jupyter/nbgrader:course-list", "@jupyter/nbgrader:create-assignment"} & off
    r = hub.api("GET", TEACHER, f"/services/{CLASS}/formgrader/manage_assignments")
    assert r.status_code == 200 and "nbgrader formgrade" in r.text
    listed = hub.api("GET", TEACHER, f"/services/{CLASS}/formgrader/api/assignments").json()
    assert [(a["name"], a["status"]) for a in listed] == [(LESSON, "released")]
    # the Formgrader panel is an iframe of the same server: JupyterHub >= 4.1 forbids frames
    # unless the server says otherwise
    assert r.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert hub.api("GET", ALICE, f"/services/{CLASS}/formgrader/manage_assignments").status_code == 403


# `nbgrader submit` as 30 students at the same moment: one process of the students' Python
# imports nbgrader once, then forks a child per student that becomes that Unix user and runs
# nbgrader's SubmitApp (the code `nbgrader submit` runs), all at once. (30 separate
# `nbgrader submit` commands spend a minute importing on two busy cores; this spends a second.)
CROWD_SUBMIT = r"""
import os, pwd, sys, traceback
from nbgrader.apps.submitapp import SubmitApp

course, lesson, *users = sys.argv[1:]
children = {}
for name in users:
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            account = pwd.getpwnam(name)
            os.initgroups(name, account.pw_gid)  # the class's Unix group opens its exchange
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)
            os.environ.update(HOME=account.pw_dir, USER=name, LOGNAME=name)
            os.chdir(account.pw_dir)
            SubmitApp.launch_instance([lesson, "--course", course])
            code = 0
        except SystemExit as err:
            code = err.code or 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    children[pid] = name
failed = []
for _ in users:
    pid, status = os.wait()
    if os.waitstatus_to_exitcode(status):
        failed.append(children[pid])
print("failed:", failed)
sys.exit(1 if failed else 0)
"""


@pytest.mark.browser
def test_formgrader_shows_inside_jupyterlab_in_a_browser(hub, students, browser):
    """What a teacher sees: log in on the hub's page, open the class from the Course List link;
    the Formgrader panel shows the lesson inside the class's JupyterLab, whose menus are in
    Japanese (the school's language)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{hub.url}/hub/login")
        page.fill("#username_input", TEACHER)
        page.fill("#password_input", PASSWORD)
        page.click("#login_submit")
        page.wait_for_url(lambda url: "/hub/login" not in url)  # the hub, or the running server
        page.goto(f"{hub.url}/services/{CLASS}/lab?formgrader=true")
        frame = page.frame_locator("iframe[src*='formgrader']")
        frame.locator("td", has_text=LESSON).first.wait_for(timeout=90_000)
        assert "ファイル" in page.locator(".lm-MenuBar").inner_text()
        assert page.locator(".jp-Notification-Toast").count() == 0  # no "fetch news?" pop-up
    except Exception:
        page.screenshot(path=str(REPO / "build" / "hub-formgrader-failure.png"))
        raise
    finally:
        page.close()


def submission(hub: Hub, student: str) -> Path:
    inbound = hub.exchange / CLASS / "inbound"
    found = sorted(p for p in inbound.iterdir() if p.name.startswith(f"{student}+{LESSON}+"))
    assert found, f"no submission of {student} in {inbound}"
    return found[-1]


def test_students_cannot_touch_each_others_work_or_rename_the_course(hub, students):
    bob = submission(hub, BOB)
    notebook = bob / f"{LESSON}.ipynb"
    before = notebook.read_bytes()
    assert may(BOB, f"cat '{notebook}' > /dev/null")  # the commands below can succeed
    inbound, course_x = hub.exchange / CLASS / "inbound", hub.exchange / CLASS
    attempts = {
        "list the submissions": f"ls '{inbound}'",
        "list Bob's submission": f"ls '{bob}'",
        "read Bob's notebook": f"cat '{notebook}'",
        "change Bob's notebook": f"echo x >> '{notebook}'",
        "delete Bob's notebook": f"rm -f '{notebook}'",
        "delete Bob's submission": f"rm -rf '{bob}'",
        "rename Bob's submission": f"mv '{bob}' '{inbound}/{ALICE}+{LESSON}+taken'",
        "rename the course's exchange": f"mv '{course_x}' '{hub.exchange}/moved'",
        "rename the released lesson": f"mv '{course_x}/outbound/{LESSON}' '{course_x}/outbound/x'",
        "rename the course folder": f"mv '{hub.course}' '{hub.course}-moved'",
        "read the answers": f"cat '{hub.course}/source/{LESSON}/{LESSON}.ipynb'",
        "read the lessons": f"ls '{LESSONS}'",
    }
    allowed = [what for what, shell in attempts.items() if may(ALICE, shell)]
    assert allowed == []
    assert notebook.read_bytes() == before
    assert (hub.exchange / CLASS).is_dir() and hub.course.is_dir()



@pytest.fixture(scope="module")
def graded(hub, students):
    """The grader collects, grades with `manabu grade` and releases the feedback. Before that,
    Alice drops a folder named as Bob's newest submission, with her right answers in it (inbound
    is writable): collecting must skip it (test_each_student_sees_their_own_score checks Bob's
    score)."""
    forged = hub.exchange / CLASS / "inbound" / f"{BOB}+{LESSON}+2099-01-01 00:00:00.000000 UTC+x"
    assert may(ALICE, f"mkdir '{forged}' && cp '/home/{ALICE}/{CLASS}/{LESSON}/{LESSON}.ipynb' "
                      f"'{forged}/' && echo '2099-01-01 00:00:00.000000 UTC' > '{forged}/timestamp.txt'")
    collected = hub.grader("nbgrader", "collect", LESSON)
    assert f"claims to be {BOB}'s but belongs to {ALICE}" in collected.stderr, collected.stderr
    out = hub.grader("manabu", "grade", LESSON, "--course", str(hub.course)).stdout
    hub.grader("nbgrader", "release_feedback", LESSON)
    return out


def feedback_score(hub: Hub, name: str) -> tuple[float, float]:
    hub.nbgrader(name, "fetch_feedback")
    folder = f"/user/{name}/api/contents/{CLASS}/{LESSON}/feedback"
    stamps = hub.api("GET", name, folder).json()["content"]
    assert len(stamps) == 1, stamps
    html = hub.api("GET", name, f"/user/{name}/api/contents/{stamps[0]['path']}/{LESSON}.html"
                   ).json()["content"]
    # the total: "Score so far" while the written answer waits for the teacher
    score = re.search(r"Score(?: so far)?:\s*([\d.]+)\s*/\s*([\d.]+)", re.sub(r"<[^>]+>", " ", html))
    assert score, html[:1000]
    return float(score.group(1)), float(score.group(2))


def test_each_student_sees_their_own_score(hub, graded):
    teacher = nbformat.read(hub.course / "source" / LESSON / f"{LESSON}.ipynb", as_version=4)
    points = autograded_points(teacher)
    full = sum(points.values())
    wrong_points = sum(points[f"{gid}-check"] for gid in wrong_answers(LESSON))
    alice, bob = feedback_score(hub, ALICE), feedback_score(hub, BOB)
    assert alice[0] == full and bob[0] == full - wrong_points < full, (alice, bob, graded)
    assert alice[1] == bob[1]  # the same lesson, the same maximum (of the points graded so far)
    # the grader account is not root: student code ran fully isolated in a user namespace
    assert "sandbox: full" in graded and "as your own user" in graded, graded


def test_my_lessons_panel_shows_each_student_only_their_own(hub, graded):
    """The "My lessons" handlers on the students' own servers: the due time (Alice's extension
    for Alice only, through the exchange) and each one's own score from their fetched feedback."""
    course = str(hub.course)
    hub.grader("manabu", "deadline", "set", LESSON, "2026-12-10 15:30", "--course", course)
    hub.grader("manabu", "deadline", "extend", LESSON, ALICE, "2026-12-12 15:30", "--course", course)
    own_file = hub.exchange / CLASS / "manabu-due" / f"{ALICE}.json"
    assert may(ALICE, f"cat '{own_file}'") and not may(BOB, f"cat '{own_file}'")
    rows = {}
    for name in (ALICE, BOB):
        r = hub.api("POST", name, f"/user/{name}/manabu/my-lessons/feedback",
                    json={"course_id": CLASS, "lesson": LESSON})
        assert r.status_code == 200, r.text
        rows[name] = r.json()["lesson"]
        listed = hub.api("GET", name, f"/user/{name}/manabu/my-lessons").json()
        assert listed["student"] == name
        # Bob is not in the second class: its lesson is not his
        assert {row["course_id"] for row in listed["lessons"]} == (
            {CLASS, CLASS2} if name == ALICE else {CLASS})
        assert [row for row in listed["lessons"] if row["course_id"] == CLASS] == [rows[name]]
    assert rows[ALICE]["due"] == "2026-12-12T15:30:00+09:00" and rows[ALICE]["extended"]
    assert rows[BOB]["due"] == "2026-12-10T15:30:00+09:00" and not rows[BOB]["extended"]
    for name in (ALICE, BOB):
        score = rows[name]["feedback"]["score"]
        assert (score["score"], score["max_score"] - score["pending_points"]) == \
            feedback_score(hub, name)
    assert rows[ALICE]["feedback"]["score"]["score"] > rows[BOB]["feedback"]["score"]["score"]


def test_thirty_students_submit_at_once_and_none_is_lost(hub, students, graded):
    teacher = students
    student_nb = nbformat.read(hub.course / "release" / LESSON / f"{LESSON}.ipynb", as_version=4)
    answered = nbformat.writes(fill_answers(student_nb, answer_cells(teacher)))
    for name in CROWD:  # what `fetch` puts in each student's home, answered
        folder = Path("/home") / name / CLASS / LESSON
        folder.mkdir(parents=True)
        (folder / f"{LESSON}.ipynb").write_text(answered, encoding="utf-8")
        run("chown", "-R", f"{name}:{name}", Path("/home") / name / CLASS)
    started = time.monotonic()
    result = run(ENV / "bin/python", "-c", CROWD_SUBMIT, CLASS, LESSON, *CROWD, check=False,
                 env={"PATH": f"{ENV / 'bin'}:/usr/bin:/bin", "MANABU_EXCHANGE": str(hub.exchange)},
                 timeout=600)
    MEASURED["thirty_submits_seconds"] = round(time.monotonic() - started, 1)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for name in CROWD:
        assert submission(hub, name).stat().st_mode & 0o007 == 0  # private, like Alice's and Bob's
    hub.grader("nbgrader", "collect", LESSON)
    started = time.monotonic()
    out = hub.grader("manabu", "grade", LESSON, "--course", str(hub.course)).stdout
    MEASURED["grade_32_seconds"] = round(time.monotonic() - started, 1)
    import csv

    with (hub.course / "grades.csv").open(encoding="utf-8") as handle:
        rows = {r["student"]: r for r in csv.DictReader(handle) if r["lesson"] == LESSON}
    assert sorted(rows) == sorted([ALICE, BOB, *CROWD]), out
    full = sum(autograded_points(teacher).values())
    assert all(rows[n]["status"] == "ok" and float(rows[n]["score"]) == full for n in CROWD), out


def peak_mb(pid: int) -> float:
    """A process's peak resident memory (VmHWM), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def test_lesson_runs_in_a_students_kernel(hub, students):
    """Alice's answered lesson runs without an error in a kernel of her own server (the
    environment from install.sh, as her Unix user); the memory it takes is measured."""
    import psutil
    from jupyter_client import BlockingKernelClient

    # a notebook's session, as JupyterLab opens it: its kernel reports to the live view
    path = f"{CLASS}/{LESSON}/{LESSON}.ipynb"
    session = hub.api("POST", ALICE, f"/user/{ALICE}/api/sessions", json={
        "path": path, "name": f"{LESSON}.ipynb", "type": "notebook",
        "kernel": {"name": "python3"}}).json()
    kernel = session["kernel"]
    proc = next(p for p in psutil.process_iter(["cmdline"])
                if any(kernel["id"] in arg for arg in p.info["cmdline"] or []))
    connection = next(arg for arg in proc.info["cmdline"] if kernel["id"] in arg)
    assert proc.uids().real == int(run("id", "-u", ALICE).stdout)
    nb = nbformat.read(Path("/home") / ALICE / CLASS / LESSON / f"{LESSON}.ipynb", as_version=4)
    client = BlockingKernelClient()
    client.load_connection_file(connection)
    client.start_channels()
    errors = []
    try:
        client.wait_for_ready(timeout=120)
        for cell in nb.cells:
            if cell.cell_type == "code":
                reply = client.execute_interactive(cell.source, timeout=120, output_hook=lambda m: None)
                if reply["content"]["status"] != "ok":
                    errors.append((cell.source[:80], reply["content"].get("ename")))
        said = []
        client.execute_interactive("from course.i18n import get_language; print(get_language())",
                                   timeout=60, output_hook=lambda m: said.append(
                                       m["content"].get("text", "")))
    finally:
        client.stop_channels()
    assert "".join(said).strip() == "en"  # the class reads English in a Japanese school
    server = proc.parent()
    MEASURED["student_memory_mb"] = {"server_peak": round(peak_mb(server.pid), 1),
                                     "kernel_peak": round(peak_mb(proc.pid), 1),
                                     "lesson": LESSON}
    hub.api("DELETE", ALICE, f"/user/{ALICE}/api/sessions/{session['id']}")
    assert errors == []
    # her visible checks passed, and her kernel said so to her class's live view on its own
    row = []
    for _ in range(100):
        data = hub.api("GET", TEACHER, f"{LIVE}/class/{CLASS}/data?lesson={LESSON}").json()
        row = [r for r in data["rows"] if r["student"] == ALICE][0]["cells"]
        if row and all(c["state"] == "form_ok" for c in row):
            break
        time.sleep(0.1)
    assert [c["state"] for c in row] == ["form_ok"] * len(exercises(hub)), row


LIVE = "/services/manabu-live"


def exercises(hub: Hub) -> list[str]:
    """The graded exercises of the lesson as the class got it."""
    from course.live import notebook_exercises

    released = hub.exchange / CLASS / "outbound" / LESSON / f"{LESSON}.ipynb"
    return notebook_exercises(json.loads(released.read_text(encoding="utf-8")))["exercises"]


def crowd_event(token: str, exercise: str, kind: str, ok: bool) -> int:
    r = requests.post(f"{HUB_URL[0]}{LIVE}/api/event", timeout=60,
                      headers={"Authorization": f"token {token}"},
                      json={"lesson": LESSON, "exercise": exercise, "kind": kind, "ok": ok})
    return r.status_code


HUB_URL: list[str] = []


def crowd_works(token: str, number: int, first: str, second: str) -> list[int]:
    """What student ``number`` does: checks the first exercise right; on the second, a third
    are stuck (two failed checks), a third get it on the second try, a third have not started."""
    codes = [crowd_event(token, first, "answer", True), crowd_event(token, first, "check", True)]
    if number % 3 < 2:
        codes += [crowd_event(token, second, "check", False),
                  crowd_event(token, second, "check", number % 3 == 1)]
    if number % 3 == 0:
        codes.append(crowd_event(token, second, "check", False))
    return codes


def test_live_view_thirty_students_at_once_only_their_teachers_see_it(hub, students):
    """30 students report at the same moment with their own hub tokens (what their kernels
    inherit); the class's teacher sees each of them, with the attempts and the hardest exercise,
    at once; a teacher of another class and a student are refused; a student's report is about
    themself only and tells them nothing. The page's load time is measured."""
    from concurrent.futures import ThreadPoolExecutor

    HUB_URL[:] = [hub.url]
    first, second, *_ = names = exercises(hub)
    with ThreadPoolExecutor(30) as pool:  # each student logs in: their own token
        tokens = dict(zip(CROWD, pool.map(hub.login, CROWD), strict=True))
    started = time.monotonic()
    with ThreadPoolExecutor(30) as pool:
        codes = list(pool.map(crowd_works, tokens.values(), range(30), [first] * 30,
                              [second] * 30))
    MEASURED["live_thirty_students_report_seconds"] = round(time.monotonic() - started, 2)
    assert {c for row in codes for c in row} == {204}  # nothing comes back to a student

    teacher = hub.browser(TEACHER)
    started = time.monotonic()
    page = teacher.get(f"{hub.url}{LIVE}/class/{CLASS}/", timeout=60)  # through hub OAuth
    MEASURED["live_first_open_seconds"] = round(time.monotonic() - started, 2)
    assert page.status_code == 200 and "授業のようす" not in page.text  # the class reads English
    assert "Live: " in page.text
    loads = []
    for _ in range(5):  # what the page does every 2.5 s
        started = time.monotonic()
        data = teacher.get(f"{hub.url}{LIVE}/class/{CLASS}/data", timeout=60).json()
        loads.append(time.monotonic() - started)
    MEASURED["live_view_load_seconds"] = {"median": round(sorted(loads)[2], 3),
                                          "max": round(max(loads), 3), "students": 32}
    assert data["lesson"] == LESSON and data["exercises"] == names
    rows = {r["student"]: [(c["state"], c["attempts"]) for c in r["cells"]] for r in data["rows"]}
    # the whole class, from its hub group (with whoever the roster tests put in it)
    assert {ALICE, BOB, *CROWD} <= set(rows) == members(hub, f"nbgrader-{CLASS}")
    for number, name in enumerate(CROWD):
        expected = {0: ("trying", 3), 1: ("form_ok", 2), 2: ("not_started", 0)}[number % 3]
        assert rows[name][:2] == [("form_ok", 1), expected], (name, rows[name])
    assert data["hardest"] == {"exercise": second, "trying": 10, "fails": 30}

    # a teacher of the other class only: that class, never this one
    other = hub.browser(TEACHER2)
    assert other.get(f"{hub.url}{LIVE}/class/{CLASS}/data", timeout=60).status_code == 403
    assert other.get(f"{hub.url}{LIVE}/class/{CLASS}/", timeout=60).status_code == 403
    mine = other.get(f"{hub.url}{LIVE}/", timeout=60)  # one class: straight to it
    assert mine.status_code == 200 and mine.url.endswith(f"/class/{CLASS2}/"), mine.url
    # that class's rows: its hub group (Alice, and whoever the roster tests added to it)
    theirs = {r["student"] for r in other.get(f"{hub.url}{LIVE}/class/{CLASS2}/data",
                                              timeout=60).json()["rows"]}
    assert ALICE in theirs and theirs == members(hub, f"nbgrader-{CLASS2}")
    # students: neither the page (the hub refuses them the service) nor the data
    for name in (ALICE, CROWD[0]):
        assert hub.browser(name).get(f"{hub.url}{LIVE}/class/{CLASS}/", timeout=60
                                     ).status_code == 403
    r = requests.get(f"{hub.url}{LIVE}/class/{CLASS}/data", timeout=60,
                     headers={"Authorization": f"token {tokens[CROWD[0]]}"})
    assert r.status_code == 403
    # no token, a made-up token, an exercise the lesson does not have
    assert requests.post(f"{hub.url}{LIVE}/api/event", json={}, timeout=60).status_code == 401
    assert crowd_event("made-up", first, "check", True) == 403
    assert crowd_event(tokens[CROWD[2]], f"{LESSON}-rude", "check", True) == 204
    data = teacher.get(f"{hub.url}{LIVE}/class/{CLASS}/data", timeout=60).json()
    assert data["exercises"] == names
    # kept on disk for a restart (written every few seconds), by the service's own account
    state = hub.root / "live" / "live-state.json"
    for _ in range(100):
        if state.exists():
            break
        time.sleep(0.1)
    assert state.stat().st_uid == int(run("id", "-u", "manabu-live").stdout)
    assert not may(ALICE, f"cat '{state}'")


def test_a_restart_keeps_students_working_and_stops_in_seconds(hub, students):
    """Last: it restarts the hub, as adding a class does. Alice's server (and its kernel) keeps
    running; the hub stops in seconds, with no traceback; after the start her server is there."""
    import psutil

    uid = int(run("id", "-u", ALICE).stdout)
    server = next(p for p in psutil.process_iter(["uids", "cmdline"])
                  if p.info["uids"] and p.info["uids"].real == uid
                  and "jupyterhub-singleuser" in " ".join(p.info["cmdline"] or []))
    # her server keeps the hub's word on a token for 5 minutes from when it first asked (not
    # from the last use): with the token of the earlier tests the entry could end while the hub
    # is down, and the save below failed (seen under load). A new token, first used here.
    r = hub.api("POST", ALICE, f"/hub/api/users/{ALICE}/tokens", json={"note": "restart"})
    assert r.status_code == 201, r.text
    hub.tokens[ALICE] = r.json()["token"]
    kernel = hub.api("POST", ALICE, f"/user/{ALICE}/api/kernels", json={"name": "python3"}).json()
    # the teacher left a terminal and a kernel open in the class's Formgrader (`manabu build`)
    for what, body in (("terminals", None), ("kernels", {"name": "python3"})):
        r = hub.api("POST", TEACHER, f"/services/{CLASS}/api/{what}", json=body)
        assert r.status_code in (200, 201), r.text
    # her open lesson: a connection to her kernel through the proxy, as JupyterLab holds one
    proxy_pid = (hub.state / "jupyterhub-proxy.pid").read_text().strip()
    live_port = (hub.state / "live-port").read_text()  # what running kernels report to
    lesson = open_kernel_channel(hub, ALICE, kernel["id"])
    assert run_in_kernel(lesson, "x = 41") == "ok"
    logged = len(hub.log())
    MEASURED["hub_stop_seconds"] = seconds = round(hub.stop(120), 1)
    stopping = hub.log()[logged:]
    assert "Traceback" not in stopping and "proto" not in stopping, stopping[-3000:]
    # Not a speed target (the time is reported in MEASURED): the old hub waited ~30 s per class
    # for each Formgrader's open terminal and kernel (60-100 s here); 19.5 s was measured
    # with eight developers' tests on two cores, so the line sits far from both.
    assert seconds < 45, stopping[-3000:]
    assert server.is_running()
    # while the hub is down, her lesson still reaches her kernel through the proxy
    assert run_in_kernel(lesson, "x += 1") == "ok"
    saved = hub.api("PUT", ALICE, f"/user/{ALICE}/api/contents/during-restart.txt",
                    json={"type": "file", "format": "text", "content": "still here"})
    assert saved.status_code in (200, 201), saved.text  # and saving works (her server's own auth)
    MEASURED["hub_restart_seconds"] = round(hub.start(), 2)
    # the starting hub kept the proxy, so the connection her JupyterLab held never dropped
    assert (hub.state / "jupyterhub-proxy.pid").read_text().strip() == proxy_pid, hub.log()[-3000:]
    assert "keeping the proxy that is still running" in hub.log()[logged:]
    # and the live view's port, though its old connections linger (TIME_WAIT): Alice's kernel
    # keeps reporting to the address it started with
    assert (hub.state / "live-port").read_text() == live_port
    assert run_in_kernel(lesson, "print(x)") == "ok" and lesson.printed == "42\n"
    lesson.close()
    model = hub.api("GET", ALICE, f"/hub/api/users/{ALICE}").json()
    assert model["servers"][""]["ready"], model
    assert server.is_running()
    kernels = hub.api("GET", ALICE, f"/user/{ALICE}/api/kernels").json()
    assert kernel["id"] in [k["id"] for k in kernels]
    # the live view came back with what the teacher saw before (the hub answers through the
    # kept proxy while it still starts its services: the view may take a few seconds more)
    # (up to the service start timeout JupyterHub is given: in CI the other workers keep both
    # cores busy, and once 90 s were not enough)
    deadline = time.monotonic() + 180
    while (r := hub.api("GET", TEACHER, f"{LIVE}/class/{CLASS}/data?lesson={LESSON}")
           ).status_code == 503 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert r.status_code == 200, (f"the live view did not come back after the restart ({r.status_code}); "
                                  "the hub's lines about it:\n" + "\n".join(
                                      line for line in hub.log()[logged:].splitlines()
                                      if "manabu-live" in line and "ConfigProxy" not in line)[-4000:])
    data = r.json()
    assert {r["student"]: r["cells"][0]["state"] for r in data["rows"]}[CROWD[0]] == "form_ok"
