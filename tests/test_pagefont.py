"""The school font in the pages Manabu writes (autograder/build/pagefont.py): a page carries it
cut to its own characters (the guide's CSS: test_lessons.py::test_the_guide_shows_the_kanten_
table_and_every_rubric; loaded in a browser: test_offline_browser.py)."""

from __future__ import annotations

import base64
import io
import re

from fontTools.ttLib import TTFont

from autograder.build.pagefont import embedded_font_css

TEXT = "先生が読んでくれます。今の点数: 2 / 2"


def test_embedded_font_draws_every_character_of_the_page():
    css = embedded_font_css(TEXT)
    assert css.startswith('@font-face{font-family:"BIZ UDPGothic"') and 'local("BIZ UDPGothic")' in css
    data = base64.b64decode(re.search(r"data:font/ttf;base64,([^\")]+)", css).group(1))
    assert len(data) < 60_000, len(data)  # only what the page needs, not the 1.4 MB font
    cmap = TTFont(io.BytesIO(data)).getBestCmap()
    assert [c for c in TEXT + "Score 0123456789" if ord(c) not in cmap] == []
