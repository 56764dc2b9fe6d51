"""``manabu lab`` / ``make lab``: JupyterLab on the course folder, with nbgrader, as a teacher uses it."""

from __future__ import annotations

import errno
import json
import os
import socket
import sys
from pathlib import Path

from autograder.build.nbconfig import course_language
from autograder.labpage import write_page_config
from autograder.paths import CourseError, usable_course_dir
from course.i18n import translator
from course.style import FONTS_DIR, SCHOOL_FONT_STACK

PANEL_EXTENSION = "autograder.school.my_lessons_server"
FORMGRADER_LABELS = "autograder.school.formgrader_labels"
ASSIGNMENT_LIST = "autograder.school.assignment_list"
EXPORT_FORMATS = "autograder.school.export_formats"
EARLY_KERNEL = "autograder.school.early_kernel"
COMPRESSED_ASSETS = "autograder.school.compressed_assets"
LEAN_PAGE = "autograder.labpage"


def lab_command(course_dir: Path, port: int, open_browser: bool = True) -> list[str]:
    """The ``jupyter lab`` command line for a built course folder."""
    # imports nbformat (slow): not before the port check
    from autograder.build.startpage import START_PAGE

    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={course_dir}",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0",  # a busy port fails loudly
           f"--LabApp.default_url=/lab/tree/{START_PAGE}",
           # the school font, served by this server (course.render.school_font_css)
           f"--ServerApp.extra_static_paths={json.dumps([str(FONTS_DIR)])}",
           # the students' "My lessons" panel (autograder.school.my_lessons_server)
           "--ServerApp.jpserver_extensions", f"{PANEL_EXTENSION}=True",
           # the Formgrader in the course language and offline (autograder.school.formgrader_labels)
           "--ServerApp.jpserver_extensions", f"{FORMGRADER_LABELS}=True",
           # nbgrader's Assignment List reads the course config from the root, not the process's
           # folder, and says one short sentence when it fails (autograder.school.assignment_list)
           "--ServerApp.jpserver_extensions", f"{ASSIGNMENT_LIST}=True",
           # the export formats worked out once, not on each notebook opened, while the page
           # waits on the server for its kernel (autograder.school.export_formats)
           "--ServerApp.jpserver_extensions", f"{EXPORT_FORMATS}=True",
           # a lesson's kernel starts while its page loads (autograder.school.early_kernel)
           "--ServerApp.jpserver_extensions", f"{EARLY_KERNEL}=True",
           # JupyterLab's code and the server's answers go gzip-compressed: a lesson page is
           # about a quarter of its 7.6 MB on the classroom's Wi-Fi (autograder.school.compressed_assets)
           "--ServerApp.jpserver_extensions", f"{COMPRESSED_ASSETS}=True",
           # extension packages the page config turns off as a whole are not even fetched
           # (autograder.labpage.leave_out_disabled_packages)
           "--ServerApp.jpserver_extensions", f"{LEAN_PAGE}=True"]
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


LAB_SETTINGS = {
    # school machines are offline: no news pop-up
    ("@jupyterlab", "apputils-extension", "notification"): {"fetchNews": "false"},
    # a lesson opens with the cells on the screen drawn first and the rest drawn while the page
    # waits (for the kernel, for the child), so every widget is there when reached ("defer").
    # Measured at 4x CPU (a cheap Chromebook): usable 0.3-1.3 s sooner than drawing every cell
    # first ("none"). JupyterLab's default, "contentVisibility", was as fast in Chromium, but in
    # WebKit (the iPad's engine) scrolling to e03's drawing pad landed at the end of the lesson
    # and the stroke selected text: cells not drawn yet are sized by a guess there.
    ("@jupyterlab", "notebook-extension", "tracker"): {"windowingMode": "defer"},
    # the table of contents lists the lesson's own headings, not headings inside outputs (no
    # output of a lesson has one): with outputs included it cleaned every HTML output of a code
    # cell with the HTML sanitizer again each time the cell got one more output, ~0.6 of the
    # ~11 CPU s at 4x until a lesson's first control (Chrome's profiler, e03/j01/e11)
    ("@jupyterlab", "toc-extension", "registry"): {"includeOutput": False},
    # (JupyterLab's default "commsOverSubshells": "perCommTarget" is kept on purpose: without
    # subshells a slider move waits behind the answer cell that tap-to-answer runs, and the
    # bench's p95 at 4x got worse, e03 149 -> 226-244 ms, j04 286 -> 380 ms, although a move then
    # costs 8 kernel messages instead of 11)
}


# JupyterLab's own words (menus, dialogs) in the course language; the Japanese comes from the
# language pack `jupyterlab-language-pack-ja-JP` (a dependency). English is JupyterLab's source
# language: it is named too, so an English course stays English on a Japanese machine.
UI_LOCALES = {"en": "en", "ja": "ja_JP"}
TRANSLATION = ("@jupyterlab", "translation-extension", "plugin")


def lab_settings(lang: str | None = None) -> dict[tuple[str, str, str], dict]:
    """``LAB_SETTINGS``, and with ``lang`` the JupyterLab language of a course in ``lang``."""
    if lang is None:
        return dict(LAB_SETTINGS)
    return {**LAB_SETTINGS, TRANSLATION: {"locale": UI_LOCALES.get(lang, "en")}}


def lab_overrides() -> dict:
    """``LAB_SETTINGS`` as JupyterLab's ``settings/overrides.json`` (an installed environment's
    defaults for every user: deploy/image/install.sh writes it)."""
    return {f"{scope}/{plugin}:{name}": values for (scope, plugin, name), values in LAB_SETTINGS.items()}


# Japanese lesson text in the school font (its @font-face comes with Manabu's JupyterLab extension,
# which also gives a Japanese JupyterLab's interface and code the school font: schoolFontFace.ts)
JAPANESE_LAB_SETTINGS = {
    ("@jupyterlab", "apputils-extension", "themes"): {
        "overrides": {"content-font-family": SCHOOL_FONT_STACK}},
}


def write_lab_settings(course_dir: Path, lang: str | None = None) -> Path:
    """JupyterLab user settings for the course, in its language and, in Japanese, the school
    font (kept if a teacher changed them)."""
    settings = course_dir / ".jupyter-settings"
    wanted = {**lab_settings(lang), **(JAPANESE_LAB_SETTINGS if lang == "ja" else {})}
    for (scope, plugin, name), values in wanted.items():
        path = settings / scope / plugin / f"{name}.jupyterlab-settings"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
    return settings


def course_config(course_dir: Path, role: str = "lab") -> Path:
    """The course's Jupyter config folder (added to JUPYTER_CONFIG_PATH, so the other
    extensions' settings are kept): JupyterLab without the plugins nobody uses in a lesson
    (autograder.labpage; a slow school laptop opens a lesson sooner); ``role`` "student":
    without the teachers' tools too, as a student's page on the school's hub."""
    folder = course_dir / ".jupyter-config"
    write_page_config(folder, role)
    return folder


def live_config(course_dir: Path, role: str = "lab") -> Path:
    """:func:`course_config`, and the live class view's server extension turned on."""
    folder = course_config(course_dir, role)
    path = folder / "jupyter_server_config.d" / "manabu-live.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {
        "autograder.live.labext": True}}}), encoding="utf-8")
    return folder


def lab_environment(course_dir: Path, lang: str, port: int | None = None,
                    role: str = "lab") -> dict[str, str]:
    """The environment JupyterLab runs in: the course's settings (its language too) and PATH;
    with ``port``, the live class view (its kernels report to ``/manabu/live/``, course.live);
    ``role``: whose page (:func:`course_config`)."""
    env = dict(os.environ)
    folder = course_config(course_dir, role) if port is None else live_config(course_dir, role)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        [str(folder), *filter(None, [env.get("JUPYTER_CONFIG_PATH")])])
    if port is not None:
        import secrets

        env["MANABU_LIVE_URL"] = f"http://127.0.0.1:{port}/manabu/live/"
        env["MANABU_LIVE_TOKEN"] = secrets.token_hex(16)
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


def port_advice(port: int, course_dir: Path, lang: str = "en") -> str:
    """What to do when ``port`` is taken: the exact command with a free port."""
    _ = translator(lang)
    free = next((p for p in range(port + 1, port + 100) if not port_busy(p)), None)
    if free is None:
        return _("Port {port} is in use, and so are the next 99. Stop another JupyterLab "
                 "first.").format(port=port)
    make = f"make lab PORT={free}"
    command = make if os.environ.get("MAKELEVEL") else (
        f"manabu lab --course {course_dir} --port {free}   " + _("(with make: {command})").format(
            command=make))
    return _("Port {port} is in use (another JupyterLab?). Nothing was started. "
             "Port {free} is free: {command}").format(port=port, free=free, command=command)


class PortBusy(CourseError):
    """The port JupyterLab should listen on is taken. The message says which port is free."""


def run_lab(course_dir: Path, lang: str, port: int = 8888, open_browser: bool = True,
            rebuild: bool = False, as_student: bool = False) -> int:
    """Build the course if it is not built, then run JupyterLab in it until Ctrl+C; with
    ``as_student``, JupyterLab as the school's hub shows it to a student (no teachers' tools)."""
    course_dir = usable_course_dir(course_dir)
    if port_busy(port):  # before the build and JupyterLab's start, which take seconds
        raise PortBusy(port_advice(port, course_dir, course_language(course_dir, lang)))
    from autograder.build.builder import (  # nbformat, nbgrader: slow imports
        build_course,
        refresh_course,
    )

    if rebuild or not (course_dir / "release").is_dir():
        build_course(course_dir, lang)
    else:
        refresh_course(course_dir, lang)
    lang = course_language(course_dir, lang)  # a course built in Japanese opens in Japanese
    _ = translator(lang)
    print(_("Starting JupyterLab on {course} (port {port}). Stop it with Ctrl+C.").format(
        course=course_dir, port=port))
    if as_student:
        print(_("This is JupyterLab as a student sees it on the school's hub: the teachers' tools "
                "(Formgrader, terminal, settings editor) are off. Without --as-student they are on."))
    else:
        print(_("Teachers: Formgrader is in the Nbgrader menu. Students: the start page lists the "
                "lessons."))
    print(_("Live class view (who is working on which exercise): {url}").format(
        url=f"http://localhost:{port}/manabu/live/"))
    # cwd = the course folder, so nbgrader's extensions find nbgrader_config.py there.
    # JupyterLab replaces this process, so Ctrl+C or a stop signal reaches it directly (a child
    # would outlive a `manabu lab` that was stopped with SIGTERM).
    command = lab_command(course_dir, port, open_browser)
    env = lab_environment(course_dir, lang, port, role="student" if as_student else "lab")
    sys.stdout.flush()
    os.chdir(course_dir)
    os.execvpe(command[0], command, env)
