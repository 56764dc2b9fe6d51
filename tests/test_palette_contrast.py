"""Colour a child can see: every colour Manabu draws plot marks and widget graphics with reaches
WCAG 2's 3:1 contrast for graphics against the plot background (white), keeps its Okabe–Ito
hue, and never carries meaning alone (each series also has its own marker)."""

from __future__ import annotations

import colorsys
import re

import pytest
from test_widget_style import ROOTS

from course.style import COLORS, MARKERS, OKABE_ITO, OKABE_ITO_ORIGINAL, PLOT_BACKGROUND, use_style
from course.widgets.boundary import HATCH, TINTS, boundary_scores, boundary_svg, load_points

GRAPHICS = 3.0  # WCAG 2.2, 1.4.11 Non-text Contrast


def rgb(colour: str) -> tuple[float, float, float]:
    """``#RRGGBB`` as three numbers from 0 to 1."""
    h = colour.lstrip("#")
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 to 21."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_matches_wcag_and_the_issues_measurements():
    """The formula reproduces the ratios measured for the original Okabe–Ito colours."""
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21)
    measured = {"orange": 2.25, "sky_blue": 2.31, "yellow": 1.32}
    for name, ratio in measured.items():
        assert contrast(OKABE_ITO_ORIGINAL[name], "#FFFFFF") == pytest.approx(ratio, abs=0.01)


@pytest.mark.parametrize("name", sorted(OKABE_ITO))
def test_every_palette_colour_reaches_3_to_1_on_the_plot_background(name):
    ratio = contrast(OKABE_ITO[name], PLOT_BACKGROUND)
    assert ratio >= GRAPHICS, f"{name} {OKABE_ITO[name]}: {ratio:.2f}:1 on {PLOT_BACKGROUND}"


@pytest.mark.parametrize("name", sorted(OKABE_ITO))
def test_every_palette_colour_keeps_its_okabe_ito_hue(name):
    hue, _l, saturation = colorsys.rgb_to_hls(*rgb(OKABE_ITO[name]))
    hue0, _l0, saturation0 = colorsys.rgb_to_hls(*rgb(OKABE_ITO_ORIGINAL[name]))
    assert hue == pytest.approx(hue0, abs=0.005) and saturation == pytest.approx(saturation0, abs=0.01)


def test_plots_draw_on_the_measured_background_with_a_marker_per_colour():
    import matplotlib as mpl

    use_style()
    for key in ("axes.facecolor", "figure.facecolor"):
        assert mpl.colors.to_hex(mpl.rcParams[key]).upper() == PLOT_BACKGROUND
    cycle = list(mpl.rcParams["axes.prop_cycle"])
    assert [c["color"] for c in cycle] == COLORS and all(c in OKABE_ITO.values() for c in COLORS)
    assert [c["marker"] for c in cycle] == MARKERS and len(set(MARKERS)) == len(COLORS)


def html_of(widget) -> str:
    """Every HTML value anywhere in a widget tree."""
    text = getattr(widget, "value", "") if isinstance(getattr(widget, "value", None), str) else ""
    return text + "".join(html_of(child) for child in getattr(widget, "children", ()))


@pytest.mark.parametrize("name", sorted(ROOTS))
def test_no_widget_draws_with_a_too_light_original_colour(name):
    html = html_of(ROOTS[name]()).upper()
    too_light = [c for c in OKABE_ITO_ORIGINAL.values()
                 if contrast(c, PLOT_BACKGROUND) < GRAPHICS and c.upper() in html]
    assert not too_light, f"{name} draws with {too_light}: use course.style.OKABE_ITO"


def test_boundary_marks_and_stripes_stand_out_on_both_areas():
    """Filled marks and hollow rings have a black outline; group B's stripes reach 3:1."""
    for tint in TINTS:
        assert contrast("#000000", tint) >= GRAPHICS
    assert contrast(HATCH, TINTS[1]) >= GRAPHICS
    pts, scores = load_points("moons"), boundary_scores("moons", "tree", depth=4)
    svg = boundary_svg(pts, scores.regions, "t")
    marks = re.findall(r'<path class="manabu-boundary-marks" [^>]*>', svg)
    assert len(marks) == 6   # filled, black ring, coloured ring; for each group
    for mark in marks:
        if 'fill="none"' in mark:  # the coloured ring drawn over a black one
            continue
        assert 'stroke="#000"' in mark, mark
