"""The ``grades.csv`` contract: its columns, the status kinds, and reading and writing it.

``manabu grade`` writes one row per student and lesson; the class report, the 観点 table, the
OneRoster export, the demo and any spreadsheet or LMS read it. A status is ``ok`` or
``<kind>: <reason>``; the kind stays English in the file (spreadsheets sort and filter on it),
the reason is in the course language. Kinds, most serious first:

- ``failed``: grading itself failed (not graded, 0)
- ``broken`` / ``missing``: the submission could not be opened / was not submitted (not graded, 0)
- ``stopped``: a time budget or the student's process ended (graded for what ran)
- ``flagged``: graded, but look at it (test cells put back, metadata changed, links refused)
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from pathlib import Path

from autograder.grading.csvcells import neutralize, unneutralize
from autograder.paths import CourseError, write_atomic

CSV_NAME = "grades.csv"
FIELDS = ("student", "lesson", "score", "max_score", "status", "needs_manual",
          "late")  # new columns go at the end: older readers keep working
REQUIRED = FIELDS[:6]  # a grades.csv from before deadlines has no `late`
KINDS = ("failed", "broken", "missing", "stopped", "flagged")  # most serious first
GRADED_KINDS = ("ok", "stopped", "flagged")  # scored (stopped: for what ran)
OTHER = "other"  # a status this version does not know: shown as it is
YES = ("yes", "true", "1")


@dataclass
class GradeRow:
    """One row as the grader makes it (the ``late`` column is added when it is written)."""

    student: str
    lesson: str
    score: float
    max_score: float
    status: str          # "ok" or "<kind>: <reason>"
    needs_manual: bool   # written answers wait for the teacher

    @property
    def kind(self) -> str:
        return parse_status(self.status)[0]

    @property
    def graded(self) -> bool:
        return is_graded(self.kind, self.max_score)


@dataclass
class Row:
    """One row as a reader gets it back: the status split into kind and reason."""

    student: str
    lesson: str
    score: float
    max_score: float
    kind: str          # "ok", one of KINDS, or OTHER
    reason: str        # the grader's words for the teacher ("" when ok)
    needs_manual: bool
    late: bool | None = None  # None: no late column (grades.csv from before deadlines)

    @property
    def graded(self) -> bool:
        return is_graded(self.kind, self.max_score)

    @property
    def share(self) -> float:
        """Score as a fraction of the points (0 when not graded)."""
        return self.score / self.max_score if self.max_score > 0 else 0.0


def is_graded(kind: str, max_score: float) -> bool:
    """Whether a row with this status kind carries a real score."""
    return kind in GRADED_KINDS and max_score > 0


def parse_status(status: str) -> tuple[str, str]:
    """(kind, reason) of a grades.csv status: ``"ok"`` or ``"<kind>: <reason>"``.

    >>> parse_status("stopped: the time budget ran out")
    ('stopped', 'the time budget ran out')
    >>> parse_status("ok")
    ('ok', '')
    """
    text = status.strip()
    if text.lower() == "ok":
        return "ok", ""
    head, _sep, reason = text.partition(":")
    words = head.strip().lower().split()
    for kind in KINDS:  # "flagged: ...", also older wording like "broken notebook: ..."
        if kind in words:
            return kind, reason.strip()
    return OTHER, text


def severity(kind: str) -> int:
    """Sort key of a kind: ``ok`` first, then most serious first, unknown kinds last.

    >>> sorted(["flagged", "ok", "failed", "other"], key=severity)
    ['ok', 'failed', 'flagged', 'other']
    """
    return -1 if kind == "ok" else KINDS.index(kind) if kind in KINDS else len(KINDS)


def kind_word(kind: str, _) -> str:
    """A status kind ("ok", "broken", ...) in the teacher's language (the file keeps the English
    word, which spreadsheets sort on)."""
    labels = {"ok": _("graded"), "flagged": _("flagged"), "stopped": _("stopped early"),
              "broken": _("broken file"), "missing": _("not submitted"),
              "failed": _("grading failed"), OTHER: _("other problem")}
    return labels.get(kind, kind)


def read_grades(course_dir: Path, _=str) -> list[Row]:
    """The rows of ``course_dir/grades.csv``; a clear :class:`CourseError` (in the language of
    ``_``) if there are none."""
    path = course_dir / CSV_NAME
    command = f"manabu grade LESSON --course {course_dir}"
    first_step = _("Grade a lesson first: {command}").format(command=command)
    if not path.exists():
        raise CourseError(_("No grades yet: {path} does not exist.").format(path=path) + " "
                          + first_step)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise CourseError(_("{path} has no column {missing}: it needs the columns {columns}. "
                                "Make it again: {command}").format(
                path=path, missing=", ".join(missing), columns=", ".join(REQUIRED),
                command=command))
        rows = [_read_row(raw, line, path, course_dir, _)
                for line, raw in enumerate(reader, start=2)]
    if not rows:
        raise CourseError(_("No grades yet: {path} has no rows.").format(path=path) + " "
                          + first_step)
    return rows


def _read_row(raw: dict, line: int, path: Path, course_dir: Path, _) -> Row:
    raw = {k: unneutralize(v) if isinstance(v, str) else v for k, v in raw.items()}
    try:
        score, max_score = float(raw["score"]), float(raw["max_score"])
    except (TypeError, ValueError):
        raise CourseError(_("{path}, line {line}: score {score} / max_score {max_score} is not a "
                            "number. Fix the line, or make the file again: {command}").format(
            path=path, line=line, score=repr(raw["score"]), max_score=repr(raw["max_score"]),
            command=f"manabu grade {raw['lesson']} --course {course_dir}")) from None
    kind, reason = parse_status(raw["status"] or "")
    late = (raw.get("late") or "").strip().lower()
    return Row(raw["student"], raw["lesson"], score, max_score, kind, reason,
               (raw["needs_manual"] or "").strip().lower() in YES, late in YES if late else None)


def write_grades(course_dir: Path, lesson_id: str, rows: list[GradeRow]) -> Path:
    """Merge ``rows`` into grades.csv, replacing this lesson's old rows and keeping the others;
    the ``late`` column comes from the lesson's deadlines."""
    from autograder.school.deadlines import late_columns

    path = course_dir / CSV_NAME
    keep = []
    if path.exists():
        with path.open(encoding="utf-8", newline="") as handle:
            keep = [r for r in csv.DictReader(handle) if r.get("lesson") != lesson_id]
    late = late_columns(course_dir, lesson_id, [r.student for r in rows])
    new = [{**asdict(r), "needs_manual": "yes" if r.needs_manual else "no",
            "late": late[r.student]} for r in rows]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in sorted(keep + new, key=lambda r: (r["lesson"], r["student"])):
        writer.writerow({k: neutralize(row.get(k, "")) for k in FIELDS})
    write_atomic(path, out.getvalue())
    return path
