"""docs/hosting.md, followed as a school's IT person would: its shell blocks, in order, as root,
with their real paths (/opt/manabu, /srv/manabu, /etc/manabu, /var/backups/manabu), from the
release archive built from this repository. Each step's time goes to
build/guide-measurements.json.

What this machine changes, and why (every change is checked to apply, so a guide edit that
drops one is noticed): step 1 is not run (the machine has those packages: checked instead);
`--private-homes` is left out (other accounts live in this /home: the hub still makes its own
users' homes private, checked); `passwd` reads a terminal, so the password goes through
`chpasswd`; `nano` is left out (the example class list is used as it is); there is no systemd,
so the unit's ExecStart runs by hand with its Environment and WorkingDirectory; the hub's ports
are set in jupyterhub_local.py as the guide says (8000 may be taken); uninstall removes only the
accounts and groups the guide made and keeps npm's proxy (other tests use it). Step 2 runs over a
copy of tests/test_hub.py's environment (MANABU_TEST_ENV, built by the same install.sh from the
same Debian Python), as the guide's update does ("run the same command again; it reuses what is
there"): a fresh install of those ~300 packages took 200-290 s of a busy CI run, and
`make venv` on a fresh clone and test_hub.py already install them (with no such environment the
step installs from scratch, as on a new server).

Needs root; the guide's fixed names (tanaka, s5a01, grader-5a, manabu-teachers...) mean one run
per machine at a time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from conftest import REPO, free_port

pytestmark = pytest.mark.slow

GUIDE = REPO / "docs" / "hosting.md"
PASSWORD = "Guide-test-1"
PEOPLE = ["tanaka", "s5a01"]  # step 3's accounts
MADE = ["s5a-01"]  # the class list's (--create-accounts)
GRADERS, GROUPS = ["grader-5a", "grader-6b"], ["manabu-teachers", "manabu-5a", "manabu-6b"]
PLACES = ["/opt/manabu", "/opt/manabu-src", "/srv/manabu", "/etc/manabu",
          "/etc/cron.daily/manabu-backup", "/var/backups/manabu",
          "/etc/systemd/system/jupyterhub.service"]
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
MEASURED: dict[str, float] = {}
# each block of the guide, known by a line it holds (in this order)
BLOCKS = ["apt-get update", "tar -xzf", "useradd --create-home tanaka", "cp /opt/manabu-src",
          "bin/jupyterhub \\", "jupyterhub.service", "manabu-backup", "systemctl disable",
          "roster import ROSTER.csv"]


def guide_blocks() -> list[str]:
    """The shell blocks of *One server* up to the class lists' first command, in order."""
    text = GUIDE.read_text(encoding="utf-8")
    part = text[text.index("## One server"):text.index("### OneRoster")]
    blocks = re.findall(r"```bash\n(.*?)```", part, re.S)
    assert len(blocks) == len(BLOCKS) and all(m in b for m, b in zip(BLOCKS, blocks, strict=True)), blocks
    return blocks


def change(block: str, old: str, new: str) -> str:
    assert old in block, f"the guide no longer says {old!r}: update tests/test_guide.py"
    return block.replace(old, new)


def sh(script: str, name: str, cwd: Path, **kw) -> subprocess.CompletedProcess:
    """One block of the guide, as bash with `set -e` in a root shell; its time is measured."""
    started = time.monotonic()
    result = subprocess.run(["bash", "-ec", script], cwd=cwd, capture_output=True, text=True,
                            env={"PATH": SYSTEM_PATH, "HOME": "/root", "LANG": "C.UTF-8"}, **kw)
    MEASURED[name] = round(time.monotonic() - started, 1)
    assert result.returncode == 0, f"{name}:\n{script}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


SEED = Path(os.environ.get("MANABU_TEST_ENV", "/opt/manabu-test-env"))  # tests/test_hub.py's


def seed_environment(prefix: Path) -> bool:
    """Copy SEED (install.sh's environment of the hub tests) to ``prefix`` with its paths moved,
    when it was made from the Python the guide uses: whether it did. Files are hard links (a
    copy of 850 MB took 50 s of a busy disk, and deleting it at the uninstall as long), except
    the ones install.sh rewrites in place, so the guide never writes into SEED: pip and the
    catalogs replace files rather than write into them."""
    config = SEED / "pyvenv.cfg"
    if not config.exists() or "executable = /usr/bin/python3" not in config.read_text():
        return False
    subprocess.run(["cp", "-al", str(SEED), str(prefix)], check=True)
    (prefix / ".manabu-test-inputs").unlink(missing_ok=True)  # the hub tests' stamp
    for rewritten in ("etc", "share/jupyter/lab/settings"):  # install.sh step 5
        if (prefix / rewritten).exists():
            shutil.rmtree(prefix / rewritten)
            shutil.copytree(SEED / rewritten, prefix / rewritten, symlinks=True)
    # a venv names its own folder in its scripts' first line and in pyvenv.cfg, nowhere else
    for path in [prefix / "pyvenv.cfg", *(prefix / "bin").iterdir()]:
        if path.is_file() and not path.is_symlink():
            text = path.read_bytes()
            moved = text.replace(f"{SEED}/".encode(), f"{prefix}/".encode()).replace(
                f"{SEED}\n".encode(), f"{prefix}\n".encode())
            if moved != text:
                mode = path.stat().st_mode
                path.unlink()  # a new file: the link to SEED's is left as it is
                path.write_bytes(moved)
                path.chmod(mode)
    return True


def clean_machine() -> None:
    """What a run leaves if it was interrupted (and what the guide's own uninstall keeps)."""
    for sheet in Path("/root").glob("manabu-passwords-5a-*.csv"):  # the import's password sheet
        sheet.unlink()
    for name in PEOPLE + MADE + GRADERS:
        if subprocess.run(["id", "-u", name], capture_output=True).returncode == 0:
            subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
            time.sleep(0.5)
            subprocess.run(["userdel", "--remove", name], capture_output=True)
    for group in GROUPS:
        subprocess.run(["groupdel", group], capture_output=True)
    for place in PLACES:
        path = Path(place)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists():
            path.unlink()


class Started:
    """A hub started by a block (in its own session, as a terminal or systemd would)."""

    def __init__(self, command: list[str], cwd: str, env: dict, log: Path):
        self.log = log
        with log.open("a") as out:
            self.proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_for(self, text: str, timeout: float = 180) -> float:
        started = time.monotonic()
        while text not in self.log.read_text(errors="replace"):
            assert self.proc.poll() is None, self.log.read_text(errors="replace")[-4000:]
            assert time.monotonic() - started < timeout, self.log.read_text(errors="replace")[-4000:]
            time.sleep(0.2)
        return time.monotonic() - started

    def stop(self, sig: int) -> None:
        self.proc.send_signal(sig)
        self.proc.wait(60)


def login(url: str, name: str) -> requests.Session:
    """Log in through the hub's form with the Unix password; a session with an API token."""
    s = requests.Session()
    s.get(f"{url}/hub/login").raise_for_status()
    r = s.post(f"{url}/hub/login", data={"username": name, "password": PASSWORD,
                                        "_xsrf": s.cookies.get("_xsrf")}, allow_redirects=False)
    assert r.status_code == 302, (name, r.status_code, r.text[-300:])  # PAM took the password
    xsrf = [c.value for c in s.cookies if c.name == "_xsrf"][-1]
    r = s.post(f"{url}/hub/api/users/{name}/tokens", json={}, headers={"X-XSRFToken": xsrf})
    assert r.status_code == 201, r.text
    return _with_token(r.json()["token"])


def _with_token(token: str) -> requests.Session:
    s = requests.Session()
    s.headers["Authorization"] = f"token {token}"
    return s


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """The release archive the guide starts from, built from this repository."""
    if os.geteuid() != 0:
        pytest.fail("tests/test_guide.py follows the hosting guide as root (CI runs as root).")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--outdir", str(out), str(REPO)],
                   check=True, capture_output=True)
    (found,) = out.glob("manabu-*.tar.gz")
    return found


def test_the_hosting_guide_works_as_written(archive):
    blocks = guide_blocks()
    version = archive.name.removeprefix("manabu-").removesuffix(".tar.gz")
    scratch = Path(tempfile.mkdtemp(prefix="manabu-guide-"))
    shutil.copy(archive, scratch)
    port, hub_port, api_port = free_port(), free_port(), free_port()
    clean_machine()
    hub = None
    try:
        # 1. system packages: there already (not reinstalled on a shared machine)
        for package in ("python3", "python3-venv", "cron", "sqlite3"):
            assert subprocess.run(["dpkg", "-s", package], capture_output=True).returncode == 0, package
        assert shutil.which("configurable-http-proxy", path=SYSTEM_PATH)
        # 2. Manabu from the archive
        step = change(blocks[1], "manabu-0.1.0.tar.gz", archive.name)
        step = change(step, " --private-homes", "")
        started = time.monotonic()
        seeded = seed_environment(Path("/opt/manabu"))
        MEASURED["2 install over a copy of"] = str(SEED) if seeded else "nothing (from scratch)"
        MEASURED["2 copy"] = round(time.monotonic() - started, 1)
        sh(step, "2 install", scratch, timeout=900)
        if seeded:  # the archive's Manabu replaced the copy's, and nothing runs SEED's Python
            ours, theirs = (next(Path(p, "lib").glob("python3*/site-packages/course/__init__.py"))
                            for p in ("/opt/manabu", SEED))
            assert ours.stat().st_ino != theirs.stat().st_ino, "install.sh kept the copy's Manabu"
            assert not [p for p in Path("/opt/manabu/bin").iterdir() if p.is_file() and
                        str(SEED).encode() in p.read_bytes()]
        assert Path("/opt/manabu-src/pyproject.toml").read_text().count(f'version = "{version}"')
        # 3. people
        step = blocks[2]
        for name in PEOPLE:
            step = change(step, f"passwd {name}", f"echo '{name}:{PASSWORD}' | chpasswd")
        sh(step, "3 people", scratch)
        # 4. classes (the example as it is)
        sh(change(blocks[3], "nano /etc/manabu/classes.yaml", ""), "4 classes", scratch)
        local = Path("/etc/manabu/jupyterhub_local.py")  # ports, where the guide says to put them
        local.write_text(f"c.JupyterHub.port = {port}\nc.JupyterHub.hub_port = {hub_port}\n"
                         f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{api_port}'\n")
        local.chmod(0o600)
        url = f"http://127.0.0.1:{port}"
        # 5. start by hand, stop with Ctrl+C
        hub = Started(["bash", "-ec", blocks[4]], str(scratch), {"PATH": SYSTEM_PATH, "HOME": "/root"},
                      scratch / "hub-by-hand.log")
        MEASURED["5 first start"] = round(hub.wait_for(f"JupyterHub is now running at http://:{port}"), 1)
        token = Path("/srv/manabu/hub/roster-token")
        assert token.stat().st_mode & 0o777 == 0o600 and token.stat().st_uid == 0
        assert Path("/home/s5a01").stat().st_mode & 0o077 == 0  # the hub closed its users' homes
        os.killpg(hub.proc.pid, signal.SIGINT)  # Ctrl+C in the terminal
        hub.proc.wait(60)
        log = hub.log.read_text()  # (what it printed itself shows once it has ended)
        assert "created the Unix account grader-5a" in log and "created the Unix account grader-6b" in log
        # 6. the systemd unit: what it starts, started by hand (no systemd here)
        step = change(blocks[5], "systemctl daemon-reload && systemctl enable --now jupyterhub", "")
        step = change(step, "journalctl -u jupyterhub -f", "")
        sh(step, "6 unit", scratch)
        unit = Path("/etc/systemd/system/jupyterhub.service").read_text()
        env = dict(re.findall(r"^Environment=(\w+)=(.*)$", unit, re.M))
        command = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1).split()
        cwd = re.search(r"^WorkingDirectory=(.*)$", unit, re.M).group(1)
        hub = Started(command, cwd, {"PATH": SYSTEM_PATH, "LANG": "C.UTF-8", **env}, scratch / "hub.log")
        assert "Environment=MANABU_CLASSES=/etc/manabu/classes.yaml" in unit
        MEASURED["6 start"] = round(hub.wait_for("JupyterHub is now running", 180), 1)
        # 7. a teacher logs in with the Unix password; the Course List names the classes
        started = time.monotonic()
        teacher = login(url, "tanaka")
        r = teacher.post(f"{url}/hub/api/users/tanaka/server")
        assert r.status_code in (201, 202), r.text
        while not teacher.get(f"{url}/hub/api/users/tanaka").json()["servers"].get("", {}).get("ready"):
            time.sleep(0.3)
        MEASURED["7 teacher's server"] = round(time.monotonic() - started, 1)
        courses = teacher.get(f"{url}/user/tanaka/formgraders").json()
        assert sorted(c["course_id"] for c in courses["value"]) == ["5年A組", "6年B組"], courses
        # a class list from the school system, imported as the guide says
        roster = scratch / "ROSTER.csv"
        roster.write_bytes("学年,組,出席番号,氏名\n5,A,1,山田 太郎\n".encode("cp932"))
        roster.chmod(0o600)
        step = change(blocks[8], "http://127.0.0.1:8000", url)
        printed = sh(step, "class list", scratch).stdout
        assert "working as grader-5a" in printed and "Made 1 Unix account(s)" in printed, printed
        assert Path("/home/s5a-01").stat().st_mode & 0o077 == 0
        members = requests.get(f"{url}/hub/api/groups/nbgrader-5a", timeout=30, headers={
            "Authorization": f"token {token.read_text().strip()}"}).json()["users"]
        assert "s5a-01" in members, members
        # backups: the nightly script, run once
        sh(blocks[6], "backup", scratch)
        day = Path("/var/backups/manabu") / dt.date.today().isoformat()
        assert (day / "manabu.tar.gz").stat().st_size > 0 and (day / "gradebook-5a.db").exists()
        assert Path("/var/backups/manabu").stat().st_mode & 0o077 == 0
        # uninstall: Stop All (the teacher's server), stop the service, then the guide's block
        assert teacher.delete(f"{url}/hub/api/users/tanaka/server").status_code in (202, 204)
        while teacher.get(f"{url}/hub/api/users/tanaka").json()["servers"]:
            time.sleep(0.3)
        hub.stop(signal.SIGTERM)  # systemctl stop: the main process only (KillMode=process)
        step = change(blocks[7], "systemctl disable --now jupyterhub && ", "")
        step = change(step, "grep '^grader-'", "grep -xE 'grader-(5a|6b)'")
        step = change(step, "grep '^manabu-'", "grep -xE 'manabu-(teachers|5a|6b)'")
        step = change(step, "npm uninstall -g configurable-http-proxy", "")
        sh(step, "uninstall", scratch)
        for place in PLACES[:5] + PLACES[6:]:
            assert not Path(place).exists(), place
        for name in GRADERS:
            assert subprocess.run(["id", name], capture_output=True).returncode != 0, name
        assert subprocess.run(["pgrep", "-f", f"configurable-http-proxy.*{port}"],
                              capture_output=True).returncode != 0  # the proxy is gone
    finally:
        if hub and hub.proc.poll() is None:
            hub.stop(signal.SIGTERM)
        if (scratch / "hub.log").exists():
            print("hub log (tail):\n" + (scratch / "hub.log").read_text()[-5000:], file=sys.stderr)
        proxy = Path("/srv/manabu/hub/jupyterhub-proxy.pid")  # left running if a step failed
        if proxy.exists():
            subprocess.run(["kill", proxy.read_text().strip()], capture_output=True)
        clean_machine()
        shutil.rmtree(scratch, ignore_errors=True)
        out = REPO / "build" / "guide-measurements.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(MEASURED, indent=2, ensure_ascii=False))
        print("guide measurements:", json.dumps(MEASURED, ensure_ascii=False), file=sys.stderr)
