"""The teacher's live page: one HTML file that asks its server for the class's state every few
seconds and draws a table (students × exercises), in the course language, readable on a tablet."""

from __future__ import annotations

import html
import json
import re

from autograder.live.model import exercise_label
from course.i18n import translator
from course.style import FONTS_DIR, WEB_FONT_FILE, font_face

REFRESH_MS = 2500
FONT_FILE = WEB_FONT_FILE  # the school font ships with Manabu (course/fonts), the browsers' copy
FONT_ROUTE = rf"font/({re.escape(FONT_FILE)})"  # where each server serves it, from FONTS_DIR
FONTS = FONTS_DIR


def labels(lang: str) -> dict[str, str]:
    """The page's words in ``lang``."""
    _ = translator(lang)
    return {
        "not_started": _("not started"), "answered": _("answered, not checked"),
        "trying": _("trying"), "form_ok": _("form right"),
        "attempts": _("how many times the check ran"), "student": _("Student"), "lesson": _("lesson"),
        "hardest": _("Hardest right now: {exercise} ({trying} trying, {fails} checks not passed)"),
        "no_hardest": _("Nobody is stuck right now."),
        "waiting": _("No student has run a graded cell of this lesson yet. The table fills in "
                     "as they work."),
        "updated": _("updated"), "offline": _("Cannot reach the server: trying again."),
        "private": _("Only this class's teachers see this page. Students see nothing of each "
                     "other."),
        "form_note": _("form right = the visible check passed; your hidden checks decide the "
                       "points when you grade."),
    }


def class_page(class_name: str, lang: str, data_url: str, font_url: str = "") -> str:
    """The live page of one class; ``data_url`` answers ``?lesson=ID`` with :func:`data_json`;
    ``font_url`` serves the school font (:data:`FONT_ROUTE`)."""
    _ = translator(lang)
    title = _("Live: {name}").format(name=class_name)
    words = json.dumps(labels(lang), ensure_ascii=False).replace("</", "<\\/")
    return PAGE.format(lang=html.escape(lang), title=html.escape(title),
                       font=font_face(font_url) if font_url else "",
                       words=words, data_url=json.dumps(data_url), refresh=REFRESH_MS)


def data_json(view: dict, lessons: list[str]) -> dict:
    """What the page's script reads: the view of one lesson, with short column names."""
    lesson = view["lesson"]
    return {**view, "lessons": lessons,
            "labels": [exercise_label(lesson, ex) for ex in view["exercises"]]}


def index_page(classes: list[tuple[str, str]], lang: str, font_url: str = "") -> str:
    """The list of the viewer's classes (``(link, name)``), or a line saying there is none."""
    _ = translator(lang)
    items = "".join(f'<li><a href="{html.escape(link)}">{html.escape(name)}</a></li>'
                    for link, name in classes)
    body = (f"<ul>{items}</ul>" if classes else
            "<p>" + html.escape(_("You are not a teacher of any class on this hub. Ask your "
                                  "hub's administrator to add you to the class in classes.yaml."))
            + "</p>")
    return (f'<!doctype html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(_('Live class view'))}</title>"
            f"<style>{font_face(font_url) if font_url else ''}{STYLE}</style></head>"
            f"<body><h1>{html.escape(_('Live class view'))}</h1>{body}</body></html>")


STYLE = """
body{font-family:"BIZ UDPGothic","Hiragino Sans","Noto Sans CJK JP",sans-serif;margin:1rem;
font-size:18px;color:#111}
h1{font-size:1.4rem}a{font-size:1.2rem;line-height:2.2}
table{border-collapse:collapse;margin-top:.8rem}th,td{border:1px solid #999;padding:.4rem .6rem;
text-align:center;min-width:4.5rem}th.name,td.name{text-align:left;white-space:nowrap}
td.not_started{color:#555;background:#fff}td.answered{background:#e8f1fb}
td.trying{background:#fbe3c4}td.form_ok{background:#d4efe6}
.legend span{display:inline-block;padding:.2rem .6rem;margin:.2rem;border:1px solid #999}
.hardest{font-size:1.2rem;font-weight:bold;margin:.6rem 0}.small{color:#444;font-size:.9rem}
select{font-size:1.1rem;padding:.3rem}th.hard{outline:3px solid #d55e00}
"""

MARKS = {"not_started": "—", "answered": "✍", "trying": "…", "form_ok": "✎"}

PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{font}""" + STYLE.replace("{", "{{").replace("}", "}}") + """</style></head>
<body><h1>{title}</h1>
<p><label><span id="lesson-word"></span> <select id="lesson"></select></label>
<span class="small" id="stamp"></span></p>
<p class="hardest" id="hardest"></p>
<p class="legend" id="legend"></p>
<div id="table"></div>
<p class="small" id="notes"></p>
<script>
const W = {words}, DATA = {data_url}, MARKS = """ + json.dumps(MARKS, ensure_ascii=False).replace(
    "{", "{{").replace("}", "}}") + """;
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
let lesson = new URLSearchParams(location.search).get("lesson") || "";
$("lesson-word").textContent = W.lesson;
$("notes").textContent = W.form_note + " " + W.private;
$("legend").innerHTML = ["not_started", "answered", "trying", "form_ok"].map(
  (s) => `<span class="${{s}}">${{MARKS[s]}} ${{esc(W[s])}}</span>`).join("")
  + `<span>×2 = ${{esc(W.attempts)}}</span>`;
$("lesson").onchange = () => {{ lesson = $("lesson").value; draw(); }};
function cell(c) {{
  const n = c.attempts ? ` <span class="small">×${{c.attempts}}</span>` : "";
  return `<td class="${{c.state}}" title="${{esc(W[c.state])}}">${{MARKS[c.state]}} ${{esc(W[c.state])}}${{n}}</td>`;
}}
function render(d) {{
  const sel = $("lesson");
  if (sel.dataset.list !== d.lessons.join()) {{
    sel.innerHTML = d.lessons.map((l) => `<option>${{esc(l)}}</option>`).join("");
    sel.dataset.list = d.lessons.join();
  }}
  if (d.lesson) {{ sel.value = d.lesson; lesson = d.lesson; }}
  const h = d.hardest;
  $("hardest").textContent = h ? W.hardest.replace("{{exercise}}", d.labels[d.exercises.indexOf(h.exercise)])
    .replace("{{trying}}", h.trying).replace("{{fails}}", h.fails) : W.no_hardest;
  if (!d.exercises.length) {{ $("table").innerHTML = `<p>${{esc(W.waiting)}}</p>`; }}
  else {{
    const head = d.labels.map((l, i) => `<th class="${{h && d.exercises[i] === h.exercise ? "hard" : ""}}">${{esc(l)}}</th>`).join("");
    const rows = d.rows.map((r) => `<tr><td class="name">${{esc(r.student)}}</td>${{r.cells.map(cell).join("")}}</tr>`).join("");
    $("table").innerHTML = `<table><thead><tr><th class="name">${{esc(W.student)}}</th>${{head}}</tr></thead><tbody>${{rows}}</tbody></table>`;
  }}
  $("stamp").textContent = W.updated + " " + new Date().toLocaleTimeString(document.documentElement.lang);
}}
async function draw() {{
  try {{
    const r = await fetch(DATA + (lesson ? "?lesson=" + encodeURIComponent(lesson) : ""),
                          {{credentials: "same-origin", cache: "no-store"}});
    if (!r.ok) throw new Error(r.status);
    render(await r.json());
  }} catch (e) {{ $("stamp").textContent = W.offline; }}
}}
draw();
setInterval(draw, {refresh});
</script></body></html>
"""
