"""The ``nbgrader_config.py`` of a Manabu course folder, and an nbgrader API bound to it."""

from __future__ import annotations

from pathlib import Path

COURSE_ID = "manabu"
CONFIG_NAME = "nbgrader_config.py"
STUBS = {
    "en": ("# Write your answer here.\nraise NotImplementedError()", "✏️ Write your answer here."),
    "ja": ("# ここに答えを書こう。\nraise NotImplementedError()", "✏️ ここに答えを書こう。"),
}

# Autograde's two steps. `manabu grade` always uses them; the course config names them too, so the
# Formgrader's Autograde button runs student code in the same sandbox.
AUTOGRADE_PIPELINE = (
    "autograder.grading.nbgrader_plugins.SandboxExecute",  # instead of nbgrader's Execute
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
)
SANITIZE_PIPELINE = (
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "autograder.grading.nbgrader_plugins.OverwriteCellsQuietly",  # instead of nbgrader's OverwriteCells
    "nbgrader.preprocessors.CheckCellMetadata",
)

TEMPLATE = '''\
# nbgrader configuration of a Manabu course, written by `manabu build`.
# Edit freely: `manabu build` only rewrites this file when it does not exist.
c = get_config()  # noqa: F821

c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = {course_id!r}
# A local exchange inside the course folder, so release/fetch/submit/collect work on one
# machine without /srv. On a JupyterHub, point this at the shared exchange instead.
c.Exchange.root = {exchange!r}

# Children see `answer = ...` instead of `raise NotImplementedError()`.
c.GenerateAssignment.preprocessors = [  # nbgrader's default list, ClearSolutions replaced
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "autograder.grading.nbgrader_plugins.AnswerStubs",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.ClearSolutions.code_stub = {{"python": {code_stub!r}}}
c.ClearSolutions.text_stub = {text_stub!r}

# Feedback never shows hidden tests (nbgrader shows them by default).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "autograder.grading.feedback.MarkUngradedAnswers",  # "your teacher will read this", not a zero
    "autograder.grading.nbgrader_plugins.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# Student code runs in Manabu's sandbox (autograder/grading/sandbox.py: a copy of the submission only,
# no network, user nobody when grading as root, memory and time limits), not in a kernel of
# your own user. `manabu grade` always does this; these lines make the formgrader do it too.
c.Autograde.autograde_preprocessors = {autograde}
# nbgrader's own, minus a false "checksum has changed" alarm for every hidden-test cell
c.Autograde.sanitize_preprocessors = {sanitize}
c.OverwriteCells.add_missing_cells = True  # deleted test cells are put back, not scored 0
{limits}c.Manabu.lang = {lang!r}  # the course language (en or ja)
{formgrader_times}{manabu_hooks}'''

# Lines `manabu build` also adds to a course config written by an older Manabu (key, line block).
HOOKS = (
    ("c.HTMLExporter.extra_template_basedirs", """
# Feedback in the course language, from Manabu's copy of nbgrader's feedback template
import autograder.templates as _manabu_templates  # noqa: E402
c.HTMLExporter.extra_template_basedirs = _manabu_templates.feedback_template_dirs()
"""),
    ("c.ExchangeFactory.release_assignment", """
# Release only the student version the build made: a release/<id>/ somebody worked in (answers,
# outputs) is refused. Generate (Formgrader or nbgrader) records what it made.
c.ExchangeFactory.release_assignment = "autograder.school.exchange.CheckedReleaseAssignment"
c.GenerateAssignment.post_convert_hook = "autograder.build.release_guard.record_generated"
"""),
    ("c.ClearHiddenTests.enforce_metadata", """
# A written answer's rubric sits in a hidden region of the locked cell after it: students never
# get it, the gradebook keeps it, so the Formgrader shows it where you grade (Manabu's lesson
# checks, not nbgrader's, decide which cells may hold a hidden region).
c.ClearHiddenTests.enforce_metadata = False
"""),
)


def formgrader_times(timezone: str = "Asia/Tokyo") -> str:
    """Config lines for the Formgrader's times: the school's zone, to the minute (nbgrader shows
    UTC with seconds, so a 15:20 submission in Tokyo reads 06:20:13 UTC)."""
    return (f"c.NbGraderAPI.timezone = {timezone!r}  # the Formgrader's times\n"
            'c.NbGraderAPI.timestamp_format = "%Y-%m-%d %H:%M %Z"\n')


def write_config(course_dir: Path, lang: str) -> Path:
    """Write ``nbgrader_config.py`` if the course has none; return its path."""
    from autograder.grading.limits import config_lines

    path = course_dir / CONFIG_NAME
    if not path.exists():
        code_stub, text_stub = STUBS[lang]
        path.write_text(TEMPLATE.format(root=str(course_dir), course_id=COURSE_ID,
                                        exchange=str(course_dir / "exchange"), code_stub=code_stub,
                                        text_stub=text_stub, lang=lang,
                                        autograde=_py_list(AUTOGRADE_PIPELINE),
                                        sanitize=_py_list(SANITIZE_PIPELINE),
                                        limits=config_lines("SandboxExecute"),
                                        formgrader_times=formgrader_times(),
                                        manabu_hooks="".join(block for _key, block in HOOKS)),
                        encoding="utf-8")
    return path


def _py_list(names) -> str:
    return "[\n" + "".join(f"    {name!r},\n" for name in names) + "]"


def built_course_dir(course_dir: Path) -> Path:
    """``course_dir`` checked (see ``usable_course_dir``) and holding a built course; else a
    :class:`CourseError` that says to build it first."""
    from autograder.paths import CourseError, nearest_course, usable_course_dir

    course_dir = usable_course_dir(course_dir, must_exist=True)
    if not (course_dir / CONFIG_NAME).exists():
        near = nearest_course(course_dir)
        hint = f"The nearest course folder is {near}: use --course {near}. " if near else ""
        raise CourseError(f"{course_dir} is not a Manabu course (no {CONFIG_NAME}). {hint}"
                          f"To make a course there: manabu build --course {course_dir}")
    return course_dir


def load_config(course_dir: Path):
    """The traitlets ``Config`` from the course's ``nbgrader_config.py``."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader(CONFIG_NAME, path=str(course_dir)).load_config()


def course_language(course_dir: Path, default: str = "en") -> str:
    """The language a course was built in."""
    if not (course_dir / CONFIG_NAME).exists():
        return default
    return config_language(load_config(course_dir), default)


def config_language(config, default: str = "en") -> str:
    """The course language named in a loaded nbgrader config (``c.Manabu.lang``; ``default`` in
    a config that names none). Its Manabu settings are checked: a misspelt name or a language
    Manabu does not have is a :class:`~autograder.courseconfig.ConfigError`."""
    from autograder.courseconfig import manabu_settings

    settings = manabu_settings(config)
    return settings.lang if "lang" in config.get("Manabu", {}) else default


def use_this_alembic() -> None:
    """nbgrader runs `alembic` from PATH to create a gradebook: put the one beside this Python
    first (another one on PATH may be unreadable, e.g. after dropping root)."""
    import os
    import shutil
    import sys

    bindir = os.path.dirname(sys.executable)
    rest = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and d != bindir]
    os.environ["PATH"] = os.pathsep.join([bindir, *rest])
    if shutil.which("alembic") is None:
        from autograder.paths import CourseError

        raise CourseError("nbgrader needs the 'alembic' command, which comes with nbgrader. "
                          "Install Manabu with pip into a virtual environment and run it from there.")


def nbgrader_api(course_dir: Path, db_url: str | None = None):
    """An ``NbGraderAPI`` for the course folder (its gradebook, exchange and pipelines)."""
    import logging

    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    use_this_alembic()
    config = load_config(course_dir)
    if db_url:
        config.CourseDirectory.db_url = db_url
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    api.log.setLevel(logging.WARNING)
    return api


def nbgrader_error(result: dict) -> str:
    """The most telling line of a failed nbgrader API call."""
    text = (result.get("log") or "") + "\n" + (result.get("error") or "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    telling = [line for line in lines if ("Error:" in line or "Error " in line)
               and "Please see the" not in line and not line.startswith("File ")]
    return (telling or lines or ["unknown error"])[-1][:300]
