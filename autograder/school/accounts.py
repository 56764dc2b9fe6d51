"""Unix accounts for the students of a roster (``manabu roster import --create-accounts``, as
root on the school hub, whose users log in with their Unix password): each new account gets a
private home and an initial password, written to a sheet only root can read, for the teacher to
hand out. Existing accounts are never changed."""

from __future__ import annotations

import csv
import io
import os
import pwd
import secrets
import subprocess
from datetime import datetime
from pathlib import Path

from autograder.paths import CourseError
from autograder.school.hubconfig import make_private

# easy to read aloud and to type on a tablet: no 0/o, 1/l/i
PASSWORD_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"


def initial_password(length: int = 8) -> str:
    return "".join(secrets.choice(PASSWORD_LETTERS) for _ in range(length))


def default_sheet(course_dir: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("/root") / f"manabu-passwords-{course_dir.name}-{stamp}.csv"


def create_accounts(rows, sheet: Path, dry_run: bool, log=print) -> dict[str, str]:
    """{user: note} for the good student ``rows``: a new account (``useradd``, private home,
    initial password) or the existing one left as it is. The passwords go to ``sheet`` (0600)."""
    if os.geteuid() != 0:
        raise CourseError("--create-accounts makes Unix accounts: run the import as root (sudo).")
    if sheet.exists():
        raise CourseError(f"{sheet} exists: give another --password-sheet (an old sheet is never "
                          "overwritten).")
    notes, made = {}, []
    try:
        for row in rows:
            if not row.ok or row.skip or row.remove or row.role != "student" or row.username in notes:
                continue
            try:
                pwd.getpwnam(row.username)
                notes[row.username] = "account exists"
                continue
            except KeyError:
                pass
            if dry_run:
                notes[row.username] = "would make an account"
                continue
            password = initial_password()
            for cmd, stdin in ((["useradd", "--create-home", "--shell", "/bin/bash",
                                 "--comment", row.name, row.username], None),
                               (["chpasswd"], f"{row.username}:{password}\n")):
                done = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
                if done.returncode:
                    row.problems.append(f"account: `{cmd[0]}` failed ({done.stderr.strip()[:200]})")
                    break
            else:
                account = pwd.getpwnam(row.username)
                make_private(Path(account.pw_dir), account.pw_uid)
                made.append((row.klass, row.raw_id, row.name, row.username, password))
                notes[row.username] = "account made"
    finally:  # the passwords of every account made, even if something later failed
        if made:
            write_sheet(sheet, made)
            log(f"Made {len(made)} Unix account(s); their initial passwords are in {sheet} (root "
                "only): print it for the teacher, then delete it.")
    return notes


def write_sheet(sheet: Path, made: list[tuple]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["class", "id", "name", "user", "initial password"])
    writer.writerows(made)
    sheet.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(sheet, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\ufeff" + out.getvalue())  # BOM: Excel opens Japanese UTF-8
