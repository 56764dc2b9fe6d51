"""Byte-pair encoding: how a language model cuts text into tokens (lesson j13).

Text is first turned into bytes (UTF-8: one byte for an English letter, three for most
Japanese characters). Training looks for the pair of neighbouring tokens seen most often and
makes it one new token, again and again. Pieces common in the training text become single
tokens; text unlike it stays in many small pieces. Big models' tokenizers work this way
(GPT-2's is byte-level BPE), with tens of thousands of merges instead of a few hundred.
"""

from __future__ import annotations

from collections import Counter


def _merge(ids: list[int], pair: tuple[int, int], new: int) -> list[int]:
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


class BytePairTokenizer:
    """Learn ``n_merges`` merges from a text, then cut any text into tokens.

    >>> tok = BytePairTokenizer(n_merges=20).fit("the cat and the hat and the bat")
    >>> tok.count("the cat") < len("the cat".encode())
    True
    """

    def __init__(self, n_merges: int = 200):
        self.n_merges = n_merges

    def fit(self, text: str) -> BytePairTokenizer:
        """Learn the merges, most frequent pair first (ties: the pair seen first)."""
        ids = list(text.encode("utf-8"))
        self.merges_: dict[tuple[int, int], int] = {}
        self.pieces_: dict[int, bytes] = {i: bytes([i]) for i in range(256)}
        for step in range(self.n_merges):
            pairs = Counter(zip(ids, ids[1:], strict=False))
            if not pairs:
                break
            pair, seen = pairs.most_common(1)[0]
            if seen < 2:  # a pair seen once is not a pattern
                break
            new = 256 + step
            self.merges_[pair] = new
            self.pieces_[new] = self.pieces_[pair[0]] + self.pieces_[pair[1]]
            ids = _merge(ids, pair, new)
        return self

    def encode(self, text: str) -> list[int]:
        """The token numbers of ``text``: its bytes, merged in the order training learned them."""
        ids = list(text.encode("utf-8"))
        while len(ids) > 1:
            ranked = [(self.merges_[p], p) for p in zip(ids, ids[1:], strict=False) if p in self.merges_]
            if not ranked:
                break
            new, pair = min(ranked)
            ids = _merge(ids, pair, new)
        return ids

    def pieces(self, text: str) -> list[str]:
        """The tokens of ``text`` as text (a piece that cuts a character in two shows as �)."""
        return [self.pieces_[i].decode("utf-8", errors="replace") for i in self.encode(text)]

    def count(self, text: str) -> int:
        """How many tokens ``text`` takes."""
        return len(self.encode(text))
