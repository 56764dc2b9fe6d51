"""nbgrader's gradebook bookkeeping, batched for a grading worker.

nbgrader opens a new :class:`nbgrader.api.Gradebook` about a dozen times per submission (the
autograde converter five times, then each preprocessor and the feedback step once). Every open
makes a new SQLAlchemy engine, reads the list of tables, runs ``create_all`` and looks up the
course: the whole database is re-synced, and every query is compiled again because the compiled
statements are cached per engine. ``SaveAutoGrades`` then commits once per cell (~20 commits).

Here a worker opens each gradebook once (:class:`WorkerGradebook`: one engine, tables checked and
the course row made the first time only), and :func:`batch` turns nbgrader's many commits of
one step into one: inside it every gradebook shares one session, nbgrader's ``commit()`` only
flushes, and the step commits once at its end. A student's grading writes twice: once before
their code runs (student and submission rows) and once after (scores, comments, late penalty).
No write transaction is held while student code runs, so two workers can share one SQLite file.

The rows written are nbgrader's own, through its own methods: only when they are committed
changes. :func:`in_use` puts :class:`WorkerGradebook` where nbgrader's converters and
preprocessors look up ``Gradebook`` (the modules of the pinned nbgrader, checked at use).
"""

from __future__ import annotations

import importlib
import os
from collections import OrderedDict
from contextlib import contextmanager

from nbgrader.api import Gradebook
from nbgrader.converters import Autograde
from sqlalchemy.orm import Session

# where nbgrader 0.9.x looks up ``Gradebook`` while grading one submission
NBGRADER_MODULES = (
    "nbgrader.apps.api",
    "nbgrader.converters.autograde",
    "nbgrader.preprocessors.overwritekernelspec",
    "nbgrader.preprocessors.overwritecells",
    "nbgrader.preprocessors.saveautogrades",
    "nbgrader.preprocessors.latesubmissions",
    "nbgrader.preprocessors.getgrades",
)

_ENGINES: OrderedDict[tuple, object] = OrderedDict()  # database -> engine, in this process
_MAX_ENGINES = 4      # one course at a time in practice; tests make many short-lived courses
_SYNCED: set[tuple] = set()  # (database, course id) whose tables and course row exist
_batch: _Batch | None = None  # the step being batched in this process, if any
_active = False               # is in_use() on


class _Batch:
    """One step's shared session: nbgrader's commits flush; one commit at the end."""

    def __init__(self) -> None:
        self.session: Session | None = None
        self.wrote = False  # something was flushed that the end must commit


class _BatchedSession:
    """What ``Gradebook.db`` is inside :func:`batch`: the shared session, whose ``commit()``
    flushes (the rows go to the database in this transaction) and whose ``remove()`` (called by
    ``Gradebook.close``) keeps it open for the rest of the step."""

    def __init__(self, state: _Batch):
        self._state = state

    def commit(self) -> None:
        self._state.session.flush()
        self._state.wrote = True

    def remove(self) -> None:
        pass

    def __getattr__(self, name):
        return getattr(self._state.session, name)


def _database(db_url: str) -> tuple | None:
    """A key for the database behind ``db_url``: a SQLite file is known by its inode too, so a
    file deleted and made again is opened again. None: the file does not exist yet."""
    if db_url.startswith("sqlite:///"):
        try:
            stat = os.stat(db_url[len("sqlite:///"):])
        except OSError:
            return None
        return (db_url, stat.st_dev, stat.st_ino)
    return (db_url,)


class WorkerGradebook(Gradebook):
    """nbgrader's ``Gradebook`` on one engine per database and process: the first open checks
    the tables and the course as nbgrader does; later opens only start a session."""

    def __init__(self, db_url: str, course_id: str = "default_course", authenticator=None):
        key = _database(db_url)
        engine = _ENGINES.get(key) if key else None
        if engine is None:
            super().__init__(db_url, course_id, authenticator)  # tables, alembic row, course
            key = _database(db_url)
            if key is not None:
                _remember(key, self.engine)
                _SYNCED.add((key, course_id))
        else:
            _ENGINES.move_to_end(key)
            self.engine = engine
            self.course_id, self.authenticator = course_id, authenticator
            self.db = self._session()
            if (key, course_id) not in _SYNCED:
                self.check_course(course_id=course_id)
                _SYNCED.add((key, course_id))
        if _batch is not None:  # take part in the step's one transaction
            if self.db is not None and not isinstance(self.db, _BatchedSession):
                self.db.commit()  # what the first open made (course row) is its own
                self.db.remove()
            if _batch.session is None:
                _batch.session = Session(bind=self.engine, autoflush=True, future=True)
            self.db = _BatchedSession(_batch)

    def _session(self):
        from sqlalchemy.orm import scoped_session, sessionmaker

        return scoped_session(sessionmaker(autoflush=True, bind=self.engine, future=True))

    def close(self) -> None:
        """End this use of the gradebook; the engine stays open for the next one. Inside a
        batch, what was read is forgotten (the next use reads it again, as after nbgrader's own
        close) and what was written waits for the batch's commit; a read-only use ends its
        transaction, so nothing is held while student code runs."""
        if isinstance(self.db, _BatchedSession):
            state = self.db._state
            if state.wrote:
                state.session.flush()
                state.session.expire_all()
            else:
                state.session.close()
        else:
            self.db.remove()


def _remember(key: tuple, engine) -> None:
    _ENGINES[key] = engine
    while len(_ENGINES) > _MAX_ENGINES:
        _old, evicted = _ENGINES.popitem(last=False)
        evicted.dispose()


@contextmanager
def batch():
    """Make one nbgrader step (with :func:`in_use` on) one transaction: committed once at the
    end, rolled back if the step raises. Without :func:`in_use` it changes nothing."""
    global _batch
    if _batch is not None or not _active:  # nested, or nbgrader's own Gradebook: as it is
        yield
        return
    state = _batch = _Batch()
    try:
        yield
        if state.session is not None and state.wrote:
            state.session.commit()
    finally:
        _batch = None
        if state.session is not None:
            state.session.close()  # rolls back whatever was not committed


class BatchedAutograde(Autograde):
    """nbgrader's ``Autograde``, its gradebook writes batched: one transaction to set up the
    submission, one for each notebook's grading (read-only while student code runs)."""

    def init_assignment(self, assignment_id: str, student_id: str) -> None:
        with batch():
            super().init_assignment(assignment_id, student_id)

    def convert_single_notebook(self, notebook_filename: str) -> None:
        with batch():
            super().convert_single_notebook(notebook_filename)


@contextmanager
def in_use():
    """Within this block, nbgrader's grading steps in this process use :class:`WorkerGradebook`
    (and ``NbGraderAPI.autograde`` :class:`BatchedAutograde`).
    Raises ``AttributeError`` if nbgrader moved its names (a new version: check this module)."""
    global _active
    if _active:
        yield
        return
    names = [(importlib.import_module(name), "Gradebook", WorkerGradebook)
             for name in NBGRADER_MODULES]
    names.append((importlib.import_module("nbgrader.apps.api"), "Autograde", BatchedAutograde))
    saved = [getattr(module, name) for module, name, _new in names]  # see the docstring
    for module, name, new in names:
        setattr(module, name, new)
    _active = True
    try:
        yield
    finally:
        _active = False
        for (module, name, _new), original in zip(names, saved, strict=True):
            setattr(module, name, original)


def open_gradebook(db_url: str, course_id: str = "default_course") -> Gradebook:
    """The gradebook at ``db_url``: the worker's (with :func:`in_use` on), else nbgrader's."""
    return (WorkerGradebook if _active else Gradebook)(db_url, course_id)
