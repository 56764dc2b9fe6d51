"""Real or made? Digit pictures drawn by people beside ones a generative model made (lesson e11).

The maker (:class:`course.models.maker.DigitMaker`) learns from the 400 training drawings of
``course.digits``; the real pictures of a line-up come from the test drawings, which it never saw.
Everything is fixed by seeds, so every child and the teacher guide see the same pictures.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from IPython.display import HTML, display

from course.digits import load_examples
from course.i18n import _
from course.models.maker import DigitMaker
from course.render import digit_html, row_html

LETTERS = "ABCDEFGH"
LINEUP_MADE = "BCEH"  # which pictures of the line-up the maker made (the others people drew)
CLOSE_SQUARES = 3     # "almost a copy": at most this many of the 64 squares look different
DIFFERENT = 2         # a square "looks different" when its ink differs by more than this (0–16)


@cache
def trained_maker(n_parts: int = 8) -> DigitMaker:
    """The maker, trained on the 400 training drawings (fast: well under a second)."""
    train = load_examples("train")
    return DigitMaker(n_parts=n_parts).fit(train.images, train.labels)


def lineup() -> tuple[np.ndarray, list[str]]:
    """Eight pictures A–H (8 × 64) and the letters of the made ones (:data:`LINEUP_MADE`)."""
    made, _digits = trained_maker().sample(len(LINEUP_MADE), digit=None, seed=11)
    test = load_examples("test")
    real = iter(test.images[[3, 17, 26, 40]])
    made_iter = iter(made[[2, 0, 3, 1]])  # mixed digits, so the digit gives nothing away
    pictures = [next(made_iter) if letter in LINEUP_MADE else next(real) for letter in LETTERS]
    return np.array(pictures), list(LINEUP_MADE)


def show_lineup() -> None:
    """Show the line-up, each picture named only by its letter."""
    pictures, _made = lineup()
    display(HTML(row_html([digit_html(p, cell=12, caption=letter,
                                      title=_("picture {letter}").format(letter=letter))
                           for letter, p in zip(LETTERS, pictures, strict=True)])))


def squares_different(a, b) -> int:
    """How many of the 64 squares of two pictures look different (a child can count them)."""
    return int((np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)) > DIFFERENT).sum())


def show_closest(maker: DigitMaker, pictures) -> list[int]:
    """Show each made picture beside the closest drawing the maker learned from, and how many
    squares differ. Returns those numbers."""
    index, _dist = maker.nearest(pictures)
    rows, counts = [], []
    for n, (picture, i) in enumerate(zip(pictures, index, strict=True), 1):
        differ = squares_different(picture, maker.examples_[i])
        counts.append(differ)
        verdict = _("almost a copy!") if differ <= CLOSE_SQUARES else _("a new picture")
        rows.append(row_html([
            digit_html(picture, cell=10, caption=_("made {n}").format(n=n),
                       title=_("made picture {n}").format(n=n)),
            digit_html(maker.examples_[i], cell=10, caption=_("closest drawing"),
                       title=_("the closest drawing it learned from")),
            '<div style="font-size:18px;padding:8px">'
            + _("{k} of 64 squares differ: {verdict}").format(k=differ, verdict=verdict) + "</div>"]))
    display(HTML("".join(rows)))
    return counts


# --- lesson j13: how often does a maker copy? ------------------------------------------------
COPY_LIMIT = 10.0  # a made picture closer than this to a training drawing counts as a near-copy;
                   # new real drawings are farther from their closest training drawing (95% > 13)


def first_drawings(n_per_digit: int):
    """The first ``n_per_digit`` drawings of each digit (all 1,797 drawings): (images, labels)."""
    data = load_examples("all")
    index = np.concatenate([np.flatnonzero(data.labels == d)[:n_per_digit] for d in range(10)])
    return data.images[index], data.labels[index]


def show_pictures(pictures, captions=None) -> None:
    """Show pictures in a row, each with its caption (or its number)."""
    captions = captions if captions is not None else [str(i) for i in range(len(pictures))]
    display(HTML(row_html([digit_html(p, cell=8, caption=str(c),
                                      title=_("picture {letter}").format(letter=c))
                           for p, c in zip(pictures, captions, strict=True)])))


def copying_by_size(sizes=(1, 2, 3, 5, 10, 40), n: int = 100, seed: int = 0) -> dict[int, float]:
    """{drawings per digit: share of ``n`` made pictures that are near-copies (closer than
    :data:`COPY_LIMIT` to a drawing the maker learned from)}."""
    shares = {}
    for size in sizes:
        maker = DigitMaker().fit(*first_drawings(size))
        _index, distance = maker.nearest(maker.sample(n, seed=seed)[0])
        shares[size] = float((distance < COPY_LIMIT).mean())
    return shares


def show_copying(shares: dict[int, float]) -> None:
    """A table: drawings per digit, and the share of near-copies as a bar with its number."""
    head = (f'<tr><th scope="col">{_("drawings per digit")}</th>'
            f'<th scope="col">{_("near-copies")}</th></tr>')
    rows = "".join(
        f'<tr><td style="text-align:right;padding-right:12px">{size}</td><td>'
        f'<span style="display:inline-block;height:16px;width:{int(share * 200)}px;background:#0072B2"></span>'
        f" {share:.0%}</td></tr>" for size, share in shares.items())
    display(HTML(f'<table style="font-size:16px">{head}{rows}</table>'))
