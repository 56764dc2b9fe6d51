"""Teach the computer with your own drawings (``TeachPad``), and see whose drawings it learned
from (``compare_drawers``): e10's widgets. The model is e03's nearest neighbour, with k = 1:
with a handful of examples, "the most alike drawing" is the whole idea."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as widgets
import numpy as np
import traitlets

from course.data.drawings import Drawings, load_drawings
from course.i18n import _
from course.models import NearestNeighbors
from course.render import digit_html, row_html, style_widget
from course.style import OKABE_ITO
from course.widgets.drawing_pad import DrawingPad

ROOT = "manabu-teach"
RIGHT, WRONG = OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"]
BUTTON = widgets.Layout(min_height="44px", width="auto")


def _mark(ok: bool) -> str:
    """✔ or ✘ with its colour: the symbol carries the meaning, the colour only helps."""
    return f'<span style="color:{RIGHT if ok else WRONG};font-weight:bold">{"✔" if ok else "✘"}</span>'


def _picture(image, caption: str) -> str:
    return digit_html(image, cell=5, caption=caption, title=caption)


class TeachPad(widgets.VBox):
    """A drawing pad with a button per shape: *Teach* adds the drawing as an example,
    *Test* asks the computer what it is and keeps score.

    Example::

        teach = TeachPad(["circle", "cross"])
        teach                                        # draw, then tap "Teach: circle"
        teach.pad.draw_stroke([(0.1, 0.1), (0.9, 0.9)]); teach.teach("cross")   # or from code
        teach.pad.draw_stroke([(0.1, 0.9), (0.9, 0.1)]); teach.test("cross")
        teach.guess, teach.n_right, teach.n_tested   # "cross", 1, 1
        teach.forget()                               # delete every example and test
    """

    n_examples = traitlets.Int(0, help="How many examples the computer has been taught.")
    guess = traitlets.Unicode(None, allow_none=True, help="The computer's last guess (None: none yet).")
    n_tested = traitlets.Int(0, help="How many drawings were tested.")
    n_right = traitlets.Int(0, help="How many tested drawings the computer got right.")

    def __init__(self, classes: list[str]):
        if not 2 <= len(classes) <= 3:
            raise ValueError("Give two or three shapes to teach, like ['circle', 'cross'].")
        self.classes = list(classes)
        self.examples: list[tuple[np.ndarray, str]] = []
        self.tests: list[tuple[np.ndarray, str, str]] = []   # (picture, right answer, guess)
        self.pad = DrawingPad(label=_("Draw one shape here"))
        teach = [self._button(_("Teach: {shape}").format(shape=c), "info", self.teach, c) for c in classes]
        test = [self._button(_("Test: {shape}").format(shape=c), "warning", self.test, c) for c in classes]
        forget = widgets.Button(description=_("Delete all examples"), layout=BUTTON)
        forget.add_class(f"{ROOT}-forget")
        forget.on_click(lambda _b: self.forget())
        self.message = widgets.HTML()
        self.output = widgets.HTML()
        self.output.add_class(f"{ROOT}-out")
        controls = widgets.VBox([
            widgets.HTML(f'<div style="font-size:18px">{_("This is an example of:")}</div>'),
            widgets.HBox(teach, layout=widgets.Layout(flex_flow="row wrap")),
            widgets.HTML(f'<div style="font-size:18px">{_("Test the computer. This should be:")}</div>'),
            widgets.HBox(test, layout=widgets.Layout(flex_flow="row wrap")),
            forget, self.message])
        top = widgets.HBox([self.pad, controls], layout=widgets.Layout(flex_flow="row wrap"))
        super().__init__([style_widget(ROOT, {".widget-hbox": "gap:10px;align-items:flex-start",
                                               "button": "line-height:1.5"}), top, self.output])
        self.add_class(ROOT)
        self._redraw()

    @staticmethod
    def _button(text: str, style: str, action: Callable[[str], None], shape: str) -> widgets.Button:
        button = widgets.Button(description=text, button_style=style, layout=BUTTON)
        button.on_click(lambda _b: action(shape))
        return button

    def _drawing(self) -> np.ndarray | None:
        image = self.pad.pixels.copy()
        if not image.any():
            self.message.value = f'<div style="font-size:18px">{_("Draw a shape first.")}</div>'
            return None
        return image

    def teach(self, shape: str) -> None:
        """Add what is on the pad as an example of ``shape``, and clear the pad (the Teach button)."""
        image = self._drawing()
        if image is None:
            return
        self.examples.append((image, shape))
        self.n_examples = len(self.examples)
        self.pad.clear()
        self.message.value = ('<div style="font-size:18px">'
                              + escape(_("Thank you! I now know {n} examples.").format(n=self.n_examples)) + "</div>")
        self._redraw()

    def test(self, shape: str) -> None:
        """Ask the computer what is on the pad; ``shape`` is the right answer (the Test button)."""
        if not self.examples:
            self.message.value = f'<div style="font-size:18px">{_("Teach me some examples first.")}</div>'
            return
        image = self._drawing()
        if image is None:
            return
        model = NearestNeighbors(1).fit([e.ravel() for e, _s in self.examples], [s for _e, s in self.examples])
        _dist, idx = model.kneighbors(image.ravel(), 1)
        self.guess = str(model.labels_[idx[0][0]])
        self.tests.append((image, shape, self.guess))
        self.n_tested, self.n_right = len(self.tests), sum(s == g for _i, s, g in self.tests)
        self.pad.clear()
        closest = self.examples[int(idx[0][0])][0]
        self.message.value = (
            '<div style="font-size:18px;display:flex;gap:8px;align-items:center">'
            + _picture(image, _("your drawing")) + _picture(closest, _("most alike"))
            + "<span>" + _mark(self.guess == shape) + " "
            + escape(_("My guess: {guess}").format(guess=self.guess)) + "</span></div>")
        self._redraw()

    def forget(self) -> None:
        """Delete every example and every test (the Delete button), e.g. when a friend says no."""
        self.examples, self.tests = [], []
        self.n_examples = self.n_tested = self.n_right = 0
        self.guess = None
        self.message.value = f'<div style="font-size:18px">{_("All examples are deleted.")}</div>'
        self._redraw()

    def _redraw(self) -> None:
        rows = []
        for shape in self.classes:
            pics = [_picture(e, shape) for e, s in self.examples if s == shape]
            rows.append('<div style="font-size:18px;margin-top:6px">'
                        + escape(_("Examples of {shape}: {n}").format(shape=shape, n=len(pics))) + "</div>"
                        + row_html(pics))
        if self.tests:
            pics = [digit_html(i, cell=5, caption=f"{g} {'✔' if s == g else '✘'}",
                               title=_("should be {shape}, guessed {guess}").format(shape=s, guess=g))
                    for i, s, g in self.tests]
            rows.append('<div style="font-size:18px;margin-top:10px;font-weight:bold">'
                        + escape(_("Tests: {n} of {total} right").format(n=self.n_right, total=self.n_tested))
                        + "</div>" + row_html(pics))
        self.output.value = "".join(rows)


def taught_by_score(teacher: Drawings, tester: Drawings) -> tuple[int, np.ndarray]:
    """(how many of ``tester``'s drawings a computer taught with ``teacher``'s gets right, its guesses)."""
    model = NearestNeighbors(1).fit(teacher.images.reshape(len(teacher), -1), teacher.labels)
    guesses = model.predict(tester.images.reshape(len(tester), -1))
    return int((guesses == tester.labels).sum()), guesses


def compare_drawers(names: dict[str, str] | None = None) -> None:
    """Show Ken's examples, then how a computer taught only by Ken guesses Yui's drawings
    and Ken's own new ones (a picture, not a widget: e10's "whose examples?" cell)."""
    from IPython.display import HTML, display

    names = names or {"circle": _("circle"), "cross": _("cross"), "triangle": _("triangle")}
    ken, yui = load_drawings("ken"), load_drawings("yui")
    ken_new = load_drawings("ken", seed=7)
    parts = ['<div style="font-size:18px">' + escape(_("Ken's examples (what the computer learned from):")) + "</div>",
             row_html([_picture(i, names[str(s)]) for i, s in zip(ken.images, ken.labels, strict=True)])]
    for tester, title in ((ken_new, _("New drawings by Ken")), (yui, _("Drawings by Yui"))):
        right, guesses = taught_by_score(ken, tester)
        pics = [digit_html(i, cell=5, caption=f"{names[str(g)]} {'✔' if g == s else '✘'}",
                           title=_("should be {shape}, guessed {guess}").format(shape=names[str(s)], guess=names[str(g)]))
                for i, s, g in zip(tester.images, tester.labels, guesses, strict=True)]
        parts += [f'<div style="font-size:18px;margin-top:10px;font-weight:bold">{escape(title)}: '
                  + escape(_("{n} of {total} right").format(n=right, total=len(tester))) + "</div>", row_html(pics)]
    display(HTML(f'<div class="{ROOT}-compare">' + "".join(parts) + "</div>"))


def bench_cases():
    """One user event each, on a widget built once (for ``make bench``)."""
    pad = TeachPad(["circle", "cross"])
    for shape, stroke in (("circle", [(0.5, 0.1), (0.9, 0.5), (0.5, 0.9), (0.1, 0.5), (0.5, 0.1)]),
                          ("cross", [(0.1, 0.1), (0.9, 0.9)])):
        pad.pad.draw_stroke(stroke)
        pad.teach(shape)

    def teach_one():
        if pad.n_examples >= 20:  # a class's pad holds a few dozen drawings, not thousands
            pad.examples = pad.examples[:2]
        pad.pad.draw_stroke([(0.1, 0.9), (0.9, 0.1)])
        pad.teach("cross")

    def test_one():
        if pad.n_tested >= 20:
            pad.tests = []
        pad.pad.draw_stroke([(0.1, 0.9), (0.9, 0.1)])
        pad.test("cross")

    return [("TeachPad: teach one drawing", teach_one), ("TeachPad: test one drawing", test_one)]
