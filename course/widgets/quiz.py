"""Sort cards into groups (``ChoiceCards``) and answer one question (``MultipleChoice``),
each with a Check button that answers at once: ✔ or ✘ in words, never colour alone."""

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape

import ipywidgets as widgets
import traitlets

from course.answerline import copy_hint, offer
from course.i18n import _
from course.render import scoped_style
from course.style import OKABE_ITO

BIG = {"font_size": "18px"}
CSS = scoped_style("manabu-quiz", {".widget-label, label, select, button": "line-height:1.5",
                                 ".widget-hbox": "gap:10px;align-items:center",
                                 "select, .widget-dropdown": "height:auto"})
RIGHT, WRONG = OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"]


def _mark(ok: bool, text: str) -> str:
    """A ✔/✘ line: the symbol and the words carry the meaning, the colour only helps."""
    colour, symbol = (RIGHT, "✔") if ok else (WRONG, "✘")
    return f'<span style="font-size:18px;color:{colour};font-weight:bold">{symbol} {escape(text)}</span>'


def _copy_line(name: str, value: str, shown_in: widgets.HTML) -> str:
    """The answer line to copy, shown in ``shown_in``; a tap also offers it to the JupyterLab
    extension, and once it is written the widget says so instead."""
    line = f"{name} = {json.dumps(value, ensure_ascii=False)}"  # valid Python, any quotes
    offer(line, shown_in=shown_in)
    code = escape(line, quote=False)
    return ('<div style="font-size:18px;margin-top:6px">'
            + copy_hint(_("To answer, copy this line into the answer cell: {code}").format(
                code=f'<code style="font-size:18px">{code}</code>')) + "</div>")


class ChoiceCards(widgets.VBox):
    """Cards to sort into groups: each card has a drop-down to pick its group, and Check says
    which cards are right.

    Example::

        cards = ChoiceCards(["robot vacuum", "smart speaker", "thermometer"],
                            ["senses", "decides", "learns"],
                            answers={"robot vacuum": "decides", "smart speaker": "learns",
                                     "thermometer": "senses"},
                            emoji={"robot vacuum": "🧹"})
        cards                                  # pick a group for each card, then press Check
        cards.sort_item("thermometer", "senses")   # or from code
        cards.check()                          # "1 of 3 right"
        cards.n_correct                        # 1
    """

    assignments = traitlets.Dict(help="The group chosen for each card: {card: group}; "
                                      "cards not sorted yet are left out.")
    n_correct = traitlets.Int(0, help="How many cards are in their right group now.")
    checked = traitlets.Bool(False, help="True after Check, until a card moves again.")

    def __init__(self, items: list[str], categories: list[str], answers: dict[str, str] | None = None,
                 emoji: dict[str, str] | None = None, hints: dict[str, str] | None = None,
                 name: str | None = None):
        if len(set(items)) != len(items):
            raise ValueError("Each card needs its own text: some items are the same.")
        unknown = {g for g in (answers or {}).values() if g not in categories}
        if unknown:
            raise ValueError(f"These answers are not among the groups {categories}: {sorted(unknown)}")
        self.items, self.categories = list(items), list(categories)
        self.answers, self.hints, self.name = dict(answers or {}), dict(hints or {}), name
        emoji = emoji or {}
        self.menus: dict[str, widgets.Dropdown] = {}
        self.marks: dict[str, widgets.HTML] = {}
        rows = []
        for item in self.items:
            label = widgets.HTML(f'<span style="font-size:18px">{escape(emoji.get(item, ""))} '
                                 f"{escape(item)}</span>", layout=widgets.Layout(width="220px"))
            menu = widgets.Dropdown(options=[(_("— choose —"), None)] + [(c, c) for c in self.categories],
                                    value=None, description=_("Group:"), style={"description_width": "initial"},
                                    layout=widgets.Layout(width="240px"))
            menu.observe(self._on_menu, "value")
            self.menus[item], self.marks[item] = menu, widgets.HTML()
            rows.append(widgets.HBox([label, menu, self.marks[item]],
                                     layout=widgets.Layout(align_items="center")))
        self.button = widgets.Button(description=_("Check"), icon="check", button_style="primary",
                                     style=BIG)
        self.button.add_class("manabu-quiz-check")
        self.button.on_click(lambda _button: self.check())
        self.output = widgets.HTML()
        self.output.add_class("manabu-quiz-out")
        super().__init__([widgets.HTML(CSS), *rows, widgets.HBox([self.button, self.output],
                                              layout=widgets.Layout(align_items="center"))])
        self.add_class("manabu-quiz")
        self.add_class("manabu-quiz-cards")

    def _on_menu(self, change) -> None:
        item = next(i for i, menu in self.menus.items() if menu is change["owner"])
        chosen = {**self.assignments}
        if change["new"] is None:
            chosen.pop(item, None)
        else:
            chosen[item] = change["new"]
        self.assignments = chosen

    @traitlets.observe("assignments")
    def _on_assignments(self, change) -> None:
        for item, menu in self.menus.items():       # setting the trait moves the menus too
            menu.value = self.assignments.get(item)
        self.n_correct = sum(self.answers.get(i) == g for i, g in self.assignments.items())
        if self.checked:                           # old ✔/✘ would now be wrong: wipe them
            self.checked = False
            for mark in self.marks.values():
                mark.value = ""
            self.output.value = ""
        if self.name:
            self.output.value = _copy_line(self.name, self._ordered(), self.output) if self.assignments else ""

    def _ordered(self) -> dict[str, str]:
        return {i: self.assignments[i] for i in self.items if i in self.assignments}

    def sort_item(self, item: str, category: str | None) -> None:
        """Put a card into a group (``None`` takes it out), as its drop-down does."""
        if item not in self.menus:
            raise ValueError(f"There is no card {item!r}. The cards are: {', '.join(self.items)}")
        if category is not None and category not in self.categories:
            raise ValueError(f"There is no group {category!r}. The groups are: {', '.join(self.categories)}")
        self.menus[item].value = category

    def check(self) -> int:
        """Mark each card ✔ or ✘ and say how many are right, as the Check button does."""
        for item in self.items:
            chosen = self.assignments.get(item)
            if chosen is None:
                self.marks[item].value = f'<span style="font-size:18px">? {escape(_("Pick a group."))}</span>'
            elif chosen == self.answers.get(item):
                self.marks[item].value = _mark(True, _("Right!"))
            else:
                self.marks[item].value = _mark(False, self.hints.get(item) or _("Not yet. Think again."))
        total = len(self.items)
        text = _("{n} of {total} right.").format(n=self.n_correct, total=total)
        if self.n_correct == total:
            text += " " + _("All right, well done!")
        elif len(self.assignments) < total:
            text += " " + _("Pick a group for every card.")
        else:
            text += " " + _("Change the cards with ✘, then check again.")
        summary = f'<div style="font-size:18px;font-weight:bold">{escape(text)}</div>'
        if self.name and self.assignments:
            summary += _copy_line(self.name, self._ordered(), self.output)
        self.output.value = summary
        self.checked = True
        return self.n_correct


class MultipleChoice(widgets.VBox):
    """One question with options a, b, c…: pick one, press Check, and get an answer at once.
    With a ``name`` it shows the exact line to copy into the answer cell.

    Example::

        quiz = MultipleChoice("Which one learns from examples?",
                              ["a toaster", "a spam filter", "a light switch"],
                              answer="b", name="answer_learns")
        quiz.choose("b")        # same as clicking option b
        quiz.check()            # True, and it shows ✔
    """

    choice = traitlets.Unicode(None, allow_none=True, help="The letter picked (None: nothing yet).")
    correct = traitlets.Bool(None, allow_none=True, help="After Check: True if right, False if not.")

    def __init__(self, question: str, options: list[str] | dict[str, str], answer: str | None = None,
                 explain: dict[str, str] | str | None = None, name: str | None = None):
        if not isinstance(options, dict):
            options = {chr(ord("a") + i): text for i, text in enumerate(options)}
        if answer is not None and answer not in options:
            raise ValueError(f"The answer {answer!r} is not one of the letters {', '.join(options)}.")
        self.options, self.answer, self.name = dict(options), answer, name
        self.explain = explain if isinstance(explain, dict) else ({answer: explain} if explain else {})
        self.question = widgets.HTML(f'<div style="font-size:20px;font-weight:bold">{escape(question)}</div>')
        self.radio = widgets.RadioButtons(options=[(f"{k}) {v}", k) for k, v in self.options.items()],
                                          value=None, layout=widgets.Layout(width="auto"))
        widgets.link((self.radio, "value"), (self, "choice"))
        self.button = widgets.Button(description=_("Check"), icon="check", button_style="primary", style=BIG)
        self.button.add_class("manabu-quiz-check")
        self.button.on_click(lambda _button: self.check())
        self.feedback = widgets.HTML()
        self.output = widgets.HTML()
        self.output.add_class("manabu-quiz-out")
        super().__init__([widgets.HTML(CSS), self.question, self.radio, widgets.HBox([self.button, self.feedback]),
                          self.output])
        self.add_class("manabu-quiz")
        self.add_class("manabu-quiz-choice")
        self._redraw()

    @traitlets.validate("choice")
    def _valid_choice(self, proposal) -> str | None:
        letter = proposal["value"]
        if letter is not None and letter not in self.options:
            raise ValueError(f"There is no option {letter!r}: pick one of {', '.join(self.options)}.")
        return letter

    @traitlets.observe("choice")
    def _on_choice(self, change) -> None:
        self.correct = None
        if hasattr(self, "output"):
            self.feedback.value = ""
            self._redraw()

    def _redraw(self) -> None:
        if self.choice is None:
            self.output.value = f'<div style="font-size:18px">{escape(_("Pick one answer."))}</div>'
        elif self.name:
            self.output.value = _copy_line(self.name, self.choice, self.output)
        else:
            self.output.value = f'<div style="font-size:18px">{escape(_("You picked {letter}.").format(letter=self.choice))}</div>'

    def choose(self, letter: str | None) -> None:
        """Pick an option by its letter, as clicking it does."""
        self.choice = letter

    def check(self) -> bool | None:
        """Say whether the choice is right, as the Check button does (None: nothing to check)."""
        if self.choice is None:
            self.feedback.value = f'<span style="font-size:18px">? {escape(_("Pick one answer first."))}</span>'
            return None
        if self.answer is None:                    # a graded question: the widget does not tell
            self.feedback.value = f'<span style="font-size:18px">{escape(_("Good. Now copy the line below into the answer cell."))}</span>'
            return None
        self.correct = self.choice == self.answer
        why = self.explain.get(self.choice, "")
        text = _("Right!") if self.correct else _("Not yet. Read the options again and try another one.")
        self.feedback.value = _mark(self.correct, f"{text} {why}".strip())
        return self.correct


Quiz = MultipleChoice


def bench_cases() -> list[tuple[str, Callable[[], None]]]:
    """One user event each, on widgets built once (``make bench`` times them)."""
    items = ["robot vacuum", "smart speaker", "thermometer", "camera app", "calculator", "map app"]
    groups = ["senses", "decides", "learns"]
    cards = ChoiceCards(items, groups, answers=dict(zip(items, groups * 2, strict=True)), name="answer_sort")
    quiz = MultipleChoice("Which one learns?", ["a toaster", "a spam filter", "a switch"], answer="b",
                          name="answer_learns")
    state = {"i": 0}

    def sort_a_card() -> None:
        state["i"] += 1
        i = state["i"]                       # a different group each time the same card comes back
        cards.sort_item(items[i % len(items)], groups[(i + i // len(items)) % 3])

    def pick() -> None:
        state["i"] += 1
        quiz.choose("abc"[state["i"] % 3])

    return [("cards: pick a group", sort_a_card), ("cards: check", cards.check),
            ("quiz: pick an option", pick), ("quiz: check", quiz.check)]
