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

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from autograder.paths import CourseError
from autograder.roster import (
    CJK,
    CLASS_KEY,
    Row,
    check_username,
    decode_roster,
    norm,
)

VERSION = "1.2_JP"
MODES = ("bulk", "delta", "absent")
# columns Manabu needs (a file without one cannot be read) and the others OneRoster 1.2 requires
NEEDED = {
    "orgs": ["sourcedId"],
    "academicSessions": ["sourcedId"],
    "courses": ["sourcedId"],
    "classes": ["sourcedId", "title"],
    "users": ["sourcedId", "username", "givenName", "familyName"],
    "roles": ["sourcedId", "userSourcedId", "role"],
    "enrollments": ["sourcedId", "classSourcedId", "userSourcedId", "role"],
}
REQUIRED = {
    "orgs": ["name", "type"],
    "academicSessions": ["title", "type", "startDate", "endDate", "schoolYear"],
    "courses": ["title", "orgSourcedId"],
    "classes": ["courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"],
    "roles": ["roleType", "orgSourcedId"],
    "enrollments": ["schoolSourcedId"],
}
FILES = list(NEEDED) + ["demographics"]
COLUMNS = {c.lower(): c for c in (
    "sourcedId status dateLastModified name type identifier parentSourcedId title startDate endDate "
    "schoolYear schoolYearSourcedId courseCode grades orgSourcedId subjects subjectCodes "
    "courseSourcedId classCode classType location schoolSourcedId termSourcedIds periods "
    "enabledUser username userIds givenName familyName middleName email primaryOrgSourcedId "
    "userSourcedId roleType role beginDate endDate classSourcedId primary propertyName value "
    "metadata.jp.kanaGivenName metadata.jp.kanaFamilyName metadata.jp.kanaMiddleName "
    "metadata.jp.homeClass metadata.jp.ShussekiNo metadata.jp.PublicFlg metadata.jp.specialNeeds"
).split()}
# MEXT grade codes of the Japan Profile: 幼稚園 E1-E3, 小学校 P1-P6, 中学校 J1-J3, 高校 H1-H3
GRADES = {f"E{n}" for n in range(1, 4)} | {f"P{n}" for n in range(1, 7)} | \
         {f"J{n}" for n in range(1, 4)} | {f"H{n}" for n in range(1, 4)}
DATES = ("dateLastModified", "startDate", "endDate", "beginDate")
KUMI = re.compile(r"(\d+)\s*年\s*(\w+?)\s*組")


@dataclass
class Record:
    """One data row of a OneRoster file."""
    file: str
    line: int
    cells: dict[str, str]
    problems: list[str] = field(default_factory=list)

    def get(self, column: str) -> str:
        value = norm(self.cells.get(column, ""))
        return "" if value == "NULL" else value  # Japanese exports write NULL for "none"

    @property
    def sid(self) -> str:
        return self.get("sourcedId")

    @property
    def deleted(self) -> bool:
        return self.get("status").lower() == "tobedeleted"


@dataclass
class Roster:
    """What a OneRoster zip says, checked: rows for the import, and what to remember."""
    rows: list[Row]
    classes: dict[str, dict]   # class key -> {"sourcedId", "title", "grades"}
    users: dict[str, dict]     # user name -> {"sourcedId", "kana", "shussekiNo"}
    modes: dict[str, str]


def manifest_folder(names: list[str]) -> str | None:
    """The folder of the zip's manifest.csv ("" at the top, "roster/" when the school zipped a
    folder), or None when there is none."""
    found = [n for n in names if n.rsplit("/", 1)[-1] == "manifest.csv" and "__MACOSX" not in n]
    return min(found, key=len)[:-len("manifest.csv")] if found else None


def is_oneroster(path: Path) -> bool:
    """Whether ``path`` is a zip with a manifest.csv."""
    try:
        with zipfile.ZipFile(path) as archive:
            return manifest_folder(archive.namelist()) is not None
    except (OSError, zipfile.BadZipFile):
        return False


class Files:
    """The CSV files of the zip's manifest folder, by name."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.folder = manifest_folder(archive.namelist()) or ""
        # by lower-case name: a tool that writes Users.csv is understood
        self.names = {n[len(self.folder):].lower(): n for n in archive.namelist()
                      if n.startswith(self.folder)}

    def text(self, name: str) -> str:
        """UTF-8 with or without BOM, as OneRoster says (Shift_JIS from an older tool is read too)."""
        return decode_roster(self.archive.read(self.names[name.lower()]), name)[0]


def table(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """(header, [(line, {column: cell})]) of a CSV file; blank lines skipped; a header written
    in another case (SourcedId) or with spaces is read as the OneRoster column."""
    reader = csv.reader(io.StringIO(text))
    header = [COLUMNS.get(h.strip().lower(), h.strip()) for h in next(reader, [])]
    rows, end = [], reader.line_num
    for cells in reader:
        start, end = end + 1, reader.line_num  # a quoted cell may span lines
        if any(c.strip() for c in cells):
            rows.append((start, dict(zip(header, cells, strict=False))))
    return header, rows


def read_manifest(files: Files, name: str, _) -> tuple[dict[str, str], list[Row]]:
    """({file: mode}, problem rows) from manifest.csv; a wrong version refuses the whole zip."""
    header, rows = table(files.text("manifest.csv"))
    props = {norm(r.get("propertyName", "")).lower(): (line, norm(r.get("value", "")))
             for line, r in rows}
    if [h.lower() for h in header[:2]] != ["propertyname", "value"]:
        raise CourseError(_("{name}: manifest.csv must have the columns propertyName,value (it has: "
                            "{found}). Export the roster again as OneRoster 1.2 CSV (Japan Profile).")
                          .format(name=name, found=",".join(header) or "nothing"))
    version = props.get("oneroster.version", (0, ""))[1]
    if version.upper() != VERSION.upper():
        raise CourseError(_("{name}: manifest.csv says oneroster.version {version!r}, but Manabu reads "
                            "OneRoster 1.2 Japan Profile ({expected}). Export the roster again in "
                            "that format (学習eポータル: OneRoster 1.2 JP).")
                          .format(name=name, version=version or "(none)", expected=VERSION))
    modes, problems = {}, []
    for file in FILES:
        line, mode = props.get(f"file.{file}".lower(), (0, "absent"))
        mode = mode.lower() or "absent"
        if mode not in MODES:
            problems.append(problem_row("manifest.csv", line, _("file.{file} is {mode!r}: it must be "
                                        "bulk, delta or absent").format(file=file, mode=mode)))
            mode = "absent"
        if mode != "absent" and f"{file}.csv".lower() not in files.names:
            problems.append(problem_row("manifest.csv", line, _("the manifest says {file}.csv is "
                                        "there ({mode}), but the zip has no {file}.csv: export the "
                                        "roster again").format(file=file, mode=mode)))
            mode = "absent"
        modes[file] = mode
    return modes, problems


def problem_row(file: str, line: int, problem: str, raw_id: str = "") -> Row:
    row = Row(line, raw_id, "", "", "")
    row.file = file
    row.problems.append(problem)
    return row


def read_file(files: Files, file: str, _) -> tuple[list[Record], list[Row]]:
    """The records of ``file``.csv, each checked for its required values, status and duplicates."""
    name = f"{file}.csv"
    try:
        header, rows = table(files.text(name))
    except CourseError:
        return [], [problem_row(name, 1, _("{name} is not UTF-8 text: export it again as UTF-8")
                                .format(name=name))]
    problems = []
    lost = [c for c in NEEDED.get(file, []) if c not in header]
    if lost:  # without these columns no row of the file can be used
        return [], [problem_row(name, 1, _("{name} has no column {columns}: none of its {n} rows "
                                           "were read. Export the roster again.").format(
            name=name, columns=", ".join(lost), n=len(rows)))]
    thin = [c for c in REQUIRED.get(file, []) if c not in header]
    if thin:
        problems.append(problem_row(name, 1, _("{name} has no column {columns} (OneRoster requires "
                                               "it); its rows were read without it").format(
            name=name, columns=", ".join(thin))))
    records = [Record(name, line, cells) for line, cells in rows]
    for record in records:
        for column in NEEDED.get(file, []) + [c for c in REQUIRED.get(file, []) if c in header]:
            if not record.get(column):
                record.problems.append(_("no {column}").format(column=column))
        status = record.get("status").lower()
        if status not in ("", "active", "tobedeleted"):
            record.problems.append(_("status {status!r} is neither active nor tobedeleted")
                                   .format(status=record.get("status")))
        for column in DATES:
            if record.get(column) and not is_date(record.get(column)):
                record.problems.append(_("{column} {value!r} is not a date (2026-04-01 or "
                                         "2026-04-01T09:00:00Z)").format(column=column,
                                                                         value=record.get(column)))
        if record.get("enabledUser").lower() not in ("", "true", "false"):
            record.problems.append(_("enabledUser {value!r} is neither true nor false").format(
                value=record.get("enabledUser")))
        bad = [g for g in split_list(record.get("grades")) if g not in GRADES]
        if bad:
            record.problems.append(_("grade {grades} is not a MEXT grade code (P1-P6, J1-J3, H1-H3, "
                                     "E1-E3)").format(grades=", ".join(bad)))
    by_id: dict[str, list[Record]] = {}
    for record in records:
        if record.sid:
            by_id.setdefault(record.sid, []).append(record)
    for sid, group in by_id.items():
        if len(group) > 1:
            lines = ", ".join(str(r.line) for r in group)
            for record in group:
                record.problems.append(_("sourcedId {sid!r} is on lines {lines}: keep one line and "
                                         "import again").format(sid=sid, lines=lines))
    return records, problems


def is_date(value: str) -> bool:
    """An ISO 8601 date or date and time, as OneRoster writes them."""
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def split_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


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
