# A course config as `manabu build` and the school hub wrote it in December 2026, before the
# autograder/ folders: schools keep it, so every autograder.* name in it must keep working.
# manabu-move: keep
# ruff: noqa
# nbgrader configuration of a Manabu course, written by `manabu build`.
# Edit freely: `manabu build` only rewrites this file when it does not exist.
c = get_config()  # noqa: F821

c.CourseDirectory.root = '/srv/manabu/courses/5a'
c.CourseDirectory.course_id = 'manabu'
# A local exchange inside the course folder, so release/fetch/submit/collect work on one
# machine without /srv. On a JupyterHub, point this at the shared exchange instead.
c.Exchange.root = '/srv/manabu/courses/5a/exchange'

# Children see `answer = ...` instead of `raise NotImplementedError()`.
c.GenerateAssignment.preprocessors = [  # nbgrader's default list, ClearSolutions replaced
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "autograder.nbgrader_plugins.AnswerStubs",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.ClearSolutions.code_stub = {"python": '# ここに答えを書こう。\nraise NotImplementedError()'}
c.ClearSolutions.text_stub = '✏️ ここに答えを書こう。'

# Feedback never shows hidden tests (nbgrader shows them by default).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "autograder.feedback.MarkUngradedAnswers",  # "your teacher will read this", not a zero
    "autograder.nbgrader_plugins.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# Student code runs in Manabu's sandbox (autograder/sandbox.py: a copy of the submission only,
# no network, user nobody when grading as root, memory and time limits), not in a kernel of
# your own user. `manabu grade` always does this; these lines make the formgrader do it too.
c.Autograde.autograde_preprocessors = [
    'autograder.nbgrader_plugins.SandboxExecute',
    'nbgrader.preprocessors.IgnorePattern',
    'nbconvert.preprocessors.ClearMetadataPreprocessor',
    'nbgrader.preprocessors.LimitOutput',
    'nbgrader.preprocessors.SaveAutoGrades',
    'nbgrader.preprocessors.AssignLatePenalties',
    'nbgrader.preprocessors.CheckCellMetadata',
]
# nbgrader's own, minus a false "checksum has changed" alarm for every hidden-test cell
c.Autograde.sanitize_preprocessors = [
    'nbgrader.preprocessors.ClearOutput',
    'nbgrader.preprocessors.DeduplicateIds',
    'nbgrader.preprocessors.OverwriteKernelspec',
    'autograder.nbgrader_plugins.OverwriteCellsQuietly',
    'nbgrader.preprocessors.CheckCellMetadata',
]
c.OverwriteCells.add_missing_cells = True  # deleted test cells are put back, not scored 0
c.SandboxExecute.cell_timeout = 30  # Seconds one cell (or one call of a student's function by a test) may run.
c.SandboxExecute.notebook_timeout = 120  # Seconds the whole notebook may run.
c.SandboxExecute.memory_mb = 1024  # Memory one submission may use (MB).
c.SandboxExecute.disk_mb = 200  # Disk one submission may use for its files and temporary files (MB).
c.Manabu.lang = 'ja'  # the course language (en or ja)

# Feedback in the course language, from Manabu's copy of nbgrader's feedback template
import autograder.templates as _manabu_templates  # noqa: E402
c.HTMLExporter.extra_template_basedirs = _manabu_templates.feedback_template_dirs()

# Release only the student version the build made: a release/<id>/ somebody worked in (answers,
# outputs) is refused. Generate (Formgrader or nbgrader) records what it made.
c.ExchangeFactory.release_assignment = "autograder.exchange.CheckedReleaseAssignment"
c.GenerateAssignment.post_convert_hook = "autograder.release_guard.record_generated"

# A class on the school's JupyterHub (written once by deploy/hub/jupyterhub_config.py)
c.CourseDirectory.course_id = '5a'
c.Exchange.root = '/srv/manabu/exchange'
c.Exchange.path_includes_course = True
# collect a submission only from the student who owns it (anybody can write to inbound)
c.ExchangeFactory.collect = 'autograder.exchange.OwnerCheckedCollect'
