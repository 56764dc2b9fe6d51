"""The decision-tree game (e05): choose the questions, watch the tree and its regions redraw.

A tree is written as a dict of questions, each ``(feature, number)`` meaning
"is feature at most number?", or ``None`` for "no question, decide here"::

    answer_tree = {"root": ("length_cm", 20), "left": ("spots", 3), "right": ("spots", 8)}

"left" is asked when the first answer is yes, "right" when it is no.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from html import escape

import ipywidgets as widgets
import numpy as np
import traitlets

from course.a11y import A11y
from course.answerline import copy_hint, offer
from course.checks import CheckFailed
from course.data.fish import NUMERIC, Fish, feature_name, load_fish, value_name
from course.i18n import _
from course.models.tree import ManualTree, Node
from course.render import style_widget
from course.widgets.rules import LABEL_STYLE, label_html, score_text

PLACES = ("root", "left", "right")
EXAMPLE = '{"root": ("length_cm", 20), "left": None, "right": ("spots", 8)}'


class TreeError(CheckFailed, ValueError):
    """A tree written in a way the computer cannot read; ``str(err)`` says how to fix it."""


def check_tree(splits) -> dict:
    """Return ``splits`` as {place: (feature, whole number) or None}, or raise :class:`TreeError`."""
    if not isinstance(splits, dict) or not set(splits) <= set(PLACES) or "root" not in splits:
        raise TreeError(_('A tree is a dict with "root", "left" and "right", like this: {example}').format(
            example=EXAMPLE))
    clean = {}
    for place in PLACES:
        split = splits.get(place)
        if split is None:
            clean[place] = None
            continue
        if (not isinstance(split, (tuple, list)) or len(split) != 2 or isinstance(split[1], bool)
                or not isinstance(split[1], (int, float, np.integer, np.floating))):
            raise TreeError(_('Each question is a feature and a number, like ("spots", 8). '
                              'Check "{place}": {split}').format(place=place, split=split))
        if split[0] not in NUMERIC:
            raise TreeError(_("A tree can ask about: {features}. Check \"{place}\".").format(
                features=", ".join(NUMERIC), place=place))
        # the fish have whole-number features, so "at most 20.5" is the same as "at most 20"
        clean[place] = (split[0], math.floor(split[1]))
    if clean["root"] is None:
        clean["left"] = clean["right"] = None
    return clean


def fit_tree(splits, train: Fish) -> ManualTree:
    """The tree with these questions, its answers counted from the fish you know."""
    return ManualTree(check_tree(splits), feature_names=NUMERIC).fit(train.table(NUMERIC), train.labels)


def tree_accuracy(splits, data: Fish, train: Fish | None = None) -> float:
    """The share of fish in ``data`` the tree gets right; its answers come from ``train``
    (by default the fish you know from the same pond)."""
    tree = fit_tree(splits, train or load_fish("train", data.pond))
    return tree.score(data.table(NUMERIC), data.labels)


def tree_code(splits, name: str = "answer_tree") -> str:
    """The line to copy into the answer cell."""
    clean = check_tree(splits)
    parts = [f'"{p}": ' + ("None" if clean[p] is None else f'("{clean[p][0]}", {clean[p][1]})')
             for p in PLACES]
    return f"{name} = {{{', '.join(parts)}}}"


def question_text(feature: str, threshold: int) -> str:
    return _("Is {feature} {number} or less?").format(feature=feature_name(feature), number=threshold)


def counts_html(node: Node, classes) -> str:
    count = dict(zip(classes, node.counts, strict=True))
    return " ".join(f"{label_html(label)}&nbsp;{int(count.get(label, 0))}" for label in LABEL_STYLE)


def tree_html(tree: ManualTree) -> str:
    """The tree as boxes: each question box says how many fish of each kind reached it."""
    box = ('style="border:2px solid {c};border-radius:8px;padding:4px 8px;margin:2px;'
           'background:#fff;text-align:center;min-width:96px"')  # fits an iPad's portrait screen

    def draw(node: Node) -> str:
        counts = counts_html(node, tree.classes_)
        if node.is_leaf:
            label = tree.classes_[node.value]
            colour = LABEL_STYLE[label][0]
            inner = ('<div style="font-weight:bold">→ ' + label_html(label) + f"</div><div>{counts}</div>")
            return f'<div class="manabu-trees-leaf" {box.format(c=colour)}>{inner}</div>'
        question = escape(question_text(NUMERIC[node.feature], int(node.threshold)))
        sides = "".join(
            '<div style="display:flex;flex-direction:column;align-items:center">'
            f'<div style="font-weight:bold">{word} ↓</div>{draw(child)}</div>'
            for word, child in ((_("yes"), node.left), (_("no"), node.right)))
        return ('<div style="display:flex;flex-direction:column;align-items:center">'
                f'<div class="manabu-trees-question" {box.format(c="#555")}>'
                f'<div style="font-weight:bold">{question}</div><div>{counts}</div></div>'
                f'<div style="display:flex;gap:6px;align-items:flex-start">{sides}</div></div>')

    return f'<div style="font-size:16px;overflow-x:auto">{draw(tree.root_)}</div>'


def plot_axes(splits: dict) -> tuple[str, str, bool]:
    """(across, up, whole) features for the picture; ``whole`` is False when the tree uses
    a third feature that a flat picture cannot show."""
    used = list(dict.fromkeys(s[0] for s in splits.values() if s is not None))
    for extra in ("length_cm", "spots", "spikes"):
        if len(used) >= 2:
            break
        if extra not in used:
            used.append(extra)
    return used[0], used[1], len(used) <= 2


def regions_svg(tree: ManualTree, data: Fish, across: str, up: str, shade: bool = True) -> str:
    """Fish as dots (● safe, ▲ not safe, ring = wrong guess) over the regions the tree gives each answer."""
    W, H, pad = 420, 320, 48
    xs, ys = data.column(across).astype(float), data.column(up).astype(float)
    lo_x, hi_x, lo_y, hi_y = xs.min() - 1, xs.max() + 1, ys.min() - 1, ys.max() + 1

    def sx(v):
        return pad + (v - lo_x) / (hi_x - lo_x) * (W - pad - 10)

    def sy(v):
        return H - pad - (v - lo_y) / (hi_y - lo_y) * (H - pad - 10)

    parts = ['<defs><pattern id="manabu-hatch" patternUnits="userSpaceOnUse" width="8" height="8">'
             f'<path d="M0,8 L8,0" stroke="{LABEL_STYLE["not safe"][0]}" stroke-width="1.5" opacity="0.5"/>'
             "</pattern></defs>"]
    if shade:
        def boxes(node: Node, x0, x1, y0, y1):
            if node.is_leaf:
                yield node, x0, x1, y0, y1
                return
            cut = math.floor(node.threshold) + 0.5   # whole-number fish: between t and t + 1
            if NUMERIC[node.feature] == across:
                yield from boxes(node.left, x0, min(x1, cut), y0, y1)
                yield from boxes(node.right, max(x0, cut), x1, y0, y1)
            else:
                yield from boxes(node.left, x0, x1, y0, min(y1, cut))
                yield from boxes(node.right, x0, x1, max(y0, cut), y1)

        for node, x0, x1, y0, y1 in boxes(tree.root_, lo_x, hi_x, lo_y, hi_y):
            if x1 <= x0 or y1 <= y0:
                continue
            label = tree.classes_[node.value]
            px, py, pw, ph = sx(x0), sy(y1), sx(x1) - sx(x0), sy(y0) - sy(y1)
            rect = f'x="{px:.1f}" y="{py:.1f}" width="{pw:.1f}" height="{ph:.1f}"'
            parts.append(f'<rect {rect} fill="{LABEL_STYLE[label][0]}" fill-opacity="0.12" '
                         'stroke="#555" stroke-dasharray="4 3"/>')
            if label == "not safe":
                parts.append(f'<rect {rect} fill="url(#manabu-hatch)"/>')
            if pw > 70 and ph > 26:
                parts.append(f'<text x="{px + 4:.1f}" y="{py + 18:.1f}" font-size="15" fill="#333">'
                             f"{escape(value_name(label))}</text>")
    guess = tree.predict(data.table(NUMERIC))
    for x, y, label, said in zip(xs, ys, data.labels, guess, strict=True):
        colour = LABEL_STYLE[label][0]
        ring = 'stroke="#000" stroke-width="3"' if said != label else 'stroke="#fff" stroke-width="1"'
        cx, cy = sx(x), sy(y)
        if label == "safe":
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="6" fill="{colour}" {ring}/>')
        else:
            parts.append(f'<polygon points="{cx:.1f},{cy - 7:.1f} {cx - 7:.1f},{cy + 5:.1f} '
                         f'{cx + 7:.1f},{cy + 5:.1f}" fill="{colour}" {ring}/>')
    for v in range(int(lo_x) + 1, int(hi_x) + 1):
        if v % (10 if hi_x - lo_x > 30 else 2) == 0:
            parts.append(f'<text x="{sx(v):.1f}" y="{H - pad + 18}" font-size="14" text-anchor="middle">{v}</text>')
    for v in range(int(lo_y) + 1, int(hi_y) + 1):
        if v % (10 if hi_y - lo_y > 30 else 2) == 0:
            parts.append(f'<text x="{pad - 6}" y="{sy(v) + 5:.1f}" font-size="14" text-anchor="end">{v}</text>')
    parts.append(f'<text x="{(W + pad) / 2:.0f}" y="{H - 8}" font-size="16" text-anchor="middle">'
                 f"{escape(feature_name(across))} →</text>")
    parts.append(f'<text x="14" y="{(H - pad) / 2:.0f}" font-size="16" text-anchor="middle" '
                 f'transform="rotate(-90 14 {(H - pad) / 2:.0f})">{escape(feature_name(up))} →</text>')
    title = escape(_("Fish by {across} and {up}").format(across=feature_name(across), up=feature_name(up)))
    return (f'<svg role="img" aria-label="{title}" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
            f'style="background:#fff;border:1px solid #ccc">{"".join(parts)}</svg>')


def legend_html() -> str:
    return ('<div style="font-size:16px">' + label_html("safe") + " &nbsp; " + label_html("not safe")
            + " &nbsp; " + _("black ring: the tree guesses wrong") + "</div>")


class TreeBuilder(widgets.VBox):
    """Choose a first question and one question on each side; see the tree, its regions and accuracy.

    Example::

        game = TreeBuilder()                       # the lake fish (lesson e05)
        game.set_split("root", "length_cm", 20)    # same as the dropdown and the slider
        game.set_split("left", "spots", 3)
        game.set_split("right", None)              # no question: decide here
        game.train_accuracy, game.new_accuracy
    """

    root_feature = traitlets.Unicode("spots", help="First question: the feature ('' = none).")
    root_threshold = traitlets.Int(6, help="First question: is the feature at most this?")
    left_feature = traitlets.Unicode("", help="Question when the first answer is yes ('' = none).")
    left_threshold = traitlets.Int(0, help="Number for the yes-side question.")
    right_feature = traitlets.Unicode("", help="Question when the first answer is no ('' = none).")
    right_threshold = traitlets.Int(0, help="Number for the no-side question.")
    train_accuracy = traitlets.Float(help="Share of the fish you know that the tree gets right.")
    new_accuracy = traitlets.Float(help="Share of the new fish that the tree gets right.")

    def __init__(self, train: Fish | None = None, new: Fish | None = None, name: str = "answer_tree"):
        self.train = train or load_fish("train", "lake")
        self.new = new or load_fish("new", "lake")
        self.name = name
        both = {f: np.concatenate([self.train.column(f), self.new.column(f)]) for f in NUMERIC}
        self.ranges = {f: (int(v.min()), int(v.max())) for f, v in both.items()}
        self._quiet = True
        style = {"description_width": "initial"}
        titles = {"root": _("First question"), "left": _("If yes, ask"), "right": _("If no, ask")}
        options = [(_("(no question: decide)"), "")] + [(feature_name(f), f) for f in NUMERIC]
        self.feature_boxes, self.sliders, self.questions, rows = {}, {}, {}, []
        for place in PLACES:
            box = widgets.Dropdown(options=options, value="", description=titles[place], style=style)
            slider = widgets.IntSlider(description=_("number"), style=style, continuous_update=True,
                                       layout=widgets.Layout(width="300px"))
            slider.add_class(f"manabu-trees-{place}-threshold")
            question = widgets.HTML()
            widgets.link((box, "value"), (self, f"{place}_feature"))
            widgets.link((slider, "value"), (self, f"{place}_threshold"))
            self.feature_boxes[place], self.sliders[place], self.questions[place] = box, slider, question
            rows.append(widgets.HBox([box, slider, question], layout=widgets.Layout(
                flex_flow="row wrap", align_items="center")))
        self.output = widgets.HTML()
        self.output.add_class("manabu-trees-out")
        super().__init__([style_widget("manabu-trees"), *rows, self.output, A11y()])
        self.add_class("manabu-trees")
        self._quiet = False
        self.set_split("root", "spots", 6)

    @property
    def splits(self) -> dict:
        """The questions shown, as ``{"root": ..., "left": ..., "right": ...}``."""
        splits = {p: (getattr(self, f"{p}_feature"), getattr(self, f"{p}_threshold"))
                  if getattr(self, f"{p}_feature") else None for p in PLACES}
        return check_tree(splits)

    def set_split(self, place: str, feature: str | None, threshold: float | None = None) -> None:
        """Ask "is ``feature`` at most ``threshold``?" at ``place`` (``"root"``, ``"left"`` or ``"right"``);
        ``feature=None`` removes the question there."""
        if place not in PLACES:
            raise TreeError(_('The places in a tree are "root", "left" and "right".'))
        if feature is not None:
            check_tree({"root": (feature, 0 if threshold is None else threshold)})
        self._quiet = True
        try:
            setattr(self, f"{place}_feature", feature or "")
            self._fit_slider(place)
            if feature and threshold is not None:
                setattr(self, f"{place}_threshold", math.floor(threshold))
        finally:
            self._quiet = False
        self._redraw()

    def _fit_slider(self, place: str) -> None:
        """Give the slider the range of the chosen feature (and switch it off for no question)."""
        feature, slider = getattr(self, f"{place}_feature"), self.sliders[place]
        if feature:
            lo, hi = self.ranges[feature]
            middle = (lo + hi) // 2
            value = slider.value if lo <= slider.value <= hi else middle
            slider.min, slider.max = min(lo, slider.min), max(hi, slider.max)  # never clip on the way
            slider.value = value
            slider.min, slider.max = lo, hi
        slider.disabled = not feature
        if place == "root":
            for side in ("left", "right"):
                self.feature_boxes[side].disabled = not feature

    @traitlets.observe("root_feature", "left_feature", "right_feature")
    def _on_feature(self, change) -> None:
        if not self._quiet:
            self._quiet = True
            try:
                self._fit_slider(change["name"].removesuffix("_feature"))
            finally:
                self._quiet = False
            self._redraw()

    @traitlets.observe("root_threshold", "left_threshold", "right_threshold")
    def _on_threshold(self, change) -> None:
        if not self._quiet:
            self._redraw()

    def _redraw(self) -> None:
        splits = self.splits
        tree = fit_tree(splits, self.train)
        for place in PLACES:
            split = splits[place]
            self.questions[place].value = ("" if split is None else
                                           f'<span style="font-size:18px">{escape(question_text(*split))}</span>')
        right = int((tree.predict(self.train.table(NUMERIC)) == self.train.labels).sum())
        new_right = int((tree.predict(self.new.table(NUMERIC)) == self.new.labels).sum())
        self.train_accuracy, self.new_accuracy = right / len(self.train), new_right / len(self.new)
        across, up, whole = plot_axes(splits)
        note = "" if whole else ("<div>" + _("This tree asks about 3 features, so the picture "
                                            "cannot show its regions. Try using only 2.") + "</div>")
        scores = ('<div class="manabu-trees-score" style="font-size:20px;font-weight:bold">'
                  + score_text(right, len(self.train), _("Fish you know: {right} of {total} right ({percent}%)."))
                  + "<br>" + score_text(new_right, len(self.new), _("New fish: {right} of {total} right ({percent}%)."))
                  + "</div>")
        line = tree_code(splits, self.name)
        offer(line, shown_in=self.output)
        code = copy_hint(_("To keep this tree, write: {code}").format(code=f"<code>{escape(line)}</code>"))
        self.output.value = (
            f'<div style="font-size:18px">{tree_html(tree)}{scores}'
            '<div style="display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start;margin-top:6px">'
            f"<div>{regions_svg(tree, self.train, across, up, shade=whole)}{legend_html()}{note}</div></div>"
            f'<div style="margin-top:6px">{code}</div></div>')


def bench_cases() -> list[tuple[str, Callable[[], None]]]:
    """One user event each, on a widget built once (``make bench`` times them)."""
    game = TreeBuilder()
    game.set_split("root", "length_cm", 20)
    game.set_split("left", "spots", 3)
    numbers = itertools.cycle([5, 6, 7, 8])
    features = itertools.cycle(["spots", "spikes", "length_cm", ""])

    def move_slider() -> None:
        game.sliders["left"].value = next(numbers)

    def choose_feature() -> None:
        game.feature_boxes["right"].value = next(features)

    return [("trees: move a slider", move_slider), ("trees: choose a feature", choose_feature)]
