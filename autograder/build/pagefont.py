"""The school font (BIZ UDPGothic, ``course/fonts/``) in the HTML pages Manabu writes, so that
Japanese draws in it on a machine with no Japanese font and no internet.

- A teacher guide links the copy written beside it (``guides/BIZUDPGothic-Regular.ttf``, the
  whole shipped font, once per course): the guides share it, whatever lessons are built.
- A child's feedback page is one file that nbgrader copies about, so it carries its font inside:
  only the characters on the page (about 100 KB for a lesson), as a ``data:`` URL.

Both name an installed BIZ UDPGothic first (``local()``), so a school PC that has it loads nothing.
"""

from __future__ import annotations

import base64
import io
import shutil
from functools import lru_cache
from pathlib import Path

from course.style import FONTS_DIR

FONT_FILE = "BIZUDPGothic-Regular.ttf"
# always there: digits, Latin letters and punctuation (scores, code, names)
ASCII = frozenset(chr(c) for c in range(0x20, 0x7F))


def font_face(url: str) -> str:
    """The ``@font-face`` rule of the school font, loaded from ``url`` when it is not installed."""
    return ('@font-face{font-family:"BIZ UDPGothic";font-display:swap;'
            'src:local("BIZ UDPGothic"),local("BIZUDPGothic-Regular"),'
            f'url("{url}") format("truetype")}}')


def copy_font(folder: Path) -> str:
    """Write the school font into ``folder`` (unless it is there) and return the CSS that uses it
    from a page in that folder."""
    target = folder / FONT_FILE
    source = FONTS_DIR / FONT_FILE
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return font_face(FONT_FILE)


@lru_cache(maxsize=16)
def _subset(chars: frozenset[str]) -> bytes:
    # pages of one lesson share most characters: the cache spares a grading run most subsets
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.hinting = False  # browsers scale well without; halves the size
    options.notdef_outline = True
    font = TTFont(FONTS_DIR / FONT_FILE)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def embedded_font_css(text: str) -> str:
    """The ``@font-face`` rule with the school font inside, cut to the characters of ``text``."""
    data = base64.b64encode(_subset(frozenset(text) | ASCII)).decode("ascii")
    return font_face(f"data:font/ttf;base64,{data}")
