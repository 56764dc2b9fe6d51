"""TeachPad and compare_drawers (e10): teaching, testing, deleting, whose drawings, Japanese labels."""

from __future__ import annotations

import re

import numpy as np
import pytest
from helpers import english_words, in_japanese, shown_text

from course.data.drawings import SHAPES, load_drawings
from course.widgets.teach import TeachPad, bench_cases, compare_drawers, taught_by_score

CIRCLE = [(0.5, 0.1), (0.85, 0.3), (0.85, 0.7), (0.5, 0.9), (0.15, 0.7), (0.15, 0.3), (0.5, 0.1)]
SLASH, BACKSLASH = [(0.1, 0.9), (0.9, 0.1)], [(0.1, 0.1), (0.9, 0.9)]


def taught() -> TeachPad:
    pad = TeachPad(["circle", "cross"])
    for shape, strokes in (("circle", [CIRCLE]), ("cross", [SLASH, BACKSLASH])):
        for stroke in strokes:
            pad.pad.draw_stroke(stroke)
        pad.teach(shape)
    return pad


def test_teaching_keeps_the_drawing_with_its_label_and_clears_the_pad():
    pad = taught()
    assert pad.n_examples == 2 and [s for _e, s in pad.examples] == ["circle", "cross"]
    assert pad.pad.strokes == []
    assert "Examples of circle: 1" in shown_text(pad) and "2 examples" in shown_text(pad)


def test_a_test_answers_with_the_most_alike_example_and_keeps_score():
    pad = taught()
    pad.pad.draw_stroke(SLASH)
    pad.pad.draw_stroke(BACKSLASH)
    pad.test("cross")
    assert (pad.guess, pad.n_right, pad.n_tested) == ("cross", 1, 1)
    # a shape it was never taught still gets one of the labels it has: it never says "I don't know"
    pad.pad.draw_stroke([(0.5, 0.1), (0.9, 0.9), (0.1, 0.9), (0.5, 0.1)])
    pad.test("triangle")
    assert pad.guess in ("circle", "cross") and (pad.n_right, pad.n_tested) == (1, 2)
    assert "Tests: 1 of 2 right" in shown_text(pad)


def test_nothing_drawn_or_nothing_taught_asks_for_it_instead_of_guessing():
    pad = TeachPad(["circle", "cross"])
    pad.pad.draw_stroke(CIRCLE)
    pad.test("circle")
    assert pad.guess is None and "Teach me some examples first." in shown_text(pad)
    pad.pad.clear()
    pad.teach("circle")
    assert pad.n_examples == 0 and "Draw a shape first." in shown_text(pad)


def test_delete_forgets_every_example_and_test():
    pad = taught()
    pad.pad.draw_stroke(CIRCLE)
    pad.test("circle")
    pad.forget()
    assert (pad.n_examples, pad.n_tested, pad.guess, pad.examples, pad.tests) == (0, 0, None, [], [])
    assert "All examples are deleted." in shown_text(pad)


def test_two_or_three_shapes_only():
    with pytest.raises(ValueError, match="two or three"):
        TeachPad(["circle"])


def test_the_drawings_are_the_same_every_time_and_shaped_like_the_pad():
    a, b = load_drawings("ken"), load_drawings("ken")
    assert np.array_equal(a.images, b.images) and a.images.shape == (9, 8, 8)
    assert sorted(set(a.labels)) == sorted(SHAPES)
    with pytest.raises(ValueError, match="drawer"):
        load_drawings("someone")


def test_ken_s_computer_is_right_about_ken_but_takes_yui_s_crosses_for_triangles():
    """What e10's teacher notes and exercise 2 say about the made-up drawings."""
    ken = load_drawings("ken")
    right, _ = taught_by_score(ken, load_drawings("ken", seed=7))
    assert right == 9
    yui = load_drawings("yui")
    right, guesses = taught_by_score(ken, yui)
    assert right == 6 and list(guesses[yui.labels == "cross"]) == ["triangle"] * 3


def test_compare_drawers_shows_both_scores(capsys, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj.data))
    compare_drawers()
    text = re.sub(r"<[^>]+>", " ", shown[0])
    assert "New drawings by Ken" in text and "Drawings by Yui" in text
    assert "9 of 9 right" in text and "6 of 9 right" in text


def test_japanese_labels_leave_no_english():
    with in_japanese():
        pad = TeachPad(["まる", "ばつ"])
        pad.pad.draw_stroke(CIRCLE)
        pad.teach("まる")
        pad.pad.draw_stroke(SLASH)
        pad.test("ばつ")
        text = shown_text(pad)
    assert "まる" in text
    assert english_words(text) == [], text


def test_bench_cases_run():
    cases = bench_cases()
    assert len(cases) == 2
    for _name, event in cases:
        event()
