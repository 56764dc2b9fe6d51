"""The forgiving student kernel: IME input read as half-width, one friendly line per error,
no check of a value left from a failed run. Through a real IPython shell, as in JupyterLab."""

from __future__ import annotations

import ast
import re
import sys
import types
from pathlib import Path

import pytest

from course.forgiving import normalize_source
from course.i18n import set_language
from course.lesson import only_ime_changes

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("typed", "meant"), [
    ("answer = ６４", "answer = 64"),
    ("answer = ”ｂ”", 'answer = "b"'),
    ("ａｎｓｗｅｒ\u3000＝\u3000“ｃ”", 'answer = "c"'),
    ("a\u3000= 1", "a = 1"),
    ("answer = ’ｃ’", "answer = 'c'"),
    ("answer = 「ｂ」", 'answer = "b"'),
    ("answer = 「ねこ」", 'answer = "ねこ"'),
    ('answer = "b”', 'answer = "b"'),                          # IME turned on half-way
    ("x = [１、２、３]", "x = [1,2,3]"),
    ("x = １。５ × ２", "x = 1.5 * 2"),
    ("x = ー3", "x = -3"),
    ('answer = "b"。\nx = 5。', 'answer = "b" \nx = 5 '),    # a full stop ends the line
    ('d = {”温度計”：\u3000”感じる”}', 'd = {"温度計": "感じる"}'),
])
def test_ime_input_is_read_as_half_width(typed, meant):
    assert normalize_source(typed) == meant
    assert only_ime_changes(typed, meant)  # the transformer's guard lets it through


@pytest.mark.parametrize(("typed", "read"), [
    ('answer = "ねこ"', None),
    ("answer = ”ＡＩは学ぶ”", 'answer = "ＡＩは学ぶ"'),  # Japanese in the string: all as typed...
    ('x = "AIは“学ぶ”から"', None),                     # ...curly quotes in an ASCII string too
    ("# メモ：ＡＩ\u3000は学ぶ\nx = 1", None),            # comments as typed
    ("コーヒー = 1", None),                                 # ー inside a word
    ('x = "ａ＂ｂ"', None),                                  # a half-width " would end the string
    ('x = "\\ｎ"', None),                                  # ...or change what an escape means
    ("%%html\n<p>“ねこ”\u3000ＡＩ</p>", None),             # a cell magic's body is not Python
])
def test_japanese_text_strings_and_comments_stay_as_typed(typed, read):
    assert normalize_source(typed) == (read or typed)


@pytest.fixture()
def shell(monkeypatch):
    """An IPython shell after a lesson's setup cell; ``shell.shown`` collects the error lines."""
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.delenv("MANABU_TRACEBACK", raising=False)
    monkeypatch.delenv("MANABU_LANG", raising=False)
    shell = InteractiveShell.instance()
    shell.shown = []
    shell._showtraceback = lambda etype, evalue, stb: shell.shown.append("\n".join(stb))
    assert shell.run_cell("from course import start_lesson, check\n"
                          "start_lesson('e03', 'en')").success
    yield shell
    set_language("en")
    InteractiveShell.clear_instance()


def run(shell, source: str) -> str:
    """Run one cell; return the error it showed ('' if none)."""
    shell.shown.clear()
    shell.run_cell(source)
    return "\n".join(shell.shown)


def test_full_width_answers_reach_the_kernel_as_half_width(shell):
    for cell in ("answer_vote = ５", "answer_why = ”ｂ”", "ａｎｓｗｅｒ＿ｋ\u3000＝\u3000９",
                 "answer_name = 「ねこ」"):
        assert run(shell, cell) == "", cell
    ns = shell.user_ns
    assert (ns["answer_vote"], ns["answer_why"], ns["answer_k"], ns["answer_name"]) == (
        5, "b", 9, "ねこ")


def test_running_the_setup_cell_again_adds_nothing_twice(shell):
    before = (list(shell.input_transformers_cleanup), dict(shell.events.callbacks))
    before = (before[0], {k: list(v) for k, v in before[1].items()})
    shell.run_cell("start_lesson('e03', 'en')")
    assert list(shell.input_transformers_cleanup) == before[0]
    assert {k: list(v) for k, v in shell.events.callbacks.items()} == before[1]


@pytest.mark.parametrize(("cell", "says"), [
    ("answer_why = b", 'put it in quotes: answer_why = "b"'),
    ("answer_sort = {thermometer: 'senses'}", '"thermometer"'),
    ("answer_k", "'answer_k' is not there yet"),
    ("answer_vote = 5\nanswer_vote + answr_vote", "Did you mean 'answer_vote'?"),
    ("x = 1 → 2", "Python cannot read the character →. Switch the keyboard to half-width"),
    ("answer = ”ｂ", "a quote is missing"),
    ("x = [1, 2", "a bracket is not closed"),
    ("if True:\nx = 1", "Line 2 needs 4 spaces"),
    ("x = = 1", "Python cannot read line 1"),
    ("answer_list = [1 2]", "a comma (,) is missing"),
    ("answer_k = 3つ", "a number has letters stuck to it"),
    ("answer_k == 3", "use one = sign: answer_k = ..."),
    ("answer_k =", "write your answer after the = sign"),
    ('answer why = "b"', "a name cannot have a space in it"),
    ("def mse(a, b)\n    return 0", "a colon (:) is missing"),
    ("def mse(a, b):\n    raise NotImplementedError()\n\nmse([1], [2])", "mse() is not written yet"),
    ("def mse(a, b):\n    ...\n\nmse([1], [2]) + 1", "Does your function end with return"),
    ("answer_k = '3'\nanswer_k + 1", "wrong kind of value here (text, number)"),
    ("len(1, 2)", "too many or too few values"),
    ("{'a': 1}['b']", "There is no 'b' in the dictionary"),
    ("[1, 2][5]", "Places count from 0"),
    ("1 / 0", "divided by 0"),
    ("import nump", "no module called 'nump'"),
    ("'abc'.uper()", "'str' has no 'uper'"),
    ("int('five')", "cannot be used"),
    ("assert 1 == 2", "Python stopped with an error (AssertionError) on line 1"),
    ("check(False, 'Count again.')", "✘ Not yet: Count again."),
])
def test_every_child_error_is_one_friendly_line(shell, cell, says):
    shown = run(shell, cell)
    assert says in shown
    assert len(shown.splitlines()) == 1 and "Traceback" not in shown and "File " not in shown


def test_a_student_cell_cannot_make_the_transformer_rewrite_a_test_cell(shell, monkeypatch):
    import course.forgiving

    monkeypatch.setattr(course.forgiving, "_scan", course.forgiving._scan)  # put back afterwards
    # same length, so only the guard in course.lesson stops it: ASCII is never changed
    run(shell, "import course.forgiving\n"
               "course.forgiving._scan = lambda text, strict: text.replace('check(', '#heck(')")
    assert "✘ Not yet: もう一度" in run(shell, "check(False, 'もう一度')")


def test_friendly_lines_speak_japanese_in_a_japanese_lesson(shell):
    shell.run_cell("start_lesson('e03', 'ja')")
    assert "ではさもう" in run(shell, "answer_why = b")
    assert "半角（はんかく）" in run(shell, "x = 1 → 2")


def test_teachers_can_still_see_the_full_traceback(shell, monkeypatch, capsys):
    run(shell, "def f():\n    return 1 / 0\n\nf()")
    shell.shown.clear()
    shell.run_cell("%tb")  # the teacher at the child's desk
    shown = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(shell.shown) + capsys.readouterr().out)
    assert "ZeroDivisionError" in shown and "return 1 / 0" in shown
    monkeypatch.setenv("MANABU_TRACEBACK", "1")  # or for every error, in the kernel's environment
    shown = run(shell, "def f():\n    return 1 / 0\n\nf()")
    assert shown.splitlines()[0].startswith("\x1b[1;31m⚠") and "ZeroDivisionError" in shown


CHECK = "check(answer_vote in range(10), 'Write a digit.', ok='You wrote a digit.')"


def test_a_check_never_judges_a_value_left_from_a_failed_run(shell, capsys):
    assert run(shell, "answer_vote = 5") == ""
    assert "quotes" in run(shell, "answer_vote = five")   # the old 5 is still in the kernel
    assert "Run the cell with answer_vote again first" in run(shell, CHECK)
    assert "✎" not in capsys.readouterr().out
    assert "bracket" in run(shell, "answer_vote = ５)")  # a SyntaxError is a failed run
    assert "again first" in run(shell, CHECK)
    assert run(shell, "answer_vote = ５") == ""   # fixed and run: the check judges again
    assert run(shell, CHECK) == ""
    assert capsys.readouterr().out.strip().startswith("✎ You wrote a digit.")


class FakeComm:
    """What course.unrun_edits uses of a comm: its message handler, kept to call by hand."""

    def __init__(self, **kwargs):
        self.kwargs, self.handler, self.closed = kwargs, None, False

    def on_msg(self, handler):
        self.handler = handler

    def close(self):
        self.closed = True

    def tell(self, edited):
        """The extension's message: these answers have edits not run yet."""
        self.handler({"content": {"comm_id": "x", "data": {"edited": edited}}})


def test_a_check_never_judges_an_answer_edited_and_not_run_again(shell, monkeypatch, capsys):
    comms = []
    monkeypatch.setitem(sys.modules, "comm", types.SimpleNamespace(
        create_comm=lambda **kw: comms.append(FakeComm(**kw)) or comms[-1]))
    assert run(shell, "answer_vote = 5") == ""
    assert run(shell, CHECK) == ""               # no extension has spoken: judged as before
    shell.kernel = object()                      # now in a Jupyter kernel, with the extension
    assert run(shell, "start_lesson('e03', 'en')") == ""
    (comm,) = comms
    assert comm.kwargs["target_name"] == "manabu.edits"
    comm.tell(["answer_vote", "not a name", 3])  # the child typed in the answer cell, no run
    capsys.readouterr()
    says = run(shell, CHECK)
    assert "You changed answer_vote: run its cell (▶) again" in says and says.count("\n") == 0
    assert "✎" not in capsys.readouterr().out
    assert run(shell, "answer_vote = 6") == ""   # the edited cell ran: current again
    assert run(shell, CHECK) == ""
    comm.tell(["answer_vote"])
    comm.tell([])                                # the child undid the edit
    assert run(shell, CHECK) == ""
    assert run(shell, "start_lesson('e03', 'en')") == "" and not comm.closed and len(comms) == 1
    comm._closed = True                          # the frontend closed it: a new one is opened
    assert run(shell, "start_lesson('e03', 'en')") == "" and len(comms) == 2


def test_a_value_the_failed_run_did_bind_is_judged(shell):
    # not stale: it is what the cell says now (the error further down is shown on its own)
    assert run(shell, "answer_vote = 5") == ""
    assert "'prnt'" in run(shell, "answer_vote = 7\nprnt(answer_vote)")
    assert run(shell, CHECK) == "" and shell.user_ns["answer_vote"] == 7


def test_a_check_on_an_unwritten_function_says_it_is_not_written(shell):
    assert run(shell, 'def mse(a, b):\n    """The mean squared error."""\n    ...') == ""
    assert "mse() is not written yet" in run(shell, "check(mse([1], [2]) == 1, 'Square it.')")
    assert run(shell, "def mse(a, b):\n    return 1") == ""
    assert "Square it" in run(shell, "check(mse([1], [2]) == 2, 'Square it.')")  # written: judged


def test_a_failing_check_cell_does_not_lock_itself(shell):
    # the test cell assigns a helper name and fails; run again with a right answer, it passes
    assert run(shell, "answer_k = 99") == ""
    cell = "k = answer_k\ncheck(k in range(1, 16), 'From 1 to 15.')"
    assert "From 1 to 15" in run(shell, cell)
    assert run(shell, "answer_k = 9") == ""
    assert run(shell, cell) == ""


def test_japanese_messages_use_kanji_a_third_grader_reads():
    from autograder.dev.prose import KANJI_RUN, READING, allowed_kanji
    from course.i18n import translations

    catalog, allowed = translations("ja")._catalog, allowed_kanji("elementary", 3)
    problems = []
    for name in ("checks.py", "errors.py", "lesson.py"):
        tree = ast.parse((ROOT / "course" / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                text = catalog[node.args[0].value]
                problems += [m.group() for m in KANJI_RUN.finditer(text)
                             if any(k not in allowed for k in m.group())
                             and not READING.match(text, m.end())]
    assert problems == []


def test_jupyter_kernel_reads_ime_input_and_shows_one_friendly_line(tmp_path):
    """The same in a real ipykernel (what JupyterLab runs), in Japanese."""
    import nbformat

    from autograder.dev.execute import run_notebook

    sources = ["from course import start_lesson, check\nstart_lesson('e03', 'ja')",
               "answer_vote = ５\nanswer_why = ”ｂ”\nprint(answer_vote + 1, answer_why)",
               "answer_why = b",
               "check(answer_why in ('a', 'b'), 'a か b', ok='1つ選べたね。')",
               "def mse(a, b):\n    raise NotImplementedError()\n\nmse([1], [2])"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb, stats = run_notebook(nb, tmp_path)
    outputs = [c.outputs for c in nb.cells]
    assert [o.text for o in outputs[1]] == ["6 b\n"]
    for index, says in ((2, '"b"'), (3, "もう一度実行"), (4, "mse() は、まだ書かれていない")):
        (error,) = outputs[index]
        assert len(error.traceback) == 1 and says in error.traceback[0], error.traceback
    assert len(stats.errors) == 3


@pytest.mark.parametrize("lesson_id", ["e01", "j05"])
def test_a_blank_student_version_run_top_to_bottom_shows_no_traceback(lesson_id, tmp_path,
                                                                      tmp_path_factory):
    """What a child sees before writing anything: each error is one friendly line, in Japanese."""
    from conftest import built_once, lesson_ids

    from autograder.dev.execute import run_notebook
    from autograder.grading.submissions import read_versions

    # only read here: the whole Japanese course that `make test` builds once for test_grading
    # (a build's fixed cost is most of it: the whole course costs about two single lessons)
    ids = lesson_ids()
    course = built_once(tmp_path_factory, "all-ja", "ja", ids) if lesson_id in ids else \
        built_once(tmp_path_factory, f"{lesson_id}-ja", "ja", [lesson_id])
    _teacher, student = read_versions(course, lesson_id)
    nb, stats = run_notebook(student, tmp_path)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and len(errors) == len(stats.errors)
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(o.traceback)) for o in errors]
    assert all(len(line.splitlines()) == 1 and line[0] in "⚠✘" for line in lines), lines
    assert all(re.search(r"[ぁ-ん]", line) for line in lines), lines
