"""``LineFitter``: fit a line by hand with sliders, or let gradient descent take one step at a time.

The error meter shows the mean squared error; the dashed lines are the mistakes (residuals).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as widgets
import numpy as np
import traitlets

from course.a11y import A11y
from course.i18n import _
from course.models.linear import LinearRegressionGD
from course.render import style_widget
from course.style import COLORS, OKABE_ITO

BIG = {"description_width": "initial"}
SLOPE_RANGE = (-1.0, 3.0)
OFFSET_RANGE = (-2.0, 4.0)
RATE_RANGE = (0.01, 0.4)  # above about 0.34 the steps overshoot and the error grows
HISTORY = 60  # how many past errors the history line shows


def make_line_data(n: int = 12, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Small made-up points near the line y = 1.2·x + 1 (the same every time).

    x is spread around 0 so slope and offset learn at similar speeds: the step button
    then shows steady progress instead of one huge jump and a long crawl.
    """
    rng = np.random.default_rng(seed)
    x = np.round(rng.uniform(-3, 3, n), 1)
    y = np.round(1.2 * x + 1 + rng.normal(0, 0.7, n), 1)
    return x, y


def _fmt(v: float) -> str:
    """A number with 2 decimals and no "-0.00"."""
    text = f"{v:.2f}"
    return "0.00" if text == "-0.00" else text


def scatter_line_svg(x, y, slope: float, offset: float, title: str,
                     width: int = 380, height: int = 280) -> str:
    """Points, the line y = slope·x + offset, and a dashed segment from each point to the line."""
    left, bottom, top, right = 44, 36, 10, 24
    x0, x1, y0, y1 = -3.2, 3.2, -4.5, 6.5
    pw, ph = width - left - right, height - top - bottom

    def sx(v):
        return (v - x0) / (x1 - x0) * pw

    def sy(v):
        return ph - (v - y0) / (y1 - y0) * ph

    guess = slope * x + offset
    grid = "".join(
        f'<line x1="0" x2="{pw}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" stroke="#ddd"/>'
        f'<text x="-8" y="{sy(t) + 6:.1f}" text-anchor="end" font-size="16">{t}</text>'
        for t in range(-4, 7, 2))
    grid += "".join(
        f'<text x="{sx(t):.1f}" y="{ph + 22}" text-anchor="middle" font-size="16">{t}</text>'
        for t in range(-3, 4))
    grid += (f'<text x="{pw + 6}" y="{ph + 6}" font-size="16" font-style="italic">x</text>'
             f'<text x="-36" y="14" font-size="16" font-style="italic">y</text>')
    residuals = "".join(
        f'<line x1="{sx(a):.1f}" y1="{sy(b):.1f}" x2="{sx(a):.1f}" y2="{sy(g):.1f}" '
        f'stroke="{OKABE_ITO["vermillion"]}" stroke-width="2" stroke-dasharray="4 3"/>'
        for a, b, g in zip(x, y, guess, strict=True))
    points = "".join(
        f'<circle cx="{sx(a):.1f}" cy="{sy(b):.1f}" r="6" fill="{COLORS[0]}" stroke="white"/>'
        for a, b in zip(x, y, strict=True))
    line = (f'<line x1="{sx(x0):.1f}" y1="{sy(slope * x0 + offset):.1f}" x2="{sx(x1):.1f}" '
            f'y2="{sy(slope * x1 + offset):.1f}" stroke="{OKABE_ITO["black"]}" stroke-width="3"/>')
    # the inner <svg> clips the line and residuals to the plot area
    return (f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" style="font-family:sans-serif"><g transform="translate({left},{top})">{grid}'
            f'<svg width="{pw}" height="{ph}" overflow="hidden">{residuals}{line}{points}</svg>'
            f'<rect width="{pw}" height="{ph}" fill="none" stroke="#999"/></g></svg>')


def error_bar_html(error: float, full: float, label: str) -> str:
    """The error as a number and as a bar (a full bar is the error of the starting line)."""
    share = min(1.0, error / full) if full > 0 else 0.0
    return (f'<div class="manabu-fitting-error" style="font-size:18px;margin:6px 0">'
            f'<b>{escape(label)}</b>'
            f'<div style="width:300px;height:18px;border:1px solid #666;margin-top:4px">'
            f'<div style="width:{300 * share:.0f}px;height:18px;background:{OKABE_ITO["vermillion"]}">'
            f'</div></div></div>')


def history_svg(history: list[float], title: str, width: int = 300, height: int = 70) -> str:
    """A tiny line of the last errors, newest on the right."""
    values = history[-HISTORY:]
    if len(values) < 2:
        return ""
    top = max(values) or 1.0
    step = width / (HISTORY - 1)
    pts = " ".join(f"{i * step:.1f},{height - 4 - v / top * (height - 8):.1f}"
                   for i, v in enumerate(values))
    return (f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><rect width="{width}" height="{height}" fill="none" stroke="#999"/>'
            f'<polyline points="{pts}" fill="none" stroke="{COLORS[0]}" stroke-width="2.5"/></svg>')


class LineFitter(widgets.VBox):
    """Move a line with two sliders and watch the error; or press the step button to let
    gradient descent move the sliders for you.

    Example::

        fitter = LineFitter()
        fitter.slope = 1.5          # same as moving the slope slider
        fitter.step()               # same as pressing "one gradient step"
        fitter.error                # mean squared error of the current line
    """

    slope = traitlets.Float(0.0, help="How steep the line is: y grows by this much when x grows by 1.")
    offset = traitlets.Float(0.0, help="Where the line crosses x = 0.")
    learning_rate = traitlets.Float(0.05, help="How big one gradient step is.")
    error = traitlets.Float(help="Mean squared error of the current line on the points.")
    steps = traitlets.Int(0, help="How many gradient steps were taken since the start.")
    history = traitlets.List(help="The error after every change of the line, oldest first.")

    def __init__(self, x=None, y=None, slope: float = 0.0, offset: float = 0.0):
        if x is None or y is None:
            x, y = make_line_data()
        self.x, self.y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        self.model = LinearRegressionGD()
        self.message = ""
        self._quiet = True
        self.slope_slider = self._slider(_("Slope"), slope, *SLOPE_RANGE, 0.01)
        self.offset_slider = self._slider(_("Offset"), offset, *OFFSET_RANGE, 0.01)
        self.rate_slider = self._slider(_("Learning rate"), self.learning_rate, *RATE_RANGE, 0.01)
        self.step_button = widgets.Button(description=_("One gradient step"), icon="arrow-down",
                                          layout=widgets.Layout(width="220px"))
        self.reset_button = widgets.Button(description=_("Start again"),
                                           layout=widgets.Layout(width="160px"))
        for button in (self.step_button, self.reset_button):
            button.style.font_size = "18px"
        self.step_button.add_class("manabu-fitting-step")
        self.slope_slider.add_class("manabu-fitting-slope")
        self.offset_slider.add_class("manabu-fitting-offset")
        self.rate_slider.add_class("manabu-fitting-rate")
        self.step_button.on_click(lambda _b: self.step())
        self.reset_button.on_click(lambda _b: self.reset())
        self.output = widgets.HTML(layout=widgets.Layout(min_height="460px"))
        self.output.add_class("manabu-fitting-out")
        super().__init__([style_widget("manabu-fitting"), self.slope_slider, self.offset_slider,
                          widgets.HBox([self.rate_slider, self.step_button, self.reset_button],
                                       layout=widgets.Layout(flex_flow="row wrap")),
                          self.output, A11y()])
        self.add_class("manabu-fitting")
        widgets.link((self.slope_slider, "value"), (self, "slope"))
        widgets.link((self.offset_slider, "value"), (self, "offset"))
        widgets.link((self.rate_slider, "value"), (self, "learning_rate"))
        self.slope, self.offset = slope, offset
        self._start_error = self._error(0.0, 0.0)  # the full bar: a flat line at 0
        best_slope, best_offset = np.polyfit(self.x, self.y, 1)  # least squares, for the messages
        self.best_error = self._error(float(best_slope), float(best_offset))
        self._quiet = False
        self._changed()

    @staticmethod
    def _slider(label: str, value: float, low: float, high: float, step: float) -> widgets.FloatSlider:
        return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=label,
                                   readout_format=".2f", style=BIG,
                                   layout=widgets.Layout(width="380px"))

    def _error(self, slope: float, offset: float) -> float:
        self.model.coef_, self.model.intercept_ = np.array([slope]), offset
        return self.model.error(self.x, self.y)

    @traitlets.observe("slope", "offset")
    def _on_slope(self, change) -> None:
        if not self._quiet:
            self.message = ""
            self._changed()

    def step(self) -> None:
        """One step of gradient descent from the current line, as the step button does."""
        before = self._error(self.slope, self.offset)
        old_slope, old_offset = self.slope, self.offset
        grad_slope, grad_offset = self.model.gradient(self.x, self.y)
        # downhill: move each number against its gradient, a step as big as the learning rate
        new_slope = self.slope - self.learning_rate * float(grad_slope[0])
        new_offset = self.offset - self.learning_rate * grad_offset
        clipped = not (SLOPE_RANGE[0] <= new_slope <= SLOPE_RANGE[1]
                       and OFFSET_RANGE[0] <= new_offset <= OFFSET_RANGE[1])
        self._quiet = True
        try:
            self.slope = float(np.clip(new_slope, *SLOPE_RANGE))
            self.offset = float(np.clip(new_offset, *OFFSET_RANGE))
        finally:
            self._quiet = False
        self.steps += 1
        moved = max(abs(new_slope - old_slope), abs(new_offset - old_offset))
        after = self._error(self.slope, self.offset)
        if clipped:
            self.message = _("Step {n}: the line jumped past the end of a slider. The step was too "
                             "big: make the learning rate smaller.").format(n=self.steps)
        elif after > before:
            self.message = _("Step {n}: the error went up from {a} to {b}. The step was too big: "
                             "make the learning rate smaller.").format(
                n=self.steps, a=_fmt(before), b=_fmt(after))
        elif moved < 0.005 and after - self.best_error < 0.005:
            self.message = _("Step {n}: the error is {b}. You reached the bottom: "
                             "no line has a smaller error.").format(n=self.steps, b=_fmt(after))
        elif before - after < 0.005:
            self.message = _("Step {n}: the error went down only a little, to {b}. Keep pressing, "
                             "or try a bigger learning rate.").format(n=self.steps, b=_fmt(after))
        else:
            self.message = _("Step {n}: the error went down from {a} to {b}. Press again!").format(
                n=self.steps, a=_fmt(before), b=_fmt(after))
        self._changed()

    def reset(self) -> None:
        """Back to the flat line y = 0, with an empty history, as the start-again button does."""
        self._quiet = True
        try:
            self.slope, self.offset = 0.0, 0.0
        finally:
            self._quiet = False
        self.steps, self.history, self.message = 0, [], ""
        self._changed()

    def _changed(self) -> None:
        self.error = self._error(self.slope, self.offset)
        self.history = [*self.history[-(HISTORY - 1):], self.error]
        self._redraw()

    def _redraw(self) -> None:
        formula = _("Line: y = {slope} × x + {offset}").format(
            slope=_fmt(self.slope), offset=_fmt(self.offset))
        meter = error_bar_html(
            self.error, self._start_error,
            _("Error (mean squared error): {error}").format(error=_fmt(self.error)))
        tip = self.message or _("Move the sliders to make the error small, or press the step button.")
        message = f'<div class="manabu-fitting-message" style="font-size:18px">{escape(tip)}</div>'
        plot = scatter_line_svg(self.x, self.y, self.slope, self.offset,
                                _("The points, the line, and dashed lines for the mistakes"))
        history = history_svg(self.history, _("How the error changed"))
        if history:
            title = _("How the error changed (newest on the right):")
            history = f'<div style="font-size:16px">{escape(title)}</div>{history}'
        self.output.value = (f'<div style="font-size:20px;font-weight:bold">{escape(formula)}</div>'
                             f"{meter}{message}{plot}{history}")


def bench_cases() -> list[tuple[str, Callable[[], None]]]:
    """One user event each, on a widget built once beforehand (for ``make bench``)."""
    fitter = LineFitter()
    values = iter(np.tile(np.linspace(*SLOPE_RANGE, 41), 100))

    def move_slope() -> None:
        fitter.slope_slider.value = float(next(values))

    return [("fitting: move slope slider", move_slope),
            ("fitting: one gradient step", fitter.step_button.click),
            ("fitting: start again", fitter.reset_button.click)]
