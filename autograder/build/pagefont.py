"""The school font (BIZ UDPGothic, ``course/fonts/``) inside the HTML pages Manabu writes (the
teacher guides, a child's feedback page), so that Japanese draws in it on a machine with no
Japanese font and no internet: only the characters on the page (about 100 KB), as a ``data:``
URL. Not a file beside the page: the Jupyter server serves /files/ pages sandboxed (CSP
``sandbox allow-scripts``, an opaque origin), and the browser refuses such a page's font from
the server (a cross-origin font without CORS). An installed BIZ UDPGothic comes first (``local()``).
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache

from course.style import FONTS_DIR, font_face

FONT_FILE = "BIZUDPGothic-Regular.ttf"
# always there: digits, Latin letters and punctuation (scores, code, names)
ASCII = frozenset(chr(c) for c in range(0x20, 0x7F))


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
    return font_face(f"data:font/ttf;base64,{data}", "truetype")
