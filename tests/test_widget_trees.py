"""e05's decision-tree game and the glass-box trees behind it."""

from __future__ import annotations

import re

import numpy as np
import pytest
from helpers import english_words, in_japanese

from course.checks import CheckFailed
from course.data.fish import NUMERIC, load_fish
from course.models.tree import DecisionTree, ManualTree
from course.widgets.trees import (
    TreeBuilder,
    TreeError,
    bench_cases,
    check_tree,
    fit_tree,
    tree_accuracy,
    tree_code,
)

GOOD = {"root": ("length_cm", 20), "left": ("spots", 3), "right": ("spots", 8)}


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_decision_tree_agrees_with_scikit_learn(depth):
    from sklearn.datasets import load_breast_cancer, make_classification
    from sklearn.tree import DecisionTreeClassifier

    X, y = make_classification(400, n_features=6, n_informative=4, random_state=0)
    ours = DecisionTree(max_depth=depth).fit(X[:300], y[:300])
    theirs = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X[:300], y[:300])
    assert (ours.predict(X[300:]) == theirs.predict(X[300:])).all()
    assert ours.root_.feature == theirs.tree_.feature[0]
    assert ours.root_.threshold == pytest.approx(theirs.tree_.threshold[0], abs=1e-5)
    assert ours.get_depth() == theirs.get_depth()
    if depth <= 2:  # deeper, small boxes have equally good questions and scikit-learn picks at random
        X, y = load_breast_cancer(return_X_y=True)
        ours = DecisionTree(max_depth=depth).fit(X[::2], y[::2]).predict(X[1::2])
        theirs = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X[::2], y[::2]).predict(X[1::2])
        assert (ours == theirs).all()


def test_trees_follow_scikit_learn_conventions():
    tree = DecisionTree(max_depth=2)
    assert vars(tree) == {"max_depth": 2}
    assert tree.fit([[1], [2], [8], [9]], ["a", "a", "b", "b"]) is tree
    assert tree.get_depth() == 1 and tree.root_.threshold == 5.0  # a pure split: no need to go deeper
    manual = ManualTree({"root": ("size", 5)}, feature_names=["size"])
    assert not hasattr(manual, "root_") and manual.fit([[1], [9]], ["a", "b"]) is manual


def test_manual_tree_counts_each_box_and_an_empty_box_answers_like_its_parent():
    X = [[1, 0], [2, 5], [3, 9], [8, 1], [9, 9]]
    y = ["a", "a", "b", "b", "b"]
    tree = ManualTree({"root": (0, 3), "left": (1, 6), "right": (1, 100)}).fit(X, y)
    boxes = tree.nodes()
    assert list(boxes) == ["root", "left", "left-left", "left-right", "right", "right-left", "right-right"]
    assert boxes["root"].counts.tolist() == [2, 3] and boxes["left-left"].counts.tolist() == [2, 0]
    assert boxes["right-right"].counts.sum() == 0 and tree.classes_[boxes["right-right"].value] == "b"
    assert tree.predict([[2, 1], [2, 7], [7, 200]]).tolist() == ["a", "b", "b"]
    assert tree.predict([[3, 0]]).tolist() == ["a"]  # "at most 3": exactly 3 is a yes
    assert tree.get_depth() == 2


def test_two_levels_are_needed_for_the_lake_fish():
    hidden = load_fish("hidden", "lake")
    assert tree_accuracy(GOOD, hidden) >= 0.9
    best_one = max(tree_accuracy({"root": (f, t)}, hidden) for f in NUMERIC for t in range(0, 51))
    assert best_one < 0.9  # one question is not enough: the lesson's point
    assert fit_tree(GOOD, load_fish("train", "lake")).get_depth() == 2


def test_code_line_reads_back_as_the_same_tree():
    line = tree_code({"root": ("length_cm", 20.7), "right": ("spots", 8)})
    assert line == 'answer_tree = {"root": ("length_cm", 20), "left": None, "right": ("spots", 8)}'
    scope = {}
    exec(line, scope)
    assert check_tree(scope["answer_tree"])["root"] == ("length_cm", 20)


@pytest.mark.parametrize("splits, hint", [
    ([("spots", 3)], "root"),
    ({"root": ("colour", 3)}, "length_cm"),
    ({"root": ("spots", "three")}, "spots"),
    ({"top": ("spots", 3)}, "root"),
])
def test_a_badly_written_tree_gets_a_hint(splits, hint):
    with pytest.raises(TreeError, match=re.escape(hint)) as err:
        tree_accuracy(splits, load_fish("hidden", "lake"))
    assert isinstance(err.value, CheckFailed)


def test_set_split_moves_the_controls_and_redraws_tree_regions_and_scores():
    game = TreeBuilder()
    for place, split in GOOD.items():
        game.set_split(place, *split)
    assert game.feature_boxes["left"].value == "spots" and game.sliders["left"].value == 3
    assert game.sliders["root"].max == 50 and game.sliders["left"].max == 12
    out = game.output.value
    assert out.count("manabu-trees-question") == 3 and out.count("manabu-trees-leaf") == 4
    assert "Is length (cm) 20 or less?" in out and "Is number of spots 8 or less?" in out
    assert game.train_accuracy == 0.95 and "38 of 40 right (95%)" in out
    assert "answer_tree = {&quot;root&quot;: (&quot;length_cm&quot;, 20)" in out
    assert out.count('fill="url(#manabu-hatch)"') == 2   # the two "not safe" regions, hatched
    assert out.count("<circle") + out.count("<polygon") == 40


def test_slider_and_dropdown_twins():
    game = TreeBuilder()
    game.set_split("root", "length_cm", 20)
    before = game.train_accuracy
    game.feature_boxes["left"].value = "spots"
    assert game.left_feature == "spots" and not game.sliders["left"].disabled
    game.sliders["left"].value = 3
    assert game.splits["left"] == ("spots", 3) and game.train_accuracy > before
    game.feature_boxes["root"].value = ""           # no first question: one leaf, children off
    assert game.splits == {"root": None, "left": None, "right": None}
    assert game.feature_boxes["left"].disabled and game.output.value.count("manabu-trees-leaf") == 1


def test_a_third_feature_is_explained_not_drawn():
    game = TreeBuilder()
    game.set_split("root", "length_cm", 20)
    game.set_split("left", "spots", 3)
    game.set_split("right", "spikes", 2)
    out = game.output.value
    assert "cannot show its regions" in out and "manabu-hatch)" not in out.replace('id="manabu-hatch"', "")


def test_in_japanese_no_english_is_left():
    with in_japanese():
        game = TreeBuilder()
        for place, split in GOOD.items():
            game.set_split(place, *split)
        texts = [game.output.value, *(q.value for q in game.questions.values()),
                 *(b.description for b in game.feature_boxes.values()),
                 *(t for t, _v in game.feature_boxes["root"].options),
                 *(s.description for s in game.sliders.values())]
        assert english_words(*texts, allowed={"cm"}) == []
        assert "長さ（cm）は 20 以下？" in game.output.value


def test_japanese_uses_only_kanji_of_grades_1_to_4():
    import kanji_lists

    from course.catalogs import LOCALE_DIR, po_messages

    allowed = set().union(*(getattr(kanji_lists.KYOIKU, f"GRADE{g}") for g in (1, 2, 3, 4)))
    text = "".join(po_messages((LOCALE_DIR / "ja" / "trees.po").read_text(encoding="utf-8")).values())
    late = {c for c in text if "\u4e00" <= c <= "\u9fff" and c not in allowed}
    assert not late, f"write these in kana: {late}"


def test_bench_cases_run():
    for _name, event in bench_cases():
        event()
    assert np.isfinite(TreeBuilder().new_accuracy)
