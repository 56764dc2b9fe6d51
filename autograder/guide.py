"""The teacher guide of a lesson: objectives, timing plan, 観点 table, answer key with rubrics,
and teacher notes (HTML)."""

from __future__ import annotations

from html import escape

from autograder.lessonfile import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_HIDDEN,
    END_SOLUTION,
    graded_cells,
    region,
    timing_plan,
)
from autograder.lessonrules import UNDERSTANDING, cell_measures, is_rubric_cell
from course.catalog import Lesson
from course.i18n import translator

STYLE = """
body{font-family:system-ui,"Hiragino Sans","Noto Sans CJK JP","IPAexGothic",sans-serif;
max-width:52em;margin:2em auto;padding:0 1em;line-height:1.6;color:#111}
html[lang=ja] body{font-family:"BIZ UDPGothic","Hiragino Sans","Noto Sans CJK JP","IPAexGothic",sans-serif}
h1{color:#0072B2} table{border-collapse:collapse} td,th{border:1px solid #bbb;padding:4px 8px}
pre{background:#f4f4f4;padding:8px;overflow-x:auto} .total{font-weight:bold}
pre:focus-visible{outline:3px solid #0072B2;outline-offset:2px}
.meta{color:#444}
"""


def markdown_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(text)


def kanten_table_html(nb, _) -> str:
    """The lesson's graded items by 観点: grade id, what it measures, points; totals per 観点 and
    the share of autograded points that measure understanding."""
    from autograder.kanten import KANTEN, cell_kanten, kanten_labels

    labels = kanten_labels(_)
    kinds = {"prediction": _("prediction"), "transfer": _("a new case"), "code": _("a rule or program"),
             "recall": _("recall"), None: _("written, graded by you")}
    rows, totals, auto, understood = [], dict.fromkeys(KANTEN, 0), 0, 0
    for cell in graded_cells(nb):
        meta = cell.metadata.nbgrader
        if not meta.get("grade"):
            continue
        kanten, measures, points = cell_kanten(cell), cell_measures(cell), meta.get("points", 0)
        if kanten in totals:
            totals[kanten] += points
        if cell.cell_type == "code":
            auto += points
            understood += points if measures in UNDERSTANDING else 0
        rows.append(f"<tr><td>{escape(meta['grade_id'])}</td><td>{escape(labels.get(kanten, '–'))}</td>"
                    f"<td>{escape(kinds.get(measures, str(measures)))}</td><td>{points:g}</td></tr>")
    share = round(100 * understood / auto) if auto else 0
    return (f"<h2>{escape(_('Items by 観点'))}</h2><table><tr><th>{escape(_('item'))}</th>"
            f"<th>{escape(_('観点'))}</th><th>{escape(_('measures'))}</th><th>{escape(_('points'))}</th></tr>"
            + "".join(rows)
            + "".join(f"<tr class='total'><td colspan='3'>{escape(labels[k])}</td><td>{totals[k]:g}</td></tr>"
                      for k in KANTEN)
            + "</table><p>" + escape(_("{share}% of the autograded points measure understanding "
                                       "(prediction, a new case, a rule or program).").format(share=share))
            + "</p>")


def guide_html(lesson: Lesson, nb, notes: list) -> str:
    """The whole guide as one self-contained HTML page."""
    _ = translator(lesson.lang)
    plan = timing_plan(notes)
    total = sum(m for m, _a in plan)
    parts = [
        f"<!doctype html><html lang='{lesson.lang}'><head><meta charset='utf-8'>",
        f"<title>{escape(lesson.id)} {escape(lesson.title)}</title><style>{STYLE}</style></head><body><main>",
        f"<h1>{escape(lesson.id)}: {escape(lesson.title)}</h1>",
        "<p class='meta'>" + escape(_("Teacher guide")) + " · "
        + escape(_("grade {grade}, {minutes} minutes").format(grade=lesson.grade, minutes=lesson.minutes))
        + " · AI4K12 " + escape(", ".join(lesson.ai4k12)) + "</p>",
        f"<h2>{escape(_('Objectives'))}</h2><ol>"
        + "".join(f"<li>{escape(o)}</li>" for o in lesson.objectives) + "</ol>",
    ]
    if lesson.japan:
        parts.append(f"<h2>{escape(_('Course of study links'))}</h2><ul>"
                     + "".join(f"<li>{escape(j)}</li>" for j in lesson.japan) + "</ul>")
    parts.append(f"<h2>{escape(_('Timing plan'))}</h2><table><tr><th>{escape(_('minutes'))}</th>"
                 f"<th>{escape(_('activity'))}</th></tr>"
                 + "".join(f"<tr><td>{m}</td><td>{escape(a)}</td></tr>" for m, a in plan)
                 + f"<tr class='total'><td>{total}</td><td>{escape(_('total'))}</td></tr></table>")
    parts.append(kanten_table_html(nb, _))
    parts.append(f"<h2>{escape(_('Answer key'))}</h2>")
    for cell in graded_cells(nb):
        meta = cell.metadata.nbgrader
        points = meta.get("points")
        head = escape(meta["grade_id"]) + (f" ({points} {escape(_('points'))})" if points else "")
        if is_rubric_cell(cell):
            parts.append(f"<h3>{head}</h3>" + markdown_html(region(cell.source, BEGIN_HIDDEN, END_HIDDEN)))
        elif meta.get("solution") and cell.cell_type == "markdown":
            parts.append(f"<h3>{head}: {escape(_('sample answer, graded by you'))}</h3>"
                         + markdown_html(cell.source))
        elif meta.get("solution"):
            parts.append(f"<h3>{head}</h3><pre>{escape(region(cell.source, BEGIN_SOLUTION, END_SOLUTION))}</pre>")
        elif meta.get("grade"):
            hidden = region(cell.source, BEGIN_HIDDEN, END_HIDDEN)
            parts.append(f"<h3>{head}: {escape(_('checks (hidden ones marked)'))}</h3><pre>"
                         + escape(cell.source.split(BEGIN_HIDDEN)[0].strip())
                         + (f"\n# {escape(_('hidden'))}:\n{escape(hidden)}" if hidden else "") + "</pre>")
    parts.append(f"<h2>{escape(_('Words to know'))}</h2><dl>"
                 + "".join(f"<dt><b>{escape(k)}</b></dt><dd>{escape(v)}</dd>"
                           for k, v in lesson.vocabulary.items()) + "</dl>")
    parts.append(f"<h2>{escape(_('Teacher notes'))}</h2>")
    parts += [markdown_html(c.source) for c in notes if not timing_plan([c])]
    parts.append("</main></body></html>")
    # a code block wider than the page scrolls: tabindex lets a keyboard reach and scroll it
    return "\n".join(parts).replace("<pre>", "<pre tabindex='0'>")
