"""Fairness widgets (e06 DataMixer, j08 ThresholdAudit) and their data (course.data.groups)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from helpers import english_words, in_japanese

from course.data import groups as gd
from course.widgets.fairness import DataMixer, ThresholdAudit

BALANCED = {"children": 20, "adults": 20, "grandparents": 20}


def visible_text(html: str) -> str:
    """What a reader sees: no tags, no code to copy."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<code>.*?</code>", " ", html))


# --- data

def test_voices_are_fixed_and_groups_sound_different():
    a, b = gd.load_voices("train"), gd.load_voices("train")
    assert np.array_equal(a.X, b.X) and len(a) == 3 * gd.POOL and len(gd.load_voices("test")) == 3 * gd.TEST
    height = {g: a.of(g).X[:, 0].mean() for g in gd.GROUPS}
    assert height["children"] > height["adults"] > height["grandparents"]
    with pytest.raises(ValueError, match="'train' or 'test'"):
        gd.load_voices("all")


def test_a_robot_that_heard_only_adults_is_unfair_and_a_balanced_mix_is_fair():
    adults_only = gd.accuracy_for_mix({"adults": gd.POOL})
    assert adults_only["adults"] >= 0.85
    assert adults_only["children"] < 0.75 and adults_only["grandparents"] < 0.75
    assert not gd.is_fair_mix({"adults": gd.POOL})
    assert gd.is_fair_mix(BALANCED)
    assert min(gd.accuracy_for_mix(BALANCED).values()) >= gd.GOAL


def test_accuracy_by_group_matches_a_hand_count():
    test = gd.load_voices("test")
    model = gd.train_on_mix(BALANCED)
    acc = gd.accuracy_by_group(model, test)
    kids = test.of("children")
    assert acc["children"] == np.mean(model.predict(kids.X) == kids.y)
    assert list(acc) == list(gd.GROUPS)
    assert gd.accuracy_by_group(None, test) == {g: 0.0 for g in gd.GROUPS}


def test_a_wrong_mix_gets_a_clear_message():
    with pytest.raises(ValueError, match="children, adults, grandparents"):
        gd.check_mix({"kids": 3})
    with pytest.raises(ValueError, match="0 to 60"):
        gd.check_mix({"adults": 61})
    with pytest.raises(TypeError, match="dict"):
        gd.check_mix([20, 20, 20])
    assert gd.check_mix({"adults": 5}) == {"children": 0, "adults": 5, "grandparents": 0}


def test_group_rates_agree_with_scikit_learn():
    from sklearn.metrics import accuracy_score, recall_score

    essays = gd.load_essays()
    pred = gd.predict_at(essays.scores, 0.6)
    rates = gd.group_rates(essays.y_true, pred, essays.groups)
    assert list(rates) == list(gd.WRITERS)
    for g in gd.WRITERS:
        t, p = essays.y_true[essays.groups == g], pred[essays.groups == g]
        assert rates[g]["tpr"] == pytest.approx(recall_score(t, p))
        assert rates[g]["fpr"] == pytest.approx(1 - recall_score(t, p, pos_label=0))
        assert rates[g]["accuracy"] == pytest.approx(accuracy_score(t, p))


def test_group_rates_small_cases_and_rule():
    rates = gd.group_rates([1, 0, 1, 0, 0], [1, 1, 0, 0, 1], ["a", "a", "b", "b", "c"])
    assert rates["a"] == {"tpr": 1.0, "fpr": 1.0, "accuracy": 0.5}
    assert rates["b"] == {"tpr": 0.0, "fpr": 0.0, "accuracy": 0.5}
    assert np.isnan(rates["c"]["tpr"]) and rates["c"]["fpr"] == 1.0
    with pytest.raises(ValueError, match="same length"):
        gd.group_rates([1, 0], [1], ["a", "a"])
    assert gd.meets_rule({"a": {"tpr": 0.8, "fpr": 0.1, "accuracy": 0.9}}, max_fpr=0.1, min_tpr=0.8)
    assert not gd.meets_rule({"a": {"tpr": 0.8, "fpr": 0.12, "accuracy": 0.9}}, max_fpr=0.1)


def test_the_detector_flags_more_honest_learners():
    essays = gd.load_essays()
    rates = gd.group_rates(essays.y_true, gd.predict_at(essays.scores, 0.5), essays.groups)
    assert rates["learner"]["fpr"] > rates["first_language"]["fpr"] + 0.3


# --- DataMixer

def test_mixer_starts_with_adults_only_and_says_who_is_left_behind():
    mixer = DataMixer()
    assert mixer.counts == {"children": 0, "adults": 60, "grandparents": 0}
    assert not mixer.fair
    text = visible_text(mixer.output.value)
    assert "Not yet" in text and "children" in text
    # every group's accuracy is written as text, not only as a coloured bar
    for g in gd.GROUPS:
        assert f"{round(100 * mixer.accuracy[g])}% right" in text


def test_mixer_slider_twin_retrains():
    mixer = DataMixer()
    before = mixer.accuracy["children"]
    mixer.sliders["children"].value = 20
    assert mixer.counts["children"] == 20
    assert mixer.accuracy["children"] > before + 0.2


def test_set_mix_reaches_the_goal_and_shows_the_line_to_copy():
    mixer = DataMixer()
    mixer.set_mix(BALANCED)
    assert [mixer.sliders[g].value for g in gd.GROUPS] == [20, 20, 20]
    assert mixer.fair and mixer.accuracy == gd.accuracy_for_mix(BALANCED)
    assert "✔" in mixer.output.value
    assert 'answer_mix = {&quot;children&quot;: 20, &quot;adults&quot;: 20, &quot;grandparents&quot;: 20}' in mixer.output.value
    with pytest.raises(ValueError, match="no group 'kids'"):
        mixer.set_mix({"kids": 5})


def test_a_practice_mixer_says_right_but_shows_no_line_to_copy():
    mixer = DataMixer(name=None)
    mixer.set_mix(BALANCED)
    assert "✔" in mixer.output.value and "answer_mix" not in mixer.output.value


def test_leaving_out_a_group_hurts_that_group():
    mixer = DataMixer(BALANCED)
    mixer.drop("grandparents")
    assert mixer.checkboxes["grandparents"].value and mixer.sliders["grandparents"].disabled
    assert mixer.mix["grandparents"] == 0 and mixer.counts["grandparents"] == 20
    assert mixer.accuracy["grandparents"] < 0.8 and not mixer.fair
    mixer.checkboxes["grandparents"].value = False   # the checkbox itself, as a click
    assert mixer.dropped == [] and mixer.fair


def test_empty_mix_and_budget_say_what_to_do():
    mixer = DataMixer({})
    assert not mixer.fair and "Move a slider to the right" in mixer.output.value
    mixer = DataMixer({"children": 40, "adults": 40, "grandparents": 40}, budget=90)
    assert not mixer.fair and "only 90" in mixer.output.value
    mixer.set_mix({"children": 30, "adults": 30, "grandparents": 30})
    assert mixer.fair


# --- ThresholdAudit

def test_threshold_twin_updates_slider_rates_and_table():
    audit = ThresholdAudit()
    audit.threshold = 0.6
    assert audit.slider.value == 0.6
    essays = gd.load_essays()
    assert audit.rates == gd.group_rates(essays.y_true, gd.predict_at(essays.scores, 0.6), essays.groups)
    text = visible_text(audit.output.value)
    assert "language learners" in text and f"{round(100 * audit.rates['learner']['fpr'])}%" in text
    assert audit.meets is None and "✔" not in text


def test_raising_the_threshold_flags_fewer_honest_essays():
    audit = ThresholdAudit()
    fprs = []
    for t in (0.3, 0.5, 0.7, 0.9):
        audit.slider.value = t
        fprs.append(audit.rates["learner"]["fpr"])
    assert fprs == sorted(fprs, reverse=True) and fprs[0] > fprs[-1]


def test_rule_verdict_and_slider_rounding():
    audit = ThresholdAudit(rule={"max_fpr": 0.10, "min_tpr": 0.6})
    assert audit.meets is False and "Not yet" in audit.output.value
    audit.slider.value = 0.7000000000000001 + 0.05   # what a browser slider may send
    assert audit.threshold == 0.75 and audit.meets is True
    assert "answer_threshold = 0.75" in audit.output.value


def test_model_card_collects_fields_and_results():
    audit = ThresholdAudit(threshold=0.75)
    audit.fields["intended_use"].value = "Help teachers pick essays to talk about."
    audit.training_data = "200 made-up essays."
    card = audit.card()
    assert card["intended_use"].startswith("Help") and card["data"] == "200 made-up essays."
    assert card["limits"] == "" and card["threshold"] == 0.75
    assert card["results"]["learner"]["fpr"] == round(audit.rates["learner"]["fpr"], 2)
    md = audit.card_markdown()
    assert "## Limits\n(not written yet)" in md and "| language learners |" in md
    assert "200 made-up essays." in audit.card_view.value


# --- Japanese, speed

def test_japanese_leaves_no_english_label():
    with in_japanese():
        mixer = DataMixer()
        audit = ThresholdAudit(rule={"max_fpr": 0.1})
        mixer.set_mix(BALANCED)
        labels = [w.description for w in [*mixer.sliders.values(), *mixer.checkboxes.values(),
                                          audit.slider, *audit.fields.values()]]
        labels += [w.placeholder for w in audit.fields.values()]
        shown = [*labels, mixer.output.value, audit.output.value, audit.card_view.value,
                 audit.card_markdown()]
        assert "子ども" in " ".join(shown) and "偽陽性率" in " ".join(shown)
        assert english_words(*shown, shortest=3) == []
