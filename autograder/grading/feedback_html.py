"""nbconvert's last step of an HTML page, cell by cell, each distinct cell once per worker.

After rendering, nbconvert's ``HTMLExporter`` parses the whole page with BeautifulSoup, gives
images without ``alt`` a default one, marks JupyterLab cells focusable and writes the page out
again: about three quarters of a feedback page's CPU time, because a lesson draws its digits as
tables (thousands of tags a page). Most cells are the same on every student's page (the lesson's
text and pictures), so :func:`finish_page` does that step per top-level cell and remembers the
result of each cell text. The page is the same, byte for byte, as nbconvert's whole-page pass:

- a cell is finished alone only when it is a closed piece of the page: every tag it opens it
  closes, and none of its end tags closes anything outside it (:class:`_CellSoup` checks while
  parsing); otherwise, and on JupyterLab pages (whose focus rule looks at an ancestor), the whole
  page takes nbconvert's own pass;
- the rest of the page (head, header with the score, the last cell, the closing tags) takes the
  same pass with a comment where each cell was, and the finished cells go back in their place.
"""

from __future__ import annotations

import re
import secrets

from bs4 import BeautifulSoup

# where nbgrader's feedback template starts each cell of the notebook
CELL_START = re.compile(r'<div class="cell border-box-sizing ')
MISSING_ALT = "No description has been provided for this image"  # nbconvert's words
WRAPPER = "manabu-cell-wrapper"
_MEMO_CHARS = 50_000_000  # a bound on remembered cells: a class's lesson fits easily
_memo: dict[str, tuple[str, int] | None] = {}
_memo_chars = [0]


def whole_page(html: str) -> tuple[str, int]:
    """nbconvert 7's pass over a whole page: (the page, images that had no alt text)."""
    soup = BeautifulSoup(html, features="html.parser")
    missing = 0
    for elem in soup.select("img:not([alt])"):
        elem.attrs["alt"] = MISSING_ALT
        missing += 1
    for elem in soup.select(".jp-Notebook div.jp-Cell-inputWrapper"):
        elem.attrs["tabindex"] = "0"
    for elem in soup.select(".jp-Notebook div.jp-OutputArea-output"):
        elem.attrs["tabindex"] = "0"
    return str(soup), missing


class _CellSoup(BeautifulSoup):
    """A cell parsed inside a wrapper element; ``escaped`` says whether it was not a closed piece
    of the page (an end tag reaching outside it, or a tag left open at its end)."""

    def __init__(self, *args, **kwargs):
        self.escaped, self.closed = False, False
        super().__init__(*args, **kwargs)

    def handle_endtag(self, name: str, nsprefix: str | None = None) -> None:
        inside = [tag.name for tag in self.tagStack[2:]]  # [0] the soup, [1] the wrapper
        if name == WRAPPER:
            self.escaped |= bool(inside) or self.closed
            self.closed = True
        elif name not in inside:
            self.escaped = True
        super().handle_endtag(name, nsprefix)


def finish_cell(text: str) -> tuple[str, int] | None:
    """One cell's part of :func:`whole_page`, or None when the cell is not a closed piece."""
    if text in _memo:
        return _memo[text]
    soup = _CellSoup(f"<{WRAPPER}>{text}</{WRAPPER}>", features="html.parser")
    result = None
    wrapper = soup.contents[0] if len(soup.contents) == 1 else None
    if not soup.escaped and soup.closed and wrapper is not None and wrapper.name == WRAPPER:
        missing = 0
        for elem in wrapper.select("img:not([alt])"):
            elem.attrs["alt"] = MISSING_ALT
            missing += 1
        result = (wrapper.decode_contents(), missing)
    size = 2 * len(text)
    if _memo_chars[0] + size <= _MEMO_CHARS:
        _memo[text] = result
        _memo_chars[0] += size
    return result


def finish_page(html: str) -> tuple[str, int]:
    """The page as :func:`whole_page` makes it, cell by cell (see the module docstring)."""
    starts = [m.start() for m in CELL_START.finditer(html)]
    if len(starts) < 2 or "jp-Cell-inputWrapper" in html or "jp-OutputArea-output" in html:
        return whole_page(html)
    cells = [html[a:b] for a, b in zip(starts, starts[1:], strict=False)]  # the last stays
    finished = [finish_cell(cell) for cell in cells]
    if any(f is None for f in finished):
        return whole_page(html)
    mark = f"manabu-cell-{secrets.token_hex(8)}-"
    rest = html[:starts[0]] + "".join(f"<!--{mark}{i}-->" for i in range(len(cells))) + \
        html[starts[-1]:]
    page, missing = whole_page(rest)
    pieces = re.split(f"<!--{mark}([0-9]+)-->", page)
    if len(pieces) != 2 * len(cells) + 1 or pieces[1::2] != [str(i) for i in range(len(cells))]:
        return whole_page(html)  # the comments did not come back as they went in
    out = [pieces[0]]
    for (cell, cell_missing), after in zip(finished, pieces[2::2], strict=True):
        out += [cell, after]
        missing += cell_missing
    return "".join(out), missing
