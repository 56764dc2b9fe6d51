"""See how nearest neighbours guess: the closest examples, their votes, and the guess."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import traitlets
from IPython.display import HTML, display

from course.a11y import A11y
from course.answerline import copy_hint, offer
from course.digits import Digits, load_examples
from course.i18n import _
from course.models import NearestNeighbors
from course.render import bars_html, digit_html, row_html, style_widget
from course.widgets.drawing_pad import DrawingPad


def neighbors_html(model: NearestNeighbors, image, k: int, mine: str | None = None) -> str:
    """The picture, its k nearest examples (with labels) and the vote, as HTML."""
    _dist, idx = model.kneighbors(image, k)
    votes = model.votes(image, k)
    guess = model.predict(image, k)[0].item()
    pics = [digit_html(model.examples_[i], cell=7, caption=str(model.labels_[i].item()),
                       title=_("a {label}").format(label=model.labels_[i].item()))
            for i in idx[0]]
    parts = []
    if mine:
        parts.append(f'<div style="font-size:18px">{mine}</div>'
                     + digit_html(image, cell=14, title=_("your picture, 8 by 8")))
    parts += [
        '<div style="font-size:18px;margin-top:8px">'
        + _("The {k} closest examples (nearest first):").format(k=k) + "</div>",
        row_html(pics),
        '<div style="font-size:18px;margin-top:8px">' + _("Votes:") + "</div>",
        bars_html(votes, _("votes"), _("vote")),
        '<div class="manabu-guess" style="font-size:22px;font-weight:bold;margin-top:8px">'
        + _("My guess: {guess}").format(guess=guess) + "</div>",
    ]
    return "".join(parts)


def show_neighbors(image, k: int = 5, examples: Digits | None = None) -> None:
    """Show a digit's k nearest examples and their vote (a picture, not a widget)."""
    examples = examples or load_examples("train")
    model = NearestNeighbors(k).fit(examples.images, examples.labels)
    display(HTML(neighbors_html(model, image, k, mine=_("The mystery digit:"))))


def show_examples(examples: Digits | None = None, per_digit: int = 3) -> None:
    """Show a few examples of each digit with their labels."""
    examples = examples or load_examples("train")
    pics = []
    for digit in range(10):
        for i in np.flatnonzero(examples.labels == digit)[:per_digit]:
            pics.append(digit_html(examples.images[i], cell=6, caption=str(digit)))
    display(HTML(row_html(pics)))


class NeighborsView(widgets.VBox):
    """The k nearest examples of what is on a :class:`DrawingPad`, their votes and the guess.

    Example::

        pad = DrawingPad()
        view = NeighborsView(load_examples(), pad=pad)
        view.k = 7                 # same as moving the slider
        view.guess                 # the computer's guess for the drawing (None when empty)
    """

    k = traitlets.Int(5, help="How many neighbours vote.")
    guess = traitlets.Int(None, allow_none=True, help="The current guess (None: nothing drawn).")

    def __init__(self, examples: Digits | None = None, pad: DrawingPad | None = None, k: int = 5):
        examples = examples or load_examples()
        self.model = NearestNeighbors(k).fit(examples.images, examples.labels)
        self.pad = pad or DrawingPad()
        self.slider = widgets.IntSlider(value=k, min=1, max=15, description=_("Neighbours (k)"),
                                        style={"description_width": "initial"},
                                        continuous_update=True,
                                        layout=widgets.Layout(width="320px"))
        self.output = widgets.HTML(layout=widgets.Layout(min_height="200px"))
        self.output.add_class("manabu-neighbors")
        super().__init__([style_widget("manabu-neighbors-view"), self.slider, self.output, A11y()])
        self.add_class("manabu-neighbors-view")
        widgets.link((self.slider, "value"), (self, "k"))
        self.k = k
        self.pad.observe(self._on_pixels, "pixels")
        self._redraw()

    @traitlets.observe("k")
    def _on_k(self, change) -> None:
        if hasattr(self, "output"):
            self._redraw()

    def _on_pixels(self, change) -> None:
        self._redraw()

    def _redraw(self) -> None:
        image = self.pad.pixels.ravel()
        if not image.any():
            self.guess = None
            self.output.value = f'<div style="font-size:18px">{_("Draw a digit and I will guess it.")}</div>'
            return
        self.guess = int(self.model.predict(image, self.k)[0])
        self.output.value = neighbors_html(self.model, image, self.k, mine=_("What the computer sees:"))


class DrawAndGuess(widgets.HBox):
    """A drawing pad beside the neighbours that vote on it: e03's explore widget."""

    def __init__(self, examples: Digits | None = None, k: int = 5):
        self.pad = DrawingPad()
        self.view = NeighborsView(examples, pad=self.pad, k=k)
        super().__init__([self.pad, self.view], layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"))
        self.add_class("manabu-draw-and-guess")


class KChooser(widgets.VBox):
    """A slider for k that says how many mistakes that many neighbours make on new digits.
    With a ``name`` it also shows the line that answers with this k; ``name=None`` shows none
    (the slider then checks a prediction made before it, and is not itself an answer)."""

    k = traitlets.Int(1, help="How many neighbours vote.")

    def __init__(self, mistakes: dict[int, int], total: int, name: str | None = "answer_k"):
        self.mistakes, self.total, self.name = mistakes, total, name
        self.slider = widgets.IntSlider(value=1, min=min(mistakes), max=max(mistakes),
                                        description=_("Neighbours (k)"),
                                        style={"description_width": "initial"},
                                        layout=widgets.Layout(width="360px"))
        self.output = widgets.HTML()
        self.output.add_class("manabu-kchooser")
        super().__init__([style_widget("manabu-kchooser-view"), self.slider, self.output, A11y()])
        self.add_class("manabu-kchooser-view")
        widgets.link((self.slider, "value"), (self, "k"))
        self._redraw()

    @traitlets.observe("k")
    def _on_k(self, change) -> None:
        if hasattr(self, "output"):
            self._redraw()

    def _redraw(self) -> None:
        n = self.mistakes[self.k]
        text = _("With {k} neighbours the computer got {n} of {total} new digits wrong.").format(
            k=self.k, n=n, total=self.total)
        if self.name:
            offer(f"{self.name} = {self.k}", shown_in=self.output)
        line = "<br>" + copy_hint(_("If this is the best, write: {code}").format(
            code=f"<code>{self.name} = {self.k}</code>")) if self.name else ""
        self.output.value = f'<div style="font-size:18px">{text}{line}</div>'


def bench_cases():
    """One user event each, on widgets built once (for ``make bench``)."""
    widget = DrawAndGuess()
    strokes = [[(0.5, 0.1), (0.5, 0.9)], [(0.2, 0.1), (0.8, 0.1), (0.4, 0.9)]]
    state = {"n": 0}

    def draw():
        widget.pad.clear()
        widget.pad.draw_stroke(strokes[state["n"] % 2])
        state["n"] += 1

    def slide():
        widget.view.k = 1 + (widget.view.k % 15)

    chooser = KChooser({k: 20 - k for k in range(1, 16)}, total=300)

    def choose_k():
        chooser.k = 1 + (chooser.k % 15)

    return [("DrawAndGuess: draw a stroke", draw), ("NeighborsView: move k slider", slide),
            ("KChooser: move k slider", choose_k)]
