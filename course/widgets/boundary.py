"""Where does a model draw the line? A decision tree or a small neural net on two-moon or
two-circle points, its decision boundary, and the gap between training and test accuracy.

``BoundaryExplorer`` is j04's explore widget; ``boundary_scores`` recomputes a setting
without a widget, for checks and grading.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from html import escape

import ipywidgets as widgets
import numpy as np
import traitlets

from course.a11y import A11y
from course.answerline import copy_hint, offer
from course.i18n import _
from course.models.metrics import accuracy
from course.render import scoped_style
from course.style import OKABE_ITO
from course.widgets.evaluate import accuracy_bars_html

DATA = ("moons", "circles")
MODELS = ("tree", "net")
GRID = 40          # the background is a GRID × GRID board of coloured cells
SIZE = 400         # pixels
SEED = 0
# The picture is two layers in one grid cell: the areas (redrawn on each move) under the points
# (drawn once, on a layer of their own, so the browser does not repaint them either).
CSS = scoped_style("manabu-boundary", {
    ".manabu-boundary-stack": "display:grid!important",
    ".manabu-boundary-stack > .widget-html": "grid-area:1 / 1;margin:0",
    ".manabu-boundary-points": "pointer-events:none;will-change:transform",
})
COLOURS = (OKABE_ITO["blue"], OKABE_ITO["orange"])
TINTS = ("#cce3f0", "#f8e2b3")   # light blue and light orange for the regions
# The stripes of group B's area: a dark orange with 3:1 against its light orange (a cue that is
# not colour alone). Marks carry a black outline, which stands out on either area.
HATCH = "#996A00"


@dataclass(frozen=True)
class Points:
    """Generated points (fixed seed), split 70/30 into training and test points."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    low: np.ndarray      # corners of the picture
    high: np.ndarray


@cache
def load_points(data: str) -> Points:
    """200 noisy points in two groups: two half moons, or a ring around a disc."""
    from sklearn.datasets import make_circles, make_moons
    from sklearn.model_selection import train_test_split

    if data not in DATA:
        raise ValueError(_("Choose the points 'moons' or 'circles'."))
    if data == "moons":
        X, y = make_moons(200, noise=0.3, random_state=SEED)
    else:
        X, y = make_circles(200, noise=0.15, factor=0.5, random_state=SEED)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=SEED, stratify=y)
    return Points(Xtr, ytr, Xte, yte, X.min(axis=0) - 0.4, X.max(axis=0) + 0.4)


def make_model(model: str, depth: int, hidden: int):
    """A scikit-learn decision tree (``depth`` levels) or a neural net (``hidden`` units)."""
    if model == "tree":
        from sklearn.tree import DecisionTreeClassifier

        return DecisionTreeClassifier(max_depth=depth, random_state=SEED)
    if model == "net":
        from sklearn.neural_network import MLPClassifier

        # lbfgs learns 140 points in 100 steps (about 20 ms); adam would need far more steps.
        return MLPClassifier(hidden_layer_sizes=(hidden,), solver="lbfgs", max_iter=100,
                             random_state=SEED)
    raise ValueError(_("Choose the model 'tree' or 'net'."))


@dataclass(frozen=True)
class Fitted:
    """What one setting gives: accuracies and the guessed group of every grid cell."""

    train_accuracy: float
    test_accuracy: float
    regions: np.ndarray      # GRID × GRID guesses, row 0 at the top

    @property
    def gap(self) -> float:
        """How much better the model does on the points it learned from (0 to 1)."""
        return self.train_accuracy - self.test_accuracy


@lru_cache(maxsize=512)
def _fit(data: str, model: str, setting: int) -> Fitted:
    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    pts = load_points(data)
    clf = make_model(model, setting, setting)
    # One BLAS thread: these matrices are tiny, and on a busy 2-core machine extra threads made
    # some fits take seconds instead of tens of milliseconds.
    with warnings.catch_warnings(), threadpool_limits(1):
        # 100 steps is enough to see the shape; "not fully converged" is expected
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(pts.X_train, pts.y_train)
    xs = np.linspace(pts.low[0], pts.high[0], GRID, endpoint=False) + (pts.high[0] - pts.low[0]) / GRID / 2
    ys = np.linspace(pts.high[1], pts.low[1], GRID, endpoint=False) - (pts.high[1] - pts.low[1]) / GRID / 2
    gx, gy = np.meshgrid(xs, ys)
    with threadpool_limits(1):
        regions = clf.predict(np.c_[gx.ravel(), gy.ravel()]).reshape(GRID, GRID)
        return Fitted(accuracy(pts.y_train, clf.predict(pts.X_train)),
                      accuracy(pts.y_test, clf.predict(pts.X_test)), regions)


_warmed: set[tuple[str, str]] = set()


def warm_up(data: str, model: str, around: int) -> threading.Thread | None:
    """Fit every setting of ``model`` on ``data`` in a background thread, nearest to ``around``
    first, so a child's next slider moves only redraw (on a slow school machine a net's fit
    took 100-470 ms per move). None if it was started before."""
    if (data, model) in _warmed:
        return None
    _warmed.add((data, model))
    values = range(1, 11) if model == "tree" else range(1, 33)
    order = sorted(values, key=lambda v: (abs(v - around), v < around))
    thread = threading.Thread(target=lambda: [_fit(data, model, v) for v in order],
                              name=f"manabu-boundary-warm-{data}-{model}", daemon=True)
    thread.start()
    return thread


def boundary_scores(data: str = "moons", model: str = "tree", depth: int = 3,
                    hidden: int = 4) -> Fitted:
    """Fit one setting (remembered, so asking again is instant).

    >>> s = boundary_scores("moons", "tree", depth=10)
    >>> s.gap > 0.1      # a deep tree learns the training points by heart
    True
    """
    if model == "tree" and not 1 <= depth <= 10:
        raise ValueError(_("Pick a tree depth from 1 to 10."))
    if model == "net" and not 1 <= hidden <= 32:
        raise ValueError(_("Pick from 1 to 32 hidden units."))
    return _fit(data, model, depth if model == "tree" else hidden)


def _svg_open(title: str | None) -> str:
    """The ``<svg>`` tag both layers share (same size and border, so they line up when scaled);
    with ``title`` it is the picture a screen reader names, without it a hidden overlay."""
    border = "#999" if title is not None else "transparent"
    named = (f'role="img" style="border:1px solid {border}"><title>{escape(title)}</title>'
             if title is not None else f'aria-hidden="true" style="border:1px solid {border}">')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
            f'viewBox="0 0 {SIZE} {SIZE}" {named}')


def areas_svg(regions: np.ndarray, title: str) -> str:
    """The regions as coloured cells (group B also hatched): the layer a slider move redraws.

    Each area is one path; each run of equal cells in a row is one rectangle of it.
    """
    cell = SIZE / GRID
    hatch = ('<defs><pattern id="manabu-boundary-hatch" width="8" height="8" '
             'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
             f'<rect width="8" height="8" fill="{TINTS[1]}"/>'
             f'<line x1="0" y1="0" x2="0" y2="8" stroke="{HATCH}" stroke-width="1.5"/></pattern></defs>')
    parts = [_svg_open(title), hatch]
    # One path per group (each run of equal cells in a row is one "M x y h w v c h -w z"): two
    # elements instead of a hundred rectangles, so a slow browser redraws the picture sooner.
    fills = (TINTS[0], "url(#manabu-boundary-hatch)")
    runs: tuple[list[str], list[str]] = ([], [])
    for r, row in enumerate(regions):
        start = 0
        for c in range(1, GRID + 1):
            if c == GRID or row[c] != row[start]:
                runs[int(row[start])].append(f"M{start * cell:.0f} {r * cell:.0f}"
                                             f"h{(c - start) * cell:.0f}v{cell:.0f}"
                                             f"h-{(c - start) * cell:.0f}z")
                start = c
    for group, d in enumerate(runs):
        if d:
            parts.append(f'<path class="manabu-boundary-area" fill="{fills[group]}" d="{"".join(d)}"/>')
    return "".join(parts) + "</svg>"


def _marks(pts: Points) -> str:
    """The points as six paths (one per group and kind): circles are two arcs, triangles lines."""
    span = pts.high - pts.low

    def place(x):
        return (x[0] - pts.low[0]) / span[0] * SIZE, (pts.high[1] - x[1]) / span[1] * SIZE

    parts = []
    for X, y, filled in ((pts.X_train, pts.y_train, True), (pts.X_test, pts.y_test, False)):
        for label in (0, 1):
            shapes = []
            for x in X[y == label]:
                px, py = place(x)
                if label == 0:
                    shapes.append(f"M{px - 5:.1f} {py:.1f}a5 5 0 1 0 10 0a5 5 0 1 0 -10 0z")
                else:
                    shapes.append(f"M{px:.1f} {py - 6:.1f}L{px - 5.5:.1f} {py + 4:.1f}"
                                  f"L{px + 5.5:.1f} {py + 4:.1f}z")
            if not shapes:
                continue
            d, colour = "".join(shapes), COLOURS[label]
            mark = f'<path class="manabu-boundary-marks" d="{d}"'
            if filled:
                parts.append(f'{mark} fill="{colour}" stroke="#000" stroke-width="0.8"/>')
            else:  # hollow: a coloured ring inside a black one, seen on any area
                parts.append(f'{mark} fill="#fff" stroke="#000" stroke-width="4"/>'
                             f'{mark} fill="none" stroke="{colour}" stroke-width="2"/>')
    return "".join(parts)


@cache
def marks_svg(data: str) -> str:
    """The points of ``data`` as a see-through layer over :func:`areas_svg`. They never move,
    so the widget sends and the browser draws them once, not on every slider move."""
    return _svg_open(None) + _marks(load_points(data)) + "</svg>"


def boundary_svg(pts: Points, regions: np.ndarray, title: str) -> str:
    """The whole picture in one SVG: the areas under the points (for pages and checks; the
    widget shows the same as two layers).

    Group A: blue circles; group B: orange triangles. Training points are filled,
    test points hollow.
    """
    areas = areas_svg(regions, title)
    return areas[:-len("</svg>")] + _marks(pts) + "</svg>"


def legend_html() -> str:
    blue, orange = COLOURS
    return (
        '<div style="font-size:16px;line-height:1.6">'
        f'<span style="color:{blue}">●</span> {_("group A: blue circles, light blue area")}<br>'
        f'<span style="color:{orange}">▲</span> {_("group B: orange triangles, striped orange area")}<br>'
        f'{_("Filled marks: training points. Hollow marks: test points.")}</div>')


class BoundaryExplorer(widgets.VBox):
    """A decision tree or a small neural net learns two groups of points; see where it
    draws the line, and how much better it does on training points than on test points.

    Example::

        explorer = BoundaryExplorer(data="moons")
        explorer.model = "tree"       # the model menu ("tree" or "net")
        explorer.depth = 8            # the tree-depth slider
        explorer.hidden = 16          # the hidden-units slider (used when model is "net")
        explorer.gap                  # training accuracy minus test accuracy
    """

    data = traitlets.Enum(DATA, "moons", help="Which points: 'moons' or 'circles'.")
    model = traitlets.Enum(MODELS, "tree", help="'tree' (decision tree) or 'net' (neural net).")
    depth = traitlets.Int(3, help="How many questions deep the tree may go (1 to 10).")
    hidden = traitlets.Int(4, help="How many hidden units the neural net has (1 to 32).")
    train_accuracy = traitlets.Float(0.0, help="Accuracy on the training points.")
    test_accuracy = traitlets.Float(0.0, help="Accuracy on the test points.")
    gap = traitlets.Float(0.0, help="Training accuracy minus test accuracy.")

    def __init__(self, data: str = "moons", model: str = "tree", depth: int = 3, hidden: int = 4):
        style = {"description_width": "initial"}
        wide = widgets.Layout(width="360px")
        self.data_menu = widgets.Dropdown(
            options=[(_("Two moons"), "moons"), (_("Ring and disc"), "circles")],
            value=data, description=_("Points"), style=style)
        self.model_menu = widgets.Dropdown(
            options=[(_("Decision tree"), "tree"), (_("Small neural net"), "net")],
            value=model, description=_("Model"), style=style)
        self.depth_slider = widgets.IntSlider(value=depth, min=1, max=10, description=_("Tree depth"),
                                              style=style, layout=wide)
        self.depth_slider.add_class("manabu-boundary-depth")
        self.hidden_slider = widgets.IntSlider(value=hidden, min=1, max=32, style=style, layout=wide,
                                               description=_("Hidden units"))
        self.hidden_slider.add_class("manabu-boundary-hidden")
        self.picture = widgets.HTML()
        self.picture.add_class("manabu-boundary-picture")
        self.points_layer = widgets.HTML()
        self.points_layer.add_class("manabu-boundary-points")
        stack = widgets.Box([self.picture, self.points_layer])
        stack.add_class("manabu-boundary-stack")
        self.legend = widgets.HTML(legend_html())
        drawing = widgets.VBox([stack, self.legend], layout=widgets.Layout(margin="0 16px 0 0"))
        self.output = widgets.HTML(layout=widgets.Layout(min_width="320px", max_width="520px"))
        self.output.add_class("manabu-boundary-out")
        shown = widgets.HBox([drawing, self.output],
                             layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"))
        super().__init__([widgets.HTML(CSS), self.data_menu, self.model_menu, self.depth_slider,
                          self.hidden_slider, shown, A11y()])
        self.add_class("manabu-boundary")
        for name, value in (("data", data), ("model", model), ("depth", depth), ("hidden", hidden)):
            self.set_trait(name, value)
        for control, name in ((self.data_menu, "data"), (self.model_menu, "model"),
                              (self.depth_slider, "depth"), (self.hidden_slider, "hidden")):
            widgets.link((control, "value"), (self, name))
        self.warm_thread: threading.Thread | None = None
        for slider in (self.depth_slider, self.hidden_slider):   # after the links: fit, then warm
            slider.observe(self._on_child_move, "value")
        self._redraw()

    def _on_child_move(self, change) -> None:
        # Only a move made in the browser (ipywidgets locks the property while it applies one)
        # starts the warm-up: code and grading, which set values directly, spend no CPU on it.
        if "value" in change["owner"]._property_lock:
            around = self.depth if self.model == "tree" else self.hidden
            self.warm_thread = warm_up(self.data, self.model, around) or self.warm_thread

    @traitlets.validate("depth")
    def _valid_depth(self, proposal):
        if not 1 <= proposal["value"] <= 10:
            raise traitlets.TraitError(_("Pick a tree depth from 1 to 10."))
        return proposal["value"]

    @traitlets.validate("hidden")
    def _valid_hidden(self, proposal):
        if not 1 <= proposal["value"] <= 32:
            raise traitlets.TraitError(_("Pick from 1 to 32 hidden units."))
        return proposal["value"]

    @traitlets.observe("data", "model", "depth", "hidden")
    def _on_setting(self, change) -> None:
        if hasattr(self, "output"):
            self._redraw()

    @property
    def setting_code(self) -> str:
        """The line a student copies into an answer cell for this setting."""
        if self.model == "tree":
            return f'answer_model = "tree"; answer_depth = {self.depth}'
        return f'answer_model = "net"; answer_hidden = {self.hidden}'

    def _redraw(self) -> None:
        tree = self.model == "tree"
        self.depth_slider.disabled, self.hidden_slider.disabled = not tree, tree
        fitted = boundary_scores(self.data, self.model, self.depth, self.hidden)
        self.train_accuracy, self.test_accuracy = fitted.train_accuracy, fitted.test_accuracy
        self.gap = fitted.gap
        pts = load_points(self.data)
        if tree:
            what = _("Decision tree, depth {depth}").format(depth=self.depth)
        else:
            what = _("Neural net, {hidden} hidden units").format(hidden=self.hidden)
        self.picture.value = areas_svg(fitted.regions, what)
        self.points_layer.value = marks_svg(self.data)   # sent only when the points change
        n_train, n_test = len(pts.y_train), len(pts.y_test)
        bars = accuracy_bars_html([
            (_("Training points"), fitted.train_accuracy, round(fitted.train_accuracy * n_train),
             n_train, COLOURS[0]),
            (_("Test points"), fitted.test_accuracy, round(fitted.test_accuracy * n_test),
             n_test, COLOURS[1])], width=200)
        points = round(100 * fitted.train_accuracy) - round(100 * fitted.test_accuracy)
        gap = _("Gap: {train}% − {test}% = {points} percentage points").format(
            train=round(100 * fitted.train_accuracy), test=round(100 * fitted.test_accuracy),
            points=points)
        if points > 8 and fitted.train_accuracy >= 0.8:
            verdict = _("Big gap: the model learned the training points by heart (overfitting). "
                        "Try a simpler model.")
        elif min(fitted.train_accuracy, fitted.test_accuracy) < 0.8:
            verdict = _("Many points are wrong, even training points: the model is too simple "
                        "(underfitting). Try a bigger model.")
        else:
            verdict = _("Small gap and good test accuracy: this model should work on new points too.")
        offer(self.setting_code, shown_in=self.output)
        line = copy_hint(_("To keep this setting, write: {code}").format(
            code=f"<code>{self.setting_code}</code>"))
        self.output.value = (
            f'<div style="font-size:20px;font-weight:bold">{what}</div>{bars}'
            f'<div class="manabu-boundary-gap" style="font-size:18px;margin:6px 0">'
            f'{gap}</div>'
            f'<div style="font-size:18px;margin:6px 0">{verdict}</div>'
            f'<div style="font-size:16px">{line}</div>')


def bench_cases() -> list[tuple[str, Callable[[], None]]]:
    """One user event each, on widgets built once beforehand."""
    tree = BoundaryExplorer("moons", "tree")
    net = BoundaryExplorer("circles", "net")
    step = iter(range(10**9))

    def move_depth():
        tree.depth = 1 + next(step) % 10

    def move_hidden_cached():
        net.hidden = 1 + next(step) % 32

    def move_hidden_first_fit():
        _fit.cache_clear()   # every move is a setting never fitted before
        net.hidden = 1 + next(step) % 32

    def switch_model():
        tree.model = "net" if tree.model == "tree" else "tree"

    for h in range(1, 33):   # warm the cache, as moving back and forth does
        boundary_scores("circles", "net", hidden=h)
    return [("tree: move depth", move_depth), ("net: move hidden units (fitted before)",
                                               move_hidden_cached),
            ("tree ↔ net: switch model", switch_model),
            ("net: move hidden units (first fit)", move_hidden_first_fit)]
