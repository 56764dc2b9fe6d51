"""``manabu demo``: the whole teacher cycle, headless, on a simulated class."""

from __future__ import annotations

from pathlib import Path

import nbformat

from autograder.build.builder import build_course
from autograder.gradescsv import CSV_NAME, kind_word, parse_status
from autograder.grading.grade import grade_lesson
from autograder.grading.submissions import answer_cells, fill_answers, read_versions, submit
from autograder.paths import on_school_hub
from autograder.report.class_report import make_report
from course.i18n import translator

DEMO_LESSON = "e03"


def simulated_class(teacher_nb, student_nb) -> dict[str, str]:
    """{student: notebook text}: right, partly right, blank and broken submissions."""
    answers = answer_cells(teacher_nb)
    code_ids = [gid for gid in answers if not gid.endswith("reflect")]
    half = {gid: answers[gid] for gid in code_ids[::2]}
    return {
        "aoi": nbformat.writes(fill_answers(student_nb, answers)),            # all right
        "haruto": nbformat.writes(fill_answers(student_nb, half)),            # partly right
        "yui": nbformat.writes(student_nb),                                   # blank
        "sota": nbformat.writes(student_nb)[:-200],                           # broken file
    }


def run_demo(course_dir: Path, lang: str = "en", log=print) -> list:
    """Build, submit, grade, make feedback and grades.csv; print a class summary."""
    _ = translator(lang)
    log(_("1. Build the lesson {lesson}").format(lesson=DEMO_LESSON))
    report = build_course(course_dir, lang, [DEMO_LESSON], log=log)
    course_dir = report.course
    log(_("2. Four students submit (right, partly right, blank, broken)"))
    teacher_nb, student_nb = read_versions(course_dir, DEMO_LESSON)
    for student, text in simulated_class(teacher_nb, student_nb).items():
        submit(course_dir, student, DEMO_LESSON, text)
    log(_("3. Grade and make feedback"))
    rows = grade_lesson(DEMO_LESSON, course_dir, log=log)
    log("")
    log(_("Class summary for {lesson}").format(lesson=DEMO_LESSON))
    log(f"  {_('student'):<10} {_('score'):>7}  {_('status')}")
    for row in rows:
        manual = "  " + _("(written answer to grade)") if row.needs_manual else ""
        kind, reason = parse_status(row.status)  # grades.csv keeps the English word; say it in ours
        status = kind_word(kind, _) + (_(": ") + reason if reason else "")
        log(f"  {row.student:<10} {row.score:>3g}/{row.max_score:<3g}  {status}{manual}")
    graded = [r for r in rows if r.graded]
    if graded:
        mean = sum(r.score for r in graded) / len(graded)
        log(_("Average of {n} graded: {mean:.1f} of {max:g} points.").format(
            n=len(graded), mean=mean, max=rows[0].max_score))
    log("")
    log(_("4. The class report"))
    make_report(course_dir, [DEMO_LESSON], log=log)
    log(_("Next: grades are in {csv}, feedback in {feedback}.").format(
        csv=course_dir / CSV_NAME, feedback=course_dir / "feedback") + " " + grading_hint(_))
    return rows


def grading_hint(_) -> str:
    """Where the written answers are graded: in the class's Formgrader on the school hub, else in
    the one `make lab` opens."""
    if on_school_hub():
        return _("Grade the written answers in the Formgrader (Manage Assignments).")
    return _("Grade the written answers in the Formgrader (make lab).")
