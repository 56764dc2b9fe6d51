"""The byte-pair tokenizer (course.models.bpe) and the measurements j13 builds on it."""

from __future__ import annotations

import pytest

from course.data.parallel import SENTENCE_PAIRS
from course.models.bigram import load_corpus
from course.models.bpe import BytePairTokenizer


def test_merges_follow_the_most_frequent_pair_and_tokens_rebuild_the_text():
    tok = BytePairTokenizer(n_merges=3).fit("aaab aaab aaab")
    first = next(iter(tok.merges_))
    assert first == (ord("a"), ord("a"))              # "aa" is the most frequent pair
    for text in ("aaab", "ねこ", "", "zzz aaab"):
        assert b"".join(tok.pieces_[i] for i in tok.encode(text)) == text.encode("utf-8")
    assert tok.count("aaab") < len(b"aaab") and tok.count("zzz") == 3
    assert BytePairTokenizer(5).fit("abcdef").merges_ == {}  # no pair is seen twice


def test_a_tokenizer_learned_from_english_cuts_japanese_into_many_more_tokens():
    """The numbers j13's teacher notes quote (33/149 and 43/53 tokens)."""
    english_only = BytePairTokenizer(n_merges=150).fit(load_corpus("en"))
    both = BytePairTokenizer(n_merges=150).fit(load_corpus("en") + " " + load_corpus("ja"))
    counts = [(sum(t.count(en) for en, _ja in SENTENCE_PAIRS), sum(t.count(ja) for _en, ja in SENTENCE_PAIRS))
              for t in (english_only, both)]
    assert counts == [(33, 149), (43, 53)]
    # a Japanese character the English tokenizer never joined is its three UTF-8 bytes
    assert english_only.count("庭") == 3


def test_the_sentences_are_new_to_both_corpora():
    for en, ja in SENTENCE_PAIRS:
        assert en not in load_corpus("en") and ja not in load_corpus("ja")


def test_copying_falls_as_the_maker_gets_more_drawings(monkeypatch):
    import course.made_digits as made
    from course.i18n import set_language

    shares = made.copying_by_size((1, 3, 10, 40))
    assert shares[1] == 1.0 and shares[1] > shares[3] > shares[10] >= shares[40]
    assert shares == {1: 1.0, 3: 0.42, 10: 0.03, 40: 0.02}  # quoted in j13's teacher notes
    shown = []
    monkeypatch.setattr(made, "display", lambda html: shown.append(html.data))
    set_language("ja")
    try:
        made.show_copying(shares)
    finally:
        set_language("en")
    assert "ほぼコピーの割合" in shown[0] and "42%" in shown[0] and "copies" not in shown[0]


@pytest.mark.parametrize("n_merges", [0, 1])
def test_tiny_tokenizers_still_count_bytes(n_merges):
    assert BytePairTokenizer(n_merges).fit("abab").count("xy") == 2
