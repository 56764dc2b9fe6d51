"""Scoring a model on a table: accuracy, the confusion matrix, and k nearest neighbours trained
and scored on a split (:func:`knn_scores`, fast enough for a slider). ``accuracy`` and
``confusion`` are what j03's students write themselves."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from course.data.tables import load_table, split
from course.i18n import _
from course.models.neighbors import NearestNeighbors

MAX_K = 15


def accuracy(y_true, y_pred) -> float:
    """The share of guesses that are right, from 0 to 1.

    >>> accuracy([0, 1, 1, 2], [0, 1, 2, 2])
    0.75
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if len(y_true) != len(y_pred) or len(y_true) == 0:
        raise ValueError(_("Give as many guesses as right answers (and at least one)."))
    return float(np.mean(y_true == y_pred))


def confusion(y_true, y_pred, labels) -> np.ndarray:
    """A table of counts: row i = real label ``labels[i]``, column j = guessed label ``labels[j]``.

    Right guesses sit on the diagonal. Same as scikit-learn's ``confusion_matrix``.

    >>> confusion([0, 1, 1], [0, 1, 0], labels=[0, 1]).tolist()
    [[1, 0], [1, 1]]
    """
    where = {label: i for i, label in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)), dtype=int)
    for real, guess in zip(y_true, y_pred, strict=True):
        table[where[real], where[guess]] += 1
    return table


@lru_cache(maxsize=256)
def _neighbour_labels(name: str, features: tuple[str, ...], test_share: float, seed: int,
                      scale: bool):
    """Labels of the 15 nearest training rows, for every training row and every test row.

    Found once per split and feature set, so voting for any k ≤ 15 costs almost nothing,
    which keeps the k slider fast. With ``scale`` every column is rescaled (training mean 0,
    spread 1), so a column measured in big numbers, like proline, no longer drowns out the
    others: without it, choosing the features is the student's job.
    """
    from threadpoolctl import threadpool_limits

    table = load_table(name)
    train, test = split(name, test_share, seed)
    cols = [table.features.index(f) for f in features]
    X = table.X[:, cols]
    if scale:
        mean, spread = X[train].mean(axis=0), X[train].std(axis=0)
        X = (X - mean) / np.where(spread > 0, spread, 1)
    model = NearestNeighbors(MAX_K).fit(X[train], table.y[train])
    with threadpool_limits(1):  # small matrices: extra BLAS threads only wait on a busy machine
        _d, near_train = model.kneighbors(X[train], MAX_K)
        _d, near_test = model.kneighbors(X[test], MAX_K)
    return table.y[train][near_train], table.y[train][near_test]


def vote(neighbour_labels: np.ndarray, k: int, labels: np.ndarray) -> np.ndarray:
    """The label most of the first k neighbours have (a tie goes to the smallest label),
    exactly as ``NearestNeighbors.predict`` decides."""
    counts = (neighbour_labels[:, :k, None] == labels[None, None, :]).sum(axis=1)
    return labels[np.argmax(counts, axis=1)]


@dataclass(frozen=True)
class Scores:
    """What one setting of the lab gives."""

    train_accuracy: float
    test_accuracy: float
    confusion: np.ndarray    # on the test rows; rows = real label, columns = guess
    n_train: int
    n_test: int
    n_train_right: int
    n_test_right: int


def knn_scores(dataset: str, features, k: int = 5, test_share: float = 0.3, seed: int = 0,
               scale: bool = False) -> Scores:
    """Train k nearest neighbours on the training rows and score it on both parts.

    ``scale=True`` puts every column on the same scale first (see ``_neighbour_labels``).

    >>> knn_scores("iris", ["petal length (cm)", "petal width (cm)"], k=5).test_accuracy >= 0.9
    True
    """
    table = load_table(dataset)
    features = tuple(features)
    unknown = [f for f in features if f not in table.features]
    if unknown or not features:
        raise ValueError(_("Choose features from this list: {names}").format(
            names=", ".join(repr(f) for f in table.features)))
    if not 1 <= k <= MAX_K:
        raise ValueError(_("Pick k from 1 to 15."))
    share = round(float(test_share), 2)
    near_train, near_test = _neighbour_labels(dataset, features, share, seed, bool(scale))
    train, test = split(dataset, share, seed)
    labels = np.unique(table.y)
    guess_train, guess_test = vote(near_train, k, labels), vote(near_test, k, labels)
    right_train = int((guess_train == table.y[train]).sum())
    right_test = int((guess_test == table.y[test]).sum())
    return Scores(accuracy(table.y[train], guess_train), accuracy(table.y[test], guess_test),
                  confusion(table.y[test], guess_test, labels), len(train), len(test),
                  right_train, right_test)
