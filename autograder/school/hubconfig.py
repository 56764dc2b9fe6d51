"""Pieces of the school hub's configuration (deploy/hub/jupyterhub_config.py) that are plain
functions: secrets kept root-only, the roster service and its least-privilege role, merging
Manabu's services and roles with the school's own, private homes.

Nothing here imports JupyterHub, so it can be tested without a hub.
"""

from __future__ import annotations

import os
import random
import secrets
import socket
import stat
from pathlib import Path

ROSTER_SERVICE = "manabu-roster"
LIVE_SERVICE = "manabu-live"


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
    # admin:users creates users: JupyterHub checks POST /users/<name> against that scope, and a
    # filter (!user=, !group=) cannot match a user who does not exist yet. It also renames and
    # deletes users, which guard_roster_service() takes away again. JupyterHub never lets a
    # non-admin token make or change admins. Groups: only these, by filter.
    role = {"name": ROSTER_SERVICE, "services": [ROSTER_SERVICE],
            "scopes": ["admin:users", *(f"admin:groups!group={g}" for g in groups)]}
    return service, role


def guard_roster_service(service: str = ROSTER_SERVICE) -> None:
    """Take back from ``service`` what ``admin:users`` gives beyond creating users: renaming any
    user (a student's login could take over a teacher's hub user and its Formgrader group),
    deleting a user who is an admin or in a group the service may not change (a teacher), and
    reading a user's auth state (with OAuth logins it can hold their access tokens). It may still
    delete a user of its own groups: the import undoes a row it could not finish.

    JupyterHub has no scope that only creates users, so its user API is wrapped (in the hub
    process, by jupyterhub_config.py)."""
    from jupyterhub.apihandlers.users import UserAPIHandler
    from tornado import web

    def is_service(handler) -> bool:
        who = handler.current_user
        return getattr(who, "kind", "") == "service" and who.name == service

    def own_groups(handler) -> set[str]:
        scopes = handler.parsed_scopes.get("admin:groups", {})
        return set(scopes.get("group", [])) if isinstance(scopes, dict) else set()

    get, patch, delete = UserAPIHandler.get, UserAPIHandler.patch, UserAPIHandler.delete

    async def guarded_get(self, user_name):
        if is_service(self):
            model_of = self.user_model
            self.user_model = lambda user: {k: v for k, v in model_of(user).items()
                                            if k != "auth_state"}
        return await get(self, user_name)

    async def guarded_patch(self, user_name):
        if is_service(self):
            raise web.HTTPError(403, f"The {service} service may not change users, only add them.")
        return await patch(self, user_name)

    async def guarded_delete(self, user_name):
        if is_service(self):
            user = self.find_user(user_name)
            if user is not None and (user.admin or {g.name for g in user.groups} - own_groups(self)):
                raise web.HTTPError(403, f"The {service} service may delete only users it added.")
        return await delete(self, user_name)

    UserAPIHandler.get, UserAPIHandler.patch = guarded_get, guarded_patch
    UserAPIHandler.delete = guarded_delete


SERVICE_START_TIMEOUT = 180  # seconds a Formgrader or the live view may take to start


def start_timeout() -> dict:
    """A managed service's start timeout, where JupyterHub has one (6.0+): the hub stops
    altogether when a service is not up in time (30 s by default), and a Formgrader (JupyterLab)
    on a busy server, with several classes starting at once, took longer here."""
    from jupyterhub.services.service import Service

    return {"timeout": SERVICE_START_TIMEOUT} if "timeout" in Service.class_trait_names() else {}


def live_service(class_ids: list[str], port: int, command: list[str],
                 environment: dict[str, str]) -> tuple[dict, dict]:
    """The live class view (:mod:`autograder.live.hubservice`) and its role. It runs as its own
    account; its token may only read the classes' groups (who is a student, who a teacher of a
    class); the hub gives it a new token at each start. Teachers reach it through their role."""
    service = {"name": LIVE_SERVICE, "display": True, "oauth_no_confirm": True,
               "url": f"http://127.0.0.1:{port}", "command": command, "user": LIVE_SERVICE,
               "environment": environment, **start_timeout()}
    groups = [g for cid in class_ids for g in (f"nbgrader-{cid}", f"formgrade-{cid}")]
    role = {"name": LIVE_SERVICE, "services": [LIVE_SERVICE],
            "scopes": [f"read:groups!group={g}" for g in groups]}
    return service, role


EPHEMERAL = Path("/proc/sys/net/ipv4/ip_local_port_range")


def ephemeral_ports() -> range:
    """The ports Linux gives outgoing connections (32768-60999 unless the admin changed it)."""
    try:
        low, high = map(int, EPHEMERAL.read_text(encoding="utf-8").split())
    except (OSError, ValueError):
        low, high = 32768, 60999
    return range(low, high + 1)


def is_free(port: int) -> bool:
    """Whether a server could listen on 127.0.0.1:``port`` now (bound as servers bind, with
    SO_REUSEADDR: a closed connection of the port's last server does not count)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def service_port() -> int:
    """A free local port for a hub service, outside the ephemeral range. A port picked there
    (bind to port 0) can be taken, between the pick and the service's start, by any loopback
    connection on the machine, which holds it up to 60 s after it closes (TIME_WAIT); the
    service then cannot listen and exits, and JupyterHub stops altogether when a managed
    service exits while it starts (seen on a busy server at a restart). Nothing takes a port
    outside the range unless it asks for it."""
    ephemeral = ephemeral_ports()
    spans = [range(max(1024, ephemeral.start - 10000), ephemeral.start),
             range(ephemeral.stop, 65536)]
    candidates = [port for span in spans for port in span]
    for port in random.sample(candidates, min(200, len(candidates))):
        if is_free(port):
            return port
    with socket.socket() as probe:  # the whole range is ephemeral (an unusual setting)
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def remembered_port(path: Path) -> int:
    """A local port for a service whose address must outlive a hub restart (running students'
    kernels know it): the one kept in ``path`` while it is free and outside the ephemeral range
    (see :func:`service_port`), else a new one, kept there."""
    try:
        port = int(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        port = 0
    if not (port and port not in ephemeral_ports() and is_free(port)):
        port = service_port()
        try:
            path.write_text(str(port), encoding="utf-8")
        except OSError:  # not root (a dry run of the config): nothing to remember it in
            pass
    return port


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
