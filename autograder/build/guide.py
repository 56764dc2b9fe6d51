"""The teacher guide of a lesson: objectives, timing plan, 観点 table, answer key with rubrics,
and teacher notes (HTML)."""

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
from autograder.build.lessonrules import UNDERSTANDING, cell_measures, is_rubric_cell
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

    # a code block wider than the page scrolls: tabindex lets a keyboard reach and scroll it
    return MarkdownIt("commonmark").enable("table").render(text).replace("<pre>", "<pre tabindex='0'>")


def kanten_table(nb, _) -> dict:
    """The lesson's graded items by 観点 (grade id, 観点, what it measures, points), the totals per
    観点 and the share of autograded points that measure understanding."""
    from autograder.report.kanten import KANTEN, cell_kanten, kanten_labels

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
        rows.append({"grade_id": meta["grade_id"], "kanten": labels.get(kanten, "–"),
                     "measures": kinds.get(measures, str(measures)), "points": points})
    return {"rows": rows, "totals": [(labels[k], totals[k]) for k in KANTEN],
            "share": round(100 * understood / auto) if auto else 0}


def answer_key(nb) -> list[dict]:
    """What the guide's answer key shows of each graded cell: a written answer's sample (HTML), its
    rubric (HTML), a solution's code, or a test's checks with its hidden ones apart."""
    items = []
    for cell in graded_cells(nb):
        meta = cell.metadata.nbgrader
        item = {"grade_id": meta["grade_id"], "points": meta.get("points")}
        if is_rubric_cell(cell):
            items.append({**item, "kind": "rubric",
                          "html": markdown_html(region(cell.source, BEGIN_HIDDEN, END_HIDDEN))})
        elif meta.get("solution") and cell.cell_type == "markdown":
            items.append({**item, "kind": "written", "html": markdown_html(cell.source)})
        elif meta.get("solution"):
            items.append({**item, "kind": "solution",
                          "code": region(cell.source, BEGIN_SOLUTION, END_SOLUTION)})
        elif meta.get("grade"):
            items.append({**item, "kind": "test", "code": cell.source.split(BEGIN_HIDDEN)[0].strip(),
                          "hidden": region(cell.source, BEGIN_HIDDEN, END_HIDDEN)})
    return items


def guide_html(lesson: Lesson, nb, notes: list, font_css: str = "") -> str:
    """The whole guide as one HTML page (``templates/pages/guide.html.j2``); ``font_css`` is the
    school font's ``@font-face`` (autograder.build.pagefont), for a Japanese guide."""
    from autograder.build.kit import kit_links
    from autograder.templates import render

    _ = translator(lesson.lang)
    plan = timing_plan(notes)
    return render("guide.html.j2", _, lesson=lesson, style=font_css + STYLE, plan=plan,
                  kit=kit_links(lesson, _, prefix="../"),
                  total=sum(m for m, _a in plan), kanten=kanten_table(nb, _), answers=answer_key(nb),
                  notes=[markdown_html(c.source) for c in notes if not timing_plan([c])])
