"""Made-up fish for lessons e04 (one IF-rule) and e05 (a small decision tree).

Every fish has five features and a label, ``"safe"`` or ``"not safe"``. The fish are
generated with a fixed seed, so every student (and the grader) sees the same fish.

Two ponds:

- ``"river"`` (e04): one good question tells most fish apart (a rule can reach 90 %+),
  but colour, the "obvious" clue, is not the best one.
- ``"lake"`` (e05): the number of spots that makes a fish unsafe depends on its length,
  so one question is not enough: a tree with two levels does much better.

Each pond has three parts: ``"train"`` (the fish you know), ``"new"`` (fish to test on
in the widget) and ``"hidden"`` (fish kept for the grader).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from course.i18n import _

NUMERIC = ("length_cm", "spots", "spikes")
CATEGORIES = {"colour": ("blue", "yellow", "red"), "fin_shape": ("round", "pointy")}
FEATURES = (*NUMERIC, *CATEGORIES)
LABELS = ("safe", "not safe")
PONDS = ("river", "lake")
SIZES = {"train": 40, "new": 20, "hidden": 60}
SEEDS = {"river": 4, "lake": 5}


@dataclass
class Fish:
    """A group of fish: ``columns`` (feature name -> one value per fish) and ``labels``."""

    columns: dict[str, np.ndarray]
    labels: np.ndarray
    pond: str = "river"
    part: str = "train"

    def __len__(self) -> int:
        return len(self.labels)

    def column(self, feature: str) -> np.ndarray:
        """The values of one feature, one per fish."""
        if feature not in self.columns:
            raise KeyError(_("There is no feature '{feature}'. Choose one of: {features}.").format(
                feature=feature, features=", ".join(self.columns)))
        return self.columns[feature]

    def table(self, features=NUMERIC) -> np.ndarray:
        """Numeric features side by side: one row per fish (what a model's ``fit`` takes)."""
        return np.column_stack([self.column(f).astype(float) for f in features])


def feature_name(feature: str) -> str:
    """How a feature is called on screen, in the lesson's language."""
    names = {"length_cm": _("length (cm)"), "spots": _("number of spots"), "spikes": _("number of spikes"),
             "colour": _("colour"), "fin_shape": _("fin shape")}
    return names.get(feature, feature)


def value_name(value) -> str:
    """How a label or a colour/fin value is called on screen."""
    names = {"safe": _("safe"), "not safe": _("not safe"), "blue": _("blue"),
             "yellow": _("yellow"), "red": _("red"), "round": _("round"), "pointy": _("pointy")}
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    return names.get(value, str(value))


def _make(pond: str, n: int, rng: np.random.Generator) -> tuple[dict, np.ndarray]:
    length = rng.integers(8, 51, n)
    spikes = rng.integers(0, 7, n)
    if pond == "river":
        bad = rng.random(n) < 0.5
        # unsafe fish have many spots; a few odd fish break the pattern (real data is messy)
        spots = np.where(bad, rng.integers(6, 13, n), rng.integers(0, 5, n))
        odd = rng.random(n) < 0.05
        spots[odd] = 5
        colour = np.where(rng.random(n) < np.where(bad, 0.6, 0.2), "red",
                          np.where(rng.random(n) < 0.5, "blue", "yellow"))
        fin = np.where(rng.random(n) < np.where(bad, 0.65, 0.35), "pointy", "round")
    else:
        spots = rng.integers(0, 13, n)
        # small fish are unsafe from 4 spots on, big ones only from 9 spots on
        bad = np.where(length <= 20, spots >= 4, spots >= 9)
        flip = rng.random(n) < 0.03
        bad = bad ^ flip
        colour = rng.choice(CATEGORIES["colour"], n)
        fin = rng.choice(CATEGORIES["fin_shape"], n)
    columns = {"length_cm": length, "spots": spots, "spikes": spikes,
               "colour": colour.astype(str), "fin_shape": fin.astype(str)}
    return columns, np.where(bad, "not safe", "safe")


@cache
def _pond(pond: str) -> tuple[dict, np.ndarray]:
    return _make(pond, sum(SIZES.values()), np.random.default_rng(SEEDS[pond]))


def load_fish(part: str = "train", pond: str = "river") -> Fish:
    """The fish of one part (``"train"``, ``"new"`` or ``"hidden"``) of a pond (``"river"`` or ``"lake"``)."""
    if part not in SIZES or pond not in PONDS:
        raise ValueError(f"Use part in {tuple(SIZES)} and pond in {PONDS}.")
    columns, labels = _pond(pond)
    start = 0
    for name, size in SIZES.items():
        if name == part:
            break
        start += size
    rows = slice(start, start + SIZES[part])
    return Fish({k: v[rows].copy() for k, v in columns.items()}, labels[rows].copy(), pond, part)
