"""Nothing leaves the school, checked without a browser: no lesson, widget, guide, start page,
report or template of Manabu's names a script, picture, font or style sheet on another host
(tests/test_offline_browser.py watches a browser's real requests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import outside_fetches

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted([*REPO.glob("lessons/*/*.md"), *REPO.glob("course/**/*.py"),
                  *REPO.glob("autograder/**/*.py"), *REPO.glob("autograder/templates/**/*.j2")])


def test_the_pattern_finds_what_a_browser_would_fetch():
    assert outside_fetches('<script src="https://cdnjs.cloudflare.com/mathjax.js"></script>')
    assert outside_fetches("<link rel='stylesheet' href='//fonts.googleapis.com/css'>")
    assert outside_fetches("@font-face{src:url(https://fonts.gstatic.com/x.woff2)}")
    assert outside_fetches('<img src="http://example.org/cat.png">')
    assert not outside_fetches('<a href="https://www.mext.go.jp/">a link is only followed on a click</a>')
    assert not outside_fetches('<svg xmlns="http://www.w3.org/2000/svg"><img src="data:image/png;base64,AA">')
    assert not outside_fetches('<script src="http://127.0.0.1:8888/static/x.js">')


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_source_fetches_from_another_host(path):
    assert not outside_fetches(path.read_text(encoding="utf-8")), path
