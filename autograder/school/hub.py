"""A school's JupyterHub for Manabu: several classes on one server (the logic behind
``deploy/hub/jupyterhub_config.py``, which only calls :func:`configure`).

Each class in ``classes.yaml`` is an nbgrader course, set up (or repaired) at every start:

* hub groups ``nbgrader-<class>`` (students) and ``formgrade-<class>`` (teachers), the names
  nbgrader's JupyterHub plugin reads, so each student's Assignment List shows their classes;
* a Unix account ``grader-<class>`` that owns the course folder ``<courses>/<class>``, and a
  hub service ``/services/<class>/`` (JupyterLab with the Formgrader, running as that account)
  that only the class's teachers can open: teachers of several classes get one per class;
* the class's exchange folder ``<exchange>/<class>/``: its students can fetch and submit,
  but cannot list, read, change, delete or rename anybody else's submission, nor rename the
  course; people outside the class cannot enter it (exchange root 1777 owned by root; the
  class folder 0750 owned by its grader, group ``manabu-<class>`` = its students and
  teachers, kept in step with the hub groups at each server start; ``inbound`` 3733;
  submissions closed by ``autograder.school.exchange.PrivateSubmit``; forged names skipped by
  ``autograder.school.exchange.OwnerCheckedCollect``).

For the whole school, beside the classes:

* the live class view, a hub service ``/services/manabu-live/`` (``autograder.live``) that
  students' lesson kernels report their checks to and only each class's teachers can read;
* the roster service's root-only token (``manabu roster import``), which may make students
  and never teachers;
* the proxy, kept through a hub restart (``autograder.school.hubproxy``), with students'
  servers left running, so open lessons stay connected while the hub starts again.

A class list that cannot be used is a :class:`HubConfigError` whose message says what to fix.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from autograder.build.nbconfig import formgrader_times
from autograder.school.hubconfig import (
    LIVE_SERVICE,
    HubConfigError,
    guard_roster_service,
    live_service,
    make_private,
    merge_named,
    read_token,
    remembered_port,
    roster_service,
    service_port,
    start_timeout,
)

CLASS_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,30}$")
USER_NAME = re.compile(r"^[a-z_][a-z0-9_.-]{0,31}$")
UI_LOCALES = {"ja": "ja_JP", "en": "en"}


def read_school(path: Path) -> tuple[dict, list[dict]]:
    """The ``school`` settings (with defaults) and the checked list of classes."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise HubConfigError(f"no class list at {path}. Copy deploy/hub/classes.yaml there, or "
                             "set MANABU_CLASSES.") from None
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise HubConfigError(f"{path} is not valid UTF-8 YAML ({str(err).splitlines()[0]}). "
                             "Fix it and restart.") from None
    school = {"language": "ja", "timezone": "Asia/Tokyo", "env": "/opt/manabu", "lessons": None,
              "teachers_group": "manabu-teachers", "courses": "/srv/manabu/courses",
              "exchange": "/srv/manabu/exchange", "state": "/srv/manabu/hub", "admins": [],
              "create_unix_accounts": False, "roster": True, "roster_token_file": None,
              "live": True, "live_state": None,
              **(data.get("school") or {})}
    if school["language"] not in UI_LOCALES:
        raise HubConfigError(f"{path}: school language must be ja or en, not "
                             f"{school['language']!r}.")
    try:
        ZoneInfo(str(school["timezone"]))
    except (ZoneInfoNotFoundError, ValueError):
        raise HubConfigError(f"{path}: unknown school timezone {school['timezone']!r}: use a name "
                             "like Asia/Tokyo.") from None
    classes, seen = [], set()
    for number, entry in enumerate(data.get("classes") or [], 1):
        cid = str((entry or {}).get("id", ""))
        where = f"{path}: class {number} ({cid or 'no id'})"
        if not CLASS_ID.match(cid):
            raise HubConfigError(f"{where}: the id must be lower-case letters, digits and '-' "
                                 "(like 5a or 2024-6b).")
        if cid in seen:
            raise HubConfigError(f"{where}: the id {cid} is used twice. Give each class its own id.")
        seen.add(cid)
        entry = {"language": school["language"], "teachers": [], "students": [], **entry,
                 "id": cid, "name": str(entry.get("name") or cid)}
        if entry["language"] not in UI_LOCALES:
            raise HubConfigError(f"{where}: language must be ja or en, not {entry['language']!r}.")
        for role in ("teachers", "students"):
            bad = [u for u in entry[role] or [] if not USER_NAME.match(str(u))]
            if bad:
                raise HubConfigError(f"{where}: {role} {bad} are not valid user names (lower-case "
                                     "letters, digits, '_', '.', '-'; start with a letter).")
            entry[role] = [str(u) for u in entry[role] or []]
        if not entry["teachers"]:
            raise HubConfigError(f"{where}: no teachers. Add at least one under 'teachers:'.")
        classes.append(entry)
    if not classes:
        raise HubConfigError(f"{path}: no classes. Add one under 'classes:' (see "
                             "deploy/hub/classes.yaml).")
    return school, classes


@dataclass
class School:
    """The school's settings and classes, and the places they name."""

    settings: dict
    classes: list[dict]

    @property
    def env(self) -> Path:
        return Path(self.settings["env"])

    @property
    def exchange(self) -> Path:
        return Path(self.settings["exchange"])

    @property
    def courses(self) -> Path:
        return Path(self.settings["courses"])

    @property
    def state(self) -> Path:
        return Path(self.settings["state"])

    @property
    def teacher_config(self) -> Path:  # written by install.sh: the Course List
        return self.env / "etc" / "jupyter-teacher"

    @property
    def grader_config(self) -> Path:   # ... and the Formgrader (grader services)
        return self.env / "etc" / "jupyter-grader"

    @property
    def live_state(self) -> Path:  # the live view's own folder
        return Path(self.settings["live_state"] or self.courses.parent / "live")

    @property
    def teachers(self) -> set[str]:
        return {t for k in self.classes for t in k["teachers"]}

    @property
    def students(self) -> set[str]:
        return {s for k in self.classes for s in k["students"]}


def grader(cid: str) -> str:
    return f"grader-{cid}"


def class_group(cid: str) -> str:
    return f"manabu-{cid}"


# --- files and accounts (root only: the hub is the only thing that runs as root) -------------

def run(*cmd: str) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode:
        raise HubConfigError(f"`{' '.join(cmd)}` failed: {result.stderr.strip()[:300]}")


def ensure_account(name: str, group: str) -> pwd.struct_passwd:
    """The grader's Unix account, created once (a system user with a home and no login shell)."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        run("useradd", "--system", "--create-home", "--user-group", "--shell", "/usr/sbin/nologin",
            "--groups", group, name)
        print(f"Manabu hub: created the Unix account {name}")
        return pwd.getpwnam(name)


def ensure_dir(path: Path, mode: int, uid: int = 0, gid: int = 0) -> None:
    path.mkdir(parents=True, exist_ok=True)
    os.chown(path, uid, gid)
    os.chmod(path, mode)


def write_default_settings(home: Path, uid: int, gid: int, language: str) -> None:
    """The JupyterLab language a user starts with (kept if they change it in Settings)."""
    path = home / ".jupyter/lab/user-settings/@jupyterlab/translation-extension/plugin.jupyterlab-settings"
    if path.exists():
        return
    made = [p for p in reversed(path.parents) if not p.exists() and home in p.parents]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"locale": UI_LOCALES[language]}), encoding="utf-8")
    for p in [*made, path]:
        os.chown(p, uid, gid)


def course_config(k: dict, exchange: Path, timezone: str = "Asia/Tokyo") -> str:
    """The lines a class's ``nbgrader_config.py`` gets on the hub (after the build's own)."""
    return (
        "\n# A class on the school's JupyterHub (written once by deploy/hub/jupyterhub_config.py)\n"
        f"c.CourseDirectory.course_id = {k['id']!r}\n"
        f"c.Manabu.timezone = {timezone!r}  # deadlines and late work\n"
        + formgrader_times(timezone) +
        f"c.Exchange.root = {str(exchange)!r}\n"
        "c.Exchange.path_includes_course = True\n"
        "# collect a submission only from the student who owns it (anybody can write to inbound)\n"
        "c.ExchangeFactory.collect = 'autograder.school.exchange.OwnerCheckedCollect'\n")


def ensure_group(name: str) -> grp.struct_group:
    try:
        return grp.getgrnam(name)
    except KeyError:
        run("groupadd", "--system", name)
        return grp.getgrnam(name)


def sync_class_groups(school: School, name: str, class_ids: set[str]) -> None:
    """Make the Unix user ``name`` a member of the Unix groups of exactly ``class_ids`` (among
    this hub's classes): they open the classes' exchange folders. Called at each server start
    with the user's hub groups, so people added through the REST API (roster) are covered."""
    for k in school.classes:
        group = class_group(k["id"])
        members = set(grp.getgrnam(group).gr_mem)
        if k["id"] in class_ids and name not in members:
            run("gpasswd", "--add", name, group)
        elif k["id"] not in class_ids and name in members:
            run("gpasswd", "--delete", name, group)


def set_up_class(school: School, k: dict) -> None:
    """The grader account, course folder and exchange folders of one class (idempotent)."""
    account = ensure_account(grader(k["id"]), school.settings["teachers_group"])
    uid, gid = account.pw_uid, account.pw_gid
    course = school.courses / k["id"]
    ensure_dir(course, 0o2770, uid, gid)  # gradebook, answers, submissions: the grader's only
    config = course / "nbgrader_config.py"
    if not config.exists():
        code = ("import sys; from pathlib import Path; "
                "from autograder.build.nbconfig import write_config; "
                "p = write_config(Path(sys.argv[1]), sys.argv[2]); "
                "open(p, 'a', encoding='utf-8').write(sys.argv[3])")
        run("runuser", "-u", account.pw_name, "--", str(school.env / "bin" / "python"), "-c", code,
            str(course), k["language"],
            course_config(k, school.exchange, str(school.settings["timezone"])))
    else:  # a class made by an older Manabu: its Formgrader showed UTC times
        text = config.read_text(encoding="utf-8")
        if "c.NbGraderAPI.timezone" not in text:
            with config.open("a", encoding="utf-8") as handle:  # keeps the grader's ownership
                handle.write(formgrader_times(str(school.settings["timezone"])))
    write_default_settings(Path(account.pw_dir), uid, gid, school.settings["language"])
    members = ensure_group(class_group(k["id"]))
    exchange = school.exchange / k["id"]
    # only the class (its Unix group) may enter its exchange folder; nobody else can rename it
    ensure_dir(exchange, 0o750, uid, members.gr_gid)
    ensure_dir(exchange / "outbound", 0o755, uid, gid)
    ensure_dir(exchange / "inbound", 0o3733, uid, gid)  # write-only, sticky, setgid
    ensure_dir(exchange / "feedback", 0o711, uid, gid)  # files named by secret hashes


def set_up_live(school: School) -> None:
    """The live view's account (it reads the lessons the classes released, to list their
    exercises) and its folder."""
    account = ensure_account(LIVE_SERVICE, class_group(school.classes[0]["id"]))
    for k in school.classes:
        if LIVE_SERVICE not in grp.getgrnam(class_group(k["id"])).gr_mem:
            run("gpasswd", "--add", LIVE_SERVICE, class_group(k["id"]))
    ensure_dir(school.live_state, 0o700, account.pw_uid, account.pw_gid)


def set_up_school(school: School) -> None:
    """Groups, folders, grader accounts and people's class groups (as root, at each start)."""
    ensure_group(school.settings["teachers_group"])
    ensure_dir(school.state, 0o700)
    ensure_dir(school.courses, 0o755)
    ensure_dir(school.exchange, 0o1777)  # students must write here (nbgrader checks); sticky
    for k in school.classes:
        set_up_class(school, k)
    if school.settings["live"]:
        set_up_live(school)
    members = set(grp.getgrnam(school.settings["teachers_group"]).gr_mem)
    for teacher in sorted(school.teachers - members):  # teachers may read the lessons
        try:
            pwd.getpwnam(teacher)
        except KeyError:
            continue  # not a Unix user yet: added at the next start
        run("gpasswd", "--add", teacher, school.settings["teachers_group"])
    for person in sorted(school.teachers | school.students):
        try:
            account = pwd.getpwnam(person)
        except KeyError:
            continue
        make_private(Path(account.pw_dir), account.pw_uid)  # classmates read no work in progress
        sync_class_groups(school, person, {k["id"] for k in school.classes
                                           if person in k["teachers"] or person in k["students"]})


# --- user servers ----------------------------------------------------------------------------

def base_environment(school: School) -> dict[str, str]:
    # no MANABU_LANG: it would override each lesson's own language (a class may read English)
    return {"PATH": f"{school.env / 'bin'}:/usr/local/bin:/usr/bin:/bin",  # nbgrader: `alembic`
            "MANABU_EXCHANGE": str(school.exchange), "LANG": "C.UTF-8",
            # nbgrader's panels show 5年A組 and the school's times (autograder.school.school_labels)
            "MANABU_CLASS_NAMES": json.dumps({k["id"]: k["name"] for k in school.classes},
                                             ensure_ascii=False),
            "MANABU_TIMEZONE": str(school.settings["timezone"])}


def teacher_environment(school: School) -> dict[str, str]:
    env = {"JUPYTER_CONFIG_PATH": str(school.teacher_config)}  # Course List + Create Assignment
    if school.settings["lessons"]:
        env["MANABU_LESSONS"] = str(school.settings["lessons"])  # `manabu build` reads them here
    return env


def pre_spawn_hook(school: School, live_url: str | None = None):
    """The hub's ``Spawner.pre_spawn_hook``: environment, class groups, private home, language."""
    def pre_spawn(spawner) -> None:
        name = spawner.user.name
        env = base_environment(school)
        if live_url:  # where a student's lesson kernel reports its graded cells (course.live)
            env["MANABU_LIVE_URL"] = live_url
        if name in school.teachers or any(g.name.startswith("formgrade-")
                                          for g in spawner.user.groups):
            env.update(teacher_environment(school))
        spawner.environment = {**spawner.environment, **env}
        try:
            account = pwd.getpwnam(name)
        except KeyError:
            return  # the spawner says what is missing
        sync_class_groups(school, name, {g.name.split("-", 1)[1] for g in spawner.user.groups
                                         if g.name.startswith(("nbgrader-", "formgrade-"))})
        make_private(Path(account.pw_dir), account.pw_uid)
        write_default_settings(Path(account.pw_dir), account.pw_uid, account.pw_gid,
                               school.settings["language"])
    return pre_spawn


# --- the hub's configuration -----------------------------------------------------------------

def configure(c, classes_file: Path, load_subconfig, environ=os.environ,
              set_up: bool | None = None) -> School:
    """Fill the hub's config ``c`` for the school in ``classes_file`` (its ``jupyterhub_local.py``
    beside it first); set the school's accounts and folders up (``set_up``; default: when
    running as root). A :class:`HubConfigError` says what to fix."""
    import sys

    school = School(*read_school(classes_file))
    local = classes_file.parent / "jupyterhub_local.py"
    if local.exists():  # the school's own settings first: ours are added to them
        if local.stat().st_mode & 0o077:
            raise HubConfigError(f"{local} may hold secrets but others can read it: "
                                 f"chmod 600 {local}")
        load_subconfig(str(local))
    if not (school.env / "bin" / "jupyterhub-singleuser").exists():
        raise HubConfigError(f"no user environment at {school.env}. Install it: sudo "
                             f"deploy/image/install.sh --prefix {school.env}")
    if set_up if set_up is not None else os.geteuid() == 0:
        set_up_school(school)
    elif set_up is None:
        print("Manabu hub: not running as root, so classes, accounts and folders are not set up.",
              file=sys.stderr)
    # the live view keeps its port over a restart: running students' kernels keep reporting to it
    live_port = (remembered_port(school.state / "live-port") if os.geteuid() == 0 and set_up
                 is not False else service_port())
    live_url = (f"http://127.0.0.1:{live_port}/services/{LIVE_SERVICE}/"
                if school.settings["live"] else None)
    configure_hub(c, school, environ)
    configure_spawner(c, school, live_url)
    roles = configure_roles_and_groups(c, school)
    configure_services(c, school, roles, live_port)
    return school


def configure_hub(c, school: School, environ) -> None:
    state = school.state
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    # a restart (a class added) leaves students' servers and kernels running, and the proxy:
    # it keeps routing to them while the hub is down (systemd: KillMode=process, see
    # docs/hosting.md), and the starting hub keeps it (hubproxy.KeptProxy), so open lessons stay
    # connected. Its token is the same at every start (root-only), or the new hub could not use it
    c.JupyterHub.cleanup_servers = False
    c.JupyterHub.cleanup_proxy = False
    c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
    if "proxy_class" not in c.JupyterHub and c.ConfigurableHTTPProxy.get("should_start", True):
        c.JupyterHub.proxy_class = "autograder.school.hubproxy.KeptProxy"
        if "auth_token" not in c.ConfigurableHTTPProxy and os.geteuid() == 0:
            c.ConfigurableHTTPProxy.auth_token = read_token(state / "proxy-token",
                                                            "CONFIGPROXY_AUTH_TOKEN")
    # JupyterHub's periodic service check reads the server of a Formgrader being stopped and
    # logs "'NoneType' object has no attribute 'proto'" during a slow shutdown; it only logs (the
    # hub restarts a Formgrader that dies by itself), so it is off
    c.JupyterHub.service_check_interval = 0
    if environ.get("MANABU_HUB_AUTH") == "shared-password":  # tests only: one shared password
        c.JupyterHub.authenticator_class = "shared-password"
        c.SharedPasswordAuthenticator.user_password = environ["MANABU_HUB_PASSWORD"]
    elif "authenticator_class" not in c.JupyterHub:  # Unix passwords, unless jupyterhub_local.py
        c.JupyterHub.authenticator_class = "pam"
        # users added to the hub (admin page, REST API, roster import) get a Unix account, with
        # no password: set one (passwd) before they can log in
        c.LocalAuthenticator.create_system_users = bool(school.settings["create_unix_accounts"])
    own = {k: set(c.Authenticator[k]) if k in c.Authenticator else set()  # jupyterhub_local.py's
           for k in ("admin_users", "allowed_users")}
    admins = set(school.settings["admins"])
    c.Authenticator.admin_users = own["admin_users"] | admins
    c.Authenticator.allowed_users = own["allowed_users"] | school.teachers | school.students | admins
    c.Authenticator.allow_existing_users = True  # users added later through the REST API (roster)


def configure_roles_and_groups(c, school: School) -> list[dict]:
    groups = dict(c.JupyterHub.load_groups) if "load_groups" in c.JupyterHub else {}
    for k in school.classes:
        groups[f"nbgrader-{k['id']}"] = {"users": k["students"]}
        groups[f"formgrade-{k['id']}"] = {"users": k["teachers"]}
    c.JupyterHub.load_groups = groups
    return [
        # a user's server may read its user's groups: nbgrader lists the user's courses from them
        # and teachers' Course List finds each class's Formgrader among the services
        {"name": "server", "scopes": ["users:activity!user", "access:servers!server",
                                      "read:users:name!user", "read:users:groups!user",
                                      "list:services", "read:services"]},
    ]


def configure_spawner(c, school: School, live_url: str | None = None) -> None:
    c.JupyterHub.spawner_class = "localprocess"
    c.Spawner.cmd = [str(school.env / "bin" / "jupyterhub-singleuser")]
    c.Spawner.default_url = "/lab"
    c.Spawner.pre_spawn_hook = pre_spawn_hook(school, live_url)
    c.Spawner.http_timeout = 60    # a busy school server can take a while to start 30 servers
    c.Spawner.start_timeout = 120


def configure_services(c, school: School, roles: list[dict], live_port: int = 0) -> None:
    """One Formgrader service per class, the live class view and the roster service."""
    services = []
    # teachers' Course List looks each class's service up (their servers' tokens may do what
    # they may)
    roles.append({"name": "manabu-teachers", "scopes": ["list:services", "read:services"],
                  "groups": [f"formgrade-{k['id']}" for k in school.classes]})
    for k in school.classes:
        course = school.courses / k["id"]
        services.append({
            "name": k["id"],
            "display": True,
            "url": f"http://127.0.0.1:{service_port()}",
            "command": [str(school.env / "bin" / "jupyterhub-singleuser"),
                        f"--ServerApp.root_dir={course}"],
            "user": grader(k["id"]),
            "cwd": str(course),
            "environment": {**base_environment(school), **teacher_environment(school),
                            "MANABU_LANG": k["language"],  # `manabu build` in its terminal
                            "JUPYTER_CONFIG_PATH": str(school.grader_config),
                            "JUPYTERHUB_DEFAULT_URL": "/lab?formgrader=true"},
            "oauth_no_confirm": True,
            **start_timeout(),
        })
        roles.append({"name": f"formgrade-{k['id']}", "groups": [f"formgrade-{k['id']}"],
                      "scopes": [f"access:services!service={k['id']}"]})
    # the live class view: students' kernels report to it with their own tokens; each class's
    # teachers open it (Services menu, or /services/manabu-live/); its token reads who is in a class
    if school.settings["live"]:
        service, role = live_service(
            [k["id"] for k in school.classes], live_port or service_port(),
            command=[str(school.env / "bin" / "python"), "-m", "autograder.live.hubservice"],
            environment={**base_environment(school),
                         "MANABU_LIVE_STATE": str(school.live_state / "live-state.json"),
                         "MANABU_LIVE_CLASSES": json.dumps(
                             [{"id": k["id"], "name": k["name"], "language": k["language"]}
                              for k in school.classes], ensure_ascii=False)})
        service["cwd"] = str(school.live_state)
        services.append(service)
        roles.append(role)
        next(r for r in roles if r["name"] == "manabu-teachers")["scopes"].append(
            f"access:services!service={LIVE_SERVICE}")
    # `manabu roster import` (root, on this server): its token in a root-only file, or given by
    # the service manager; it may make students, never teachers (those are set in classes.yaml)
    if school.settings["roster"]:
        token_file = Path(school.settings["roster_token_file"] or school.state / "roster-token")
        try:
            service, role = roster_service(read_token(token_file, "MANABU_ROSTER_TOKEN"),
                                           [k["id"] for k in school.classes])
        except OSError as err:
            raise HubConfigError(str(err)) from None
        services.append(service)
        roles.append(role)
        guard_roster_service()  # admin:users (to create users) must not rename or delete teachers
    c.JupyterHub.services = merge_named(
        c.JupyterHub.services if "services" in c.JupyterHub else [], services)
    c.JupyterHub.load_roles = merge_named(
        c.JupyterHub.load_roles if "load_roles" in c.JupyterHub else [], roles)
