"""Feedback a child can read: in the course language, and no zero for a written answer the
teacher has not read yet.

nbgrader scores an ungraded written answer 0, so feedback released before the teacher graded it
said "Score: 0.0 / 2.0". :class:`MarkUngradedAnswers` (after ``GetGrades`` in the course's
``GenerateFeedback.preprocessors``) marks those answers, and Manabu's copy of nbgrader's feedback
template (``templates/feedback/``, found first through ``HTMLExporter.extra_template_basedirs``,
see :func:`autograder.templates.feedback_template_dirs`)
says "your teacher will read this" for them, and every other word in the course language.
The page also carries the student's score, machine-readable (:mod:`autograder.grading.feedback_score`).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.build.pagefont import embedded_font_css
from autograder.grading.feedback_score import score_record, score_tag

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# ipywidgets' text form of a widget: `DrawAndGuess(children=(...`, `IntSlider(value=5, ...`
WIDGET_REPR = re.compile(r"^[A-Z]\w*\((?:children|value|layout|description|options|index)=")


class MarkUngradedAnswers(NbGraderPreprocessor):
    """Mark each graded cell that waits for the teacher (``metadata.manabu.pending``) and put the
    course language's ``gettext`` (the template's labels) and the points still to be graded in
    ``resources["manabu"]``."""

    def preprocess(self, nb, resources):
        from autograder.build.nbconfig import config_language
        from autograder.grading.class_gradebook import open_gradebook
        from course.i18n import translator

        info = resources["nbgrader"]
        pending_points = 0.0
        with open_gradebook(info["db_url"]) as gradebook:
            for cell in nb.cells:
                meta = cell.metadata.get("nbgrader", {})
                if not (meta.get("grade") or meta.get("task")) or not meta.get("grade_id"):
                    continue
                grade = gradebook.find_grade(meta["grade_id"], info["notebook"],
                                             info["assignment"], info["student"])
                if grade.manual_score is None and grade.needs_manual_grade:
                    cell.metadata.setdefault("manabu", {})["pending"] = True
                    pending_points += float(grade.max_score or 0)
        mark_widget_outputs(nb)
        lang = config_language(self.config)
        # a Japanese page carries the school font, cut to its characters (no CJK font needed)
        font_css = embedded_font_css(page_text(nb, translator(lang))) if lang == "ja" else ""
        resources["manabu"] = {"gettext": translator(lang), "lang": lang, "font_css": font_css,
                               "pending_points": pending_points,
                               # the student's own score, for the "My lessons" panel
                               "score_tag": score_tag(score_record(resources, pending_points))}
        return nb, resources


TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "feedback" / "index.html.j2"


def page_text(nb, gettext) -> str:
    """Every character the feedback page of ``nb`` can show: its cells and outputs, and the
    template's labels in the course language."""
    labels = re.findall(r'_\("([^"]+)"', TEMPLATE.read_text(encoding="utf-8"))
    return nbformat.writes(nb) + "".join(gettext(label) for label in labels)


def mark_widget_outputs(nb) -> int:
    """Mark the outputs that showed a widget (``metadata.manabu.widget``): on the static feedback
    page the template says a widget was there instead of its text form, which means nothing to a
    child. Grading keeps only the text form, so that is recognised too. Returns how many."""
    marked = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            text = data.get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else text
            shown = set(data) - {"text/plain", WIDGET_VIEW}  # html or a picture: keep it
            if WIDGET_VIEW in data or (not shown and WIDGET_REPR.match(text)):
                output.setdefault("metadata", {}).setdefault("manabu", {})["widget"] = True
                marked += 1
    return marked
