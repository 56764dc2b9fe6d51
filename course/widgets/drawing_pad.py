"""``DrawingPad``: draw a digit with mouse, pen, finger or keyboard; get 8×8 pixels like ``digits``."""

from __future__ import annotations

from pathlib import Path

import anywidget
import numpy as np
import traitlets

from course.i18n import _
from course.render import school_font_css

GRID = 32          # the digits were drawn on 32×32 bitmaps, then counted in 4×4 blocks (0–16)
BRUSH = 1.6        # pen radius in bitmap pixels
FILL = 0.85        # a drawing is scaled so its longer side fills this share of the box


def strokes_to_pixels(strokes: list) -> np.ndarray:
    """Turn strokes (lists of (x, y) points in 0..1) into an 8×8 array of 0–16, like ``digits``.

    The drawing is centred and scaled to fill the box, drawn with a round pen on a 32×32
    bitmap, and each 4×4 block is counted, which is how the ``digits`` data set was made.
    """
    points = [np.asarray(s, dtype=float).reshape(-1, 2) for s in strokes if len(s)]
    if not points:
        return np.zeros((8, 8))
    every = np.vstack(points)
    low, high = every.min(axis=0), every.max(axis=0)
    span = float((high - low).max())
    scale = (FILL * GRID - 2 * BRUSH) / span if span > 0.05 else GRID / 8  # a dot stays a dot
    centre = (low + high) / 2
    yy, xx = np.mgrid[0:GRID, 0:GRID] + 0.5
    bitmap = np.zeros((GRID, GRID), dtype=bool)
    for stroke in points:
        pts = (stroke - centre) * scale + GRID / 2
        if len(pts) == 1:
            pts = np.vstack([pts, pts])
        for a, b in zip(pts[:-1], pts[1:], strict=True):
            steps = max(2, int(np.hypot(*(b - a)) * 3))
            for t in np.linspace(0, 1, steps):
                x, y = a + t * (b - a)
                bitmap |= (xx - x) ** 2 + (yy - y) ** 2 <= BRUSH ** 2
    return bitmap.reshape(8, 4, 8, 4).sum(axis=(1, 3)).astype(float)


class DrawingPad(anywidget.AnyWidget):
    """A square to draw one digit on. ``pad.pixels`` is the 8×8 picture the computer sees.

    Example::

        pad = DrawingPad()
        pad                                             # draw on it with a finger or mouse
        pad.draw_stroke([(0.5, 0.1), (0.5, 0.9)])      # or from code: a "1"
        pad.pixels                                     # 8×8 numbers from 0 to 16
    """

    _esm = Path(__file__).with_name("drawing_pad.js")
    _css = ""  # set per pad: the school font in Japanese (course.render.school_font_css)
    strokes = traitlets.List(help="What was drawn: strokes of [x, y] points in 0..1.").tag(sync=True)
    label = traitlets.Unicode(help="Visible label above the pad.").tag(sync=True)
    help = traitlets.Unicode(help="How to draw, also read out by screen readers.").tag(sync=True)
    clear_label = traitlets.Unicode(help="Text of the clear button.").tag(sync=True)
    pixels = traitlets.Instance(np.ndarray, help="The drawing as 8×8 numbers from 0 to 16.")

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Draw one digit (0–9) here"))
        kwargs.setdefault("help", _("Draw with your finger, a pen or the mouse. Keyboard: arrow "
                                    "keys move the orange box, Space paints, Delete clears."))
        kwargs.setdefault("clear_label", _("Clear"))
        kwargs.setdefault("_css", school_font_css("manabu-drawing-pad"))
        super().__init__(**kwargs)
        self.pixels = strokes_to_pixels(self.strokes)

    @traitlets.observe("strokes")
    def _on_strokes(self, change) -> None:
        self.pixels = strokes_to_pixels(change["new"])

    def draw_stroke(self, points) -> None:
        """Draw one stroke through ``points`` ((x, y) pairs from 0 to 1; y goes down)."""
        self.strokes = [*self.strokes, [[float(x), float(y)] for x, y in points]]

    def paint_cell(self, row: int, col: int) -> None:
        """Paint one square of the 8×8 grid, as the keyboard's Space key does."""
        self.draw_stroke([((col + 0.5) / 8, (row + 0.5) / 8)])

    def clear(self) -> None:
        """Wipe the pad, as the Clear button does."""
        self.strokes = []


def bench_cases():
    """One user event each, on a pad built once (for ``make bench``)."""
    pad = DrawingPad()

    def stroke():
        pad.strokes = [[[0.5, 0.1], [0.5, 0.9]]] if len(pad.strokes) != 1 else []

    return [("DrawingPad: a stroke becomes 8×8 pixels", stroke)]
