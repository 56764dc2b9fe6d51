"""Be the learner (e04): build one IF-rule about fish, then test it on fish it has never seen.

A rule is four things in a tuple: ``(feature, sign, value, label)``, read as
"IF feature sign value THEN label ELSE the other label", e.g.
``("spots", ">", 5, "not safe")``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from html import escape

import ipywidgets as widgets
import numpy as np
import traitlets
from IPython.display import HTML, display

from course.answerline import copy_hint, offer
from course.checks import CheckFailed
from course.data.fish import (
    CATEGORIES,
    FEATURES,
    LABELS,
    NUMERIC,
    Fish,
    feature_name,
    load_fish,
    value_name,
)
from course.i18n import _, get_language
from course.render import style_widget
from course.style import OKABE_ITO

NUMBER_SIGNS = (">", "<", ">=", "<=")
WORD_SIGNS = ("==", "!=")
# every label has its own colour AND shape, so it reads without colour too
LABEL_STYLE = {"safe": (OKABE_ITO["blue"], "●"), "not safe": (OKABE_ITO["vermillion"], "▲")}
EXAMPLE = '("spots", ">", 5, "not safe")'


class RuleError(CheckFailed, ValueError):
    """A rule written in a way the computer cannot read; ``str(err)`` says how to fix it."""


def other_label(label: str) -> str:
    """The label a rule gives when its IF is not true."""
    return LABELS[1] if label == LABELS[0] else LABELS[0]


def label_html(label: str) -> str:
    """A label with its colour and shape, e.g. a blue ● safe."""
    colour, shape = LABEL_STYLE.get(label, ("#000", "?"))
    return f'<span style="color:{colour};font-weight:bold">{shape}</span> {escape(value_name(label))}'


def check_rule(rule) -> tuple:
    """Return ``rule`` as ``(feature, sign, value, label)``, or raise :class:`RuleError` saying what to fix."""
    if not isinstance(rule, (tuple, list)) or len(rule) != 4:
        raise RuleError(_("A rule has 4 parts, like this: {example}. Yours is: {rule}").format(
            example=EXAMPLE, rule=rule))
    feature, sign, value, label = rule
    if feature not in FEATURES:
        raise RuleError(_("There is no feature '{feature}'. Choose one of: {features}.").format(
            feature=feature, features=", ".join(FEATURES)))
    signs = NUMBER_SIGNS if feature in NUMERIC else WORD_SIGNS
    if sign not in signs:
        raise RuleError(_("For '{feature}', use one of these signs: {signs}.").format(
            feature=feature, signs=" ".join(signs)))
    if feature in NUMERIC:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise RuleError(_("For '{feature}', write a number, like 5.").format(feature=feature))
        value = int(value) if float(value).is_integer() else float(value)
    elif value not in CATEGORIES[feature]:
        raise RuleError(_("For '{feature}', choose one of: {values}.").format(
            feature=feature, values=", ".join(CATEGORIES[feature])))
    if label not in LABELS:
        raise RuleError(_('The last part is the answer: "safe" or "not safe".'))
    return feature, sign, value, label


def rule_predict(rule, data: Fish) -> np.ndarray:
    """What the rule says about each fish."""
    feature, sign, value, label = check_rule(rule)
    x = data.column(feature)
    test = {">": np.greater, "<": np.less, ">=": np.greater_equal, "<=": np.less_equal,
            "==": np.equal, "!=": np.not_equal}[sign]
    return np.where(test(x, value), label, other_label(label))


def rule_accuracy(rule, data: Fish) -> float:
    """The share of fish in ``data`` the rule gets right (0 to 1)."""
    return float(np.mean(rule_predict(rule, data) == data.labels))


def rule_code(rule, name: str = "answer_rule", in_words: bool = False) -> str:
    """The line to copy into the answer cell, e.g. ``answer_rule = ("spots", ">", 5, "not safe")``.

    ``in_words``: the words shown on screen instead of the keys (``("点の数", ">", 5, "あぶない")``
    in Japanese), so a child's answer cell holds no English; the Japanese lesson's check maps
    them back to the keys."""
    feature, sign, value, label = check_rule(rule)
    if in_words:
        feature, label = feature_name(feature), value_name(label)
        value = value if isinstance(value, (int, float)) else value_name(value)
    parts = [repr(p) if isinstance(p, (int, float)) else f'"{p}"' for p in (feature, sign, value, label)]
    return f"{name} = ({', '.join(parts)})"


def rule_sentence(rule) -> str:
    """The rule in words, in the lesson's language."""
    feature, sign, value, label = check_rule(rule)
    templates = {
        ">": _("If {feature} is more than {value}, the fish is {label}. If not, it is {other}."),
        "<": _("If {feature} is less than {value}, the fish is {label}. If not, it is {other}."),
        ">=": _("If {feature} is {value} or more, the fish is {label}. If not, it is {other}."),
        "<=": _("If {feature} is {value} or less, the fish is {label}. If not, it is {other}."),
        "==": _("If {feature} is {value}, the fish is {label}. If not, it is {other}."),
        "!=": _("If {feature} is not {value}, the fish is {label}. If not, it is {other}."),
    }
    return templates[sign].format(feature=feature_name(feature), value=value_name(value),
                                  label=value_name(label), other=value_name(other_label(label)))


def fish_table_html(data: Fish, said: np.ndarray | None = None) -> str:
    """The fish as a table; with ``said`` (a rule's answers), a ✔/✘ column and wrong rows marked."""
    # a long word may break rather than widen the table past an iPad's portrait screen
    cell = 'style="padding:2px 8px;border-bottom:1px solid #ccc;overflow-wrap:anywhere"'
    head = [_("fish"), *(feature_name(f) for f in FEATURES), _("really")]
    if said is not None:
        head += [_("rule says"), _("right?")]
    rows = ["<tr>" + "".join(f"<th {cell}>{escape(h)}</th>" for h in head) + "</tr>"]
    for i in range(len(data)):
        cells = [str(i + 1), *(escape(value_name(data.column(f)[i])) for f in FEATURES),
                 label_html(data.labels[i])]
        shade = ""
        if said is not None:
            right = said[i] == data.labels[i]
            cells += [label_html(said[i]), "✔" if right else "<b>✘</b>"]
            shade = "" if right else ' style="background:#FBE3D6"'
        rows.append(f"<tr{shade}>" + "".join(f"<td {cell}>{c}</td>" for c in cells) + "</tr>")
    return ('<table class="manabu-fish" style="border-collapse:collapse;font-size:16px">'
            + "".join(rows) + "</table>")


def show_fish(data: Fish | None = None) -> None:
    """Show a group of fish as a table (the fish you know, by default)."""
    display(HTML(fish_table_html(data or load_fish("train"))))


def score_text(right: int, total: int, template: str) -> str:
    return template.format(right=right, total=total, percent=round(100 * right / total))


class RuleBuilder(widgets.VBox):
    """Build "IF feature sign value THEN label ELSE other label", then test it on new fish.

    Example::

        builder = RuleBuilder()                       # the fish you know, and 20 new fish
        builder.set_rule(("spots", ">", 5, "not safe"))   # same as using the dropdowns
        builder.test()                                # same as the "Test on new fish" button
        builder.accuracy                              # share of new fish it got right
    """

    feature = traitlets.Unicode("length_cm", help="The feature the rule asks about.")
    sign = traitlets.Unicode(">", help="The comparison: > < >= <= for numbers, == != for words.")
    value = traitlets.Union([traitlets.Float(), traitlets.Unicode()], default_value=30.0,
                            help="The number or word the feature is compared with.")
    label = traitlets.Unicode("safe", help="The answer when the IF is true.")
    train_accuracy = traitlets.Float(help="Share of the fish you know that the rule gets right.")
    accuracy = traitlets.Float(None, allow_none=True,
                               help="Share of new fish right after a test (None: not tested yet).")

    def __init__(self, train: Fish | None = None, new: Fish | None = None, name: str = "answer_rule"):
        self.train, self.new, self.name = train or load_fish("train"), new or load_fish("new"), name
        self._quiet = True
        style = {"description_width": "initial"}
        self.feature_box = widgets.Dropdown(options=[(feature_name(f), f) for f in FEATURES],
                                            description=_("IF"), style=style)
        self.sign_box = widgets.Dropdown(description=_("sign"), style=style,
                                         layout=widgets.Layout(width="140px"))
        self.number_box = widgets.FloatText(description=_("number"), style=style,
                                            layout=widgets.Layout(width="170px"))
        self.word_box = widgets.Dropdown(description=_("word"), style=style)
        self.label_box = widgets.Dropdown(options=[(value_name(v), v) for v in LABELS],
                                          description=_("THEN the fish is"), style=style)
        self.else_text = widgets.HTML()
        self.button = widgets.Button(description=_("Test on new fish"), icon="play",
                                     layout=widgets.Layout(width="auto"))
        self.button.add_class("manabu-rules-test")
        self.output = widgets.HTML()
        self.output.add_class("manabu-rules-out")
        rows = [widgets.HBox([self.feature_box, self.sign_box, self.number_box, self.word_box],
                             layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HBox([self.label_box, self.else_text], layout=widgets.Layout(flex_flow="row wrap")),
                self.button, self.output]
        super().__init__([style_widget("manabu-rules"), *rows])
        self.add_class("manabu-rules")
        self._show_boxes_for(self.feature, self.value)  # fill the boxes before linking them
        widgets.link((self.feature_box, "value"), (self, "feature"))
        widgets.link((self.sign_box, "value"), (self, "sign"))
        widgets.link((self.label_box, "value"), (self, "label"))
        self.number_box.observe(self._on_box_value, "value")
        self.word_box.observe(self._on_box_value, "value")
        self.button.on_click(lambda _button: self.test())
        self._quiet = False
        self._redraw()

    @property
    def rule(self) -> tuple:
        """The rule shown, as ``(feature, sign, value, label)``."""
        return check_rule((self.feature, self.sign, self.value, self.label))

    def set_rule(self, rule) -> None:
        """Show ``rule`` in the dropdowns (the twin of choosing them by hand)."""
        feature, sign, value, label = check_rule(rule)
        self._quiet = True
        try:
            self.feature, self.label = feature, label
            self._show_boxes_for(feature, value)
            self.sign, self.value = sign, value
        finally:
            self._quiet = False
        self.accuracy = None
        self._redraw()

    def test(self) -> float:
        """Try the rule on the new fish (the twin of the "Test on new fish" button)."""
        self.accuracy = rule_accuracy(self.rule, self.new)
        self._redraw()
        return self.accuracy

    def _show_boxes_for(self, feature: str, value) -> None:
        """Number field and > < signs for numbers; a word list and is / is not for words."""
        numeric = feature in NUMERIC
        if numeric:
            signs = [(s, s) for s in NUMBER_SIGNS]
            if not isinstance(value, (int, float)):
                value = float(np.median(self.train.column(feature)).round())
            self.number_box.value = value
        else:
            signs = [(_("is"), "=="), (_("is not"), "!=")]
            self.word_box.options = [(value_name(v), v) for v in CATEGORIES[feature]]
            value = value if value in CATEGORIES[feature] else CATEGORIES[feature][0]
            self.word_box.value = value
        keep = self.sign if self.sign in [v for _text, v in signs] else signs[0][1]
        self.sign_box.options = signs
        self.sign_box.value = keep
        self.sign = keep
        self.value = value
        self.number_box.layout.display = None if numeric else "none"
        self.word_box.layout.display = "none" if numeric else None

    @traitlets.observe("feature")
    def _on_feature(self, change) -> None:
        if not self._quiet:
            self._quiet = True
            try:
                self._show_boxes_for(change["new"], None)  # a new feature starts at a typical value
            finally:
                self._quiet = False
            self._changed()

    @traitlets.observe("sign", "value", "label")
    def _on_rule_part(self, change) -> None:
        if not self._quiet:
            self._changed()

    def _on_box_value(self, change) -> None:
        if not self._quiet and (change["owner"] is self.number_box) == (self.feature in NUMERIC):
            self.value = change["new"]

    def _changed(self) -> None:
        self.accuracy = None  # an old test result would describe a different rule
        self._redraw()

    def _redraw(self) -> None:
        rule = self.rule
        said = rule_predict(rule, self.train)
        right = int((said == self.train.labels).sum())
        self.train_accuracy = right / len(self.train)
        self.else_text.value = ('<span style="font-size:18px">' + _("ELSE the fish is {label}").format(
            label=label_html(other_label(rule[3]))) + "</span>")
        parts = [f'<div style="font-size:20px;font-weight:bold;margin:6px 0">{escape(rule_sentence(rule))}</div>',
                 "<div>" + score_text(right, len(self.train), _(
                     "On the {total} fish you know, this rule is right for {right} ({percent}%).")) + "</div>"]
        if self.accuracy is None:
            parts.append("<div>" + _(
                "Press “Test on new fish” to try your rule on {n} fish it has never seen.").format(
                n=len(self.new)) + "</div>")
        else:
            new_said = rule_predict(rule, self.new)
            new_right = int((new_said == self.new.labels).sum())
            parts.append('<div class="manabu-rules-score" style="font-size:20px;font-weight:bold">'
                         + score_text(new_right, len(self.new), _(
                             "New fish: {right} of {total} right ({percent}%).")) + "</div>")
            parts.append(fish_table_html(self.new, new_said))
        # in Japanese the line says what the child chose on screen, not English keys (#15 item 5)
        line = rule_code(rule, self.name, in_words=get_language() == "ja")
        offer(line, shown_in=self.output)
        parts.append("<div style=\"margin-top:6px\">" + copy_hint(_("To keep this rule, write: {code}").format(
            code=f"<code>{escape(line)}</code>")) + "</div>")
        self.output.value = f'<div style="font-size:18px">{"".join(parts)}</div>'


def bench_cases() -> list[tuple[str, Callable[[], None]]]:
    """One user event each, on a widget built once (``make bench`` times them)."""
    builder = RuleBuilder()
    features = itertools.cycle(["colour", "length_cm", "spots"])
    numbers = itertools.cycle([4.0, 5.0, 6.0])
    builder.set_rule(("spots", ">", 5, "not safe"))

    def change_feature() -> None:
        builder.feature = next(features)

    def change_number() -> None:
        if builder.feature not in NUMERIC:
            builder.set_rule(("spots", ">", 5, "not safe"))
        builder.number_box.value = next(numbers)

    return [("rules: choose a feature", change_feature),
            ("rules: type a number", change_number),
            ("rules: test on new fish", lambda: builder.button.click())]
