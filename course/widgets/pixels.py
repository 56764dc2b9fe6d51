"""Pictures are numbers: paint an 8×8 grid and see its numbers (``PixelGrid``), and make a
real photo brighter or darker and see its numbers change (``BrightnessExplorer``)."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from collections.abc import Callable
from functools import cache
from html import escape

import ipywidgets as widgets
import numpy as np
import traitlets

from course.a11y import ROVING, A11y
from course.answerline import copy_hint, offer
from course.i18n import _
from course.render import scoped_style
from course.style import OKABE_ITO

BIG = {"font_size": "18px"}
CSS = scoped_style("manabu-pixels", {".widget-hbox": "gap:16px", ".manabu-pixels-cell": "min-width:0",
                                     ".manabu-pixels-cell:focus-visible": "outline-offset:1px;z-index:1"},
                   # on a touch screen a square is a finger wide (the Layout's inline size is 36 px)
                   touch={".manabu-pixels-cell": "width:44px!important;height:44px!important;margin:0"})
CELL = 36                   # px: a square to click with a mouse; 44 px on a touch screen (CSS)
TEXT = "font-size:16px"


def grey(value: float, max_value: int, ink: bool) -> int:
    """Screen grey (0 black … 255 white) for a number: ink counts dark, light counts bright."""
    share = min(max(value / max_value, 0.0), 1.0)
    return round(255 * (1 - share if ink else share))


def numbers_html(values, max_value: int, ink: bool, target=None, caption: str = "") -> str:
    """A table of numbers, each cell shaded like its pixel. Cells that differ from ``target``
    get a dashed orange frame and a ✘ (never colour alone)."""
    values = np.asarray(values)
    rows = []
    for r, row in enumerate(values):
        cells = []
        for c, v in enumerate(row):
            g = grey(float(v), max_value, ink)
            ink_colour = "#000" if g > 110 else "#fff"
            frame = "1px solid #999"
            mark = ""
            if target is not None and target[r][c] != v:
                frame, mark = f"3px dashed {OKABE_ITO['orange']}", "✘"
            cells.append(f'<td style="background:rgb({g},{g},{g});color:{ink_colour};border:{frame};'
                         f'width:2.2em;height:1.6em;text-align:center;padding:0">{int(v)}{mark}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = f'<caption style="{TEXT};font-weight:bold;caption-side:top">{escape(caption)}</caption>' if caption else ""
    return (f'<table style="border-collapse:collapse;{TEXT};font-family:monospace">{head}'
            + "".join(rows) + "</table>")


def png_bytes(image: np.ndarray) -> bytes:
    """A PNG file of an 8-bit grey (H×W) or colour (H×W×3) image: plain zlib, no matplotlib (fast)."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    height, width = image.shape[:2]
    colour_type = 2 if image.ndim == 3 else 0
    rows = image.reshape(height, -1)
    raw = np.hstack([np.zeros((height, 1), np.uint8), rows]).tobytes()  # filter byte 0 per row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 1))
            + chunk(b"IEND", b""))


class GridList(traitlets.List):
    """A list of rows that also takes a NumPy array (stored as plain lists of ints)."""

    def validate(self, obj, value):
        return super().validate(obj, np.asarray(value).tolist() if isinstance(value, np.ndarray) else value)


class PixelGrid(widgets.HBox):
    """An N×N grid of squares to paint, beside the numbers the computer keeps for it.

    Each square is a button: Tab to the grid, arrow keys to a square, Enter or Space to paint.
    Pick a shade with "Paint with", then click squares; clicking a square that already has that
    shade makes it 0.
    With ``max_value=16`` (like the ``digits`` pictures) a number says how much ink: 0 white,
    16 black. With ``max_value=255`` (like photos) it says how much light: 0 black, 255 white.

    Example::

        grid = PixelGrid(target=[[0] * 8] * 3 + [[16] * 8] + [[0] * 8] * 4, name="answer_grid")
        grid.set_cell(3, 0, 16)     # same as clicking the square in row 3, column 0
        grid.paint(np.eye(8) * 16)  # paint every square at once
        grid.values                 # 8 lists of 8 numbers
        grid.matches                # True when the grid equals the target
    """

    values = GridList(help="The numbers of the picture: a list of rows (a NumPy array may be given).")
    pen = traitlets.Int(help="The number a click paints with.")
    n_match = traitlets.Int(None, allow_none=True, help="How many squares equal the target (None: no target).")
    matches = traitlets.Bool(False, help="True when every square equals the target.")

    def __init__(self, size: int = 8, max_value: int = 16, levels: list[int] | None = None,
                 target=None, name: str | None = None, ink: bool | None = None, values=None):
        self.size, self.max_value, self.name = size, max_value, name
        self.ink = max_value <= 16 if ink is None else ink
        self.levels = list(levels or np.linspace(0, max_value, 5).round().astype(int).tolist())
        self.target = None if target is None else self._checked(target, "target").tolist()
        self._shown: list[list[int]] | None = None
        self.pen_buttons = widgets.ToggleButtons(options=self.levels, value=self.levels[-1],
                                                 description=_("Paint with:"), style={"button_width": "48px"})
        self.cells = [[self._cell(r, c) for c in range(size)] for r in range(size)]
        board = widgets.GridBox([b for row in self.cells for b in row], layout=widgets.Layout(
            grid_template_columns=f"repeat({size}, auto)", grid_gap="2px", width="max-content"))
        board.add_class(ROVING)  # one Tab stop; arrow keys move between squares (course.a11y)
        self.clear_button = widgets.Button(description=_("Clear"), icon="eraser", style=BIG)
        self.clear_button.on_click(lambda _button: self.clear())
        legend = (_("0 = white, {top} = black (how much ink)") if self.ink
                  else _("0 = black, {top} = white (how much light)")).format(top=max_value)
        self.legend = widgets.HTML(f'<div style="{TEXT}">{escape(legend)}</div>')
        self.output = widgets.HTML()
        self.output.add_class("manabu-pixels-out")
        self.status = widgets.HTML()
        left = [self.pen_buttons] if len(self.levels) > 2 else []
        super().__init__([widgets.VBox([*left, board, self.clear_button]),
                          widgets.VBox([widgets.HTML(CSS), self.legend, self.output, self.status,
                                        A11y()])],
                         layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"))
        self.add_class("manabu-pixels")
        self.add_class("manabu-pixels-grid")
        widgets.link((self.pen_buttons, "value"), (self, "pen"))
        self.values = np.zeros((size, size), int) if values is None else values

    def _cell(self, row: int, col: int) -> widgets.Button:
        button = widgets.Button(layout=widgets.Layout(width=f"{CELL}px", height=f"{CELL}px", padding="0",
                                                      border="1px solid #888"))
        button.add_class("manabu-pixels-cell")
        button.on_click(lambda _button: self.click(row, col))
        return button

    def _checked(self, array, what: str) -> np.ndarray:
        grid = np.asarray(array)
        if grid.shape != (self.size, self.size):
            raise ValueError(f"The {what} must be {self.size} rows of {self.size} numbers, not shape {grid.shape}.")
        if grid.min() < 0 or grid.max() > self.max_value:
            raise ValueError(f"The {what}'s numbers must be from 0 to {self.max_value}.")
        return grid.round().astype(int)

    @traitlets.validate("values")
    def _valid_values(self, proposal) -> list:
        return self._checked(proposal["value"], "picture").tolist()

    @traitlets.observe("values")
    def _on_values(self, change) -> None:
        new = change["new"]
        for r, row in enumerate(new):                       # recolour only the squares that changed
            for c, v in enumerate(row):
                if self._shown is None or self._shown[r][c] != v:
                    g = grey(v, self.max_value, self.ink)
                    self.cells[r][c].style.button_color = f"rgb({g},{g},{g})"
                    self.cells[r][c].tooltip = _("Row {row}, column {col}: {value}").format(row=r, col=c, value=v)
        self._shown = new
        self._redraw()

    def _redraw(self) -> None:
        parts = [numbers_html(self.values, self.max_value, self.ink, self.target, _("The numbers"))]
        if self.target is not None:
            parts.append(numbers_html(self.target, self.max_value, self.ink, None, _("The target")))
        self.output.value = '<div style="display:flex;flex-wrap:wrap;gap:16px">' + "".join(parts) + "</div>"
        lines = []
        if self.target is not None:
            self.n_match = int((np.asarray(self.values) == np.asarray(self.target)).sum())
            self.matches = self.n_match == self.size ** 2
            lines.append(_("{n} of {total} squares match the target.").format(n=self.n_match, total=self.size ** 2))
            lines.append("✔ " + _("It matches!") if self.matches
                         else _("Squares marked ✘ are different. Change them."))
        text = "".join(f'<div style="{TEXT}">{escape(line)}</div>' for line in lines)
        if self.name:
            rows = ",\n".join("    " + json.dumps(row) for row in self.values)
            offer(f"{self.name} = [\n{rows},\n]", shown_in=self.status)
            text += copy_hint(f'<div style="{TEXT}">' + escape(_("To answer, copy these lines into the answer cell:"))
                              + f'</div><pre style="{TEXT}">{escape(self.name)} = [\n{rows},\n]</pre>')
        self.status.value = text

    def click(self, row: int, col: int) -> None:
        """Click a square, as the mouse or Enter does: paint it with the pen, or back to 0."""
        self.set_cell(row, col, 0 if self.values[row][col] == self.pen else self.pen)

    def set_cell(self, row: int, col: int, value: int) -> None:
        """Give one square a number (row and column count from 0, top left)."""
        if not (0 <= row < self.size and 0 <= col < self.size):
            raise ValueError(f"Rows and columns go from 0 to {self.size - 1}.")
        grid = [list(r) for r in self.values]
        grid[row][col] = value
        self.values = grid

    def paint(self, array) -> None:
        """Give every square its number at once (``size`` rows of ``size`` numbers)."""
        self.values = array

    def clear(self) -> None:
        """Make every square 0, as the Clear button does."""
        self.values = np.zeros((self.size, self.size), int)

    @property
    def array(self) -> np.ndarray:
        """The picture as a NumPy array."""
        return np.array(self.values)


# --- a real photo -------------------------------------------------------------------------

@cache
def small_photo(rows: int = 48, cols: int = 64) -> np.ndarray:
    """scikit-learn's sample photo ``china.jpg`` in grey (0 black … 255 white), shrunk to
    rows × cols by averaging blocks of pixels. Read with Pillow straight from scikit-learn's
    folder, so importing all of scikit-learn (slow) is not needed."""
    import importlib.util
    from pathlib import Path

    from PIL import Image

    spec = importlib.util.find_spec("sklearn")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "images" / "china.jpg"
    if path.exists():
        photo = np.asarray(Image.open(path).convert("L"), dtype=float)
    else:                                            # a future scikit-learn may move the file
        from sklearn.datasets import load_sample_image

        photo = load_sample_image("china.jpg") @ np.array([0.299, 0.587, 0.114])
    height, width = photo.shape
    keep = min(width, round(height * cols / rows))   # cut the sides so the blocks are square
    photo = photo[:, (width - keep) // 2:(width - keep) // 2 + keep]
    r_edges = np.linspace(0, height, rows + 1).astype(int)
    c_edges = np.linspace(0, keep, cols + 1).astype(int)
    sums = np.add.reduceat(np.add.reduceat(photo, r_edges[:-1], axis=0), c_edges[:-1], axis=1)
    return (sums / np.outer(np.diff(r_edges), np.diff(c_edges))).round().astype(np.uint8)


def adjust(photo: np.ndarray, brightness: int = 0, contrast: int = 100) -> np.ndarray:
    """Each number becomes (number − 128) × contrast% + 128 + brightness, kept from 0 to 255."""
    out = (photo.astype(float) - 128) * (contrast / 100) + 128 + brightness
    return np.clip(out.round(), 0, 255).astype(np.uint8)


class BrightnessExplorer(widgets.VBox):
    """A real photo as numbers: move Brightness and Contrast and watch the picture and the
    numbers in the orange box change together.

    Example::

        explorer = BrightnessExplorer()
        explorer.brightness = 50      # same as moving the slider
        explorer.pixels[20, 10]       # one number of the picture (0 black … 255 white)
    """

    brightness = traitlets.Int(0, help="Added to every number (−100 … 100).")
    contrast = traitlets.Int(100, help="How far numbers move away from the middle grey 128, in % (100: as is).")
    pixels = traitlets.Instance(np.ndarray, help="The picture now: rows × columns of numbers 0–255.")

    ZOOM = 5
    BOX = (13, 6, 6)             # top row, left column, size of the box of numbers shown (a roof edge)

    def __init__(self, rows: int = 48, cols: int = 64, brightness: int = 0, contrast: int = 100):
        self.photo = small_photo(rows, cols)
        style = {"description_width": "initial"}
        self.brightness_slider = widgets.IntSlider(0, min=-100, max=100, step=5, description=_("Brightness"),
                                                   style=style, layout=widgets.Layout(width="420px"))
        self.contrast_slider = widgets.IntSlider(100, min=0, max=200, step=10, description=_("Contrast (%)"),
                                                 style=style, layout=widgets.Layout(width="420px"))
        self.brightness_slider.add_class("manabu-pixels-brightness")
        self.picture = widgets.HTML()
        self.output = widgets.HTML()
        self.output.add_class("manabu-pixels-out")
        super().__init__([widgets.HTML(CSS), self.brightness_slider, self.contrast_slider,
                          widgets.HBox([self.picture, self.output],
                                       layout=widgets.Layout(flex_flow="row wrap")), A11y()])
        self.add_class("manabu-pixels")
        self.add_class("manabu-pixels-photo")
        widgets.link((self.brightness_slider, "value"), (self, "brightness"))
        widgets.link((self.contrast_slider, "value"), (self, "contrast"))
        self.brightness, self.contrast = brightness, contrast
        self._redraw()

    @traitlets.observe("brightness", "contrast")
    def _on_brightness(self, change) -> None:
        if hasattr(self, "output"):
            self._redraw()

    def _redraw(self) -> None:
        self.pixels = adjust(self.photo, self.brightness, self.contrast)
        top, left, n = self.BOX
        big = np.repeat(np.repeat(self.pixels, self.ZOOM, axis=0), self.ZOOM, axis=1)
        rgb = np.repeat(big[:, :, None], 3, axis=2)
        y0, x0 = top * self.ZOOM, left * self.ZOOM
        y1, x1 = y0 + n * self.ZOOM - 1, x0 + n * self.ZOOM - 1
        orange = np.array([0xE6, 0x9F, 0x00], np.uint8)
        for t in range(2):                                  # a 2-px frame around the box
            rgb[y0 + t, x0:x1 + 1] = rgb[y1 - t, x0:x1 + 1] = orange
            rgb[y0:y1 + 1, x0 + t] = rgb[y0:y1 + 1, x1 - t] = orange
        src = "data:image/png;base64," + base64.b64encode(png_bytes(rgb)).decode()
        alt = _("A photo of a temple, {rows} by {cols} squares").format(rows=self.photo.shape[0],
                                                                      cols=self.photo.shape[1])
        self.picture.value = f'<img src="{src}" alt="{escape(alt)}" width="{rgb.shape[1]}" height="{rgb.shape[0]}">'
        box = self.pixels[top:top + n, left:left + n]
        rule = _("Each number: (number − 128) × {c}% + 128 + {b}, kept from 0 to 255.").format(
            c=self.contrast, b=self.brightness)
        self.output.value = (numbers_html(box, 255, ink=False, caption=_("The numbers in the orange box"))
                             + f'<div style="{TEXT};max-width:22em;margin-top:6px">{escape(rule)}</div>')


def bench_cases() -> list[tuple[str, Callable[[], None]]]:
    """One user event each, on widgets built once (``make bench`` times them)."""
    grid = PixelGrid(target=np.eye(8, dtype=int) * 16, name="answer_grid")
    explorer = BrightnessExplorer()
    state = {"i": 0}

    def click_a_square() -> None:
        state["i"] += 1
        grid.click(state["i"] % 8, (state["i"] * 3) % 8)

    def move_brightness() -> None:
        state["i"] += 1
        explorer.brightness_slider.value = (state["i"] % 41) * 5 - 100

    def move_contrast() -> None:
        state["i"] += 1
        explorer.contrast_slider.value = (state["i"] % 21) * 10

    def paint_all() -> None:
        state["i"] += 1
        grid.paint(np.eye(8, dtype=int)[:: 1 if state["i"] % 2 else -1] * 16)   # a new picture each time

    def paint_then_clear() -> None:
        grid.paint(np.full((8, 8), 8))
        grid.clear()

    return [("grid: click a square", click_a_square), ("grid: paint all", paint_all),
            ("grid: paint all, then clear", paint_then_clear), ("photo: brightness slider", move_brightness),
            ("photo: contrast slider", move_contrast)]
