"""Train on some rows of a table, test on the rest: accuracy on both, and a confusion matrix.

``TrainTestLab`` is j03's explore widget (and a tool for the j10 capstone). The tables are
:mod:`course.data.tables`; the metrics (``accuracy``, ``confusion``, and ``knn_scores``, which
recomputes a setting without a widget, for checks and grading) are :mod:`course.models.metrics`.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as widgets
import numpy as np
import traitlets

from course.a11y import A11y
from course.answerline import copy_hint, offer

# the tables and the metrics live in course.data.tables and course.models.metrics; lessons and
# the boundary widget import them from here too
from course.data.tables import (  # noqa: F401
    DATASETS,
    Table,
    class_names,
    dataset_note,
    dataset_title,
    feature_label,
    load_table,
    split,
)
from course.i18n import _
from course.models.metrics import (  # noqa: F401
    MAX_K,
    Scores,
    _neighbour_labels,
    accuracy,
    confusion,
    knn_scores,
    vote,
)
from course.render import scoped_style
from course.style import OKABE_ITO

CSS = scoped_style("manabu-evaluate")


def accuracy_bars_html(rows: list[tuple[str, float, int, int, str]], width: int = 320) -> str:
    """Labelled bars (label, share, right, total, colour): the number is always written too."""
    out = []
    for label, share, right, total, colour in rows:
        text = _("{percent}% ({right} of {total} right)").format(
            percent=round(100 * share), right=right, total=total)
        out.append(
            # wraps and shrinks on a narrow screen (an iPad in portrait) instead of sticking out
            f'<div style="display:flex;flex-wrap:wrap;align-items:center;gap:8px;font-size:18px;margin:2px 0">'
            f'<span style="width:11em;max-width:100%">{escape(label)}</span>'
            f'<span style="display:inline-block;width:{width}px;max-width:100%;height:20px;background:#eee;'
            f'border:1px solid #999"><span style="display:block;height:20px;'
            f'width:{100 * share:.1f}%;background:{colour}"></span></span>'
            f"<span>{escape(text)}</span></div>")
    return "".join(out)


def confusion_html(table: np.ndarray, names: list[str]) -> str:
    """The confusion matrix as an HTML table: counts in the cells, darker blue = more.
    Right guesses (the diagonal) also get a thick border and bold text."""
    top = max(int(table.max()), 1)
    cell = "padding:6px 10px;text-align:center;border:1px solid #999;min-width:3em"
    head = "".join(f'<th scope="col" style="{cell}">{escape(n)}</th>' for n in names)
    rows = []
    for i, name in enumerate(names):
        tds = []
        for j in range(len(names)):
            n = int(table[i, j])
            alpha = 0.85 * n / top
            ink = "#fff" if alpha > 0.5 else "#000"
            extra = "font-weight:bold;outline:3px solid #000;outline-offset:-3px;" if i == j else ""
            tds.append(f'<td style="{cell};background:rgba(0,114,178,{alpha:.2f});color:{ink};'
                       f'{extra}">{n}</td>')
        rows.append(f'<tr><th scope="row" style="{cell};text-align:right">{escape(name)}</th>'
                    + "".join(tds) + "</tr>")
    corner = escape(_("real ↓ / guess →"))
    caption = escape(_("Guesses on the test rows. Each row of this table is a real answer, each "
                       "column a guess. Bold cells with a thick border are right guesses."))
    return (f'<table style="border-collapse:collapse;font-size:18px;margin-top:6px">'
            f'<caption style="caption-side:bottom;font-size:16px;text-align:left;max-width:36em">'
            f'{caption}</caption><tr><th style="{cell}">{corner}</th>{head}</tr>'
            + "".join(rows) + "</table>")


class TrainTestLab(widgets.VBox):
    """Choose the test share, k and the features; see accuracy on training and test rows.

    Example::

        lab = TrainTestLab(dataset="iris")
        lab.k = 3                                               # same as the k slider
        lab.test_share = 0.3                                    # the test-share slider
        lab.features = ["petal length (cm)", "petal width (cm)"]  # the checkboxes
        lab.test_accuracy                                       # 0 to 1
    """

    dataset = traitlets.Enum(DATASETS, "iris", help="Which bundled table to learn from.")
    k = traitlets.Int(5, help="How many neighbours vote (1 to 15).")
    test_share = traitlets.Float(0.3, help="Share of the rows kept aside for testing (0.1 to 0.5).")
    features = traitlets.List(traitlets.Unicode(), help="The columns the model may use "
                              "(scikit-learn's names, e.g. 'petal length (cm)').")
    scale = traitlets.Bool(False, help="Put every column on the same scale before measuring distance.")
    train_accuracy = traitlets.Float(None, allow_none=True, help="Accuracy on the training rows.")
    test_accuracy = traitlets.Float(None, allow_none=True, help="Accuracy on the test rows.")

    def __init__(self, dataset: str = "iris", k: int = 5, test_share: float = 0.3,
                 features=None, datasets=DATASETS, seed: int = 0, scale: bool = False,
                 name: str = "answer_features"):
        self.seed, self.name, self._busy = seed, name, False
        style = {"description_width": "initial"}
        self.picker = widgets.Dropdown(options=[(dataset_title(d), d) for d in datasets],
                                       value=dataset, description=_("Data"), style=style)
        self.picker.layout.display = None if len(datasets) > 1 else "none"
        self.share_slider = widgets.FloatSlider(
            value=test_share, min=0.1, max=0.5, step=0.05, readout_format=".0%",
            description=_("Kept for testing"), style=style, layout=widgets.Layout(width="360px"))
        self.k_slider = widgets.IntSlider(value=k, min=1, max=MAX_K, description=_("Neighbours (k)"),
                                          style=style, layout=widgets.Layout(width="360px"))
        self.k_slider.add_class("manabu-evaluate-k")
        self.scale_box = widgets.Checkbox(value=scale, description=_("Put all columns on the same scale"),
                                          indent=False, style={"description_width": "initial"},
                                          layout=widgets.Layout(width="auto"))
        self.boxes: dict[str, widgets.Checkbox] = {}
        self.box_grid = widgets.GridBox(layout=widgets.Layout(
            grid_template_columns="repeat(auto-fill, minmax(240px, 1fr))", width="100%"))
        self.box_grid.add_class("manabu-evaluate-features")
        self.output = widgets.HTML(layout=widgets.Layout(min_height="300px"))
        self.output.add_class("manabu-evaluate-out")
        title = widgets.HTML(f'{CSS}<div style="font-size:18px">{_("Features the model may use:")}</div>')
        super().__init__([self.picker, self.share_slider, self.k_slider, self.scale_box, title,
                          self.box_grid, self.output, A11y()])
        self.add_class("manabu-evaluate")
        self.set_trait("dataset", dataset)
        self.set_trait("k", k)
        self.set_trait("test_share", test_share)
        self.set_trait("scale", scale)
        widgets.link((self.picker, "value"), (self, "dataset"))
        widgets.link((self.k_slider, "value"), (self, "k"))
        widgets.link((self.share_slider, "value"), (self, "test_share"))
        widgets.link((self.scale_box, "value"), (self, "scale"))
        self._make_boxes(features)
        self._redraw()

    @traitlets.validate("features")
    def _valid_features(self, proposal):
        names = load_table(self.dataset).features
        wanted = set(proposal["value"])
        unknown = sorted(wanted - set(names))
        if unknown:
            raise traitlets.TraitError(_("There is no feature {bad}. Choose from: {names}").format(
                bad=", ".join(repr(u) for u in unknown), names=", ".join(repr(n) for n in names)))
        return [n for n in names if n in wanted]  # keep the table's order, no repeats

    @traitlets.validate("k")
    def _valid_k(self, proposal):
        if not 1 <= proposal["value"] <= MAX_K:
            raise traitlets.TraitError(_("Pick k from 1 to 15."))
        return proposal["value"]

    @traitlets.validate("test_share")
    def _valid_share(self, proposal):
        if not 0.1 - 1e-9 <= proposal["value"] <= 0.5 + 1e-9:
            raise traitlets.TraitError(_("Write the test share as a number from 0.1 to 0.5 "
                                         "(0.3 means 30%)."))
        return proposal["value"]

    def _make_boxes(self, features=None) -> None:
        names = load_table(self.dataset).features
        chosen = set(names if features is None else features)
        self.boxes = {}
        for n in names:
            box = widgets.Checkbox(value=n in chosen, description=feature_label(n), indent=False,
                                   style={"description_width": "initial"})
            box.observe(self._on_box, "value")
            self.boxes[n] = box
        self.box_grid.children = list(self.boxes.values())
        self._busy = True
        try:
            self.features = [n for n in names if n in chosen]
        finally:
            self._busy = False

    def _on_box(self, change) -> None:
        if not self._busy:
            self.features = [n for n, box in self.boxes.items() if box.value]

    @traitlets.observe("dataset")
    def _on_dataset(self, change) -> None:
        if hasattr(self, "output"):
            self._make_boxes()
            self._redraw()

    @traitlets.observe("features")
    def _on_features(self, change) -> None:
        if not hasattr(self, "output") or self._busy:
            return
        self._busy = True
        try:
            for n, box in self.boxes.items():
                box.value = n in change["new"]
        finally:
            self._busy = False
        self._redraw()

    @traitlets.observe("k", "test_share", "scale")
    def _on_setting(self, change) -> None:
        if hasattr(self, "output"):
            self._redraw()

    def _redraw(self) -> None:
        note = f'<div style="font-size:16px;margin:4px 0">{escape(dataset_note(self.dataset))}</div>'
        if not self.features:
            self.train_accuracy = self.test_accuracy = None
            self.output.value = note + (f'<div style="font-size:18px">'
                                        f'{_("Tick at least one feature.")}</div>')
            return
        s = knn_scores(self.dataset, self.features, self.k, self.test_share, self.seed, self.scale)
        self.scores = s
        self.train_accuracy, self.test_accuracy = s.train_accuracy, s.test_accuracy
        bars = accuracy_bars_html([
            (_("Training rows"), s.train_accuracy, s.n_train_right, s.n_train, OKABE_ITO["blue"]),
            (_("Test rows"), s.test_accuracy, s.n_test_right, s.n_test, OKABE_ITO["orange"])])
        if s.test_accuracy >= 0.9:
            tip = _("At least 90% right on the test rows. Can you do it with fewer features?")
        elif s.train_accuracy - s.test_accuracy > 0.1:
            tip = _("Much better on training rows than on test rows: try a bigger k.")
        else:
            tip = _("Try other features or another k.")
        offer(f"{self.name} = {self.features!r}", shown_in=self.output)
        code = escape(f"{self.name} = {self.features!r}")
        line = copy_hint(_("To keep these features, write: {code}").format(code=f"<code>{code}</code>"))
        sizes = _("{train} rows to learn from, {test} rows to test on, {k} neighbours vote.").format(
            train=s.n_train, test=s.n_test, k=self.k)
        self.output.value = (note + f'<div style="font-size:18px;margin:4px 0">{sizes}</div>' + bars + f'<div style="font-size:18px;margin:6px 0">{tip}</div>'
                             + confusion_html(s.confusion, class_names(self.dataset))
                             + f'<div style="font-size:16px;margin-top:8px">{line}</div>')


def bench_cases() -> list[tuple[str, Callable[[], None]]]:
    """One user event each, on widgets built once beforehand."""
    iris, cancer = TrainTestLab("iris"), TrainTestLab("breast_cancer")
    ks = iter(range(10**9))
    shares = iter(range(10**9))

    def move_k(lab):
        return lambda: setattr(lab, "k", 1 + next(ks) % MAX_K)

    def move_share():
        iris.test_share = (0.1, 0.2, 0.3, 0.4, 0.5)[next(shares) % 5]

    def tick(lab):
        def event():
            names = list(lab.boxes)
            box = lab.boxes[names[next(ks) % len(names)]]
            box.value = not box.value
        return event

    def change_dataset():
        iris.dataset = "wine" if iris.dataset == "iris" else "iris"

    return [("iris: move k", move_k(iris)), ("iris: move test share", move_share),
            ("iris: tick a feature", tick(iris)), ("breast_cancer: move k", move_k(cancer)),
            ("breast_cancer: tick a feature", tick(cancer)), ("switch data set", change_dataset)]
