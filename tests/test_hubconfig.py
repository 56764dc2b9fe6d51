"""The school hub's configuration helpers (autograder/school/hubconfig.py) and private homes
(deploy/image/private-homes.sh), without a hub: tokens stay root-only, the school's own services
and roles are kept, the roster role names no teachers' group."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import REPO

from autograder.school.hubconfig import (
    ROSTER_SERVICE,
    HubConfigError,
    make_private,
    merge_named,
    read_token,
    roster_service,
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
    """In the Formgrader's terminal (a hub service) `manabu lab` makes no sense: the next step
    is Release in the Formgrader."""
    from autograder.cli import next_step

    monkeypatch.delenv("JUPYTERHUB_SERVICE_NAME", raising=False)
    assert next_step(tmp_path).startswith("Next: manabu lab --course")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_NAME", "5a")
    said = next_step(tmp_path)
    assert "manabu lab" not in said and "Manage Assignments" in said and "Release" in said
