"""Put a checked roster into JupyterHub (users, groups) and the course's nbgrader gradebook.

Each row is all-or-nothing: hub user, then group memberships, then the gradebook student; if
a step fails, the steps already done for that row are undone and the row is reported. Only
what is missing is added, so running the same import again changes nothing. Nothing is ever
deleted or taken out of a group by an import.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from autograder.build.nbconfig import COURSE_ID, built_course_dir, load_config, use_this_alembic
from autograder.courseconfig import manabu_settings
from autograder.paths import CourseError, write_atomic
from autograder.school.hubapi import Hub, HubError
from autograder.school.oneroster import read_oneroster
from autograder.school.oneroster_csv import VERSION, is_oneroster
from autograder.school.owner import act_as_owner
from autograder.school.roster import Row, parse_classes, read_roster

REPORT = "roster-import.csv"
IDS = "oneroster-ids.json"  # OneRoster sourcedIds of the classes and people imported
FIELDS = ["file", "line", "id", "user", "name", "class", "role", "result", "hub", "gradebook", "problem"]


@dataclass
class Outcome:
    row: Row
    result: str          # created / updated / unchanged / error (dry run: "would ...")
    hub: str = ""
    gradebook: str = ""
    problem: str = ""


def groups_for(row: Row, course_id: str) -> list[str]:
    """A class's hub groups (students-5-1 / teachers-5-1) and the course's groups that nbgrader's
    JupyterHubAuthPlugin reads (nbgrader-<course> for students, formgrade-<course> for graders)."""
    if row.role == "teacher":
        return [f"teachers-{row.klass}", f"formgrade-{course_id}"]
    return [f"students-{row.klass}", f"nbgrader-{course_id}"]


def course_classes(course_dir: Path, given: list[str], roster: Path) -> tuple[dict, bool]:
    """(the course's classes, whether to record them): those recorded in its config, plus
    ``--class``."""
    recorded = manabu_settings(load_config(course_dir)).classes or {}
    if isinstance(recorded, (list, tuple)):
        recorded = {key: key for key in recorded}
    classes = {**dict(recorded), **parse_classes(given)}
    if not classes:
        found = sorted({r.klass for r in read_roster(roster, {})[0] if r.klass})
        raise CourseError("Say which classes this course teaches: add --class NAME (once per class; "
                          "--class 5a=5年A組 when the roster writes it differently). Classes in "
                          f"{roster.name}: {', '.join(found) or 'none'}.")
    return classes, classes != recorded


def import_roster(roster: Path, course_dir: Path, classes: list[str] | None = None, prefix: str = "",
                  hub_url: str | None = None, hub_token: str | None = None,
                  db_url: str | None = None, dry_run: bool = False, log=print,
                  accounts: bool = False, password_sheet: Path | None = None) -> list[Outcome]:
    """Import ``roster`` into the course (and the hub when ``hub_url`` is given); with
    ``accounts`` (as root) first make the students' Unix accounts (autograder.school.accounts)."""
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory

    from autograder.build.configlines import set_line
    from autograder.grading.gradebook_db import check_db_url, hide_password, record_db_url

    roster, course_dir = Path(roster), built_course_dir(course_dir)
    oneroster = None
    if is_oneroster(roster):  # a OneRoster 1.2 JP zip names its own classes
        from autograder.build.nbconfig import course_language
        from course.i18n import translator

        recorded = manabu_settings(load_config(course_dir)).classes or {}
        recorded = {k: k for k in recorded} if isinstance(recorded, (list, tuple)) else dict(recorded)
        given = parse_classes(classes or [])
        oneroster = read_oneroster(roster, {**recorded, **given}, prefix, remembered(course_dir),
                                   translator(course_language(course_dir)), list(given) or None)
        rows, encoding = oneroster.rows, f"OneRoster {VERSION}"
        used = {r.klass for r in rows if r.ok and not r.skip and not r.remove}
        known = {**recorded, **{k: c["title"] for k, c in oneroster.classes.items()
                                if k in used and k not in recorded}}
        new_classes = known != recorded
    else:
        known, new_classes = course_classes(course_dir, classes or [], roster)
        rows, encoding = read_roster(roster, known, prefix)
    hub = Hub(hub_url, hub_token) if hub_url else None
    if hub:
        hub.check()
    account_notes = {}
    if accounts:  # as root, before working as the course's owner
        from autograder.school.accounts import create_accounts, default_sheet

        account_notes = create_accounts(rows, password_sheet or default_sheet(course_dir), dry_run, log)
    import sqlite3  # noqa: F401  (before dropping root: the Python may be root's alone)

    use_this_alembic()

    act_as_owner(course_dir, log)  # the roster and token are read: from here on, the grader's files
    if db_url:  # everything checked: now the course's config may change
        check_db_url(db_url) if dry_run else record_db_url(course_dir, db_url)
    if new_classes and not dry_run:
        set_line(course_dir, "c.Manabu.classes", known,
                 "The classes of this course ({name: as written in the roster}), set by "
                 "`manabu roster import --class`.")
    config = load_config(course_dir)
    coursedir = CourseDirectory(config=config)
    course_id = coursedir.course_id or COURSE_ID
    log(f"{'Checking' if dry_run else 'Importing'} {roster} ({encoding}, {len(rows)} rows) into "
        f"course {course_id!r} at {course_dir}; gradebook {hide_password(coursedir.db_url)}; "
        f"hub {hub.url if hub else 'none (no --hub-url: gradebook only)'}.")
    outcomes: list[Outcome] = []
    db_url = coursedir.db_url
    if dry_run and db_url.startswith("sqlite:///") and not Path(db_url[10:]).exists():
        db_url = "sqlite://"  # no gradebook yet: check against an empty one in memory, make no file
    with Gradebook(db_url, course_id) as gradebook:
        for number, row in enumerate(rows, 1):
            outcome = import_row(row, hub, gradebook, course_id, dry_run)
            if row.username in account_notes:
                outcome.hub = f"{account_notes[row.username]}; {outcome.hub}"
            outcomes.append(outcome)
            detail = outcome.problem or "; ".join(p for p in (outcome.hub, outcome.gradebook) if p)
            where = f"{row.file} line {row.line}" if row.file else f"line {row.line}"
            who = f"{row.username or row.raw_id or '?'} {row.name}".rstrip()
            about = f" ({row.klass}, {row.role})" if row.klass or row.role or not row.file else ""
            log(f"[{number}/{len(rows)}] {where} {who}{about}: {outcome.result} - {detail}")
    report = None if dry_run else write_report(course_dir / REPORT, outcomes)
    if oneroster and not dry_run:
        remember(course_dir, oneroster, outcomes)
    log(summary(outcomes, roster, report, dry_run, hub is not None))
    return outcomes


def import_row(row: Row, hub: Hub | None, gradebook, course_id: str, dry_run: bool) -> Outcome:
    """One row, all or nothing."""
    if not row.ok:
        return Outcome(row, "error", "not touched", "not touched", "; ".join(row.problems))
    if row.skip:
        return Outcome(row, "skipped", "not touched", "not touched", row.skip)
    groups = groups_for(row, course_id)
    if hub and (refused := [g for g in (groups[:1] if row.remove else groups)
                            if not hub.may_manage(g)]):
        return Outcome(row, "error", "not touched", "not touched",
                       f"the hub token may not change the group(s) {', '.join(refused)}"
                       + (": on the school hub teachers are set in classes.yaml (restart the hub)"
                          if row.role == "teacher" else ""))
    if row.remove:
        return remove_row(row, hub, groups[:1], dry_run)
    undo = []
    hub_notes, created, changed = [], False, False
    try:
        if hub:
            missing = [g for g in groups if row.username not in (hub.members(g) or set())]
            if not hub.user_exists(row.username):
                if not dry_run:
                    hub.create_user(row.username)
                    undo.append(lambda: hub.delete_user(row.username))
                hub_notes.append("new user")
                created = True
            else:
                hub_notes.append("user exists")
            for group in missing:
                if not dry_run:
                    if hub.members(group) is None:
                        hub.create_group(group)  # an empty group is harmless: never undone
                    hub.add_member(group, row.username)
                    undo.append(lambda g=group: hub.remove_member(g, row.username))
                hub_notes.append(f"+{group}")
                changed = True
            if not missing:
                hub_notes.append("in " + ", ".join(groups))
        gb_note = "teacher: not a gradebook student"
        if row.role == "student":
            gb_note, gb_created, gb_changed = gradebook_student(gradebook, row, dry_run)
            created, changed = created or gb_created, changed or gb_changed
    except Exception as err:  # one row never stops the others; undo what this row did
        problem = f"{'hub' if isinstance(err, HubError) else 'gradebook'}: {err}"[:300]
        for step in reversed(undo):
            try:
                step()
            except HubError as undo_err:
                problem += f"; could not undo ({undo_err}): check this user in the hub's admin page"
        return Outcome(row, "error", "undone" if undo else "not changed", "not changed", problem)
    result = "created" if created else "updated" if changed else "unchanged"
    if dry_run and result != "unchanged":
        result = "would be " + result
    return Outcome(row, result, "; ".join(hub_notes) if hub else "no hub", gb_note)


def remove_row(row: Row, hub: Hub | None, groups: list[str], dry_run: bool) -> Outcome:
    """OneRoster tobedeleted: out of the class's group. The hub user, the gradebook student and
    every submission stay (a child's work is never deleted by a roster)."""
    kept = "kept (work and grades stay)" if row.role == "student" else "teacher: not a gradebook student"
    if not hub:
        return Outcome(row, "unchanged", "no hub", kept)
    try:
        leave = [g for g in groups if row.username in (hub.members(g) or set())]
        if not dry_run:
            for group in leave:
                hub.remove_member(group, row.username)
    except HubError as err:
        return Outcome(row, "error", "not changed", kept, f"hub: {err}"[:300])
    if not leave:
        return Outcome(row, "unchanged", "not in " + ", ".join(groups), kept)
    return Outcome(row, ("would be " if dry_run else "") + "removed",
                   "; ".join(f"-{g}" for g in leave), kept)


def remembered(course_dir: Path) -> dict:
    """The OneRoster sourcedIds an earlier import stored ({} when none)."""
    path = course_dir / IDS
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise CourseError(f"{path} cannot be read ({err}): move it away and import the whole "
                          "roster (bulk) again.") from None


def remember(course_dir: Path, roster, outcomes: list[Outcome]) -> None:
    """Store the sourcedIds of the classes and people that went in, for delta files and for
    ``manabu roster export-results``."""
    stored = remembered(course_dir)
    classes, users = stored.setdefault("classes", {}), stored.setdefault("users", {})
    for o in outcomes:
        row = o.row
        if o.result in ("error", "skipped") or not row.username or row.klass not in roster.classes:
            continue
        classes[row.klass] = roster.classes[row.klass]
        user = users.setdefault(row.username, {})
        user.update(roster.users.get(row.username, {}))
        member = set(user.get("classes", []))
        member = member - {row.klass} if row.remove else member | {row.klass}
        user["classes"], user["role"] = sorted(member), row.role
    write_atomic(course_dir / IDS, json.dumps(stored, ensure_ascii=False, indent=1, sort_keys=True))


def gradebook_student(gradebook, row: Row, dry_run: bool) -> tuple[str, bool, bool]:
    """(note, created, changed) for the row's nbgrader student."""
    from nbgrader.api import MissingEntry

    names = {"first_name": row.first_name or None, "last_name": row.last_name or None}
    try:
        student = gradebook.find_student(row.username)
    except MissingEntry:
        if not dry_run:
            gradebook.update_or_create_student(row.username, **names)
        return "new student", True, False
    if (student.first_name, student.last_name) == (names["first_name"], names["last_name"]):
        return "student exists", False, False
    if not dry_run:
        gradebook.update_or_create_student(row.username, **names)
    return "name updated", False, True


def write_report(path: Path, outcomes: list[Outcome]) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for o in outcomes:
        r = o.row
        writer.writerow([r.file, r.line, r.raw_id, r.username, r.name, r.klass, r.role, o.result, o.hub,
                         o.gradebook, o.problem])
    write_atomic(path, "\ufeff" + out.getvalue())  # BOM: Excel opens Japanese UTF-8 correctly
    return path


def summary(outcomes: list[Outcome], roster: Path, report: Path | None, dry_run: bool,
            hub: bool) -> str:
    count = {}
    for o in outcomes:
        count[o.result] = count.get(o.result, 0) + 1
    bad = count.pop("error", 0)
    skipped = count.pop("skipped", 0)
    good = len(outcomes) - bad - skipped
    parts = ", ".join(f"{n} {result}" for result, n in sorted(count.items()))
    text = (f"{'Dry run, nothing changed: ' if dry_run else ''}{good} of {len(outcomes)} rows "
            f"{'can go' if dry_run else 'are'} in ({parts or 'none'}).")
    if bad:
        text += (f" {bad} row(s) with problems {'would be' if dry_run else 'were'} left out: fix "
                 f"them in {roster.name} and run the same command again (rows already in stay as "
                 "they are).")
    if skipped:
        text += (f" {skipped} row(s) left out on purpose (other classes or roles: see the "
                 "report).")
    if not hub:
        text += " No --hub-url: hub users and groups were not touched."
    return text + (f" Report: {report}" if report else " Nothing was written.")
