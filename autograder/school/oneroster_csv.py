"""The files of a OneRoster 1.2 CSV zip, Japan Profile: its manifest, each file's rows (with the
line they start on), and the checks every row of any file gets (required values, status, dates,
MEXT grade codes, duplicate sourcedIds). A bad row keeps its problems, in the teacher's language.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from autograder.paths import CourseError
from autograder.school.roster import Row, decode_roster, norm

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
