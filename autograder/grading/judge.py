"""The teacher's side of grading: run a lesson's test cells in a clean process.

Started by the grader (:mod:`autograder.grading.sandbox`) as ``python -I -m autograder.grading.judge``, outside the
student's sandbox. It runs the lesson's locked setup cells (``start_lesson(...)``, imports) and the
test cells, visible and hidden, which never enter the sandbox. Student code never runs here: when
a test reads a name that the lesson's setup did not bind, the judge asks the grader, which asks
the student's sandbox, and the answer comes back as plain data (:mod:`autograder.grading.answerdata`):
exact built-in types, size-capped. A student's function becomes a stand-in whose calls are run in
the sandbox; only their returned data comes back. Anything else reaches the test as a value that
fails every check with a message a child understands.

Protocol: commands on stdin, one JSON line each; replies and questions on the original stdout::

    {"op": "setup", "source": "..."}           -> {"event": "done", "ok": ..., "outputs": [...]}
    {"op": "test", "cell": i, "source": "..."} -> {"need": "get"|"call", ...}* then {"event": "done", ...}
    {"op": "reset"}                            (a fresh namespace for the next submission)
"""

from __future__ import annotations

import builtins
import io
import json
import os
import sys

from autograder.grading.answerdata import NotData, decode, encode
from course.checks import CheckFailed, friendly_error_text


def _(message: str) -> str:
    """``message`` in the lesson's language (its setup cell's ``start_lesson`` set it)."""
    from course.i18n import _ as translate

    return translate(message)


class NotAnswer(CheckFailed):
    """A check touched a student value that is not plain data."""


class NotAnAnswer:
    """Stands in for a student value that is not data: any use fails the check, kindly."""

    def __init__(self, message: str):
        self._message = message

    def _fail(self, *args, **kwargs):
        raise NotAnswer(self._message)

    def __repr__(self) -> str:
        return "<not an answer>"

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __bool__ = __len__ = __iter__ = _fail
    __contains__ = __getitem__ = __hash__ = __float__ = __int__ = __index__ = __format__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = _fail
    __rtruediv__ = __floordiv__ = __mod__ = __pow__ = __neg__ = __abs__ = __round__ = _fail
    __array__ = __call__ = _fail

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        self._fail()


class StudentFunction:
    """A function the student wrote: calling it runs it in the sandbox, with data only."""

    def __init__(self, judge: Judge, name: str, stub: bool = False):
        self._judge, self.__name__, self._stub = judge, name, stub

    def __repr__(self) -> str:
        return f"<the student's function {self.__name__}>"

    def __call__(self, *args, **kwargs):
        if self._stub:  # its body is only ... or pass: say so, not the test's hint
            raise CheckFailed(_("{function}() is not written yet: its body is only ... or pass. "
                                "Write the code, run that cell, then run this one again."
                                ).format(function=self.__name__))
        return self._judge.call(self.__name__, args, kwargs)


class StudentNamespace(dict):
    """The test cells' namespace: the lesson's own names first; any other name is asked of the
    student's sandbox on first use (then kept for the rest of that test cell)."""

    def __init__(self, judge: Judge):
        super().__init__()
        self.judge = judge
        self.asking = False

    def __missing__(self, name):
        if not self.asking or hasattr(builtins, name) or name.startswith("__"):
            raise KeyError(name)
        value = self.judge.fetch(name)
        self[name] = value
        return value


class Judge:
    def __init__(self, commands, proto):
        self.commands, self.proto = commands, proto
        self.lang = "en"
        self.reset()

    def reset(self) -> None:
        self.namespace = StudentNamespace(self)
        self.namespace["__name__"] = "__main__"
        self.namespace["__builtins__"] = builtins
        self.teacher_names: set[str] = set()

    # -- talking to the grader ------------------------------------------------------------------
    def send(self, message: dict) -> None:
        self.proto.write(json.dumps(message, ensure_ascii=False) + "\n")
        self.proto.flush()

    def ask(self, message: dict) -> dict:
        self.send(message)
        line = self.commands.readline()
        if not line:
            raise SystemExit(0)
        reply = json.loads(line)
        return reply if isinstance(reply, dict) else {}

    def fetch(self, name: str):
        reply = self.ask({"need": "get", "name": name})
        if reply.get("gone"):
            raise RuntimeError(_("'{name}' could not be read: the notebook had stopped "
                                      "before this test.").format(name=name))
        if reply.get("missing"):
            raise KeyError(name)  # Python then raises NameError: "'name' is not there yet"
        if reply.get("function") is True:
            return StudentFunction(self, name, stub=reply.get("stub") is True)
        return self._value(reply, name)

    def call(self, name: str, args: tuple, kwargs: dict):
        try:
            sent_args, sent_kwargs = encode(list(args)), encode(dict(kwargs))
        except NotData as err:  # a lesson bug: tests pass only data to students' functions
            raise TypeError(f"a test may only pass plain data to {name}(): {err}") from None
        reply = self.ask({"need": "call", "name": name, "args": sent_args,
                          "kwargs": sent_kwargs})
        printed = reply.get("printed")
        if isinstance(printed, str) and printed:
            sys.stdout.write(printed)
        if reply.get("timeout"):
            raise TimeoutError(_("{name}() ran longer than the time limit and was stopped. "
                                      "Look for a loop that never ends.").format(name=name))
        if reply.get("gone"):
            raise RuntimeError(_("{name}() could not run: the notebook had stopped "
                                      "before this test.").format(name=name))
        if reply.get("missing"):
            raise NameError(f"name '{name}' is not defined", name=name)
        if "raised" in reply:
            raise _student_error(str(reply.get("raised")), str(reply.get("message", "")))
        changed = reply.get("changed")
        if isinstance(changed, dict):
            for index, new in changed.items():
                if str(index).isdigit() and int(index) < len(args):
                    _write_back(args[int(index)], new)
        return self._value(reply, f"{name}()")

    def _value(self, reply: dict, name: str):
        if "value" in reply:
            try:
                return decode(reply["value"])
            except NotData as err:
                what = str(err)
        elif reply.get("kind") == "...":
            return NotAnAnswer(_("'{name}' is not written yet: put your answer in place of "
                                      "the ... and run that cell again.").format(name=name))
        else:
            what = str(reply.get("kind", "?"))[:80]
        return NotAnAnswer(_("'{name}' is not an answer of the right kind (it is {what}). "
                                  "Write a number, a word in quotes, or a list, like the "
                                  "example.").format(name=name, what=what))

    # -- running cells ----------------------------------------------------------------------------
    def run(self, source: str, test: bool) -> dict:
        out = io.StringIO()
        outputs: list[dict] = []
        sys.stdout = out
        self.namespace.asking = test
        ok = True
        try:
            code = compile(source, "<test>" if test else "<setup>", "exec")
            exec(code, self.namespace)
        except BaseException as err:  # the test failed (or the setup): an error output
            ok = False
            error = err
        finally:
            sys.stdout = sys.__stdout__
            self.namespace.asking = False
        if out.getvalue():
            outputs.append({"output_type": "stream", "name": "stdout",
                            "text": out.getvalue()[:20_000]})
        if not ok:
            outputs.append(_error_output(error))
        return {"event": "done", "ok": ok, "outputs": outputs}

    def serve(self) -> None:
        for line in self.commands:
            command = json.loads(line)
            op = command.get("op")
            if op == "reset":
                self.reset()
                _set_language(command.get("lang"))
            elif op in ("setup", "test"):
                reply = self.run(str(command.get("source", "")), test=op == "test")
                self.send({**reply, "cell": command.get("cell")})
            elif op == "end":
                break


def _student_error(ename: str, message: str) -> BaseException:
    """The student's exception, rebuilt: a built-in exception type keeps its type (a test may
    expect ``ValueError``); any other becomes ``StudentError``."""
    kind = getattr(builtins, ename, None)
    if isinstance(kind, type) and issubclass(kind, Exception) and kind.__module__ == "builtins":
        try:
            return kind(message[:500])
        except Exception:  # e.g. UnicodeDecodeError needs five arguments
            pass
    return StudentError(f"{ename}: {message[:500]}")


class StudentError(Exception):
    """An error raised by a student's function that is not one of Python's built-in errors."""


def _write_back(original, new_data) -> None:
    """Give a list/dict/set/array argument the new state the student's function left it in."""
    try:
        new = decode(new_data)
    except NotData:
        return
    if type(original) is list and type(new) is list:
        original[:] = new
    elif type(original) is dict and type(new) is dict:
        original.clear()
        original.update(new)
    elif type(original) is set and type(new) is set:
        original.clear()
        original.update(new)
    elif type(original).__name__ == "ndarray" and type(new).__name__ == "ndarray" \
            and original.shape == new.shape:
        original[...] = new


def _error_output(error: BaseException) -> dict:
    ename = type(error).__name__
    evalue = str(error)[:2000]
    friendly = friendly_error_text(type(error), error)
    if friendly is not None:
        ename = "CheckFailed" if isinstance(error, CheckFailed) else ename
        return {"output_type": "error", "ename": ename, "evalue": evalue,
                "traceback": ["\x1b[1;31m" + friendly + "\x1b[0m"]}
    return {"output_type": "error", "ename": ename, "evalue": evalue,
            "traceback": [f"{ename}: {evalue}"]}


def _set_language(lang) -> None:
    from course.i18n import LANGUAGES, set_language

    set_language(lang if lang in LANGUAGES else "en")


def main() -> None:
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    commands = io.TextIOWrapper(os.fdopen(os.dup(0), "rb"), encoding="utf-8")
    _set_language(json.loads(commands.readline()).get("lang"))
    import numpy  # noqa: F401 - every lesson's tests use it: import once, before the first run

    Judge(commands, proto).serve()
    proto.flush()


if __name__ == "__main__":
    main()
