"""The student's side of grading: run a notebook's cells inside the sandbox, answer with data.

The grader (:mod:`autograder.grading.sandbox`) starts ``python -I -m autograder.grading.runner`` inside the
sandbox, sends the limits as the first line on stdin, then one command per line, and reads one
JSON reply per command from this process's private channel (its original stdout)::

    {"op": "run", "cell": i, "source": "..."}      -> {"event": "done", "cell": i, "ok": ..., "outputs": [...]}
    {"op": "get", "name": "answer_k"}               -> {"event": "value", ...}
    {"op": "call", "name": "mse", "args": ..., "kwargs": ...} -> {"event": "value", ...}
    {"op": "end"}

Only the student's and the lesson's own code cells are ever sent here: test cells, visible or
hidden, run in the judge (:mod:`autograder.grading.judge`), a separate clean process. When a test needs a
name the student defined, it asks through ``get`` (the value comes back as plain data,
:mod:`autograder.grading.answerdata`) or ``call`` (the student's function runs here, under a time limit,
and only its returned data goes back). Whatever student code does in this process can change
the values it hands over, never whether a test passed; nothing here is trusted.

Student code runs in an IPython shell with no kernel: its prints, displays and errors are captured
into nbformat outputs with size caps, ``input()`` is refused, and a watchdog interrupts a cell or
a call that runs past its time.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import threading

from autograder.grading.answerdata import NotData, encode


class Sink:
    """Collects one cell's outputs as nbformat dicts, with caps in characters."""

    def __init__(self, output_chars: int, notebook_chars: int):
        self.output_chars = output_chars
        self.left = notebook_chars   # for the whole notebook
        self.outputs: list[dict] = []
        self.cut = False

    def _take(self, text: str, room: int) -> str:
        room = max(0, min(room, self.left))
        if len(text) > room:
            self.cut = True
            text = text[:room]
        self.left -= len(text)
        return text

    def stream(self, name: str, text: str) -> None:
        last = self.outputs[-1] if self.outputs else None
        if last and last["output_type"] == "stream" and last["name"] == name:
            text = self._take(text, self.output_chars - len(last["text"]))
            last["text"] += text
        else:
            text = self._take(text, self.output_chars)
            if text:
                self.outputs.append({"output_type": "stream", "name": name, "text": text})

    def rich(self, kind: str, data: dict, metadata: dict, count: int | None = None) -> None:
        size = sum(len(v) if isinstance(v, str) else len(json.dumps(v)) for v in data.values())
        if size > min(self.left, max(self.output_chars, 400_000)):
            self.cut = True  # a too-big picture or table: keep a short text instead
            data = {"text/plain": str(data.get("text/plain", ""))[:200] + " [too big to keep]"}
            size = len(data["text/plain"])
        self.left -= size
        out = {"output_type": kind, "data": data, "metadata": metadata or {}}
        if kind == "execute_result":
            out["execution_count"] = count
        self.outputs.append(out)

    def error(self, ename: str, evalue: str, traceback: list[str]) -> None:
        text = self._take("\n".join(traceback), self.output_chars)
        self.outputs.append({"output_type": "error", "ename": ename, "evalue": evalue[:2000],
                             "traceback": text.split("\n") if text else []})


class CappedStream(io.TextIOBase):
    def __init__(self, runner, name):
        self.runner, self.name = runner, name

    def writable(self):
        return True

    def write(self, text):
        self.runner.sink.stream(self.name, str(text))
        return len(text)

    def isatty(self):
        return False


class NoInput(io.TextIOBase):
    def __init__(self, message: str):
        self.message = message

    def readable(self):
        return True

    def read(self, *args):
        raise RuntimeError(self.message)

    readline = read


class Runner:
    """Runs the commands of one grading run; see the module docstring."""

    def __init__(self, limits: dict, proto):
        # the sandbox always sends every limit (autograder.grading.limits declares their defaults)
        self.cell_seconds = float(limits["cell_seconds"])
        self.output_chars = int(limits["output_chars"])
        self.memory_mb = int(limits["memory_mb"])
        from course.i18n import translator

        self._ = translator(limits.get("lang") or "en")  # what the student reads in feedback
        self.sink = Sink(self.output_chars, int(limits["notebook_chars"]))
        self.proto = proto
        self.timed_out = False
        self.main_thread = threading.main_thread().ident
        self.shell = self._make_shell()

    # -- the shell ---------------------------------------------------------------------------
    def _make_shell(self):
        from IPython.core.displayhook import DisplayHook
        from IPython.core.displaypub import DisplayPublisher
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        runner = self

        class Publisher(DisplayPublisher):
            def publish(self, data, metadata=None, source=None, *, transient=None, update=False,
                        **kwargs):
                runner.sink.rich("display_data", dict(data), dict(metadata or {}))

            def clear_output(self, wait=False):
                runner.sink.outputs.clear()

        class Hook(DisplayHook):
            def write_output_prompt(self):
                pass

            def write_format_data(self, format_dict, md_dict=None):
                runner.sink.rich("execute_result", dict(format_dict), dict(md_dict or {}),
                                 self.prompt_count)

            def finish_displayhook(self):
                pass

        config = Config()
        config.HistoryManager.enabled = False
        config.InteractiveShell.colors = "NoColor"
        shell = InteractiveShell.instance(config=config)
        shell.display_pub = Publisher(shell=shell)
        shell.displayhook = Hook(shell=shell, cache_size=shell.cache_size)
        shell.display_trap.hook = shell.displayhook
        shell._showtraceback = lambda etype, evalue, stb: self.sink.error(
            getattr(etype, "__name__", str(etype)), str(evalue), list(stb or []))
        return shell

    def _streams(self) -> None:
        sys.stdout = CappedStream(self, "stdout")
        sys.stderr = CappedStream(self, "stderr")
        sys.stdin = NoInput(self._("input() cannot be used in a graded notebook: write the "
                                   "value in the cell instead."))

    # -- commands -----------------------------------------------------------------------------
    def send(self, message: dict) -> None:
        self.proto.write(json.dumps(message, ensure_ascii=False, allow_nan=False) + "\n")
        self.proto.flush()

    def serve(self, commands) -> None:
        """Answer each command line until ``end`` (or until the grader closes the pipe)."""
        for line in commands:
            command = json.loads(line)
            op = command.get("op")
            if op == "end":
                break
            self.sink.outputs = []
            self._streams()
            if op == "run":
                ok = self._run_one(command["source"])
                self.send({"event": "done", "cell": command.get("cell"), "ok": ok,
                           "outputs": self.sink.outputs, "count": self.shell.execution_count - 1,
                           "cut": self.sink.cut, "timed_out": self.timed_out})
            elif op == "get":
                self.send({"event": "value", **self._describe(command.get("name"))})
            elif op == "call":
                self.send({"event": "value", **self._call(command)})

    def _describe(self, name) -> dict:
        """What the student bound to ``name``: a function, data, or something else (by type)."""
        namespace = self.shell.user_ns
        if not isinstance(name, str) or name not in namespace:
            return {"missing": True}
        return self._as_data(namespace[name], allow_function=True)

    @staticmethod
    def _as_data(value, allow_function=False) -> dict:
        if value is Ellipsis:
            return {"kind": "..."}
        if allow_function and callable(value) and not isinstance(value, type):
            from course.freshness import is_stub

            return {"function": True, "stub": bool(is_stub(value))}
        try:
            return {"value": encode(value)}
        except NotData as err:
            return {"kind": str(err)}
        except RecursionError:
            return {"kind": "nested too deeply"}

    def _call(self, command: dict) -> dict:
        """Call the student's function with data; give back its returned data (and the new
        state of any argument it changed, so 'do not change q' can be tested)."""
        from autograder.grading.answerdata import decode

        function = self.shell.user_ns.get(command.get("name"))
        if not callable(function):
            return {"missing": True}
        args, kwargs = decode(command.get("args", {"l": []})), decode(command.get("kwargs", {"d": []}))
        # only containers can be changed by the call: remember those (decode made exact types)
        before = {i: self._as_data(a) for i, a in enumerate(args)
                  if type(a).__name__ in ("list", "dict", "set", "ndarray")}
        self.timed_out = False
        timer = threading.Timer(self.cell_seconds, self._interrupt)
        timer.daemon = True
        timer.start()
        try:
            result = function(*args, **kwargs)
        except KeyboardInterrupt:
            return {"timeout": True, "printed": self._printed()}
        except BaseException as err:  # the student's error: the test that called it fails
            return {"raised": type(err).__name__, "message": str(err)[:500],
                    "printed": self._printed()}
        finally:
            timer.cancel()
        reply = self._as_data(result)
        changed = {}
        for index, old in before.items():
            after = self._as_data(args[index])
            if after != old:
                changed[str(index)] = after.get("value")
        return {**reply, "changed": changed, "printed": self._printed()}

    def _printed(self) -> str:
        return "".join(o.get("text", "") for o in self.sink.outputs
                       if o["output_type"] == "stream")[:self.output_chars]

    def _run_one(self, source: str) -> bool:
        self.timed_out = False
        timer = threading.Timer(self.cell_seconds, self._interrupt)
        timer.daemon = True
        timer.start()
        try:
            result = self.shell.run_cell(source, store_history=True)
        except BaseException as err:  # SystemExit from a hook, KeyboardInterrupt outside a cell
            self.sink.error(type(err).__name__, str(err), [f"{type(err).__name__}: {err}"])
            return False
        finally:
            timer.cancel()
        self._explain_errors()
        return result.error_before_exec is None and result.error_in_exec is None

    def _interrupt(self) -> None:
        self.timed_out = True
        signal.pthread_kill(self.main_thread, signal.SIGINT)

    def _explain_errors(self) -> None:
        """Say in words why a cell was stopped (KeyboardInterrupt and MemoryError say nothing)."""
        for out in self.sink.outputs:
            if out["output_type"] != "error":
                continue
            if out["ename"] == "KeyboardInterrupt" and self.timed_out:
                text = self._("This cell ran longer than {seconds} seconds and was stopped. "
                              "Look for a loop that never ends.").format(
                    seconds=f"{self.cell_seconds:g}")
                out.update(ename="TimeoutError", evalue=text, traceback=[f"TimeoutError: {text}"])
            elif out["ename"] == "MemoryError":
                text = self._("This cell needed more memory than a lesson may use ({mb} MB). "
                              "Make the data smaller.").format(mb=self.memory_mb)
                out.update(evalue=text, traceback=[f"MemoryError: {text}"])


def _copy_in(source: str) -> None:
    """Copy the submission (read-only here) into the working folder, a size-capped tmpfs."""
    import shutil

    for entry in os.scandir(source):  # copytree would try to chmod "." (not ours) and fail
        if entry.is_dir(follow_symlinks=False):
            shutil.copytree(entry.path, entry.name, symlinks=True)
        elif entry.is_file(follow_symlinks=False):
            shutil.copyfile(entry.path, entry.name, follow_symlinks=False)


def main() -> None:
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # C-level prints of student code go nowhere, never into the protocol
    commands = io.TextIOWrapper(os.fdopen(os.dup(0), "rb"), encoding="utf-8")
    os.dup2(devnull, 0)  # student code reading fd 0 gets nothing, not the grader's commands
    start = json.loads(commands.readline())
    if start.get("copy_from"):
        _copy_in(start["copy_from"])
    signal.signal(signal.SIGINT, signal.default_int_handler)
    runner = Runner(start.get("limits", {}), proto)
    runner.send({"event": "ready"})
    runner.serve(commands)
    proto.flush()
    os._exit(0)  # skip atexit handlers student code may have registered


if __name__ == "__main__":
    main()
