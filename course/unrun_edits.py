"""Answer cells edited but not run again, as Manabu's JupyterLab extension reports them.

The kernel sees runs, not edits. When a lesson starts (:func:`course.start_lesson`), this
opens the comm ``manabu.edits`` to the frontend; the extension (``edits.ts``) answers at once,
and again whenever it changes, with the names assigned by the answer cells whose text differs
from their last run: ``{"edited": ["answer_k"]}``. :func:`course.check` then says "run its cell
again" instead of judging the old value. Each message replaces the last; running an answer
cell clears its names on the kernel side too (:class:`course.freshness.AnswerTracker`), so the
order of a run and a late message cannot leave a name stuck.

Without the extension (Voilà, ``manabu grade``, classic tools) nobody answers and nothing
changes: the kernel-only rules of :mod:`course.freshness` apply.
"""

from __future__ import annotations

COMM_TARGET = "manabu.edits"


def edited_names(data: object) -> set[str]:
    """The identifiers in a message's ``edited`` list; anything else in it is ignored."""
    names = data.get("edited") if isinstance(data, dict) else None
    if not isinstance(names, list):
        return set()
    return {n for n in names if isinstance(n, str) and n.isidentifier()}


def listen(tracker) -> bool:
    """Open ``manabu.edits`` and keep ``tracker.edited`` as the extension reports it.

    True if a comm was opened (inside a kernel); False elsewhere (plain IPython, scripts).
    """
    if getattr(tracker.shell, "kernel", None) is None:
        return False
    try:
        from comm import create_comm
    except ImportError:
        return False
    old = getattr(tracker, "edits_comm", None)
    if old is not None and not getattr(old, "_closed", False):
        return True  # start_lesson ran again: the open comm still listens (no close and reopen)
    comm = create_comm(target_name=COMM_TARGET, data={})

    def on_msg(msg: dict) -> None:
        tracker.edited = edited_names(msg.get("content", {}).get("data"))

    comm.on_msg(on_msg)
    tracker.edits_comm = comm
    return True
