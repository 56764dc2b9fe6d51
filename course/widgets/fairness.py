"""Is it fair? ``DataMixer`` (e06): choose how many examples come from each group and see how
well the robot understands each group. ``ThresholdAudit`` (j08): move a detector's threshold,
compare its error rates per group and fill in a model card."""

from __future__ import annotations

import json
from html import escape

import ipywidgets as widgets
import numpy as np
import traitlets

from course.a11y import A11y
from course.answerline import copy_hint, offer
from course.data import groups as gd
from course.i18n import _
from course.render import style_widget
from course.style import OKABE_ITO

GOOD, BAD = OKABE_ITO["blue"], OKABE_ITO["vermillion"]
BAR_WIDTH = 300  # px for 100%


def group_name(group: str) -> str:
    """The translated name of a group, for labels."""
    return {
        "children": _("children"),
        "adults": _("adults"),
        "grandparents": _("grandparents"),
        "first_language": _("first-language writers"),
        "learner": _("language learners"),
    }.get(group, group)


def percent_bar_html(label: str, share: float, text: str, colour: str = GOOD,
                     goal: float | None = None) -> str:
    """One labelled horizontal bar for a share from 0 to 1, its value written beside it
    (never colour alone) and, optionally, a dashed line at the goal."""
    share = 0.0 if np.isnan(share) else float(share)
    goal_line = ""
    if goal is not None:
        goal_line = (f'<span title="{escape(_("goal"))}" style="position:absolute;top:-3px;bottom:-3px;'
                     f'left:{100 * goal:.1f}%;border-left:3px dashed {OKABE_ITO["black"]}"></span>')
    return (
        # wraps and shrinks on a narrow screen (an iPad in portrait) instead of sticking out
        '<div style="display:flex;flex-wrap:wrap;align-items:center;gap:8px;font-size:18px;margin:3px 0">'
        f'<span style="min-width:9em">{escape(label)}</span>'
        f'<span style="position:relative;display:inline-block;width:{BAR_WIDTH}px;max-width:100%;height:20px;'
        f'background:#eee;border:1px solid #999">'
        f'<span style="position:absolute;left:0;top:0;bottom:0;width:{100 * share:.1f}%;'
        f'background:{colour}"></span>{goal_line}</span>'
        f"<span>{text}</span></div>"
    )


def pct(share: float) -> str:
    """A share from 0 to 1 as a whole percent ("–" when there is nothing to count)."""
    return "–" if np.isnan(share) else f"{round(100 * share)}%"


class DataMixer(widgets.VBox):
    """Choose how many recordings from each group the robot car learns from, and see how
    often it understands each group ("go" or "stop"). Goal: every group at least 85% right.

    Example::

        mixer = DataMixer()
        mixer.set_mix({"children": 20, "adults": 20, "grandparents": 20})   # = moving sliders
        mixer.drop("adults")          # = ticking "Leave out adults"
        mixer.accuracy                # {"children": 0.96, ...}
        mixer.fair                    # True when every group reaches the goal
    """

    counts = traitlets.Dict(help="Recordings chosen per group (the slider values).")
    dropped = traitlets.List(traitlets.Unicode(), help="Groups left out (their checkbox is ticked).")
    accuracy = traitlets.Dict(help="Share of new recordings understood, per group (0 to 1).")
    fair = traitlets.Bool(False, help="True when every group reaches the goal.")

    def __init__(self, mix: dict | None = None, goal: float = gd.GOAL, budget: int | None = None,
                 name: str | None = "answer_mix"):
        self.goal, self.budget, self.name = goal, budget, name
        self._quiet = True
        style = {"description_width": "initial"}
        self.sliders = {g: widgets.IntSlider(0, min=0, max=gd.POOL, description=_(
            "Examples from {group}").format(group=group_name(g)), style=style,
            layout=widgets.Layout(width="420px")) for g in gd.GROUPS}
        self.checkboxes = {g: widgets.Checkbox(False, description=_("Leave out {group}").format(
            group=group_name(g)), style=style, indent=False) for g in gd.GROUPS}
        for g in gd.GROUPS:
            self.sliders[g].add_class(f"manabu-fairness-{g}")
            self.sliders[g].observe(self._on_slider, "value")
            self.checkboxes[g].observe(self._on_checkbox, "value")
        rows = [widgets.HBox([self.sliders[g], self.checkboxes[g]],
                             layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
                for g in gd.GROUPS]
        self.output = widgets.HTML(layout=widgets.Layout(min_height="220px"))
        self.output.add_class("manabu-fairness-out")
        super().__init__([style_widget("manabu-fairness"), *rows, self.output, A11y()])
        self.add_class("manabu-fairness")
        self.add_class("manabu-fairness-mixer")
        self._test = gd.load_voices("test")
        self.counts = mix if mix is not None else {"adults": gd.POOL}
        self._quiet = False
        self._redraw()

    # --- twins
    def set_mix(self, mix: dict, dropped=None) -> None:
        """Set the sliders at once (missing groups: 0); optionally which groups are left out."""
        self._quiet = True
        try:
            self.counts = mix
            if dropped is not None:
                self.dropped = list(dropped)
        finally:
            self._quiet = False
        self._redraw()

    def drop(self, group: str, leave_out: bool = True) -> None:
        """Tick (or untick) "Leave out <group>"."""
        self.checkboxes[group].value = leave_out

    @property
    def mix(self) -> dict[str, int]:
        """Recordings the robot actually learns from: left-out groups count 0."""
        return {g: 0 if g in self.dropped else self.counts.get(g, 0) for g in gd.GROUPS}

    # --- handlers
    def _on_slider(self, change) -> None:
        group = next(g for g, s in self.sliders.items() if s is change["owner"])
        if self.counts.get(group) != change["new"]:
            self.counts = {**self.counts, group: change["new"]}

    def _on_checkbox(self, change) -> None:
        group = next(g for g, c in self.checkboxes.items() if c is change["owner"])
        rest = [g for g in self.dropped if g != group]
        self.dropped = [*rest, group] if change["new"] else rest

    @traitlets.validate("counts")
    def _valid_counts(self, proposal):
        return gd.check_mix(proposal["value"])

    @traitlets.validate("dropped")
    def _valid_dropped(self, proposal):
        unknown = [g for g in proposal["value"] if g not in gd.GROUPS]
        if unknown:
            raise traitlets.TraitError(
                f"There is no group {unknown[0]!r}. The groups are: {', '.join(gd.GROUPS)}.")
        return proposal["value"]

    @traitlets.observe("counts")
    def _on_counts(self, change) -> None:
        for g, s in self.sliders.items():
            s.value = change["new"].get(g, 0)
        if not self._quiet:
            self._redraw()

    @traitlets.observe("dropped")
    def _on_dropped(self, change) -> None:
        for g in gd.GROUPS:
            self.checkboxes[g].value = g in change["new"]
            self.sliders[g].disabled = g in change["new"]
        if not self._quiet:
            self._redraw()

    def _redraw(self) -> None:
        mix = self.mix
        total = sum(mix.values())
        model = gd.train_on_mix(mix)
        self.accuracy = gd.accuracy_by_group(model, self._test)
        over = self.budget is not None and total > self.budget
        self.fair = model is not None and not over and all(a >= self.goal for a in self.accuracy.values())
        goal = pct(self.goal)
        parts = [f'<div style="font-size:18px">{_("The robot learns from {total} recordings.").format(total=total)}'
                 + (" " + _("You may use {budget}.").format(budget=self.budget) if self.budget else "")
                 + "</div>",
                 f'<div style="font-size:18px;margin:6px 0">{_("Right answers on new recordings, per group (dashed line: goal {goal}):").format(goal=goal)}</div>']
        for g in gd.GROUPS:
            a = self.accuracy[g]
            ok = a >= self.goal
            n = len(self._test.of(g))
            mark = "✔" if ok else "✘ " + _("below {goal}").format(goal=goal)
            text = _("{pct} right ({right} of {n})").format(pct=pct(a), right=round(a * n), n=n) + " " + mark
            parts.append(percent_bar_html(group_name(g), a, text, GOOD if ok else BAD, goal=self.goal))
        if model is None:
            verdict = _("The robot has nothing to learn from. Move a slider to the right.")
        elif over:
            verdict = _("That is {total} recordings, but you may use only {budget}. Move a slider to the left.").format(
                total=total, budget=self.budget)
        elif self.fair:
            verdict = "✔ " + _("Every group is at {goal} or more!").format(goal=goal)
            if self.name:  # name=None: practice, with no answer cell to write to
                offer(f"{self.name} = {json.dumps(mix)}", shown_in=self.output)
                line = f"<code>{escape(self.name)} = {escape(json.dumps(mix))}</code>"
                verdict += "<br>" + copy_hint(_("Write this in the answer cell: {code}").format(code=line))
        else:
            worst = min(self.accuracy, key=self.accuracy.get)
            verdict = _("Not yet: the robot understands {group} only {pct} of the time. Try more examples from {group}.").format(
                group=group_name(worst), pct=pct(self.accuracy[worst]))
        parts.append(f'<div class="manabu-verdict" style="font-size:20px;font-weight:bold;margin-top:8px">{verdict}</div>')
        self.output.value = "".join(parts)


class ThresholdAudit(widgets.VBox):
    """Move the threshold of a score model and compare, per group, how many positives it
    catches (true positive rate), how many negatives it wrongly flags (false positive rate)
    and how often it is right. Then write a model card.

    By default: an "AI-writing detector" on 200 essays (``course.data.groups.load_essays``);
    an essay is flagged as AI-written when its score is at least the threshold.

    Example::

        audit = ThresholdAudit(rule={"max_fpr": 0.10, "min_tpr": 0.6})
        audit.threshold = 0.6           # = moving the slider
        audit.rates                     # {"first_language": {"tpr": ..., "fpr": ..., "accuracy": ...}, ...}
        audit.limits = "Flags more honest essays by language learners."
        audit.card()                    # the model card as a dict; audit.card_markdown() as text
    """

    threshold = traitlets.Float(0.5, help="Scores at or above this are flagged as positive.")
    rates = traitlets.Dict(help="group_rates(...) at the current threshold.")
    meets = traitlets.Bool(None, allow_none=True, help="Whether the rule holds (None: no rule).")
    intended_use = traitlets.Unicode("", help="Model card: what the model is for, and for whom.")
    training_data = traitlets.Unicode("", help="Model card: what data it was made and tested with.")
    limits = traitlets.Unicode("", help="Model card: where it goes wrong, and what not to use it for.")

    def __init__(self, scores=None, y_true=None, groups=None, threshold: float = 0.5,
                 rule: dict | None = None, model_name: str | None = None, name: str = "answer_threshold"):
        if scores is None:
            essays = gd.load_essays()
            scores, y_true, groups = essays.scores, essays.y_true, essays.groups
        self.scores, self.y_true, self.groups = np.asarray(scores), np.asarray(y_true), np.asarray(groups)
        self.rule, self.name = rule, name
        self.model_name = model_name or _("AI-writing detector")
        style = {"description_width": "initial"}
        self.slider = widgets.FloatSlider(threshold, min=0.05, max=0.95, step=0.05, readout_format=".2f",
                                          description=_("Threshold"), style=style,
                                          layout=widgets.Layout(width="420px"))
        self.slider.add_class("manabu-fairness-threshold")
        self.output = widgets.HTML(layout=widgets.Layout(min_height="260px"))
        self.output.add_class("manabu-fairness-out")
        area = {"layout": widgets.Layout(width="95%", height="4em"), "style": {"description_width": "10em"}}
        self.fields = {
            "intended_use": widgets.Textarea(description=_("Intended use"), placeholder=_(
                "What is it for? Who uses it?"), **area),
            "training_data": widgets.Textarea(description=_("Data"), placeholder=_(
                "What data was it made and tested with?"), **area),
            "limits": widgets.Textarea(description=_("Limits"), placeholder=_(
                "Where does it go wrong? What should it not be used for?"), **area),
        }
        self.card_view = widgets.HTML()
        self.card_view.add_class("manabu-fairness-card")
        heading = widgets.HTML(f'<div style="font-size:20px;font-weight:bold;margin-top:10px">{_("Model card")}</div>')
        super().__init__([style_widget("manabu-fairness"), self.slider, self.output, heading, *self.fields.values(), self.card_view, A11y()])
        self.add_class("manabu-fairness")
        self.add_class("manabu-fairness-audit")
        widgets.link((self.slider, "value"), (self, "threshold"))
        for key, box in self.fields.items():
            widgets.link((box, "value"), (self, key))
        self.threshold = threshold
        self._redraw()

    @traitlets.validate("threshold")
    def _valid_threshold(self, proposal):
        return round(float(proposal["value"]), 2)  # a slider's 0.7000000000000001 is 0.70

    @traitlets.observe("threshold")
    def _on_threshold(self, change) -> None:
        if hasattr(self, "card_view"):
            self._redraw()

    @traitlets.observe("intended_use", "training_data", "limits")
    def _on_card_field(self, change) -> None:
        if hasattr(self, "card_view"):
            self.card_view.value = self._card_html()

    def _redraw(self) -> None:
        pred = gd.predict_at(self.scores, self.threshold)
        self.rates = gd.group_rates(self.y_true, pred, self.groups)
        self.meets = None if self.rule is None else gd.meets_rule(self.rates, **self.rule)
        heads = [_("Group"), _("True positive rate (positives caught)"),
                 _("False positive rate (negatives wrongly flagged)"), _("Accuracy")]
        cell = 'style="border:1px solid #999;padding:4px 8px;text-align:{}"'
        rows = "".join(
            f"<tr><th {cell.format('left')}>{escape(group_name(g))}</th>"
            + "".join(f"<td {cell.format('right')}>{pct(r[key])}</td>" for key in ("tpr", "fpr", "accuracy"))
            + "</tr>" for g, r in self.rates.items())
        table = ('<table style="border-collapse:collapse;font-size:18px;margin:6px 0">'
                 + "<tr>" + "".join(f"<th {cell.format('center')}>{escape(h)}</th>" for h in heads) + "</tr>"
                 + f"{rows}</table>")
        bars = []
        for key, title in (("tpr", _("Positives caught (higher is better)")),
                           ("fpr", _("Negatives wrongly flagged (lower is better)"))):
            bars.append(f'<div style="font-size:18px;margin-top:6px;font-weight:bold">{escape(title)}</div>')
            for i, (g, r) in enumerate(self.rates.items()):
                colour = (OKABE_ITO["blue"], OKABE_ITO["orange"])[i % 2]
                bars.append(percent_bar_html(group_name(g), r[key], pct(r[key]), colour))
        fprs = [r["fpr"] for r in self.rates.values()]
        gap = _("Gap in false positive rate between groups: {gap} points.").format(
            gap=round(100 * (max(fprs) - min(fprs))))
        parts = [table, *bars, f'<div style="font-size:18px;margin-top:6px">{gap}</div>']
        if self.meets is not None:
            if self.meets:
                offer(f"{self.name} = {self.threshold:.2f}", shown_in=self.output)
                line = f"<code>{escape(self.name)} = {self.threshold:.2f}</code>"
                text = "✔ " + copy_hint(_("This threshold keeps the rule for every group. Write: {code}").format(code=line))
            else:
                text = "✘ " + _("Not yet: at least one group breaks the rule. Try another threshold.")
            parts.append(f'<div class="manabu-verdict" style="font-size:20px;font-weight:bold;margin-top:8px">{text}</div>')
        self.output.value = "".join(parts)
        self.card_view.value = self._card_html()

    # --- the model card
    def card(self) -> dict:
        """The filled model card: the three written fields plus the threshold and the rates."""
        return {"model": self.model_name, "intended_use": self.intended_use.strip(),
                "data": self.training_data.strip(), "limits": self.limits.strip(),
                "threshold": round(self.threshold, 2),
                "results": {g: {k: round(v, 2) for k, v in r.items()} for g, r in self.rates.items()}}

    def card_markdown(self) -> str:
        """The model card as Markdown text (to paste into a report)."""
        c = self.card()
        todo = _("(not written yet)")
        lines = [f"# {_('Model card')}: {c['model']}", "",
                 f"## {_('Intended use')}", c["intended_use"] or todo, "",
                 f"## {_('Data')}", c["data"] or todo, "",
                 f"## {_('Limits')}", c["limits"] or todo, "",
                 f"## {_('Results at threshold {threshold}').format(threshold=f'{self.threshold:.2f}')}", "",
                 "| {} | {} | {} | {} |".format(_("Group"), _("True positive rate"), _("False positive rate"),
                                                _("Accuracy")), "|---|---|---|---|"]
        lines += [f"| {group_name(g)} | {pct(r['tpr'])} | {pct(r['fpr'])} | {pct(r['accuracy'])} |"
                  for g, r in self.rates.items()]
        return "\n".join(lines) + "\n"

    def _card_html(self) -> str:
        c = self.card()
        todo = _("(not written yet)")
        items = "".join(f"<dt style='font-weight:bold'>{escape(title)}</dt><dd>{escape(c[key]) or todo}</dd>"
                        for key, title in (("intended_use", _("Intended use")), ("data", _("Data")),
                                           ("limits", _("Limits"))))
        result = _("Results at threshold {threshold}").format(threshold=f"{self.threshold:.2f}")
        tpr, fpr = _("True positive rate"), _("False positive rate")
        summary = "; ".join(f"{escape(group_name(g))}: {escape(tpr)} {pct(r['tpr'])}, {escape(fpr)} {pct(r['fpr'])}"
                            for g, r in self.rates.items())
        return (f'<div style="font-size:16px;border:2px solid #999;padding:8px;margin-top:6px">'
                f"<div style='font-size:18px;font-weight:bold'>{escape(_('Model card'))}: {escape(c['model'])}</div>"
                f"<dl>{items}<dt style='font-weight:bold'>{escape(result)}</dt><dd>{summary}</dd></dl></div>")


def bench_cases():
    """One user event each, on widgets built once."""
    mixer = DataMixer()
    audit = ThresholdAudit(rule={"max_fpr": 0.10, "min_tpr": 0.6})
    state = {"i": 0}

    def move_mixer_slider():
        state["i"] += 1
        mixer.sliders["children"].value = state["i"] % (gd.POOL + 1)

    def tick_drop():
        mixer.checkboxes["adults"].value = not mixer.checkboxes["adults"].value

    def move_threshold():
        state["i"] += 1
        audit.slider.value = round(0.05 + 0.05 * (state["i"] % 19), 2)

    def type_card():
        audit.fields["limits"].value += "x"

    return [("DataMixer slider", move_mixer_slider), ("DataMixer leave out", tick_drop),
            ("ThresholdAudit slider", move_threshold), ("ThresholdAudit card typing", type_card)]
