"""The class report page: one self-contained HTML file, plots inline as base64 PNG. The markup
is ``autograder/templates/pages/report.html.j2`` (and ``kanten.html.j2``); this module draws the
plots and chooses what the page advises.

Plots use Manabu's style (Okabe–Ito colours dark enough for white, a pattern as well as a
colour, BIZ UDPGothic for Japanese). A Japanese page carries BIZ UDPGothic itself, cut to the
characters on the page (autograder.build.pagefont), so it draws in the school font on a device
without Japanese fonts; an installed one comes first, and nothing is fetched from the web.
Figures are made without pyplot, so no display or global figure state is needed.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import textwrap
from contextvars import ContextVar
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from autograder.build.pagefont import embedded_font_css
from autograder.gradescsv import CSV_NAME, Row, kind_word
from course.i18n import translator
from course.style import OKABE_ITO

if TYPE_CHECKING:  # report.py imports this module to draw its page: no import back
    from autograder.report.class_report import LessonReport

STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,"Hiragino Sans","Noto Sans CJK JP","IPAexGothic",sans-serif;
max-width:60em;margin:0 auto;padding:1.5em 1.2em 3em;line-height:1.6;color:#1a1a1a;background:#fff}
html[lang=ja] body{font-family:"BIZ UDPGothic","Hiragino Sans","Noto Sans CJK JP","IPAexGothic",sans-serif}
h1{color:#0072B2;margin:.2em 0 .1em;font-size:1.9em}
h2{margin:2em 0 .6em;padding:.3em .6em;background:#0072B2;color:#fff;border-radius:6px;font-size:1.4em}
h3{margin:1.6em 0 .4em;font-size:1.15em;border-bottom:2px solid #1D96DB;padding-bottom:.15em}
.meta{color:#444;margin:0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(7.2em,1fr));gap:.6em;margin:.8em 0}
.card{border:1px solid #ccc;border-radius:8px;padding:.5em .8em;background:#f7fafc}
.card b{display:block;font-size:1.6em;line-height:1.2}
.card span{color:#444;font-size:.9em}
.card.alert{border-color:#D55E00;background:#fff5ee}
img{max-width:100%;height:auto;display:block;margin:.4em 0}
table{border-collapse:collapse;width:100%;margin:.4em 0}
th,td{border:1px solid #ccc;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#eef4f8}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr.hardest td{background:#fff0e6;font-weight:bold}
.next{border-left:6px solid #009E73;background:#eefaf5;padding:.5em .8em;margin:.6em 0 0;border-radius:0 6px 6px 0}
.next b{color:#006b4f}
.note{color:#444;font-style:italic}
.kind{display:inline-block;border-radius:4px;padding:0 .45em;font-size:.85em;font-weight:bold;
border:1px solid currentColor;white-space:nowrap}
.kind-flagged{color:#8a4b00;background:#fff3d6}.kind-stopped{color:#005080;background:#e6f3fb}
.kind-broken,.kind-failed{color:#a33c00;background:#fdebe1}.kind-missing{color:#444;background:#eee}
.kind-other{color:#6b2f57;background:#f8e9f2}.kind-low{color:#6b2f57;background:#f8e9f2}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;background:#f0f0f0;padding:0 .25em;
border-radius:3px;font-size:.9em;font-style:normal;word-break:break-all}
nav ul{margin:.3em 0;padding-left:1.2em}
footer{margin-top:3em;color:#555;font-size:.9em}
@media print{h2{break-before:page}section{break-inside:avoid}}
"""


def say(template: str, **values) -> Markup:
    """``template.format(**values)`` as HTML: everything escaped, commands and paths (keys
    ``command`` and ``path``) in ``<code>``, so the report reads the same in every language."""
    safe = {k: (f"<code>{escape(str(v))}</code>" if k in ("command", "path")
                else v if isinstance(v, (int, float)) else escape(str(v)))
            for k, v in values.items()}
    return Markup(escape(template).format(**safe))


def figure_png(fig) -> str:
    """A matplotlib figure as an ``<img>`` data URL."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# The report's language while it is being made: its plots' font follows it (BIZ UDPGothic for
# Japanese), whatever the language of the process that makes the report.
PLOT_LANG: ContextVar[str | None] = ContextVar("PLOT_LANG", default=None)


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    from course.style import use_style

    use_style(PLOT_LANG.get())
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def distribution_plot(report: LessonReport, _) -> str:
    """Histogram of score / max score in steps of 10%; below half in vermillion with hatching."""
    import numpy as np
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    fig, ax = _figure(7.5, 3.6)
    counts, edges = np.histogram([100 * r.share for r in report.graded], bins=np.arange(0, 101, 10))
    low = edges[:-1] < 50
    for lefts, heights, colour, hatch in ((edges[:-1][low], counts[low], OKABE_ITO["vermillion"], "//"),
                                          (edges[:-1][~low], counts[~low], OKABE_ITO["blue"], "")):
        bars = ax.bar(lefts, heights, width=10, align="edge", color=colour, hatch=hatch,
                      edgecolor="white", linewidth=1.5)
        ax.bar_label(bars, labels=[str(c) if c else "" for c in heights], padding=2)
    ax.axvline(50, color=OKABE_ITO["black"], linestyle="--", linewidth=1.5)
    ax.set_xlim(0, 100)
    ax.set_xticks(range(0, 101, 10))
    ax.set_ylim(0, max(1, counts.max()) * 1.25)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(_("score (% of the points)"))
    ax.set_ylabel(_("students"))
    ax.legend(handles=[Patch(facecolor=OKABE_ITO["vermillion"], hatch="//", edgecolor="white",
                             label=_("below half")),
                       Patch(facecolor=OKABE_ITO["blue"], label=_("half or more"))],
              loc="lower right", bbox_to_anchor=(1, 1), ncols=2, fontsize=11, frameon=False)
    return figure_png(fig)


def exercise_plot(report: LessonReport, _) -> str:
    """Horizontal bars: share of graded students with full points, per exercise, in lesson order;
    the hardest in vermillion with cross-hatching and a label."""
    exercises = report.exercises or []
    fig, ax = _figure(7.5, 0.55 * len(exercises) + 1.3)
    names = [textwrap.fill(e.name, 26) for e in exercises]
    rates = [100 * (e.rate or 0) for e in exercises]
    hard = [e in report.hardest for e in exercises]
    bars = ax.barh(range(len(exercises)), rates, height=0.65,
                   color=[OKABE_ITO["vermillion"] if h else OKABE_ITO["blue"] for h in hard],
                   edgecolor="white")
    for bar, h in zip(bars, hard, strict=True):
        bar.set_hatch("xx" if h else "")
    labels = [f"{r:.0f}%  ({e.full}/{e.graded})" + ("  " + _("hardest") if h else "")
              for r, e, h in zip(rates, exercises, hard, strict=True)]
    ax.bar_label(bars, labels=labels, padding=4, fontsize=12)
    ax.set_yticks(range(len(exercises)), names, fontsize=12)
    ax.invert_yaxis()
    ax.set_xlim(0, 150)
    ax.set_xticks(range(0, 101, 25))
    ax.set_xlabel(_("students with full points (%)"))
    ax.grid(axis="y", visible=False)
    return figure_png(fig)


def todo(row: Row, lesson: str, _) -> Markup:
    """What the teacher does about a submission with this status (HTML)."""
    if row.kind == "failed":
        return say(_("Not graded. Run {command} again; if it fails again, grade it by hand in the "
                     "Formgrader."), command=f"manabu grade {lesson}")
    return say({
        "flagged": _("Graded, but the notebook was changed where it should not be. Open it in the "
                     "Formgrader and check the score by hand."),
        "stopped": _("Graded only for the cells that ran. Ask the student to fix the slow cell and "
                     "submit again."),
        "broken": _("Not graded (score 0). Ask the student to submit again."),
        "missing": _("Not submitted. Remind the student to submit."),
    }.get(row.kind, _("Read the reason and decide.")))


def score_text(row: Row) -> str:
    if not row.graded:
        return "–"
    return f"{row.score:g} / {row.max_score:g} ({100 * row.share:.0f}%)"


def distribution_advice(report: LessonReport, _) -> Markup:
    """What to do after reading the score distribution."""
    graded = report.graded
    if not graded:
        return say(_("Look at the problems below, then grade again."))
    below = sum(r.share < 0.5 for r in graded)
    if report.median < 0.5:
        return say(_("Most of the class scored below half: go over the lesson again with everyone."))
    if below:
        return say(_("{n} student(s) scored below half: see who needs help below."), n=below)
    return say(_("Everyone graded scored at least half: the class is ready for the next lesson."))


def exercise_advice(report: LessonReport, _) -> Markup:
    """What to do about the hardest exercise(s)."""
    if not report.hardest:
        return say(_("Every graded student got full points on every exercise."))
    names = " / ".join(_("“{name}”").format(name=e.name) for e in report.hardest)
    rate = 100 * report.hardest[0].rate
    if rate < 50:
        advice = _("Go over {names} with the whole class: only {rate:.0f}% got full points.")
    else:
        advice = _("{names} was the hardest ({rate:.0f}% got full points): a short reminder "
                   "in the next class is enough.")
    return say(advice, names=names, rate=rate)


def lesson_values(report: LessonReport, _) -> dict:
    """What the template shows of one lesson beyond the report itself: plots, advice, numbers."""
    note = (say(report.gradebook_note[0], **report.gradebook_note[1]) if report.exercises is None
            else say(_("This lesson has no autograded exercises.")))
    return {
        "report": report,
        "mean": "–" if report.mean is None else f"{100 * report.mean:.0f}%",
        "median": "–" if report.median is None else f"{100 * report.median:.0f}%",
        "not_graded": len(report.rows) - len(report.graded),
        "distribution_png": distribution_plot(report, _) if report.graded else "",
        "distribution_advice": distribution_advice(report, _),
        "exercise_png": exercise_plot(report, _) if report.exercises else "",
        "exercise_note": note,
        "exercise_advice": exercise_advice(report, _) if report.exercises else "",
    }


def report_html(reports: list[LessonReport], course_dir: Path, lang: str, kanten=None) -> str:
    """The whole class report as one HTML page (with the 観点別 table of ``kanten``, a
    :class:`autograder.report.kanten.KantenTable`, when given)."""
    from autograder.report.kanten import KANTEN, cell_text, kanten_labels
    from autograder.report.kanten_html import STYLE as KANTEN_STYLE
    from autograder.templates import render

    _ = translator(lang)
    token = PLOT_LANG.set(lang)
    try:
        lessons = [lesson_values(r, _) for r in reports]
    finally:
        PLOT_LANG.reset(token)
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")

    def page(font_css: str = "") -> str:
        return render("report.html.j2", _, lang=lang, style=font_css + STYLE + KANTEN_STYLE,
                      lessons=lessons, course_dir=course_dir, csv_path=course_dir / CSV_NAME,
                      stamp=stamp, say=say, todo=todo, kind_word=kind_word, score_text=score_text,
                      kanten=kanten, kanten_order=KANTEN, kanten_labels=kanten_labels(_),
                      kanten_cell=cell_text,
                      kanten_command=f"manabu report --course {course_dir} --kanten-csv FILE")

    html = page()
    if lang == "ja":  # the school font inside, cut to the page's characters (no CJK font needed)
        html = page(embedded_font_css(html))
    return html
