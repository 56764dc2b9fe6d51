"""Read what a child types with the Japanese IME on as the half-width Python it means.

Children leave the IME on. Python then rejects ``answer = ６４``, ``answer = ”ｂ”`` and a
full-width space with an English ``SyntaxError``. :func:`normalize_source` rewrites a cell
before IPython compiles it; :func:`course.start_lesson` registers it as an IPython input
transformer (:func:`course.lesson.forgiving_input`), so the same rules apply in JupyterLab's
kernel and when ``manabu grade`` runs the notebook (its shell runs the setup cell too).

The rules, in the order a teacher would expect them:

1. **Code** (outside strings and comments): full-width ASCII (U+FF01–FF5E) becomes its
   half-width form, the ideographic space U+3000 a space, ``、`` ``。`` become ``,`` ``.``
   (a ``。`` that ends a line is a full stop and becomes a space),
   ``×`` ``÷`` become ``*`` ``/``, the minus-like ``−`` ``‐`` ``–`` become ``-``, and so does
   ``ー`` where no word can start with it (``x = ー3``). None of these characters is valid
   Python outside a string, so this can only turn an error into working code.
2. **Quotes**: curly and full-width quotes (``“ ” „ ‟ 〝 〞 〟 ″ ＂`` and ``‘ ’ ‚ ‛ ′ ＇``) and
   the Japanese brackets ``「…」`` ``『…』`` that start a string become ASCII ``"`` or ``'``, and so
   does the quote that ends it: ``”ｂ”`` and ``「ねこ」`` are strings. A string started with an
   ASCII quote is ended only by the same ASCII quote (so ``"AIは“学ぶ”"`` keeps its curly
   quotes); only if the cell does not compile that way, any quote of the same kind ends it
   (``"b”``).
3. **Inside a string** the text stays exactly as typed (``"ねこ"``, ``"ＡＩは学ぶ"``), with one
   exception: a string made only of ASCII and full-width ASCII characters (and spaces) is
   made half-width, because the child meant the answer ``"b"`` when typing ``"ｂ"``: a check
   comparing with ``"b"`` then gives the point. Any Japanese character in the string keeps
   all of it as typed.
4. Comments stay as typed, and so do cell magics (``%%html`` ...). Pure-ASCII cells are
   returned unchanged at once.
"""

from __future__ import annotations

import ast
import re

DOUBLE_QUOTES = '"＂“”„‟〝〞〟″'
SINGLE_QUOTES = "'＇‘’‚‛′"
BRACKETS = {"「": "」", "『": "』"}  # Japanese quotation brackets: opener -> closer
PREFIX = re.compile(r"(?<!\w)([rRbBfFuU]{1,2})$")  # a string's prefix, e.g. r"..." or rb"..."
CODE_EXTRAS = {"\u3000": " ", "、": ",", "。": ".", "×": "*", "÷": "/",
               "−": "-", "‐": "-", "–": "-"}


def _half(ch: str) -> str:
    """The half-width form of a full-width ASCII character or the ideographic space."""
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    return " " if ch == "\u3000" else ch


def _code_char(ch: str, previous: str) -> str:
    if ch == "ー":  # the long-vowel mark typed for "-": only where no Japanese word starts
        return "-" if not (previous.isalnum() or previous == "_") else ch
    return CODE_EXTRAS.get(ch) or _half(ch)


def _body(body: str, quote: str) -> str:
    """Rule 3: half-width only for a string of ASCII and full-width ASCII characters."""
    if "\\" in body or not all(c.isascii() or _half(c) != c for c in body):
        return body  # Japanese text, or an escape whose meaning a half-width letter would change
    half = "".join(_half(c) for c in body)
    added = {h for c, h in zip(body, half, strict=True) if c != h}
    # a quote or backslash made half-width would change where the string ends or what it says
    return body if quote[0] in added or "\\" in added else half


def _scan(text: str, strict: bool) -> str:
    """One pass of rules 1-4 over ``text`` (``strict``: ASCII-opened strings end at ASCII)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        half = _code_char(ch, out[-1][-1:] if out else "")
        if half == "#":  # a comment, to the end of the line
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append("#" + text[i + 1:end])
            i = end
        elif ch == "。" and not text[i + 1:].split("\n", 1)[0].strip():
            out.append(" ")  # a sentence's full stop at the end of a line, not a decimal point
            i += 1
        elif ch in DOUBLE_QUOTES or ch in SINGLE_QUOTES or ch in BRACKETS:
            i = _string(text, i, strict, out)
        else:
            out.append(half)
            i += 1
    return "".join(out)


def _string(text: str, i: int, strict: bool, out: list[str]) -> int:
    """Append the string literal that starts at ``text[i]`` to ``out``; return where it ends."""
    ch = text[i]
    family = SINGLE_QUOTES if ch in SINGLE_QUOTES else DOUBLE_QUOTES
    triple = ch in "\"'" and text.startswith(ch * 3, i)
    if ch in "\"'":
        delim = ch * 3 if triple else ch
        closers = ch if strict or triple else family
    else:
        delim = "'" if family == SINGLE_QUOTES else '"'
        closers = BRACKETS.get(ch, family)
    prefix = PREFIX.search("".join(out[-3:]))
    raw = bool(prefix) and "r" in prefix.group(1).lower()
    start = j = i + len(delim) if triple else i + 1
    while j < len(text):
        c = text[j]
        if c == "\\" and not raw:
            j += 2
            continue
        if c == "\n" and not triple:
            break  # unterminated: Python says so, and the friendly error explains it
        if text.startswith(delim, j) if triple else c in closers:
            body = text[start:j]
            if ch not in "\"'" and delim in body:  # 「He said "hi"」: use the other quote
                delim = "'" if delim == '"' else '"'
                if delim in body:
                    out.append(text[i:j + 1])
                    return j + 1
            out.append(delim + _body(body, delim) + delim)
            return j + len(delim)
        j += 1
    out.append(delim + text[start:j])
    return j


def _compiles(source: str) -> bool:
    try:
        compile(source, "<cell>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def normalize_source(text: str) -> str:
    """``text`` with IME input read as half-width Python (the rules in the module docstring).

    >>> normalize_source('ａｎｓｗｅｒ　＝　”ｂ”')
    'answer = "b"'
    >>> normalize_source('answer = 「ねこ」  # ＡＩ')
    'answer = "ねこ"  # ＡＩ'
    """
    if text.isascii() or text.lstrip().startswith("%%"):  # a cell magic's body is not Python
        return text
    strict = _scan(text, strict=True)
    if _compiles(strict):
        return strict
    loose = _scan(text, strict=False)
    return loose if _compiles(loose) else strict

