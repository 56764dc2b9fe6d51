"""The teacher guide of a lesson: objectives, timing plan, answer key and teacher notes (HTML)."""

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
    parts.append(f"<h2>{escape(_('Answer key'))}</h2>")
    for cell in graded_cells(nb):
        meta = cell.metadata.nbgrader
        points = meta.get("points")
        head = escape(meta["grade_id"]) + (f" ({points} {escape(_('points'))})" if points else "")
        if meta.get("solution") and cell.cell_type == "markdown":
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
