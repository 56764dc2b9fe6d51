"""Pieces of the school hub's configuration (deploy/hub/jupyterhub_config.py) that are plain
functions: secrets kept root-only, the roster service and its least-privilege role, merging
Manabu's services and roles with the school's own, private homes.

Nothing here imports JupyterHub, so it can be tested without a hub.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

ROSTER_SERVICE = "manabu-roster"


class HubConfigError(Exception):
    """The hub must not start: the message says what to fix."""


def read_token(path: Path, env_var: str = "") -> str:
    """A service token from the environment the service manager sets (``env_var``) or from
    ``path``, a root-only file made (0600) at the first start. A file others can read is refused:
    with the token a student could act as the service."""
    if env_var and os.environ.get(env_var, "").strip():
        return os.environ[env_var].strip()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    info = path.stat()
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO) or info.st_uid != os.geteuid():
        raise HubConfigError(
            f"{path} holds a hub token but others can read it (mode "
            f"{stat.S_IMODE(info.st_mode):o}, owner uid {info.st_uid}). Make it private: "
            f"chown root:root {path} && chmod 600 {path}, then start the hub again.")
    token = path.read_text(encoding="utf-8").strip()
    if len(token) < 32:
        raise HubConfigError(f"{path} holds a token shorter than 32 characters. Delete the file "
                             "(a new one is made at the next start) or put `openssl rand -hex 32` in it.")
    return token


def roster_service(token: str, class_ids: list[str]) -> tuple[dict, dict]:
    """The roster service and its role: create users, and put them in the student groups of the
    hub's classes (``nbgrader-<class>``, ``students-<class>``) - never in a teachers' or
    Formgrader group, so the token cannot open a class's answers and grades. Teachers are set in
    classes.yaml."""
    groups = [g for cid in class_ids for g in (f"nbgrader-{cid}", f"students-{cid}")]
    service = {"name": ROSTER_SERVICE, "api_token": token, "display": False}
    # admin:users creates users (a new user has no group a filter could name); JupyterHub never
    # lets a non-admin token make or change admins. Groups: only these, by filter.
    role = {"name": ROSTER_SERVICE, "services": [ROSTER_SERVICE],
            "scopes": ["admin:users", *(f"admin:groups!group={g}" for g in groups)]}
    return service, role


def merge_named(existing, ours: list[dict]) -> list[dict]:
    """The school's own entries (services or roles, from its own config) followed by Manabu's; an
    entry of the school with one of Manabu's names is replaced by Manabu's."""
    names = {entry["name"] for entry in ours}
    return [e for e in list(existing or []) if e.get("name") not in names] + ours


def make_private(home: Path, uid: int) -> None:
    """Make ``home`` (the home of user ``uid``) one only its owner may enter: classmates must
    not read each other's work. A folder the user does not own (``/``, a shared folder) is left
    alone."""
    try:
        info = home.stat()
    except FileNotFoundError:
        return
    if stat.S_ISDIR(info.st_mode) and info.st_uid == uid and stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(home, stat.S_IMODE(info.st_mode) & 0o700)
