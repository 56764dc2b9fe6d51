"""``NextTokenExplorer``: a tiny language model writes, one letter (or word) at a time.

The student sees the five most likely next tokens as bars with their chances, presses a
button to add one, and moves a temperature slider to make the choice safer or wilder.
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets
import numpy as np
import traitlets

from course.a11y import A11y
from course.i18n import _, get_language
from course.models.bigram import NO_SPACE_BEFORE, BigramModel, load_corpus, split_tokens
from course.render import style_widget
from course.style import OKABE_ITO

BIG = {"font_size": "18px"}    # buttons and the text box; sliders take no font size
TOP = 5          # how many next tokens the bars show
MORE = 20        # how many tokens the "write more" button adds
BAR_PX = 260     # width of a bar with chance 1
STARTS = {("en", "char"): "The ", ("ja", "char"): "ねこ",
          ("en", "word"): "The dog", ("ja", "word"): "いぬは"}


def token_label(token: str) -> str:
    """A token as the student should see it: a space must be visible, too."""
    if token == " ":
        return "␣ " + _("(space)")
    if token == "\n":
        return "↵"
    return token


def bars_html(rows: list[tuple[str, float, int]], rest: float) -> str:
    """One bar per (token, chance, count), chance written as text beside it (never length alone)."""
    lines = []
    for i, (token, p, n) in enumerate(rows):
        bold = "font-weight:bold;" if i == 0 else ""
        lines.append(
            f'<div class="manabu-language-bar" style="display:flex;align-items:center;gap:8px;'
            f'font-size:18px;{bold}">'
            f'<span style="min-width:5.5em;text-align:right">{escape(token_label(token))}</span>'
            f'<span role="img" aria-label="{round(100 * p)}%" style="display:inline-block;'
            f'height:18px;width:{max(1, round(BAR_PX * p))}px;background:{OKABE_ITO["blue"]}"></span>'
            f"<span>{escape(_('{p}% (seen {n} times)').format(p=percent(p), n=n))}</span></div>")
    lines.append(f'<div style="font-size:16px">{escape(_("all others: {p}%").format(p=percent(rest)))}</div>')
    return "".join(lines)


def percent(p: float) -> str:
    """A chance as a percent a child can read: 42, 3.5 or "less than 0.1"."""
    if p == 0:
        return "0"
    if p < 0.001:
        return "<0.1"
    return f"{100 * p:.0f}" if p >= 0.1 else f"{100 * p:.1f}"


class NextTokenExplorer(widgets.VBox):
    """Watch a tiny language model pick the next letter (or word) from counted pairs.

    Example::

        explorer = NextTokenExplorer()            # letters, in the lesson's language
        explorer.next()                           # same as the "Next letter" button
        explorer.temperature = 0.5                # same as moving the slider
        explorer.generate(20)                     # same as "Write 20 more"
        explorer.top                              # the 5 bars: [(token, chance, count), ...]
        NextTokenExplorer(level="word", show_context=True)   # j07: words, context slider
        NextTokenExplorer(corpus="banana banana")            # learn from your own text
    """

    start = traitlets.Unicode(help="The text the student typed; the model goes on from here.")
    text = traitlets.Unicode(help="The start plus everything the model has written.")
    temperature = traitlets.Float(1.0, help="Above 0. Low: the most common token. High: surprises.")
    context = traitlets.Int(1, help="How many tokens the model looks back at (1 = pairs).")
    seed = traitlets.Int(0, help="Seed of the random picks; the same seed writes the same text.")
    last = traitlets.Unicode(help="The token the model wrote last.")
    top = traitlets.List(help="The bars shown: (token, chance, count) for the most likely next tokens.")

    def __init__(self, corpus: str | None = None, level: str = "char", lang: str | None = None,
                 start: str | None = None, temperature: float = 1.0, context: int = 1,
                 show_context: bool = False, max_context: int = 3, seed: int = 0):
        lang = lang or get_language()
        self.level = level
        self.corpus = corpus if corpus is not None else load_corpus(lang)   # what the model reads
        split_tokens("", level)                   # refuses an unknown level early
        self._models: dict[int, BigramModel] = {}
        self._rng = np.random.default_rng(seed)
        self._quiet = False
        letters = level == "char"
        self.start_box = widgets.Text(
            description=_("Start text") if letters else _("Start words"),
            style={"description_width": "initial", **BIG}, layout=widgets.Layout(width="420px"))
        self.next_button = widgets.Button(
            description=_("Next letter") if letters else _("Next word"), button_style="primary",
            style=BIG, layout=widgets.Layout(width="auto"))
        self.more_button = widgets.Button(
            description=(_("Write {n} more letters") if letters else _("Write {n} more words")).format(n=MORE),
            style=BIG, layout=widgets.Layout(width="auto"))
        self.reset_button = widgets.Button(description=_("Start again"), style=BIG,
                                           layout=widgets.Layout(width="auto"))
        self.temperature_slider = widgets.FloatSlider(
            value=temperature, min=0.1, max=2.0, step=0.1, description=_("Temperature"),
            readout_format=".1f", style={"description_width": "initial"},
            layout=widgets.Layout(width="420px"))
        self.context_slider = widgets.IntSlider(
            value=context, min=1, max=max_context,
            description=_("Letters to look back") if letters else _("Words to look back"),
            style={"description_width": "initial"}, layout=widgets.Layout(width="420px"))
        self.hint = widgets.HTML(
            '<div style="font-size:16px">'
            + escape(_("Low temperature: it picks the most common one. High: it takes chances."))
            + "</div>")
        self.output = widgets.HTML(layout=widgets.Layout(min_height="220px"))
        self.output.add_class("manabu-language-out")
        for control, name in ((self.next_button, "next"), (self.more_button, "more"),
                              (self.reset_button, "reset"), (self.temperature_slider, "temperature"),
                              (self.context_slider, "context")):
            control.add_class(f"manabu-language-{name}")      # for the browser tests
        controls = [self.start_box,
                    widgets.HBox([self.next_button, self.more_button, self.reset_button],
                                 layout=widgets.Layout(flex_flow="row wrap")),
                    self.temperature_slider, self.hint]
        if show_context:
            controls.append(self.context_slider)
        super().__init__([style_widget("manabu-language"), *controls, self.output, A11y()])
        self.add_class("manabu-language")
        self.add_class("manabu-language-letters" if letters else "manabu-language-words")
        widgets.link((self.start_box, "value"), (self, "start"))
        widgets.link((self.temperature_slider, "value"), (self, "temperature"))
        widgets.link((self.context_slider, "value"), (self, "context"))
        self.next_button.on_click(lambda _b: self.next())
        self.more_button.on_click(lambda _b: self.generate(MORE))
        self.reset_button.on_click(lambda _b: self.reset())
        self.seed = seed
        self.temperature, self.context = temperature, context
        self.start = start if start is not None else STARTS.get((lang, level), "")
        self._redraw()

    # --- the model ---------------------------------------------------------------------
    @property
    def model(self) -> BigramModel:
        """The model for the current context (each one is counted once, when first needed)."""
        if self.context not in self._models:
            self._models[self.context] = BigramModel(self.level, self.context).fit(self.corpus)
        return self._models[self.context]

    def key_label(self, key: str) -> str:
        """What the model looks back at, with its spaces made visible (letters only)."""
        if self.level == "char" and len(key) > 1:
            return key.replace(" ", "␣")
        return token_label(key)

    # --- twins of the buttons ----------------------------------------------------------
    def next(self) -> str:
        """Add one token picked by the model, as the "Next" button does; returns it."""
        token = self.model.sample(self.text, self.temperature, self._rng)
        space = (self.level == "word" and self.text and not self.text.endswith(" ")
                 and token not in NO_SPACE_BEFORE)
        self.last = token
        self.text += (" " if space else "") + token
        return token

    def generate(self, n: int = MORE) -> str:
        """Add ``n`` tokens, as the "Write 20 more" button does; returns the whole text."""
        self._quiet = True                        # draw once at the end, not n times
        try:
            for _step in range(n):
                self.next()
        finally:
            self._quiet = False
        self._redraw()
        return self.text

    def reset(self) -> None:
        """Go back to the start text and the first random picks, as "Start again" does."""
        self._rng = np.random.default_rng(self.seed)
        self.last = ""
        self.text = self.start
        self._redraw()

    # --- handlers ----------------------------------------------------------------------
    @traitlets.observe("start", "seed")
    def _on_start(self, change) -> None:
        if hasattr(self, "output"):
            self.reset()

    @traitlets.observe("text", "temperature", "context")
    def _on_text(self, change) -> None:
        if hasattr(self, "output") and not self._quiet:
            self._redraw()

    def _redraw(self) -> None:
        model = self.model
        key, used, could = model.looks_back(self.text)
        counts = model.next_counts(self.text)
        probs = model.next_probs(self.text, self.temperature)
        self.top = [(token, p, counts[token]) for token, p in list(probs.items())[:TOP]]
        rest = max(0.0, 1.0 - sum(p for _t, p, _n in self.top))
        written = self.text[len(self.start):] if self.text.startswith(self.start) else ""
        shown = (f'<span>{escape(self.text[:len(self.text) - len(written)])}</span>'
                 f'<span style="background:{OKABE_ITO["sky_blue"]}33;text-decoration:underline">'
                 f"{escape(written)}</span>")
        if key:
            question = _("What comes after “{context}”?").format(context=self.key_label(key))
        elif self.text:
            question = _("I never read this ending before, so I pick from everything I read.")
        else:
            question = _("No start yet, so I pick from everything I read:")
        why = self._why(key, used, could, counts)
        new = (_("The computer wrote: {token}").format(token=token_label(self.last))
               if self.last else _("Press “{button}” to let the computer write.").format(
                   button=self.next_button.description))
        self.output.value = (
            f'<div class="manabu-language-text" style="font-size:22px;white-space:pre-wrap;'
            f'border:1px solid #999;padding:6px;margin:6px 0">{shown}</div>'
            f'<div style="font-size:18px">{escape(new)}</div>'
            f'<div style="font-size:18px;margin-top:8px">{escape(question)}</div>'
            + "".join(f'<div class="manabu-language-why" style="font-size:16px">{escape(line)}</div>'
                      for line in why)
            + bars_html(self.top, rest))

    def _why(self, key: str, used: int, could: int, counts: dict[str, int]) -> list[str]:
        """Why a slider moved may change nothing: the model looks back at fewer tokens than the
        context slider says (the text is shorter, or it never read those together), or the
        chances cannot change with the temperature (one follower, or all seen equally often).
        ``key``, ``used``, ``could``: :meth:`BigramModel.looks_back`; ``counts``: what came next."""
        lines = []
        letters = self.level == "char"
        if key and used < could:
            lines.append((_("It never read these {n} letters in a row, so it looks at only the last {k}.") if letters
                          else _("It never read these {n} words in a row, so it looks at only the last {k}.")
                          ).format(n=could, k=used))
        elif key and could < self.context:
            lines.append((_("It may look back {n} letters, but the text has only {k} so far.") if letters
                          else _("It may look back {n} words, but the text has only {k} so far.")
                          ).format(n=self.context, k=could))
        if key and len(counts) == 1:
            lines.append(_("Only one thing ever came next here, so the temperature changes nothing."))
        elif key and len(set(counts.values())) == 1:
            lines.append(_("Each one came next equally often, so the temperature changes nothing."))
        return lines


def bench_cases() -> list[tuple[str, object]]:
    """One user event each, on explorers built once (``make bench`` times them)."""
    letters = NextTokenExplorer(lang="en")
    words = NextTokenExplorer(lang="ja", level="word", show_context=True, context=2)
    temps = iter(np.tile(np.linspace(0.1, 2.0, 20), 100))
    return [
        ("next letter", letters.next),
        ("write 20 more", lambda: letters.generate(MORE)),
        ("temperature slider", lambda: setattr(letters.temperature_slider, "value", float(next(temps)))),
        ("context slider", lambda: setattr(words.context_slider, "value", 1 + words.context % 3)),
        ("next word (ja)", words.next),
        ("start again", letters.reset),
    ]
