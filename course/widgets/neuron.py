"""``NeuronLab``: one neuron with sliders for its weights and threshold, and a button that learns
them by the perceptron rule, one example at a time (lesson j12). ``network_html`` shows what a
two-layer net says. The model is :mod:`course.models.neuron`.

The four inputs are drawn on a square: should-be-1 as filled circles, should-be-0 as open squares;
the side where the neuron says 1 is shaded and labelled; each example is ✔ or ✘ in the table too.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as widgets
import traitlets

from course.a11y import A11y
from course.i18n import _
from course.models.neuron import INPUTS, TASKS, NeuronSteps, neuron, two_layer, weighted_sum
from course.render import scoped_style, style_widget
from course.style import OKABE_ITO

CSS = scoped_style("manabu-neuron")
BIG = {"description_width": "initial"}
SIZE, PAD = 260, 40           # the plot, in pixels; inputs go from -0.5 to 1.5
SHADE = "#fbe3c2"             # a light orange for the side that says 1


def task_labels() -> dict[str, str]:
    return {"AND": _("AND: both are 1"), "OR": _("OR: at least one is 1"), "XOR": _("XOR: exactly one is 1")}


def _at(x1: float, x2: float) -> tuple[float, float]:
    scale = (SIZE - 2 * PAD) / 1.0
    return PAD + x1 * scale, SIZE - PAD - x2 * scale


def plane_svg(weights, threshold: float, targets) -> str:
    """The input square: the shaded side where the neuron says 1, its line, the four examples."""
    cells, n = [], 16
    side = 2 * (SIZE - 2 * PAD) / n + 0.6     # the squares cover -0.5 to 1.5, a little overlapped
    for i in range(n):
        for j in range(n):
            x1, x2 = -0.5 + 2 * (i + 0.5) / n, -0.5 + 2 * (j + 0.5) / n
            if neuron((x1, x2), weights, threshold):
                left, top = _at(-0.5 + 2 * i / n, -0.5 + 2 * (j + 1) / n)
                cells.append(f'<rect x="{left:.1f}" y="{top:.1f}" width="{side:.1f}" '
                             f'height="{side:.1f}" fill="{SHADE}"/>')
    marks = []
    for (x1, x2), should in zip(INPUTS, targets, strict=True):
        cx, cy = _at(x1, x2)
        if should:
            marks.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="11" fill="{OKABE_ITO["blue"]}" stroke="black"/>')
        else:
            marks.append(f'<rect x="{cx - 10:.1f}" y="{cy - 10:.1f}" width="20" height="20" fill="white" '
                         'stroke="black" stroke-width="2"/>')
        ok = neuron((x1, x2), weights, threshold) == should
        marks.append(f'<text x="{cx + 14:.1f}" y="{cy - 10:.1f}" font-size="18">{"✔" if ok else "✘"}</text>')
    line = ""
    w1, w2 = weights
    if abs(w2) > 1e-9 or abs(w1) > 1e-9:   # the border: w1·x1 + w2·x2 = threshold
        if abs(w2) >= abs(w1):
            ends = [(x, (threshold - w1 * x) / w2) for x in (-0.5, 1.5)]
        else:
            ends = [((threshold - w2 * y) / w1, y) for y in (-0.5, 1.5)]
        (a, b), (c, d) = (_at(*ends[0]), _at(*ends[1]))
        line = (f'<line x1="{a:.1f}" y1="{b:.1f}" x2="{c:.1f}" y2="{d:.1f}" stroke="{OKABE_ITO["vermillion"]}" '
                'stroke-width="3" stroke-dasharray="8 4"/>')
    said = [neuron(x, weights, threshold) for x in INPUTS]
    alt = _("The neuron's line on the four examples: it says {said}, they should be {should}").format(
        said=", ".join(map(str, said)), should=", ".join(map(str, targets)))
    axes = "".join(f'<text x="{_at(v, -0.5)[0] - 4:.1f}" y="{SIZE - 8}" font-size="14">{v}</text>'
                   f'<text x="6" y="{_at(-0.5, v)[1] + 5:.1f}" font-size="14">{v}</text>' for v in (0, 1))
    return (f'<svg role="img" aria-label="{escape(alt)}" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}" '
            f'style="font-family:sans-serif"><clipPath id="manabu-neuron-clip"><rect width="{SIZE}" height="{SIZE}"/>'
            f'</clipPath><rect width="{SIZE}" height="{SIZE}" fill="white" stroke="#999"/>'
            f'<g clip-path="url(#manabu-neuron-clip)">{"".join(cells)}{line}</g>{axes}{"".join(marks)}'
            f'<text x="{SIZE / 2 - 10:.0f}" y="{SIZE - 8}" font-size="14">x1</text>'
            f'<text x="4" y="{SIZE / 2:.0f}" font-size="14">x2</text></svg>')


def legend_html() -> str:
    return ('<div style="font-size:16px;display:flex;flex-wrap:wrap;gap:4px 14px">'
            f'<span><span style="color:{OKABE_ITO["blue"]}">●</span> {escape(_("should be 1"))}</span>'
            f'<span>□ {escape(_("should be 0"))}</span>'
            f'<span><span style="background:{SHADE};padding:0 6px;border:1px solid #bbb">\u00a0</span> '
            f'{escape(_("the neuron says 1"))}</span>'
            f'<span><span style="color:{OKABE_ITO["vermillion"]}">- -</span> {escape(_("its line"))}</span></div>')


def table_html(weights, threshold: float, targets) -> str:
    """One row per example: inputs, weighted sum, what the neuron says, what it should say."""
    head = "".join(f"<th>{escape(h)}</th>" for h in ("x1", "x2", _("sum"), _("says"), _("should"), ""))
    rows = []
    for x, should in zip(INPUTS, targets, strict=True):
        total = weighted_sum(x, weights)
        says = int(total >= threshold)
        sign = "≥" if says else "<"
        rows.append(f"<tr><td>{x[0]}</td><td>{x[1]}</td><td>{total:g} {sign} {threshold:g}</td><td>{says}</td>"
                    f"<td>{should}</td><td>{'✔' if says == should else '✘'}</td></tr>")
    return (f'<table style="font-size:16px;border-collapse:collapse;text-align:center" cellpadding="4">'
            f"<tr>{head}</tr>{''.join(rows)}</table>")


def network_html(hidden, output) -> widgets.HTML:
    """What a two-layer net says for each input pair, as a table (hidden neurons h1, h2, ...)."""
    rows = two_layer(hidden, output)
    names = ["x1", "x2", *[f"h{i + 1}" for i in range(len(hidden))], _("output")]
    head = "".join(f"<th>{escape(n)}</th>" for n in names)
    body = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in rows)
    caption = _("What the two-layer net says")
    return widgets.HTML(f'{CSS}<table aria-label="{escape(caption)}" style="font-size:16px;text-align:center" '
                        f'cellpadding="4"><caption>{escape(caption)}</caption><tr>{head}</tr>{body}</table>')


class NeuronLab(widgets.VBox):
    """One neuron: move its weights and threshold, or let the perceptron rule learn them.

    Example::

        lab = NeuronLab("AND")
        lab.w1, lab.w2, lab.threshold = 1.0, 1.0, 1.5      # the same as moving the sliders
        lab.right                                           # 4: all four examples right
        lab.learn_step()                                    # "Learn from the next example"
    """

    task = traitlets.Unicode("AND", help="Which truth table the neuron should say: AND, OR or XOR.")
    w1 = traitlets.Float(0.0, help="The weight of input x1.")
    w2 = traitlets.Float(0.0, help="The weight of input x2.")
    threshold = traitlets.Float(0.0, help="The neuron says 1 when the weighted sum reaches this.")
    right = traitlets.Int(0, help="How many of the four examples the neuron says right.")

    def __init__(self, task: str = "AND", w1: float = 0.0, w2: float = 0.0, threshold: float = 0.0,
                 learning: bool = True):
        def slider(label, value, name):
            s = widgets.FloatSlider(value=value, min=-3, max=3, step=0.5, description=label, style=BIG,
                                    layout=widgets.Layout(width="340px"))
            s.add_class(f"manabu-neuron-{name}")
            return s

        self.sliders = {"w1": slider(_("weight w1"), w1, "w1"), "w2": slider(_("weight w2"), w2, "w2"),
                        "threshold": slider(_("threshold"), threshold, "threshold")}
        self.choose = widgets.ToggleButtons(options=[(task_labels()[t], t) for t in TASKS], value=task,
                                            description=_("Task:"), style={**BIG, "button_width": "auto"})
        self.choose.add_class("manabu-neuron-task")
        self.learn_button = widgets.Button(description=_("Learn from the next example"))
        self.rounds_button = widgets.Button(description=_("Learn 1 round (4 examples)"))
        self.zero_button = widgets.Button(description=_("All to 0"))
        for button, name in ((self.learn_button, "learn"), (self.rounds_button, "round"), (self.zero_button, "zero")):
            button.layout = widgets.Layout(width="auto", min_width="148px")
            button.add_class(f"manabu-neuron-{name}")
        self.learn_button.on_click(lambda _b: self.learn_step())
        self.rounds_button.on_click(lambda _b: self.learn_round())
        self.zero_button.on_click(lambda _b: self.set_weights(0.0, 0.0, 0.0))
        self.output = widgets.HTML()
        self.output.add_class("manabu-neuron-out")
        self.steps_log: list[str] = []
        self.next_example = 0
        buttons = widgets.HBox([self.learn_button, self.rounds_button, self.zero_button],
                               layout=widgets.Layout(flex_flow="row wrap"))
        super().__init__([style_widget("manabu-neuron"), self.choose, *self.sliders.values(), *([buttons] if learning else []),
                          self.output, A11y()])
        self.add_class("manabu-neuron")
        self.task, self.w1, self.w2, self.threshold = task, w1, w2, threshold
        for name, s in self.sliders.items():
            widgets.link((s, "value"), (self, name))
        widgets.link((self.choose, "value"), (self, "task"))
        self._redraw()

    @traitlets.observe("task", "w1", "w2", "threshold")
    def _on_setting(self, change) -> None:
        if hasattr(self, "output"):
            if change["name"] == "task":
                self.steps_log, self.next_example = [], 0
            self._redraw()

    def set_weights(self, w1: float, w2: float, threshold: float) -> None:
        """Set all three at once (the "All to 0" button sets 0, 0, 0)."""
        with self.hold_trait_notifications():
            self.w1, self.w2, self.threshold = w1, w2, threshold
        self.steps_log, self.next_example = [], 0
        self._redraw()

    def learn_step(self) -> dict:
        """The perceptron rule on the next example (the "Learn from the next example" button)."""
        steps = NeuronSteps(weights=(self.w1, self.w2), threshold=self.threshold).start(INPUTS, TASKS[self.task])
        steps.next_ = self.next_example
        done = steps.step()
        self.next_example = steps.next_
        x, change = done["x"], done["change"]
        if change == 0:
            line = _("example ({x1}, {x2}): says {says}, should be {should}. Right: nothing changes.")
        else:
            line = _("example ({x1}, {x2}): says {says}, should be {should}. Change {c:+g}: w1 {d1:+g}, w2 {d2:+g}, threshold {dt:+g}.")
        self.steps_log = [*self.steps_log, line.format(x1=x[0], x2=x[1], says=done["says"], should=done["should"], c=change,
                                           d1=change * x[0] + 0.0, d2=change * x[1] + 0.0, dt=0.0 - change)][-5:]
        self.set_weights_keep_log(*steps.weights_, steps.threshold_)
        return done

    def set_weights_keep_log(self, w1: float, w2: float, threshold: float) -> None:
        with self.hold_trait_notifications():
            self.w1, self.w2, self.threshold = w1, w2, threshold
        self._redraw()

    def learn_round(self) -> None:
        """Four steps: every example once (the "Learn 1 round" button)."""
        for _i in range(len(INPUTS)):
            self.learn_step()

    def _redraw(self) -> None:
        weights, targets = (self.w1, self.w2), TASKS[self.task]
        self.right = sum(neuron(x, weights, self.threshold) == t for x, t in zip(INPUTS, targets, strict=True))
        score = _("Right: {n} of 4").format(n=self.right)
        rule = _("The neuron says 1 when w1·x1 + w2·x2 ≥ threshold: {w1:g}·x1 + {w2:g}·x2 ≥ {t:g}").format(
            w1=self.w1, w2=self.w2, t=self.threshold)
        log = "".join(f"<div>{escape(line)}</div>" for line in self.steps_log)
        self.output.value = (
            f'<div style="font-size:18px"><b>{escape(score)}</b> · {escape(rule)}</div>'
            f'<div style="display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start">'
            f"{plane_svg(weights, self.threshold, targets)}{table_html(weights, self.threshold, targets)}</div>"
            f'{legend_html()}<div class="manabu-neuron-log" style="font-size:16px;font-family:monospace">{log}</div>')


def bench_cases() -> list[tuple[str, Callable[[], None]]]:
    """One user event each, on a widget built once beforehand (for ``make bench``)."""
    lab = NeuronLab("OR")
    values = iter([-1.0, -0.5, 0.0, 0.5, 1.0, 1.5] * 300)

    def move_slider() -> None:
        lab.sliders["w1"].value = next(values)

    tasks = iter(list(TASKS) * 300)

    def switch() -> None:
        lab.choose.value = next(tasks)

    return [("neuron: weight slider", move_slider), ("neuron: learn one example", lab.learn_button.click),
            ("neuron: learn one round", lab.rounds_button.click), ("neuron: change the task", switch)]
