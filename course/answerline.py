"""Tap to answer: a widget hands its answer line to Manabu's JupyterLab extension.

A widget shows the line a child would copy into the answer cell (``answer_vote = "b"``) and
calls :func:`offer` with it. With the extension (``@manabu/lab``) in the child's JupyterLab,
the line goes over the comm ``manabu.answer``; the extension writes it into the notebook's
answer cell that assigns that name (the nbgrader solution cell), in place of ``...`` or of
the old answer, shows the cell and runs it. nbgrader then grades the saved line as if the
child had typed it.

Only a child's own tap, click or drag sends (the kernel is handling a widget's message):
running the cell that builds a widget, calling its Python twin from code, or ``manabu grade``
sends nothing, so a typed answer is never overwritten behind the child's back. Outside a
kernel, or in a frontend without the extension (Voilà, classic tools), nothing breaks: the
line is still shown to copy. This module imports nothing at import time.
"""

from __future__ import annotations

COMM_TARGET = "manabu.answer"


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


def offer(*lines: str) -> bool:
    """Offer answer lines (``"answer_k = 3"``) to the JupyterLab extension, which writes each into
    the answer cell that assigns its name and runs it. True if they were sent (the extension may
    still be missing); False outside a widget event, where nothing is sent."""
    lines = tuple(line for line in lines if line)
    if not lines or _kernel_handling_widget_event() is None:
        return False
    from comm import create_comm

    create_comm(target_name=COMM_TARGET, data={"lines": list(lines)})
    return True
