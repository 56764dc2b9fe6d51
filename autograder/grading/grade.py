"""``manabu grade``: autograde every submission of a lesson safely, make feedback, write grades.csv.

nbgrader keeps what it is good at (cell metadata, gradebook, feedback, exchange); the step that
runs student code is ours (:class:`autograder.grading.nbgrader_plugins.SandboxExecute`): a sandbox, time
budgets, output caps and honest tests. Each submission is checked before it runs (preflight);
each finished result is saved at once (a ledger per lesson), so a crash or Ctrl-C loses nothing
and the next run grades only what is missing. One bad submission never stops the class.

Every row gets a status: ``ok`` or ``<kind>: <reason>``, kind one of ``flagged`` (graded, but
look at it: test cells put back, changed grading metadata, links refused), ``stopped`` (time budget or the process
ended: graded for what ran), ``broken`` / ``missing`` (not graded, 0), ``failed`` (grading failed).
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import shutil
import signal
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict
from pathlib import Path

from nbgrader.api import MissingEntry
from traitlets import Bool

from autograder.build.nbconfig import (
    AUTOGRADE_PIPELINE,
    SANITIZE_PIPELINE,
    built_course_dir,
    course_language,
    nbgrader_api,
    nbgrader_error,
)
from autograder.gradescsv import CSV_NAME, GradeRow, severity, write_grades
from autograder.grading.limits import GradingLimits
from autograder.paths import CourseError, missing_lesson, write_atomic
from course.i18n import translator

MAX_NOTEBOOK_MB = 20
MAX_CELLS = 3000             # a lesson has about 60: more is not a notebook a child made
MAX_SECONDS_OVER_BUDGET = 120  # nbgrader's own steps, on top of the notebook's time budget


class Options(GradingLimits):
    """How to grade: the limits (see :mod:`autograder.grading.limits`), and whether to grade again."""

    regrade = Bool(False, help="Grade every submission again (default: keep the results of "
                               "unchanged ones).").tag(config=True)
    batch_gradebook = Bool(True, help="Open the gradebook once per worker and write each "
                                      "submission's grades in one transaction (the same rows as "
                                      "nbgrader's own, fewer commits). False: nbgrader's own "
                                      "bookkeeping.").tag(config=True)


# the limits `manabu grade` has options for; they win over the course config's
CLI_LIMITS = ("cell_timeout", "notebook_timeout", "memory_mb", "disk_mb", "require_sandbox")


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
    """("ok" or "<kind>: why it cannot be graded", [notes about cells that will be put back and
    metadata that was changed]). Never raises: any bytes at all become a status."""
    _ = teacher_words(course_dir)
    path = submitted_notebook(course_dir, lesson_id, student)
    damaged = "broken: " + _("the notebook file is damaged (not valid notebook JSON); ask the "
                             "student to open it once and submit again")
    if path.is_symlink() or (path.exists() and not path.is_file()):
        return "broken: " + _("{lesson}.ipynb is a link or a special file, not a notebook: it "
                              "was not opened; ask the student to submit the notebook "
                              "itself").format(lesson=lesson_id), []
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
    except (UnicodeDecodeError, ValueError, RecursionError):
        return damaged, []
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        return damaged, []
    if len(cells) > MAX_CELLS:
        return "broken: " + _("the notebook has {n} cells (a lesson has far fewer); ask the "
                              "student to start again from the lesson and submit").format(
            n=len(cells)), []
    try:
        import nbformat

        nbformat.validate(nbformat.from_dict(nb), version=4)
    except Exception:  # nbformat raises several types; any of them means nbgrader would fail
        return damaged, []
    for number, cell in enumerate(cells, 1):
        if not grading_metadata_ok(cell):
            return "broken: " + _("the grading information of cell {n} is damaged (the notebook "
                                  "was changed outside JupyterLab); ask the student to copy the "
                                  "answers into a fresh copy of the lesson and submit "
                                  "again").format(n=number), []
    return "ok", cell_changes(course_dir, lesson_id, cells)


def grading_metadata_ok(cell: dict) -> bool:
    """Is a cell's nbgrader metadata (if any) of the shape nbgrader can read?"""
    meta = cell.get("metadata")
    if not isinstance(meta, dict) or "nbgrader" not in meta:
        return True
    meta = meta["nbgrader"]
    if not isinstance(meta, dict):
        return False
    kinds = {"grade_id": str, "grade": bool, "solution": bool, "locked": bool, "task": bool,
             "schema_version": int, "checksum": str, "cell_type": str}
    if any(key in meta and type(meta[key]) is not kind for key, kind in kinds.items()):
        return False
    points = meta.get("points", 0)
    return type(points) in (int, float) and points == points and 0 <= points < 1e6


def cell_changes(course_dir: Path, lesson_id: str, cells: list[dict]) -> list[str]:
    """How the submission's test and locked cells differ from the released lesson (they are put
    back before grading: nbgrader restores edited ones, and missing ones with add_missing_cells).
    Hidden tests are compared with the *released* text, so they are not reported as changes."""
    released = released_cells(course_dir, lesson_id)
    if released is None:
        return []

    def graded(cell_list):
        out = {}
        for cell in cell_list:
            meta = nbgrader_meta(cell)
            if meta.get("grade_id") and (meta.get("locked") or meta.get("grade")) \
                    and not meta.get("solution"):
                out[meta["grade_id"]] = cell
        return out

    _ = teacher_words(course_dir)
    mine, theirs = graded(cells), graded(released)
    notes = []
    missing = [gid for gid in theirs if gid not in mine]
    if missing:
        notes.append(_("deleted or unmarked locked cells put back: {cells}").format(
            cells=", ".join(missing)))
    edited = [gid for gid, cell in theirs.items() if gid in mine and (
        cell_text(mine[gid]) != cell_text(cell) or mine[gid].get("cell_type") != cell.get("cell_type"))]
    if edited:
        notes.append(_("edited locked cells put back: {cells}").format(cells=", ".join(edited)))
    changed = metadata_changes(cells, released)
    if changed:
        notes.append(_("grading metadata changed in the submission (the lesson's own was used): "
                       "{cells}").format(cells=", ".join(changed)))
    return notes


def released_cells(course_dir: Path, lesson_id: str) -> list[dict] | None:
    """The cells of the released lesson (read once per version of the file; do not change
    them), or None when there is no readable release."""
    release = course_dir / "release" / lesson_id / f"{lesson_id}.ipynb"
    try:
        return _read_cells(str(release), release.stat().st_mtime_ns)
    except (OSError, ValueError, KeyError, TypeError):
        return None


@functools.lru_cache(maxsize=8)
def _read_cells(path: str, _mtime_ns: int) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))["cells"]


def cell_text(cell: dict) -> str:
    """A cell's source as one stripped string (nbformat allows a list of lines)."""
    source = cell.get("source", "")
    return ("".join(source) if isinstance(source, list) else str(source)).strip()


def nbgrader_meta(cell: dict) -> dict:
    """A cell's nbgrader metadata, or {} when it is missing or not a dict (any bytes are
    possible in a submission)."""
    meta = cell.get("metadata")
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


def metadata_changes(cells: list[dict], released: list[dict]) -> list[str]:
    """Grade ids whose nbgrader metadata differs from the released lesson: a test turned into an
    answer, changed points, a grade id used twice or made up. Grading uses the lesson's own
    (from the gradebook), so these earn nothing; the teacher should know."""
    def shape(meta: dict) -> dict:
        points = meta.get("points") if meta.get("grade") else None
        try:
            points = float(points) if points is not None else None
        except (TypeError, ValueError):
            points = repr(points)[:20]
        return {"grade": bool(meta.get("grade")), "solution": bool(meta.get("solution")),
                "locked": bool(meta.get("locked")), "points": points}

    theirs = {}
    for cell in released:
        meta = nbgrader_meta(cell)
        if isinstance(meta.get("grade_id"), str):
            theirs[meta["grade_id"]] = shape(meta)
    seen, changed = set(), []
    for cell in cells:
        meta = nbgrader_meta(cell)
        if not meta:
            continue
        grade_id = meta.get("grade_id")
        label = grade_id if isinstance(grade_id, str) else repr(grade_id)[:40]
        if not isinstance(grade_id, str) or grade_id not in theirs:
            if meta.get("grade") or meta.get("solution") or meta.get("locked"):
                changed.append(f"{label} (not in the lesson)")
            continue
        if grade_id in seen:
            changed.append(f"{label} (twice)")
            continue
        seen.add(grade_id)
        mine = shape(meta)
        diff = [k for k in mine if mine[k] != theirs[grade_id][k]]
        if diff:
            changed.append(f"{label} ({', '.join(diff)})")
    return changed


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
    _worker["budget"] = options.notebook_timeout + MAX_SECONDS_OVER_BUDGET
    _worker["batch"] = options.batch_gradebook


def configure(api, options: Options) -> None:
    """Make nbgrader run student code in our sandbox, whatever the course config says."""
    config = api.config
    config.Autograde.sanitize_preprocessors = list(SANITIZE_PIPELINE)
    config.Autograde.autograde_preprocessors = list(AUTOGRADE_PIPELINE)
    config.OverwriteCells.add_missing_cells = True
    if "exporter_class" not in config.GenerateFeedback:  # a school's own exporter wins
        # templates compiled once per worker, not once per student: the same page, less CPU
        config.GenerateFeedback.exporter_class = (
            "autograder.grading.feedback_exporter.ClassHTMLExporter")
    for name in CLI_LIMITS:
        setattr(config.SandboxExecute, name, getattr(options, name))
    if not options.fork:  # the course config may also turn it off; grading options only can
        config.SandboxExecute.fork = False
    api.config = config


def grade_one(course_dir: str, lesson_id: str, student: str) -> GradeRow:
    """Autograde and make feedback for one submission; never raises."""
    from autograder.grading import class_gradebook

    if not _worker.get("batch", True):
        return _grade_one(course_dir, lesson_id, student)
    with class_gradebook.in_use():
        return _grade_one(course_dir, lesson_id, student)


def _grade_one(course_dir: str, lesson_id: str, student: str) -> GradeRow:
    from autograder.grading.nbgrader_plugins import SandboxExecute

    api = _worker["api"]
    course = Path(course_dir)
    _ = teacher_words(course)
    try:
        status, notes = preflight(course, lesson_id, student)
        refused = quarantine_unsafe(course, lesson_id, student) if status == "ok" else []
        if status == "ok" and repair_metadata(course, lesson_id, student):
            notes.append(_("the original notebook is kept in {folder}").format(
                folder=refused_folder(course, lesson_id, student)))
        if refused:
            notes.insert(0, _("links or special files refused, never opened (moved to "
                              "{folder}): {names}").format(
                folder=refused_folder(course, lesson_id, student), names=", ".join(refused[:8])))
        if status != "ok":
            return zero_row(api, lesson_id, student, status)
        SandboxExecute.last_report = None
        with wall_clock(_worker.get("budget", 0)):
            result = api.autograde(lesson_id, student, force=True, create=True)
            for wait in (1, 2, 4):  # another worker held the SQLite gradebook: try again
                if result.get("success") or "locked" not in nbgrader_error(result):
                    break
                time.sleep(wait)
                result = api.autograde(lesson_id, student, force=True, create=True)
            run = SandboxExecute.last_report or {}
            if not result.get("success"):
                return gradebook_row(api, lesson_id, student, "failed: " + nbgrader_error(result))
            api.generate_feedback(lesson_id, student)
        return gradebook_row(api, lesson_id, student, status_from(run, notes, _))
    except GradingTooLong:
        return GradeRow(student, lesson_id, 0.0, 0.0, "stopped: " + _(
            "grading this submission took longer than {seconds} s in all; it was stopped. Grade "
            "it again with more time: manabu grade {lesson} --budget SECONDS").format(
            seconds=_worker.get("budget", 0), lesson=lesson_id), False)
    except Exception as err:  # one bad submission never stops the class
        return GradeRow(student, lesson_id, 0.0, 0.0, f"failed: {err!r}"[:300], False)


class GradingTooLong(Exception):
    """One submission's whole grading (nbgrader's steps included) ran past its budget."""


class wall_clock:
    """Raise :class:`GradingTooLong` in this (main) thread after ``seconds`` (0: no budget)."""

    def __init__(self, seconds: float):
        import threading

        self.seconds = seconds if threading.current_thread() is threading.main_thread() else 0

    def __enter__(self):
        if self.seconds:
            def ring(signum, frame):
                raise GradingTooLong()
            self.old = signal.signal(signal.SIGALRM, ring)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc):
        if self.seconds:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old)
        return False


def repair_metadata(course_dir: Path, lesson_id: str, student: str) -> bool:
    """Give the submission the lesson's own grading metadata where the student changed it (a
    test made an answer, other points, a grade id used twice or made up), so nbgrader can grade
    it; the original is kept in the refused folder. True if anything was repaired."""
    path = submitted_notebook(course_dir, lesson_id, student)
    released = released_cells(course_dir, lesson_id)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        changed = released is not None and metadata_changes(nb["cells"], released)
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if not changed:
        return False
    theirs = {nbgrader_meta(c).get("grade_id"): c for c in released if nbgrader_meta(c)}
    keep = {}  # grade id -> the cell that keeps it: the one most like the released cell
    for index, cell in enumerate(nb["cells"]):
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in theirs and (grade_id not in keep or (
                cell_text(cell) == cell_text(theirs[grade_id])
                and cell_text(nb["cells"][keep[grade_id]]) != cell_text(theirs[grade_id]))):
            keep[grade_id] = index
    for index, cell in enumerate(nb["cells"]):
        meta = cell.get("metadata")
        if not isinstance(meta, dict) or "nbgrader" not in meta:
            continue
        grade_id = nbgrader_meta(cell).get("grade_id")
        if keep.get(grade_id) == index:
            meta["nbgrader"] = dict(theirs[grade_id]["metadata"]["nbgrader"])
        else:
            del meta["nbgrader"]  # a made-up or second copy: an ordinary cell of the student's
    kept = refused_folder(course_dir, lesson_id, student) / f"{lesson_id}.original.ipynb"
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, kept)
    write_atomic(path, json.dumps(nb, ensure_ascii=False, indent=1))
    return True


def refused_folder(course_dir: Path, lesson_id: str, student: str) -> Path:
    return course_dir / ".manabu" / "refused" / lesson_id / student


def quarantine_unsafe(course_dir: Path, lesson_id: str, student: str) -> list[str]:
    """Move symbolic links, hard-linked files, devices, FIFOs and sockets out of a submission
    folder (nbgrader would follow them into autograded/ and feedback/): nothing is lost, nothing
    outside the folder is ever read. Returns their names."""
    from autograder.grading.sandbox import unsafe_entries

    folder = course_dir / "submitted" / student / lesson_id
    if folder.is_symlink() or not folder.is_dir():
        return []
    names = unsafe_entries(folder)
    for name in names:
        target = refused_folder(course_dir, lesson_id, student) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(folder / name, target)  # moves the link itself, never what it points to
    return names


def status_from(run: dict, notes: list[str], _=lambda message: message) -> str:
    """The row status from the sandbox's run report and the preflight notes."""
    if run.get("problems"):
        return "stopped: " + "; ".join(run["problems"] + notes)
    flags = list(notes)
    if run.get("refused"):
        flags.insert(0, _("links or special files left out of the run: {names}").format(
            names=", ".join(run["refused"][:8])))
    return "flagged: " + "; ".join(flags) if flags else "ok"


def zero_row(api, lesson_id: str, student: str, status: str) -> GradeRow:
    with api.gradebook as gb:
        max_score = gb.find_assignment(lesson_id).max_score
    return GradeRow(student, lesson_id, 0.0, float(max_score), status, False)


def gradebook_row(api, lesson_id: str, student: str, status: str) -> GradeRow:
    """The gradebook's score for this submission. A read that fails (a busy database) is tried
    again, then becomes a ``failed:`` row, never a score of 0 that looks real."""
    error = None
    for wait in (0, 0.5, 1, 2):
        time.sleep(wait)
        try:
            with api.gradebook as gb:
                max_score = gb.find_assignment(lesson_id).max_score
                try:
                    sub = gb.find_submission(lesson_id, student)
                except MissingEntry:  # nbgrader never got this far
                    return GradeRow(student, lesson_id, 0.0, max_score, status, False)
                score, needs_manual = sub.score, bool(sub.needs_manual_grade)
            return GradeRow(student, lesson_id, float(score), float(max_score), status,
                            needs_manual)
        except Exception as err:  # sqlalchemy's errors: locked, disconnected, ...
            error = err
    _ = teacher_words(Path(api.coursedir.root))
    return GradeRow(student, lesson_id, 0.0, 0.0, "failed: " + _(
        "the gradebook could not be read ({error}); grade this submission again").format(
        error=repr(error)[:200]), False)


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
        """The saved result of an unchanged submission; a ``failed:`` row is never final."""
        saved = self.rows.get(student)
        if not saved or saved[0] != self.fingerprint(student) or saved[1].status.startswith(
                "failed"):
            return None
        return saved[1]

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
                 options: Options | None = None, pool: GradingPool | None = None) -> list[GradeRow]:
    """Grade every submission of ``lesson_id`` with a pool of long-lived workers (one per core by
    default, or ``pool``'s, made with the same options, to grade several lessons); return one row
    per student, sorted by student. Results already in the ledger for an unchanged submission
    are kept (``options.regrade`` grades everything again)."""
    from autograder.grading.sandbox import describe, isolation_level, refusal

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
    workers = pool.workers if pool else max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    if todo:
        log(_("Grading {n} submission(s) of {lesson} with {workers} worker(s)...").format(
            n=len(todo), lesson=lesson_id, workers=workers))

    def done(row: GradeRow) -> None:
        rows[row.student] = row
        ledger.record(row)
        write_grades(course_dir, lesson_id, sorted(rows.values(), key=lambda r: r.student))
        count = len(rows) - (len(students) - len(todo))
        log(f"[{count}/{len(todo)}] {row.student}: {row.score:g}/{row.max_score:g}  {row.status}")

    try:
        _run_pool(course_dir, lesson_id, todo, workers, options, done, pool)
    except KeyboardInterrupt:
        left = len(students) - len(rows)
        log("\n" + _("Stopped. {saved} of {total} result(s) are saved; {left} not graded yet. "
                     "Run the same command again to grade the rest.").format(
            saved=len(rows), total=len(students), left=left))
        raise
    result = sorted(rows.values(), key=lambda r: r.student)
    write_grades(course_dir, lesson_id, result)
    summary = {}
    for row in result:
        kind = row.kind
        summary[kind] = summary.get(kind, 0) + 1
    parts = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.items(), key=lambda item: severity(item[0])))
    log(_("Graded {n} submission(s) of {lesson}: {parts}. Grades: {csv}; feedback: "
          "{feedback}.").format(n=len(result), lesson=lesson_id, parts=parts,
                                csv=course_dir / CSV_NAME, feedback=course_dir / "feedback"))
    if any(row.status != "ok" for row in result):
        log(_("Rows not 'ok' say what happened and what to do; see them all with: manabu "
              "report --course {course}").format(course=course_dir))
    return result


class GradingPool:
    """Long-lived grading workers for one course: each keeps its nbgrader API and its judge warm
    from one submission to the next, also from one lesson to the next (pass the pool to
    :func:`grade_lesson` for each lesson). One worker grades in this process."""

    def __init__(self, course_dir: Path, workers: int, options: Options):
        self.course_dir, self.workers, self.options = Path(course_dir), workers, options
        self.executor = None
        if workers == 1:
            _start_worker(str(self.course_dir), options, quiet_signals=False)
        else:
            context = multiprocessing.get_context("spawn")  # no inherited threads or sockets
            self.executor = ProcessPoolExecutor(workers, mp_context=context,
                                                initializer=_start_worker,
                                                initargs=(str(self.course_dir), options))

    def grade(self, lesson_id: str, todo: list[str], done) -> None:
        """Grade ``todo`` (students), calling ``done(row)`` as each result comes in."""
        if self.executor is None:
            for student in todo:
                done(grade_one(str(self.course_dir), lesson_id, student))
            return
        try:
            futures = [self.executor.submit(grade_one, str(self.course_dir), lesson_id, s)
                       for s in todo]
            for future in as_completed(futures):
                done(future.result())
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop at once: the workers, and with them their sandboxes."""
        if self.executor is not None:
            for process in list(getattr(self.executor, "_processes", {}).values()):
                process.terminate()
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.executor is not None:
            self.executor.shutdown()
        return False


def _run_pool(course_dir: Path, lesson_id: str, todo: list[str], workers: int,
              options: Options, done, pool: GradingPool | None = None) -> None:
    if not todo:
        return
    if pool is not None:
        pool.grade(lesson_id, todo, done)
        return
    with GradingPool(course_dir, workers, options) as own:
        own.grade(lesson_id, todo, done)
