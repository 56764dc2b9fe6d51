"""k-means: find groups in data that has no labels, by repeating two small steps.

1. **Assign**: every point joins the group of its nearest centre.
2. **Move centres**: every centre moves to the middle (the mean) of its group's points.

Repeat until no point changes group. The total squared distance from the points to their
centres never goes up on the way, so it always stops.
"""

from __future__ import annotations

import numpy as np


class KMeansSteps:
    """k-means with each step callable on its own (``assign``, ``move_centres``).

    The first centres are ``n_clusters`` different points picked at random with the seed
    ``random_state`` (or the points given as ``init``). ``fit`` gives the same groups as
    scikit-learn's ``KMeans(init=<the same centres>, n_init=1)``.

    >>> X = [[0, 0], [0, 1], [9, 9], [9, 8]]
    >>> model = KMeansSteps(n_clusters=2, init=[[0, 0], [0, 1]]).fit(X)
    >>> model.labels_.tolist(), model.cluster_centers_.tolist()
    ([0, 0, 1, 1], [[0.0, 0.5], [9.0, 8.5]])
    """

    def __init__(self, n_clusters: int = 3, random_state: int = 0, init=None, max_iter: int = 100):
        self.n_clusters = n_clusters
        self.random_state = random_state
        self.init = init
        self.max_iter = max_iter

    def start(self, X) -> KMeansSteps:
        """Choose the first centres (no point belongs to a group yet)."""
        X = np.asarray(X, dtype=float)
        if self.init is not None:
            centres = np.array(self.init, dtype=float)
        else:
            if self.n_clusters > len(X):
                raise ValueError(f"Cannot make {self.n_clusters} groups from {len(X)} points.")
            rng = np.random.default_rng(self.random_state)
            centres = X[rng.choice(len(X), size=self.n_clusters, replace=False)]
        self.cluster_centers_ = centres
        self.labels_ = None
        self.n_iter_ = 0
        return self

    def distances(self, X) -> np.ndarray:
        """Distance from every point (rows) to every centre (columns)."""
        diff = np.asarray(X, dtype=float)[:, None, :] - self.cluster_centers_[None, :, :]
        return np.sqrt((diff * diff).sum(axis=2))

    def assign(self, X) -> np.ndarray:
        """Step 1: put every point in the group of its nearest centre (a tie goes to the lower number)."""
        self.labels_ = self.distances(X).argmin(axis=1)
        self.inertia_ = self.total_squared_distance(X)
        return self.labels_

    def move_centres(self, X) -> np.ndarray:
        """Step 2: move every centre to the mean of its points (a centre with no points stays)."""
        if self.labels_ is None:
            raise RuntimeError("Assign the points to groups first, then move the centres.")
        X = np.asarray(X, dtype=float)
        centres = self.cluster_centers_.copy()
        for group in range(len(centres)):
            members = X[self.labels_ == group]
            if len(members):
                centres[group] = members.mean(axis=0)
        self.cluster_centers_ = centres
        self.n_iter_ += 1
        self.inertia_ = self.total_squared_distance(X)
        return centres

    def total_squared_distance(self, X) -> float:
        """Sum over the points of (distance to their own centre)²: smaller means tighter groups."""
        if self.labels_ is None:
            return float("nan")
        own = self.distances(X)[np.arange(len(self.labels_)), self.labels_]
        return float((own * own).sum())

    def fit(self, X) -> KMeansSteps:
        """Start, then assign and move until no point changes group (or ``max_iter`` rounds)."""
        X = np.asarray(X, dtype=float)
        self.start(X)
        previous = None
        for _ in range(self.max_iter):
            labels = self.assign(X)
            if previous is not None and np.array_equal(labels, previous):
                break
            previous = labels
            self.move_centres(X)
        return self

    def predict(self, X) -> np.ndarray:
        """The group of the nearest centre for new points."""
        return self.distances(X).argmin(axis=1)
