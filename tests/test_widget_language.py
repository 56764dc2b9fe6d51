"""The tiny language model (course.models.bigram) and its explorer widget (e08, j07)."""

from __future__ import annotations

import math

import pytest
from helpers import english_words, in_japanese

from course.models.bigram import (
    BigramModel,
    apply_temperature,
    bigram_counts,
    load_corpus,
    next_prob,
    split_tokens,
)
from course.widgets.language import NextTokenExplorer


def test_bigram_counts_counts_letter_pairs_and_word_pairs():
    assert bigram_counts("banana") == {"b": {"a": 1}, "a": {"n": 2}, "n": {"a": 2}}
    assert bigram_counts("the cat and the dog".split()) == {
        "the": {"cat": 1, "dog": 1}, "cat": {"and": 1}, "and": {"the": 1}}
    assert bigram_counts("a") == {} and bigram_counts("") == {}


def test_next_prob_is_pair_count_over_all_followers():
    counts = bigram_counts("abacab")
    assert next_prob(counts, "a", "b") == pytest.approx(2 / 3)
    assert next_prob(counts, "b", "a") == 1.0
    assert next_prob(counts, "a", "a") == 0.0      # never seen together
    assert next_prob(counts, "z", "a") == 0.0      # never seen at all


def test_model_follows_scikit_learn_conventions_and_matches_the_reference():
    text = load_corpus("en")
    model = BigramModel(level="char")
    assert not hasattr(model, "counts_")
    assert model.fit(text) is model
    assert model.counts_ == bigram_counts(text)
    word = BigramModel(level="word").fit(text)
    assert word.counts_ == bigram_counts(split_tokens(text, "word"))


def test_probabilities_follow_counts_at_temperature_one_and_sum_to_one():
    model = BigramModel().fit(load_corpus("en"))
    probs = model.next_probs("e")
    assert sum(probs.values()) == pytest.approx(1)
    for token, p in probs.items():
        assert p == pytest.approx(next_prob(model.counts_, "e", token))
    assert list(probs.values()) == sorted(probs.values(), reverse=True)   # most likely first


def test_temperature_makes_choices_bolder_or_wilder():
    counts = {"a": 6, "b": 3, "c": 1}
    cold, warm, hot = (apply_temperature(counts, t) for t in (0.05, 1.0, 2.0))
    assert cold["a"] > 0.999 and apply_temperature(counts, 0) == {"a": 1.0, "b": 0.0, "c": 0.0}
    assert warm == pytest.approx({"a": 0.6, "b": 0.3, "c": 0.1})
    entropy = [-sum(p * math.log(p) for p in d.values() if p) for d in (cold, warm, hot)]
    assert entropy[0] < entropy[1] < entropy[2]
    assert apply_temperature(counts, 0.001)["a"] == 1.0     # no overflow at tiny temperatures


def test_generate_is_repeatable_with_a_seed_and_adds_n_tokens():
    model = BigramModel().fit(load_corpus("en"))
    one = model.generate("The ", n=30, seed=4)
    assert one == model.generate("The ", n=30, seed=4) and len(one) == 34
    assert one != model.generate("The ", n=30, seed=5)
    words = BigramModel(level="word", context=2).fit(load_corpus("en"))
    assert len(split_tokens(words.generate("The dog", n=8, seed=1), "word")) == 10


def test_longer_context_copies_more_and_backs_off_when_unseen():
    model = BigramModel(level="char", context=3).fit(load_corpus("en"))
    assert model.context_of("xx the") == "the"
    assert model.context_of("qzh") == "h"            # "qzh" and "zh" were never read
    assert model.context_of("") == "" and model.next_counts("") == model.totals_


def test_japanese_works_letter_by_letter_and_by_spaced_words():
    text = load_corpus("ja")
    model = BigramModel().fit(text)
    assert model.counts_["ね"]["こ"] > 3
    assert "すきです" in split_tokens(text, "word") and "。" in split_tokens(text, "word")
    assert 2000 < len(text.encode()) < 4500 and 2000 < len(load_corpus("en")) < 4500
    with pytest.raises(ValueError, match="'en' or 'ja'"):
        load_corpus("fr")


def test_japanese_text_and_labels_use_only_kanji_of_grades_1_to_4():
    from pathlib import Path

    from kanji_lists import KYOIKU

    from course.catalogs import po_messages

    allowed = KYOIKU.GRADE1 | KYOIKU.GRADE2 | KYOIKU.GRADE3 | KYOIKU.GRADE4
    po = Path(__file__).resolve().parent.parent / "course/locale/ja/language.po"
    texts = [load_corpus("ja"), *po_messages(po.read_text(encoding="utf-8")).values()]
    later = {c for t in texts for c in t if "\u4e00" <= c <= "\u9fff" and c not in allowed}
    assert not later, f"write these in kana: {sorted(later)}"


def test_at_a_tiny_temperature_the_most_frequent_follower_always_wins():
    explorer = NextTokenExplorer(lang="en", start="Th")
    explorer.temperature = 0.1
    counts = explorer.model.counts_["h"]
    best = max(counts, key=counts.get)
    for seed in range(40):
        explorer.seed = seed              # a new seed starts again from "Th"
        assert explorer.next() == best
    assert explorer.text == "Th" + best


def test_top_five_bars_match_the_counts_and_sum_to_at_most_one():
    explorer = NextTokenExplorer(lang="en", start="The")
    counts = explorer.model.counts_["e"]
    assert len(explorer.top) == 5
    assert sum(p for _t, p, _n in explorer.top) <= 1
    for token, p, n in explorer.top:
        assert n == counts[token] and p == pytest.approx(n / sum(counts.values()))
    shown = explorer.output.value
    assert "What comes after “e”?" in shown and "(space)" in shown
    token, p, n = explorer.top[0]
    assert f"{round(100 * p)}% (seen {n} times)" in shown and "all others:" in shown


def test_buttons_and_their_twins_write_and_reset():
    explorer = NextTokenExplorer(lang="en", seed=7)
    explorer.next_button.click()
    assert len(explorer.text) == len("The ") + 1 and explorer.text.endswith(explorer.last)
    explorer.more_button.click()
    first = explorer.text
    assert len(first) == len("The ") + 21 and first[4:] in explorer.output.value
    explorer.reset_button.click()
    assert explorer.text == "The " and explorer.last == ""
    assert explorer.generate(21) == first                # same seed, same made-up text


def test_typing_a_start_and_moving_sliders_redraw():
    explorer = NextTokenExplorer(lang="en", level="word", show_context=True)
    assert explorer.context_slider in explorer.children
    explorer.start_box.value = "The cat"
    assert explorer.text == "The cat" and "after “cat”" in explorer.output.value
    before = explorer.top
    explorer.temperature = 2.0
    assert explorer.temperature_slider.value == 2.0 and explorer.top[0][1] < before[0][1]
    explorer.context_slider.value = 2
    assert explorer.context == 2 and "after “The cat”" in explorer.output.value
    explorer.generate(5)
    assert len(split_tokens(explorer.text, "word")) == 7


def test_japanese_explorer_has_no_english_left():
    with in_japanese():
        explorer = NextTokenExplorer(level="char", show_context=True)
        explorer.generate(3)
        shown = [explorer.output.value, explorer.hint.value] + [
            w.description for w in (explorer.start_box, explorer.next_button, explorer.more_button,
                                    explorer.reset_button, explorer.temperature_slider,
                                    explorer.context_slider)]
        assert explorer.start == "ねこ" and "つぎの1文字" in " ".join(shown)
        assert english_words(*shown, shortest=3) == []


def test_explorer_can_learn_from_the_students_own_text():
    explorer = NextTokenExplorer(corpus="banana", start="ban")
    assert explorer.top == [("a", 1.0, 2)]
    assert explorer.generate(3) == "banana"


def test_a_slider_that_cannot_change_the_chances_says_why():
    """A move of the context slider past what the model can look at still changes what the
    child reads (and says why), and a temperature that cannot change the chances says so:
    j07's Japanese word explorer starts on one word whose followers were seen once each."""
    explorer = NextTokenExplorer(lang="en", level="word", show_context=True, start="The dog")
    shown = []
    for context in (1, 2, 3, 2):
        explorer.context_slider.value = context
        shown.append(explorer.output.value)
    assert len(set(shown[:3])) == 3 and shown[3] == shown[1]
    assert "It may look back 3 words, but the text has only 2 so far." in shown[2]
    assert "It may look back" not in shown[1]                 # 2 of 2: nothing to explain
    # it never read the last 3 letters together: it says how many it looks at
    banana = NextTokenExplorer(corpus="banana", start="xan", context=3, show_context=True)
    assert banana.model.looks_back("xan") == ("an", 2, 3)
    assert "It never read these 3 letters in a row, so it looks at only the last 2." in banana.output.value
    # one follower ("an" -> "a" only), then two seen equally often (after "b": "x" and "y")
    assert "Only one thing ever came next here" in banana.output.value
    even = NextTokenExplorer(corpus="bxby", start="b")
    assert "Each one came next equally often" in even.output.value
    before = even.output.value
    even.temperature = 0.3
    assert even.output.value == before                         # as it says
    assert "temperature changes nothing" not in NextTokenExplorer(lang="en", start="Th").output.value


def test_japanese_word_explorer_answers_every_context_move():
    with in_japanese():
        explorer = NextTokenExplorer(level="word", show_context=True)
        assert explorer.start == "いぬは"
        shown = []
        for context in (2, 3, 2):
            explorer.context_slider.value = context
            shown.append(explorer.output.value)
        assert shown[0] != shown[1] != shown[2]
        assert "前の3つのことばまで見られますが、文はまだ1つのことばしかありません。" in shown[1]
        assert "どれも同じ回数だけつぎに来たので" in shown[1]
        assert english_words(*shown, shortest=3) == []
