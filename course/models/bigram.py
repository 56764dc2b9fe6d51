"""A tiny language model: count which letter (or word) comes after which, then pick the next one.

This is how a chatbot picks its next word, made very small: it has read one short text,
counted the pairs it saw, and turns the counts into chances.

>>> counts = bigram_counts("banana")
>>> counts["a"]
{'n': 2}
>>> next_prob(counts, "n", "a")
1.0

Japanese works letter by letter with no extra tools. Word by word, a text is split only at
spaces and punctuation, so our Japanese text is written with spaces between the pieces of a
sentence (分かち書き), the way picture books for small children are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
WORD = re.compile(r"\w+|[^\w\s]")   # a run of letters, or one punctuation mark
NO_SPACE_BEFORE = set(".,!?;:。、！？")


def load_corpus(lang: str | None = None) -> str:
    """The short text the model learns from, in ``"en"`` or ``"ja"`` (default: the lesson's).

    Line breaks become spaces, so the text is one long line.
    """
    if lang is None:
        from course.i18n import get_language

        lang = get_language()
    path = DATA_DIR / f"corpus_{lang}.txt"
    if not path.exists():
        raise ValueError(f"No text for language {lang!r}: use 'en' or 'ja'.")
    return " ".join(path.read_text(encoding="utf-8").split())


def split_tokens(text: str, level: str = "char") -> list[str]:
    """Cut a text into tokens: every letter (``"char"``) or every word and mark (``"word"``)."""
    if level == "char":
        return list(text)
    if level == "word":
        return WORD.findall(text)
    raise ValueError(f"level must be 'char' or 'word', not {level!r}.")


def join_tokens(tokens: Sequence[str], level: str = "char") -> str:
    """Put tokens back together: letters touch; words get a space, but not before "." or "!"."""
    if level == "char":
        return "".join(tokens)
    text = ""
    for token in tokens:
        if text and token not in NO_SPACE_BEFORE:
            text += " "
        text += token
    return text


def bigram_counts(tokens: str | Sequence[str]) -> dict[str, dict[str, int]]:
    """How often each token is followed by each other token.

    A string counts letter pairs; a list of words counts word pairs.
    ``bigram_counts("banana")`` is ``{"b": {"a": 1}, "a": {"n": 2}, "n": {"a": 2}}``.
    """
    counts: dict[str, dict[str, int]] = {}
    for i in range(len(tokens) - 1):
        first, second = tokens[i], tokens[i + 1]
        followers = counts.setdefault(first, {})
        followers[second] = followers.get(second, 0) + 1
    return counts


def next_prob(counts: dict[str, dict[str, int]], a: str, b: str) -> float:
    """The chance that ``b`` comes next after ``a``: (times a→b) ÷ (times a→anything)."""
    followers = counts.get(a, {})
    total = sum(followers.values())
    if total == 0:
        return 0.0
    return followers.get(b, 0) / total


def apply_temperature(counts: dict[str, int], temperature: float) -> dict[str, float]:
    """Turn counts into chances that add up to 1, made bolder or wilder by ``temperature``.

    temperature 1: chances follow the counts. Near 0: the most common token gets (almost)
    every chance. Above 1: rare tokens get more of a chance. (Same as a softmax of
    log(count) / temperature.)
    """
    if not counts:
        return {}
    top = max(counts.values())
    if temperature <= 0:
        weights = {token: float(n == top) for token, n in counts.items()}
    else:
        # Divide by the top count first, so tiny temperatures do not overflow.
        weights = {token: (n / top) ** (1 / temperature) for token, n in counts.items()}
    total = sum(weights.values())
    return {token: w / total for token, w in weights.items()}


class BigramModel:
    """Guess the next letter (or word) from the one before it, using counted pairs.

    ``context=2`` looks at the last two tokens instead of one (a "trigram" model), and so
    on. When it never saw the last tokens together, it looks at fewer of them; when it never
    saw even the last one, it picks from all tokens by how common they are.

    Example::

        model = BigramModel(level="char").fit(load_corpus("en"))
        model.counts_["q"]                      # what came after "q", and how often
        model.next_probs("th")                  # chances for the letter after "h"
        model.generate("The ", n=30, seed=1)    # a made-up sentence
    """

    def __init__(self, level: str = "char", context: int = 1):
        self.level = level
        self.context = context

    def fit(self, text: str) -> BigramModel:
        """Read ``text`` and count, for every context of 1 to ``context`` tokens, what came next."""
        tokens = split_tokens(text, self.level)
        if self.context < 1:
            raise ValueError("context must be 1 or more.")
        self.counts_: dict[str, dict[str, int]] = {}
        for size in range(1, self.context + 1):
            for i in range(size, len(tokens)):
                key = self._key(tokens[i - size:i])
                followers = self.counts_.setdefault(key, {})
                followers[tokens[i]] = followers.get(tokens[i], 0) + 1
        self.totals_: dict[str, int] = {}   # how often each token appears at all
        for token in tokens:
            self.totals_[token] = self.totals_.get(token, 0) + 1
        return self

    def _key(self, tokens: Sequence[str]) -> str:
        # Words are joined with spaces (a word never holds a space); letters just touch.
        return " ".join(tokens) if self.level == "word" else "".join(tokens)

    def context_of(self, text: str) -> str:
        """The last tokens of ``text`` that the model has seen together (may be ``""``)."""
        return self.looks_back(text)[0]

    def looks_back(self, text: str) -> tuple[str, int, int]:
        """What the model looks at after ``text``: (:meth:`context_of`, how many tokens that is,
        how many it could: ``context``, or fewer when ``text`` is shorter)."""
        # Only the end matters: no word in our texts is 30 letters long.
        tokens = split_tokens(text[-30 * self.context:], self.level)
        could = min(self.context, len(tokens))
        for size in range(could, 0, -1):
            key = self._key(tokens[-size:])
            if key in self.counts_:
                return key, size, could
        return "", 0, could

    def next_counts(self, text: str) -> dict[str, int]:
        """What came after the end of ``text`` in the training text, and how often."""
        key = self.context_of(text)
        return self.counts_[key] if key else self.totals_

    def next_probs(self, text: str, temperature: float = 1.0) -> dict[str, float]:
        """Chances for each possible next token after ``text`` (or after one token), most likely first."""
        probs = apply_temperature(self.next_counts(text), temperature)
        return dict(sorted(probs.items(), key=lambda kv: (-kv[1], kv[0])))

    def sample(self, text: str, temperature: float = 1.0, rng=None) -> str:
        """Pick one next token at random, following the chances."""
        rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        probs = self.next_probs(text, temperature)
        tokens = list(probs)
        p = np.array(list(probs.values()))
        return tokens[rng.choice(len(tokens), p=p / p.sum())]

    def generate(self, start: str = "", n: int = 20, temperature: float = 1.0, seed=0) -> str:
        """``start`` followed by ``n`` tokens picked one at a time. Same seed, same text."""
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        tokens = split_tokens(start, self.level)
        for _step in range(n):
            tokens.append(self.sample(join_tokens(tokens, self.level), temperature, rng))
        return join_tokens(tokens, self.level)
