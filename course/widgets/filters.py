"""``FilterLab``: a 3×3 filter slides over a photo. Each new pixel is the sum of its 9
neighbours times the 9 numbers of the filter. Blur, sharpen, find edges."""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache

import ipywidgets as widgets
import numpy as np
import traitlets

from course.answerline import copy_hint, offer
from course.i18n import _
from course.render import png_html, scoped_style

ZOOM = 3        # each pixel is shown as ZOOM × ZOOM screen pixels
CSS = scoped_style("manabu-filters")

PRESETS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "blur": [[0.0625, 0.125, 0.0625], [0.125, 0.25, 0.125], [0.0625, 0.125, 0.0625]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "vertical_edge": [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    "horizontal_edge": [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
}


def apply_filter(image, kernel) -> np.ndarray:
    """Slide ``kernel`` (3×3 numbers) over ``image``: each new pixel is the sum of the 9 pixels
    around it, each times the kernel number in the same place. Pixels past the border copy the
    nearest border pixel ("edge padding").

    >>> apply_filter([[0, 0, 9, 9]], [[0, 0, 0], [-1, 0, 1], [0, 0, 0]]).tolist()
    [[0.0, 9.0, 9.0, 0.0]]
    """
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    ry, rx = kernel.shape[0] // 2, kernel.shape[1] // 2
    padded = np.pad(image, ((ry, ry), (rx, rx)), mode="edge")
    height, width = image.shape
    result = np.zeros((height, width))
    # Nine shifted copies of the picture, one per kernel number, added up. This is the same as
    # visiting every pixel and summing its 9 neighbours, but much faster in NumPy.
    for dy in range(kernel.shape[0]):
        for dx in range(kernel.shape[1]):
            result += kernel[dy, dx] * padded[dy:dy + height, dx:dx + width]
    return result


@cache
def load_photo() -> np.ndarray:
    """A grey photo (85 × 128 pixels, 0 black to 255 white) of scikit-learn's ``china.jpg``."""
    try:
        # Read the bundled file directly: importing sklearn.datasets alone takes ~0.7 s.
        import importlib.util
        from pathlib import Path

        from PIL import Image

        folder = Path(importlib.util.find_spec("sklearn").submodule_search_locations[0])
        rgb = np.asarray(Image.open(folder / "datasets" / "images" / "china.jpg").convert("RGB"))
    except (OSError, AttributeError, TypeError, ImportError):
        from sklearn.datasets import load_sample_image

        rgb = load_sample_image("china.jpg")
    grey = rgb.astype(float) @ [0.299, 0.587, 0.114]          # how bright each colour looks
    h, w = grey.shape[0] // 5 * 5, grey.shape[1] // 5 * 5
    small = grey[:h, :w].reshape(h // 5, 5, w // 5, 5).mean(axis=(1, 3))  # 5×5 blocks → 1 pixel
    small.setflags(write=False)
    return small


@cache
def stripes() -> np.ndarray:
    """A test picture (64 × 96): vertical bars on the left, horizontal bars on the right."""
    picture = np.zeros((64, 96))
    bars = np.where(np.arange(48) // 6 % 2 == 0, 255.0, 0.0)   # 6 white, 6 black, 6 white, ...
    picture[8:56, 4:46] = bars[None, :42]
    picture[8:56, 52:94] = bars[:, None]
    picture.setflags(write=False)
    return picture


def png_bytes(image) -> bytes:
    """The picture as PNG: numbers below 0 show black, above 255 white; zoomed ZOOM times."""
    from PIL import Image

    grey = np.clip(np.round(np.asarray(image, dtype=float)), 0, 255).astype(np.uint8)
    grey = grey.repeat(ZOOM, axis=0).repeat(ZOOM, axis=1)
    buffer = io.BytesIO()
    Image.fromarray(grey, mode="L").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _number(x: float) -> str:
    return f"{x:g}"


class FilterLab(widgets.VBox):
    """Type 9 numbers (or press a preset) and see the photo through that filter, live.

    Example::

        lab = FilterLab()                         # or FilterLab(image="stripes")
        lab.use_preset("vertical_edge")           # same as pressing "Vertical edges"
        lab.kernel = [[1, 0, -1], [1, 0, -1], [1, 0, -1]]   # same as typing the 9 numbers
        lab.result                                # the filtered picture as numbers
    """

    kernel = traitlets.Any([], help="The filter: 3 rows of 3 numbers (a list of lists or an array).")
    preset = traitlets.Unicode("", help="Name of the preset in use, or '' for your own numbers.")
    result = traitlets.Instance(np.ndarray, help="The filtered picture (numbers, any size).")

    def __init__(self, image="photo", kernel=None, name: str = "my_filter"):
        if isinstance(image, str):
            self.picture_text = {"photo": _("a grey photo of a temple roof among trees"),
                                 "stripes": _("vertical bars on the left, horizontal bars on the right")}[image]
            image = {"photo": load_photo, "stripes": stripes}[image]()
        else:
            self.picture_text = _("your picture")
        self.image = np.asarray(image, dtype=float)
        self.name = name
        cell = widgets.Layout(width="110px")
        self.cells = [widgets.BoundedFloatText(
            value=0, min=-100, max=100, step=1, description=arrow, tooltip=tip,
            style={"description_width": "1.6em"}, layout=cell)
            for arrow, tip in zip("↖↑↗←●→↙↓↘", self._cell_names(), strict=True)]
        grid = widgets.GridBox(self.cells, layout=widgets.Layout(
            grid_template_columns="repeat(3, 116px)", grid_gap="4px"))
        grid.add_class("manabu-filters-grid")
        names = {"blur": _("Blur"), "sharpen": _("Sharpen"), "vertical_edge": _("Vertical edges"),
                 "horizontal_edge": _("Horizontal edges"), "identity": _("No change")}
        self.buttons = {}
        for key, text in names.items():
            button = widgets.Button(description=text,
                                    layout=widgets.Layout(width="auto", margin="0 6px 6px 0"))
            button.add_class("manabu-filters-preset")
            button.on_click(lambda _button, key=key: self.use_preset(key))
            self.buttons[key] = button
        title = widgets.HTML(CSS + '<div style="font-size:18px"><b>' + _("The filter: 9 numbers")
                             + "</b> " + _("(● is the pixel itself, arrows are its neighbours)")
                             + "</div>")
        presets = widgets.HBox(list(self.buttons.values()),
                               layout=widgets.Layout(flex_flow="row wrap"))
        # HTML pictures, not ipywidgets.Image: an <img> there has no alt text for screen readers
        self.before = widgets.HTML(png_html(png_bytes(self.image), _(
            "Before the filter: {picture}").format(picture=self.picture_text)))
        self.after = widgets.HTML()
        self.after_png = b""
        self.info = widgets.HTML()
        self.info.add_class("manabu-filters-info")
        caption = '<div style="font-size:18px">{}</div>'
        side = widgets.Layout(margin="0 16px 8px 0")
        pictures = widgets.HBox([
            widgets.VBox([widgets.HTML(caption.format(_("Before the filter"))), self.before], layout=side),
            widgets.VBox([widgets.HTML(caption.format(_("After the filter"))), self.after], layout=side),
        ], layout=widgets.Layout(flex_flow="row wrap"))
        out = widgets.VBox([pictures, self.info])
        out.add_class("manabu-filters-out")
        super().__init__([title, grid, presets, out])
        self.add_class("manabu-filters")
        self._syncing = False
        for cell_widget in self.cells:
            cell_widget.observe(self._on_cell, "value")
        if kernel is None:
            self.use_preset("identity")
        else:
            self.kernel = kernel

    def _filter_name(self) -> str:
        if self.preset in self.buttons:
            return self.buttons[self.preset].description
        rows = " / ".join(" ".join(_number(x) for x in row) for row in self.kernel)
        return f"[{rows}]"

    @staticmethod
    def _cell_names() -> list[str]:
        return [_("top-left neighbour"), _("top neighbour"), _("top-right neighbour"),
                _("left neighbour"), _("the pixel itself"), _("right neighbour"),
                _("bottom-left neighbour"), _("bottom neighbour"), _("bottom-right neighbour")]

    @traitlets.validate("kernel")
    def _valid_kernel(self, proposal) -> list:
        try:
            numbers = np.asarray(proposal["value"], dtype=float)
        except (TypeError, ValueError):
            numbers = None
        if numbers is None or numbers.shape != (3, 3) or not np.isfinite(numbers).all():
            raise traitlets.TraitError(_("A filter is 3 rows of 3 numbers, like "
                                         "[[0, 0, 0], [0, 1, 0], [0, 0, 0]]."))
        return numbers.tolist()

    def use_preset(self, name: str) -> None:
        """Use a ready-made filter, as its button does: ``"blur"``, ``"sharpen"``,
        ``"vertical_edge"``, ``"horizontal_edge"`` or ``"identity"``."""
        if name not in PRESETS:
            raise ValueError(_("There is no filter called '{name}'. Try one of: {names}.").format(
                name=name, names=", ".join(PRESETS)))
        self.kernel = PRESETS[name]
        self.preset = name

    def _on_cell(self, change) -> None:
        if not self._syncing:
            values = [c.value for c in self.cells]
            self.kernel = [values[0:3], values[3:6], values[6:9]]

    @traitlets.observe("kernel")
    def _on_kernel(self, change) -> None:
        self._syncing = True
        try:
            for cell_widget, value in zip(self.cells, np.ravel(change["new"]), strict=True):
                cell_widget.value = float(np.clip(value, -100, 100))
        finally:
            self._syncing = False
        match = [key for key, numbers in PRESETS.items() if np.allclose(numbers, change["new"])]
        self.preset = match[0] if match else ""
        self._redraw()

    def _redraw(self) -> None:
        self.result = apply_filter(self.image, self.kernel)
        self.after_png = png_bytes(self.result)
        self.after.value = png_html(self.after_png, _("After the filter ({filter}): {picture}").format(
            filter=self._filter_name(), picture=self.picture_text))
        rows = ", ".join("[" + ", ".join(_number(x) for x in row) + "]" for row in self.kernel)
        offer(f"{self.name} = [{rows}]", shown_in=self.info)
        code = f"<code>{self.name} = [{rows}]</code>"
        low, high = self.result.min(), self.result.max()
        self.info.value = (
            '<div style="font-size:18px;line-height:1.5">'
            + _("Numbers after the filter: from {low} to {high}.").format(
                low=f"{low:.0f}", high=f"{high:.0f}") + " "
            + _("Below 0 shows as black, above 255 as white.") + "<br>"
            + _("Sum of the 9 numbers: {total}.").format(total=_number(round(np.sum(self.kernel), 6)))
            + "<br>" + copy_hint(_("This filter as code: {code}").format(code=code)) + "</div>")


def bench_cases() -> list[tuple[str, Callable[[], None]]]:
    """One user event each, on a widget built once (``make bench`` times them)."""
    lab = FilterLab()
    values = iter(np.resize([2.0, -1.0, 0.5, 3.0], 1000).tolist())
    keys = iter(np.resize(list(PRESETS), 1000).tolist())
    return [
        ("filters: type a number in the grid", lambda: setattr(lab.cells[4], "value", next(values))),
        ("filters: press a preset button", lambda: lab.buttons[next(keys)].click()),
    ]
