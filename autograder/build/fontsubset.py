"""Maintainer tool: make the BIZ UDPGothic files that ship in ``course/fonts/`` (run by hand).

The full fonts (Debian ``fonts-morisawa-bizud-gothic``, SIL OFL 1.1, no reserved font name) are
4.7 MB each; kept to what lessons need (ASCII and Latin-1, punctuation and symbols, kana, the
常用漢字, full-width forms and every character of the Japanese lessons, catalogs and corpus)
they are about a third of that, so both weights fit in the wheel. Other characters fall back to
IPAex Gothic (matplotlib) or the browser's font.

Browsers get their own copy of the regular weight, ``BIZUDPGothic-Regular.woff2``: the same
characters, compressed (WOFF2, Brotli) and without TrueType hinting (Chromebooks, iPads and
Android draw without it; Windows has BIZ UDPGothic installed, which pages use first), 0.55 MB
instead of 1.37. ``--web`` makes only that copy, from the TrueType file already here.

    python -m autograder.build.fontsubset /usr/share/fonts/truetype/bizud-gothic
    python -m autograder.build.fontsubset --web
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FONTS = REPO / "course" / "fonts"
WEIGHTS = ("Regular", "Bold")
RANGES = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2190, 0x21FF), (0x2200, 0x22FF),
          (0x2460, 0x24FF), (0x2500, 0x25FF), (0x2600, 0x26FF), (0x3000, 0x30FF), (0xFF00, 0xFFEF)]


def characters() -> set[str]:
    """Every character the Japanese lessons may draw with the school font."""
    from kanji_lists import JOYO

    chars = {chr(c) for start, end in RANGES for c in range(start, end + 1)}
    chars |= set(JOYO)
    for pattern in ("lessons/*/ja.md", "course/locale/ja/*.po", "course/data/*_ja.txt"):
        for path in REPO.glob(pattern):
            chars |= set(path.read_text(encoding="utf-8"))
    return {c for c in chars if c.isprintable() or c == " "}


def _options():
    """fontTools' subsetting options for every file made here."""
    from fontTools import subset as ft

    options = ft.Options()
    options.layout_features = ["*"]     # keep proportional kana and vertical metrics
    options.name_IDs = ["*"]            # keep the copyright and licence names
    options.notdef_outline = True
    return options


def web_copy() -> Path:
    """Write the browsers' copy of the regular weight (:data:`course.style.WEB_FONT_FILE`) from the
    TrueType file in ``course/fonts/``: every character of it, as WOFF2, without hinting."""
    from fontTools import subset as ft

    from course.style import WEB_FONT_FILE

    options = _options()
    options.hinting = False
    options.flavor = "woff2"                # needs the brotli module (the test extra has it)
    font = ft.load_font(str(FONTS / "BIZUDPGothic-Regular.ttf"), options)
    subsetter = ft.Subsetter(options)
    subsetter.populate(unicodes=font.getBestCmap())
    subsetter.subset(font)
    out = FONTS / WEB_FONT_FILE
    ft.save_font(font, str(out), options)
    return out


def subset(source_dir: Path) -> list[Path]:
    """Write ``course/fonts/BIZUDPGothic-<weight>.ttf`` from the full fonts in ``source_dir``."""
    from fontTools import subset as ft

    text = "".join(sorted(characters()))
    written = []
    for weight in WEIGHTS:
        options = _options()
        font = ft.load_font(str(source_dir / f"BIZUDPGothic-{weight}.ttf"), options)
        subsetter = ft.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        out = FONTS / f"BIZUDPGothic-{weight}.ttf"
        ft.save_font(font, str(out), options)
        written.append(out)
    return [*written, web_copy()]


if __name__ == "__main__":
    if sys.argv[1:] == ["--web"]:
        written = [web_copy()]
    else:
        written = subset(Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/bizud-gothic"))
    for path in written:
        print(f"{path.relative_to(REPO)}: {path.stat().st_size / 1e6:.2f} MB")
