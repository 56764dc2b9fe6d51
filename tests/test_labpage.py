"""JupyterLab's plugins in a lesson page (autograder.labpage): the unused ones off for every
role, nothing a lesson needs among them, and every name a real extension or plugin here."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from autograder.lab import lab_environment
from autograder.labpage import (
    NEEDED,
    REPLACED,
    ROLES,
    STUDENT_UNUSED,
    UNUSED,
    disabled_extensions,
    write_page_config,
)

REPO = Path(__file__).resolve().parents[1]
SHARE = Path(sys.prefix) / "share" / "jupyter"


def turned_off(plugin: str, disabled: dict[str, bool]) -> bool:
    """JupyterLab's own rule (index.js ``isPluginDisabled``): by its id or its extension's name."""
    extension = plugin.split(":")[0] if ":" in plugin else ""
    return any(on and (name == plugin or (extension and name == extension))
               for name, on in disabled.items())


@pytest.mark.parametrize("role", ROLES)
def test_no_role_turns_off_what_a_lesson_needs(role):
    disabled = disabled_extensions(role)
    assert [name for name in NEEDED if turned_off(name, disabled)] == []
    assert all(disabled[name] for name in UNUSED)  # the unused ones, for every role
    # JupyterLab's plugins Manabu stands in for: theirs off, the stand-in on, for every role
    assert all(disabled[name] for name in REPLACED)
    assert [new for new in REPLACED.values() if turned_off(new, disabled)] == []


def test_each_role_turns_off_exactly_its_list():
    """A name taken off a list (or a teacher tool left on for students) shows here."""
    on = {role: {name for name, off in disabled_extensions(role).items() if off} for role in ROLES}
    every = set(UNUSED) | set(REPLACED)
    assert on["lab"] == on["grader"] == every
    assert on["teacher"] == every | {"@jupyter/nbgrader:formgrader"}
    assert on["student"] == every | set(STUDENT_UNUSED)
    assert {"@jupyterlab/debugger-extension", "@jupyterlab/extensionmanager-extension",
            "@jupyterlab/lsp-extension", "jupyterlab-jupytext",
            "@jupyter/nbgrader:create-assignment"} <= on["student"]
    # the teacher's page config lies on top of the students' one: it says False, not nothing
    teacher = disabled_extensions("teacher")
    assert teacher["@jupyter/nbgrader:course-list"] is False and teacher["jupyterlab-jupytext"] is False
    with pytest.raises(ValueError, match="student"):
        disabled_extensions("parent")


def installed() -> tuple[set[str], dict[str, Path]]:
    """JupyterLab's own extensions, and the prebuilt ones (name -> folder) in this environment."""
    core = json.loads((SHARE / "lab" / "static" / "package.json").read_text(encoding="utf-8"))
    names = set(core["jupyterlab"]["extensions"]) | set(core["jupyterlab"]["mimeExtensions"])
    prebuilt = {}
    folder = SHARE / "labextensions"   # name/ or @scope/name/ (a link in an editable install)
    for package in [*folder.glob("*/package.json"), *folder.glob("@*/*/package.json")]:
        prebuilt[json.loads(package.read_text(encoding="utf-8"))["name"]] = package.parent
    return names, prebuilt


def test_every_name_is_an_extension_or_plugin_installed_here():
    """A misspelt or renamed name would leave its plugin on without a word."""
    core, prebuilt = installed()
    for name in (*UNUSED, *STUDENT_UNUSED, *NEEDED, *REPLACED, *REPLACED.values()):
        if name in core or name in prebuilt:
            continue
        extension = name.split(":")[0]
        assert extension in core or extension in prebuilt, f"{name}: no such extension here"
        folder = SHARE / "lab" / "static" if extension in core else prebuilt[extension] / "static"
        code = "".join(p.read_text(encoding="utf-8", errors="replace") for p in folder.glob("*.js"))
        assert f'"{name}"' in code or f"'{name}'" in code, f"{name}: no such plugin in {extension}"


def test_manabu_lab_and_the_image_write_the_page_config(tmp_path):
    env = lab_environment(tmp_path, "en")
    folder = Path(env["JUPYTER_CONFIG_PATH"].split(":")[0])
    written = json.loads((folder / "labconfig" / "page_config.json").read_text(encoding="utf-8"))
    assert written == {"disabledExtensions": disabled_extensions("lab"),
                       "buildAvailable": False, "buildCheck": False}  # no /lab/api/build
    path = write_page_config(tmp_path / "etc", "student")
    assert json.loads(path.read_text(encoding="utf-8"))["disabledExtensions"]["jupyterlab-jupytext"]
    script = (REPO / "deploy" / "image" / "install.sh").read_text(encoding="utf-8")
    assert '-m autograder.labpage "$5" "$1"' in script
    for role in ("student", "teacher", "grader"):
        assert f" {role}\n" in script  # each level of the hub gets its own



@pytest.mark.parametrize("flag, role", [([], "lab"), (["--as-student"], "student")])
def test_manabu_lab_as_student_starts_the_students_page(tmp_path, monkeypatch, capsys, flag, role):
    """`manabu lab --as-student` (the device bench opens lessons so): JupyterLab with the page
    config a student gets on the hub, and a line saying so; without it, the teacher's."""
    import autograder.build.builder as builder
    from autograder.cli import main
    from autograder.labpage import page_config

    started = {}
    monkeypatch.setattr(builder, "build_course", lambda course, lang: (course / "release").mkdir(parents=True))
    monkeypatch.setattr("autograder.lab.port_busy", lambda port: False)
    monkeypatch.setattr("os.execvpe", lambda path, args, env: started.update(args=args, env=env))
    monkeypatch.chdir(tmp_path)  # run_lab moves into the course folder; this puts it back
    main(["lab", "--course", str(tmp_path / "course"), "--lang", "en", "--no-browser", *flag])
    folder = Path(started["env"]["JUPYTER_CONFIG_PATH"].split(":")[0])
    written = json.loads((folder / "labconfig" / "page_config.json").read_text(encoding="utf-8"))
    assert written == page_config(role)
    said = capsys.readouterr().out
    assert ("as a student sees it" in said) == (role == "student")
    assert ("Formgrader is in the Nbgrader menu" in said) == (role == "lab")


def test_a_package_turned_off_as_a_whole_is_not_fetched():
    """Only a package named whole in disabledExtensions leaves ``federated_extensions``: one
    with a plugin or two turned off (nbgrader for students) is still fetched."""
    from autograder.labpage import leave_out_disabled_packages, page_config_hook

    installed = [{"name": name, "load": "static/remoteEntry.js", "extension": "./extension"}
                 for name in ("jupyterlab-jupytext", "@jupyter/nbgrader", "@manabu/lab")]
    config = {"disabledExtensions": ["jupyterlab-jupytext", "@jupyter/nbgrader:formgrader",
                                     "@jupyterlab/terminal-extension"],
              "federated_extensions": installed}
    kept = leave_out_disabled_packages(dict(config))["federated_extensions"]
    assert [ext["name"] for ext in kept] == ["@jupyter/nbgrader", "@manabu/lab"]
    assert leave_out_disabled_packages({"federated_extensions": installed})[
        "federated_extensions"] == installed  # nothing disabled: all fetched
    # as a server's hook, after the hook that was there before (the early kernel's)
    seen = []
    hook = page_config_hook(lambda handler, pc: seen.append(handler) or pc)
    assert [ext["name"] for ext in hook("handler", dict(config))["federated_extensions"]] == [
        "@jupyter/nbgrader", "@manabu/lab"] and seen == ["handler"]


def test_manabu_lab_and_the_hub_image_leave_them_out():
    from autograder.lab import LEAN_PAGE, lab_command

    install = (Path(__file__).resolve().parent.parent / "deploy" / "image" /
               "install.sh").read_text(encoding="utf-8")
    assert f"{LEAN_PAGE}=True" in lab_command(Path("/nonexistent/course"), 8888)
    assert f'\\"{LEAN_PAGE}\\": true' in install
