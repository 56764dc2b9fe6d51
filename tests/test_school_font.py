"""Type for the course language: Japanese plots use BIZ UDPGothic, the universal-design school
font that ships with Manabu (course/fonts/, SIL OFL, small enough for the wheel), and fall back
to IPAex Gothic for a character it lacks; English plots keep a plain sans."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
from fontTools.ttLib import TTFont  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from course.style import (  # noqa: E402
    FONTS_DIR,
    PLAIN_SANS,
    SCHOOL_FONT,
    WEB_FONT_FILE,
    font_face,
    new_figure,
    use_style,
)

REPO = Path(__file__).resolve().parent.parent
FILES = sorted(FONTS_DIR.glob("BIZUDPGothic-*.ttf"))
KANA_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_the_school_font_ships_with_its_licence_and_fits_the_wheel():
    assert [f.name for f in FILES] == ["BIZUDPGothic-Bold.ttf", "BIZUDPGothic-Regular.ttf"]
    assert sum(f.stat().st_size for f in FILES) < 5_000_000
    licence = (FONTS_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "BIZ UDGothic Project Authors" in licence and "SIL OPEN FONT LICENSE Version 1.1" in licence
    for path in FILES:
        names = {r.toUnicode() for r in TTFont(path)["name"].names if r.nameID in (1, 16)}
        assert SCHOOL_FONT in names, names


def test_the_school_font_has_every_kana_and_kanji_of_the_japanese_lessons():
    """Else a lesson's word would fall back to another font (run autograder/build/fontsubset.py)."""
    cmap = set(TTFont(FILES[-1])["cmap"].getBestCmap())
    texts = [*REPO.glob("lessons/*/ja.md"), *REPO.glob("course/locale/ja/*.po"),
             *REPO.glob("course/labextension/src/*.ts"),  # the panels' and dialogs' Japanese
             *REPO.glob("autograder/*/locale/ja/*.po")]  # the teacher's pages (Formgrader)
    used = {c for path in texts for c in KANA_KANJI.findall(path.read_text(encoding="utf-8"))}
    missing = sorted(c for c in used if ord(c) not in cmap)
    assert len(used) > 500 and not missing, missing


def test_browsers_get_the_same_font_as_a_small_woff2():
    """Pages load ``WEB_FONT_FILE``: every character of the regular TrueType file (else a word
    would draw in another font on a Chromebook), WOFF2 without hinting, under half the bytes.
    Out of date after a new character: ``python -m autograder.build.fontsubset --web``."""
    regular = FONTS_DIR / "BIZUDPGothic-Regular.ttf"
    web = FONTS_DIR / WEB_FONT_FILE
    assert web.read_bytes()[:4] == b"wOF2"
    font = TTFont(web)  # reads WOFF2 with the brotli module
    have, want = set(font.getBestCmap()), set(TTFont(regular).getBestCmap())
    assert have == want, (f"{web.name} is out of date ({len(want - have)} characters missing, "
                          f"{len(have - want)} extra): python -m autograder.build.fontsubset --web")
    assert not {"fpgm", "prep", "cvt "} & set(font.keys())  # no TrueType hinting
    assert SCHOOL_FONT in {r.toUnicode() for r in font["name"].names if r.nameID in (1, 16)}
    assert "BIZ UDGothic Project Authors" in font["name"].getDebugName(0)  # the copyright stays
    assert web.stat().st_size < 0.5 * regular.stat().st_size


def test_every_page_asks_for_the_same_web_font():
    """The lab extension, the widgets and the teacher's live page all name ``WEB_FONT_FILE``."""
    from autograder.live.page import FONT_FILE, FONT_ROUTE

    panel = (REPO / "course/labextension/src/schoolFont.ts").read_text(encoding="utf-8")
    assert f"SCHOOL_FONT_FILE = '{WEB_FONT_FILE}'" in panel
    assert FONT_FILE == WEB_FONT_FILE and re.fullmatch(FONT_ROUTE, f"font/{WEB_FONT_FILE}")
    css = font_face("/x/a.woff2")
    assert css.index('local("BIZ UDPGothic")') < css.index('url("/x/a.woff2") format("woff2")')
    assert 'url("a\\"b")' in font_face('a"b')  # a quote cannot end the CSS string


def test_japanese_plots_draw_in_the_school_font_and_fall_back_to_ipaex():
    use_style("ja")
    assert matplotlib.rcParams["font.family"][0] == SCHOOL_FONT
    found = font_manager.findfont(font_manager.FontProperties(family=matplotlib.rcParams["font.family"]),
                                  fallback_to_default=False)
    assert Path(found).resolve() == (FONTS_DIR / "BIZUDPGothic-Regular.ttf").resolve()
    bold = font_manager.findfont(font_manager.FontProperties(family=SCHOOL_FONT, weight="bold"))
    assert Path(bold).name == "BIZUDPGothic-Bold.ttf"
    fig, ax = new_figure()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would raise here
        ax.set_title("となりの数とまちがいの数（分類）")
        ax.set_xlabel("苺")             # not a 常用漢字: IPAex Gothic draws it
        fig.canvas.draw()


@pytest.mark.parametrize("lang", ["en"])
def test_english_plots_keep_a_plain_sans(lang):
    use_style(lang)
    assert matplotlib.rcParams["font.family"][0] == PLAIN_SANS
    found = font_manager.findfont(font_manager.FontProperties(family=matplotlib.rcParams["font.family"]))
    assert "DejaVuSans" in Path(found).name


@pytest.mark.parametrize("lang, first", [("ja", SCHOOL_FONT), ("en", PLAIN_SANS)])
def test_class_report_plots_follow_the_report_language(lang, first, monkeypatch):
    from autograder.report.report_html import PLOT_LANG, _figure

    monkeypatch.setenv("MANABU_LANG", "en" if lang == "ja" else "ja")  # the process speaks the other
    token = PLOT_LANG.set(lang)
    try:
        _figure(2, 2)
        assert matplotlib.rcParams["font.family"][0] == first
    finally:
        PLOT_LANG.reset(token)


def test_japanese_widgets_and_lesson_text_ask_for_the_school_font_from_the_server(tmp_path, monkeypatch):
    import json

    from helpers import outside_fetches

    from autograder.lab import lab_command, write_lab_settings
    from course.render import scoped_style

    monkeypatch.setenv("MANABU_LANG", "ja")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/aoi/")
    monkeypatch.delenv("VOILA_BASE_URL", raising=False)
    css = scoped_style("manabu-x")
    assert '.manabu-x *:not(.fa){--jp-widgets-font-family:"BIZ UDPGothic"' in css  # not icons
    # in JupyterLab the lab extension has the @font-face (schoolFontFace.ts); in Voilà, the widgets
    assert "@font-face" not in css
    monkeypatch.setenv("VOILA_BASE_URL", "/user/aoi/")  # Voilà in the hub's user server
    css = scoped_style("manabu-x")
    assert 'url("/user/aoi/voila/static/BIZUDPGothic-Regular.woff2") format("woff2")' in css
    assert not outside_fetches(css)
    monkeypatch.setenv("MANABU_LANG", "en")
    assert "BIZ UDPGothic" not in scoped_style("manabu-x")  # English keeps JupyterLab's sans

    assert any(str(FONTS_DIR) in part for part in lab_command(tmp_path, 8888, open_browser=False))
    themes = "@jupyterlab/apputils-extension/themes.jupyterlab-settings"
    ja = json.loads((write_lab_settings(tmp_path / "ja", "ja") / themes).read_text(encoding="utf-8"))
    assert ja["overrides"]["content-font-family"].startswith('"BIZ UDPGothic"')
    assert not (write_lab_settings(tmp_path / "en", "en") / themes).exists()
