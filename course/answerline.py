"""Tap to answer: a widget hands its answer line to Manabu's JupyterLab extension.

A widget shows the line a child would copy into the answer cell (``answer_vote = "b"``) and
calls :func:`offer` with it. With the extension (``@manabu/lab``) in the child's JupyterLab,
the line goes over the comm ``manabu.answer``; the extension writes it into the notebook's
answer cell that assigns that name (the nbgrader solution cell), in place of ``...`` or of
the old answer, at once, then shows the cell and runs it when the child stops (a slider sends
a line for every step). nbgrader then grades the saved line as if the child had typed it.

Only a child's own tap, click or drag sends (the kernel is handling a widget's message):
running the cell that builds a widget, calling its Python twin from code, or ``manabu grade``
sends nothing, so a typed answer is never overwritten behind the child's back. Outside a
kernel, or in a frontend without the extension (Voilà, classic tools), nothing breaks: the
line is still shown to copy. This module imports nothing at import time.

Once the extension has written the line it closes the comm with the names it wrote; a widget
that passed ``shown_in`` (the HTML widget showing :func:`copy_hint`) then says "written into
your answer cell" there instead of "copy this line", unless the child tapped again meanwhile.
"""

from __future__ import annotations

import re
from html import escape

COMM_TARGET = "manabu.answer"
_HINT = re.compile(r'<span class="manabu-copy-hint">.*?<!--/copy--></span>', re.DOTALL)


def copy_hint(html: str) -> str:
    """Mark the "copy this line" part of a widget's HTML, for :func:`offer` to replace."""
    return f'<span class="manabu-copy-hint">{html}<!--/copy--></span>'


def written_hint() -> str:
    """What a widget says once the extension has written its line into the answer cell."""
    from course.i18n import _

    return ('<span class="manabu-copy-hint manabu-written">'
            + escape(_("Written into your answer cell ✔ Now run the check.")) + "<!--/copy--></span>")


def _when_written(target):
    """A comm close handler: show :func:`written_hint` in ``target`` if no newer tap came."""
    count = getattr(target, "_manabu_offers", 0) + 1
    target._manabu_offers = count

    def on_close(msg: dict) -> None:
        written = (msg or {}).get("content", {}).get("data", {}).get("written")
        if written and getattr(target, "_manabu_offers", 0) == count:
            target.value = _HINT.sub(lambda _m: written_hint(), target.value)

    return on_close


def _kernel_handling_widget_event():
    """The running IPython kernel if it is handling a message from a widget (a ``comm_msg``)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    kernel = getattr(get_ipython(), "kernel", None)
    if kernel is None:
        return None
    try:
        parent = kernel.get_parent("shell")
    except Exception:  # an ipykernel without get_parent: do not guess
        return None
    return kernel if parent.get("header", {}).get("msg_type") == "comm_msg" else None


def offer(*lines: str, shown_in=None) -> bool:
    """Offer answer lines (``"answer_k = 3"``) to the JupyterLab extension, which writes each into
    the answer cell that assigns its name and runs it. True if they were sent (the extension may
    still be missing); False outside a widget event, where nothing is sent.

    ``shown_in``: the HTML widget whose :func:`copy_hint` becomes :func:`written_hint` once the
    extension has written the lines."""
    lines = tuple(line for line in lines if line)
    if not lines or _kernel_handling_widget_event() is None:
        return False
    from comm import create_comm

    comm = create_comm(target_name=COMM_TARGET, data={"lines": list(lines)})
    if shown_in is not None and comm is not None:
        comm.on_close(_when_written(shown_in))
    return True
