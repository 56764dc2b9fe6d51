"""Cut-out cards for a lesson's unplugged version, from ``lessons/<id>-*/cards.yaml``.

The file says which deck the lesson uses and how to play, in English and Japanese; the cards
themselves come from the data the lesson's widgets use, so the paper and the screen agree:

- ``digits``: 8×8 digit pictures with their labels, and mystery digits without (e03),
- ``fish``: fish with their five features, labelled "safe"/"not safe", and new fish to sort (e04, e05),
- ``points``: the points on j06's map, with their two numbers,
- ``words``: the words (or letters) of the first sentences of the language lessons' text (e08, j07).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

CARDS_FILE = "cards.yaml"


@dataclass
class Card:
    """One card: a big ``title``, ``lines`` of text, and optionally an 8×8 ``picture`` (0–16)."""

    title: str
    lines: list[str] = field(default_factory=list)
    picture: list[list[int]] | None = None
    blank: bool = False  # a card without its answer, to sort or guess


@dataclass
class Deck:
    """The cards of a lesson and how to play with them (in the course language)."""

    title: str
    how_to_play: list[str]
    cards: list[Card]


def read_deck(folder: Path, lang: str) -> Deck | None:
    """The deck of the lesson in ``folder`` in ``lang``, or None when it has no ``cards.yaml``."""
    import yaml

    from course.catalog import LessonError
    from course.i18n import translator

    path = folder / CARDS_FILE
    if not path.exists():
        return None
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    kind = spec.get("deck")
    if kind not in DECKS:
        raise LessonError(f"{path}: 'deck:' must be one of {', '.join(DECKS)}, not {kind!r}.")
    try:
        title, how = spec["title"][lang], spec["how_to_play"][lang]
    except (KeyError, TypeError):
        raise LessonError(f"{path}: 'title:' and 'how_to_play:' need an '{lang}:' entry.") from None
    cards = DECKS[kind](spec, lang, translator(lang))
    return Deck(title, list(how), cards)


def digit_cards(spec: dict, lang: str, _) -> list[Card]:
    """Labelled example digits, then mystery digits (the lesson's test digits) with no label."""
    from course.digits import load_examples

    train, test = load_examples("train"), load_examples("test")
    cards = []
    for digits, count, blank in ((train, spec.get("examples", 12), False),
                                 (test, spec.get("mystery", 4), True)):
        for i in range(count):
            picture = digits.images[i].astype(int).reshape(8, 8).tolist()
            title = "?" if blank else str(digits.labels[i])
            cards.append(Card(title, [_("mystery digit") if blank else _("example")], picture, blank))
    return cards


def fish_cards(spec: dict, lang: str, _) -> list[Card]:
    """Fish the learner knows (with "safe"/"not safe"), then new fish without a label."""
    from course.data.fish import FEATURES, load_fish

    pond = spec.get("pond", "river")
    names = {"length_cm": _("length (cm)"), "spots": _("number of spots"),
             "spikes": _("number of spikes"), "colour": _("colour"), "fin_shape": _("fin shape")}
    cards = []
    for part, count, blank in (("train", spec.get("known", 12), False), ("new", spec.get("new", 4), True)):
        fish = load_fish(part, pond)
        for i in range(count):
            lines = [f"{names[f]}: {_value(fish.column(f)[i], _)}" for f in FEATURES]
            label = "?" if blank else _value(fish.labels[i], _)
            title = (_("New fish {n}") if blank else _("Fish {n}")).format(n=i + 1)
            cards.append(Card(title, [*lines, f"→ {label}"], blank=blank))
    return cards


def _value(value, _) -> str:
    """A fish value as the lesson names it (colours, fin shapes and labels are translated)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _(value) if isinstance(value, str) else str(value)


def point_cards(spec: dict, lang: str, _) -> list[Card]:
    """The first points of j06's map (the same numbers as the widget), one per card."""
    from course.widgets.clustering import make_group_data

    points = make_group_data()[: spec.get("count", 16)]
    return [Card(_("Point {n}").format(n=i + 1), [f"x = {x:.1f}", f"y = {y:.1f}"])
            for i, (x, y) in enumerate(points)]


def word_cards(spec: dict, lang: str, _) -> list[Card]:
    """The words of the first sentences of the lesson's text, in order, one per card (the
    Japanese text is written with spaces between words, as the lesson's model reads it)."""
    from course.models.bigram import load_corpus

    words = load_corpus(lang).split()[: spec.get("count", 24)]
    return [Card(word, [f"{i + 1}"]) for i, word in enumerate(words)]


DECKS = {"digits": digit_cards, "fish": fish_cards, "points": point_cards, "words": word_cards}
