"""Decision trees: ask yes/no questions about the features, one after another, then decide.

Each question is "is feature ``f`` at most ``t``?". "Yes" goes left, "no" goes right
(scikit-learn's convention). At the end of the questions (a *leaf*) the tree answers
with the label most training examples there had.

- :class:`ManualTree`: *you* choose the questions (at most two levels); it only counts.
- :class:`DecisionTree`: the computer chooses each question so the groups get as "pure"
  as possible (Gini impurity), like scikit-learn's ``DecisionTreeClassifier``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Node:
    """One box of the tree: its question (none for a leaf) and the examples that reached it."""

    counts: np.ndarray              # how many training examples of each class reached this box
    value: int = 0                  # index of the class this box answers
    feature: int | None = None      # the question: is X[:, feature] <= threshold?
    threshold: float = 0.0
    left: Node | None = None        # the "yes" side
    right: Node | None = None       # the "no" side

    @property
    def is_leaf(self) -> bool:
        return self.feature is None


def gini(counts: np.ndarray) -> float:
    """Gini impurity: the chance that two examples picked at random have different labels."""
    n = counts.sum()
    return 0.0 if n == 0 else float(1.0 - ((counts / n) ** 2).sum())


class _Tree:
    """What both trees share: walking down the questions to a leaf."""

    def _start(self, X, y) -> tuple[np.ndarray, np.ndarray]:
        X = np.atleast_2d(np.asarray(X, dtype=float))
        y = np.asarray(y)
        if len(X) != len(y):
            raise ValueError("X and y must have the same number of examples.")
        self.classes_, y_index = np.unique(y, return_inverse=True)
        self.n_features_in_ = X.shape[1]
        return X, y_index

    def _node(self, rows: np.ndarray, y_index: np.ndarray, parent: Node | None) -> Node:
        counts = np.bincount(y_index[rows], minlength=len(self.classes_))
        # an empty box answers like its parent (no examples to count)
        value = int(np.argmax(counts)) if counts.sum() or parent is None else parent.value
        return Node(counts=counts, value=value)

    def leaf(self, x) -> Node:
        """The leaf one example ends in."""
        node = self.root_
        while not node.is_leaf:
            node = node.left if x[node.feature] <= node.threshold else node.right
        return node

    def predict(self, X) -> np.ndarray:
        """The answer for each row of ``X``."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        return self.classes_[[self.leaf(x).value for x in X]]

    def score(self, X, y) -> float:
        """The share of examples answered right (0 to 1)."""
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def get_depth(self) -> int:
        """How many questions the longest path asks."""
        def depth(node: Node) -> int:
            return 0 if node.is_leaf else 1 + max(depth(node.left), depth(node.right))
        return depth(self.root_)


class ManualTree(_Tree):
    """A tree whose questions you choose: a first question (``"root"``), then one on each side.

    ``splits`` maps ``"root"``, ``"left"`` (asked when the answer was yes) and ``"right"``
    (when it was no) to ``(feature, threshold)`` or ``None`` (no question: decide here).
    A feature is a column number, or a name from ``feature_names``.

    >>> tree = ManualTree({"root": ("size", 5)}, feature_names=["size"])
    >>> tree.fit([[1], [2], [8], [9]], ["small", "small", "big", "big"]).predict([[3], [7]]).tolist()
    ['small', 'big']
    """

    PLACES = ("root", "left", "right")

    def __init__(self, splits: dict | None = None, feature_names=None):
        self.splits = splits
        self.feature_names = feature_names

    def _column(self, feature) -> int:
        names = list(self.feature_names or [])
        if isinstance(feature, str):
            if feature not in names:
                raise ValueError(f"Unknown feature {feature!r}; the features are {names}.")
            return names.index(feature)
        return int(feature)

    def fit(self, X, y) -> ManualTree:
        """Send every example down the chosen questions and count the labels in each box."""
        X, y_index = self._start(X, y)
        splits = dict(self.splits or {})
        unknown = set(splits) - set(self.PLACES)
        if unknown:
            raise ValueError(f"Unknown places {sorted(unknown)}; use {self.PLACES}.")
        self.root_ = self._grow(X, y_index, np.arange(len(X)), splits, "root", None)
        return self

    def _grow(self, X, y_index, rows, splits, place, parent) -> Node:
        node = self._node(rows, y_index, parent)
        split = splits.get(place) if place else None
        if split is None:
            return node
        feature, threshold = split
        node.feature, node.threshold = self._column(feature), float(threshold)
        yes = X[rows, node.feature] <= node.threshold
        # below the root come "left" and "right"; below those, only leaves
        left, right = ("left", "right") if place == "root" else (None, None)
        node.left = self._grow(X, y_index, rows[yes], splits, left, node)
        node.right = self._grow(X, y_index, rows[~yes], splits, right, node)
        return node

    def nodes(self) -> dict[str, Node]:
        """Every box by place: ``"root"``, ``"left"``, ``"right"``, ``"left-left"``, ... ."""
        found = {}

        def walk(node: Node | None, place: str) -> None:
            if node is None:
                return
            found[place] = node
            prefix = "" if place == "root" else place + "-"
            walk(node.left, prefix + "left")
            walk(node.right, prefix + "right")
        walk(self.root_, "root")
        return found


class DecisionTree(_Tree):
    """A tree that learns its own questions, at most ``max_depth`` levels deep.

    At each box it tries every feature and every threshold halfway between two values
    seen, and keeps the question whose two groups have the lowest Gini impurity.
    Same predictions as scikit-learn's ``DecisionTreeClassifier(max_depth=...)``, except
    where two questions are exactly as good (scikit-learn then picks one at random).

    >>> tree = DecisionTree(max_depth=1).fit([[1], [2], [8], [9]], [0, 0, 1, 1])
    >>> tree.root_.threshold, tree.predict([[3], [7]]).tolist()
    (5.0, [0, 1])
    """

    def __init__(self, max_depth: int | None = None):
        self.max_depth = max_depth

    def fit(self, X, y) -> DecisionTree:
        """Grow the tree from the top, choosing the best question for each box."""
        X, y_index = self._start(X, y)
        self.root_ = self._grow(X, y_index, np.arange(len(X)), 0, None)
        return self

    def _grow(self, X, y_index, rows, depth, parent) -> Node:
        node = self._node(rows, y_index, parent)
        deep_enough = self.max_depth is not None and depth >= self.max_depth
        if deep_enough or len(rows) < 2 or gini(node.counts) == 0:
            return node
        best = self._best_split(X[rows], y_index[rows])
        if best is None:  # every feature has a single value here: nothing to ask
            return node
        node.feature, node.threshold = best
        yes = X[rows, node.feature] <= node.threshold
        node.left = self._grow(X, y_index, rows[yes], depth + 1, node)
        node.right = self._grow(X, y_index, rows[~yes], depth + 1, node)
        return node

    def _best_split(self, X, y_index) -> tuple[int, float] | None:
        """(feature, threshold) with the lowest weighted Gini impurity of the two groups."""
        n, k = len(X), len(self.classes_)
        best, best_impurity = None, np.inf
        onehot = np.eye(k)[y_index]
        for feature in range(X.shape[1]):
            order = np.argsort(X[:, feature], kind="stable")
            values = X[order, feature]
            # counts of each class on the "yes" side if we cut after position i
            left = np.cumsum(onehot[order], axis=0)[:-1]
            right = left[-1] + onehot[order[-1]] - left
            n_left = np.arange(1, n)[:, None]
            impurity = (n_left[:, 0] * (1 - ((left / n_left) ** 2).sum(1))
                        + (n - n_left[:, 0]) * (1 - ((right / (n - n_left)) ** 2).sum(1))) / n
            can_cut = values[1:] > values[:-1]        # only cut between two different values
            if not can_cut.any():
                continue
            impurity = np.where(can_cut, impurity, np.inf)
            i = int(np.argmin(impurity))
            if impurity[i] < best_impurity - 1e-12:
                best_impurity = impurity[i]
                best = (feature, float((values[i] + values[i + 1]) / 2))
        return best
