"""Plot style: colour-blind-safe Okabe–Ito hues dark enough to see on white, markers as well as
colours, large text, and type for the course language: Japanese in BIZ UDPGothic, the universal
design school font that ships with Manabu (``course/fonts/``, SIL OFL), falling back to IPAex
Gothic from ``matplotlib-fontja``; English in a plain sans (DejaVu Sans)."""

from __future__ import annotations

from pathlib import Path

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision type.
OKABE_ITO_ORIGINAL = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
# The colours Manabu draws with: the same hues, but orange (2.25:1), sky blue (2.31:1) and yellow
# (1.32:1) darkened (same hue and saturation, lower lightness) to reach WCAG 2's 3:1 for graphics
# against the white plot background. tests/test_palette_contrast.py computes every ratio.
PLOT_BACKGROUND = "#FFFFFF"
OKABE_ITO = {
    "orange": "#BD8300",
    "sky_blue": "#1D96DB",
    "bluish_green": "#009E73",
    "yellow": "#9C920C",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
COLORS = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "vermillion",
                                 "reddish_purple", "sky_blue", "yellow", "black")]
# Never colour alone: every series also gets its own marker.
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
FONTS_DIR = Path(__file__).parent / "fonts"
SCHOOL_FONT = "BIZ UDPGothic"      # Morisawa's universal-design gothic, made for school material
JAPANESE_FONT = "IPAexGothic"      # from matplotlib-fontja: any character the school font lacks
PLAIN_SANS = "DejaVu Sans"         # matplotlib's own
# The same in CSS: an installed BIZ UDPGothic, or the one the Jupyter server serves (see
# course.render.school_font_css), then other Japanese fonts.
SCHOOL_FONT_STACK = '"BIZ UDPGothic","Hiragino Sans","Noto Sans CJK JP","IPAexGothic",sans-serif'
# The browsers' copy in course/fonts: the regular weight's characters as WOFF2, unhinted
# (autograder/build/fontsubset.py makes it), 0.55 MB where the TrueType file is 1.37
WEB_FONT_FILE = "BIZUDPGothic-Regular.woff2"
_registered: list[str] = []


def font_face(url: str, fmt: str = "woff2") -> str:
    """The CSS ``@font-face`` of the school font: a copy installed on the device first (Windows
    has one), else the file at ``url`` (in format ``fmt``), shown in a fallback font until then."""
    quoted = url.replace("\\", "\\\\").replace('"', '\\"')  # a CSS string
    return ('@font-face{font-family:"BIZ UDPGothic";font-display:swap;'
            'src:local("BIZ UDPGothic"),local("BIZUDPGothic-Regular"),'
            f'url("{quoted}") format("{fmt}")}}')


def register_school_font() -> list[str]:
    """Add the BIZ UDPGothic files in ``course/fonts/`` to matplotlib's font manager (once)."""
    if not _registered:
        from matplotlib import font_manager

        for path in sorted(FONTS_DIR.glob("BIZUDPGothic-*.ttf")):
            font_manager.fontManager.addfont(str(path))
            _registered.append(str(path))
    return _registered


def font_families(lang: str) -> list[str]:
    """matplotlib's font list for ``lang``: each character comes from the first that has it."""
    if lang == "ja":
        return [SCHOOL_FONT, JAPANESE_FONT, PLAIN_SANS]
    return [PLAIN_SANS, JAPANESE_FONT]  # a Japanese name in an English lesson still shows


def use_style(lang: str | None = None) -> None:
    """Apply Manabu's plot style to matplotlib for ``lang`` (default: the course language);
    safe to call many times."""
    import matplotlib as mpl
    import matplotlib_fontja  # noqa: F401  (registers IPAex Gothic)
    from cycler import cycler

    from course.i18n import get_language

    register_school_font()
    mpl.rcParams.update({
        "axes.prop_cycle": cycler(color=COLORS) + cycler(marker=MARKERS),
        "axes.facecolor": PLOT_BACKGROUND,   # the background the palette's contrast is measured on
        "figure.facecolor": PLOT_BACKGROUND,
        "savefig.facecolor": PLOT_BACKGROUND,
        "font.family": font_families(lang or get_language()),
        "font.size": 14,           # readable on a projector
        "axes.titlesize": 16,
        "axes.labelsize": 14,
        "lines.linewidth": 2.5,
        "lines.markersize": 8,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "figure.dpi": 100,
        "axes.unicode_minus": False,  # IPAex has no U+2212 glyph
    })


def new_figure(width: float = 7, height: float = 4):
    """A styled ``(figure, axes)`` pair."""
    use_style()
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height), layout="constrained")


def show_figure(fig, alt: str) -> None:
    """Show ``fig`` in the notebook with ``alt``, a text alternative that says what it shows
    (the numbers, not "a chart"), then close it.

    JupyterLab draws a plain PNG output as an ``<img>`` with no alt text, so the picture goes
    out as HTML with ``alt`` (what JupyterLab shows), and as PNG with ``alt`` in its metadata
    (what nbconvert's feedback page shows: its sanitizer keeps no ``data:`` pictures in HTML).
    """
    import base64
    import io
    from html import escape

    import matplotlib.pyplot as plt
    from IPython.display import display

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    html = (f'<img src="data:image/png;base64,{png}" alt="{escape(alt)}" '
            'style="max-width:100%;height:auto">')
    display({"text/html": html, "image/png": png, "text/plain": alt}, raw=True,
            metadata={"image/png": {"alt": alt}})
