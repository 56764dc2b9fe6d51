"""The ``manabu`` command: lessons, build, grade, roster, demo, lab."""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

from course.catalog import LessonError
from course.i18n import LANGUAGES

DEFAULT_COURSE = "course_dir"


def default_lang() -> str:
    """MANABU_LANG, else the system locale's language if we have it, else English."""
    for var in ("MANABU_LANG", "LC_ALL", "LANG"):
        value = os.environ.get(var, "")[:2].lower()
        if value in LANGUAGES:
            return value
    return "en"


def cmd_lessons(args) -> int:
    from course.catalog import load_catalog

    lessons = load_catalog(args.lang)
    print(f"{'id':<4} {'band':<12} {'grade':>5} {'min':>4}  {'big ideas':<10} title")
    for lesson in lessons:
        ideas = ",".join(str(i) for i in lesson.big_ideas)
        print(f"{lesson.id:<4} {lesson.band:<12} {lesson.grade:>5} {lesson.minutes:>4}  "
              f"{ideas:<10} {lesson.title}")
    print(f"{len(lessons)} lesson(s). Build them with: manabu build --course DIR --lang {args.lang}")
    return 0


def cmd_build(args) -> int:
    from autograder.build.builder import build_course

    report = build_course(Path(args.course), args.lang, args.lessons or None, db_url=args.db)
    print(next_step(report.course, command_language(args)))
    return 0


def next_step(course: Path, lang: str = "en") -> str:
    """What to do after a build: on the school hub (a class's Formgrader service) release the
    lessons there; on one's own machine open JupyterLab on the course."""
    from autograder.paths import on_school_hub
    from course.i18n import translator

    _ = translator(lang)
    guides = course / "guides"
    if on_school_hub():
        return _("Next: in the Formgrader open Manage Assignments and press Release for each "
                 "lesson (reload the page to see them). Teacher guides: {guides}").format(guides=guides)
    return _("Next: manabu lab --course {course}   (teacher guides: {guides})").format(
        course=course, guides=guides)


def cmd_preview(args) -> int:
    from autograder.build.nbconfig import built_course_dir
    from autograder.build.preview import make_preview

    course = built_course_dir(Path(args.course))
    for lesson_id in args.lessons:
        make_preview(course, lesson_id, fresh=args.fresh)
    return 0


def cmd_grade(args) -> int:
    from autograder.grading.grade import Options, grade_lesson

    if args.db:  # recorded in nbgrader_config.py, where every grading worker reads it
        from autograder.grading.gradebook_db import record_db_url

        record_db_url(Path(args.course), args.db)
    options = Options(cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
                      memory_mb=args.memory_mb, disk_mb=args.disk_mb,
                      require_sandbox=args.require_sandbox, regrade=args.regrade)
    rows = grade_lesson(args.lesson, Path(args.course), workers=args.workers, options=options)
    return 0 if rows else 1


def limit_args(p) -> None:
    """``manabu grade``'s limit options: help and defaults from autograder.grading.limits."""
    from autograder.grading.limits import default, help_text

    for flag, name, kind, metavar in (("--cell-timeout", "cell_timeout", float, "S"),
                                      ("--budget", "notebook_timeout", float, "S"),
                                      ("--memory-mb", "memory_mb", int, "MB"),
                                      ("--disk-mb", "disk_mb", int, "MB")):
        p.add_argument(flag, dest=name, type=kind, default=default(name), metavar=metavar,
                       help=f"{help_text(name)} (default: {default(name):g})")
    p.add_argument("--require-sandbox", action="store_true", help=help_text("require_sandbox"))


def cmd_report(args) -> int:
    from autograder.report.class_report import make_report

    make_report(Path(args.course), args.lessons or None, Path(args.out) if args.out else None,
                kanten_csv=Path(args.kanten_csv) if args.kanten_csv else None,
                kanten_a=args.kanten_a, kanten_b=args.kanten_b)
    return 0


def cmd_deadline(args) -> int:
    from autograder.school.deadline_cli import run_deadline

    return run_deadline(args)


def cmd_roster_import(args) -> int:
    from autograder.paths import CourseError
    from autograder.school.roster_import import import_roster

    token = args.hub_token
    if args.hub_token_file:
        try:
            token = Path(args.hub_token_file).read_text(encoding="utf-8").strip()
        except OSError as err:
            raise CourseError(f"Cannot read the hub token from {args.hub_token_file} "
                              f"({err.strerror}). On the school hub it is the roster service's "
                              "token file (run as root), e.g. /srv/manabu/hub/roster-token.") from None
    outcomes = import_roster(Path(args.roster), Path(args.course), args.classes, args.prefix,
                             args.hub_url, token, args.db, args.dry_run,
                             accounts=args.create_accounts,
                             password_sheet=Path(args.password_sheet) if args.password_sheet else None)
    return 1 if any(o.result == "error" for o in outcomes) else 0


def cmd_roster_export(args) -> int:
    from autograder.school.oneroster_export import export_results

    export_results(Path(args.course), Path(args.out), args.lessons or None)
    return 0


def cmd_demo(args) -> int:
    from autograder.demo import run_demo

    run_demo(Path(args.course), args.lang)
    return 0


def cmd_lab(args) -> int:
    from autograder.lab import run_lab

    return run_lab(Path(args.course), args.lang, port=args.port, open_browser=not args.no_browser,
                   rebuild=args.rebuild, as_student=args.as_student)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="manabu", description="Manabu: AI lessons for children, built into an nbgrader course.")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, func, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    def course_arg(p, default=None):
        p.add_argument("--course", default=default, required=default is None, metavar="DIR",
                       help="the course folder" + (f" (default: {default})" if default else ""))

    def db_arg(p):
        p.add_argument("--db", metavar="URL", help="the gradebook database, e.g. postgresql://USER:"
                       "PASSWORD@HOST:5432/DB (recorded in the course; default: SQLite gradebook.db)")

    def lang_arg(p):
        p.add_argument("--lang", choices=LANGUAGES, default=default_lang(),
                       help="language of the lessons (default: MANABU_LANG or your locale, else en)")

    p = add("lessons", cmd_lessons, "List the lessons (id, grade band, grade, minutes, big ideas).")
    lang_arg(p)
    p = add("build", cmd_build, "Build lessons into an nbgrader course folder "
            "(source, release, nbgrader_config.py, teacher guides).")
    course_arg(p)
    lang_arg(p)
    p.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson ids (default: all)")
    db_arg(p)
    p = add("preview", cmd_preview, "Your own copy of a lesson's student version, to try it as a "
            "student (preview/<id>/<id>.ipynb; the start page links to it). What you write there "
            "is never released.")
    p.add_argument("lessons", nargs="+", metavar="LESSON", help="lesson ids, e.g. e03")
    course_arg(p, DEFAULT_COURSE)
    p.add_argument("--fresh", action="store_true",
                   help="start again from the student version (your changed copy is kept beside it)")
    p = add("grade", cmd_grade, "Autograde every submission of a lesson, make feedback and grades.csv.")
    p.add_argument("lesson", metavar="LESSON", help="the lesson id, e.g. e03")
    course_arg(p)
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="grading processes working side by side (default: one per core)")
    p.add_argument("--regrade", action="store_true",
                   help="grade every submission again (default: keep results of unchanged ones)")
    limit_args(p)
    db_arg(p)
    p = add("report", cmd_report, "Write a class report (HTML with plots): scores, hard exercises, "
            "students who need help, flagged submissions.")
    course_arg(p)
    p.add_argument("--lesson", dest="lessons", action="extend", nargs="+", metavar="ID",
                   help="lessons to report on (default: every lesson in grades.csv)")
    p.add_argument("--out", metavar="FILE",
                   help="where to write the HTML (default: DIR/reports/class-report.html)")
    p.add_argument("--kanten-csv", metavar="FILE", help="where to write the 観点別 A/B/C results as "
                   "CSV, one row per student (default: DIR/reports/kanten.csv)")
    p.add_argument("--kanten-a", type=float, metavar="PCT", help="A from this percentage of a "
                   "観点's points (default: c.Manabu.kanten_a in the course config, else 80)")
    p.add_argument("--kanten-b", type=float, metavar="PCT", help="B from this percentage, below it C "
                   "(default: c.Manabu.kanten_b, else 50)")
    from autograder.school.deadline_cli import add_deadline_parser

    add_deadline_parser(sub, cmd_deadline, course_arg)
    p = add("roster", None, "Class lists: make hub users, groups and gradebook students.")
    roster_sub = p.add_subparsers(dest="roster_command", required=True, metavar="ACTION")
    text = ("Import a school's class list (CSV: id, name, class, role; UTF-8 or Shift_JIS; or a "
            "OneRoster 1.2 CSV zip, Japan Profile) into the course's gradebook and, with --hub-url, "
            "JupyterHub users and groups.")
    p = roster_sub.add_parser("import", help=text, description=text)
    p.set_defaults(func=cmd_roster_import)
    p.add_argument("roster", metavar="ROSTER.csv|ROSTER.zip",
                   help="the class list, or a OneRoster 1.2 JP zip (bulk or delta)")
    course_arg(p)
    p.add_argument("--class", dest="classes", action="append", default=[], metavar="NAME[=LABEL]",
                   help="a class of this course (repeat for more; recorded in the course); "
                        "LABEL is how the roster writes it, e.g. --class 5a=5年A組")
    p.add_argument("--prefix", default="", help="put before every id to make the user name "
                   "(ids starting with a digit need one, e.g. --prefix s)")
    p.add_argument("--hub-url", metavar="URL", help="the JupyterHub, e.g. http://127.0.0.1:8000 "
                   "(without it only the gradebook is changed)")
    p.add_argument("--hub-token", metavar="TOKEN", help="a hub service token with the scopes "
                   "admin:users and admin:groups (default: $JUPYTERHUB_API_TOKEN)")
    p.add_argument("--hub-token-file", metavar="FILE", help="read the token from FILE (keeps it "
                   "out of the shell's history); on the school hub: /srv/manabu/hub/roster-token")
    p.add_argument("--create-accounts", action="store_true", help="as root on the school hub: "
                   "make a Unix account for each new student, with an initial password")
    p.add_argument("--password-sheet", metavar="FILE", help="where the initial passwords go "
                   "(root only; default: /root/manabu-passwords-<course>-<time>.csv)")
    p.add_argument("--dry-run", action="store_true",
                   help="check and print the report; change and write nothing")
    db_arg(p)
    text = ("Write the course's grades (grades.csv) as a OneRoster 1.2 gradebook CSV zip "
            "(manifest, categories, lineItems, results) for the 学習eポータル or LMS that sent "
            "the OneRoster roster.")
    p = roster_sub.add_parser("export-results", help=text, description=text)
    p.set_defaults(func=cmd_roster_export)
    course_arg(p)
    p.add_argument("--lesson", dest="lessons", action="extend", nargs="+", metavar="ID",
                   help="lessons to export (default: every lesson in grades.csv)")
    p.add_argument("--out", required=True, metavar="FILE.zip", help="the zip to write")
    p = add("demo", cmd_demo, "Run the whole teacher cycle on a simulated class of four students.")
    course_arg(p)
    lang_arg(p)
    p = add("lab", cmd_lab, "Build the course if needed and open JupyterLab on it (what `make lab` runs).")
    course_arg(p, DEFAULT_COURSE)
    lang_arg(p)
    p.add_argument("--port", type=int, default=8888, help="port to listen on (default: 8888)")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    p.add_argument("--rebuild", action="store_true", help="rebuild the lessons even if built")
    p.add_argument("--as-student", action="store_true",
                   help="JupyterLab as the school's hub shows it to a student: without the "
                        "teachers' tools (Formgrader, terminal, settings editor)")
    return top


def command_language(args) -> str:
    """The language a command speaks in: its --lang, else the language its course was built
    in, else the default (a teacher of a Japanese course reads Japanese)."""
    if getattr(args, "lang", None):
        return args.lang
    if getattr(args, "course", None):
        from autograder.build.nbconfig import course_language

        try:
            return course_language(Path(args.course).expanduser(), default_lang())
        except Exception:  # an unreadable config must not hide the message being printed
            return default_lang()
    return default_lang()


def main(argv: list[str] | None = None) -> int:
    from autograder.paths import CourseError

    args = parser().parse_args(argv)
    warnings.filterwarnings("ignore", module="nbgrader|sqlalchemy")
    try:
        return args.func(args)
    except (LessonError, CourseError) as err:
        print(f"manabu {args.command}: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        from course.i18n import translator

        _ = translator(command_language(args))
        print(f"manabu {args.command}: " + _("stopped. Run the same command again to carry on."),
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
