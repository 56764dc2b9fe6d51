"""The ``manabu deadline`` command: ``set``, ``extend`` and ``status`` (see :mod:`autograder.school.deadlines`)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_deadline_parser(sub, func, course_arg) -> None:
    """Add ``manabu deadline set|extend|status`` to the ``manabu`` parser."""
    text = "Due times per lesson in the school's time zone, extensions, who has not submitted."
    p = sub.add_parser("deadline", help=text, description=text)
    actions = p.add_subparsers(dest="deadline_command", required=True, metavar="ACTION")

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        a = actions.add_parser(name, help=help_text, description=help_text)
        a.set_defaults(func=func)
        a.add_argument("lesson", metavar="LESSON", help="the lesson id, e.g. e03")
        return a

    a = action("set", "Set a lesson's due time for this course (one class).")
    a.add_argument("time", metavar="TIME", help='e.g. "2026-12-10 15:30", in the school\'s time zone')
    course_arg(a)
    a.add_argument("--tz", metavar="ZONE", help="the school's time zone, recorded in the course "
                   "(default: the course's, else Asia/Tokyo)")
    a = action("extend", "Give one student a later due time for a lesson.")
    a.add_argument("student", metavar="STUDENT", help="the student's user name")
    a.add_argument("time", metavar="TIME", help='the new due time, e.g. "2026-12-12 15:30"')
    course_arg(a)
    a = action("status", "Show the due time, who has not submitted and who was late.")
    course_arg(a)


def run_deadline(args) -> int:
    """Run one ``manabu deadline`` action; print what was done in the course language."""
    from autograder.build.nbconfig import built_course_dir, course_language
    from autograder.school import deadlines
    from course.i18n import translator

    course = built_course_dir(Path(args.course))
    _ = translator(course_language(course))
    _check_lesson(course, args.lesson)
    if args.deadline_command == "status":
        print("\n".join(deadlines.status_lines(course, args.lesson)))
        return 0
    if args.deadline_command == "set":
        when = deadlines.set_due(course, args.lesson, args.time, args.tz)
        tz = deadlines.zone(deadlines.course_timezone(course))
        print(_("{lesson} is due {when}. Saved in {path}.").format(
            lesson=args.lesson, when=deadlines.shown(when, tz), path=course / deadlines.FILE_NAME))
    else:
        when = deadlines.extend(course, args.lesson, args.student, args.time)
        tz = deadlines.zone(deadlines.course_timezone(course))
        print(_("{student} may hand in {lesson} until {when}.").format(
            student=args.student, lesson=args.lesson, when=deadlines.shown(when, tz)))
        if deadlines.due_time(deadlines.load(course), args.lesson) is None:
            print(_("The lesson itself has no due time yet: manabu deadline set {lesson} TIME").format(
                lesson=args.lesson))
    print(_("grades.csv gets its late column when you grade: manabu grade {lesson} --course "
            "{course}").format(lesson=args.lesson, course=course))
    return 0


def _check_lesson(course: Path, lesson: str) -> None:
    """A due time for a lesson that is not built is most likely a typo: refuse it."""
    from autograder.paths import CourseError, missing_lesson

    if not (course / "source" / lesson).is_dir():
        raise CourseError(missing_lesson(course, lesson))
