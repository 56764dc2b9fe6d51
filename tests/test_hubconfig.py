"""The school hub's configuration helpers (autograder/school/hubconfig.py) and private homes
(deploy/image/private-homes.sh), without a hub: tokens stay root-only, the school's own services
and roles are kept, the roster role names no teachers' group."""

from __future__ import annotations

import os
import re
import socket
import subprocess
from pathlib import Path

import pytest
from conftest import REPO

from autograder.school.hubconfig import (
    ROSTER_SERVICE,
    HubConfigError,
    ephemeral_ports,
    make_private,
    merge_named,
    read_token,
    remembered_port,
    roster_service,
    service_port,
)


def test_a_token_file_is_made_root_only_and_reused(tmp_path):
    path = tmp_path / "hub" / "roster-token"
    token = read_token(path)
    assert len(token) == 64 and path.stat().st_mode & 0o777 == 0o600
    assert read_token(path) == token


def test_a_token_others_can_read_stops_the_hub(tmp_path):
    path = tmp_path / "roster-token"
    path.write_text("x" * 64)
    path.chmod(0o644)
    with pytest.raises(HubConfigError, match="others can read it .* chmod 600"):
        read_token(path)


def test_the_service_manager_may_give_the_token(tmp_path, monkeypatch):
    monkeypatch.setenv("MANABU_ROSTER_TOKEN", "y" * 64)
    assert read_token(tmp_path / "none", "MANABU_ROSTER_TOKEN") == "y" * 64
    assert not (tmp_path / "none").exists()


def test_the_roster_role_never_names_a_teachers_group():
    service, role = roster_service("t" * 64, ["5a", "6b"])
    assert service["name"] == ROSTER_SERVICE and role["services"] == [ROSTER_SERVICE]
    groups = {s.split("=", 1)[1] for s in role["scopes"] if s.startswith("admin:groups!group=")}
    assert groups == {"nbgrader-5a", "students-5a", "nbgrader-6b", "students-6b"}
    assert set(role["scopes"]) - {f"admin:groups!group={g}" for g in groups} == {"admin:users"}


def test_the_schools_own_services_and_roles_are_kept():
    school = [{"name": "cull-idle"}, {"name": "5a", "url": "old"}]
    ours = [{"name": "5a", "url": "new"}, {"name": ROSTER_SERVICE}]
    assert merge_named(school, ours) == [{"name": "cull-idle"}, *ours]
    assert merge_named(None, ours) == ours


def test_make_private(tmp_path):
    home = tmp_path / "alice"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    make_private(home, os.getuid() + 1)  # not the user's own folder: left alone
    assert home.stat().st_mode & 0o777 == 0o755
    make_private(home, os.getuid())
    assert home.stat().st_mode & 0o777 == 0o700
    make_private(tmp_path / "nobody", 0)  # no home: nothing to do


def test_private_homes_script_sets_home_mode_once_and_closes_homes(tmp_path):
    defs = tmp_path / "login.defs"
    defs.write_text(Path("/etc/login.defs").read_text() + "HOME_MODE\t0755\n")
    homes = tmp_path / "home"
    for name in ("alice", "bob"):
        (homes / name).mkdir(parents=True)
        (homes / name).chmod(0o755)
    script = [str(REPO / "deploy/image/private-homes.sh"), "--login-defs", str(defs),
              "--homes", str(homes)]
    for _ in range(2):  # safe to run again
        subprocess.run(script, check=True, capture_output=True)
    active = re.findall(r"^\s*HOME_MODE\s+(\S+)", defs.read_text(), re.M)
    assert active == ["0700"]
    assert {p.name: p.stat().st_mode & 0o777 for p in homes.iterdir()} == {"alice": 0o700,
                                                                          "bob": 0o700}
    os.remove(defs)


def test_manabu_build_in_a_class_formgrader_points_to_release_not_lab(monkeypatch, tmp_path):
    """In the Formgrader's terminal (a hub service) `manabu lab` and `make lab` make no sense:
    the next step is Release (or grading) in the Formgrader, said in the class's language."""
    from autograder.cli import next_step

    monkeypatch.delenv("JUPYTERHUB_SERVICE_NAME", raising=False)
    assert next_step(tmp_path).startswith("Next: manabu lab --course")
    assert next_step(tmp_path, "ja").startswith("次に：manabu lab --course")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_NAME", "5a")
    said = next_step(tmp_path)
    assert "manabu lab" not in said and "Manage Assignments" in said and "Release" in said
    said = next_step(tmp_path, "ja")
    assert said.startswith("次に：") and "Release" in said and "lab" not in said


@pytest.mark.parametrize("on_hub", [False, True])  # not "hub": that names the slow hub fixture
def test_the_demo_hint_on_the_hub_names_no_make_command(monkeypatch, on_hub):
    from autograder.demo import grading_hint
    from course.i18n import translator

    if on_hub:
        monkeypatch.setenv("JUPYTERHUB_SERVICE_NAME", "5a")
    else:
        monkeypatch.delenv("JUPYTERHUB_SERVICE_NAME", raising=False)
    for lang in ("en", "ja"):
        said = grading_hint(translator(lang))
        assert ("make lab" in said) is not on_hub and "Formgrader" in said


def test_nbgrader_panels_read_class_names_and_the_schools_time():
    """What autograder.school.school_labels does to nbgrader's answers: ids become classes.yaml's names,
    nbgrader's UTC times the school's; everything else stays."""
    from zoneinfo import ZoneInfo

    from autograder.school.school_labels import relabel, shown_time

    tokyo = ZoneInfo("Asia/Tokyo")
    assert shown_time("2026-12-03 05:10:00.123456 UTC", tokyo) == "2026-12-03 14:10 JST"
    assert shown_time("not a time UTC", tokyo) == "not a time UTC"
    answer = {"success": True, "value": [
        {"course_id": "5a", "assignment_id": "e01", "status": "submitted", "submissions": [
            {"course_id": "5a", "timestamp": "2026-12-03 23:30:00.000001 UTC", "notebooks": []}]},
        {"course_id": "6b", "assignment_id": "5a", "status": "released"}]}
    shown = relabel(answer, {"5a": "5年A組"}, tokyo)
    assert shown["value"][0]["course_id"] == "5年A組"
    assert shown["value"][0]["submissions"][0] == {"course_id": "5年A組", "notebooks": [],
                                                   "timestamp": "2026-12-04 08:30 JST"}
    assert shown["value"][1] == answer["value"][1]  # another class, and a lesson named like one


@pytest.mark.parametrize("text, message", [
    (None, "no class list at"),
    ("classes: [id: 5a", "is not valid UTF-8 YAML"),
    ("classes:\n  - {id: 5a, teachers: [t]}\n  - {id: 5a, teachers: [u]}\n", "the id 5a is used twice"),
    ("classes:\n  - {id: 5A, teachers: [t]}\n", "the id must be lower-case"),
    ("classes:\n  - {id: 5a, students: [s1]}\n", "no teachers. Add at least one"),
    ("classes:\n  - {id: 5a, teachers: [Tanaka Sensei]}\n", "are not valid user names"),
    ("school: {language: fr}\nclasses:\n  - {id: 5a, teachers: [t]}\n", "must be ja or en"),
    ("classes: []\n", "no classes"),
    ("school: {timezone: Mars/Olympus}\nclasses:\n  - {id: 5a, teachers: [t]}\n", "unknown school timezone"),
])
def test_a_broken_class_list_says_what_to_fix(tmp_path, text, message):
    from autograder.school.hub import read_school

    path = tmp_path / "classes.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(HubConfigError, match=re.escape(message)):
        read_school(path)


def test_the_hub_config_file_stops_the_hub_with_one_clear_line(tmp_path):
    """deploy/hub/jupyterhub_config.py, loaded as JupyterHub loads it: a class list that cannot
    be used stops the hub (exit 2) with one line that says what to fix."""
    import sys

    (tmp_path / "classes.yaml").write_text("classes: []\n", encoding="utf-8")
    code = ("import sys; from traitlets.config.loader import PyFileConfigLoader; "
            "PyFileConfigLoader('jupyterhub_config.py', path=sys.argv[1]).load_config()")
    result = subprocess.run([sys.executable, "-c", code, str(REPO / "deploy" / "hub")],
                            capture_output=True, text=True,
                            env={**os.environ, "MANABU_CLASSES": str(tmp_path / "classes.yaml")})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Manabu hub: ") and "no classes" in lines[0], lines


def test_the_hub_is_configured_for_each_class(tmp_path):
    """With no set-up on this machine, the hub's config names every class's
    groups, Formgrader service and role, and keeps the school's own settings."""
    from traitlets.config import Config

    from autograder.school.hub import configure

    env = tmp_path / "env"
    (env / "bin").mkdir(parents=True)
    (env / "bin" / "jupyterhub-singleuser").touch()
    (tmp_path / "classes.yaml").write_text(
        f"school: {{env: {env}, state: {tmp_path / 'state'}, roster: false}}\n"
        "classes:\n  - {id: 5a, teachers: [sato], students: [aoi, ren]}\n"
        "  - {id: 5b, language: en, teachers: [sato, ito]}\n", encoding="utf-8")
    c = Config()
    c.JupyterHub.services = [{"name": "school-own"}]
    school = configure(c, tmp_path / "classes.yaml", lambda path: None, set_up=False,
                       environ={"MANABU_HUB_AUTH": "shared-password", "MANABU_HUB_PASSWORD": "x"})
    assert school.teachers == {"sato", "ito"} and school.students == {"aoi", "ren"}
    assert c.JupyterHub.load_groups["nbgrader-5a"] == {"users": ["aoi", "ren"]}
    assert [s["name"] for s in c.JupyterHub.services] == ["school-own", "5a", "5b", "manabu-live"]
    assert c.JupyterHub.services[2]["environment"]["MANABU_LANG"] == "en"
    assert {"formgrade-5a", "formgrade-5b", "server"} <= {r["name"] for r in c.JupyterHub.load_roles}
    assert c.JupyterHub.authenticator_class == "shared-password"


def test_the_formgrader_shows_the_schools_time_to_the_minute(tmp_path):
    """nbgrader's Formgrader shows UTC with seconds by default (a 15:20 submission in Tokyo
    read 06:20:13 UTC); a class's config gives it the school's zone, new or made before."""
    import datetime as dt

    from nbgrader.utils import as_timezone

    from autograder.build.nbconfig import load_config, write_config
    from autograder.school.hub import course_config

    write_config(tmp_path, "ja")
    path = tmp_path / "nbgrader_config.py"
    path.write_text(path.read_text(encoding="utf-8") + course_config(
        {"id": "5a"}, tmp_path / "exchange", "Asia/Tokyo"), encoding="utf-8")
    api = load_config(tmp_path).NbGraderAPI
    when = as_timezone(dt.datetime(2026, 12, 3, 6, 20, 13), api.timezone)
    assert when.strftime(api.timestamp_format) == "2026-12-03 15:20 JST"


def test_a_slow_formgrader_does_not_stop_the_hub(tmp_path):
    """JupyterHub stops altogether when a managed service is not up in time (30 s by default);
    a Formgrader on a loaded server took longer, so every class's service waits longer."""
    from jupyterhub.services.service import Service
    from traitlets.config import Config

    from autograder.school.hub import configure

    env = tmp_path / "env"
    (env / "bin").mkdir(parents=True)
    (env / "bin" / "jupyterhub-singleuser").touch()
    (tmp_path / "classes.yaml").write_text(
        f"school: {{env: {env}, state: {tmp_path / 'state'}, roster: false}}\n"
        "classes:\n  - {id: 5a, teachers: [sato]}\n", encoding="utf-8")
    c = Config()
    configure(c, tmp_path / "classes.yaml", lambda path: None, set_up=False,
              environ={"MANABU_HUB_AUTH": "shared-password", "MANABU_HUB_PASSWORD": "x"})
    for spec in c.JupyterHub.services:
        service = Service(**{k: v for k, v in spec.items() if k in Service.class_trait_names()})
        assert service.timeout >= 120, spec["name"]


def test_a_loopback_connection_can_take_an_ephemeral_port_but_never_a_service_port():
    """Why the hub's services listen below the ephemeral range: a port picked there is handed to
    outgoing connections too, and one that used it (even closed, for 60 s) keeps a server from
    listening on it, so the service exits and JupyterHub stops while it starts."""
    with socket.socket() as server, socket.socket() as client:
        server.bind(("127.0.0.1", service_port()))
        server.listen()
        client.connect(server.getsockname())  # the kernel gives it a port of its range
        taken = client.getsockname()[1]
        assert taken in ephemeral_ports()
        with socket.socket() as late:  # a service that was told to listen on that port
            late.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            with pytest.raises(OSError):
                late.bind(("127.0.0.1", taken))
    picked = {service_port() for _ in range(50)}
    assert not picked & set(ephemeral_ports()) and all(1024 <= p < 65536 for p in picked)


def test_the_live_port_survives_its_closed_connections_and_leaves_the_ephemeral_range(tmp_path):
    """The live view's port is kept over a restart though its old connections linger (TIME_WAIT:
    a server that listens again may use it); an old port in the ephemeral range is replaced."""
    path = tmp_path / "live-port"
    port = remembered_port(path)
    with socket.socket() as server:  # the old service, which closed a connection first
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen()
        with socket.create_connection(("127.0.0.1", port)):
            accepted, _ = server.accept()
            accepted.close()
    assert remembered_port(path) == port
    path.write_text(str(ephemeral_ports().start + 5))
    moved = remembered_port(path)
    assert moved not in ephemeral_ports() and path.read_text() == str(moved)
