"""The teacher guide of a lesson: objectives, timing plan, answer key and teacher notes (HTML)."""

from __future__ import annotations

from autograder.build.lessonfile import (
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
.meta{color:#444}
"""


def markdown_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(text)


def answer_key(nb) -> list[dict]:
    """What the guide's answer key shows of each graded cell: a written answer's sample (HTML), a
    solution's code, or a test's checks with its hidden ones apart."""
    items = []
    for cell in graded_cells(nb):
        meta = cell.metadata.nbgrader
        item = {"grade_id": meta["grade_id"], "points": meta.get("points")}
        if meta.get("solution") and cell.cell_type == "markdown":
            items.append({**item, "kind": "written", "html": markdown_html(cell.source)})
        elif meta.get("solution"):
            items.append({**item, "kind": "solution",
                          "code": region(cell.source, BEGIN_SOLUTION, END_SOLUTION)})
        elif meta.get("grade"):
            items.append({**item, "kind": "test", "code": cell.source.split(BEGIN_HIDDEN)[0].strip(),
                          "hidden": region(cell.source, BEGIN_HIDDEN, END_HIDDEN)})
    return items


def guide_html(lesson: Lesson, nb, notes: list) -> str:
    """The whole guide as one self-contained HTML page (``templates/pages/guide.html.j2``)."""
    from autograder.templates import render

    plan = timing_plan(notes)
    return render("guide.html.j2", translator(lesson.lang), lesson=lesson, style=STYLE, plan=plan,
                  total=sum(m for m, _a in plan), answers=answer_key(nb),
                  notes=[markdown_html(c.source) for c in notes if not timing_plan([c])])
