"""``manabu report``: a class report for the teacher, made from ``grades.csv`` and the gradebook.

One self-contained HTML file (plots inline as PNG), in the course language: per lesson the
score distribution, the share of students with full points on each exercise (the hardest
marked), the students who need help, and the submissions with a problem, each section with
a line saying what to do next. The page itself is drawn by :mod:`autograder.report.report_html`.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from autograder.gradescsv import Row, read_grades, severity
from autograder.paths import CourseError, write_atomic


@dataclass
class Exercise:
    """One autograded test cell: how many graded students got its full points."""

    grade_id: str
    name: str
    points: float
    full: int = 0
    graded: int = 0

    @property
    def rate(self) -> float | None:
        return self.full / self.graded if self.graded else None


@dataclass
class LessonReport:
    """Everything the report says about one lesson."""

    lesson: str
    title: str
    rows: list[Row]
    exercises: list[Exercise] | None = None   # None: no gradebook entries to read
    # why exercises is None: (message template, values); "path" and "command" values are code
    gradebook_note: tuple[str, dict] = ("", {})
    hardest: list[Exercise] = field(default_factory=list)

    @property
    def graded(self) -> list[Row]:
        return [r for r in self.rows if r.graded]

    @property
    def mean(self) -> float | None:
        shares = [r.share for r in self.graded]
        return statistics.fmean(shares) if shares else None

    @property
    def median(self) -> float | None:
        shares = [r.share for r in self.graded]
        return statistics.median(shares) if shares else None

    @property
    def need_help(self) -> list[Row]:
        """Students scoring below half, or whose submission has any problem (lowest first)."""
        rows = [r for r in self.rows if r.kind != "ok" or r.share < 0.5]
        return sorted(rows, key=lambda r: (r.share, r.student))

    @property
    def problems(self) -> list[Row]:
        return sorted((r for r in self.rows if r.kind != "ok"),
                      key=lambda r: (severity(r.kind), r.student))

    @property
    def manual(self) -> list[Row]:
        return [r for r in self.rows if r.needs_manual]


HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def exercise_names(notebook_path: Path) -> tuple[str, dict[str, str]]:
    """(lesson title, {grade id: readable name}) from a lesson's source notebook: a test cell is
    named by the heading above its answer cell ("Exercise 3: two traffic lights")."""
    import nbformat

    if not notebook_path.exists():
        return "", {}
    nb = nbformat.read(notebook_path, as_version=4)
    title = str(nb.metadata.get("manabu", {}).get("title", ""))
    names, heading = {}, ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = HEADING.findall(cell.source)
            if found:
                heading = re.sub(r"[*_`]", "", found[-1]).strip()
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid and heading:
            names.setdefault(gid, heading)
    return title, names


def readable_name(grade_id: str, names: dict[str, str], _) -> str:
    base = grade_id.removesuffix("-check")
    if names.get(base) or names.get(grade_id):
        return names.get(base) or names[grade_id]
    number = re.search(r"ex(\d+)", grade_id)
    return _("Exercise {n}").format(n=number.group(1)) if number else grade_id


def exercise_stats(course_dir: Path, lesson: str, rows: list[Row], names: dict[str, str], _
                   ) -> tuple[list[Exercise] | None, tuple[str, dict]]:
    """Per autograded test cell, how many graded students got its full points (from the
    gradebook); ``(None, why)`` when the gradebook has nothing for this lesson."""
    from autograder.build.nbconfig import nbgrader_api

    grade_command = f"manabu grade {lesson} --course {course_dir}"
    api = nbgrader_api(course_dir)
    db_url = api.coursedir.db_url
    if db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///"):]).exists():
        return None, (_("No gradebook at {path}: to fill it, run {command}"),
                      {"path": db_url[len("sqlite:///"):], "command": grade_command})
    try:
        return count_full_points(api, lesson, rows, names, _, grade_command)
    except Exception as err:  # a broken or unreachable database must not cost the rest of the report
        error = (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
        return None, (_("Could not read the gradebook ({error}), so the exercises are left out. "
                        "Check it, or grade again: {command}"), {"error": error, "command": grade_command})


def count_full_points(api, lesson: str, rows: list[Row], names: dict[str, str], _, grade_command: str
                      ) -> tuple[list[Exercise] | None, tuple[str, dict]]:
    from nbgrader.api import MissingEntry

    with api.gradebook as gb:
        try:
            assignment = gb.find_assignment(lesson)
        except MissingEntry:
            return None, (_("The gradebook has nothing for lesson {lesson}: run {command}"),
                          {"lesson": lesson, "command": grade_command})
        exercises: dict[tuple[str, str], Exercise] = {}
        for notebook in assignment.notebooks:
            for cell in notebook.grade_cells:
                if cell.cell_type == "code":  # autograded tests; written answers wait for the teacher
                    exercises[(notebook.name, cell.name)] = Exercise(
                        cell.name, readable_name(cell.name, names, _), float(cell.max_score))
        for row in rows:
            if not row.graded:
                continue
            for notebook, grade in submitted_grades(gb, assignment, lesson, row.student):
                exercise = exercises.get((notebook, grade.name))
                if exercise is not None:
                    exercise.graded += 1
                    exercise.full += bool(grade.score is not None and grade.max_score > 0
                                          and grade.score >= grade.max_score)
    return list(exercises.values()), ("", {})


def submitted_grades(gb, assignment, lesson: str, student: str):
    """(notebook name, nbgrader Grade) of every grade of ``student``'s submission of ``lesson``
    in the gradebook ``gb`` (notebooks never submitted are skipped)."""
    from nbgrader.api import MissingEntry

    for notebook in assignment.notebooks:
        try:
            submitted = gb.find_submission_notebook(notebook.name, lesson, student)
        except MissingEntry:
            continue
        for grade in submitted.grades:
            yield notebook.name, grade


def hardest(exercises: list[Exercise]) -> list[Exercise]:
    """The exercise(s) with the lowest full-points share, unless everyone got everything."""
    rated = [e for e in exercises if e.rate is not None]
    if not rated:
        return []
    low = min(e.rate for e in rated)
    return [] if low >= 1.0 else [e for e in rated if e.rate == low]


def catalog_title(lesson: str, lang: str) -> str:
    """The lesson's title from the catalog ("" for a lesson Manabu does not know)."""
    from course.catalog import LessonError, find_lesson

    try:
        return find_lesson(lesson, lang).title
    except LessonError:
        return ""


def lesson_reports(course_dir: Path, lessons: list[str] | None, lang: str) -> list[LessonReport]:
    from course.i18n import translator

    _ = translator(lang)
    rows = read_grades(course_dir, _)
    known = sorted({r.lesson for r in rows})
    for lesson in lessons or []:
        if lesson not in known:
            from autograder.paths import mistyped_lesson_hint

            hint = mistyped_lesson_hint(course_dir, lesson, known)  # no advice to grade a typo
            raise CourseError(_("grades.csv has no grades for lesson {lesson} (it has: {known}).")
                              .format(lesson=repr(lesson), known=", ".join(known)) + " "
                              + (hint or _("Grade it first: {command}").format(
                                  command=f"manabu grade {lesson} --course {course_dir}")))
    reports = []
    for lesson in lessons or known:
        title, names = exercise_names(course_dir / "source" / lesson / f"{lesson}.ipynb")
        title = title or catalog_title(lesson, lang)
        mine = sorted((r for r in rows if r.lesson == lesson), key=lambda r: r.student)
        report = LessonReport(lesson, title, mine)
        report.exercises, report.gradebook_note = exercise_stats(course_dir, lesson, mine, names, _)
        report.hardest = hardest(report.exercises or [])
        reports.append(report)
    return reports


def summary_line(report: LessonReport, _) -> str:
    """One line per lesson for the terminal."""
    parts = [_("{lesson}: {n} student(s), {graded} graded").format(
        lesson=report.lesson, n=len(report.rows), graded=len(report.graded))]
    if report.mean is not None:
        parts.append(_("average {mean:.0f}%").format(mean=100 * report.mean))
    if report.hardest:
        parts.append(_("hardest: {name} ({rate:.0f}% full points)").format(
            name=report.hardest[0].name, rate=100 * report.hardest[0].rate))
    parts.append(_("{n} need help").format(n=len(report.need_help)))
    parts.append(_("{n} with a problem").format(n=len(report.problems)))
    return _(", ").join(parts)


def make_report(course_dir: Path, lessons: list[str] | None = None, out: Path | None = None,
                log=print, kanten_csv: Path | None = None, kanten_a: float | None = None,
                kanten_b: float | None = None) -> Path:
    """Write the class report of ``course_dir`` and return its path; the 観点別 CSV goes to
    ``kanten_csv`` (default ``reports/kanten.csv``), with the A/B thresholds given (percent) or
    the course's."""
    from autograder.build.nbconfig import built_course_dir, course_language
    from autograder.report.kanten import kanten_csv as kanten_text
    from autograder.report.kanten import kanten_table, thresholds
    from autograder.report.report_html import report_html
    from course.i18n import translator

    course_dir = built_course_dir(course_dir)
    lang = course_language(course_dir)
    _ = translator(lang)
    limits = thresholds(course_dir, kanten_a, kanten_b)  # checked before any work
    reports = lesson_reports(course_dir, lessons, lang)
    log(_("Making the class report of {n} lesson(s)...").format(n=len(reports)))
    out = Path(out) if out else course_dir / "reports" / "class-report.html"
    table = kanten_table(course_dir, read_grades(course_dir), [r.lesson for r in reports], limits, _)
    write_atomic(out, report_html(reports, course_dir, lang, kanten=table))
    kanten_csv = Path(kanten_csv) if kanten_csv else course_dir / "reports" / "kanten.csv"
    write_atomic(kanten_csv, kanten_text(table, _))
    for report in reports:
        log("  " + summary_line(report, _))
        if report.exercises is None:  # say why there are no exercise rates
            log("    " + report.gradebook_note[0].format(**report.gradebook_note[1]))
    log(_("Class report: {path}").format(path=out.absolute()))
    log(_("Results by 観点 (A/B/C, for the 通知表): {path}").format(path=kanten_csv.absolute()))
    return out
