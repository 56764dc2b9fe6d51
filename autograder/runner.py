"""Run a student's notebook cells inside the grading sandbox (``python -I -m autograder.runner``).

The grader (:mod:`autograder.sandbox`) starts this process inside the sandbox, writes one JSON
request to its stdin (the code cells, their kinds and the limits) and reads one JSON line per event
from its stdout::

    {"event": "start", "cell": i}
    {"event": "done", "cell": i, "ok": true, "count": n, "outputs": [...], "restored": [...]}
    {"event": "end"}

Student code runs in an IPython shell with no kernel: it cannot read the protocol from a socket,
its prints, displays and errors are captured into nbformat outputs with size caps, ``input()`` is
refused, and a watchdog interrupts a cell that runs past its time. Before every test cell the
runner puts back what the tests rely on (``check``, builtins, numpy, ``course``, IPython's own
machinery) and reports each thing it had to put back, so tampering never earns points.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import threading
import types

WATCHED_MODULES = ("builtins", "math", "numpy", "numpy.linalg", "numpy.testing", "course",
                   "course.checks", "course.i18n", "course.lesson", "json", "os", "sys")
WATCHED_PACKAGES = ("course", "numpy", "sklearn", "matplotlib", "IPython", "ipywidgets",
                    "builtins", "math")
# sys attributes the runner itself sets or IPython legitimately changes between cells
SYS_FREE = {"stdout", "stderr", "stdin", "displayhook", "excepthook", "last_type", "last_value",
            "last_traceback", "last_exc", "ps1", "ps2", "path_importer_cache", "modules",
            "path", "argv", "exc_info", "_git", "tracebacklimit"}


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
    def __init__(self, request: dict, proto):
        self.cells = request["cells"]
        limits = request.get("limits", {})
        self.cell_seconds = float(limits.get("cell_seconds", 30))
        self.output_chars = int(limits.get("output_chars", 20_000))
        self.memory_mb = int(limits.get("memory_mb", 1024))
        from course.i18n import translator

        self._ = translator(limits.get("lang") or "en")  # what the student reads in feedback
        self.sink = Sink(self.output_chars, int(limits.get("notebook_chars", 400_000)))
        self.proto = proto
        self.timed_out = False
        self.main_thread = threading.main_thread().ident
        self.shell = self._make_shell()
        self.snapshot_machinery()

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
        self._show = lambda etype, evalue, stb: self.sink.error(
            getattr(etype, "__name__", str(etype)), str(evalue), list(stb or []))
        shell._showtraceback = self._show
        self._run_cell = InteractiveShell.run_cell
        self._shell_class_dicts = {cls: dict(vars(cls)) for cls in type(shell).__mro__
                                   if cls.__module__.startswith("IPython")}
        return shell

    def _streams(self) -> None:
        sys.stdout = CappedStream(self, "stdout")
        sys.stderr = CappedStream(self, "stderr")
        sys.stdin = NoInput(self._("input() cannot be used in a graded notebook: write the "
                                   "value in the cell instead."))

    # -- what the tests rely on ---------------------------------------------------------------
    def snapshot_machinery(self) -> None:
        import builtins  # noqa: F401 - snapshotted below

        import numpy  # noqa: F401 - the lessons and their tests use it

        import course.checks  # noqa: F401

        self.modules = {name: sys.modules[name] for name in WATCHED_MODULES if name in sys.modules}
        self.module_dicts = {name: dict(vars(mod)) for name, mod in self.modules.items()}
        self.codes = {}  # function -> its code and defaults: swapping __code__ keeps the identity
        for saved in self.module_dicts.values():
            self._remember_code(saved.values())
        self.lists = {"sys.meta_path": (sys.meta_path, list(sys.meta_path)),
                      "sys.path_hooks": (sys.path_hooks, list(sys.path_hooks))}
        self.snapshot_teacher_state()

    def snapshot_teacher_state(self) -> None:
        """After the teacher's own cells: what they bound is what the tests may rely on."""
        shell = self.shell
        keep = {}
        for name, value in shell.user_ns.items():
            if name.startswith("_") or name in ("In", "Out", "exit", "quit", "get_ipython"):
                continue
            if isinstance(value, types.ModuleType) or (
                    callable(value) and self._from_package(value)):
                keep[name] = value
        self.teacher_names = keep
        self._remember_code(keep.values())
        self.shell_lists = {
            "input_transformers_cleanup": list(shell.input_transformers_cleanup),
            "input_transformers_post": list(shell.input_transformers_post),
            "ast_transformers": list(shell.ast_transformers),
        }
        self.custom_exc = (shell.custom_exceptions, shell.CustomTB)
        self.events = {name: list(cbs) for name, cbs in shell.events.callbacks.items()}
        self.shell_instance = {k for k in vars(shell)}

    def _remember_code(self, values) -> None:
        for value in values:
            if isinstance(value, types.FunctionType) and value not in self.codes:
                self.codes[value] = (value.__code__, value.__defaults__, value.__kwdefaults__)

    @staticmethod
    def _from_package(value) -> bool:
        module = getattr(value, "__module__", None) or ""
        return module.split(".")[0] in WATCHED_PACKAGES

    def restore(self) -> list[str]:
        """Put back everything the tests rely on; return what had been changed."""
        changed = []
        shell = self.shell
        if sys.gettrace() is not None or sys.getprofile() is not None:
            changed.append("sys.settrace")
            sys.settrace(None)
            sys.setprofile(None)
        threading.settrace(None)
        for name, module in self.modules.items():
            if sys.modules.get(name) is not module:
                changed.append(f"sys.modules[{name!r}]")
                sys.modules[name] = module
            current, saved = vars(module), self.module_dicts[name]
            for key, value in saved.items():
                if name == "sys" and key in SYS_FREE:
                    continue
                if key not in current or current[key] is not value:
                    changed.append(f"{name}.{key}")
                    current[key] = value
        for label, (target, saved) in self.lists.items():
            if target != saved:
                changed.append(label)
                target[:] = saved
        for cls, saved in self._shell_class_dicts.items():
            for key, value in saved.items():
                if vars(cls).get(key, None) is not value:
                    changed.append(f"IPython {cls.__name__}.{key}")
                    setattr(cls, key, value)
        for key in set(vars(shell)) - self.shell_instance:
            if callable(vars(shell)[key]):
                changed.append(f"get_ipython().{key}")
                delattr(shell, key)
        if shell._showtraceback is not self._show:
            changed.append("get_ipython()._showtraceback")
            shell._showtraceback = self._show
        for label, saved in self.shell_lists.items():
            target = getattr(shell, label)
            if target != saved:
                changed.append(f"get_ipython().{label}")
                target[:] = saved
        if (shell.custom_exceptions, shell.CustomTB) != self.custom_exc:
            changed.append("get_ipython().set_custom_exc")
            shell.custom_exceptions, shell.CustomTB = self.custom_exc
        for event, saved in self.events.items():
            target = shell.events.callbacks[event]
            extra = [cb for cb in target if cb not in saved and not self._from_package(cb)]
            if extra or any(cb not in target for cb in saved):
                changed.append(f"get_ipython().events[{event!r}]")
                target[:] = saved + [cb for cb in target if cb not in saved and cb not in extra]
        for func, (code, defaults, kwdefaults) in self.codes.items():
            if (func.__code__, func.__defaults__, func.__kwdefaults__) != (code, defaults, kwdefaults):
                changed.append(f"{getattr(func, '__module__', '?')}.{func.__qualname__}.__code__")
                func.__code__, func.__defaults__, func.__kwdefaults__ = code, defaults, kwdefaults
        for name, value in self.teacher_names.items():
            if shell.user_ns.get(name, None) is not value:
                changed.append(name)
                shell.user_ns[name] = value
        return changed

    # -- running -----------------------------------------------------------------------------
    def send(self, message: dict) -> None:
        self.proto.write(json.dumps(message, ensure_ascii=False) + "\n")
        self.proto.flush()

    def run(self) -> None:
        for index, cell in enumerate(self.cells):
            self.sink.outputs = []
            restored = self.restore() if cell["kind"] == "test" else []
            self._streams()
            self.send({"event": "start", "cell": index})
            ok = self._run_one(cell["source"])
            if cell["kind"] == "setup":
                self.snapshot_teacher_state()
            self.send({"event": "done", "cell": index, "ok": ok, "outputs": self.sink.outputs,
                       "count": self.shell.execution_count - 1, "restored": restored,
                       "cut": self.sink.cut, "timed_out": self.timed_out})
        self.send({"event": "end"})

    def _run_one(self, source: str) -> bool:
        self.timed_out = False
        timer = threading.Timer(self.cell_seconds, self._interrupt)
        timer.daemon = True
        timer.start()
        try:
            result = self._run_cell(self.shell, source, store_history=True)
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


def main() -> None:
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # C-level prints of student code go nowhere, never into the protocol
    request = json.loads(sys.stdin.read())
    sys.stdin.close()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    Runner(request, proto).run()
    proto.flush()
    os._exit(0)  # skip atexit handlers student code may have registered


if __name__ == "__main__":
    main()
