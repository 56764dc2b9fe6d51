"""``manabu grade``: autograde every submission of a lesson, make feedback, write grades.csv.

This is plain nbgrader under the hood, one student after another; a problem with one
submission becomes that student's status and never stops the class.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

from autograder.build import nbgrader_error
from autograder.nbconfig import CONFIG_NAME, nbgrader_api
from autograder.paths import CourseError, usable_course_dir, write_atomic

CSV_NAME = "grades.csv"
FIELDS = ["student", "lesson", "score", "max_score", "status", "needs_manual"]


@dataclass
class GradeRow:
    student: str
    lesson: str
    score: float
    max_score: float
    status: str          # "ok" or a short reason
    needs_manual: bool   # written answers wait for the teacher


def find_submissions(course_dir: Path, lesson_id: str) -> list[str]:
    """Students who have a submitted/<student>/<lesson>/ folder."""
    root = course_dir / "submitted"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / lesson_id).is_dir())


def preflight(course_dir: Path, lesson_id: str, student: str) -> str:
    """'ok', or why this submission cannot be graded as it is."""
    path = course_dir / "submitted" / student / lesson_id / f"{lesson_id}.ipynb"
    if not path.exists():
        return f"missing notebook: {lesson_id}.ipynb was not submitted"
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return "broken notebook: not valid JSON; ask the student to submit again"
    return "ok"


_worker = {}  # the nbgrader API of this (worker) process, made once per process


def _start_worker(course_dir: str) -> None:
    import warnings

    warnings.filterwarnings("ignore", module="nbgrader|sqlalchemy")
    _worker["api"] = nbgrader_api(Path(course_dir))


def grade_one(course_dir: str, lesson_id: str, student: str) -> GradeRow:
    """Autograde and make feedback for one submission (in a worker); never raises."""
    api = _worker.get("api") or nbgrader_api(Path(course_dir))
    status = preflight(Path(course_dir), lesson_id, student)
    try:
        if status == "ok":
            result = api.autograde(lesson_id, student, force=True, create=True)
            for wait in (1, 2, 4):  # another worker held the SQLite gradebook: try again
                if result.get("success") or "locked" not in nbgrader_error(result):
                    break
                time.sleep(wait)
                result = api.autograde(lesson_id, student, force=True, create=True)
            if result.get("success"):
                api.generate_feedback(lesson_id, student)
            else:
                status = "grading failed: " + nbgrader_error(result)
        return gradebook_row(api, lesson_id, student, status)
    except Exception as err:  # one bad submission never stops the class
        return GradeRow(student, lesson_id, 0.0, 0.0, f"grading failed: {err!r}"[:200], False)


def grade_lesson(lesson_id: str, course_dir: Path, log=print, workers: int | None = None) -> list[GradeRow]:
    """Grade every submission of ``lesson_id`` with a pool of long-lived workers (one per core by
    default); return one row per student, sorted by student."""
    course_dir = usable_course_dir(course_dir, must_exist=True)
    if not (course_dir / CONFIG_NAME).exists():
        raise CourseError(f"{course_dir} is not a Manabu course (no {CONFIG_NAME}). "
                          f"Build it first: manabu build --course {course_dir}")
    if not (course_dir / "source" / lesson_id).is_dir():
        raise CourseError(f"Lesson {lesson_id!r} is not built in {course_dir}. "
                          f"Build it first: manabu build --course {course_dir} {lesson_id}")
    students = find_submissions(course_dir, lesson_id)
    if not students:
        log(f"No submissions of {lesson_id} in {course_dir / 'submitted'}. Collect them first "
            f"(Formgrader → Manage Assignments → Collect, or: nbgrader collect {lesson_id}).")
        return []
    workers = max(1, min(workers or os.cpu_count() or 1, len(students)))
    log(f"Grading {len(students)} submission(s) of {lesson_id} with {workers} worker(s)...")
    rows = []

    def done(row: GradeRow) -> None:
        rows.append(row)
        log(f"[{len(rows)}/{len(students)}] {row.student}: {row.score:g}/{row.max_score:g}  {row.status}")

    if workers == 1:
        _start_worker(str(course_dir))
        for student in students:
            done(grade_one(str(course_dir), lesson_id, student))
    else:
        context = multiprocessing.get_context("spawn")  # no inherited threads or sockets
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                 initargs=(str(course_dir),)) as pool:
            futures = [pool.submit(grade_one, str(course_dir), lesson_id, s) for s in students]
            for future in as_completed(futures):
                done(future.result())
    rows.sort(key=lambda r: r.student)
    write_grades_csv(course_dir, lesson_id, rows)
    ok = sum(r.status == "ok" for r in rows)
    log(f"Graded {len(rows)} submission(s) of {lesson_id}: {ok} ok, {len(rows) - ok} with problems. "
        f"Grades: {course_dir / CSV_NAME}; feedback: {course_dir / 'feedback'}.")
    return rows


def gradebook_row(api, lesson_id: str, student: str, status: str) -> GradeRow:
    with api.gradebook as gb:
        max_score = gb.find_assignment(lesson_id).max_score
        try:
            sub = gb.find_submission(lesson_id, student)
        except Exception:  # nbgrader raises MissingEntry when it never got this far
            return GradeRow(student, lesson_id, 0.0, max_score, status, False)
        score, needs_manual = sub.score, bool(sub.needs_manual_grade)
    return GradeRow(student, lesson_id, float(score), float(max_score), status, needs_manual)


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
