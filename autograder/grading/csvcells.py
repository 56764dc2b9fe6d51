"""Cells of Manabu's CSV files (``grades.csv``) that a spreadsheet cannot run as formulas.

A student name or status that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return) would be run as a formula by Excel, LibreOffice or Google Sheets when a teacher opens the
file (CSV injection). As OWASP recommends, such a text cell is written with a leading ``'``;
Manabu's own readers take it off again.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: object) -> object:
    """``value`` safe for a spreadsheet: text that starts like a formula gets a leading ``'``;
    numbers stay numbers.

    >>> neutralize('=HYPERLINK("http://x")'), neutralize("kai"), neutralize(-1.5)
    ('\\'=HYPERLINK("http://x")', 'kai', -1.5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unneutralize(value: str) -> str:
    """:func:`neutralize` undone.

    >>> unneutralize("'=1+1"), unneutralize("'quoted")
    ('=1+1', "'quoted")
    """
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value
