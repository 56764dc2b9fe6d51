"""``manabu grade``: autograde every submission of a lesson safely, make feedback, write grades.csv.

nbgrader keeps what it is good at (cell metadata, gradebook, feedback, exchange); the step that
runs student code is ours (:class:`autograder.nbgrader_plugins.SandboxExecute`): a sandbox, time
budgets, output caps and honest tests. Each submission is checked before it runs (preflight);
each finished result is saved at once (a ledger per lesson), so a crash or Ctrl-C loses nothing
and the next run grades only what is missing. One bad submission never stops the class.

Every row gets a status: ``ok`` or ``<kind>: <reason>``, kind one of ``flagged`` (graded, but
look at it: tampering undone, test cells put back), ``stopped`` (time budget or the process
ended: graded for what ran), ``broken`` / ``missing`` (not graded, 0), ``failed`` (grading failed).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import multiprocessing
import os
import signal
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

from autograder.build import nbgrader_error
from autograder.nbconfig import (
    AUTOGRADE_PIPELINE,
    SANITIZE_PIPELINE,
    built_course_dir,
    course_language,
    nbgrader_api,
)
from autograder.paths import CourseError, missing_lesson, write_atomic
from course.i18n import translator

CSV_NAME = "grades.csv"
FIELDS = ["student", "lesson", "score", "max_score", "status", "needs_manual"]
MAX_NOTEBOOK_MB = 20
KINDS = ("failed", "broken", "missing", "stopped", "flagged")  # most serious first


@dataclass
class GradeRow:
    student: str
    lesson: str
    score: float
    max_score: float
    status: str          # "ok" or "<kind>: <reason>"
    needs_manual: bool   # written answers wait for the teacher


@dataclass
class Options:
    """How to grade: budgets and limits (see ``manabu grade --help``)."""
    cell_timeout: float = 30
    notebook_timeout: float = 120
    memory_mb: int = 1024
    require_sandbox: bool = False
    regrade: bool = False


def find_submissions(course_dir: Path, lesson_id: str) -> list[str]:
    """Students who have a submitted/<student>/<lesson>/ folder."""
    root = course_dir / "submitted"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / lesson_id).is_dir())


def submitted_notebook(course_dir: Path, lesson_id: str, student: str) -> Path:
    return course_dir / "submitted" / student / lesson_id / f"{lesson_id}.ipynb"


@functools.lru_cache(maxsize=16)
def teacher_words(course_dir: Path):
    """The ``_()`` for what the teacher reads about a submission: the course language.
    The status kind before the colon (``flagged`` …) stays English for grades.csv readers."""
    return translator(course_language(course_dir))


def preflight(course_dir: Path, lesson_id: str, student: str) -> tuple[str, list[str]]:
    """("ok" or "<kind>: why it cannot be graded", [notes about cells that will be put back])."""
    _ = teacher_words(course_dir)
    path = submitted_notebook(course_dir, lesson_id, student)
    if not path.exists():
        return "missing: " + _("{lesson}.ipynb was not submitted; ask the student to submit "
                               "it").format(lesson=lesson_id), []
    size_mb = path.stat().st_size / 1e6
    if size_mb > MAX_NOTEBOOK_MB:
        return "broken: " + _("the notebook is {size} MB (the limit is {limit} MB); ask the "
                              "student to clear outputs (Edit → Clear Outputs of All Cells) and "
                              "submit again").format(size=f"{size_mb:.0f}", limit=MAX_NOTEBOOK_MB), []
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
        assert isinstance(cells, list) and all(isinstance(c, dict) for c in cells)
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AssertionError):
        return "broken: " + _("the notebook file is damaged (not valid notebook JSON); ask the "
                              "student to open it once and submit again"), []
    return "ok", cell_changes(course_dir, lesson_id, cells)


def cell_changes(course_dir: Path, lesson_id: str, cells: list[dict]) -> list[str]:
    """How the submission's test and locked cells differ from the released lesson (they are put
    back before grading: nbgrader restores edited ones, and missing ones with add_missing_cells).
    Hidden tests are compared with the *released* text, so they are not reported as changes."""
    release = course_dir / "release" / lesson_id / f"{lesson_id}.ipynb"
    try:
        released = json.loads(release.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return []

    def graded(cell_list):
        out = {}
        for cell in cell_list:
            meta = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(
                cell.get("metadata"), dict) else {}
            if meta.get("grade_id") and (meta.get("locked") or meta.get("grade")) \
                    and not meta.get("solution"):
                out[meta["grade_id"]] = cell
        return out

    def text(cell):
        source = cell.get("source", "")
        return ("".join(source) if isinstance(source, list) else str(source)).strip()

    _ = teacher_words(course_dir)
    mine, theirs = graded(cells), graded(released)
    notes = []
    missing = [gid for gid in theirs if gid not in mine]
    if missing:
        notes.append(_("deleted or unmarked locked cells put back: {cells}").format(
            cells=", ".join(missing)))
    edited = [gid for gid, cell in theirs.items() if gid in mine and (
        text(mine[gid]) != text(cell) or mine[gid].get("cell_type") != cell.get("cell_type"))]
    if edited:
        notes.append(_("edited locked cells put back: {cells}").format(cells=", ".join(edited)))
    return notes


# -- one submission, in a worker --------------------------------------------------------------

_worker = {}  # this worker process's nbgrader API, made once


def _start_worker(course_dir: str, options: Options, quiet_signals: bool = True) -> None:
    import warnings

    warnings.filterwarnings("ignore", module="nbgrader|sqlalchemy")
    if quiet_signals:  # the main process handles Ctrl-C and stops the workers itself
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    api = nbgrader_api(Path(course_dir))
    configure(api, options)
    _worker["api"] = api


def configure(api, options: Options) -> None:
    """Make nbgrader run student code in our sandbox, whatever the course config says."""
    config = api.config
    config.Autograde.sanitize_preprocessors = list(SANITIZE_PIPELINE)
    config.Autograde.autograde_preprocessors = list(AUTOGRADE_PIPELINE)
    config.OverwriteCells.add_missing_cells = True
    config.SandboxExecute.cell_timeout = float(options.cell_timeout)
    config.SandboxExecute.notebook_timeout = float(options.notebook_timeout)
    config.SandboxExecute.memory_mb = int(options.memory_mb)
    config.SandboxExecute.require_sandbox = bool(options.require_sandbox)
    api.config = config


def grade_one(course_dir: str, lesson_id: str, student: str) -> GradeRow:
    """Autograde and make feedback for one submission; never raises."""
    api = _worker["api"]
    course = Path(course_dir)
    status, notes = preflight(course, lesson_id, student)
    try:
        if status != "ok":
            return zero_row(api, lesson_id, student, status)
        with tempfile.TemporaryDirectory(prefix="manabu-run-") as tmp:
            report_path = Path(tmp) / "run.json"
            os.environ["MANABU_RUN_REPORT"] = str(report_path)
            result = api.autograde(lesson_id, student, force=True, create=True)
            for wait in (1, 2, 4):  # another worker held the SQLite gradebook: try again
                if result.get("success") or "locked" not in nbgrader_error(result):
                    break
                time.sleep(wait)
                result = api.autograde(lesson_id, student, force=True, create=True)
            run = json.loads(report_path.read_text()) if report_path.exists() else {}
        if not result.get("success"):
            return gradebook_row(api, lesson_id, student, "failed: " + nbgrader_error(result))
        api.generate_feedback(lesson_id, student)
        return gradebook_row(api, lesson_id, student,
                             status_from(run, notes, teacher_words(course)))
    except Exception as err:  # one bad submission never stops the class
        return GradeRow(student, lesson_id, 0.0, 0.0, f"failed: {err!r}"[:300], False)


def status_from(run: dict, notes: list[str], _=lambda message: message) -> str:
    """The row status from the sandbox's run report and the preflight notes."""
    if run.get("problems"):
        return "stopped: " + "; ".join(run["problems"] + notes)
    flags = list(notes)
    if run.get("restored"):
        flags.insert(0, _("changed what the tests use ({names}); put back before the tests, so "
                          "it earned nothing").format(names=", ".join(run["restored"][:6])))
    return "flagged: " + "; ".join(flags) if flags else "ok"


def zero_row(api, lesson_id: str, student: str, status: str) -> GradeRow:
    with api.gradebook as gb:
        max_score = gb.find_assignment(lesson_id).max_score
    return GradeRow(student, lesson_id, 0.0, float(max_score), status, False)


def gradebook_row(api, lesson_id: str, student: str, status: str) -> GradeRow:
    with api.gradebook as gb:
        max_score = gb.find_assignment(lesson_id).max_score
        try:
            sub = gb.find_submission(lesson_id, student)
        except Exception:  # nbgrader raises MissingEntry when it never got this far
            return GradeRow(student, lesson_id, 0.0, max_score, status, False)
        score, needs_manual = sub.score, bool(sub.needs_manual_grade)
    return GradeRow(student, lesson_id, float(score), float(max_score), status, needs_manual)


# -- the class ----------------------------------------------------------------------------------

class Ledger:
    """Finished results of one lesson, one JSON line each, saved the moment they are known.

    A result stays valid while the student's submission is unchanged (same file size, time and
    nbgrader timestamp); a new submission is graded again.
    """

    def __init__(self, course_dir: Path, lesson_id: str):
        self.course_dir, self.lesson_id = course_dir, lesson_id
        self.path = course_dir / ".manabu" / f"grading-{lesson_id}.jsonl"
        self.rows: dict[str, tuple[str, GradeRow]] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    record = json.loads(line)
                    self.rows[record["row"]["student"]] = (record["fingerprint"],
                                                           GradeRow(**record["row"]))
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut by a crash: that student is graded again

    def fingerprint(self, student: str) -> str:
        folder = self.course_dir / "submitted" / student / self.lesson_id
        parts = []
        for name in (f"{self.lesson_id}.ipynb", "timestamp.txt"):
            try:
                stat = (folder / name).stat()
                parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
            except OSError:
                parts.append(f"{name}:-")
        return "|".join(parts)

    def done(self, student: str) -> GradeRow | None:
        saved = self.rows.get(student)
        return saved[1] if saved and saved[0] == self.fingerprint(student) else None

    def record(self, row: GradeRow) -> None:
        fingerprint = self.fingerprint(row.student)
        self.rows[row.student] = (fingerprint, row)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"fingerprint": fingerprint, "row": asdict(row)}) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def forget(self) -> None:
        self.rows.clear()
        self.path.unlink(missing_ok=True)


def check_course(course_dir: Path, lesson_id: str) -> Path:
    course_dir = built_course_dir(course_dir)
    if not (course_dir / "source" / lesson_id).is_dir():
        raise CourseError(missing_lesson(course_dir, lesson_id))
    return course_dir


def grade_lesson(lesson_id: str, course_dir: Path, log=print, workers: int | None = None,
                 options: Options | None = None) -> list[GradeRow]:
    """Grade every submission of ``lesson_id`` with a pool of long-lived workers (one per core by
    default); return one row per student, sorted by student. Results already in the ledger for
    an unchanged submission are kept (``options.regrade`` grades everything again)."""
    from autograder.sandbox import describe, isolation_level, refusal

    options = options or Options()
    course_dir = check_course(course_dir, lesson_id)
    _ = teacher_words(course_dir)
    students = find_submissions(course_dir, lesson_id)
    if not students:
        log(_("No submissions of {lesson} in {folder}. Collect them first (Formgrader → Manage "
              "Assignments → Collect, or: nbgrader collect {lesson}).").format(
            lesson=lesson_id, folder=course_dir / "submitted"))
        return []
    level = isolation_level()
    if options.require_sandbox and level != "full":
        raise CourseError(refusal(level, _))
    log(describe(level, _))
    ledger = Ledger(course_dir, lesson_id)
    if options.regrade:
        ledger.forget()
    rows = {s: row for s in students if (row := ledger.done(s)) is not None}
    todo = [s for s in students if s not in rows]
    if rows:
        log(_("{n} submission(s) already graded and unchanged: kept (use --regrade to grade "
              "them again).").format(n=len(rows)))
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    if todo:
        log(_("Grading {n} submission(s) of {lesson} with {workers} worker(s)...").format(
            n=len(todo), lesson=lesson_id, workers=workers))

    def done(row: GradeRow) -> None:
        rows[row.student] = row
        ledger.record(row)
        write_grades_csv(course_dir, lesson_id, sorted(rows.values(), key=lambda r: r.student))
        count = len(rows) - (len(students) - len(todo))
        log(f"[{count}/{len(todo)}] {row.student}: {row.score:g}/{row.max_score:g}  {row.status}")

    try:
        _run_pool(course_dir, lesson_id, todo, workers, options, done)
    except KeyboardInterrupt:
        left = len(students) - len(rows)
        log("\n" + _("Stopped. {saved} of {total} result(s) are saved; {left} not graded yet. "
                     "Run the same command again to grade the rest.").format(
            saved=len(rows), total=len(students), left=left))
        raise
    result = sorted(rows.values(), key=lambda r: r.student)
    write_grades_csv(course_dir, lesson_id, result)
    summary = {}
    for row in result:
        kind = row.status.split(":", 1)[0]
        summary[kind] = summary.get(kind, 0) + 1
    parts = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.items(), key=_kind_order))
    log(_("Graded {n} submission(s) of {lesson}: {parts}. Grades: {csv}; feedback: "
          "{feedback}.").format(n=len(result), lesson=lesson_id, parts=parts,
                                csv=course_dir / CSV_NAME, feedback=course_dir / "feedback"))
    if any(row.status != "ok" for row in result):
        log(_("Rows not 'ok' say what happened and what to do; see them all with: manabu "
              "report --course {course}").format(course=course_dir))
    return result


def _kind_order(item) -> int:
    kind = item[0]
    return -1 if kind == "ok" else KINDS.index(kind) if kind in KINDS else len(KINDS)


def _run_pool(course_dir: Path, lesson_id: str, todo: list[str], workers: int,
              options: Options, done) -> None:
    if not todo:
        return
    if workers == 1:
        _start_worker(str(course_dir), options, quiet_signals=False)
        for student in todo:
            done(grade_one(str(course_dir), lesson_id, student))
        return
    context = multiprocessing.get_context("spawn")  # no inherited threads or sockets
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                               initargs=(str(course_dir), options))
    try:
        futures = [pool.submit(grade_one, str(course_dir), lesson_id, s) for s in todo]
        for future in as_completed(futures):
            done(future.result())
    except BaseException:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()  # the sandboxes die with their worker
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def write_grades_csv(course_dir: Path, lesson_id: str, rows: list[GradeRow]) -> Path:
    """Merge ``rows`` into grades.csv, replacing this lesson's old rows and keeping the others."""
    path = course_dir / CSV_NAME
    keep = []
    if path.exists():
        with path.open(encoding="utf-8", newline="") as handle:
            keep = [r for r in csv.DictReader(handle) if r.get("lesson") != lesson_id]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    new = [{**asdict(r), "needs_manual": "yes" if r.needs_manual else "no"} for r in rows]
    for row in sorted(keep + new, key=lambda r: (r["lesson"], r["student"])):
        writer.writerow({k: row.get(k, "") for k in FIELDS})
    write_atomic(path, out.getvalue())
    return path
