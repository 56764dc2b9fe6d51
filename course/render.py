"""Small HTML pictures (no matplotlib): fast to redraw, crisp on a projector, and they
survive into nbgrader's feedback HTML."""

from __future__ import annotations

from html import escape

import numpy as np

from course.i18n import get_language
from course.style import SCHOOL_FONT_STACK, WEB_FONT_FILE, font_face

INK = (0, 0, 0)
BAR = "#0072B2"  # Okabe–Ito blue


def digit_html(image, cell: int = 6, caption: str | None = None, title: str = "") -> str:
    """An 8×8 digit (values 0–16) as a grid of grey squares, with an optional caption."""
    values = np.clip(np.asarray(image, dtype=float).reshape(8, 8), 0, 16)
    cells = "".join(
        f'<div style="background:rgb({g},{g},{g})"></div>'
        for g in (255 - (values.ravel() * 255 / 16)).astype(int)
    )
    grid = (f'<div role="img" aria-label="{escape(title or caption or "digit")}" '
            f'style="display:grid;grid-template-columns:repeat(8,{cell}px);'
            f'grid-auto-rows:{cell}px;border:1px solid #999;width:max-content">{cells}</div>')
    if caption is None:
        return grid
    # divs, not <figure>: the feedback page's sanitizer would show a <figure> tag as text
    return (f'<div style="margin:4px;text-align:center;display:inline-block">{grid}'
            f'<div style="font-size:16px">{escape(caption)}</div></div>')


def png_html(png: bytes, alt: str) -> str:
    """A PNG picture as an ``<img>`` with ``alt``, its text alternative (what it shows)."""
    import base64

    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}" style="max-width:100%">'


def row_html(items: list[str]) -> str:
    """Pictures side by side, wrapping on small screens."""
    return '<div style="display:flex;flex-wrap:wrap;align-items:flex-end;gap:4px">' + "".join(items) + "</div>"


def bars_html(counts: dict, unit: str, unit_one: str | None = None) -> str:
    """Horizontal bars with the number written beside each (never colour alone)."""
    if not counts:
        return ""
    top = max(counts.values())
    rows = []
    for label, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        width = 24 * n
        bold = "font-weight:bold;" if n == top else ""
        rows.append(
            f'<div style="display:flex;align-items:center;gap:6px;font-size:18px;{bold}">'
            f'<span style="width:1.5em;text-align:right">{escape(str(label))}</span>'
            f'<span style="display:inline-block;height:18px;width:{width}px;background:{BAR}"></span>'
            f"<span>{n} {escape(unit_one if n == 1 and unit_one else unit)}</span></div>"
        )
    return "".join(rows)


# One look for every widget's standard controls (ipywidgets 8 gives sliders, drop-downs and
# check boxes no font-size trait): text large enough for a projector, and a clear ring around
# whatever has the keyboard focus.
LARGE_TEXT = ("18px", (".widget-label", ".widget-label-basic", ".widget-readout", "label",
                       "select", "input", "textarea", "button"))
FOCUS_RING = "outline:3px solid #0072B2;outline-offset:2px"  # Okabe–Ito blue
# A lesson never scrolls sideways, even in an iPad's 810 px portrait with JupyterLab's file
# browser open (about 380 px for an output): controls given a fixed width by their Layout,
# and pictures, shrink to the output instead of sticking out of it (or being cut off).
FIT_RULES = {
    # (less their 2 px margins); a row that is still too wide wraps onto the next line
    ".widget-box, .widget-hslider, .widget-dropdown, .widget-text, .widget-textarea, .widget-html, "
    ".widget-checkbox, .widget-toggle-buttons, .widget-image, .widget-label":
        "max-width:calc(100% - 2 * var(--jp-widgets-margin, 2px))",
    ".widget-hbox, .widget-hslider, .widget-toggle-buttons": "flex-wrap:wrap",
    # a slider that wraps grows (ipywidgets fixes its height: the wrapped readout lay over the
    # next control)
    ".widget-hslider": "height:auto;min-height:var(--jp-widgets-inline-height)",
    # a drop-down as wide as its longest choice needs (ipywidgets makes each 300 px with its
    # description: the Japanese choices of e05's tree and j10's tables were cut off), no less
    ".widget-dropdown": "width:fit-content;min-width:min(var(--jp-widgets-inline-width), 100%)",
    ".widget-html-content": "max-width:100%;overflow-wrap:break-word",
    "svg:not(svg svg), img": "max-width:100%;height:auto",  # scaled by their viewBox
    "table": "max-width:100%",
    "th, td": "overflow-wrap:anywhere",  # a long word breaks rather than widen a narrow table
}
# On a wide screen (a Chromebook, a laptop, an iPad across) a slider is as wide as its
# description, track and readout need, on one line: ipywidgets makes each 300 px, so with a long
# description (a Japanese one in the school font, "Exploration rate") the readout wrapped onto a
# line of its own. (Not with wrapping on: Chromium sizes a box that may wrap by its widest part.)
WIDE_FROM_PX = 1000  # a window this wide or wider (tests/device_checks.py checks from it too)
WIDE = f"(min-width: {WIDE_FROM_PX}px)"
WIDE_RULES = {
    ".widget-hslider": "flex-wrap:nowrap;width:fit-content;min-width:var(--jp-widgets-inline-width)",
    ".widget-hslider .slider-container": "min-width:148px",  # ipywidgets' track basis: no less
}
# On a touch screen (iPad, a touch Chromebook) every control is at least a finger wide: 44 px,
# WCAG 2.5.5 and Apple's guideline. Desktop mice keep the compact standard sizes.
TOUCH = "(any-pointer: coarse)"
TOUCH_RULES = {
    "*": "--jp-widgets-slider-handle-size:44px",  # ipywidgets sizes and places the handle from it
    "button, select": "min-height:44px;min-width:44px",
    ".widget-radio-box label, .widget-checkbox label": "min-height:44px;display:flex;align-items:center",
    ".widget-radio-box input, .widget-checkbox input": "width:24px;height:24px",
    ".widget-hslider, .widget-dropdown, .widget-checkbox": "min-height:48px;height:auto;align-items:center",
    ".widget-hslider .slider-container": "margin:0 24px",  # a half-handle at each end stays inside
}


# Japanese widgets (and, through the lab's theme setting, lesson text) in BIZ UDPGothic, the
# school font that ships in course/fonts: an installed copy first (Windows has it), else the file
# the server itself serves (``manabu lab`` adds course/fonts to the Jupyter server's static files;
# Voilà has it among its template's), never one from the web. Its @font-face: see school_font_css.


def in_voila() -> bool:
    """Whether this kernel draws for a Voilà page: Voilà gives its kernels ``VOILA_BASE_URL``."""
    import os

    return "VOILA_BASE_URL" in os.environ


def school_font_css(root_class: str) -> str:
    """CSS that draws everything inside ``root_class`` in BIZ UDPGothic when the course language
    is Japanese (empty otherwise).

    The font's ``@font-face`` (among Voilà's static files) only on a Voilà page:
    JupyterLab and Notebook 7 pages have it from Manabu's lab extension as they start
    (course/labextension/src/schoolFontFace.ts), and each ``@font-face`` an output adds makes the
    browser lay out and shape all the page's text again (A/B at 4x, Japanese, "run all" until
    the first control, main thread: j01 4.0 -> 3.0 s, e10 4.6 -> 3.2 s)."""
    import os

    if get_language() != "ja":
        return ""
    root = "." + root_class.lstrip(".")
    # Voilà serves its template's static files at voila/static/, standalone (the projector) and
    # in a Jupyter server alike; Manabu installs the font among them (pyproject's shared-data,
    # the Makefile for the venv)
    base = os.environ.get("VOILA_BASE_URL", "/").rstrip("/") + "/"
    return ((font_face(f"{base}voila/static/{WEB_FONT_FILE}") if in_voila() else "") +
            # important: ipywidgets' own rules name JupyterLab's UI font on each control
            # (not Font Awesome's icons on buttons: in a text font they were empty boxes)
            f"{root} *:not(.fa){{--jp-widgets-font-family:{SCHOOL_FONT_STACK};"
            f"font-family:{SCHOOL_FONT_STACK}!important}}"
            f"{root} code, {root} pre, {root} pre *"
            "{font-family:var(--jp-code-font-family,monospace)!important}")


def scoped_style(root_class: str, extra: dict[str, str] | None = None,
                 touch: dict[str, str] | None = None) -> str:
    """A ``<style>`` block that applies only inside elements of class ``root_class``: labels,
    readouts and controls in 18 px text, and a visible focus ring for keyboard users.

    ``extra`` adds rules of one widget family, ``{selector: declarations}``; each selector
    (or each of a comma-separated list) is scoped to ``root_class`` too. On a touch screen,
    controls grow to 44 px (``TOUCH_RULES``); ``touch`` adds a family's own rules for that.

    >>> scoped_style("manabu-x", {".widget-hbox": "gap:16px"}).count(".manabu-x ")
    44
    """
    root = "." + root_class.lstrip(".")
    size, elements = LARGE_TEXT

    def scoped(rules: dict[str, str]) -> str:
        return "".join(", ".join(f"{root} {part.strip()}" for part in selector.split(",")) + f"{{{d}}}"
                       for selector, d in rules.items())

    base = ", ".join(f"{root} {e}" for e in elements) + f"{{font-size:{size}!important}}" \
        + f"{root} :focus-visible{{{FOCUS_RING}}}"
    # the shared rules first, so every family's sheet starts with the same text (test_widget_style)
    css = base + scoped(FIT_RULES) + f"@media {WIDE}{{{scoped(WIDE_RULES)}}}" \
        + f"@media {TOUCH}{{{scoped(TOUCH_RULES)}}}" + scoped(extra or {})
    if touch:
        css += f"@media {TOUCH}{{{scoped(touch)}}}"
    return "<style>" + css + school_font_css(root_class) + "</style>"


def style_widget(root_class: str, extra: dict[str, str] | None = None):
    """:func:`scoped_style` as an invisible ``ipywidgets.HTML``, to put among a root's children."""
    import ipywidgets as widgets

    return widgets.HTML(scoped_style(root_class, extra), layout=widgets.Layout(display="none"))
