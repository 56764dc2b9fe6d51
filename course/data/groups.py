"""Made-up data from groups of people, for the fairness lessons e06 and j08 (fixed seed, offline).

**Voices (e06).** A toy robot car listens for two words, "go" and "stop". Each recording is two
numbers: how high the voice is, and a number for how the word sounds. Children speak higher
and their "word sound" numbers come out bigger; grandparents speak lower and theirs come out
smaller. So a robot that learned only from adults mishears children and grandparents.

>>> accuracy_for_mix({"adults": 60})["adults"] > accuracy_for_mix({"adults": 60})["children"]
True

**Essays (j08).** A school tries an "AI-writing detector" that gives each essay a score from 0
to 1 (1: sounds written by an AI). Honest essays by students who write in a language they are
still learning get higher scores than those by first-language writers, so one threshold flags
more honest learners. ``group_rates`` counts, per group, how often the detector is right.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

SEED = 2024
# --- voices (e06)
GROUPS = ("children", "adults", "grandparents")
WORDS = ("go", "stop")                      # label 0 and label 1
FEATURES = ("voice height", "word sound")
POOL = 60          # recordings per group to learn from (the most a slider gives)
TEST = 100         # new recordings per group to count right answers on
K = 5              # neighbours that vote
GOAL = 0.85        # e06's goal: every group at least 85% right
# (how high the voice is, how much the group shifts the word sound)
_VOICE = {"children": (8.0, 2.5), "adults": (5.0, 0.0), "grandparents": (2.5, -2.0)}
# --- essays (j08)
WRITERS = ("first_language", "learner")
ESSAYS = 100       # essays per group: half by the students, half by an AI
# Mean of the (hidden) logit score for: honest essay of each group, AI essay.
_ESSAY_MEAN = {"first_language": -1.5, "learner": -0.2, "ai": 1.8}


@dataclass
class GroupData:
    """Examples ``X`` (n × features), right answers ``y`` and each example's ``group``."""

    X: np.ndarray
    y: np.ndarray
    group: np.ndarray

    def __len__(self) -> int:
        return len(self.y)

    def of(self, group: str) -> GroupData:
        """Only the examples from one group."""
        keep = self.group == group
        return GroupData(self.X[keep], self.y[keep], self.group[keep])


def _voices(n: int, rng: np.random.Generator) -> GroupData:
    X, y, g = [], [], []
    for name in GROUPS:
        height, shift = _VOICE[name]
        word = np.arange(n) % 2                       # go, stop, go, stop, ...
        X.append(np.c_[height + rng.normal(0, 0.7, n), 3 + 3 * word + shift + rng.normal(0, 0.9, n)])
        y.append(word)
        g.append(np.full(n, name))
    return GroupData(np.round(np.vstack(X), 1), np.concatenate(y), np.concatenate(g))


@cache
def _voice_sets() -> tuple[GroupData, GroupData]:
    rng = np.random.default_rng(SEED)
    return _voices(POOL, rng), _voices(TEST, rng)


def load_voices(which: str = "train") -> GroupData:
    """``"train"``: 60 recordings per group to learn from; ``"test"``: 100 new ones per group."""
    if which not in ("train", "test"):
        raise ValueError(f"Unknown set {which!r}: use 'train' or 'test'.")
    data = _voice_sets()[which == "test"]
    return GroupData(data.X.copy(), data.y.copy(), data.group.copy())


def check_mix(mix: dict) -> dict[str, int]:
    """``mix`` with every group filled in (missing: 0); a clear error for a wrong name or number."""
    if not isinstance(mix, dict):
        raise TypeError('Write the mix as a dict, like {"children": 20, "adults": 20, "grandparents": 20}.')
    for name, n in mix.items():
        if name not in GROUPS:
            raise ValueError(f"There is no group {name!r}. The groups are: {', '.join(GROUPS)}.")
        if not isinstance(n, (int, np.integer)) or not 0 <= n <= POOL:
            raise ValueError(f"The number for {name!r} must be a whole number from 0 to {POOL}.")
    return {name: int(mix.get(name, 0)) for name in GROUPS}


def train_on_mix(mix: dict, k: int = K):
    """A nearest-neighbours model that learned from the first ``mix[group]`` recordings of each
    group (None when the mix has no recordings at all)."""
    from course.models.neighbors import NearestNeighbors

    mix = check_mix(mix)
    train = _voice_sets()[0]
    keep = np.zeros(len(train), dtype=bool)
    for name, n in mix.items():
        keep[np.flatnonzero(train.group == name)[:n]] = True
    if not keep.any():
        return None
    return NearestNeighbors(min(k, int(keep.sum()))).fit(train.X[keep], train.y[keep])


def accuracy_by_group(model, data: GroupData) -> dict[str, float]:
    """{group: share of that group's examples the model gets right (0 to 1)}; 0 for no model."""
    out = {}
    for name in dict.fromkeys(data.group.tolist()):
        part = data.of(name)
        out[name] = 0.0 if model is None else float(np.mean(model.predict(part.X) == part.y))
    return out


def accuracy_for_mix(mix: dict, k: int = K) -> dict[str, float]:
    """Train on ``mix`` and return the accuracy per group on the new (test) recordings."""
    return accuracy_by_group(train_on_mix(mix, k), _voice_sets()[1])


def is_fair_mix(mix: dict, goal: float = GOAL) -> bool:
    """True when every group gets at least ``goal`` right with this mix."""
    return all(acc >= goal for acc in accuracy_for_mix(mix).values())


# --- essays and error rates (j08)

@dataclass
class Essays:
    """Detector ``scores`` (0–1), ``y_true`` (1: written by an AI) and the writer's ``groups``."""

    scores: np.ndarray
    y_true: np.ndarray
    groups: np.ndarray

    def __len__(self) -> int:
        return len(self.y_true)


@cache
def _essays() -> Essays:
    rng = np.random.default_rng(SEED + 8)
    scores, y, g = [], [], []
    for name in WRITERS:
        ai = np.arange(ESSAYS) % 2                    # every other essay was written by an AI
        mean = np.where(ai == 1, _ESSAY_MEAN["ai"], _ESSAY_MEAN[name])
        scores.append(np.round(1 / (1 + np.exp(-rng.normal(mean, 1.0))), 2))
        y.append(ai)
        g.append(np.full(ESSAYS, name))
    return Essays(np.concatenate(scores), np.concatenate(y), np.concatenate(g))


def load_essays() -> Essays:
    """200 essays (100 per group, half of each written by an AI) with the detector's scores."""
    e = _essays()
    return Essays(e.scores.copy(), e.y_true.copy(), e.groups.copy())


def predict_at(scores, threshold: float) -> np.ndarray:
    """1 ("written by an AI") where the score is at least ``threshold``, else 0."""
    return (np.asarray(scores) >= threshold).astype(int)


def group_rates(y_true, y_pred, groups) -> dict[str, dict[str, float]]:
    """For each group: ``tpr`` (share of real positives caught), ``fpr`` (share of real
    negatives wrongly flagged) and ``accuracy`` (share right). A rate with nothing to count
    (no positives, say) is ``nan``.

    >>> group_rates([1, 0, 1, 0], [1, 1, 0, 0], ["a", "a", "b", "b"])
    {'a': {'tpr': 1.0, 'fpr': 1.0, 'accuracy': 0.5}, 'b': {'tpr': 0.0, 'fpr': 0.0, 'accuracy': 0.5}}
    """
    y_true, y_pred, groups = np.asarray(y_true), np.asarray(y_pred), np.asarray(groups)
    if not len(y_true) == len(y_pred) == len(groups):
        raise ValueError("y_true, y_pred and groups must have the same length.")
    out = {}
    for name in dict.fromkeys(groups.tolist()):
        t, p = y_true[groups == name], y_pred[groups == name]
        pos, neg = t == 1, t == 0
        out[name] = {
            "tpr": float(np.mean(p[pos] == 1)) if pos.any() else float("nan"),
            "fpr": float(np.mean(p[neg] == 1)) if neg.any() else float("nan"),
            "accuracy": float(np.mean(p == t)),
        }
    return out


def meets_rule(rates: dict, max_fpr: float | None = None, min_tpr: float | None = None,
               min_accuracy: float | None = None) -> bool:
    """True when every group in ``rates`` (from ``group_rates``) keeps to the rule."""
    for r in rates.values():
        if max_fpr is not None and not r["fpr"] <= max_fpr:
            return False
        if min_tpr is not None and not r["tpr"] >= min_tpr:
            return False
        if min_accuracy is not None and not r["accuracy"] >= min_accuracy:
            return False
    return True
