"""j12's model and widget: one neuron by hand, the perceptron rule step by step, XOR and two layers."""

from __future__ import annotations

import pytest
from helpers import english_words, in_japanese

from course.models.neuron import INPUTS, TASKS, NeuronSteps, neuron, two_layer, weighted_sum
from course.widgets.neuron import NeuronLab, bench_cases, network_html


def test_the_neuron_adds_weighted_inputs_and_a_sum_equal_to_the_threshold_reaches_it():
    assert weighted_sum([1, 0, 1], [2, 5, -0.5]) == 1.5
    assert neuron([1, 1], [1, 1], 1.5) == 1 and neuron([1, 0], [1, 1], 1.5) == 0
    assert neuron([1, 0], [0.5, 0.5], 0.5) == 1
    with pytest.raises(ValueError):
        weighted_sum([1, 0, 1], [1, 1])


def test_the_perceptron_rule_matches_scikit_learn_on_and_and_or():
    """Our rule with 0/1 outputs is scikit-learn's Perceptron with the threshold as -intercept."""
    from sklearn.linear_model import Perceptron

    for task in ("AND", "OR"):
        ours = NeuronSteps(learning_rate=1.0).fit(INPUTS, TASKS[task])
        theirs = Perceptron(eta0=1.0, shuffle=False, tol=None, max_iter=20).fit(INPUTS, TASKS[task])
        assert ours.mistakes() == 0 and theirs.score(INPUTS, TASKS[task]) == 1.0
        assert ours.predict(INPUTS) == theirs.predict(INPUTS).tolist()


def test_one_step_changes_only_after_a_mistake_and_only_the_weights_of_inputs_that_were_1():
    steps = NeuronSteps(weights=(0, 0), threshold=0.5).start(INPUTS, TASKS["OR"])
    first = steps.step()                      # (0, 0) should be 0 and is: nothing changes
    assert first["change"] == 0 and steps.weights_ == [0, 0] and steps.threshold_ == 0.5
    steps.step()                              # (0, 1) should be 1, says 0: the lesson's exercise 2
    assert (steps.weights_, steps.threshold_) == ([0.0, 0.5], 0.0)


def test_and_and_or_are_learned_but_xor_goes_round_in_a_circle():
    for task in ("AND", "OR"):
        assert NeuronSteps().fit(INPUTS, TASKS[task]).mistakes() == 0
    xor = NeuronSteps(max_rounds=50).fit(INPUTS, TASKS["XOR"])
    assert xor.mistakes() >= 1 and xor.rounds_ == 50


def test_two_layers_compute_xor_and_its_opposite():
    assert [r[-1] for r in two_layer([(1, 1, 0.5), (1, 1, 1.5)], (1, -1, 0.5))] == TASKS["XOR"]
    assert [r[-1] for r in two_layer([(1, 1, 0.5), (1, 1, 1.5)], (-1, 1, -0.5))] == [1, 0, 0, 1]
    assert two_layer([(1, 1, 0.5), (1, 1, 1.5)], (1, -1, 0.5))[3] == (1, 1, 1, 1, 0)


def test_the_sliders_and_the_learning_buttons_drive_the_neuron():
    lab = NeuronLab("AND")
    assert lab.right == 1                      # all zero: says 1 everywhere, right only for (1, 1)
    lab.sliders["w1"].value, lab.sliders["w2"].value, lab.sliders["threshold"].value = 1, 1, 1.5
    assert lab.right == 4 and "4" in lab.output.value
    lab.choose.value = "OR"
    assert lab.right == 2                      # AND's weights miss (0, 1) and (1, 0) for OR
    lab.set_weights(0, 0, 0.5)
    lab.learn_button.click()
    lab.learn_button.click()
    assert (lab.w1, lab.w2, lab.threshold) == (0.0, 0.5, 0.0)
    assert "+0.5" in lab.output.value          # the log line shows the change
    for _ in range(3):
        lab.rounds_button.click()
    assert lab.right == 4
    lab.zero_button.click()
    assert (lab.w1, lab.w2, lab.threshold) == (0, 0, 0)
    assert 'role="img"' in lab.output.value and "aria-label=" in lab.output.value


def test_no_learning_buttons_when_asked():
    lab = NeuronLab("AND", learning=False)
    assert lab.learn_button not in [w for box in lab.children for w in getattr(box, "children", [])]


def test_japanese_labels_leave_no_english():
    with in_japanese():
        lab = NeuronLab("XOR")
        lab.learn_round()
        html = lab.output.value + network_html([(1, 1, 0.5), (1, 1, 1.5)], (1, -1, 0.5)).value
        labels = [lab.learn_button.description, lab.rounds_button.description, lab.zero_button.description,
                  lab.choose.description, *[s.description for s in lab.sliders.values()],
                  *[label for label, _v in lab.choose.options]]
    assert english_words(html, *labels, shortest=3) == []


def test_bench_cases_run():
    cases = bench_cases()
    assert len(cases) == 4
    for _name, case in cases:
        case()
