"""nbgrader's exchange on a shared JupyterHub, with private submissions.

Plain nbgrader (0.9) leaves each submission folder in ``inbound/`` world-writable (0777) and
its files world-readable (0644): a student who learns a classmate's folder name can read,
change or delete that work. :class:`PrivateSubmit` keeps the same layout and names but closes
the submission's folders to everybody but its owner and the course's grader group (2770; the
group comes from ``inbound``'s setgid bit). Its files stay 0644: nobody else can reach them
through a closed folder, and some of them (``timestamp.txt``) are written after ``copytree``
has cleared the setgid bit, so they carry the student's own group.
The ``inbound`` folder itself should be 3733 (setgid + sticky, owned by the course's grader),
so nobody can list it and nobody but the owner can rename or remove an entry: the hub
configuration (``deploy/hub/jupyterhub_config.py``) creates it that way.

Enable it in the students' ``nbgrader_config.py``, and :class:`OwnerCheckedCollect` in the
course's (both are, by ``deploy/image/install.sh`` and ``deploy/hub/jupyterhub_config.py``)::

    c.ExchangeFactory.submit = "autograder.school.exchange.PrivateSubmit"
    c.ExchangeFactory.collect = "autograder.school.exchange.OwnerCheckedCollect"

:class:`CheckedReleaseAssignment` is in every course's config (``manabu build`` writes it): only
the student version the build made is released (see :mod:`autograder.build.release_guard`).
"""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment
from nbgrader.exchange.default.submit import ExchangeSubmit

DIR_MODE = 0o2770   # owner and the grader group (inherited from inbound's setgid); nobody else
FILE_MODE = 0o644   # reachable only through DIR_MODE folders


def make_private(path: str) -> None:
    """Give ``path`` (a submission folder) to its owner and its group only."""
    os.chmod(path, DIR_MODE)
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames:
            os.chmod(os.path.join(dirpath, name), DIR_MODE)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), FILE_MODE)


class PrivateSubmit(ExchangeSubmit):
    """``nbgrader submit`` whose submission folder only its student and the graders can open."""

    def set_perms(self, dest, fileperms, dirperms):
        if os.path.dirname(os.path.abspath(dest)) == os.path.abspath(self.inbound_path):
            make_private(dest)  # instead of nbgrader's world-readable 0755 folders
        else:
            super().set_perms(dest, fileperms, dirperms)

    def copy_files(self):
        old_umask = os.umask(0o077)  # new folders and files start closed
        try:
            super().copy_files()
        finally:
            os.umask(old_umask)
        make_private(os.path.join(self.inbound_path, self.assignment_filename))


class OwnerCheckedCollect(ExchangeCollect):
    """``nbgrader collect`` that takes a submission only from the student who owns it, and never
    follows a link in it.

    A submission's student is read from its folder name, and ``inbound`` is writable by every
    student, so anybody can drop in ``classmate+e01+<a later time>+x``; plain nbgrader collects
    it as the classmate's newest work and only logs a warning. Here such a folder is skipped
    with an error that names it, and the classmate's own submission is collected."""

    def init_src(self):
        super().init_src()
        pattern = os.path.join(self.inbound_path, f"{self.coursedir.student_id or '*'}+"
                                                  f"{self.coursedir.assignment_id}+*")
        records = []
        for path in glob.glob(pattern):
            record = self._path_to_record(path)
            owner = owner_name(path)
            if owner == record["username"]:
                records.append(record)
            else:
                self.log.error("Skipped %s: it claims to be %s's but belongs to %s. Delete it.",
                               path, record["username"], owner)
        latest = {}
        for record in self._sort_by_timestamp(records):
            latest.setdefault(record["username"], record)
        if self.duedate is not None and self.before_duedate:
            on_time = {}
            for record in self._sort_by_timestamp(records):
                if record["timestamp"] <= self.duedate:
                    on_time.setdefault(record["username"], record)
            latest.update(on_time)
        self.src_records = list(latest.values())

    def do_copy(self, src, dest, log=None):
        """Copy a submission like nbgrader, but never follow what a student can plant: plain
        ``copytree`` copies the *target* of a symbolic link (a classmate's notebook, the
        teacher's ``source/``), as the grader. Links, files with other hard links, FIFOs and
        devices are left behind with an error naming them."""
        from autograder.grading.sandbox import unsafe_entries

        if self.get_size(src) > 1000 * self.coursedir.max_dir_size:
            raise RuntimeError(f"{src} is bigger than {self.coursedir.max_dir_size} kB: not "
                               "collected. Ask the student to remove large files.")
        unsafe = unsafe_entries(Path(src)) if os.path.isdir(src) else []
        for name in unsafe:
            self.log.error("Left out %s of %s: a link or special file is never collected.",
                           name, src)
        skip = {os.path.join(src, name) for name in unsafe}
        plain = nbgrader_ignore(self)

        def ignore(folder, names):
            return set(plain(folder, names)) | {n for n in names
                                                if os.path.join(folder, n) in skip}
        shutil.copytree(src, dest, ignore=ignore)


def nbgrader_ignore(exchange):
    from nbgrader.exchange.default.exchange import ignore_patterns

    return ignore_patterns(exclude=exchange.coursedir.ignore, include=exchange.coursedir.include,
                           max_file_size=exchange.coursedir.max_file_size, log=exchange.log)


def owner_name(path: str) -> str:
    import pwd

    try:
        return pwd.getpwuid(os.stat(path).st_uid).pw_name
    except KeyError:
        return f"uid {os.stat(path).st_uid}"


class CheckedReleaseAssignment(ExchangeReleaseAssignment):
    """``nbgrader release_assignment`` (and the Formgrader's *Release*) that refuses a release
    folder somebody changed after the build: it could hold a teacher's answers
    (:func:`autograder.build.release_guard.refusal` says why and what to do). Otherwise nbgrader's."""

    def init_src(self):
        from autograder.build.release_guard import refusal

        super().init_src()
        why = refusal(Path(self.coursedir.root), self.coursedir.assignment_id)
        if why:
            self.fail(why)
