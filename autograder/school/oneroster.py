"""Read a OneRoster 1.2 CSV zip, Japan Profile (``oneroster.version`` = ``1.2_JP``), into roster rows.

The zip's ``manifest.csv`` (``propertyName,value``) says which files are there (``file.users`` =
bulk | delta | absent). Every row of every file is checked; a bad row becomes a :class:`Row`
with its file, line and problems (in the teacher's language), so it lands in the same per-row
report as a CSV roster, and the good rows go in. Each enrollment of a student or teacher in a
class is one row; a student whose ``metadata.jp.homeClass`` has no enrollment gets one from
users.csv. ``status=tobedeleted`` (and ``enabledUser=false``) make removal rows: the person
leaves the class's groups, their work and gradebook entry stay. demographics.csv is ignored.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from autograder.paths import CourseError
from autograder.school.oneroster_csv import (
    NEEDED,
    Files,
    Record,
    manifest_folder,
    problem_row,
    read_file,
    read_manifest,
    split_list,
)
from autograder.school.roster import (
    CJK,
    CLASS_KEY,
    Row,
    check_username,
    norm,
)

KUMI = re.compile(r"(\d+)\s*年\s*(\w+?)\s*組")


@dataclass
class Roster:
    """What a OneRoster zip says, checked: rows for the import, and what to remember."""
    rows: list[Row]
    classes: dict[str, dict]   # class key -> {"sourcedId", "title", "grades"}
    users: dict[str, dict]     # user name -> {"sourcedId", "kana", "shussekiNo"}
    modes: dict[str, str]


def class_key(record: Record, taken: set[str]) -> str:
    """A Manabu class key (a-z, digits, -) for a OneRoster class: 5年1組 -> 5-1, J1 1年A組 -> j1a,
    else its classCode or sourcedId made safe."""
    title = norm(record.get("title"))
    grades = split_list(record.get("grades"))
    match = KUMI.search(title)
    only_kumi = re.fullmatch(r"(\w+?)\s*組", title)
    year_kumi = (match.group(1), match.group(2).lower()) if match else None
    if not match and only_kumi and len(grades) == 1 and grades[0][1:].isdigit():
        year_kumi = (grades[0][1:], only_kumi.group(1).lower())  # P5 + 1組: 5年1組
    key = ""
    if year_kumi:
        year, kumi = year_kumi
        prefix = "j" if grades and grades[0].startswith("J") else ""
        key = f"{prefix}{year}-{kumi}" if kumi.isdigit() else f"{prefix}{year}{kumi}"
    if not CLASS_KEY.fullmatch(key):
        for text in (record.get("classCode"), record.sid):
            key = re.sub(r"[^a-z0-9-]+", "-", norm(text).lower()).strip("-")[:31]
            if CLASS_KEY.fullmatch(key):
                break
    base, n = key, 2
    while key in taken:
        key, n = f"{base[:28]}-{n}", n + 1
    return key


def display_name(user: Record) -> tuple[str, str, str]:
    """(full name, first, last) from givenName / familyName: 山田 太郎, Alice Smith."""
    first, last = user.get("givenName"), user.get("familyName")
    full = " ".join(p for p in ((last, first) if CJK.search(last + first) else (first, last)) if p)
    return full, first, last


def shusseki(record: Record) -> str:
    for column, value in record.cells.items():
        if column.lower().removeprefix("metadata.jp.") == "shussekino":
            return "" if norm(value) == "NULL" else norm(value)
    return ""


def read_oneroster(path: Path, known: dict[str, str], prefix: str, remembered: dict, _,
                   only: list[str] | None = None) -> Roster:
    """Every row of the zip at ``path``, checked. ``known``: the course's classes {key: label};
    ``remembered``: what earlier imports stored (for delta files that name people and classes
    sent before); ``only``: the course's --class choices (else every homeroom class)."""
    name = Path(path).name
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as err:
        raise CourseError(_("Cannot read {name} as a zip file ({err}).").format(name=name, err=err)) from None
    with archive:
        if manifest_folder(archive.namelist()) is None:
            raise CourseError(_("{name} has no manifest.csv: it is not a OneRoster CSV zip.").format(name=name))
        files = Files(archive)
        modes, rows = read_manifest(files, name, _)
        data, refused = {}, set()
        for file in NEEDED:
            data[file] = []
            if modes[file] != "absent":
                data[file], problems = read_file(files, file, _)
                rows += problems
                if any(p.line == 1 for p in problems) and not data[file]:
                    refused.add(file)
    check_references(data, modes, _)
    for file in ("orgs", "academicSessions", "courses", "roles"):  # checked, not imported
        rows += [bad_record(r) for r in data[file] if r.problems]
    classes = pick_classes(data, modes, known, remembered, only, rows, _)
    users = pick_users(data, prefix, remembered, rows, _)
    rows += enrollment_rows(data, classes, users, refused, _, modes["users"] == "delta")
    check_people([r for r in rows if r.ok and not r.skip and not r.remove], _)
    return Roster(rows, {c["key"]: c["keep"] for c in classes.values() if c.get("key")},
                  {u["username"]: u["keep"] for u in users.values() if u.get("username")}, modes)


def check_people(rows: list[Row], _) -> None:
    """One user name, one person; in one course a person is a student or a teacher, and a
    student is in one class. Rows that disagree are all refused: only the school knows which is
    right (a teacher of several classes is fine; an exact repeat is harmless)."""
    by_user: dict[str, list[Row]] = {}
    for row in rows:
        by_user.setdefault(row.username, []).append(row)
    for user, group in by_user.items():
        where = ", ".join(f"{r.file} {r.line}" for r in group)
        roles = {r.role for r in group}
        if len({r.raw_id for r in group}) > 1:
            problem = _("user name {user} is given to several users ({where}): give each their "
                        "own username")
        elif len(roles) > 1:
            problem = _("{user} is a student and a teacher ({where}): in one course a person has "
                        "one role; keep one")
        elif roles == {"student"} and len({r.klass for r in group}) > 1:
            problem = _("{user} is a student of several classes ({where}): a student is in one "
                        "class of a course; keep one")
        else:
            continue
        for row in group:
            row.problems.append(problem.format(user=user, where=where))


def check_references(data, modes, _) -> None:
    """A role of a user who is not in users.csv, or a role or enrollment at a school that is not
    in orgs.csv (checked against bulk files only: a delta names only what changed)."""
    sids = {f: {r.sid for r in data[f]} for f in ("users", "orgs") if modes[f] == "bulk"}
    for file, column, target in (("roles", "userSourcedId", "users"), ("roles", "orgSourcedId", "orgs"),
                                 ("enrollments", "schoolSourcedId", "orgs")):
        for record in data[file]:
            value = record.get(column)
            if target in sids and value and value not in sids[target]:
                record.problems.append(_("{column} {value!r} is not in {file}.csv").format(
                    column=column, value=value, file=target))


def bad_record(record: Record, raw_id: str = "") -> Row:
    row = problem_row(record.file, record.line, "; ".join(record.problems), raw_id or record.sid)
    return row


def pick_classes(data, modes, known, remembered, only, rows, _) -> dict[str, dict]:
    """{class sourcedId: {"key", "label", "keep", "skip", "deleted"}} of classes.csv (and of
    earlier imports), each with its Manabu key; bad rows go to ``rows``."""
    by_label = {norm(label).lower(): key for key, label in known.items()}
    by_label.update({key: key for key in known})
    earlier = {c["sourcedId"]: key for key, c in remembered.get("classes", {}).items()}
    classes: dict[str, dict] = {}
    for sid, key in earlier.items():
        old = remembered["classes"][key]
        classes[sid] = {"key": key, "label": old.get("title", key), "keep": old, "skip": ""}
    taken = set(known) | set(earlier.values())
    chosen = {norm(c).lower() for c in only or []}
    bulk = {f: {r.sid for r in data[f] if not r.problems}
            for f in ("orgs", "courses", "academicSessions") if modes[f] == "bulk"}
    for record in data["classes"]:
        refs = [("schoolSourcedId", "orgs"), ("courseSourcedId", "courses")]
        for column, file in refs:
            if file in bulk and record.get(column) and record.get(column) not in bulk[file]:
                record.problems.append(_("{column} {value!r} is not in {file}.csv").format(
                    column=column, value=record.get(column), file=file))
        for term in split_list(record.get("termSourcedIds")):
            if "academicSessions" in bulk and term not in bulk["academicSessions"]:
                record.problems.append(_("term {value!r} is not in academicSessions.csv").format(value=term))
        if record.problems:
            rows.append(bad_record(record))
            continue
        title = record.get("title")
        key = earlier.get(record.sid) or by_label.get(title.lower()) or by_label.get(
            record.get("classCode").lower()) or class_key(record, taken)
        taken.add(key)
        skip = ""
        if chosen and not ({key, title.lower(), record.sid.lower(), record.get("classCode").lower()} & chosen):
            skip = _("class {title} is not one of the classes given with --class").format(title=title)
        elif not chosen and record.get("classType").lower() == "scheduled":
            skip = _("class {title} is a scheduled (subject) class: Manabu makes classes of "
                     "homerooms; import it with --class {key} to use it").format(title=title, key=key)
        classes[record.sid] = {"key": key, "label": known.get(key, title), "skip": skip,
                               "deleted": record.deleted, "record": record,
                               "keep": {"sourcedId": record.sid, "title": title,
                                        "grades": split_list(record.get("grades"))}}
    return classes


def pick_users(data, prefix, remembered, rows, _) -> dict[str, dict]:
    """{user sourcedId: {"username", "name", ...}} of users.csv (and of earlier imports)."""
    users: dict[str, dict] = {}
    for username, old in remembered.get("users", {}).items():
        users[old["sourcedId"]] = {"username": username, "name": old.get("name", username),
                                   "first": old.get("first", ""), "last": old.get("last", ""),
                                   "keep": old, "deleted": False}
    for record in data["users"]:
        # the part before @ of a mail-like name; a dot (taro.yamada) cannot be in a user name of
        # the hub's groups and Unix accounts here, so it becomes "-"
        local = record.get("username").split("@")[0].replace(".", "-")
        username, problem = check_username(local, prefix) if local else ("", None)
        if problem:
            record.problems.append(username_problem(local, problem, _))
        if record.problems:
            rows.append(bad_record(record))
            users.pop(record.sid, None)  # a bad row now is not replaced by an older one
            continue
        full, first, last = display_name(record)
        before = remembered.get("users", {}).get(username, {})
        kana = " ".join(p for p in (record.get("metadata.jp.kanaFamilyName"),
                                    record.get("metadata.jp.kanaGivenName")) if p)
        users[record.sid] = {
            "username": username, "name": full, "first": first, "last": last, "record": record,
            "deleted": record.deleted or record.get("enabledUser").lower() == "false",
            "home": record.get("metadata.jp.homeClass"), "was_in": before.get("classes", []),
            "role": before.get("role", "student"),
            "keep": {"sourcedId": record.sid, "name": full, "first": first, "last": last, "kana": kana}}
    return users


def username_problem(name: str, problem: str, _) -> str:
    """check_username's problem, in the teacher's language."""
    if "too long" in problem:
        return _("username {name!r} is too long for a user name (at most 32 characters)").format(name=name)
    if "starts with a digit" in problem:
        return _("username {name!r} starts with a digit, which a Unix user name cannot: import with "
                 "--prefix s").format(name=name)
    return _("username {name!r} has characters a user name cannot have: use letters a-z, digits, "
             "- and _, starting with a letter").format(name=name)


def enrollment_rows(data, classes, users, refused, _, delta_users: bool = False) -> list[Row]:
    """One row per enrollment (and per student known only by their homeClass, and per class an
    earlier import put a deleted or changed user in)."""
    bad_users = {r.sid for r in data["users"] if r.problems}
    roles: dict[str, set[str]] = {}
    for record in data["roles"]:
        if not record.problems and not record.deleted:
            roles.setdefault(record.get("userSourcedId"), set()).add(record.get("role").lower())
    bad_classes = {r.sid for r in data["classes"] if r.problems}
    out, enrolled = [], {}
    for record in data["enrollments"]:
        usid, csid = record.get("userSourcedId"), record.get("classSourcedId")
        user, klass = users.get(usid), classes.get(csid)
        if usid and not user:
            record.problems.append((_("user {sid!r} was left out (see its row in users.csv)")
                                    if usid in bad_users or "users" in refused else
                                    _("user {sid!r} is not in users.csv")).format(sid=usid))
        if csid and not klass:
            record.problems.append((_("class {sid!r} was left out (see its row in classes.csv)")
                                    if csid in bad_classes or "classes" in refused else
                                    _("class {sid!r} is not in classes.csv")).format(sid=csid))
        role = record.get("role").lower()
        row = person_row(record, user, klass, role, _)
        if user and klass:
            enrolled[(usid, csid)] = klass["key"]
        out.append(row)
    by_key = {c["key"]: c for c in classes.values()}
    # a deleted user leaves every class an earlier import put them in; a user changed in a delta
    # users.csv (a new name) is updated in those classes
    for sid, user in users.items():
        if "record" in user and (user.get("deleted") or delta_users):
            done = {k for (u, c), k in enrolled.items() if u == sid}
            for key in user["was_in"]:
                if key in by_key and key not in done:
                    out.append(person_row(user["record"], user, by_key[key], user["role"], _))
                    enrolled[(sid, by_key[key]["keep"]["sourcedId"])] = key
    placed = {u for u, _c in enrolled}
    for sid, user in users.items():  # a student's homeClass without an enrollment there
        home = user.get("home")
        if "record" in user and not home and sid not in placed and not user.get("deleted"):
            row = person_row(user["record"], user, None, user.get("role", "student"), _)
            row.skip = row.skip or _("in no class: no enrollment and no homeClass")
            out.append(row)
        if not home or (sid, home) in enrolled or "record" not in user:
            continue
        record = user["record"]
        if home not in classes:
            record.problems.append(_("homeClass {sid!r} is not in classes.csv").format(sid=home))
        said = roles.get(sid, set())  # a teacher's homeClass is the class they lead
        role = "teacher" if "teacher" in said and "student" not in said else "student"
        out.append(person_row(record, user, classes.get(home), role, _))
    return out


def person_row(record: Record, user: dict | None, klass: dict | None, role: str, _) -> Row:
    row = Row(record.line, record.sid, (user or {}).get("name", ""), (klass or {}).get("key", ""),
              role, username=(user or {}).get("username", ""), first_name=(user or {}).get("first", ""),
              last_name=(user or {}).get("last", ""))
    row.file = record.file
    row.raw_id = (user or {}).get("keep", {}).get("sourcedId", "") or record.get("userSourcedId") or record.sid
    row.problems += record.problems
    number = shusseki(record)
    if number and not number.isdigit():
        row.problems.append(_("shussekiNo {value!r} is not a number").format(value=number))
    if role not in ("student", "teacher") and not row.problems:
        row.skip = _("role {role!r}: Manabu imports students and teachers").format(role=role)
    if klass and klass.get("skip") and not row.problems:
        row.skip = klass["skip"]
    row.remove = bool((record.deleted or (user or {}).get("deleted") or (klass or {}).get("deleted"))
                      and not row.problems)
    if user and number.isdigit() and role == "student":
        user["keep"]["shussekiNo"] = int(number)
    return row
