"""Commands run as root on a school hub (every command of the hosting guide is) must leave a
class's files to the class's grader account, who builds and grades there next: a gradebook
root made is read-only for the grader ("attempt to write a readonly database")."""

from __future__ import annotations

import os
import pwd
from pathlib import Path


def act_as_owner(folder: Path, log=print) -> str | None:
    """As root, become the owner of ``folder`` (its user, group and that user's other groups)
    for the rest of this process, so every file written keeps the owner's ownership. Call it
    after reading what only root may read. Returns the account's name, or None when nothing
    changed (not root, or the folder is root's)."""
    if os.geteuid() != 0:
        return None
    info = folder.stat()
    if info.st_uid == 0:
        return None
    account = pwd.getpwuid(info.st_uid)
    os.setgroups(os.getgrouplist(account.pw_name, account.pw_gid))
    os.setgid(account.pw_gid)
    os.setuid(account.pw_uid)
    os.environ.update(HOME=account.pw_dir, USER=account.pw_name, LOGNAME=account.pw_name)
    # root's working folder (/root after `sudo -i`) is closed to the owner, and nbgrader's
    # alembic looks there for a pyproject.toml ("Permission denied"): work in the folder instead
    os.chdir(folder)
    log(f"Running as root: working as {account.pw_name}, the owner of {folder}, so the files "
        "written there stay the class's.")
    return account.pw_name
