"""One definition per contract: grades.csv (columns, status kinds in one severity order), the
grading limits, Manabu's course config and the language list. Cheap: no nbgrader run."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from autograder.gradescsv import (
    CSV_NAME,
    FIELDS,
    KINDS,
    GradeRow,
    kind_word,
    parse_status,
    read_grades,
    severity,
    write_grades,
)

AUTOGRADER = Path(__file__).resolve().parents[1] / "autograder"


def sources() -> dict[str, str]:
    return {str(p.relative_to(AUTOGRADER)): p.read_text(encoding="utf-8")
            for p in sorted(AUTOGRADER.rglob("*.py"))}


def test_grades_csv_is_named_and_shaped_in_one_module_only():
    for name, text in sources().items():
        if name.endswith("gradescsv.py"):
            continue
        assert '"grades.csv"' not in text, name
        tree = ast.parse(text)
        assigned = {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                    for t in node.targets if isinstance(t, ast.Name)}
        assert not assigned & {"CSV_NAME", "KINDS", "PROBLEM_KINDS", "GRADED_KINDS"}, name
        if "grades.csv" in text:  # other CSV files (OneRoster) have columns of their own
            assert not assigned & {"FIELDS", "COLUMNS"}, name


def test_what_the_grader_writes_the_report_reads_back(tmp_path):
    rows = [GradeRow(s, "e01", score, 2, status, s == "ren") for s, score, status in (
        ("aoi", 2, "ok"), ("mei", 1, "flagged: test cells put back"),
        ("ren", 1, "stopped: the time budget ran out"), ("sora", 0, "broken: damaged"),
        ("yui", 0, "missing: not submitted"), ("kai", 0, "failed: database locked"))]
    write_grades(tmp_path, "e01", rows)
    back = {r.student: r for r in read_grades(tmp_path)}
    assert (tmp_path / CSV_NAME).read_text().splitlines()[0] == ",".join(FIELDS)
    for row in rows:  # the writer's idea of "graded" is the reader's
        assert back[row.student].graded == row.graded
        assert back[row.student].kind == row.kind
    assert sorted(s for s, r in back.items() if r.graded) == ["aoi", "mei", "ren"]
    assert back["ren"].needs_manual and back["ren"].late is False


def test_kinds_have_one_severity_order_and_a_word_each():
    assert sorted(["flagged", "ok", "missing", "failed", "stopped", "broken", "?"], key=severity) \
        == ["ok", *KINDS, "?"]
    assert KINDS[0] == "failed" and KINDS[-1] == "flagged"  # most serious first
    words = {kind_word(k, str) for k in ("ok", *KINDS, "other")}
    assert len(words) == len(KINDS) + 2
    assert all(parse_status(f"{k}: why")[0] == k for k in KINDS)


def test_the_class_report_lists_problems_most_serious_first(tmp_path):
    from autograder.report.class_report import LessonReport

    rows = [GradeRow(s, "e01", 0, 2, f"{k}: x", False) for s, k in (("a", "flagged"),
                                                                      ("b", "failed"),
                                                                      ("c", "stopped"))]
    write_grades(tmp_path, "e01", rows)
    report = LessonReport("e01", "", read_grades(tmp_path))
    assert [r.kind for r in report.problems] == ["failed", "stopped", "flagged"]


def test_languages_are_defined_once():
    root = AUTOGRADER.parent
    defined = [p for p in [*root.joinpath("course").rglob("*.py"), *AUTOGRADER.rglob("*.py")]
               if re.search(r"^LANGUAGES\s*=", p.read_text(encoding="utf-8"), re.M)]
    assert [p.name for p in defined] == ["i18n.py"]


def environ_uses(tree: ast.AST) -> tuple[list[int], list[str]]:
    """(lines that change os.environ, MANABU_* variables read from it) in a module."""
    def is_environ(node) -> bool:
        return isinstance(node, ast.Attribute) and node.attr == "environ"

    writes, reads = [], []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [
            node.target] if isinstance(node, ast.AugAssign) else []
        if any(isinstance(t, ast.Subscript) and is_environ(t.value) for t in targets):
            writes.append(node.lineno)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
                is_environ(node.func.value) and node.func.attr in ("update", "setdefault", "pop")
                or node.func.attr == "putenv"):
            writes.append(node.lineno)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and node.value.startswith("MANABU_"):
            reads.append(node.value)
    return writes, reads


# What one process sets for another that it starts (JupyterHub for its services and students'
# servers and kernels, `manabu lab` for its server and kernels): a separate process has no other
# way in. Read only by the process it is meant for.
PROCESS_SETTINGS = {"MANABU_LIVE_URL", "MANABU_LIVE_TOKEN", "MANABU_LIVE_STATE",
                    "MANABU_LIVE_CLASSES", "MANABU_LANG", "MANABU_CLASS_NAMES", "MANABU_TIMEZONE",
                    "MANABU_EXCHANGE",
                    # the hub's own start-up settings, from its service manager (or a test)
                    "MANABU_CLASSES", "MANABU_HUB_AUTH", "MANABU_HUB_PASSWORD", "MANABU_ROSTER_TOKEN"}


def test_no_module_talks_to_another_through_the_environment():
    # Setting a variable is how one module would tell another something behind its back; the
    # three that do set up an external tool's world (nbgrader's alembic on PATH, the owner's HOME)
    # or a forked process's, as exec would (the zygote's child gets a fresh sandbox's environment;
    # the test kernels' zygote's child the environment nbclient asked for).
    # MANABU_LANG is read by the CLI only (a user's override), and given to a child process
    # explicitly (lab, sandbox) as the course language, never passed through from our own.
    for path, text in sources().items():
        writes, reads = environ_uses(ast.parse(text))
        assert not writes or Path(path).name in ("nbconfig.py", "owner.py", "zygote.py",
                                                          "kernel_zygote.py"), \
            (path, writes)
        if "os.environ" in text and Path(path).name != "cli.py":
            assert not [r for r in reads if r not in PROCESS_SETTINGS
                        and re.search(rf"environ(\.get)?[\[(]\s*['\"]{r}", text)], path


def test_grading_limits_are_declared_once_and_read_by_cli_formgrader_and_sandbox(tmp_path):
    from traitlets.config import Config

    from autograder.build.nbconfig import load_config, write_config
    from autograder.cli import parser
    from autograder.grading.limits import GradingLimits, default, help_text
    from autograder.grading.nbgrader_plugins import SandboxExecute
    from autograder.grading.sandbox import Limits

    args = parser().parse_args(["grade", "e01", "--course", "x"])
    for name in ("cell_timeout", "notebook_timeout", "memory_mb", "disk_mb"):
        assert getattr(args, name) == default(name)
        assert getattr(Limits(), name.replace("timeout", "seconds")) == default(name)
        assert help_text(name)
    assert issubclass(SandboxExecute, GradingLimits)
    write_config(tmp_path, "en")  # the course config names the same defaults, each with its help
    config = load_config(tmp_path)
    assert config.SandboxExecute.memory_mb == default("memory_mb")
    assert help_text("cell_timeout") in (tmp_path / "nbgrader_config.py").read_text()
    config = Config()
    config.SandboxExecute.cell_timeout = 7.0  # what a teacher writes for the Formgrader
    config.GradingLimits.memory_mb = 512
    limits = SandboxExecute(config=config).for_sandbox("ja")
    assert (limits.cell_seconds, limits.memory_mb, limits.lang) == (7.0, 512, "ja")


@pytest.mark.parametrize(("line", "says"), [
    ("c.Manabu.lnag = 'ja'", "Did you mean c.Manabu.lang?"),
    ("c.Manabu.lang = 'jp'", "any of ['en', 'ja']"),
    ("c.Manabu.kanten_a = 'eighty'", "c.Manabu.kanten_a = 'eighty'"),
])
def test_a_wrong_manabu_setting_is_reported_not_ignored(tmp_path, line, says):
    from autograder.build.nbconfig import course_language, write_config
    from autograder.courseconfig import ConfigError

    path = write_config(tmp_path, "ja")
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(says)):
        course_language(tmp_path)


def test_manabu_settings_have_one_default_each(tmp_path):
    from autograder.build.nbconfig import write_config
    from autograder.courseconfig import Manabu, course_settings
    from autograder.report.kanten import Thresholds, thresholds
    from autograder.school.deadlines import course_timezone

    assert course_settings(tmp_path).lang == "en"  # no course yet: the defaults
    path = write_config(tmp_path, "ja")
    path.write_text(path.read_text(encoding="utf-8") + "c.Manabu.kanten_a = 90\n"
                    "c.Manabu.timezone = 'Asia/Seoul'\n", encoding="utf-8")
    assert thresholds(tmp_path) == Thresholds(90, Manabu().kanten_b)
    assert course_timezone(tmp_path) == "Asia/Seoul"
    assert Thresholds() == Thresholds(Manabu().kanten_a, Manabu().kanten_b)


def test_a_course_config_written_before_the_folders_still_loads():
    """Schools keep the nbgrader_config.py an earlier build wrote: every autograder.* name in it
    (preprocessors, exchange classes, hooks, templates) must still import."""
    import importlib

    from traitlets.config.loader import PyFileConfigLoader

    data = Path(__file__).parent / "data"
    text = (data / "nbgrader_config_2026-12.py").read_text(encoding="utf-8")
    config = PyFileConfigLoader("nbgrader_config_2026-12.py", path=str(data)).load_config()
    assert config.Manabu.lang == "ja"
    names = set(re.findall(r"""["'](autograder\.[\w.]+)["']""", text))
    assert len(names) >= 8
    for name in names:
        module, _dot, attribute = name.rpartition(".")
        assert callable(getattr(importlib.import_module(module), attribute)), name
    import autograder.templates  # noqa: F401  (the config imports it for the feedback page)
