"""``KMeansStepper``: run k-means by hand, one "assign" or "move centres" step per click.

Each group has its own colour *and* marker shape; centres are large crosses with their number.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as widgets
import numpy as np
import traitlets

from course.a11y import A11y
from course.i18n import _
from course.models.kmeans import KMeansSteps
from course.render import style_widget
from course.style import COLORS

BIG = {"description_width": "initial"}
BLOB_CENTRES = [[2.5, 2.5], [7.5, 3.0], [3.5, 7.5], [7.5, 7.8]]
LOG_LINES = 6  # how many log lines are shown (the newest last)
UNASSIGNED = "#777777"


def make_group_data(n: int = 60, seed: int = 4) -> np.ndarray:
    """Points in four loose clouds inside a 10 × 10 square (the same every time, no labels).

    The same numbers as scikit-learn's ``make_blobs(n, centers=BLOB_CENTRES, cluster_std=0.9,
    random_state=seed)`` (a test checks it), made here so building the widget does not have
    to import scikit-learn (about a second).
    """
    rng = np.random.RandomState(seed)
    sizes = [n // len(BLOB_CENTRES) + (i < n % len(BLOB_CENTRES)) for i in range(len(BLOB_CENTRES))]
    X = np.vstack([rng.normal(loc=centre, scale=0.9, size=(m, 2))
                   for centre, m in zip(BLOB_CENTRES, sizes, strict=True)])
    order = np.arange(n)
    rng.shuffle(order)
    return np.clip(X[order], 0.2, 9.8)


def _star(points: int = 5, inner: float = 0.5) -> list[tuple[float, float]]:
    angles = np.linspace(0, 2 * np.pi, 2 * points, endpoint=False)
    radii = np.where(np.arange(2 * points) % 2 == 0, 1.35, 1.35 * inner)
    return [(float(r * np.sin(a)), float(-r * np.cos(a))) for r, a in zip(radii, angles, strict=True)]


# Outlines of the marker of each group (in marker sizes; y goes down). Group 0 is a circle.
SHAPES = {
    1: [(-1, -1), (1, -1), (1, 1), (-1, 1)],              # square
    2: [(0, -1.25), (1.1, 0.85), (-1.1, 0.85)],            # triangle
    3: [(0, -1.35), (1.1, 0), (0, 1.35), (-1.1, 0)],       # diamond
    4: [(0, 1.25), (1.1, -0.85), (-1.1, -0.85)],           # upside-down triangle
    5: _star(),                                            # star
}


def marker_svg(group: int | None, cx: float, cy: float, size: float = 6) -> str:
    """One point in its group's colour and shape; a point with no group yet is a grey ring."""
    if group is None:
        return (f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{size - 1}" fill="white" '
                f'stroke="{UNASSIGNED}" stroke-width="2"/>')
    style = f'fill="{COLORS[group % len(COLORS)]}" stroke="black" stroke-width="1"'
    if group % 6 == 0:
        return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{size}" {style}/>'
    pts = " ".join(f"{cx + dx * size:.1f},{cy + dy * size:.1f}" for dx, dy in SHAPES[group % 6])
    return f'<polygon points="{pts}" {style}/>'


def cross_svg(group: int, cx: float, cy: float, arm: float = 13) -> str:
    """A centre: a large cross in the group's colour, outlined in black, with the group number."""
    colour = COLORS[group % len(COLORS)]
    lines = "".join(
        f'<line x1="{cx - arm:.1f}" y1="{cy - s * arm:.1f}" x2="{cx + arm:.1f}" y2="{cy + s * arm:.1f}" '
        f'stroke="{stroke}" stroke-width="{width}" stroke-linecap="round"/>'
        for stroke, width in (("black", 9), (colour, 5)) for s in (-1, 1))
    return (f'<g class="manabu-clustering-centre">{lines}<text x="{cx + arm + 3:.1f}" y="{cy - 4:.1f}" '
            f'font-size="18" font-weight="bold" stroke="white" stroke-width="4" paint-order="stroke">'
            f"{group + 1}</text></g>")


def groups_svg(X, labels, centres, title: str, size: int = 360) -> str:
    """The points (coloured and shaped by group once assigned) and the centres as crosses."""
    pad = 14
    scale = (size - 2 * pad) / 10

    def at(p):
        return pad + p[0] * scale, size - pad - p[1] * scale

    dots = "".join(marker_svg(None if labels is None else int(g), *at(p))
                   for p, g in zip(X, labels if labels is not None else [None] * len(X), strict=True))
    crosses = "".join(cross_svg(i, *at(c)) for i, c in enumerate(centres))
    return (f'<svg role="img" aria-label="{escape(title)}" width="{size}" height="{size}" '
            f'viewBox="0 0 {size} {size}" style="font-family:sans-serif"><rect width="{size}" height="{size}" fill="white" '
            f'stroke="#999"/>{dots}{crosses}</svg>')


class KMeansStepper(widgets.VBox):
    """Find groups in unlabelled points with k-means, one step per button press.

    Example::

        stepper = KMeansStepper()
        stepper.k = 4                 # same as moving the "number of groups" slider
        stepper.assign()              # step 1: every point joins its nearest centre
        stepper.move_centres()        # step 2: every centre moves to the middle of its points
        stepper.labels, stepper.centres
    """

    k = traitlets.Int(3, min=2, max=6, help="How many groups (centres) k-means looks for.")
    seed = traitlets.Int(0, help="Seed that picks the first centres; start-again adds 1.")
    step_count = traitlets.Int(0, help="Steps done since the start (assign and move both count).")
    finished = traitlets.Bool(False, help="True once an assign step changed no point's group.")
    log = traitlets.List(help="One line of text per step, oldest first.")

    def __init__(self, X=None, k: int = 3, seed: int = 0):
        self.X = make_group_data() if X is None else np.asarray(X, dtype=float)
        self.message = ""
        self.slider = widgets.IntSlider(value=k, min=2, max=6, description=_("Number of groups (k)"),
                                        style=BIG, layout=widgets.Layout(width="380px"))
        self.slider.add_class("manabu-clustering-k")
        self.assign_button = widgets.Button(description=_("1. Assign points"))
        self.move_button = widgets.Button(description=_("2. Move centres"))
        self.reset_button = widgets.Button(description=_("Start again (new centres)"))
        for button, name in ((self.assign_button, "assign"), (self.move_button, "move"),
                             (self.reset_button, "reset")):
            button.style.font_size = "18px"
            button.layout.width = "auto"
            button.add_class(f"manabu-clustering-{name}")
        self.assign_button.on_click(lambda _b: self.assign())
        self.move_button.on_click(lambda _b: self.move_centres())
        self.reset_button.on_click(lambda _b: self.reset())
        self.output = widgets.HTML(layout=widgets.Layout(min_height="560px"))
        self.output.add_class("manabu-clustering-out")
        super().__init__([style_widget("manabu-clustering"), self.slider,
                          widgets.HBox([self.assign_button, self.move_button, self.reset_button],
                                       layout=widgets.Layout(flex_flow="row wrap")),
                          self.output, A11y()])
        self.add_class("manabu-clustering")
        self.seed = seed
        self.k = k
        widgets.link((self.slider, "value"), (self, "k"))
        self._start()

    @property
    def labels(self) -> np.ndarray | None:
        """The group of every point (0 to k-1), or None before the first assign step."""
        return self.model.labels_

    @property
    def centres(self) -> np.ndarray:
        """Where the k centres are now (one row per centre)."""
        return self.model.cluster_centers_

    @traitlets.observe("k")
    def _on_k(self, change) -> None:
        if hasattr(self, "model"):
            self._start()

    def _start(self) -> None:
        self.model = KMeansSteps(self.k, random_state=self.seed).start(self.X)
        self.step_count, self.finished, self.log = 0, False, []
        self.message = _("{k} centres were picked at random. Press “1. Assign points”.").format(k=self.k)
        self._redraw()

    def reset(self) -> None:
        """Start again with new random centres (the next seed), as the start-again button does."""
        self.seed += 1
        self._start()

    def assign(self) -> None:
        """Step 1: every point joins the group of its nearest centre."""
        before = None if self.model.labels_ is None else self.model.labels_.copy()
        self.model.assign(self.X)
        self.step_count += 1
        distance = self.model.inertia_
        if before is not None and np.array_equal(before, self.model.labels_):
            self.finished = True
            self.message = _("No point changed its group: k-means has finished!")
            line = _("step {n}: no point changed its group, total squared distance {d}")
        else:
            self.message = _("Now press “2. Move centres”.")
            line = _("step {n}: assigned points to the nearest centre, total squared distance {d}")
        self._add_log(line.format(n=self.step_count, d=f"{distance:.1f}"))
        self._redraw()

    def move_centres(self) -> None:
        """Step 2: every centre moves to the middle (mean) of the points in its group."""
        if self.model.labels_ is None:
            self.message = _("No point has a group yet. Press “1. Assign points” first.")
            self._redraw()
            return
        self.model.move_centres(self.X)
        self.step_count += 1
        self.message = (_("k-means has finished. Try another number of groups, or start again.")
                        if self.finished else _("Now press “1. Assign points” again."))
        self._add_log(_("step {n}: moved centres, total squared distance {d}")
                      .format(n=self.step_count, d=f"{self.model.inertia_:.1f}"))
        self._redraw()

    def _add_log(self, line: str) -> None:
        self.log = [*self.log, line]

    def _legend(self) -> str:
        labels = self.model.labels_
        items = []
        for group in range(self.k):
            count = 0 if labels is None else int((labels == group).sum())
            icon = (f'<svg width="22" height="22" aria-hidden="true">{marker_svg(group, 11, 11)}</svg>')
            text = (_("group {g}: 1 point") if count == 1 else _("group {g}: {n} points")).format(
                g=group + 1, n=count)
            items.append(f'<span style="display:inline-flex;align-items:center;gap:4px;margin-right:12px">'
                         f"{icon}{escape(text)}</span>")
        return f'<div style="font-size:16px;display:flex;flex-wrap:wrap">{"".join(items)}</div>'

    def _redraw(self) -> None:
        plot = groups_svg(self.X, self.model.labels_, self.model.cluster_centers_,
                          _("The points and the centres (large crosses)"))
        lines = "".join(f"<div>{escape(line)}</div>" for line in self.log[-LOG_LINES:])
        self.output.value = (
            f'<div class="manabu-clustering-message" style="font-size:18px;font-weight:bold">'
            f"{escape(self.message)}</div>{plot}{self._legend()}"
            f'<div class="manabu-clustering-log" style="font-size:16px;font-family:monospace;'
            f'margin-top:6px">{lines}</div>')


def bench_cases() -> list[tuple[str, Callable[[], None]]]:
    """One user event each, on a widget built once beforehand (for ``make bench``)."""
    stepper = KMeansStepper()
    ks = iter([2, 3, 4, 5, 6] * 200)

    def move_slider() -> None:
        stepper.slider.value = next(ks)

    return [("clustering: assign", stepper.assign_button.click),
            ("clustering: move centres", stepper.move_button.click),
            ("clustering: start again", stepper.reset_button.click),
            ("clustering: number of groups slider", move_slider)]
