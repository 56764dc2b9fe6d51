"""``manabu roster import``: read the class list a school exports and check every row.

A roster is a CSV file with one person a row: student id, name, class and role (student or
teacher), with English or Japanese headers (学籍番号, 氏名, クラス, 役割 ...), saved as UTF-8
(with or without BOM) or Shift_JIS/CP932. Reading never stops at a bad row: each row gets its
problems, and :mod:`autograder.school.roster_import` puts the good rows in.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from autograder.paths import CourseError

# normalised header (NFKC, lower case, "_"/"-" as spaces) -> column
HEADERS = {
    "id": {"id", "student id", "studentid", "student number", "user", "username", "user name",
           "login", "学籍番号", "生徒番号", "児童番号", "id番号", "ユーザー名", "ユーザ名",
           "ユーザーid", "ログインid", "アカウント"},
    "name": {"name", "full name", "student name", "氏名", "名前", "生徒氏名", "児童氏名",
             "児童生徒氏名", "生徒名", "児童名"},
    "last_name": {"last name", "family name", "surname", "姓", "氏"},
    "first_name": {"first name", "given name", "名"},
    "class": {"class", "class name", "homeroom", "クラス", "組", "学級", "学年組", "クラス名"},
    "role": {"role", "type", "役割", "区分", "種別", "立場", "ロール"},
    "grade": {"学年", "grade", "grade level", "year group"},  # with 組: the class is 学年+組
    "number": {"出席番号", "番号", "attendance number", "class number"},  # ids when there are none
}
ROLES = {
    "student": {"student", "pupil", "learner", "生徒", "児童", "学生", "児童生徒"},
    "teacher": {"teacher", "grader", "instructor", "staff", "教員", "教師", "先生", "教職員",
                "担任", "教諭"},
}
USERNAME = re.compile(r"[a-z][a-z0-9_-]*")
MAX_USERNAME = 32  # Unix user names (useradd) are at most 32 characters
CLASS_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,30}")  # as deploy/hub's class ids: names groups
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


@dataclass
class Row:
    """One person from the roster, as read and checked."""

    line: int                    # the line in the CSV file (the header is line 1)
    raw_id: str
    name: str
    klass: str                   # the class key (one of the course's classes) or as written
    role: str                    # "student" or "teacher" (or as written when unknown)
    username: str = ""
    first_name: str = ""
    last_name: str = ""
    problems: list[str] = field(default_factory=list)
    file: str = ""               # the file of a zip (OneRoster) the row comes from
    skip: str = ""               # why a good row is left out on purpose (not an error)
    remove: bool = False         # OneRoster tobedeleted: take the person out of the class

    @property
    def ok(self) -> bool:
        return not self.problems


def norm(text: str) -> str:
    """NFKC (full-width digits/letters and half-width kana become ordinary), spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def _header_key(text: str) -> str:
    return norm(text.replace("_", " ").replace("-", " ")).lower()


# -------------------------------------------------------------------------------- encodings
def _japanese(text: str) -> int:
    """How many kanji, hiragana and full-width katakana ``text`` has."""
    return len(CJK.findall(text))


def _plausible(text: str) -> bool:
    """No control characters, private-use or unassigned code points: real text, not mojibake."""
    return not any(unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs") and ch not in "\t\r\n"
                   for ch in text)


def _try(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return text if _plausible(text) else None


def decode_roster(data: bytes, name: str = "the roster") -> tuple[str, str]:
    """(text, encoding) of a CSV file: UTF-8 with or without BOM, or Shift_JIS (CP932)."""
    save_as = ("Open it in Excel or LibreOffice and save it as 'CSV UTF-8 (comma delimited)', "
               "then import that file.")
    data = data.rstrip(b"\x1a")  # the end-of-file mark some older school systems still write
    head = data[:4000]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or max(head[0::2].count(0), head[1::2].count(0)) \
            > len(head) // 4:  # every other byte NUL: UTF-16 without BOM
        raise CourseError(f"{name} is saved as UTF-16 ('Unicode text'), which Manabu does not read. "
                          + save_as)
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as err:
            raise CourseError(f"{name} starts like UTF-8 but byte {err.start + 3} is not UTF-8. "
                              + save_as) from None
    try:
        text = data.decode("utf-8")
        if _plausible(text):
            return text, "utf-8"
    except UnicodeDecodeError:
        pass
    sjis, euc = _try(data, "cp932"), _try(data, "euc_jp")
    # EUC-JP bytes often also decode as CP932 half-width kana: which reading is Japanese?
    if euc is not None and _japanese(euc) > (_japanese(sjis) if sjis is not None else -1):
        raise CourseError(f"{name} looks like EUC-JP, which Manabu does not read. " + save_as)
    if sjis is not None:
        return sjis, "cp932"
    raise CourseError(f"{name} is neither UTF-8 nor Shift_JIS text (it may be another encoding "
                      "or not a CSV file at all). " + save_as)


# ------------------------------------------------------------------------------ reading
def read_table(text: str, name: str = "the roster") -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """({column: index}, [(line, cells)]) from CSV text; comma, semicolon or tab separated."""
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(",;\t", key=first.count) if first else ","
    lines = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not lines or not any(cell.strip() for cell in lines[0]):
        raise CourseError(f"{name} is empty: it needs a header row (student id, name, class, role) "
                          "and one row per person.")
    columns: dict[str, int] = {}
    for index, header in enumerate(lines[0]):
        key = _header_key(header)
        for column, names in HEADERS.items():
            if key in names and column not in columns:
                columns[column] = index
    missing = [c for c in ("id", "class") if c not in columns
               and not (c == "id" and "number" in columns)]
    if "name" not in columns and not {"last_name", "first_name"} <= set(columns):
        missing.append("name")
    if missing:
        found = ", ".join(h.strip() for h in lines[0] if h.strip()) or "nothing"
        raise CourseError(f"{name} has no {' / '.join(missing)} column (its header row has: {found}). "
                          "Name the columns: id, name, class, role (or 学籍番号, 氏名, クラス, 役割).")
    rows = [(number, cells) for number, cells in enumerate(lines[1:], start=2)
            if any(cell.strip() for cell in cells)]  # spreadsheets leave blank lines at the end
    return columns, rows


def split_name(name: str) -> tuple[str, str]:
    """(first, last). Japanese names are written family name first ("山田 太郎"); others
    given name first ("Alice Smith"). One word: it is the last name."""
    parts = name.split()
    if len(parts) < 2:
        return "", name
    if CJK.search(name):
        return " ".join(parts[1:]), parts[0]
    return " ".join(parts[:-1]), parts[-1]


def check_username(raw_id: str, prefix: str) -> tuple[str, str | None]:
    """(user name, problem or None) for a student id: what Unix and JupyterHub accept."""
    ident = norm(raw_id)
    if not ident:
        return "", "no student id"
    username = (prefix + ident).lower()
    if len(username) > MAX_USERNAME:
        return username, f"id {ident!r} is too long for a user name (at most {MAX_USERNAME} characters)"
    if USERNAME.fullmatch(username):
        return username, None
    if username[0].isdigit() and USERNAME.fullmatch("s" + username):
        return username, (f"id {ident!r} starts with a digit, which a Unix user name cannot: "
                          f"import with --prefix s (the user becomes s{username})")
    bad = "".join(sorted({ch for ch in username if not re.fullmatch(r"[a-z0-9_-]", ch)}))
    return username, (f"id {ident!r} has characters a user name cannot have ({bad!r}): "
                      "use letters a-z, digits, - and _, starting with a letter")


def grade_class(grade: str, kumi: str) -> tuple[str, str]:
    """(class key, label) of a 学年 and a 組 column: 5 + A -> ("5a", "5年A組"), 5 + 1 ->
    ("5-1", "5年1組")."""
    g, k = norm(grade).removesuffix("年").strip(), norm(kumi).removesuffix("組").strip()
    if not (g and k):
        return "", ""
    return (f"{g}-{k}" if k.isdigit() else f"{g}{k}").lower(), f"{g}年{k}組"


def generated_id(klass: str, number: str) -> tuple[str, str | None]:
    """(id, problem) when the export has no ids: ``<class key>-<出席番号, two digits>``, to which
    the prefix (default ``s``) is added: 5年A組 3番 -> s5a-03. It changes when a child changes
    class: for accounts that last, export the 学籍番号 too."""
    number = norm(number)
    if not number.isdigit():
        return "", "no 出席番号 (attendance number): the id is made from class and number"
    return f"{klass}-{int(number):02d}", None


def parse_roster(text: str, classes: dict[str, str], prefix: str = "",
                 name: str = "the roster") -> list[Row]:
    """Every row of the roster, checked against the course's ``classes`` ({key: label})."""
    columns, table = read_table(text, name)
    by_label = {}
    for key, label in classes.items():
        by_label[norm(key).lower()] = key
        by_label[norm(label).lower()] = key

    def cell(cells, column):
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    rows = []
    for line, cells in table:
        if "name" in columns:
            full = norm(cell(cells, "name"))
            first, last = split_name(full)
        else:
            first, last = norm(cell(cells, "first_name")), norm(cell(cells, "last_name"))
            full = " ".join(p for p in ((last, first) if CJK.search(last + first) else (first, last)) if p)
        written_class = norm(cell(cells, "class"))
        klass = by_label.get(written_class.lower(), written_class)
        key = klass
        if "grade" in columns:  # 5 + A: "5a", or the course's label 5年A組
            key, written_class = grade_class(cell(cells, "grade"), cell(cells, "class"))
            klass = by_label.get(key) or by_label.get(written_class.lower()) or key
        written_role = norm(cell(cells, "role")).lower()
        role = next((r for r, words in ROLES.items() if written_role in words),
                    "student" if not written_role else written_role)
        row = Row(line, norm(cell(cells, "id")), full, klass, role, first_name=first, last_name=last)
        problem = None
        if "id" not in columns:
            row.raw_id, problem = generated_id(key, cell(cells, "number"))
        if not problem:
            row.username, problem = check_username(row.raw_id, prefix or ("s" if "id" not in columns else ""))
        if problem:
            row.problems.append(problem)
        if not full:
            row.problems.append("no name")
        if not written_class:
            row.problems.append("no class")
        elif row.klass not in classes:
            known = ", ".join(classes) or "none"
            option = (written_class.lower() if CLASS_KEY.fullmatch(written_class.lower())
                      else f"{key}={written_class}" if CLASS_KEY.fullmatch(key)
                      else f"NAME={written_class} (NAME: a-z, digits, -)")
            row.problems.append(f"class {written_class!r} is not a class of this course ({known}): "
                                f"add it with --class {option} or import the row into its own course")
        if role not in ROLES:
            row.problems.append(f"role {written_role!r} is neither student nor teacher (生徒 / 教員)")
        rows.append(row)
    check_duplicates(rows)
    return rows


def check_duplicates(rows: list[Row]) -> None:
    """Rows of one id must agree on name and role; a student is in one class only. A teacher
    may have one row per class; an exact repeat is harmless. Disagreeing rows are all refused:
    which one is right is for the school to say."""
    by_user: dict[str, list[Row]] = {}
    for row in rows:
        if row.username:
            by_user.setdefault(row.username, []).append(row)
    for group in by_user.values():
        if len(group) < 2:
            continue
        names = {r.name for r in group}
        roles = {r.role for r in group}
        classes = {r.klass for r in group}
        conflict = len(names) > 1 or len(roles) > 1 or (roles == {"student"} and len(classes) > 1)
        if conflict:
            lines = ", ".join(str(r.line) for r in group)
            for row in group:
                row.problems.append(f"id {row.raw_id!r} is on lines {lines} with different "
                                    "names, roles or classes: keep one line and import again")


def read_roster(path: Path, classes: dict[str, str], prefix: str = "") -> tuple[list[Row], str]:
    """(rows, encoding) of a roster file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise CourseError(f"Cannot read the roster {path}: {err.strerror}. "
                          "Check the file name.") from None
    text, encoding = decode_roster(data, str(path))
    return parse_roster(text, classes, prefix, str(path)), encoding


def parse_classes(values: list[str]) -> dict[str, str]:
    """``--class 5a`` or ``--class 5a=5年A組`` (key=label as written in the roster), repeatable
    or comma separated -> {key: label}."""
    classes = {}
    for value in values:
        for item in filter(None, (v.strip() for v in value.split(","))):
            key, _, label = item.partition("=")
            key = norm(key).lower()
            if not CLASS_KEY.fullmatch(key):
                raise CourseError(f"--class {item!r}: a class name is made of letters a-z, digits "
                                  "and '-' (e.g. 5a or 5-1). For a name like 5年A組 write "
                                  "--class 5a=5年A組.")
            classes[key] = norm(label) or key
    return classes
