"""A tiny generative model: it learns from digit pictures and makes new ones (lessons e11, j13).

For each digit it learns the average picture and the few main ways the examples differ from
it (principal components, found with NumPy's SVD), with how much each way varies. To make a
picture it starts from the average and adds a random amount of each way, as much as the
examples varied. Nothing is copied on purpose, so whether a made picture is too close to one
it learned from is something to measure: :meth:`DigitMaker.nearest`.
"""

from __future__ import annotations

import numpy as np


class DigitMaker:
    """Make new 8×8 digit pictures (values 0–16) like the examples it was fitted on.

    ``n_parts``: how many ways of varying it learns per digit (more: sharper, closer to the
    examples). ``spread``: how far from the average it dares to go (1 = as far as the examples).

    >>> from course.digits import load_examples
    >>> d = load_examples("train")
    >>> maker = DigitMaker(n_parts=8).fit(d.images, d.labels)
    >>> pictures, digits = maker.sample(4, digit=3, seed=1)
    >>> pictures.shape, digits.tolist()
    ((4, 64), [3, 3, 3, 3])
    """

    def __init__(self, n_parts: int = 8, spread: float = 1.0):
        self.n_parts = n_parts
        self.spread = spread

    def fit(self, X, y) -> DigitMaker:
        """Learn, for each digit, its average picture and its main ways of varying."""
        X, y = np.asarray(X, dtype=float), np.asarray(y)
        if len(X) != len(y):
            raise ValueError("X and y must have the same number of examples.")
        self.examples_, self.labels_ = X, y
        self.digits_ = np.unique(y)
        self.means_, self.parts_, self.scales_ = {}, {}, {}
        for digit in self.digits_.tolist():
            group = X[y == digit]
            mean = group.mean(axis=0)
            # rows of vt: the directions in which the examples differ most, biggest first
            _u, s, vt = np.linalg.svd(group - mean, full_matrices=False)
            keep = min(self.n_parts, len(group) - 1, len(s)) if len(group) > 1 else 0
            self.means_[digit] = mean
            self.parts_[digit] = vt[:keep]
            self.scales_[digit] = s[:keep] / np.sqrt(max(len(group) - 1, 1))  # std along each
        return self

    def sample(self, n: int, digit: int | None = None, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """``n`` new pictures (n × 64, whole numbers 0–16 like the real ones) and their digits.
        ``digit=None`` takes digits in turn."""
        if not hasattr(self, "means_"):
            raise ValueError("Fit the maker on examples first: DigitMaker().fit(images, labels).")
        rng = np.random.default_rng(seed)
        if digit is None:
            digits = np.resize(self.digits_, n)
        elif digit in self.means_:
            digits = np.full(n, digit)
        else:
            raise ValueError(f"The maker has not seen any {digit}: it knows {self.digits_.tolist()}.")
        pictures = np.empty((n, self.examples_.shape[1]))
        for i, d in enumerate(digits.tolist()):
            amounts = rng.standard_normal(len(self.scales_[d])) * self.scales_[d] * self.spread
            pictures[i] = self.means_[d] + amounts @ self.parts_[d]
        return np.clip(np.rint(pictures), 0, 16), digits

    def nearest(self, pictures) -> tuple[np.ndarray, np.ndarray]:
        """For each picture: the index of the closest example it learned from, and the distance
        (straight-line, over the 64 pixel values; 0 = an exact copy)."""
        pictures = np.atleast_2d(np.asarray(pictures, dtype=float))
        # |a - b|² = |a|² + |b|² - 2 a·b: one matrix product instead of a (pictures × examples × 64) array
        d2 = (pictures ** 2).sum(axis=1)[:, None] + (self.examples_ ** 2).sum(axis=1)[None, :] \
            - 2 * pictures @ self.examples_.T
        index = d2.argmin(axis=1)
        return index, np.sqrt(np.maximum(d2[np.arange(len(pictures)), index], 0))
