"""Nearest neighbours: guess by asking the most similar examples and taking a vote."""

from __future__ import annotations

import numpy as np


class NearestNeighbors:
    """Classify a new example by a vote of its ``n_neighbors`` closest training examples.

    Same predictions as scikit-learn's ``KNeighborsClassifier`` (uniform weights,
    Euclidean distance; a tied vote goes to the smallest label).

    >>> model = NearestNeighbors(n_neighbors=3).fit([[0], [1], [10], [11]], [0, 0, 1, 1])
    >>> model.predict([[2], [9]]).tolist()
    [0, 1]
    """

    def __init__(self, n_neighbors: int = 5):
        self.n_neighbors = n_neighbors

    def fit(self, X, y) -> NearestNeighbors:
        """Remember the examples. That is all the "learning" this model does."""
        self.examples_ = np.asarray(X, dtype=float)
        self.labels_ = np.asarray(y)
        self.classes_ = np.unique(self.labels_)
        if len(self.examples_) != len(self.labels_):
            raise ValueError("X and y must have the same number of examples.")
        return self

    def distances(self, x) -> np.ndarray:
        """How far ``x`` is from every example: the square root of the summed squared differences."""
        diff = self.examples_ - np.asarray(x, dtype=float)
        return np.sqrt((diff * diff).sum(axis=1))

    def kneighbors(self, X, n_neighbors: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(distances, indices) of the closest examples for each row of ``X``, nearest first."""
        k = n_neighbors or self.n_neighbors
        X = np.atleast_2d(np.asarray(X, dtype=float))
        # squared distances for all rows at once: |a|^2 - 2ab + |b|^2
        sq = ((X * X).sum(1)[:, None] - 2 * X @ self.examples_.T
              + (self.examples_ * self.examples_).sum(1)[None, :])
        order = np.argsort(sq, axis=1, kind="stable")[:, :k]
        dist = np.sqrt(np.maximum(np.take_along_axis(sq, order, axis=1), 0))
        return dist, order

    def votes(self, x, n_neighbors: int | None = None) -> dict:
        """{label: number of votes} from the neighbours of one example."""
        _dist, idx = self.kneighbors(x, n_neighbors)
        labels, counts = np.unique(self.labels_[idx[0]], return_counts=True)
        return {label.item(): int(count) for label, count in zip(labels, counts, strict=True)}

    def predict(self, X, n_neighbors: int | None = None) -> np.ndarray:
        """The label that most neighbours vote for (ties go to the smallest label)."""
        _dist, idx = self.kneighbors(X, n_neighbors)
        votes = self.labels_[idx]
        out = []
        for row in votes:
            labels, counts = np.unique(row, return_counts=True)  # labels come out sorted
            out.append(labels[np.argmax(counts)])
        return np.asarray(out)

    def score(self, X, y) -> float:
        """The share of examples whose label is guessed right (0 to 1)."""
        return float(np.mean(self.predict(X) == np.asarray(y)))
