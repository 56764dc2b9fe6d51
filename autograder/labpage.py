"""Which JupyterLab extensions a lesson page starts: JupyterLab's ``disabledExtensions``.

On a cheap school Chromebook (the bench's 4x CPU throttling) JupyterLab takes most of the
seconds before a lesson is usable, starting plugins no child uses in a lesson. ``manabu lab``
and the hub's user environment (deploy/image/install.sh) switch those off with
``labconfig/page_config.json``. What a lesson needs stays on: see :data:`NEEDED`
(``tests/test_labpage.py`` holds the two lists apart). A plugin in :data:`REPLACED` is off on
every page because Manabu's extension provides the same service, started with less work.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# Unused in a lesson, by teachers and students alike: the reason for each.
UNUSED = {
    "@jupyterlab/debugger-extension": "a debugger sidebar; it also asks every new kernel for "
                                      "debug information",
    "@jupyterlab/extensionmanager-extension": "installs extensions from PyPI: school machines are "
                                              "offline, and installing is the admin's job",
    "@jupyterlab/lsp-extension": "code intelligence through language servers; none is installed",
    # ... and the two plugins that need it (on without it, they fail to activate)
    "@jupyterlab/notebook-extension:language-server": "language servers in notebooks",
    "@jupyterlab/fileeditor-extension:language-server": "language servers in the text editor",
    "@jupyterlab/pluginmanager-extension": "a table for switching JupyterLab plugins on and off",
    "@jupyterlab/logconsole-extension": "a log of kernel messages for developers",
    "@jupyter-notebook/lab-extension": "'Open in Jupyter Notebook' buttons: lessons open in "
                                       "JupyterLab",
}
# JupyterLab's plugins Manabu's extension stands in for, on every page: each -> its stand-in.
REPLACED = {
    # JupyterLab checks every plugin's settings against its schema as a page starts, compiling
    # each schema twice (42 plugins on a student's page, 70 on a teacher's) although almost none
    # has user settings: @manabu/lab:settings (course/labextension/src/settings.ts) fills in the
    # settings that surely fit without compiling; the rest, and what a teacher types,
    # JupyterLab's own validator checks
    "@jupyterlab/apputils-extension:settings": "@manabu/lab:settings",
    # JupyterLab's state plugin reads the page's workspace and then waits for its debounced save
    # (0.5 s) before routing goes on, and the notebook in the URL opens only after routing: the
    # lesson page sat idle for half a second as it started. @manabu/lab:state
    # (course/labextension/src/workspaceState.ts) saves the same without making routing wait
    "@jupyterlab/apputils-extension:state": "@manabu/lab:state",
}
# Also unused by students (a teacher's `manabu lab` and the hub's teacher levels keep them).
STUDENT_UNUSED = {
    "jupyterlab-jupytext": "opening .md lesson texts as notebooks: students get .ipynb files",
    "@voila-dashboards/jupyterlab-preview": "Voilà previews, for the teacher's projector",
    # nbgrader's teacher tools (students: the Assignment List and Validate only). nbgrader
    # 0.9's plugin ids start with "@jupyter/nbgrader:": the "nbgrader:..." names the hub
    # wrote before turned nothing off.
    "@jupyter/nbgrader:formgrader": "the Formgrader",
    "@jupyter/nbgrader:create-assignment": "the Create Assignment toolbar",
    "@jupyter/nbgrader:course-list": "the Course List of a teacher's classes",
    # JupyterLab's tools for other work than a lesson. Each plugin left out is one JupyterLab
    # neither starts nor checks the settings of (it validates every plugin's settings against
    # its schema as the page starts): 36 plugins; the page's main thread worked ~0.1-0.2 s
    # less of ~1.7 s until the lesson was drawn (1x CPU, e01 and j03, 5 loads each).
    "@jupyterlab/terminal-extension": "a terminal: a shell on the school's server is no part of "
                                      "a lesson",
    "@jupyterlab/console-extension": "code consoles: lessons are notebooks",
    "@jupyterlab/tooltip-extension:consoles": "tooltips in code consoles",
    "@jupyterlab/inspector-extension": "the contextual help panel",
    "@jupyterlab/settingeditor-extension": "the settings editors: the school sets JupyterLab up "
                                           "(the Settings menu keeps theme, language, font size)",
    "@jupyterlab/workspaces-extension": "named workspaces",
    "@jupyterlab/celltags-extension": "editing cell tags",
    "@jupyterlab/metadataform-extension": "editing cell metadata in forms",
    "@jupyterlab/notebook-extension:update-raw-mimetype": "the format of raw cells (needs the "
                                                          "metadata forms; lessons have none)",
    "@jupyterlab/help-extension": "the Help menu's links to documentation on the internet",
    "@jupyterlab/csvviewer-extension": "table views of .csv files",
    "@jupyterlab/markdownviewer-extension": "rendered views of .md files",
    # What a lesson page draws and keeps up to date for nobody (33 plugins: a student's page then
    # started 153 of a teacher's 222; the cell toolbar, below, came after): the status bar
    # (kernel, line and column, mode, saving) re-renders on every cell a "run all" runs; the
    # lesson's toolbar already shows whether the kernel is busy. With these off the page's main
    # thread worked 3.0 -> 2.8 (e01) and 3.2 -> 2.9 (j03) CPU s until the first widget (1x CPU,
    # 6 alternating loads each): a small gain, about the size of this machine's noise.
    "@jupyterlab/statusbar-extension": "the status bar at the bottom of the page",
    # The cell toolbar: six small buttons (duplicate, move up or down, insert, delete) at the top
    # of whichever cell a child last tapped, the answer cell too, under 44 px on a tablet;
    # moving or deleting a lesson's cells breaks its steps and its grading. It is made again for
    # each cell that becomes the active one, so every tap on a widget paid for a new toolbar:
    # tap p95 at 4x, Japanese, 3 alternating visits each, medians: j02 362 -> 233 ms, e11
    # 298 -> 249, j13 361 -> 234 (p50 225 -> 179, 162 -> 166, 288 -> 173)
    "@jupyterlab/cell-toolbar-extension": "buttons that move, copy or delete the cell tapped",
    "@jupyterlab/apputils-extension:kernel-status": "the kernel in the status bar",
    "@jupyterlab/notebook-extension:kernel-status": "the notebook's kernel in the status bar",
    "@jupyterlab/apputils-extension:running-sessions-status": "running kernels in the status bar",
    "@jupyterlab/codemirror-extension:line-col-status": "line and column in the status bar",
    "@jupyterlab/notebook-extension:cursor-position": "line and column in the status bar",
    "@jupyterlab/fileeditor-extension:cursor-position": "line and column in the status bar",
    "@jupyterlab/fileeditor-extension:editor-syntax-status": "a file's language in the status bar",
    "@jupyterlab/fileeditor-extension:tab-space-status": "indentation in the status bar",
    "@jupyterlab/notebook-extension:mode-status": "command or edit mode in the status bar",
    "@jupyterlab/notebook-extension:trust-status": "notebook trust in the status bar",
    "@jupyterlab/notebook-extension:cell-counter-status": "cell counts in the status bar",
    "@jupyterlab/docmanager-extension:path-status": "the file's path in the status bar",
    "@jupyterlab/docmanager-extension:saving-status": "'Saving completed' in the status bar",
    "@jupyterlab/filebrowser-extension:file-upload-status": "uploads in the status bar",
    "@jupyterlab/running-extension": "the panel of running kernels and open tabs: a lesson has one",
    "@jupyterlab/notebook-extension:tools": "the notebook tools sidebar (cell metadata)",
    "@jupyterlab/notebook-extension:metadata-editor": "cell and notebook metadata editors",
    "@jupyterlab/notebook-extension:active-cell-tool": "the active cell in the notebook tools",
    # (the property inspector stays: without it the empty right sidebar still kept 250 px of
    # the window, and on an iPad the lesson was 730 px wide of 991, 516 of 777 upright)
    "@jupyterlab/notebook-extension:cloned-outputs": "an output in a tab of its own",
    "@jupyterlab/notebook-extension:log-output": "kernel messages for developers",
    "@jupyterlab/notebook-extension:code-console": "a console for the notebook (consoles are off)",
    "@jupyterlab/completer-extension:inline-history": "inline completion from history (off)",
    "@jupyterlab/completer-extension:inline-completer": "inline completion (off)",
    "@jupyterlab/mermaid-extension": "Mermaid diagrams: no lesson has one",
    "@jupyterlab/pdf-extension": "PDF outputs: no lesson has one",
    "@jupyterlab/vega5-extension": "Vega charts: lessons plot with matplotlib",
}
# Teachers on the hub reach each class's Formgrader through the Course List; a class's grader
# service (the Formgrader itself) has it all.
FORMGRADER = "@jupyter/nbgrader:formgrader"
TEACHER_UNUSED = {FORMGRADER: STUDENT_UNUSED[FORMGRADER]}

# What a lesson needs: never disabled, by id or by its extension's name.
NEEDED = (
    "@manabu/lab",                          # tap to answer, student view, My lessons, furigana
    "@jupyter-widgets/jupyterlab-manager",  # every widget
    "anywidget",                            # the drawing pad
    "@jupyter/nbgrader:assignment-list",    # fetch and submit
    "@jupyter/nbgrader:validate-assignment",
    "@jupyterlab/translation-extension",    # the Japanese language pack
    "@jupyterlab/notebook-extension",
    "@jupyterlab/rendermime-extension",
    "@jupyterlab/mathjax-extension",        # formulas in junior-high lessons
    "@jupyterlab/hub-extension",            # log out, on the hub
    "@jupyterlab/filebrowser-extension",
    "@jupyterlab/toc-extension",            # a lesson's table of contents
)

ROLES = ("lab", "student", "teacher", "grader")


def disabled_extensions(role: str = "lab") -> dict[str, bool]:
    """``disabledExtensions`` for ``role``: ``lab`` (``manabu lab``, a teacher's machine),
    or the hub's ``student``, ``teacher`` and ``grader`` (a class's Formgrader service).

    Every name any role turns off is named, ``False`` where this role keeps it: JupyterLab
    merges the page configs of all config folders, and the hub's teacher and grader folders
    come on top of the students' one.
    """
    extra = {"lab": {}, "student": STUDENT_UNUSED, "teacher": TEACHER_UNUSED, "grader": {}}
    if role not in extra:
        raise ValueError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    off = {*UNUSED, *REPLACED, *extra[role]}
    return {name: name in off for name in (*UNUSED, *REPLACED, *STUDENT_UNUSED)}


# No build check: on every page load JupyterLab asks the server whether its extensions need a
# build (``/lab/api/build``), and the server compares every extension's package files to find
# out. Manabu's extensions come prebuilt, so the answer is always no; the check took 0.5 s of
# the server's CPU on a quiet machine and 5.6 s on a busy one, while the page waited on the
# same server for the notebook and its kernel.
NO_BUILD = {"buildAvailable": False, "buildCheck": False}


def page_config(role: str = "lab") -> dict:
    """The page config Manabu adds for ``role`` (see :func:`disabled_extensions`)."""
    return {"disabledExtensions": disabled_extensions(role), **NO_BUILD}


def write_page_config(config_dir: Path, role: str = "lab") -> Path:
    """Write ``<config_dir>/labconfig/page_config.json`` for ``role``; returns its path."""
    path = config_dir / "labconfig" / "page_config.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(page_config(role), indent=1), encoding="utf-8")
    return path


def leave_out_disabled_packages(page_config: dict) -> dict:
    """``page_config`` without the extension packages it disables as a whole.

    JupyterLab fetches and runs the code of every installed extension package, also of one
    whose plugins are all disabled, and only then leaves its plugins out: for a student, the
    Jupytext, Voila-preview and Notebook-buttons packages, ~300 KB of JavaScript a slow school
    laptop parses for nothing (extension code fetched: 1302 -> 1003 KB). A package named in
    ``disabledExtensions`` (the whole package, not one of its plugins) is taken off
    ``federated_extensions``, so the page never fetches it.
    """
    disabled = set(page_config.get("disabledExtensions") or ())
    extensions = page_config.get("federated_extensions") or []
    page_config["federated_extensions"] = [ext for ext in extensions
                                           if ext.get("name") not in disabled]
    return page_config


def chain_hook(previous, hook):
    """A ``page_config_hook`` (jupyterlab_server calls it with the request handler and the page
    config as it renders a JupyterLab page) that runs ``previous`` (None: none), then ``hook``."""
    def chained(handler, page_config: dict) -> dict:
        if previous is not None:
            page_config = previous(handler, page_config)
        return hook(handler, page_config)
    return chained


def add_page_config_hook(server_app, hook) -> None:
    """Add ``hook`` after the server's page config hooks so far (server extensions each add one)."""
    settings = server_app.web_app.settings
    settings["page_config_hook"] = chain_hook(settings.get("page_config_hook"), hook)


def lean_page(handler, page_config: dict) -> dict:
    """:func:`leave_out_disabled_packages` as a JupyterLab page renders (any handler)."""
    return leave_out_disabled_packages(page_config)


def page_config_hook(previous=None):
    """A ``page_config_hook`` that runs :func:`lean_page` after ``previous``."""
    return chain_hook(previous, lean_page)


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "autograder.labpage"}]


def _load_jupyter_server_extension(server_app) -> None:
    add_page_config_hook(server_app, lean_page)


if __name__ == "__main__":  # deploy/image/install.sh: python -m autograder.labpage ROLE DIR
    write_page_config(Path(sys.argv[2]), sys.argv[1])
