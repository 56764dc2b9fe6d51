"""The tiny generative model (course.models.maker) and the real-or-made pictures of e11."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest

from course.digits import load_examples
from course.models.maker import DigitMaker


@pytest.fixture(scope="module")
def train():
    return load_examples("train")


def test_made_pictures_look_like_real_ones_and_are_new(train):
    start = time.process_time()  # CPU time: other work on a shared machine does not count
    maker = DigitMaker().fit(train.images, train.labels)
    assert time.process_time() - start < 1.0  # trains in class, in well under a second
    pictures, digits = maker.sample(30, seed=1)
    assert pictures.shape == (30, 64) and digits.tolist() == list(range(10)) * 3
    assert pictures.min() >= 0 and pictures.max() <= 16 and np.all(pictures == np.rint(pictures))
    _index, distance = maker.nearest(pictures)
    assert distance.min() > 5  # none is a copy of a training drawing
    assert np.array_equal(maker.sample(3, seed=4)[0], maker.sample(3, seed=4)[0])  # seeded


def test_a_maker_that_saw_one_drawing_copies_it(train):
    one = train.images[train.labels == 7][:1]
    maker = DigitMaker().fit(one, [7])
    pictures, _digits = maker.sample(3, seed=5)
    index, distance = maker.nearest(pictures)
    assert index.tolist() == [0, 0, 0] and distance.tolist() == [0, 0, 0]


def test_nearest_agrees_with_scikit_learn(train):
    from sklearn.neighbors import NearestNeighbors

    maker = DigitMaker().fit(train.images, train.labels)
    pictures, _digits = maker.sample(20, seed=2)
    index, distance = maker.nearest(pictures)
    theirs_d, theirs_i = NearestNeighbors(n_neighbors=1).fit(train.images).kneighbors(pictures)
    assert np.allclose(distance, theirs_d[:, 0])
    assert np.allclose(np.linalg.norm(train.images[index] - pictures, axis=1), theirs_d[:, 0])


def test_fewer_parts_make_pictures_closer_to_the_average(train):
    maker = DigitMaker(n_parts=1).fit(train.images, train.labels)
    assert all(p.shape[0] == 1 for p in maker.parts_.values())
    with pytest.raises(ValueError, match="has not seen any"):
        DigitMaker().fit(train.images[train.labels == 3], train.labels[train.labels == 3]).sample(1, digit=4)
    with pytest.raises(ValueError, match="Fit the maker"):
        DigitMaker().sample(1)


def test_the_lineup_answers_in_e11_are_the_made_pictures():
    """The card game's answer key in both lesson texts names exactly the pictures the maker
    made; the others are test drawings the maker never saw."""
    from course.catalog import lesson_folders
    from course.made_digits import LETTERS, lineup, trained_maker

    pictures, made = lineup()
    test = load_examples("test").images
    for letter, picture in zip(LETTERS, pictures, strict=True):
        is_test_drawing = bool((np.abs(test - picture).sum(axis=1) == 0).any())
        assert is_test_drawing == (letter not in made), letter
    assert trained_maker().nearest(pictures)[1].min() > 0
    folder = lesson_folders()["e11"]
    for lang, made_group in (("en", "made by the computer"), ("ja", "コンピューターが作った")):
        text = (folder / f"{lang}.md").read_text(encoding="utf-8")
        key = re.findall(r'"(?:Picture|絵) ([A-H])": "([^"]+)"', text)
        assert sorted(letter for letter, group in key if group == made_group) == made, lang


def test_show_closest_says_copy_or_new_in_japanese(monkeypatch, train):
    import course.made_digits as made
    from course.i18n import set_language

    shown = []
    monkeypatch.setattr(made, "display", lambda html: shown.append(html.data))
    set_language("ja")
    try:
        copier = DigitMaker().fit(train.images[:1], train.labels[:1])
        assert made.show_closest(copier, copier.sample(2, seed=0)[0]) == [0, 0]
        assert made.show_closest(made.trained_maker(), made.trained_maker().sample(2, seed=0)[0])[0] > 3
    finally:
        set_language("en")
    assert "ほとんどコピー" in shown[0] and "新しい絵" in shown[1]
    assert not re.search(r">[^<]*\b(made|copy|squares|closest|picture)\b", " ".join(shown))
