"""nbgrader's own Assignment List (the panel students fetch and submit in), reading its
configuration from the server's root folder, and telling the child one short sentence when
something fails.

nbgrader 0.9's ``assignment_list`` and ``validate_assignment`` server extensions read
``nbgrader_config.py`` from the *process's* working folder, not the server's root, and resolve the
default ``Exchange.assignment_dir`` (".") against it too. A server started from another folder
with ``--ServerApp.root_dir`` (a test harness, a service manager, a spawner that starts elsewhere)
then finds no course configuration, looks for nbgrader's default exchange
``/srv/nbgrader/exchange`` and tells the child "The exchange directory does not exist ...", while
the "My lessons" panel, which reads from the root, works. Here both panels read the same
configuration (:func:`autograder.school.my_lessons.student_config`) and lessons are fetched into
the root, whatever the process's working folder is. The Assignment List no longer changes the
process's working folder to read its configuration: that folder is shared by every request and by
the My lessons panel's threads.

nbgrader's failures reached the child as its long English text or a Python traceback, and a failed
fetch said nothing at all. Here each is one short sentence a child can act on (``MESSAGES``; the
Manabu JupyterLab extension shows them in Japanese in a Japanese course,
``course/labextension/src/assignmentListWords.ts``), and what nbgrader said goes to the server
log for the teacher.

nbgrader's classes are patched class-wide (as :mod:`autograder.school.school_labels` does), so the
order in which server extensions load does not matter. Enabled by ``make lab``
(:mod:`autograder.lab`) and on the hub's user servers (``deploy/image/install.sh``)::

    c.ServerApp.jpserver_extensions = {"autograder.school.assignment_list": True}
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder.school.my_lessons import CONFIG_FILE, student_config

# What the child reads instead of nbgrader's error (the My lessons panel's words)
LIST_FAILED = "Could not find your lessons. Please tell your teacher."
FETCH_FAILED = "Could not get the lesson. Please tell your teacher."
SUBMIT_FAILED = "Could not hand it in. Please tell your teacher."
FEEDBACK_FAILED = "Could not get the feedback. Please tell your teacher."
VALIDATE_FAILED = "Could not check the lesson. Please tell your teacher."
MESSAGES = (LIST_FAILED, FETCH_FAILED, SUBMIT_FAILED, FEEDBACK_FAILED, VALIDATE_FAILED)


def rooted_config(root: Path) -> Config:
    """nbgrader's configuration for a server whose root folder is ``root``: the Jupyter config
    folders' and ``root``'s ``nbgrader_config.py`` (as the My lessons panel reads it), then the
    assignment folder's if it is another one (as nbgrader reads it), with
    ``Exchange.assignment_dir`` made absolute against ``root``."""
    root = Path(root).expanduser().resolve()
    config = student_config(root)
    named = str(config.get("Exchange", {}).get("assignment_dir", ".") or ".")
    folder = (root / Path(named).expanduser()).resolve()
    if folder != root and (folder / CONFIG_FILE).is_file():
        config.merge(PyFileConfigLoader(CONFIG_FILE, path=str(folder)).load_config())
    config.Exchange.assignment_dir = str(folder)
    return config


# What a teacher can check when nbgrader's action failed
EXCHANGE_HINT = ("check that c.Exchange.root in nbgrader_config.py is the exchange the lessons are "
                 "released to, and that the lesson was released")
HINTS = {
    "list the released lessons": EXCHANGE_HINT,
    "list the submitted lessons": EXCHANGE_HINT,
    "fetch a lesson": EXCHANGE_HINT + " (a lesson fetched before is not fetched again)",
    "fetch feedback": "check that the feedback was released (nbgrader release_feedback)",
    "submit": ("check that the lesson's folder is in the student's folder and that the "
               "exchange's inbound folder is writable"),
    "validate a notebook": "run `nbgrader validate <notebook>` in a terminal to see the whole error",
}


def last_line(said) -> str:
    """The telling line of nbgrader's error: a traceback's last line (nbgrader logs it whole)."""
    lines = [line.strip() for line in str(said or "").splitlines() if line.strip()]
    return lines[-1][:500] if lines else "(nothing)"


def _told(self, action: str, said, sentence: str) -> dict:
    """Log nbgrader's failure for the teacher; the answer the child gets instead."""
    self.log.error("Manabu: nbgrader's Assignment List could not %s (%s); the student was told "
                   "%r. What to do: %s.", action, last_line(said), sentence, HINTS[action])
    return {"success": False, "value": sentence}


def _short(method, action: str, sentence: str):
    """``method`` (returns nbgrader's ``{"success", "value"}``) with ``sentence`` as its error."""
    @functools.wraps(method)
    def answer(self, *args, **kwargs):
        result = method(self, *args, **kwargs)
        if result.get("success"):
            return result
        return _told(self, action, result.get("value"), sentence)
    return answer


def _remembered(method, action: str, sentence: str):
    """``method`` (a fetch) whose failure the next list answers with: nbgrader's handler drops a
    fetch's result and lists again, so a failed fetch would otherwise show nothing."""
    @functools.wraps(method)
    def answer(self, *args, **kwargs):
        result = method(self, *args, **kwargs)
        if not result.get("success"):
            self._manabu_failed = _told(self, action, result.get("value"), sentence)
        return result
    return answer


def patch_nbgrader() -> None:
    """Root nbgrader's Assignment List and Validate handlers in the server's folder and shorten
    their errors (once per process)."""
    from nbgrader.server_extensions.assignment_list.handlers import AssignmentList
    from nbgrader.server_extensions.validate_assignment.handlers import ValidateAssignmentHandler

    if getattr(AssignmentList, "_manabu_rooted", False):
        return
    AssignmentList._manabu_rooted = True

    def load_config(self) -> Config:
        return rooted_config(Path(self.root_dir))

    @contextlib.contextmanager
    def get_assignment_dir_config(self):
        yield load_config(self)

    AssignmentList.load_config = load_config
    AssignmentList.get_assignment_dir_config = get_assignment_dir_config
    for name, action, sentence in (
            ("list_released_assignments", "list the released lessons", LIST_FAILED),
            ("list_submitted_assignments", "list the submitted lessons", LIST_FAILED),
            ("submit_assignment", "submit", SUBMIT_FAILED)):
        setattr(AssignmentList, name, _short(getattr(AssignmentList, name), action, sentence))
    for name, action, sentence in (("fetch_assignment", "fetch a lesson", FETCH_FAILED),
                                   ("fetch_feedback", "fetch feedback", FEEDBACK_FAILED)):
        setattr(AssignmentList, name, _remembered(getattr(AssignmentList, name), action, sentence))
    listed = AssignmentList.list_assignments

    @functools.wraps(listed)
    def list_assignments(self, course_id=None):
        failed = self.__dict__.pop("_manabu_failed", None)
        return failed if failed else listed(self, course_id=course_id)

    AssignmentList.list_assignments = list_assignments

    ValidateAssignmentHandler.load_config = lambda self: rooted_config(Path(self.root_dir))
    ValidateAssignmentHandler.validate_notebook = _short(
        ValidateAssignmentHandler.validate_notebook, "validate a notebook", VALIDATE_FAILED)


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "autograder.school.assignment_list"}]


def _load_jupyter_server_extension(serverapp) -> None:
    """Patch nbgrader's handlers (they read the settings at each request)."""
    patch_nbgrader()
    serverapp.log.info("Manabu: nbgrader's Assignment List reads its configuration from %s",
                       serverapp.root_dir)
