"""``manabu lab`` / ``make lab``: JupyterLab on the course folder, with nbgrader, as a teacher uses it."""

from __future__ import annotations

import errno
import json
import os
import socket
import sys
from pathlib import Path

from autograder.paths import CourseError, usable_course_dir
from course.style import FONTS_DIR, SCHOOL_FONT_STACK


def lab_command(course_dir: Path, port: int, open_browser: bool = True) -> list[str]:
    """The ``jupyter lab`` command line for a built course folder."""
    # imports nbformat (slow): not before the port check
    from autograder.startpage import START_PAGE

    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={course_dir}",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0",  # a busy port fails loudly
           f"--LabApp.default_url=/lab/tree/{START_PAGE}",
           # the school font, served by this server (course.render.school_font_css)
           f"--ServerApp.extra_static_paths={json.dumps([str(FONTS_DIR)])}"]
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


LAB_SETTINGS = {
    # school machines are offline: no news pop-up
    ("@jupyterlab", "apputils-extension", "notification"): {"fetchNews": "false"},
    # lessons are short: render every cell, so widgets far down the page are ready when reached
    ("@jupyterlab", "notebook-extension", "tracker"): {"windowingMode": "none"},
}


def lab_overrides() -> dict:
    """``LAB_SETTINGS`` as JupyterLab's ``settings/overrides.json`` (an installed environment's
    defaults for every user: deploy/image/install.sh writes it)."""
    return {f"{scope}/{plugin}:{name}": values for (scope, plugin, name), values in LAB_SETTINGS.items()}


# Japanese lesson text in the school font (its @font-face comes with Manabu's widgets)
JAPANESE_LAB_SETTINGS = {
    ("@jupyterlab", "apputils-extension", "themes"): {
        "overrides": {"content-font-family": SCHOOL_FONT_STACK}},
}


def write_lab_settings(course_dir: Path, lang: str = "en") -> Path:
    """JupyterLab user settings for the course (kept if a teacher changed them)."""
    settings = course_dir / ".jupyter-settings"
    wanted = {**LAB_SETTINGS, **(JAPANESE_LAB_SETTINGS if lang == "ja" else {})}
    for (scope, plugin, name), values in wanted.items():
        path = settings / scope / plugin / f"{name}.jupyterlab-settings"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
    return settings


def lab_environment(course_dir: Path, lang: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("JUPYTERLAB_SETTINGS_DIR", str(write_lab_settings(course_dir, lang)))
    env.setdefault("JUPYTERLAB_WORKSPACES_DIR", str(course_dir / ".jupyter-workspaces"))
    bindir = os.path.dirname(sys.executable)  # nbgrader runs `alembic` from PATH
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env["MANABU_LANG"] = lang
    return env


def port_busy(port: int, host: str = "localhost") -> bool:
    """True if something already listens on ``port`` (where JupyterLab would listen)."""
    for family, _type, _proto, _name, address in socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM):
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as JupyterLab binds
            try:
                sock.bind(address)
            except OSError as err:
                if err.errno == errno.EADDRINUSE:
                    return True
    return False


def port_advice(port: int, course_dir: Path) -> str:
    """What to do when ``port`` is taken: the exact command with a free port."""
    free = next((p for p in range(port + 1, port + 100) if not port_busy(p)), None)
    if free is None:
        return f"Port {port} is in use, and so are the next 99. Stop another JupyterLab first."
    make = f"make lab PORT={free}"
    command = make if os.environ.get("MAKELEVEL") else (
        f"manabu lab --course {course_dir} --port {free}   (with make: {make})")
    return (f"Port {port} is in use (another JupyterLab?). Nothing was started. "
            f"Port {free} is free: {command}")


class PortBusy(CourseError):
    """The port JupyterLab should listen on is taken. The message says which port is free."""


def run_lab(course_dir: Path, lang: str, port: int = 8888, open_browser: bool = True,
            rebuild: bool = False) -> int:
    """Build the course if it is not built, then run JupyterLab in it until Ctrl+C."""
    course_dir = usable_course_dir(course_dir)
    if port_busy(port):  # before the build and JupyterLab's start, which take seconds
        raise PortBusy(port_advice(port, course_dir))
    from autograder.build import build_course, refresh_course  # nbformat, nbgrader: slow imports

    if rebuild or not (course_dir / "release").is_dir():
        build_course(course_dir, lang)
    else:
        refresh_course(course_dir, lang)
    print(f"Starting JupyterLab on {course_dir} (port {port}). Stop it with Ctrl+C.")
    print("Teachers: Formgrader is in the Nbgrader menu. Students: the start page lists the lessons.")
    # cwd = the course folder, so nbgrader's extensions find nbgrader_config.py there.
    # JupyterLab replaces this process, so Ctrl+C or a stop signal reaches it directly (a child
    # would outlive a `manabu lab` that was stopped with SIGTERM).
    command, env = lab_command(course_dir, port, open_browser), lab_environment(course_dir, lang)
    sys.stdout.flush()
    os.chdir(course_dir)
    os.execvpe(command[0], command, env)
