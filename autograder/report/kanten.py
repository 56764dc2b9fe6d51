"""観点別 results: each student's A/B/C for the three 観点 of Japanese report cards, across lessons.

Every graded cell of a lesson names its 観点 in its metadata (``manabu: {kanten: thinking}``):
``knowledge`` (知識・技能), ``thinking`` (思考・判断・表現) or ``attitude`` (主体的に学習に取り組む
態度). Per student and 観点, the points earned on those cells (autograded tests, and the
teacher's scores for written answers, from the gradebook) are divided by their points: A at or
above the A threshold (default 80 %), B at or above the B threshold (default 50 %), else C.
A written answer the teacher has not graded yet is left out and counted as "not yet graded",
never as 0. The class report shows the table; ``manabu report --kanten-csv FILE`` writes it as a
CSV to paste into a school's 通知表 tools.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from autograder.courseconfig import Manabu
from autograder.grading.csvcells import neutralize

KANTEN = ("knowledge", "thinking", "attitude")


def kanten_labels(_) -> dict[str, str]:
    """The 観点 names in the course language."""
    return {"knowledge": _("Knowledge and skills"),
            "thinking": _("Thinking, judgement and expression"),
            "attitude": _("Attitude towards learning")}


def cell_kanten(cell) -> str | None:
    """The 観点 named in a cell's metadata (``manabu: {kanten: ...}``), or None."""
    meta = cell.get("metadata", {}).get("manabu")
    return meta.get("kanten") if isinstance(meta, dict) else None


def kanten_problems(nb) -> list[str]:
    """What is wrong with the 観点 of a lesson's graded cells (a value that is not one of three)."""
    problems = []
    for index, cell in enumerate(nb.cells):
        value = cell_kanten(cell)
        if value is not None and value not in KANTEN:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id", "?")
            problems.append(f"cell {index + 1} ({gid}): kanten {value!r} is not one of "
                            f"{', '.join(KANTEN)}")
    return problems


def kanten_map(nb) -> dict[str, str]:
    """{grade id: 観点} of the graded cells of a notebook."""
    found = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell_kanten(cell):
            found[meta["grade_id"]] = cell_kanten(cell)
    return found


@dataclass
class Thresholds:
    """The teacher's lower bounds, in percent: A at or above ``a``, B at or above ``b``."""

    a: float = Manabu.class_traits()["kanten_a"].default_value
    b: float = Manabu.class_traits()["kanten_b"].default_value

    def letter(self, percent: float) -> str:
        return "A" if percent >= self.a - 1e-9 else "B" if percent >= self.b - 1e-9 else "C"


def thresholds(course_dir: Path, a: float | None = None, b: float | None = None) -> Thresholds:
    """The thresholds: ``a``/``b`` if given, else the course config's ``c.Manabu.kanten_a`` /
    ``c.Manabu.kanten_b``, else 80 and 50; a CourseError if they make no sense."""
    from autograder.courseconfig import course_settings
    from autograder.paths import CourseError

    settings = course_settings(course_dir)  # a value that is not a number is refused there
    a_value = float(a if a is not None else settings.kanten_a)
    b_value = float(b if b is not None else settings.kanten_b)
    if not 0 <= b_value <= a_value <= 100:
        raise CourseError(f"The A/B thresholds {a_value:g} % / {b_value:g} % do not fit: use "
                          "0 <= B <= A <= 100, e.g. --kanten-a 80 --kanten-b 50.")
    return Thresholds(a_value, b_value)


@dataclass
class StudentKanten:
    """One student's points per 観点, and what was left out."""

    student: str
    name: str = ""
    earned: dict[str, float] = field(default_factory=lambda: dict.fromkeys(KANTEN, 0.0))
    possible: dict[str, float] = field(default_factory=lambda: dict.fromkeys(KANTEN, 0.0))
    pending: list[str] = field(default_factory=list)     # "e03-reflect": written, not yet graded
    pending_names: list[str] = field(default_factory=list)  # the same, as the lesson names them
    left_out: list[str] = field(default_factory=list)    # lessons whose submission was not graded

    def percent(self, kanten: str) -> float | None:
        possible = self.possible[kanten]
        return 100 * self.earned[kanten] / possible if possible else None


@dataclass
class KantenTable:
    """The class's 観点別 results and the notes on what could not be read."""

    students: list[StudentKanten]
    thresholds: Thresholds
    lessons: list[str]
    notes: list[tuple[str, dict]] = field(default_factory=list)  # (message template, values)
    unmarked: list[str] = field(default_factory=list)  # graded cells with no 観点 ("e03-ex1-check")


def source_kanten(course_dir: Path, lesson: str) -> dict[str, str]:
    """{grade id: 観点} from the lesson's built source notebook ({} if there is none)."""
    import nbformat

    path = course_dir / "source" / lesson / f"{lesson}.ipynb"
    if not path.exists():
        return {}
    return kanten_map(nbformat.read(path, as_version=4))


def kanten_table(course_dir: Path, rows, lessons: list[str], limits: Thresholds, _) -> KantenTable:
    """The 観点別 table of the students in ``rows`` (grades.csv rows) over ``lessons``."""
    from autograder.build.nbconfig import nbgrader_api

    table = KantenTable([], limits, lessons)
    students: dict[str, StudentKanten] = {}
    for row in sorted(rows, key=lambda r: r.student):
        if row.lesson in lessons:
            students.setdefault(row.student, StudentKanten(row.student))
    table.students = list(students.values())
    try:
        with nbgrader_api(course_dir).gradebook as gb:
            for lesson in lessons:
                _add_lesson(gb, course_dir, lesson, [r for r in rows if r.lesson == lesson],
                            students, table, _)
            for entry in table.students:
                try:
                    person = gb.find_student(entry.student)
                    entry.name = " ".join(p for p in (person.last_name, person.first_name) if p)
                except Exception:  # not in the roster: the id is all we have
                    pass
    except Exception as err:  # a broken gradebook must not cost the rest of the report
        error = (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
        table.notes.append((_("Could not read the gradebook ({error}), so the 観点 results are left "
                              "out. Check it, or grade again."), {"error": error}))
    return table


def _add_lesson(gb, course_dir: Path, lesson: str, rows, students, table: KantenTable, _) -> None:
    from nbgrader.api import MissingEntry

    from autograder.report.class_report import exercise_names, readable_name, submitted_grades

    marks = source_kanten(course_dir, lesson)
    _title, names = exercise_names(course_dir / "source" / lesson / f"{lesson}.ipynb")
    try:
        assignment = gb.find_assignment(lesson)
    except MissingEntry:
        table.notes.append((_("The gradebook has nothing for lesson {lesson}: it is left out."),
                            {"lesson": lesson}))
        return
    graded_ids = [c.name for n in assignment.notebooks for c in n.grade_cells]
    missing = [gid for gid in graded_ids if gid not in marks]
    table.unmarked += missing
    if missing:
        table.notes.append((_("Lesson {lesson} has graded cells without a 観点 ({ids}): build it "
                              "again with this Manabu ({command}), then make the report again."),
                            {"lesson": lesson, "ids": ", ".join(missing),
                             "command": f"manabu build --course {course_dir} {lesson}"}))
    for row in rows:
        entry = students[row.student]
        if not row.graded:
            entry.left_out.append(lesson)
            continue
        for _notebook, grade in submitted_grades(gb, assignment, lesson, row.student):
            kanten = marks.get(grade.name)
            if kanten is None:
                continue
            if grade.manual_score is None and grade.auto_score is None:
                entry.pending.append(grade.name)  # the teacher has not graded it: not a 0
                entry.pending_names.append(f"{lesson} {readable_name(grade.name, names, _)}")
                continue
            points = float(grade.max_score)
            entry.earned[kanten] += min(float(grade.score), points)
            entry.possible[kanten] += points


def cell_text(entry: StudentKanten, kanten: str, limits: Thresholds) -> tuple[str, str]:
    """(letter, percent) of one student and 観点, "–" for both when nothing counted yet."""
    percent = entry.percent(kanten)
    if percent is None:
        return "–", "–"
    return limits.letter(percent), f"{percent:.0f}"


def kanten_csv(table: KantenTable, _) -> str:
    """The table as CSV text (UTF-8 with a BOM so Excel reads Japanese): one row per student,
    a letter and a percentage per 観点, and the items not yet graded."""
    labels = kanten_labels(_)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = [_("student"), _("name")]
    for kanten in KANTEN:
        header += [labels[kanten], _("{kanten} (%)").format(kanten=labels[kanten])]
    writer.writerow(header + [_("not yet graded (not counted)"), _("lessons not graded")])
    for entry in table.students:
        line = [entry.student, entry.name]
        for kanten in KANTEN:
            line += list(cell_text(entry, kanten, table.thresholds))
        line += [" ".join(entry.pending), " ".join(entry.left_out)]
        writer.writerow([neutralize(v) for v in line])
    return "\ufeff" + out.getvalue()
