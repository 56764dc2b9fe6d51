"""nbgrader's Formgrader in the course language: its labels (menus, titles, table headers,
buttons, statuses) in Japanese for a Japanese course.

A Jupyter server extension (enabled by ``manabu lab`` and the hub image next to
``autograder.school.my_lessons_server``). It wraps the render method of nbgrader's Formgrader
handlers: a page of a course whose language (``c.Manabu.lang``, or ``MANABU_LANG``) has a table
in ``locale/<lang>/formgrader.po`` gets each label that is exactly a table entry translated, the
page's ``lang``, and a small script that translates the labels nbgrader's own scripts draw later
(dialogs, statuses). Only whole labels change, never names, ids or scores. Left in English:
nbgrader's longer instructions, and the page that grades one submission (nbgrader renders it
with nbconvert, not through these handlers' render).
"""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path

LOCALE = Path(__file__).parent / "locale"
SEGMENT = re.compile(r">([^<>]+)<")
SCRIPT = re.compile(r"(<(script|style|pre|textarea)\b.*?</\2>)", re.DOTALL | re.IGNORECASE)
# labels nbgrader's scripts draw after the page loaded: text and placeholders
LIVE_SCRIPT = """<script>
(function () {
  var labels = %s;
  function fix(node) {
    if (node.nodeType === 3) {
      var key = node.nodeValue.replace(/\\s+/g, ' ').trim();
      if (labels[key]) { node.nodeValue = node.nodeValue.replace(key, labels[key]); }
      return;
    }
    if (node.nodeType !== 1 || /^(SCRIPT|STYLE|PRE|TEXTAREA)$/.test(node.tagName)) { return; }
    if (node.placeholder && labels[node.placeholder]) { node.placeholder = labels[node.placeholder]; }
    for (var i = 0; i < node.childNodes.length; i++) { fix(node.childNodes[i]); }
  }
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      if (change.type === 'characterData') { fix(change.target); }
      change.addedNodes.forEach(fix);
    });
  }).observe(document.documentElement, {childList: true, subtree: true, characterData: true});
  document.addEventListener('DOMContentLoaded', function () { fix(document.body); });
})();
</script>"""


@functools.cache
def labels(lang: str) -> dict[str, str]:
    """{English label: label in ``lang``} ({} for English or a language without a table)."""
    path = LOCALE / lang / "formgrader.po"
    if lang == "en" or not path.exists():
        return {}
    from course.catalogs import po_messages

    return po_messages(path.read_text(encoding="utf-8"))


def translate_page(html: str, table: dict[str, str], lang: str) -> str:
    """``html`` (a Formgrader page) with each text that is exactly a label in ``table``
    translated, ``<html lang>`` set, and the script for labels drawn later."""

    def segment(match: re.Match) -> str:
        text = match.group(1)
        key = " ".join(text.split())
        return f">{text.replace(key, table[key])}<" if key in table else match.group()

    parts = SCRIPT.split(html)
    out = []
    for index, part in enumerate(parts):
        kind = index % 3  # split() with two groups: text, whole block, tag name
        if kind == 0:
            out.append(SEGMENT.sub(segment, part))
        elif kind == 1:
            out.append(part)
    page = "".join(out)
    if re.search(r"<html\b", page, re.IGNORECASE):
        page = re.sub(r"<html(?![^>]*\blang=)", f'<html lang="{lang}"', page, count=1)
    else:  # nbgrader's pages start at <head>: the <html> tag may be left out, not its lang
        page = re.sub(r"(<!doctype html>)", rf'\1<html lang="{lang}">', page, count=1,
                      flags=re.IGNORECASE)
    live = LIVE_SCRIPT % json.dumps(table, ensure_ascii=False)
    return page.replace("</head>", live + "\n</head>", 1) if "</head>" in page else page + live


def page_language(course_root: str) -> str:
    """The language of the course the Formgrader shows: ``MANABU_LANG``, else ``c.Manabu.lang``."""
    if os.environ.get("MANABU_LANG"):
        return os.environ["MANABU_LANG"]
    from autograder.build.nbconfig import course_language

    try:
        return course_language(Path(course_root))
    except Exception:  # a broken course config: nbgrader reports it itself; keep its English
        return "en"


def patch_formgrader() -> None:
    """Wrap the render method of nbgrader's Formgrader handlers (once)."""
    from nbgrader.server_extensions.formgrader.base import BaseHandler

    original = BaseHandler.render
    if getattr(original, "manabu_labels", False):
        return

    def render(self, name, **ns):
        html = original(self, name, **ns)
        lang = page_language(self.coursedir.root)
        table = labels(lang)
        return translate_page(html, table, lang) if table else html

    render.manabu_labels = True
    BaseHandler.render = render


def _jupyter_server_extension_points():
    return [{"module": "autograder.school.formgrader_labels"}]


def _load_jupyter_server_extension(serverapp) -> None:
    patch_formgrader()
    serverapp.log.info("Manabu: the Formgrader shows its labels in the course language")
