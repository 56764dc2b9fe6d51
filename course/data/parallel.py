"""Sentences that say the same thing in English and in Japanese (lesson j13 counts their tokens).

Written for Manabu in the style of ``corpus_en.txt`` / ``corpus_ja.txt`` (Japanese with spaces
between words, as in the children's corpus), but none of them is in either corpus, so a tokenizer
trained on the corpora meets them as new text.
"""

SENTENCE_PAIRS = [
    ("The bird sleeps in the tree.", "小鳥が 木の 上で ねて います。"),
    ("The dog likes to play in the garden.", "いぬは 庭で あそぶのが すきです。"),
    ("My friend has a red bike.", "ともだちは 赤い 自転車を もって います。"),
]
