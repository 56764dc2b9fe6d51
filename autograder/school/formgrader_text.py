"""Translate a page of nbgrader's Formgrader with a table of ``{English: translation}``.

The table (``locale/<lang>/formgrader.po``) holds three kinds of entries, told apart by their
msgid:

- a **label**: a whole text, e.g. ``Manual Grading``. It changes only where a text between
  two tags (or a ``title``/``placeholder``/``aria-label`` attribute) is exactly that label, so
  names, ids and scores that merely contain the word stay as they are;
- a label with **holes**: ``Successfully released '{name}'.`` The holes match any text and
  keep it (an assignment's or a student's name, a count);
- an HTML **fragment**: a msgid with a tag in it, e.g. one item of nbgrader's instructions,
  ``To <b>create</b> an assignment, ...``. It is replaced wherever it stands in the page,
  whitespace aside; its holes match text without tags or quotes (a path, a link's address).

Scripts, styles, ``<pre>`` and ``<textarea>`` are never changed, nor is the notebook on the page
that grades one submission (its Markdown, code and outputs: the lesson's and the student's own
words, which the teacher must see as they are, even an answer that reads "None"). What
nbgrader's own scripts draw later is translated in the browser (``formgrader_live.js``) with the
same labels and holes and the same exceptions.
"""

from __future__ import annotations

import functools
import html as htmllib
import json
import re
from dataclasses import dataclass
from pathlib import Path

HOLE = re.compile(r"\{(\w+)\}")
SEGMENT = re.compile(r">([^<>]+)<")
ATTRIBUTE = re.compile(r"""(\s(?:title|placeholder|aria-label)=")([^"<>]*)(")""")
UNTOUCHED = re.compile(r"(<(script|style|pre|textarea)\b.*?</\2>)", re.DOTALL | re.IGNORECASE)
LIVE_JS = Path(__file__).with_name("formgrader_live.js")
MARK = "data-manabu-formgrader"  # on the live script: a page is translated once
# the notebook's contents on the one-submission page (nbconvert's classic template): data
NOTEBOOK_CLASSES = "text_cell_render|output_subarea|input_area"
NOTEBOOK_START = re.compile(r'<div\b[^>]*\bclass="[^"]*\b(?:' + NOTEBOOK_CLASSES + r')\b[^"]*"[^>]*>')
DIV = re.compile(r"<div\b[^>]*>|</div\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class Pattern:
    """A label with holes or a fragment, as one regular expression (the same source works in
    Python and in the browser's JavaScript)."""

    source: str
    names: tuple[str, ...]
    translation: str

    @functools.cached_property
    def regex(self) -> re.Pattern:
        return re.compile(self.source)

    def fill(self, match: re.Match) -> str:
        """The translation with the holes filled from ``match``."""
        found = dict(zip(self.names, match.groups(), strict=True))
        return HOLE.sub(lambda m: found.get(m.group(1), m.group()), self.translation)

    def js_replacement(self) -> str:
        """The translation as a replacement string of JavaScript's ``String.replace``."""
        index = {name: i + 1 for i, name in enumerate(self.names)}

        def hole(match: re.Match) -> str:
            name = match.group(1)
            return f"${index[name]}" if name in index else match.group()

        return HOLE.sub(hole, self.translation.replace("$", "$$"))


@dataclass(frozen=True)
class Table:
    """A translation table, sorted by kind."""

    labels: dict[str, str]
    patterns: tuple[Pattern, ...]
    fragments: tuple[Pattern, ...]

    def label(self, text: str) -> str | None:
        """The translation of ``text`` (whitespace runs count as one space), or None."""
        key = " ".join(text.split())
        if key in self.labels:
            return self.labels[key]
        for pattern in self.patterns:
            match = pattern.regex.fullmatch(key)
            if match:
                return pattern.fill(match)
        return None

    def for_browser(self) -> str:
        """The labels and labels with holes as JSON, for ``formgrader_live.js``."""
        return json.dumps({"labels": self.labels,
                           "patterns": [[p.source, p.js_replacement()] for p in self.patterns]},
                          ensure_ascii=False).replace("</", "<\\/")


def _escape(text: str) -> str:
    """``text`` as a literal in a regular expression of both Python and JavaScript."""
    return re.sub(r"[\\^$.|?*+()\[\]{}/]", r"\\\g<0>", text)


def _pattern(msgid: str, msgstr: str, hole: str, gap: str) -> Pattern:
    parts = HOLE.split(msgid)
    source = "".join(hole if i % 2 else gap.join(_escape(w) for w in re.split(r"\s+", part))
                     for i, part in enumerate(parts))
    return Pattern(source, tuple(parts[1::2]), msgstr)


@functools.lru_cache(maxsize=8)
def _compiled(items: tuple[tuple[str, str], ...]) -> Table:
    labels, patterns, fragments = {}, [], []
    for msgid, msgstr in items:
        if "<" in msgid:
            fragments.append(_pattern(msgid, msgstr, r'([^<>"]*?)', r"\s+"))
        elif HOLE.search(msgid):
            patterns.append(_pattern(" ".join(msgid.split()), msgstr, "(.+?)", " "))
        else:
            labels[" ".join(msgid.split())] = msgstr
    return Table(labels, tuple(patterns), tuple(fragments))


def compile_table(messages: dict[str, str]) -> Table:
    """The :class:`Table` of ``{msgid: msgstr}`` (cached)."""
    return _compiled(tuple(sorted(messages.items())))


def _translate_markup(part: str, table: Table) -> str:
    """One stretch of a page outside scripts and ``<pre>``: fragments, texts, attributes."""
    for fragment in table.fragments:
        part = fragment.regex.sub(fragment.fill, part)

    def segment(match: re.Match) -> str:
        lead, text, trail = re.fullmatch(r"(\s*)(.*?)(\s*)", match.group(1), re.DOTALL).groups()
        out = table.label(htmllib.unescape(text)) if text else None
        return match.group() if out is None else f">{lead}{htmllib.escape(out, quote=False)}{trail}<"

    def attribute(match: re.Match) -> str:
        out = table.label(htmllib.unescape(match.group(2)))
        return match.group() if out is None else match.group(1) + htmllib.escape(out) + match.group(3)

    return ATTRIBUTE.sub(attribute, SEGMENT.sub(segment, part))


def _notebook_parts(html: str) -> list[tuple[bool, str]]:
    """``html`` cut into (is the notebook's content, text) pieces, in order."""
    pieces, at = [], 0
    while (start := NOTEBOOK_START.search(html, at)) is not None:
        depth, end = 1, len(html)
        for tag in DIV.finditer(html, start.end()):
            depth += -1 if tag.group().startswith("</") else 1
            if depth == 0:
                end = tag.end()
                break
        pieces += [(False, html[at:start.start()]), (True, html[start.start():end])]
        at = end
    return [*pieces, (False, html[at:])]


def _translate_outside_blocks(html: str, table: Table) -> str:
    parts = UNTOUCHED.split(html)
    out = []
    for index, part in enumerate(parts):
        kind = index % 3  # split() with two groups: text, whole block, tag name
        if kind == 0:
            out.append(_translate_markup(part, table))
        elif kind == 1:
            out.append(part)
    return "".join(out)


def translate_page(html: str, messages: dict[str, str], lang: str) -> str:
    """``html`` (a Formgrader page) translated with ``messages``, ``<html lang>`` set, and the
    script that translates what nbgrader's scripts draw later. A page that already has that
    script is returned as it is."""
    if MARK in html:
        return html
    table = compile_table(messages)
    page = "".join(text if notebook else _translate_outside_blocks(text, table)
                   for notebook, text in _notebook_parts(html))
    if re.search(r"<html\b", page, re.IGNORECASE):
        page = re.sub(r"<html(?![^>]*\blang=)", f'<html lang="{lang}"', page, count=1)
    else:  # nbgrader's pages start at <head>: the <html> tag may be left out, not its lang
        page = re.sub(r"(<!doctype html>)", rf'\1<html lang="{lang}">', page, count=1,
                      flags=re.IGNORECASE)
    live = (f"<script {MARK}>\n{LIVE_JS.read_text(encoding='utf-8')}"
            f"manabuFormgraderLabels({table.for_browser()});\n</script>")
    # in <head>, after nbgrader's scripts: the live script wraps some of their functions
    return page.replace("</head>", live + "\n</head>", 1) if "</head>" in page else page + live
