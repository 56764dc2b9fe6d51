"""Handwritten digits for lesson e03, from scikit-learn's bundled ``digits`` (offline).

Each digit is 8×8 = 64 numbers from 0 (white) to 16 (black ink).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

TRAIN = slice(0, 400)       # the examples the computer has "seen"
TEST = slice(1000, 1300)    # new digits it has never seen, for counting mistakes
MYSTERY_INDEX = 1010        # a "5" whose single nearest example is a 9: the vote fixes it
NOISY_EVERY = 5             # the "tired helper" mislabels every 5th example


@dataclass
class Digits:
    """Digit pictures (``images``: n × 64, values 0–16) and their labels (``labels``)."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


@cache
def _all() -> Digits:
    # Read scikit-learn's bundled file (64 pixels and the label on each line) directly: the
    # lesson's first pictures wait on this, and importing sklearn.datasets took 2-6 s on a
    # busy school server (the file alone: 0.1-0.6 s).
    try:
        import importlib.util
        from pathlib import Path

        folder = Path(importlib.util.find_spec("sklearn").submodule_search_locations[0])
        table = np.loadtxt(folder / "datasets" / "data" / "digits.csv.gz", delimiter=",")
        return Digits(table[:, :-1].astype(float), table[:, -1].astype(int))
    except (OSError, AttributeError, TypeError, ValueError):
        from sklearn.datasets import load_digits  # another layout of scikit-learn's files

        data = load_digits()
        return Digits(data.data.astype(float), data.target.astype(int))


def load_examples(which: str = "all") -> Digits:
    """``"all"`` 1797 examples, ``"train"`` 400, ``"test"`` 300, or ``"noisy"``: the 400 training
    examples where a tired helper wrote a wrong label on every 5th one."""
    d = _all()
    if which == "all":
        return d
    if which in ("train", "noisy"):
        labels = d.labels[TRAIN].copy()
        if which == "noisy":
            wrong = np.arange(len(labels)) % NOISY_EVERY == 2
            labels[wrong] = (labels[wrong] * 7 + 3) % 10  # always a different digit
        return Digits(d.images[TRAIN], labels)
    if which == "test":
        return Digits(d.images[TEST], d.labels[TEST])
    raise ValueError(f"Unknown set {which!r}: use 'all', 'train', 'test' or 'noisy'.")


def mystery_digit() -> np.ndarray:
    """The mystery digit of exercise 1 (64 numbers)."""
    return _all().images[MYSTERY_INDEX].copy()


def mistakes_by_k(examples: Digits, test: Digits, ks=range(1, 16)) -> dict[int, int]:
    """{k: number of test digits guessed wrong} when the computer asks k neighbours."""
    from course.models import NearestNeighbors

    model = NearestNeighbors().fit(examples.images, examples.labels)
    return {k: int((model.predict(test.images, k) != test.labels).sum()) for k in ks}


def plot_mistakes(mistakes: dict[int, int]) -> None:
    """Draw the number of mistakes for each number of neighbours."""
    from course.i18n import _
    from course.style import new_figure, show_figure

    fig, ax = new_figure(7, 3.5)
    ks = list(mistakes)
    ax.plot(ks, [mistakes[k] for k in ks], marker="o")
    ax.set_xticks(ks)
    ax.set_xlabel(_("Neighbours (k)"))
    ax.set_ylabel(_("Mistakes"))
    ax.set_title(_("Mistakes on 300 new digits"))
    best = min(ks, key=lambda k: (mistakes[k], k))
    points = ", ".join(f"k={k}: {mistakes[k]}" for k in ks)
    show_figure(fig, _("Line chart of the mistakes on 300 new digits for each number of "
                       "neighbours: {points}. Fewest mistakes: {n} with k = {k}.").format(
                           points=points, n=mistakes[best], k=best))
