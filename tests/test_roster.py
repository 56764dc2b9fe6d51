"""``manabu roster import``: a messy class list gives exactly the expected users, groups, gradebook
students and error report; Shift_JIS is read, other encodings get a clear message; a real
JupyterHub (with configurable-http-proxy from npm) ends up with exactly the expected users and
groups, a row whose later step fails leaves nothing behind, and a rerun changes nothing."""

from __future__ import annotations

import csv
import json
import random
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import VENV_BIN, free_port

from autograder.build.nbconfig import write_config
from autograder.cli import main
from autograder.paths import CourseError
from autograder.school import roster_import
from autograder.school.roster import decode_roster, parse_classes, read_roster

CLASSES = ["5-1", "5-2=5年2組"]

# line 1 is the header; blank line 16 is skipped. Comments: what each line tests.
MESSY = """\ufeff学籍番号,氏名,クラス,役割,フリガナ
s1001,山田　太郎,5-1,生徒,ﾔﾏﾀﾞ ﾀﾛｳ
S1002,Alice Smith,５－１,student,
s1003,,5-1,生徒,
s1004,鈴木 一郎,5-3,生徒,
s1005,田中 二郎,5-2,校長,
s1006,高橋 三郎,5-1,生徒,
s1006,高橋 四郎,5-2,生徒,
1007,伊藤 五郎,5-2,生徒,
s-1008!,渡辺 六子,5-2,生徒,
t001,佐藤 先生,5-1,教員,
t001,佐藤 先生,5-2,教員,
s1009,中村 七海,5年2組,,
s1001,山田 太郎,5-1,生徒,
s1099,小林 八郎,5-2,生徒,

"""
# user -> (first name, last name, class) of the students that go in
STUDENTS = {
    "s1001": ("太郎", "山田", "5-1"),
    "s1002": ("Alice", "Smith", "5-1"),
    "s1009": ("七海", "中村", "5-2"),
    "s1099": ("八郎", "小林", "5-2"),
}
ERRORS = {  # line -> the words its problem must contain
    4: "no name",
    5: "class '5-3' is not a class of this course",
    6: "role '校長' is neither student nor teacher",
    7: "is on lines 7, 8 with different",
    8: "is on lines 7, 8 with different",
    9: "starts with a digit",
    10: "characters a user name cannot have",
}
GROUPS = {
    "students-5-1": {"s1001", "s1002"},
    "students-5-2": {"s1009", "s1099"},
    "teachers-5-1": {"t001"},
    "teachers-5-2": {"t001"},
    "nbgrader-manabu": {"s1001", "s1002", "s1009", "s1099"},
    "formgrade-manabu": {"t001"},
}


@pytest.fixture
def course(tmp_path, empty_gradebook):
    """A course folder with its nbgrader_config.py and an empty gradebook."""
    path = tmp_path / "course"
    path.mkdir()
    write_config(path, "ja")
    shutil.copy(empty_gradebook, path / "gradebook.db")
    return path


def write(tmp_path, text: str, encoding: str = "utf-8", name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def report_rows(course: Path, name: str = roster_import.REPORT) -> list[dict]:
    with (course / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def gradebook_students(course: Path) -> dict[str, tuple]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course}/gradebook.db", "manabu") as gb:
        return {s.id: (s.first_name, s.last_name) for s in gb.students}


# ------------------------------------------------------------------ parsing and validation
def test_messy_roster_rows_and_problems(tmp_path):
    rows, encoding = read_roster(write(tmp_path, MESSY), parse_classes(CLASSES))
    assert encoding == "utf-8-sig"
    assert [r.line for r in rows] == list(range(2, 16))
    problems = {r.line: " ".join(r.problems) for r in rows if r.problems}
    assert set(problems) == set(ERRORS), problems
    for line, words in ERRORS.items():
        assert words in problems[line], (line, problems[line])
    good = {r.username: (r.first_name, r.last_name, r.klass, r.role) for r in rows if r.ok}
    assert good == {**{u: (*v, "student") for u, v in STUDENTS.items()},
                    "t001": ("先生", "佐藤", "5-2", "teacher")}  # the last of its two rows
    assert [r.klass for r in rows if r.username == "t001"] == ["5-1", "5-2"]


def test_shift_jis_export_with_half_width_kana(tmp_path):
    text = "学籍番号,氏名,クラス,役割,ﾌﾘｶﾞﾅ\r\ns2001,山田 花子,5-1,児童,ﾔﾏﾀﾞ ﾊﾅｺ\r\ns2002,髙橋 一,5-1,教員,ﾀｶﾊｼ ﾊｼﾞﾒ\r\n"
    path = write(tmp_path, text, "cp932")
    path.write_bytes(path.read_bytes() + b"\x1a")  # an old system's end-of-file mark
    rows, encoding = read_roster(path, parse_classes(CLASSES))
    assert encoding == "cp932"
    assert [(r.username, r.last_name, r.first_name, r.role, r.ok) for r in rows] == [
        ("s2001", "山田", "花子", "student", True), ("s2002", "髙橋", "一", "teacher", True)]


def test_grade_class_and_number_columns_without_ids(tmp_path):
    """A typical Japanese export: 学年, 組, 出席番号, 氏名 and no login id. The class is 学年+組
    (5年A組 and 6年A組 in one file stay apart); ids follow the documented rule
    s<学年><組>-<出席番号, two digits>."""
    text = ("学年,組,出席番号,氏名\n５,Ａ,3,山田 太郎\n5,A組,12,佐藤 花子\n6年,A,3,鈴木 一郎\n"
            "5,1,7,田中 二郎\n5,A,,高橋 三郎\n")
    path = write(tmp_path, text, "cp932")
    rows, _ = read_roster(path, parse_classes(["5a", "6a=6年A組", "5-1"]))
    assert [(r.username, r.klass, r.ok) for r in rows] == [
        ("s5a-03", "5a", True), ("s5a-12", "5a", True), ("s6a-03", "6a", True),
        ("s5-1-07", "5-1", True), ("", "5a", False)]
    assert "no 出席番号" in " ".join(rows[-1].problems)
    rows, _ = read_roster(path, parse_classes(["6a"]))  # another course: the 5th grade is refused
    assert [r.ok for r in rows] == [False, False, True, False, False]
    assert "add it with --class 5a=5年A組" in rows[0].problems[0]  # a --class that works


@pytest.mark.parametrize("kind, data, words", [
    ("random bytes", random.Random(7).randbytes(600), "neither UTF-8 nor Shift_JIS"),
    ("latin-1", "id,name,class\nz1,Zoé Müller,5-1\n".encode("latin-1"), "neither UTF-8 nor Shift_JIS"),
    ("utf-16", "id,name,class\nz1,山田 太郎,5-1\n".encode("utf-16"), "UTF-16"),
    ("euc-jp", "学籍番号,氏名,クラス\nz1,山田 太郎,5-1\nz2,佐藤 花子,5-1\n".encode("euc_jp"), "EUC-JP"),
])
def test_other_encodings_get_a_clear_message(tmp_path, kind, data, words):
    with pytest.raises(CourseError, match=words) as err:
        decode_roster(data, "roster.csv")
    assert "save it as 'CSV UTF-8" in str(err.value)


def test_utf8_and_shift_jis_are_told_apart_from_the_same_text():
    text = "学籍番号,氏名,クラス\ns1,山田 太郎,5-1\n"
    assert decode_roster(text.encode("utf-8")) == (text, "utf-8")
    assert decode_roster(text.encode("cp932")) == (text, "cp932")


def test_english_headers_separate_name_columns_and_semicolons(tmp_path):
    text = "Student ID;First name;Last name;Class;Role\nbob;Bob;Lee;5-1;teacher\n"
    rows, _ = read_roster(write(tmp_path, text), parse_classes(["5-1"]))
    assert [(r.username, r.name, r.first_name, r.last_name, r.role) for r in rows] == [
        ("bob", "Bob Lee", "Bob", "Lee", "teacher")]


def test_class_names_are_group_safe():
    assert parse_classes(["5A=5年A組", "6b,6c"]) == {"5a": "5年A組", "6b": "6b", "6c": "6c"}
    with pytest.raises(CourseError, match="For a name like 5年A組 write --class 5a=5年A組"):
        parse_classes(["5年A組"])


def test_prefix_makes_numeric_ids_user_names(tmp_path):
    rows, _ = read_roster(write(tmp_path, "学籍番号,氏名,クラス\n２０２４００１,山田 太郎,5-1\n"),
                          {"5-1": "5-1"}, prefix="s")
    assert [(r.username, r.ok) for r in rows] == [("s2024001", True)]  # full-width digits too


def test_help_says_what_the_file_is(capsys):
    with pytest.raises(SystemExit) as done:
        main(["roster", "import", "--help"])
    assert done.value.code == 0 and "Shift_JIS" in capsys.readouterr().out


def test_missing_column_is_named(tmp_path):
    with pytest.raises(CourseError, match="has no class column .*header row has: id, name"):
        read_roster(write(tmp_path, "id,name\na1,Ann\n"), {"5-1": "5-1"})


# ------------------------------------------------------------------ import without a hub
def test_import_into_gradebook_report_and_rerun(tmp_path, course, capsys):
    roster = write(tmp_path, MESSY)
    assert main(["roster", "import", str(roster), "--course", str(course), "--class", CLASSES[0],
                 "--class", CLASSES[1]]) == 1  # 1: some rows had problems
    out = capsys.readouterr().out
    assert "[14/14]" in out and "7 of 14 rows are in" in out and "7 row(s) with problems" in out
    assert gradebook_students(course) == {u: v[:2] for u, v in STUDENTS.items()}
    report = report_rows(course)
    assert {int(r["line"]): r["problem"] for r in report if r["result"] == "error"}.keys() == ERRORS.keys()
    assert "c.Manabu.classes = {'5-1': '5-1', '5-2': '5年2組'}" in (course / "nbgrader_config.py").read_text()
    # rerun: the classes are remembered, nothing changes
    assert main(["roster", "import", str(roster), "--course", str(course)]) == 1
    again = report_rows(course)
    assert {r["result"] for r in again} == {"unchanged", "error"}
    assert gradebook_students(course) == {u: v[:2] for u, v in STUDENTS.items()}


def folder_state(folder: Path) -> dict[str, tuple]:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in [folder, *folder.rglob("*")]}


def test_dry_run_changes_and_writes_nothing(tmp_path, course, capsys):
    """Not the config, not the gradebook, not a report: it prints what it would do."""
    roster = write(tmp_path, MESSY)
    args = ["roster", "import", str(roster), "--course", str(course), "--class", "5-1",
            "--class", "5-2=5年2組", "--dry-run"]
    before = folder_state(course)
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "Dry run, nothing changed" in out and "Nothing was written." in out
    assert folder_state(course) == before
    said = [re.match(r"\[\d+/\d+\] line \d+ (\S+) .*\): (would be \w+|unchanged|error) - ", line)
            for line in out.splitlines() if line.startswith("[")]
    results = {m.group(1, 2) for m in said if m.group(2) != "error"}
    assert results == {(u, "would be created") for u in STUDENTS} | {("t001", "unchanged")}
    # a course with no gradebook yet: the dry run makes none
    (course / "gradebook.db").unlink()
    before = folder_state(course)
    assert main(args) == 1
    assert folder_state(course) == before


def test_bad_file_and_no_class_get_one_line_and_exit_2(tmp_path, course, capsys):
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(random.Random(3).randbytes(300))
    assert main(["roster", "import", str(garbage), "--course", str(course), "--class", "5-1"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "neither UTF-8 nor Shift_JIS" in err
    assert main(["roster", "import", str(write(tmp_path, MESSY)), "--course", str(course)]) == 2
    err = capsys.readouterr().err
    assert "Say which classes" in err
    assert "Classes in roster.csv: 5-1, 5-2, 5-3, 5年2組" in err
    assert gradebook_students(course) == {}


# ------------------------------------------------------------------ a real JupyterHub
TOKEN = "roster-test-token-0123456789abcdef"
WEAK_TOKEN = "roster-weak-token-0123456789abcdef"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """JupyterHub with configurable-http-proxy on 127.0.0.1; a service token with exactly the
    scopes the docs ask for; s1099 is a name this hub refuses (its username_pattern)."""
    proxy = shutil.which("configurable-http-proxy")
    assert proxy, "configurable-http-proxy is missing: run `make system-deps` (npm install -g)"
    home = tmp_path_factory.mktemp("hub")
    port, hub_port, api_port = free_port(), free_port(), free_port()
    (home / "jupyterhub_config.py").write_text(f"""
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.pid_file = {str(home / "proxy.pid")!r}
c.JupyterHub.db_url = "sqlite:///{home}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = {str(home / "cookie_secret")!r}
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.username_pattern = r"^(?!s1099$)[a-z][a-z0-9_-]*$"
c.JupyterHub.services = [{{"name": "manabu-roster", "api_token": {TOKEN!r}}},
                         {{"name": "weak", "api_token": {WEAK_TOKEN!r}}}]
c.JupyterHub.load_roles = [
    {{"name": "roster-import", "scopes": ["admin:users", "admin:groups"], "services": ["manabu-roster"]}},
    {{"name": "weak", "scopes": ["read:users"], "services": ["weak"]}},
]
""")
    log = (home / "hub.log").open("w")
    env = {"PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin", "HOME": str(home)}
    process = subprocess.Popen([str(VENV_BIN / "jupyterhub"), "-f", "jupyterhub_config.py"],
                               cwd=home, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):  # wait until the hub answers through the proxy (not a timed assertion)
        assert process.poll() is None, (home / "hub.log").read_text()[-3000:]
        try:
            urllib.request.urlopen(url + "/hub/api/", timeout=2)
            break
        except OSError:
            time.sleep(0.1)
    else:
        pytest.fail("JupyterHub did not start: " + (home / "hub.log").read_text()[-3000:])
    yield url
    process.terminate()
    process.wait(timeout=30)
    log.close()


def hub_get(url: str, path: str):
    request = urllib.request.Request(url + "/hub/api" + path, headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def hub_state(url: str) -> tuple[set, dict]:
    users = {u["name"] for u in hub_get(url, "/users")}
    groups = {g["name"]: set(g["users"]) for g in hub_get(url, "/groups")}
    return users, groups


def test_real_hub_users_groups_undo_and_rerun(tmp_path, course, hub, capsys, monkeypatch):
    roster = write(tmp_path, MESSY + "s1010,木村 九,5-1,生徒,\n")
    real = roster_import.gradebook_student

    def failing_gradebook(gradebook, row, dry_run):  # the gradebook breaks for one student
        if row.username == "s1010":
            raise RuntimeError("database is locked")
        return real(gradebook, row, dry_run)

    monkeypatch.setattr(roster_import, "gradebook_student", failing_gradebook)
    args = ["roster", "import", str(roster), "--course", str(course), "--class", "5-1",
            "--class", "5-2=5年2組", "--hub-url", hub, "--hub-token", TOKEN]
    assert main(args) == 1
    capsys.readouterr()
    students = {u: v for u, v in STUDENTS.items() if u != "s1099"}  # the hub refused s1099
    users, groups = hub_state(hub)
    assert users == set(students) | {"t001"}  # s1010 was created, then undone
    expected = {g: members - {"s1099"} for g, members in GROUPS.items()}
    assert groups == expected
    assert gradebook_students(course) == {u: v[:2] for u, v in students.items()}
    problems = {r["user"]: r["problem"] for r in report_rows(course) if r["result"] == "error"}
    assert "hub: POST /users/s1099: HTTP 400" in problems["s1099"]
    assert problems["s1010"] == "gradebook: database is locked"
    assert {r["hub"] for r in report_rows(course) if r["user"] == "s1010"} == {"undone"}

    # rerun with a gradebook that works: only s1010 goes in now, nothing else changes
    monkeypatch.setattr(roster_import, "gradebook_student", real)
    assert main(args) == 1
    capsys.readouterr()
    results = {r["user"]: r["result"] for r in report_rows(course) if r["result"] != "error"}
    assert results.pop("s1010") == "created"
    assert set(results.values()) == {"unchanged"}
    users, groups = hub_state(hub)
    assert users == set(students) | {"t001", "s1010"}
    assert groups == {g: m | ({"s1010"} if g in ("students-5-1", "nbgrader-manabu") else set())
                      for g, m in expected.items()}
    # and once more: exactly the same hub, every row unchanged
    before = hub_state(hub)
    assert main(args) == 1
    assert hub_state(hub) == before
    assert {r["result"] for r in report_rows(course)} == {"unchanged", "error"}


def test_real_hub_refuses_a_weak_or_wrong_token(tmp_path, course, hub, capsys):
    roster = write(tmp_path, "id,name,class\nw1,Wendy Wu,5-1\n")
    base = ["roster", "import", str(roster), "--course", str(course), "--class", "5-1", "--hub-url", hub]
    assert main(base + ["--hub-token", WEAK_TOKEN]) == 2
    assert "lacks the scopes admin:users, admin:groups" in capsys.readouterr().err
    assert main(base + ["--hub-token", "not-a-token"]) == 2
    assert "refused the token" in capsys.readouterr().err
    assert main(base[:-2] + ["--hub-url", "http://127.0.0.1:9", "--hub-token", TOKEN]) == 2
    assert "Cannot reach JupyterHub" in capsys.readouterr().err
    assert "w1" not in hub_state(hub)[0] and gradebook_students(course) == {}


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))


def test_a_user_the_hub_cannot_make_is_explained(monkeypatch):
    """A hub with Unix logins refuses a user without a Unix account with a bare "HTTP 400
    Failed to create user": the import says what to do."""
    from autograder.school.hubapi import Hub, HubError

    def refuse(self, method, path, body=None):
        raise HubError(f"{method} {path}: HTTP 400 Failed to create user: s5a-01")

    monkeypatch.setattr(Hub, "call", refuse)
    with pytest.raises(HubError, match="needs a Unix account first: run the import as root with "
                                       "--create-accounts"):
        Hub("http://127.0.0.1:1", "t" * 32).create_user("s5a-01")
