"""The 観点別 section of the class report (HTML): one row per student, A/B/C and % per 観点."""

from __future__ import annotations

from html import escape

from autograder.kanten import KANTEN, KantenTable, cell_text, kanten_labels

STYLE = """
td.kanten{text-align:center;white-space:nowrap;font-variant-numeric:tabular-nums}
td.kanten b{font-size:1.15em}
td.kanten-C{background:#fff0e6}
td.pending{color:#6b2f57}
"""


def kanten_section(table: KantenTable, command: str, _) -> str:
    """The part across lessons, after them (a div: each <section> of the page is one lesson):
    thresholds, the table, what was left out, and what to do next."""
    from autograder.report_html import next_line, say

    labels = kanten_labels(_)
    limits = table.thresholds
    parts = [f"<div id='kanten' class='overview'><h2>{escape(_('Results by 観点 (A/B/C)'))}</h2>",
             "<p class='note'>" + say(_("Lessons {lessons}. A: {a:g} % or more of the points of that "
                                        "観点, B: {b:g} % or more, else C. Written answers you have "
                                        "not graded yet are left out (marked *), never counted as 0."),
                                      lessons=", ".join(table.lessons), a=limits.a, b=limits.b) + "</p>"]
    for template, values in table.notes:
        parts.append(f"<p class='note'>{say(template, **values)}</p>")
    if not table.students:
        return "".join(parts) + "</div>"
    parts.append(f"<table><tr><th>{escape(_('student'))}</th>"
                 + "".join(f"<th>{escape(labels[k])}</th>" for k in KANTEN)
                 + f"<th>{escape(_('not yet graded (not counted)'))}</th></tr>")
    waiting = 0
    for entry in table.students:
        who = escape(entry.student) + (f" <span class='note'>{escape(entry.name)}</span>"
                                       if entry.name else "")
        cells = []
        for kanten in KANTEN:
            letter, percent = cell_text(entry, kanten, limits)
            shown = f"<b>{letter}</b>" + (f" ({percent}%)" if percent != "–" else "")
            cells.append(f"<td class='kanten kanten-{letter}'>{shown}</td>")
        pending = " / ".join(entry.pending_names)
        left = (" " + escape(_("(not graded: {lessons})").format(lessons=", ".join(entry.left_out)))
                if entry.left_out else "")
        waiting += bool(entry.pending)
        parts.append(f"<tr><td>{who}</td>{''.join(cells)}<td class='pending'>"
                     f"{'* ' + escape(pending) if pending else ''}{left}</td></tr>")
    parts.append("</table>")
    if waiting:
        advice = say(_("{n} student(s) have written answers you have not graded: grade them in the "
                       "Formgrader, then make this report again."), n=waiting)
    else:
        advice = say(_("Copy the table into your 通知表 tool with the CSV: {command}"), command=command)
    return "".join(parts) + next_line(advice, _) + "</div>"
