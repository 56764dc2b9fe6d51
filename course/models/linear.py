"""Learning by lowering the error: a line fitted by gradient descent, and the perceptron.

Both models start knowing nothing (all numbers 0) and improve in small steps. Each step
looks at the mistakes and nudges the numbers in the direction that makes the mistakes
smaller. That is what "learning" means for most of today's AI.
"""

from __future__ import annotations

import numpy as np


def mean_squared_error(y_true, y_pred) -> float:
    """The average of the squared mistakes: 0 means every guess is exactly right."""
    diff = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    return float(np.mean(diff * diff))


def _as_table(X) -> np.ndarray:
    """Examples as a 2-D table (one row per example), also when given a plain list of numbers."""
    X = np.asarray(X, dtype=float)
    return X.reshape(-1, 1) if X.ndim == 1 else X


class LinearRegressionGD:
    """Fit ``y ≈ coef_ · x + intercept_`` by gradient descent on the mean squared error.

    ``step(X, y)`` takes one small step downhill; ``fit(X, y)`` starts from 0 and takes
    ``n_steps`` steps. With enough steps it finds the same line as scikit-learn's
    ``LinearRegression``.

    >>> model = LinearRegressionGD(learning_rate=0.1, n_steps=500).fit([0, 1, 2, 3], [1, 3, 5, 7])
    >>> round(float(model.coef_[0]), 2), round(float(model.intercept_), 2)
    (2.0, 1.0)
    """

    def __init__(self, learning_rate: float = 0.05, n_steps: int = 1000):
        self.learning_rate = learning_rate
        self.n_steps = n_steps

    def predict(self, X) -> np.ndarray:
        """The line's guess for each example."""
        return _as_table(X) @ self.coef_ + self.intercept_

    def error(self, X, y) -> float:
        """Mean squared error of the current line on ``(X, y)``."""
        return mean_squared_error(y, self.predict(X))

    def gradient(self, X, y) -> tuple[np.ndarray, float]:
        """Which way the error goes up, for each number of the model.

        The error is mean((guess - y)²). Its slope with respect to a weight is
        2 · mean((guess - y) · x), and with respect to the intercept 2 · mean(guess - y).
        """
        X = _as_table(X)
        mistakes = self.predict(X) - np.asarray(y, dtype=float)
        return 2 * X.T @ mistakes / len(X), float(2 * mistakes.mean())

    def step(self, X, y) -> LinearRegressionGD:
        """One step of gradient descent: move every number a little *against* its gradient."""
        X = _as_table(X)
        if not hasattr(self, "coef_"):
            self._start(X, y)
        grad_coef, grad_intercept = self.gradient(X, y)
        self.coef_ = self.coef_ - self.learning_rate * grad_coef
        self.intercept_ = self.intercept_ - self.learning_rate * grad_intercept
        self.n_steps_ += 1
        self.history_.append(self.error(X, y))
        return self

    def fit(self, X, y) -> LinearRegressionGD:
        """Start from a flat line at 0 and take ``n_steps`` steps."""
        X = _as_table(X)
        self._start(X, y)
        for _ in range(self.n_steps):
            self.step(X, y)
        return self

    def score(self, X, y) -> float:
        """R²: 1 is a perfect fit, 0 is no better than always guessing the average."""
        y = np.asarray(y, dtype=float)
        return 1 - mean_squared_error(y, self.predict(X)) / float(np.var(y))

    def _start(self, X, y) -> None:
        self.coef_ = np.zeros(X.shape[1])
        self.intercept_ = 0.0
        self.n_steps_ = 0
        self.history_ = [self.error(X, y)]  # the error before any step, then one per step


class Perceptron:
    """The perceptron (Rosenblatt, 1958): a line that separates two classes, learned from mistakes.

    It looks at the examples one by one. When it guesses an example wrong, it moves the line
    towards that example: ``coef_ += learning_rate · target · x`` and
    ``intercept_ += learning_rate · target``, where ``target`` is +1 or -1. When it guesses
    right, it changes nothing. Same result as scikit-learn's ``Perceptron(shuffle=False,
    tol=None)`` with the same ``max_iter`` and ``eta0``.

    >>> model = Perceptron().fit([[0, 0], [1, 0], [3, 3], [4, 3]], ["no", "no", "yes", "yes"])
    >>> model.predict([[0, 1], [4, 4]]).tolist()
    ['no', 'yes']
    """

    def __init__(self, learning_rate: float = 1.0, max_iter: int = 20):
        self.learning_rate = learning_rate
        self.max_iter = max_iter

    def decision_function(self, X) -> np.ndarray:
        """coef_ · x + intercept_: positive on one side of the line, negative on the other."""
        return _as_table(X) @ self.coef_ + self.intercept_

    def predict(self, X) -> np.ndarray:
        """The second class where the score is above 0, else the first class."""
        return self.classes_[(self.decision_function(X) > 0).astype(int)]

    def update(self, x, target: int) -> bool:
        """Learn from one example (``target`` +1 or -1). Returns True if it was a mistake.

        A score of exactly 0 counts as a mistake too: the line is not yet sure.
        """
        x = np.asarray(x, dtype=float).ravel()
        if target * (x @ self.coef_ + self.intercept_) > 0:
            return False
        self.coef_ = self.coef_ + self.learning_rate * target * x
        self.intercept_ = self.intercept_ + self.learning_rate * target
        return True

    def fit(self, X, y) -> Perceptron:
        """Go through the examples up to ``max_iter`` times, stopping early after a round with no mistakes."""
        X = _as_table(X)
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise ValueError("The perceptron needs exactly two classes in y.")
        targets = np.where(y == self.classes_[1], 1, -1)
        self.coef_ = np.zeros(X.shape[1])
        self.intercept_ = 0.0
        self.mistakes_ = []  # mistakes in each round
        for _ in range(self.max_iter):
            self.mistakes_.append(sum(self.update(x, t) for x, t in zip(X, targets, strict=True)))
            if self.mistakes_[-1] == 0:
                break
        self.n_iter_ = len(self.mistakes_)
        return self

    def score(self, X, y) -> float:
        """The share of examples guessed right (0 to 1)."""
        return float(np.mean(self.predict(X) == np.asarray(y)))
