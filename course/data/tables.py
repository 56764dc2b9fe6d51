"""The bundled tables of j03 and the j10 capstone (scikit-learn's iris, wine and breast cancer, and
the Palmer penguins shipped as ``penguins.csv``, all offline): loading, readable names in the course
language, and a seeded train/test split.

The penguins replace wine in the lessons (a table about alcohol is a poor choice for 13-year-olds);
wine stays loadable for courses that still use it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from course.i18n import _

DATASETS = ("iris", "penguins", "wine", "breast_cancer")
PENGUINS_CSV = Path(__file__).with_name("penguins.csv")
PENGUIN_SPECIES = ("Adelie", "Chinstrap", "Gentoo")


@dataclass(frozen=True)
class Table:
    """A bundled data set: numbers ``X``, labels ``y``, and the names to show."""

    name: str
    X: np.ndarray
    y: np.ndarray
    features: tuple[str, ...]   # scikit-learn's names: the keys students write


@cache
def load_table(name: str) -> Table:
    """One of scikit-learn's bundled tables (offline), loaded once."""
    from sklearn import datasets

    if name not in DATASETS:
        raise ValueError(_("There is no data set '{name}'. Choose one of: {names}.").format(
            name=name, names=", ".join(DATASETS)))
    if name == "penguins":
        return _load_penguins()
    data = getattr(datasets, f"load_{name}")()
    return Table(name, data.data.astype(float), data.target, tuple(str(f) for f in data.feature_names))


def _load_penguins() -> Table:
    """The Palmer penguins (CC0): 342 penguins of three species, four measurements each."""
    import csv

    with PENGUINS_CSV.open(encoding="utf-8") as f:
        rows = list(csv.reader(line for line in f if not line.startswith("#")))
    header, body = rows[0], rows[1:]
    X = np.array([[float(v) for v in row[1:]] for row in body])
    y = np.array([PENGUIN_SPECIES.index(row[0]) for row in body])
    return Table("penguins", X, y, tuple(header[1:]))


def dataset_title(name: str) -> str:
    return {"iris": _("Iris flowers"), "wine": _("Wines"), "penguins": _("Penguins"),
            "breast_cancer": _("Breast cell samples (medical)")}[name]


def dataset_note(name: str) -> str:
    return {
        "iris": _("150 iris flowers of three kinds, measured in centimetres."),
        "wine": _("178 wines made from three kinds of grape in one region of Italy, "
                  "measured in a lab."),
        "penguins": _("342 penguins of three species, measured by scientists on three islands "
                      "near Palmer Station, Antarctica."),
        "breast_cancer": _("Cell samples from 569 patients at a hospital in Wisconsin, USA, "
                           "shared so that people can learn. Each row is a real person: treat "
                           "the data with care. A model like this is practice, not a doctor."),
    }[name]


def class_names(name: str) -> list[str]:
    return {"iris": [_("setosa"), _("versicolor"), _("virginica")],
            "wine": [_("grape A"), _("grape B"), _("grape C")],
            "penguins": [_("Adelie"), _("Chinstrap"), _("Gentoo")],
            "breast_cancer": [_("malignant (cancer)"), _("benign (not cancer)")]}[name]


def feature_label(name: str) -> str:
    """A readable, translated name for a column (keys are scikit-learn's names)."""
    words = {
        "sepal length (cm)": _("sepal length (cm)"), "sepal width (cm)": _("sepal width (cm)"),
        "petal length (cm)": _("petal length (cm)"), "petal width (cm)": _("petal width (cm)"),
        "alcohol": _("alcohol"), "malic_acid": _("malic acid"), "ash": _("ash"),
        "alcalinity_of_ash": _("ash alkalinity"), "magnesium": _("magnesium"),
        "total_phenols": _("total phenols"), "flavanoids": _("flavanoids"),
        "nonflavanoid_phenols": _("non-flavanoid phenols"), "proanthocyanins": _("proanthocyanins"),
        "color_intensity": _("colour intensity"), "hue": _("hue"),
        "od280/od315_of_diluted_wines": _("protein (OD280/OD315)"), "proline": _("proline"),
        "bill_length_mm": _("bill length (mm)"), "bill_depth_mm": _("bill depth (mm)"),
        "flipper_length_mm": _("flipper length (mm)"), "body_mass_g": _("body mass (g)"),
        "radius": _("radius"), "texture": _("texture"), "perimeter": _("perimeter"),
        "area": _("area"), "smoothness": _("smoothness"), "compactness": _("compactness"),
        "concavity": _("concavity"), "concave points": _("concave points"),
        "symmetry": _("symmetry"), "fractal dimension": _("fractal dimension"),
    }
    if name in words:
        return words[name]
    # breast_cancer: "mean radius", "radius error", "worst radius"
    for prefix, suffix, stat in (("mean ", "", _("average")), ("", " error", _("spread")),
                                 ("worst ", "", _("largest"))):
        if name.startswith(prefix) and name.endswith(suffix):
            measure = name.removeprefix(prefix).removesuffix(suffix)
            if measure in words and (prefix or suffix):
                return _("{measure} ({stat})").format(measure=words[measure], stat=stat)
    return name


@lru_cache(maxsize=64)
def split(name: str, test_share: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, test rows): a seeded shuffle that keeps each label's share in both parts."""
    y = load_table(name).y
    rng = np.random.default_rng(seed)
    test = []
    for label in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == label))
        test.extend(rows[: max(1, round(test_share * len(rows)))])
    test = np.sort(np.asarray(test))
    return np.setdiff1d(np.arange(len(y)), test), test
