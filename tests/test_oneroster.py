"""OneRoster 1.2 CSV, Japan Profile: ``manabu roster import`` of a school's zip (bulk, then delta)
with every kind of bad row, each reported with its file, line and reason, every good row in; a
dry run that writes nothing; a rerun that changes nothing; tobedeleted that takes people out of
their class and keeps their work (in memory and through a real JupyterHub); and ``manabu roster
export-results`` read back."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from test_roster import TOKEN, hub, hub_state  # noqa: F401  (hub: the real JupyterHub fixture)

from autograder.build.nbconfig import write_config
from autograder.cli import main
from autograder.paths import CourseError
from autograder.school import roster_import

T = "2026-04-01T00:00:00.000Z"
HEAD = {  # OneRoster 1.2 CSV binding columns (Japan Profile metadata.jp.* at the right)
    "orgs": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
    "academicSessions": "sourcedId,status,dateLastModified,title,type,startDate,endDate,"
                        "parentSourcedId,schoolYear",
    "courses": "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
               "orgSourcedId,subjects,subjectCodes",
    "classes": "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,"
               "location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods,"
               "metadata.jp.specialNeeds",
    "users": "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,"
             "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,"
             "userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,"
             "preferredFamilyName,primaryOrgSourcedId,pronouns,metadata.jp.kanaGivenName,"
             "metadata.jp.kanaFamilyName,metadata.jp.kanaMiddleName,metadata.jp.homeClass",
    "roles": "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,"
             "orgSourcedId,userProfileSourcedId",
    "enrollments": "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,"
                   "role,primary,beginDate,endDate,metadata.jp.ShussekiNo,metadata.jp.PublicFlg",
    "demographics": "sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,"
                    "asian,blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,"
                    "demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,"
                    "stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus",
}


def user(sid, username, given, family, grades="P5", home="", kana=("", ""), status="active",
         enabled="true"):
    return (f"{sid},{status},{T},{enabled},{username},,{given},{family},,,,,,,{grades},,,,,,,"
            f"org1,,{kana[0]},{kana[1]},,{home}")


def klass(sid, title, grades="P5", kind="homeroom", school="org1", status="active", code=""):
    return f"{sid},{status},{T},{title},{grades},crs-hr,{code},{kind},,{school},as2026,,,,false"


def enrol(sid, klass_sid, user_sid, role="student", number="", status="active"):
    primary = "true" if role == "teacher" else "false"
    return f"{sid},{status},{T},{klass_sid},org1,{user_sid},{role},{primary},,,{number},false"


BULK = {
    "orgs": [f"org1,active,{T},横浜市立みなと小学校,school,B114210000010,"],
    "academicSessions": [f"as2026,active,{T},2026年度,schoolYear,2026-04-01,2027-03-31,,2026"],
    "courses": [f"crs-hr,active,{T},as2026,ホームルーム,,P5,org1,,"],
    "classes": [  # lines 2..
        klass("cls-5-1", "5年1組"),                       # 2 ok -> 5-1
        klass("cls-5-2", "5年2組"),                       # 3 ok -> 5-2
        klass("cls-math", "5年算数", kind="scheduled"),   # 4 a subject class: left out on purpose
        klass("cls-5-3", "5年3組", grades="G5"),          # 5 not a MEXT grade code
        klass("cls-dup", "6年1組", grades="P6"),          # 6 duplicate sourcedId
        klass("cls-dup", "6年2組", grades="P6"),          # 7 duplicate sourcedId
        klass("cls-5-4", "5年4組", school="org9"),        # 8 a school not in orgs.csv
    ],
    "users": [
        user("u1", "s1001@minato.ed.jp", "太郎", "山田", home="cls-5-1", kana=("ﾀﾛｳ", "ﾔﾏﾀﾞ")),  # 2
        user("u2", "s1002@minato.ed.jp", "花子", "佐藤", kana=("ハナコ", "サトウ")),              # 3
        user("u3", "s1003", "三郎", "鈴木", home="cls-5-2"),      # 4 homeClass, no enrollment
        user("u4", "t001", "先生", "高橋", grades=""),             # 5 teacher of two classes
        user("u5", "s1005", "五郎", "伊藤", grades="5"),           # 6 not a MEXT grade code
        user("u6", "s1006", "六子", "渡辺"),                       # 7 duplicate sourcedId
        user("u6", "s1066", "六美", "渡辺"),                       # 8 duplicate sourcedId
        user("u7", "1007", "七海", "中村"),                        # 9 user name starts with a digit
        user("u8", "s1008", "", "小林"),                           # 10 no givenName
        user("u9", "s1009", "九", "加藤"),                         # 11 student and teacher roles
        user("u10", "g010", "保護者", "山田", grades=""),          # 12 a guardian
        user("u11", "s1011", "十一", "吉田"),                      # 13
        user("u12", "s1012", "十二", "山口"),                      # 14
        user("u13", "s1013", "十三", "松本", home="cls-404"),      # 15 homeClass not in classes.csv
        user("u14", "s1014", "十四", "林"),                        # 16 student and teacher
        user("u15", "s1015", "十五", "森"),                        # 17 student of two classes
        user("u16", "S1017", "十六", "森"),                        # 18 the same user name ...
        user("u17", "s1017", "十七", "森"),                        # 19 ... as this one
        user("u18", "s1018", "十八", "森", enabled="yes"),          # 20 enabledUser not a boolean
    ],
    "roles": [
        f"r1,active,{T},u1,primary,student,,,org1,",
        f"r4,active,{T},u4,primary,teacher,,,org1,",
        f"r9a,active,{T},u9,primary,student,,,org1,",
        f"r9b,active,{T},u9,secondary,teacher,,,org1,",
        f"r99,active,{T},u2,primary,,,,org1,",                    # 6 no role
        f"r7,active,{T},u77,primary,student,,,org1,",             # 7 a user not in users.csv
        "r8,active,2026/04/01,u2,primary,student,,,org1,",       # 8 not an ISO date
    ],
    "enrollments": [
        enrol("e1", "cls-5-1", "u1", number="1"),            # 2 ok
        enrol("e2", "cls-5-2", "u2", number="２"),           # 3 ok (full-width 出席番号)
        enrol("e4a", "cls-5-1", "u4", "teacher"),            # 4 ok
        enrol("e4b", "cls-5-2", "u4", "teacher"),            # 5 ok
        enrol("e5", "cls-5-1", "u5"),                        # 6 user left out (grade)
        enrol("e6", "cls-5-1", "u6"),                        # 7 user left out (duplicate)
        enrol("e7", "cls-5-1", "u7"),                        # 8 user left out (digit)
        enrol("e9", "cls-5-1", "u9", number="9"),            # 9 ok
        enrol("e10", "cls-5-1", "u10", "guardian"),          # 10 a guardian: left out on purpose
        enrol("e11", "cls-404", "u1"),                       # 11 class not in classes.csv
        enrol("e12", "cls-5-1", "u404"),                     # 12 user not in users.csv
        enrol("e13", "cls-math", "u2"),                      # 13 subject class: on purpose
        enrol("e14", "cls-5-1", "u11"),                      # 14 duplicate sourcedId
        enrol("e14", "cls-5-2", "u11"),                      # 15 duplicate sourcedId
        enrol("e15", "cls-5-1", "u12", number="三"),         # 16 shussekiNo not a number
        enrol("e16", "cls-5-3", "u2"),                       # 17 class left out (grade)
        enrol("e17", "cls-5-1", "u12", role=""),             # 18 no role
        enrol("e18", "cls-5-1", "u2", status="retired"),     # 19 unknown status
        enrol("e19", "cls-5-1", "u13").replace(",org1,", ",org7,"),  # 20 school not in orgs.csv
        enrol("e20", "cls-5-1", "u14"),                      # 21 student ...
        enrol("e21", "cls-5-2", "u14", "teacher"),           # 22 ... and teacher
        enrol("e22", "cls-5-1", "u15"),                      # 23 5-1 ...
        enrol("e23", "cls-5-2", "u15"),                      # 24 ... and 5-2
        enrol("e24", "cls-5-1", "u16"),                      # 25 u16 and u17 are both s1017
        enrol("e25", "cls-5-1", "u17"),                      # 26
    ],
    "demographics": [f"u1,active,{T},2016-05-01,male,,,,,,,,,,,"],
}
EXPECTED_ERRORS = {  # (file, line) -> words of its reason
    ("classes.csv", 5): "grade G5 is not a MEXT grade code",
    ("classes.csv", 6): "sourcedId 'cls-dup' is on lines 6, 7",
    ("classes.csv", 7): "sourcedId 'cls-dup' is on lines 6, 7",
    ("classes.csv", 8): "schoolSourcedId 'org9' is not in orgs.csv",
    ("users.csv", 6): "grade 5 is not a MEXT grade code",
    ("users.csv", 7): "sourcedId 'u6' is on lines 7, 8",
    ("users.csv", 8): "sourcedId 'u6' is on lines 7, 8",
    ("users.csv", 9): "starts with a digit",
    ("users.csv", 10): "no givenName",
    ("users.csv", 15): "homeClass 'cls-404' is not in classes.csv",
    ("roles.csv", 6): "no role",
    ("roles.csv", 7): "userSourcedId 'u77' is not in users.csv",
    ("roles.csv", 8): "dateLastModified '2026/04/01' is not a date",
    ("users.csv", 20): "enabledUser 'yes' is neither true nor false",
    ("enrollments.csv", 6): "user 'u5' was left out",
    ("enrollments.csv", 7): "user 'u6' was left out",
    ("enrollments.csv", 8): "user 'u7' was left out",
    ("enrollments.csv", 11): "class 'cls-404' is not in classes.csv",
    ("enrollments.csv", 12): "user 'u404' is not in users.csv",
    ("enrollments.csv", 14): "sourcedId 'e14' is on lines 14, 15",
    ("enrollments.csv", 15): "sourcedId 'e14' is on lines 14, 15",
    ("enrollments.csv", 16): "shussekiNo '三' is not a number",
    ("enrollments.csv", 17): "class 'cls-5-3' was left out",
    ("enrollments.csv", 18): "no role",
    ("enrollments.csv", 19): "status 'retired' is neither active nor tobedeleted",
    ("enrollments.csv", 20): "schoolSourcedId 'org7' is not in orgs.csv",
    ("enrollments.csv", 21): "s1014 is a student and a teacher (enrollments.csv 21, enrollments.csv 22)",
    ("enrollments.csv", 22): "s1014 is a student and a teacher",
    ("enrollments.csv", 23): "s1015 is a student of several classes",
    ("enrollments.csv", 24): "s1015 is a student of several classes",
    ("enrollments.csv", 25): "user name s1017 is given to several users (enrollments.csv 25, "
                             "enrollments.csv 26)",
    ("enrollments.csv", 26): "user name s1017 is given to several users",
}
SKIPPED = {("enrollments.csv", 10), ("enrollments.csv", 13)}
STUDENTS = {"s1001": ("太郎", "山田"), "s1002": ("花子", "佐藤"), "s1003": ("三郎", "鈴木"),
            "s1009": ("九", "加藤")}
GROUPS = {"students-5-1": {"s1001", "s1009"}, "students-5-2": {"s1002", "s1003"},
          "teachers-5-1": {"t001"}, "teachers-5-2": {"t001"},
          "nbgrader-manabu": set(STUDENTS), "formgrade-manabu": {"t001"}}


def manifest(modes: dict[str, str], version: str = "1.2_JP") -> str:
    rows = ["propertyName,value", "manifest.version,1.0", f"oneroster.version,{version}"]
    rows += [f"file.{name},{modes.get(name, 'absent')}" for name in
             ("academicSessions", "categories", "classes", "classResources", "courses",
              "courseResources", "demographics", "enrollments", "lineItems", "orgs", "resources",
              "results", "roles", "userProfiles", "users")]
    rows += ["source.systemName,校務支援システム", "source.systemCode,KOUMU"]
    return "\r\n".join(rows) + "\r\n"


def make_zip(path: Path, files: dict[str, list[str]], modes: dict[str, str] | None = None,
             version: str = "1.2_JP", heads: dict[str, str] | None = None,
             leave_out: tuple[str, ...] = ()) -> Path:
    """A OneRoster zip as a school system writes it: CRLF, UTF-8 with BOM on some files."""
    modes = modes or {name: "bulk" for name in files}
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.csv", manifest(modes, version).encode("utf-8"))
        for index, (name, lines) in enumerate(files.items()):
            if name in leave_out:
                continue
            text = "\r\n".join([(heads or {}).get(name, HEAD[name]), *lines]) + "\r\n"
            archive.writestr(f"{name}.csv", ("\ufeff" if index % 2 else "") + text)
    return path


@pytest.fixture
def course(tmp_path, empty_gradebook):
    path = tmp_path / "course"
    path.mkdir()
    write_config(path, "en")
    shutil.copy(empty_gradebook, path / "gradebook.db")
    return path


class FakeHub:
    """The hub API as roster_import uses it, in memory (the real hub is tested in test_roster)."""
    users: set = set()
    groups: dict = {}

    def __init__(self, url, token=None):
        self.url = url

    def check(self):
        pass

    def user_exists(self, name):
        return name in self.users

    def create_user(self, name):
        self.users.add(name)

    def delete_user(self, name):
        self.users.discard(name)

    def may_manage(self, group):
        return True

    def members(self, group):
        return set(self.groups[group]) if group in self.groups else None

    def create_group(self, group):
        self.groups.setdefault(group, set())

    def add_member(self, group, name):
        self.groups[group].add(name)

    def remove_member(self, group, name):
        self.groups[group].discard(name)


@pytest.fixture
def fake_hub(monkeypatch):
    FakeHub.users, FakeHub.groups = set(), {}
    monkeypatch.setattr(roster_import, "Hub", FakeHub)
    return FakeHub


def report(course: Path) -> dict[tuple[str, int], dict]:
    with (course / roster_import.REPORT).open(encoding="utf-8-sig", newline="") as handle:
        return {(r["file"], int(r["line"])): r for r in csv.DictReader(handle)}


def gradebook_students(course: Path) -> dict[str, tuple]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course}/gradebook.db", "manabu") as gb:
        return {s.id: (s.first_name, s.last_name) for s in gb.students}


def folder_state(folder: Path) -> dict[str, tuple]:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in [folder, *folder.rglob("*")]}


def test_bulk_zip_every_bad_row_reported_every_good_row_in(tmp_path, course, fake_hub, capsys):
    roster = make_zip(tmp_path / "roster.zip", BULK)
    args = ["roster", "import", str(roster), "--course", str(course), "--hub-url", "http://hub"]
    # dry run first: nothing written, not even the classes
    before = folder_state(course)
    assert main(args + ["--dry-run"]) == 1
    assert folder_state(course) == before and fake_hub.users == set()
    assert "Dry run, nothing changed" in capsys.readouterr().out

    assert main(args) == 1  # 1: some rows had problems
    out = capsys.readouterr().out
    assert "OneRoster 1.2_JP" in out and "enrollments.csv line 12" in out
    rows = report(course)
    errors = {key: r["problem"] for key, r in rows.items() if r["result"] == "error"}
    assert set(errors) == set(EXPECTED_ERRORS), sorted(set(errors) ^ set(EXPECTED_ERRORS))
    for key, words in EXPECTED_ERRORS.items():
        assert words in errors[key], (key, errors[key])
    assert {key for key, r in rows.items() if r["result"] == "skipped"} == SKIPPED
    assert gradebook_students(course) == STUDENTS
    assert {g: m for g, m in fake_hub.groups.items()} == GROUPS
    assert fake_hub.users == set(STUDENTS) | {"t001"}
    config = (course / "nbgrader_config.py").read_text()
    assert "c.Manabu.classes = {'5-1': '5年1組', '5-2': '5年2組'}" in config
    ids = json.loads((course / roster_import.IDS).read_text(encoding="utf-8"))
    assert ids["classes"]["5-1"]["sourcedId"] == "cls-5-1"
    assert ids["users"]["s1001"]["sourcedId"] == "u1"
    assert ids["users"]["s1001"]["kana"] == "ヤマダ タロウ"  # half-width kana made full-width
    assert ids["users"]["s1002"]["shussekiNo"] == 2
    assert ids["users"]["t001"]["classes"] == ["5-1", "5-2"]

    # rerun: nothing changes
    state = (set(fake_hub.users), {g: set(m) for g, m in fake_hub.groups.items()})
    assert main(args) == 1
    assert {r["result"] for r in report(course).values()} == {"unchanged", "error", "skipped"}
    assert (fake_hub.users, fake_hub.groups) == state
    assert gradebook_students(course) == STUDENTS


def test_delta_removes_enrollments_and_keeps_work(tmp_path, course, fake_hub, capsys):
    base = ["roster", "import", "--course", str(course), "--hub-url", "http://hub"]
    main(base[:2] + [str(make_zip(tmp_path / "bulk.zip", BULK))] + base[2:])
    delta = {
        "users": [user("u20", "s1020", "二十", "森", home="cls-5-1"),
                  user("u3", "s1003", "三郎", "鈴木", status="tobedeleted"),
                  user("u9", "s1009", "久", "加藤")],                    # 4 a new name
        "enrollments": [enrol("e2", "cls-5-2", "u2", status="tobedeleted"),   # 2 u2 leaves 5-2
                        enrol("e20", "cls-5-1", "u20", number="20"),           # 3 new student
                        enrol("e21", "cls-5-2", "u1", "teacher"),              # 4 known from before
                        enrol("e22", "cls-9-9", "u20")],                       # 5 unknown class
    }
    capsys.readouterr()
    args = base[:2] + [str(make_zip(tmp_path / "delta.zip", delta,
                                    {"users": "delta", "enrollments": "delta"}))] + base[2:]
    assert main(args) == 1
    rows = report(course)
    assert rows[("enrollments.csv", 2)]["result"] == "removed"
    assert rows[("enrollments.csv", 3)]["result"] == "created"
    assert "cls-9-9" in rows[("enrollments.csv", 5)]["problem"]
    assert rows[("users.csv", 3)]["result"] == "removed"   # u3 deleted: out of its homeClass
    assert rows[("users.csv", 4)]["result"] == "updated"
    assert gradebook_students(course)["s1009"] == ("久", "加藤")
    assert "s1002" not in fake_hub.groups["students-5-2"] and "s1003" not in fake_hub.groups["students-5-2"]
    assert "s1020" in fake_hub.groups["students-5-1"]
    # their work and gradebook entries stay
    assert {"s1002", "s1003", "s1020"} <= set(gradebook_students(course))
    assert "s1002" in fake_hub.users
    ids = json.loads((course / roster_import.IDS).read_text(encoding="utf-8"))
    assert ids["users"]["s1002"]["classes"] == [] and ids["users"]["s1020"]["classes"] == ["5-1"]
    # the same delta again: nothing more to do
    assert main(args) == 1
    assert {r["result"] for r in report(course).values()} <= {"unchanged", "error"}


@pytest.mark.parametrize("kind", ["version", "no manifest", "missing file", "missing column"])
def test_broken_zips_are_told(tmp_path, course, kind, capsys):
    args = ["roster", "import", "--course", str(course)]
    path = tmp_path / "roster.zip"
    if kind == "version":
        make_zip(path, BULK, version="1.2")
        assert main(args[:2] + [str(path)] + args[2:]) == 2
        assert "oneroster.version '1.2'" in capsys.readouterr().err
    elif kind == "no manifest":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("users.csv", HEAD["users"])
        assert main(args[:2] + [str(path)] + args[2:]) == 2  # read as a CSV roster: refused
    elif kind == "missing file":
        make_zip(path, BULK, leave_out=("classes",))
        assert main(args[:2] + [str(path)] + args[2:]) == 1
        rows = report(course)
        assert "the zip has no classes.csv" in rows[("manifest.csv", 6)]["problem"]
        assert "class 'cls-5-1' is not in classes.csv" in rows[("enrollments.csv", 2)]["problem"]
    else:
        heads = {"users": HEAD["users"].replace("username", "login"),
                 "enrollments": HEAD["enrollments"].replace("schoolSourcedId", "school")}
        make_zip(path, BULK, heads=heads)
        assert main(args[:2] + [str(path)] + args[2:]) == 1
        rows = report(course)
        assert "users.csv has no column username" in rows[("users.csv", 1)]["problem"]
        assert "enrollments.csv has no column schoolSourcedId" in rows[("enrollments.csv", 1)]["problem"]
        assert "user 'u1' was left out" in rows[("enrollments.csv", 2)]["problem"]
        assert gradebook_students(course) == {}


def test_problems_in_the_teachers_language(tmp_path, course):
    from autograder.school.oneroster import read_oneroster
    from course.i18n import translator

    roster = read_oneroster(make_zip(tmp_path / "r.zip", BULK), {}, "", {}, translator("ja"))
    problems = " ".join(p for r in roster.rows for p in r.problems)
    assert "ユーザー 'u404' が users.csv にありません" in problems and "文部科学省の学年コード" in problems
    assert "数字で始まっていて" in problems and "は教科のクラス" in " ".join(r.skip for r in roster.rows)
    with pytest.raises(CourseError, match="OneRoster 1.2 日本プロファイル"):
        read_oneroster(make_zip(tmp_path / "v.zip", BULK, version="1.1"), {}, "", {}, translator("ja"))


def read_zip(path: Path) -> dict[str, list[dict]]:
    with zipfile.ZipFile(path) as archive:
        return {name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))
                for name in archive.namelist()}


def test_export_results_read_back(tmp_path, course, capsys):
    main(["roster", "import", str(make_zip(tmp_path / "bulk.zip", BULK)), "--course", str(course)])
    (course / "grades.csv").write_text(
        "student,lesson,score,max_score,status,needs_manual\n"
        "s1001,e03,8,10,ok,no\n"
        "s1002,e03,5,10,ok,yes\n"
        "s1003,e03,0,10,missing: e03.ipynb was not submitted,no\n"
        "s1009,e03,0,10,\"'=HYPERLINK(\"\"http://x\"\")\",no\n"
        "local1,e03,9,10,ok,no\n"
        "s1001,e04,3,4,ok,no\n", encoding="utf-8")
    out = tmp_path / "results.zip"
    assert main(["roster", "export-results", "--course", str(course), "--lesson", "e03",
                 "--out", str(out)]) == 0
    assert "local1" in capsys.readouterr().out  # named as left out
    files = read_zip(out)
    assert set(files) == {"manifest.csv", "categories.csv", "lineItems.csv", "results.csv"}
    props = {r["propertyName"]: r["value"] for r in files["manifest.csv"]}
    assert props["oneroster.version"] == "1.2" and props["file.results"] == "bulk"
    assert props["file.users"] == "absent"
    assert list(files["lineItems.csv"][0]) == [
        "sourcedId", "status", "dateLastModified", "title", "description", "assignDate", "dueDate",
        "classSourcedId", "categorySourcedId", "gradingPeriodSourcedId", "resultValueMin",
        "resultValueMax"]
    assert list(files["results.csv"][0]) == [
        "sourcedId", "status", "dateLastModified", "lineItemSourcedId", "studentSourcedId",
        "scoreStatus", "score", "scoreDate", "comment"]
    assert all("e03" in r["sourcedId"] for r in files["lineItems.csv"])  # --lesson e03 only
    items = {r["classSourcedId"]: r for r in files["lineItems.csv"]}
    assert set(items) == {"cls-5-1", "cls-5-2"}
    assert items["cls-5-1"]["resultValueMax"] == "10" and items["cls-5-1"]["categorySourcedId"] == \
        files["categories.csv"][0]["sourcedId"]
    results = {r["studentSourcedId"]: r for r in files["results.csv"]}
    assert set(results) == {"u1", "u2", "u3", "u9"}
    assert (results["u1"]["score"], results["u1"]["scoreStatus"]) == ("8", "fully graded")
    assert results["u2"]["scoreStatus"] == "partially graded"
    assert (results["u3"]["score"], results["u3"]["scoreStatus"]) == ("", "not submitted")
    assert results["u9"]["comment"].startswith("'")  # a formula is not run by a spreadsheet
    assert results["u1"]["lineItemSourcedId"] == items["cls-5-1"]["sourcedId"]
    assert results["u2"]["lineItemSourcedId"] == items["cls-5-2"]["sourcedId"]


def test_export_without_a_oneroster_import_says_what_to_do(course, tmp_path, capsys):
    assert main(["roster", "export-results", "--course", str(course), "--out",
                 str(tmp_path / "x.zip")]) == 2
    assert "Import the school's OneRoster zip first" in capsys.readouterr().err


def test_a_messy_school_export_still_goes_in(tmp_path):
    """Files in a folder of the zip, a header in another case, NULL for none, a teacher known
    only by homeClass, a class written "1組" with its grade code, a multi-line quoted cell, a
    mail address as username, a user in no class (reported, not an error)."""
    from autograder.school.oneroster import read_oneroster
    from course.i18n import translator

    files = {
        "classes": [klass("c1", "1組", grades="P6"),
                    'c2,active,,"6年\r\n2組",P6,crs-hr,,homeroom,,org1,as2026,,,,'],
        "users": [user("u1", "s2001", "一", "青木", grades="P6", home="c1").replace(",,,,,,", ",NULL,,,,,", 1),
                  user("t1", "t100", "先生", "石井", grades="NULL", home="c1"),
                  user("u2", "jiro.inoue@sho.ed.jp", "二", "井上", grades="P6"),
                  user("u3", "s2003", "三", "上田", grades="P6")],   # in no class
        "roles": [f"rt,active,{T},t1,primary,teacher,,,org1,"],
        "enrollments": [enrol("e1", "c2", "u2", number="NULL")],
    }
    heads = {"users": HEAD["users"].replace("sourcedId", "SourcedId").replace("username", " UserName")}
    inner = make_zip(tmp_path / "inner.zip", files, heads=heads)
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(inner) as src, zipfile.ZipFile(path, "w") as dst:
        for name in src.namelist():
            dst.writestr("2026-04-01 名簿/" + name, src.read(name))
    roster = read_oneroster(path, {}, "", {}, translator("en"))
    assert [(r.file, r.line, r.username, r.klass, r.role, r.problems) for r in roster.rows] == [
        ("enrollments.csv", 2, "jiro-inoue", "6-2", "student", []),
        ("users.csv", 2, "s2001", "6-1", "student", []),
        ("users.csv", 3, "t100", "6-1", "teacher", []),
        ("users.csv", 5, "s2003", "", "student", []),
    ]
    assert roster.rows[-1].skip == "in no class: no enrollment and no homeClass"
    assert roster.classes["6-2"]["title"] == "6年 2組"


def test_class_option_takes_one_class_of_a_school_wide_zip(tmp_path, course, capsys):
    """On the school hub a course is one class: the zip's other classes are left out on purpose,
    not errors."""
    roster = make_zip(tmp_path / "roster.zip", BULK)
    main(["roster", "import", str(roster), "--course", str(course), "--class", "5-2=5年2組"])
    rows = report(course)
    assert rows[("enrollments.csv", 2)]["result"] == "skipped"  # s1001 of 5-1
    assert "not one of the classes given with --class" in rows[("enrollments.csv", 2)]["problem"]
    assert rows[("enrollments.csv", 3)]["result"] == "created"  # s1002 of 5-2
    assert set(gradebook_students(course)) == {"s1002", "s1003", "s1015"}  # 5-1 is not here
    assert "c.Manabu.classes = {'5-2': '5年2組'}" in (course / "nbgrader_config.py").read_text()


def test_real_hub_bulk_then_delta(tmp_path, course, hub, capsys):  # noqa: F811
    """The same zips through a real JupyterHub's API (test_roster's hub)."""
    args = ["roster", "import", "--course", str(course), "--hub-url", hub, "--hub-token", TOKEN]
    assert main(args[:2] + [str(make_zip(tmp_path / "bulk.zip", BULK))] + args[2:]) == 1
    users, groups = hub_state(hub)
    assert set(STUDENTS) | {"t001"} <= users
    assert {g: groups[g] for g in GROUPS} == GROUPS
    delta = {"enrollments": [enrol("e2", "cls-5-2", "u2", status="tobedeleted")]}
    assert main(args[:2] + [str(make_zip(tmp_path / "delta.zip", delta, {"enrollments": "delta"}))]
                + args[2:]) == 0
    users, groups = hub_state(hub)
    assert groups["students-5-2"] == {"s1003"} and "s1002" in users
    assert "s1002" in groups["nbgrader-manabu"] and "s1002" in gradebook_students(course)
