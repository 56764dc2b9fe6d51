"""A small client for the JupyterHub REST API: users, groups and membership (stdlib only).

The token needs the scopes ``admin:users`` and ``admin:groups``, or ``admin:groups`` filtered to
the groups it may change (``admin:groups!group=nbgrader-5a``: the school hub's roster service,
see docs/hosting.md).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request

from autograder.paths import CourseError

NEEDED_SCOPES = ("admin:users", "admin:groups")


class HubError(Exception):
    """One REST call failed; the message says which and why."""


def api_url(url: str) -> str:
    """``http://host:port``, ``.../hub`` or ``.../hub/api`` → ``http://host:port[/prefix]/hub/api``."""
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise CourseError(f"--hub-url {url!r} is not a web address: "
                          "give the hub's address, e.g. --hub-url http://127.0.0.1:8000")
    if url.endswith("/hub/api"):
        return url
    if url.endswith("/hub"):
        return url + "/api"
    return url + "/hub/api"


class Hub:
    """Users and groups of one JupyterHub, through its REST API."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 30):
        self.url = api_url(url)
        self.token = token or os.environ.get("JUPYTERHUB_API_TOKEN", "")
        if not self.token:
            raise CourseError("A hub token is needed to create users: give --hub-token TOKEN or set "
                              "JUPYTERHUB_API_TOKEN (a service token with the scopes "
                              + ", ".join(NEEDED_SCOPES) + ").")
        self.timeout = timeout
        self._groups: dict[str, set[str] | None] = {}  # group -> members (None: no such group)
        self.scopes: set[str] = set()

    def call(self, method: str, path: str, body=None):
        """(HTTP status, decoded JSON or None). 404 is an answer, not an error."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": f"token {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
                return response.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return 404, None
            detail = err.read().decode("utf-8", "replace")
            try:
                detail = json.loads(detail).get("message", detail)
            except (ValueError, AttributeError):
                pass
            raise HubError(f"{method} {path}: HTTP {err.code} {str(detail)[:200]}") from None
        except (urllib.error.URLError, OSError) as err:
            raise HubError(f"{method} {path}: {getattr(err, 'reason', err)}") from None

    def check(self) -> None:
        """Reach the hub and check the token's scopes before touching anything."""
        try:
            _status, me = self.call("GET", "/user")
        except HubError as err:
            if "HTTP 403" in str(err) or "HTTP 401" in str(err):
                raise CourseError(f"The hub at {self.url} refused the token ({err}). Use a service "
                                  "token with the scopes " + ", ".join(NEEDED_SCOPES) + ".") from None
            raise CourseError(f"Cannot reach JupyterHub at {self.url} ({err}). Check --hub-url "
                              "and that the hub is running.") from None
        if me is None:
            raise CourseError(f"{self.url} does not look like a JupyterHub API (GET /user gave "
                              "nothing). Check --hub-url: give the hub's address, e.g. "
                              "http://127.0.0.1:8000")
        scopes = self.scopes = set((me or {}).get("scopes") or [])
        # JupyterHub lists the token's scopes expanded; a filtered admin:users does not cover
        # new users, so only the bare scope counts. Groups may be filtered (see may_manage).
        missing = [s for s in NEEDED_SCOPES
                   if s not in scopes and not (s == "admin:groups" and any(
                       x.startswith("admin:groups!group=") for x in scopes))]
        if missing:
            raise CourseError(f"The hub token (of {me.get('name')!r}) lacks the scopes "
                              f"{', '.join(missing)}. Give its service a role with the scopes "
                              + ", ".join(NEEDED_SCOPES) + " (c.JupyterHub.load_roles) and try again.")

    # users ------------------------------------------------------------------------------------
    def user_exists(self, name: str) -> bool:
        return self.call("GET", f"/users/{_q(name)}")[0] != 404

    def create_user(self, name: str) -> None:
        try:
            self.call("POST", f"/users/{_q(name)}", {})
        except HubError as err:
            if "HTTP 400 Failed to create user" not in str(err):
                raise
            # a hub with Unix logins (PAM) creates only users who have a Unix account
            raise HubError(f"{err}. On a hub where people log in with their Unix password, "
                           f"{name} needs a Unix account first: run the import as root with "
                           "--create-accounts, or make it with useradd.") from None

    def delete_user(self, name: str) -> None:
        self.call("DELETE", f"/users/{_q(name)}")

    # groups -----------------------------------------------------------------------------------
    def may_manage(self, group: str) -> bool:
        """Whether the token may create ``group`` and change its members (after ``check``)."""
        return "admin:groups" in self.scopes or f"admin:groups!group={group}" in self.scopes

    def members(self, group: str) -> set[str] | None:
        """The members of ``group``, or None if there is no such group (cached)."""
        if group not in self._groups:
            status, model = self.call("GET", f"/groups/{_q(group)}")
            self._groups[group] = None if status == 404 else set(model.get("users") or [])
        return self._groups[group]

    def create_group(self, group: str) -> None:
        self.call("POST", f"/groups/{_q(group)}", {})
        self._groups[group] = set()

    def add_member(self, group: str, name: str) -> None:
        self.call("POST", f"/groups/{_q(group)}/users", {"users": [name]})
        self._groups.setdefault(group, set()).add(name)

    def remove_member(self, group: str, name: str) -> None:
        self.call("DELETE", f"/groups/{_q(group)}/users", {"users": [name]})
        if self._groups.get(group):
            self._groups[group].discard(name)


def _q(name: str) -> str:
    return urllib.parse.quote(name, safe="")

