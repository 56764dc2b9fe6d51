"""nbgrader's Formgrader pages without the internet, for every course language.

nbgrader's page that grades one submission (rendered by nbconvert's classic template) loads
MathJax 2 from a public CDN. In a school without internet that script never arrives, nbgrader's
setup stops at "MathJax is not defined", and the keyboard shortcuts and the "?" help do not
work; with internet the teacher's browser reaches a host outside the school. :func:`offline_page`
puts a small local stand-in for MathJax (``formgrader_mathjax.js``, inline, so nothing is
fetched) where the CDN script was, and drops any other script or style sheet that a later
nbgrader or nbconvert might name on another host. ``formgrader_labels`` applies it to every page
the Formgrader serves.
"""

from __future__ import annotations

import re
from pathlib import Path

MATHJAX_SHIM = Path(__file__).with_name("formgrader_mathjax.js")
OFFLINE_MARK = "data-manabu-offline"  # on the stand-in: a page is made offline once
OUTSIDE = r"""["']?(?:https?:)?//(?!(?:localhost|127\.0\.0\.1)(?:[:/"']))[^"'\s>]*["']?"""
# a script tag whose src, or a link tag (style sheet, font) whose href, is on another host
OUTSIDE_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=\s*" + OUTSIDE + r"[^>]*>\s*</script\s*>",
                            re.IGNORECASE)
OUTSIDE_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*" + OUTSIDE + r"[^>]*>", re.IGNORECASE)
MATHJAX = re.compile(r"mathjax", re.IGNORECASE)


def _local_script(match: re.Match) -> str:
    if MATHJAX.search(match.group()):
        return f"<script {OFFLINE_MARK}>\n{MATHJAX_SHIM.read_text(encoding='utf-8')}</script>"
    return "<!-- Manabu: a script from outside the school was left out -->"


def offline_page(html: str) -> str:
    """``html`` (a Formgrader page) with no script or style sheet from another host: a CDN
    MathJax becomes the local stand-in, anything else from outside is left out."""
    if OFFLINE_MARK in html:
        return html
    html = OUTSIDE_SCRIPT.sub(_local_script, html)
    return OUTSIDE_LINK.sub("<!-- Manabu: a style sheet from outside the school was left out -->",
                            html)
