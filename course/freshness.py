"""Which names a check may trust: a value left from before a cell's failed run is stale.

A child writes ``answer_vote = five``, gets an error, and runs the check: the kernel still
holds the old ``answer_vote``, and the check would judge that. :class:`AnswerTracker` listens
to IPython's ``pre_run_cell`` / ``post_run_cell`` events: it notes which names each cell
assigns (at its top level: ``x = ...``, ``def f``, ``import m``) and, when the run fails,
marks stale those of them the run did not bind anew, until a cell assigning them runs
without error. :func:`course.check` asks :func:`stale_name` before it judges, and says
"run that cell again".

A value the failed run did bind (``answer = 5`` and then an error further down) is the
cell's current answer, not a stale one, so it is judged; ``manabu grade`` runs every cell
once, so there it only matters when an earlier cell bound the same name. The kernel sees
runs, not edits: a cell changed but not run again is told by Manabu's JupyterLab extension
(:mod:`course.unrun_edits` fills :attr:`AnswerTracker.edited`); without it, only the rules
above apply.
"""

from __future__ import annotations

import ast
import dis
import re
import types

ASSIGNED_LINE = re.compile(r"^(?:(?:async\s+)?def|class)\s+(\w+)|^([^\W\d][\w\s,]*?)\s*(?<![=!<>])=(?!=)",
                           re.MULTILINE)


class _Names(ast.NodeVisitor):
    """Names a cell assigns at its top level, and names it reads."""

    def __init__(self) -> None:
        self.assigned: set[str] = set()
        self.used: set[str] = set()

    def visit_Name(self, node: ast.Name) -> None:
        (self.used if isinstance(node.ctx, ast.Load) else self.assigned).add(node.id)

    def visit_FunctionDef(self, node) -> None:  # the body's names are the function's own
        self.assigned.add(node.name)
        for decorator in node.decorator_list:
            self.visit(decorator)

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        pass

    def visit_Import(self, node) -> None:
        self.assigned.update((a.asname or a.name).split(".")[0] for a in node.names)

    visit_ImportFrom = visit_Import


def cell_names(source: str) -> tuple[set[str], set[str]]:
    """(names ``source`` assigns, names it reads); a cell that does not parse is read by lines."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        assigned = set()
        for match in ASSIGNED_LINE.finditer(source):
            found = match.group(1) or match.group(2)
            assigned.update(n.strip() for n in found.split(",") if n.strip().isidentifier())
        return assigned, set()
    names = _Names()
    names.visit(tree)
    return names.assigned, names.used


class AnswerTracker:
    """Remembers, per name, whether the last cell that assigned it ended with an error."""

    def __init__(self, shell) -> None:
        self.shell = shell
        self.stale: set[str] = set()
        self.assigned: set[str] = set()   # by the cell that is running
        self.used: set[str] = set()       # read by the cell that is running
        self.source = ""                  # the running cell, as Python (after the transformers)
        self.before: dict[str, object] = {}  # the values of ``assigned`` before this run
        self.edited: set[str] = set()     # names of answer cells edited and not run since

    def pre_run_cell(self, info) -> None:
        try:
            self.source = self.shell.transform_cell(info.raw_cell or "")
        except Exception:  # IPython will report the cell's own problem
            self.source = info.raw_cell or ""
        try:
            self.assigned, used = cell_names(self.source)
        except Exception:  # e.g. RecursionError on a monstrous cell: track nothing for it
            self.assigned, used = set(), set()
        self.used = used - self.assigned  # what this cell assigns comes from this run
        self.stale -= self.assigned
        self.edited -= self.assigned  # running the edited cell is what makes it current
        ns = self.shell.user_ns
        self.before = {name: ns[name] for name in self.assigned if name in ns}

    def post_run_cell(self, result) -> None:
        if result is None or not result.success:
            ns = self.shell.user_ns
            self.stale |= {name for name, value in self.before.items()
                           if ns.get(name, _MISSING) is value}  # not bound anew by this run
        self.before = {}  # hold no student objects between runs

    def stale_name(self) -> str | None:
        """A name the running cell reads whose cell last failed, else None."""
        found = sorted(self.used & self.stale)
        return found[0] if found else None

    def edited_name(self) -> str | None:
        """A name the running cell reads whose answer cell was edited and not run again."""
        found = sorted(self.used & self.edited)
        return found[0] if found else None

    def stub_name(self) -> str | None:
        """A function the running cell reads whose body is still only ``...`` or ``pass``."""
        ns = self.shell.user_ns
        found = sorted(n for n in self.used if is_stub(ns.get(n)))
        return found[0] if found else None


def is_stub(value) -> bool:
    """True for a function whose body does nothing (``...``, ``pass`` or only a docstring)."""
    if not isinstance(value, types.FunctionType):
        return False
    steps = [(i.opname, i.argval) for i in dis.get_instructions(value)
             if i.opname not in ("RESUME", "NOP", "CACHE")]
    return steps in ([("LOAD_CONST", None), ("RETURN_VALUE", None)], [("RETURN_CONST", None)])


_MISSING = object()
_trackers: dict[int, AnswerTracker] = {}


def install_tracker(shell) -> AnswerTracker:
    """Start tracking ``shell``'s runs (once per shell: running the setup cell again is fine)."""
    tracker = _trackers.get(id(shell))
    if tracker is None or tracker.shell is not shell:
        tracker = _trackers[id(shell)] = AnswerTracker(shell)
    for event in ("pre_run_cell", "post_run_cell"):
        callback = getattr(tracker, event)
        if callback not in shell.events.callbacks[event]:
            shell.events.register(event, callback)
    return tracker


def current_tracker() -> AnswerTracker | None:
    """The tracker of the running IPython shell, if a lesson started one."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    tracker = _trackers.get(id(shell)) if shell is not None else None
    return tracker if tracker is not None and tracker.shell is shell else None


def _ask_tracker(question: str) -> str | None:
    """The running kernel's tracker's answer to ``question`` (a method name), else None. Never
    raises: a check must never crash because of this helper."""
    try:
        tracker = current_tracker()
        return getattr(tracker, question)() if tracker else None
    except Exception:
        return None


def stale_name() -> str | None:
    """A name the running cell reads that came from a failed run, else None. Never raises."""
    return _ask_tracker("stale_name")


def edited_name() -> str | None:
    """A name the running cell reads whose answer cell has unrun edits, else None. Never raises."""
    return _ask_tracker("edited_name")


def stub_name() -> str | None:
    """A function the running cell reads that is not written yet, else None. Never raises."""
    return _ask_tracker("stub_name")
