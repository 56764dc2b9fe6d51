"""Train on some rows of a table, test on the rest: accuracy on both, and a confusion matrix.

``TrainTestLab`` is j03's explore widget (and a tool for the j10 capstone). The reference
functions ``accuracy`` and ``confusion`` are what j03's students write themselves;
``knn_scores`` recomputes a setting without a widget, for checks and grading.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from html import escape

import ipywidgets as widgets
import numpy as np
import traitlets

from course.i18n import _
from course.models.neighbors import NearestNeighbors
from course.render import scoped_style
from course.style import OKABE_ITO

DATASETS = ("iris", "wine", "breast_cancer")
MAX_K = 15
CSS = scoped_style("manabu-evaluate")


def accuracy(y_true, y_pred) -> float:
    """The share of guesses that are right, from 0 to 1.

    >>> accuracy([0, 1, 1, 2], [0, 1, 2, 2])
    0.75
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if len(y_true) != len(y_pred) or len(y_true) == 0:
        raise ValueError(_("Give as many guesses as right answers (and at least one)."))
    return float(np.mean(y_true == y_pred))


def confusion(y_true, y_pred, labels) -> np.ndarray:
    """A table of counts: row i = real label ``labels[i]``, column j = guessed label ``labels[j]``.

    Right guesses sit on the diagonal. Same as scikit-learn's ``confusion_matrix``.

    >>> confusion([0, 1, 1], [0, 1, 0], labels=[0, 1]).tolist()
    [[1, 0], [1, 1]]
    """
    where = {label: i for i, label in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)), dtype=int)
    for real, guess in zip(y_true, y_pred, strict=True):
        table[where[real], where[guess]] += 1
    return table


@dataclass(frozen=True)
class Table:
    """A bundled data set: numbers ``X``, labels ``y``, and the names to show."""

    name: str
    X: np.ndarray
    y: np.ndarray
    features: tuple[str, ...]   # scikit-learn's names: the keys students write


@cache
def load_table(name: str) -> Table:
    """One of scikit-learn's bundled tables (offline), loaded once."""
    from sklearn import datasets

    if name not in DATASETS:
        raise ValueError(_("There is no data set '{name}'. Choose one of: {names}.").format(
            name=name, names=", ".join(DATASETS)))
    data = getattr(datasets, f"load_{name}")()
    return Table(name, data.data.astype(float), data.target, tuple(str(f) for f in data.feature_names))


def dataset_title(name: str) -> str:
    return {"iris": _("Iris flowers"), "wine": _("Wines"),
            "breast_cancer": _("Breast cell samples (medical)")}[name]


def dataset_note(name: str) -> str:
    return {
        "iris": _("150 iris flowers of three kinds, measured in centimetres."),
        "wine": _("178 wines made from three kinds of grape in one region of Italy, "
                  "measured in a lab."),
        "breast_cancer": _("Cell samples from 569 patients at a hospital in Wisconsin, USA, "
                           "shared so that people can learn. Each row is a real person: treat "
                           "the data with care. A model like this is practice, not a doctor."),
    }[name]


def class_names(name: str) -> list[str]:
    return {"iris": [_("setosa"), _("versicolor"), _("virginica")],
            "wine": [_("grape A"), _("grape B"), _("grape C")],
            "breast_cancer": [_("malignant (cancer)"), _("benign (not cancer)")]}[name]


def feature_label(name: str) -> str:
    """A readable, translated name for a column (keys are scikit-learn's names)."""
    words = {
        "sepal length (cm)": _("sepal length (cm)"), "sepal width (cm)": _("sepal width (cm)"),
        "petal length (cm)": _("petal length (cm)"), "petal width (cm)": _("petal width (cm)"),
        "alcohol": _("alcohol"), "malic_acid": _("malic acid"), "ash": _("ash"),
        "alcalinity_of_ash": _("ash alkalinity"), "magnesium": _("magnesium"),
        "total_phenols": _("total phenols"), "flavanoids": _("flavanoids"),
        "nonflavanoid_phenols": _("non-flavanoid phenols"), "proanthocyanins": _("proanthocyanins"),
        "color_intensity": _("colour intensity"), "hue": _("hue"),
        "od280/od315_of_diluted_wines": _("protein (OD280/OD315)"), "proline": _("proline"),
        "radius": _("radius"), "texture": _("texture"), "perimeter": _("perimeter"),
        "area": _("area"), "smoothness": _("smoothness"), "compactness": _("compactness"),
        "concavity": _("concavity"), "concave points": _("concave points"),
        "symmetry": _("symmetry"), "fractal dimension": _("fractal dimension"),
    }
    if name in words:
        return words[name]
    # breast_cancer: "mean radius", "radius error", "worst radius"
    for prefix, suffix, stat in (("mean ", "", _("average")), ("", " error", _("spread")),
                                 ("worst ", "", _("largest"))):
        if name.startswith(prefix) and name.endswith(suffix):
            measure = name.removeprefix(prefix).removesuffix(suffix)
            if measure in words and (prefix or suffix):
                return _("{measure} ({stat})").format(measure=words[measure], stat=stat)
    return name


@lru_cache(maxsize=64)
def split(name: str, test_share: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, test rows): a seeded shuffle that keeps each label's share in both parts."""
    y = load_table(name).y
    rng = np.random.default_rng(seed)
    test = []
    for label in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == label))
        test.extend(rows[: max(1, round(test_share * len(rows)))])
    test = np.sort(np.asarray(test))
    return np.setdiff1d(np.arange(len(y)), test), test


@lru_cache(maxsize=256)
def _neighbour_labels(name: str, features: tuple[str, ...], test_share: float, seed: int,
                      scale: bool):
    """Labels of the 15 nearest training rows, for every training row and every test row.

    Found once per split and feature set, so voting for any k ≤ 15 costs almost nothing,
    which keeps the k slider fast. With ``scale`` every column is rescaled (training mean 0,
    spread 1), so a column measured in big numbers, like proline, no longer drowns out the
    others: without it, choosing the features is the student's job.
    """
    from threadpoolctl import threadpool_limits

    table = load_table(name)
    train, test = split(name, test_share, seed)
    cols = [table.features.index(f) for f in features]
    X = table.X[:, cols]
    if scale:
        mean, spread = X[train].mean(axis=0), X[train].std(axis=0)
        X = (X - mean) / np.where(spread > 0, spread, 1)
    model = NearestNeighbors(MAX_K).fit(X[train], table.y[train])
    with threadpool_limits(1):  # small matrices: extra BLAS threads only wait on a busy machine
        _d, near_train = model.kneighbors(X[train], MAX_K)
        _d, near_test = model.kneighbors(X[test], MAX_K)
    return table.y[train][near_train], table.y[train][near_test]


def vote(neighbour_labels: np.ndarray, k: int, labels: np.ndarray) -> np.ndarray:
    """The label most of the first k neighbours have (a tie goes to the smallest label),
    exactly as ``NearestNeighbors.predict`` decides."""
    counts = (neighbour_labels[:, :k, None] == labels[None, None, :]).sum(axis=1)
    return labels[np.argmax(counts, axis=1)]


@dataclass(frozen=True)
class Scores:
    """What one setting of the lab gives."""

    train_accuracy: float
    test_accuracy: float
    confusion: np.ndarray    # on the test rows; rows = real label, columns = guess
    n_train: int
    n_test: int
    n_train_right: int
    n_test_right: int


def knn_scores(dataset: str, features, k: int = 5, test_share: float = 0.3, seed: int = 0,
               scale: bool = False) -> Scores:
    """Train k nearest neighbours on the training rows and score it on both parts.

    ``scale=True`` puts every column on the same scale first (see ``_neighbour_labels``).

    >>> knn_scores("iris", ["petal length (cm)", "petal width (cm)"], k=5).test_accuracy >= 0.9
    True
    """
    table = load_table(dataset)
    features = tuple(features)
    unknown = [f for f in features if f not in table.features]
    if unknown or not features:
        raise ValueError(_("Choose features from this list: {names}").format(
            names=", ".join(repr(f) for f in table.features)))
    if not 1 <= k <= MAX_K:
        raise ValueError(_("Pick k from 1 to 15."))
    share = round(float(test_share), 2)
    near_train, near_test = _neighbour_labels(dataset, features, share, seed, bool(scale))
    train, test = split(dataset, share, seed)
    labels = np.unique(table.y)
    guess_train, guess_test = vote(near_train, k, labels), vote(near_test, k, labels)
    right_train = int((guess_train == table.y[train]).sum())
    right_test = int((guess_test == table.y[test]).sum())
    return Scores(accuracy(table.y[train], guess_train), accuracy(table.y[test], guess_test),
                  confusion(table.y[test], guess_test, labels), len(train), len(test),
                  right_train, right_test)


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
                          self.box_grid, self.output])
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
        code = escape(f"{self.name} = {self.features!r}")
        line = _("To keep these features, write: {code}").format(code=f"<code>{code}</code>")
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
