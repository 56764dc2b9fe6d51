"""``check()``: the test helper every graded cell uses, with messages a child can act on.

A failed check raises :class:`CheckFailed`. Inside a lesson kernel
(:func:`course.start_lesson`) IPython shows it as one friendly line instead of a
traceback; the cell still ends in an error, which is how nbgrader knows the test failed.
"""

from __future__ import annotations

from course.i18n import _


class CheckFailed(AssertionError):
    """A check in a test cell did not pass. ``str(err)`` is the message for the student."""


def check(condition: object, message: str, ok: str | None = None) -> None:
    """Pass quietly (printing ``ok`` if given) when ``condition`` is true, else fail with ``message``.

    >>> check(1 + 1 == 2, "Add again.", ok="Yes!")
    ✔ Yes!
    """
    try:
        passed = bool(condition)
    except Exception:  # e.g. comparing a whole array: treat as "not yet", never crash
        passed = False
    if not passed:
        raise CheckFailed(message)
    if ok:
        print("✔ " + ok)


def friendly_error_text(etype: type, value: BaseException) -> str | None:
    """The one-line message a student sees for errors we can explain, else None."""
    if issubclass(etype, CheckFailed):
        return "✘ " + _("Not yet: ") + str(value)
    if issubclass(etype, NameError):
        name = getattr(value, "name", None) or str(value).split("'")[1:2] or ["?"]
        name = name if isinstance(name, str) else name[0]
        return "✘ " + _(
            "'{name}' is not there yet. Write it in the cell above, run that cell "
            "(Shift+Enter), then run this one again."
        ).format(name=name)
    return None


def install_friendly_errors(shell) -> None:
    """Show :class:`CheckFailed` and ``NameError`` in ``shell`` (IPython) as one friendly line."""

    def handler(self, etype, value, tb, tb_offset=None):
        text = friendly_error_text(etype, value)
        if text is None:  # pragma: no cover - only registered for types we explain
            stb = self.InteractiveTB.structured_traceback(etype, value, tb, tb_offset)
        else:
            stb = ["\x1b[1;31m" + text + "\x1b[0m"]
        # IPython ignores what a custom handler returns: showing the error is the handler's job.
        # It is sent as an error message, so the cell still fails (that is how nbgrader knows).
        self._showtraceback(etype, value, stb)
        return stb

    shell.set_custom_exc((CheckFailed, NameError), handler)
