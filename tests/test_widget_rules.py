"""e04's fish and rule builder: rules, accuracy on new fish, the line to copy, Japanese."""

from __future__ import annotations

import html
import re

import pytest
from helpers import english_words, in_japanese

from course.checks import CheckFailed
from course.data.fish import FEATURES, LABELS, SIZES, load_fish
from course.widgets.rules import (
    RuleBuilder,
    RuleError,
    bench_cases,
    check_rule,
    rule_accuracy,
    rule_code,
)

GOOD = ("spots", ">", 5, "not safe")


def test_fish_are_the_same_every_time_and_parts_differ():
    a, b = load_fish("train"), load_fish("train")
    assert (a.labels == b.labels).all() and (a.column("spots") == b.column("spots")).all()
    assert [len(load_fish(p)) for p in SIZES] == list(SIZES.values())
    assert set(a.columns) == set(FEATURES) and set(a.labels) == set(LABELS)
    new = load_fish("new")
    assert not (new.column("length_cm")[:10] == a.column("length_cm")[:10]).all()


def test_the_spots_rule_passes_and_the_obvious_colour_rule_does_not():
    hidden = load_fish("hidden")
    assert rule_accuracy(GOOD, hidden) >= 0.9
    assert rule_accuracy(("spots", "<", 6, "safe"), hidden) >= 0.9   # the same rule, said the other way
    for wrong in [("colour", "==", "red", "not safe"), ("fin_shape", "==", "pointy", "not safe"),
                  ("length_cm", ">", 30, "safe"), ("spots", ">", 5, "safe")]:
        assert rule_accuracy(wrong, hidden) < 0.9, wrong


@pytest.mark.parametrize("rule, hint", [
    (("size", ">", 5, "safe"), "length_cm"),
    (("spots", "==", 5, "safe"), ">"),
    (("colour", "==", "green", "safe"), "yellow"),
    (("spots", ">", "five", "safe"), "number"),
    (("spots", ">", 5, "yes"), "not safe"),
    (("spots", ">", 5), "4 parts"),
])
def test_a_badly_written_rule_gets_a_hint_not_a_traceback(rule, hint):
    with pytest.raises(RuleError, match=re.escape(hint)) as err:
        rule_accuracy(rule, load_fish("hidden"))
    assert isinstance(err.value, CheckFailed)  # shown as one friendly line in a lesson


def test_code_line_reads_back_as_the_same_rule():
    line = rule_code(("spots", ">", 5.0, "not safe"))
    assert line == 'answer_rule = ("spots", ">", 5, "not safe")'
    scope = {}
    exec(line, scope)
    assert check_rule(scope["answer_rule"]) == GOOD


def test_set_rule_fills_the_dropdowns_and_shows_the_sentence_and_code():
    builder = RuleBuilder()
    builder.set_rule(GOOD)
    assert (builder.feature_box.value, builder.sign_box.value, builder.number_box.value,
            builder.label_box.value) == ("spots", ">", 5, "not safe")
    out = builder.output.value
    assert "If number of spots is more than 5, the fish is not safe" in out
    assert 'answer_rule = (&quot;spots&quot;, &quot;&gt;&quot;, 5, &quot;not safe&quot;)' in out
    assert "39 (98%)" in out and builder.accuracy is None and "✘" not in out


def test_choosing_a_word_feature_offers_words_and_is_or_is_not():
    builder = RuleBuilder()
    builder.feature_box.value = "colour"
    assert [v for _t, v in builder.sign_box.options] == ["==", "!="]
    assert builder.word_box.layout.display is None and builder.number_box.layout.display == "none"
    builder.word_box.value = "red"
    builder.label_box.value = "not safe"
    assert builder.rule == ("colour", "==", "red", "not safe")
    builder.feature_box.value = "length_cm"
    assert builder.sign in (">", "<", ">=", "<=") and isinstance(builder.rule[2], int)


def test_button_tests_on_new_fish_and_marks_the_wrong_ones():
    builder = RuleBuilder()
    builder.set_rule(("colour", "==", "red", "not safe"))
    builder.button.click()
    new = load_fish("new")
    assert builder.accuracy == rule_accuracy(builder.rule, new) < 1
    wrong = round((1 - builder.accuracy) * len(new))
    out = builder.output.value
    assert out.count("✘") == wrong and out.count("✔") == len(new) - wrong
    assert f"New fish: {len(new) - wrong} of 20 right" in out
    builder.number_box.value = 7            # hidden while colour is chosen: nothing changes
    assert builder.accuracy is not None
    builder.word_box.value = "blue"          # a new rule: the old test result goes away
    assert builder.accuracy is None and "✘" not in builder.output.value


def test_twin_of_typing_a_number():
    builder = RuleBuilder()
    builder.set_rule(GOOD)
    before = builder.train_accuracy
    builder.number_box.value = 11
    assert builder.rule == ("spots", ">", 11, "not safe") and builder.train_accuracy < before


def test_in_japanese_no_english_is_left():
    with in_japanese():
        builder = RuleBuilder()
        builder.set_rule(("colour", "!=", "blue", "safe"))
        builder.test()
        assert english_words(builder.output.value, builder.else_text.value, allowed={"cm"}) == []
        labels = [builder.feature_box.description, builder.sign_box.description,
                  builder.word_box.description, builder.label_box.description, builder.button.description,
                  *(t for t, _v in builder.feature_box.options), *(t for t, _v in builder.sign_box.options)]
        assert english_words(*labels, allowed={"cm"}) == []
        assert "新しい魚でためす" == builder.button.description


def test_in_japanese_the_answer_line_has_the_words_on_screen_and_e04_reads_them_back():
    """A grade-4 child's Japanese answer cell holds no English keys (#15 item 5): the line says
    ("点の数", ">", 5, "あぶない"), and the Japanese e04 check maps every such word back to its key."""
    import ast
    from pathlib import Path

    with in_japanese():
        builder = RuleBuilder()
        builder.set_rule(GOOD)
        line = rule_code(GOOD, in_words=True)
        words = [rule_code((f, ">", 5, label), in_words=True) for f in ("length_cm", "spikes")
                 for label in LABELS] + [rule_code(("colour", "==", c, "safe"), in_words=True)
                                         for c in ("blue", "yellow", "red")] + [
            rule_code(("fin_shape", "==", fin, "safe"), in_words=True) for fin in ("round", "pointy")]
    assert line == 'answer_rule = ("点の数", ">", 5, "あぶない")'
    assert html.escape(line) in builder.output.value
    lesson = (Path(__file__).resolve().parent.parent / "lessons/e04-safe-fish/ja.md").read_text(encoding="utf-8")
    mapping = ast.literal_eval(re.search(r"^words = (\{.*?\})", lesson, flags=re.M | re.S).group(1))
    for code in [line, *words]:
        scope = {}
        exec(code, scope)
        keys = tuple(mapping.get(p, p) if isinstance(p, str) else p for p in scope["answer_rule"])
        check_rule(keys)  # every word came back as a key the rule understands


def test_japanese_uses_only_kanji_of_grades_1_to_4():
    import kanji_lists

    from course.catalogs import LOCALE_DIR, po_messages

    allowed = set().union(*(getattr(kanji_lists.KYOIKU, f"GRADE{g}") for g in (1, 2, 3, 4)))
    text = "".join(po_messages((LOCALE_DIR / "ja" / "rules.po").read_text(encoding="utf-8")).values())
    late = {c for c in text if "\u4e00" <= c <= "\u9fff" and c not in allowed}
    assert not late, f"write these in kana: {late}"


def test_bench_cases_run():
    for _name, event in bench_cases():
        event()
