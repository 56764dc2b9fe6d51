"""Tap to answer, on the kernel side: a widget offers its answer line to the JupyterLab extension
only while the kernel handles a child's widget event; the build folds code in elementary lessons;
furigana survives the teacher guide and the feedback sanitizer. The browser half is
tests/test_tap_browser.py."""

from __future__ import annotations

import sys
import types

import pytest

from autograder.build.guide import markdown_html
from autograder.build.lessonfile import read_notebook
from autograder.grading.nbgrader_plugins import SanitizeStudentHTML
from course import answerline
from course.catalog import lesson_folders, read_entry
from course.widgets.quiz import ChoiceCards, MultipleChoice

RUBY = "<ruby>分類<rp>（</rp><rt>ぶんるい</rt><rp>）</rp></ruby>"


class FakeKernel:
    """Just what answerline reads of ipykernel: the message being handled."""

    def __init__(self, msg_type: str):
        self.msg_type = msg_type

    def get_parent(self, channel=None):
        return {"header": {"msg_type": self.msg_type}}


@pytest.fixture
def kernel(monkeypatch):
    """A kernel in the middle of a message (set ``.msg_type``), and the comms it opens."""
    sent: list[dict] = []
    fake = FakeKernel("comm_msg")
    monkeypatch.setattr("IPython.get_ipython", lambda: types.SimpleNamespace(kernel=fake))
    comms: list[FakeComm] = []

    def create_comm(**kwargs):
        sent.append(kwargs)
        comms.append(FakeComm())
        return comms[-1]

    monkeypatch.setitem(sys.modules, "comm", types.SimpleNamespace(create_comm=create_comm))
    fake.sent, fake.comms = sent, comms
    return fake


class FakeComm:
    """A comm the extension closes when it has written the line (``written``: the names)."""

    def __init__(self):
        self.closed = None

    def on_close(self, callback):
        self.closed = callback

    def close_from_frontend(self, written: list[str]) -> None:
        self.closed({"content": {"comm_id": "x", "data": {"written": written}}})


def test_a_tap_sends_the_line_shown_to_copy(kernel):
    quiz = MultipleChoice("Which one learns?", ["a toaster", "a spam filter"], name="answer_learns")
    quiz.choose("b")                       # in a kernel handling a widget message: a child's tap
    assert kernel.sent == [{"target_name": "manabu.answer", "data": {"lines": ['answer_learns = "b"']}}]
    assert 'answer_learns = "b"' in quiz.output.value   # still shown, for a lab without the extension
    cards = ChoiceCards(["温度計", "電たく"], ["感じる", "決める"], name="answer_sort")
    cards.sort_item("温度計", "感じる")
    assert kernel.sent[-1]["data"]["lines"] == ['answer_sort = {"温度計": "感じる"}']


@pytest.mark.parametrize("lang, copy, written", [
    ("en", "copy this line", "Written into your answer cell ✔"),
    ("ja", "この1行をうつそう", "答えのセルに書いたよ ✔")])
def test_once_the_line_is_written_the_widget_stops_saying_copy_it(kernel, lang, copy, written):
    from course.i18n import set_language

    set_language(lang)
    try:
        quiz = MultipleChoice("Which one learns?", ["a toaster", "a spam filter"], name="answer_learns")
        quiz.choose("a")
        quiz.choose("b")                         # two taps: the first one's close comes late
        first, second = kernel.comms
        first.close_from_frontend(["answer_learns"])
        assert copy in quiz.output.value and written not in quiz.output.value
        second.close_from_frontend([])           # nothing written (no answer cell): still "copy"
        assert copy in quiz.output.value
        quiz.choose("a")
        kernel.comms[-1].close_from_frontend(["answer_learns"])
        assert written in quiz.output.value and copy not in quiz.output.value
    finally:
        set_language("en")


def test_running_cells_and_grading_send_nothing(kernel):
    kernel.msg_type = "execute_request"    # the cell that builds the widget, or a twin call in code
    quiz = MultipleChoice("Which one learns?", ["a toaster", "a spam filter"], name="answer_learns")
    quiz.choose("a")
    assert kernel.sent == [] and 'answer_learns = "a"' in quiz.output.value
    assert answerline.offer("answer_k = 3") is False


def test_outside_a_kernel_nothing_is_sent(monkeypatch):
    monkeypatch.setattr("IPython.get_ipython", lambda: None)
    assert answerline.offer("answer_k = 3") is False


@pytest.mark.parametrize("lesson_id, folded", [("e01", True), ("j05", False)])
def test_elementary_lessons_fold_all_code_but_the_answers(lesson_id, folded):
    nb = read_notebook(read_entry(lesson_folders()[lesson_id], "ja"))
    code = [c for c in nb.cells if c.cell_type == "code"]
    hidden = {i for i, c in enumerate(code) if c.metadata.get("jupyter", {}).get("source_hidden")}
    answers = {i for i, c in enumerate(code) if c.metadata.get("nbgrader", {}).get("solution")}
    assert answers
    assert hidden == (set(range(len(code))) - answers if folded else set())


def test_furigana_survives_the_guide_and_the_feedback_sanitizer():
    assert RUBY in markdown_html(f"{RUBY}を学ぶ")
    cell = types.SimpleNamespace(cell_type="markdown", source=RUBY + "<script>alert(1)</script>",
                                 get=lambda key, default=None: default)
    cleaned = SanitizeStudentHTML().sanitize_html_tags(cell.source)
    assert RUBY in cleaned and "<script>" not in cleaned


def test_furigana_survives_nbconverts_html():
    """A lesson rendered by nbconvert (a static page of it; the feedback page uses it too, see
    tests/test_feedback.py) keeps the ruby of its Markdown."""
    import nbformat
    from nbconvert import HTMLExporter

    bold = "<ruby><strong>分類</strong><rt>ぶんるい</rt></ruby>"  # as e05 writes **分類**
    nb = nbformat.v4.new_markdown_cell  # a cell maker, for two cells
    nb = nbformat.v4.new_notebook(cells=[nb(f"これが{RUBY}です。"),
                                         nb("これが<ruby>**分類**<rt>ぶんるい</rt></ruby>です。")])
    html, _resources = HTMLExporter(template_name="lab").from_notebook_node(nb)
    assert f"これが{RUBY}です。" in html and f"これが{bold}です。" in html
