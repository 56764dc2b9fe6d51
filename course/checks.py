"""``check()``: the test helper every graded cell uses, with messages a child can act on.

A failed check raises :class:`CheckFailed`. Inside a lesson kernel
(:func:`course.start_lesson`) IPython shows it, and every other error a child can cause
(a ``SyntaxError``, a missing quote, an unwritten function, ...), as one friendly line in the
course language instead of a traceback (:mod:`course.errors` writes the line); the cell still
ends in an error, which is how nbgrader knows the test failed.

Teachers still get the full traceback: run ``%tb`` in a new cell right after the error, or
set ``MANABU_TRACEBACK=1`` in the kernel's environment to see it under every friendly line.

A passed visible check only says what it checked, with the mark :data:`OK_MARK` (a pencil,
never a tick a child reads as "correct"): the teacher's hidden checks decide the points.
A check whose cell reads a name from a cell that last failed, or from an answer cell edited
and not run again, does not judge the old value (:mod:`course.freshness`).
"""

from __future__ import annotations

import os
import sys

from course import freshness
from course.errors import explain
from course.i18n import _

OK_MARK = "✎"     # "your answer is written down": not a tick, which reads as "correct"
ERROR_MARK = "⚠"  # an error in the child's code, not a wrong answer


class CheckFailed(AssertionError):
    """A check in a test cell did not pass. ``str(err)`` is the message for the student."""


def ok_line(ok: str) -> str:
    """What a passed visible check prints: what it checked, and who decides the points."""
    return f"{OK_MARK} {ok} " + _("Your teacher will check if it is right.")


def check(condition: object, message: str, ok: str | None = None) -> None:
    """Pass quietly (printing ``ok`` if given) when ``condition`` is true, else fail with ``message``.

    >>> check(1 + 1 == 2, "Add again.", ok="Two!")
    ✎ Two! Your teacher will check if it is right.
    """
    stale = freshness.stale_name()
    if stale:
        raise CheckFailed(_("Run the cell with {name} again first: its last run stopped with an "
                            "error. Fix it, run it, then run this cell.").format(name=stale))
    edited = freshness.edited_name()  # told by the JupyterLab extension (course.unrun_edits)
    if edited:
        raise CheckFailed(_("You changed {name}: run its cell (▶) again, then this one."
                            ).format(name=edited))
    try:
        passed = bool(condition)
    except Exception:  # e.g. comparing a whole array: treat as "not yet", never crash
        passed = False
    if not passed:
        stub = freshness.stub_name()  # a function with only ... in it: say that, not the hint
        if stub:
            raise CheckFailed(_("{function}() is not written yet: its body is only ... or pass. "
                                "Write the code, run that cell, then run this one again."
                                ).format(function=stub))
        raise CheckFailed(message)
    if ok:
        print(ok_line(ok))


def friendly_error_text(etype: type, value: BaseException, tb=None, source: str = "",
                        names=()) -> str | None:
    """The one-line message a student sees for ``value``, or None for errors no child causes.

    ``source`` (the running cell) and ``names`` (the student's names) sharpen the hint for a
    ``NameError``: a missing quote, or a spelling.
    """
    if issubclass(etype, CheckFailed):
        return "✘ " + _("Not yet: ") + str(value)
    text = explain(etype, value, tb, source, names)
    return None if text is None else f"{ERROR_MARK} {text}"


def install_friendly_errors(shell) -> None:
    """Show every ``Exception`` in ``shell`` (IPython) as one friendly line (see the module doc)."""

    def handler(self, etype, value, tb, tb_offset=None):
        # IPython unregisters a handler that raises: never raise, fall back to the traceback
        try:
            sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb  # for %tb
            tracker = freshness.current_tracker()
            names = [n for n in self.user_ns if not n.startswith("_")]
            text = friendly_error_text(etype, value, tb, tracker.source if tracker else "", names)
        except Exception:
            text = None
        if text is None or os.environ.get("MANABU_TRACEBACK", "") not in ("", "0"):
            full = (self.SyntaxTB.structured_traceback(etype, value, [])
                    if issubclass(etype, SyntaxError)
                    else self.InteractiveTB.structured_traceback(etype, value, tb, tb_offset))
        else:
            full = []
        stb = ([] if text is None else ["\x1b[1;31m" + text + "\x1b[0m"]) + full
        # IPython ignores what a custom handler returns: showing the error is the handler's job.
        # It is sent as an error message, so the cell still fails (that is how nbgrader knows).
        self._showtraceback(etype, value, stb)
        return stb

    shell.set_custom_exc((Exception,), handler)
