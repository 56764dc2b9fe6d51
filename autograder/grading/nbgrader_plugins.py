"""Small nbgrader preprocessors Manabu adds to the standard pipelines.

They are named in the ``nbgrader_config.py`` that ``manabu build`` writes.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import ClearSolutions, NbGraderPreprocessor, OverwriteCells

from autograder.build.lessonfile import BEGIN_HIDDEN, END_HIDDEN, without_region
from autograder.grading.limits import GradingLimits

ASSIGN_RE = re.compile(r"^(\s*)([A-Za-z_]\w*)\s*=(?!=)")


class AnswerStubs(ClearSolutions):
    """Like ``ClearSolutions``, but an answer written as ``name = value`` becomes ``name = ...``.

    A child then sees exactly where to write (after the ``=``) instead of
    ``raise NotImplementedError()``. Other solutions get the usual code stub.
    """

    def _replace_solution_region(self, cell, language: str) -> bool:
        if cell.cell_type == "code":
            lines = cell.source.split("\n")
            starts = [i for i, line in enumerate(lines) if self.begin_solution_delimeter in line]
            ends = [i for i, line in enumerate(lines) if self.end_solution_delimeter in line]
            if len(starts) == 1 and len(ends) == 1 and starts[0] < ends[0]:
                body = [line for line in lines[starts[0] + 1:ends[0]] if line.strip()]
                matches = [ASSIGN_RE.match(line) for line in body]
                if body and all(matches):
                    stub = [f"{m.group(1)}{m.group(2)} = ..." for m in matches]
                    cell.source = "\n".join(lines[:starts[0]] + stub + lines[ends[0] + 1:])
                    return True
        return super()._replace_solution_region(cell, language)


class HideHiddenTests(NbGraderPreprocessor):
    """Remove hidden tests from feedback (nbgrader shows them by default, its issue #917).

    Test cells lose their hidden-test region, and their error tracebacks (which can quote
    the failing hidden line) are cut to the error's one-line message. A rubric cell loses its
    hidden region too: the teacher reads it in the Formgrader, the student never.
    """

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and BEGIN_HIDDEN in cell.source:
            cell.source = without_region(cell.source, BEGIN_HIDDEN, END_HIDDEN)
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            cell.source = without_region(cell.source, BEGIN_HIDDEN, END_HIDDEN)
            for output in cell.get("outputs", []):
                trace = output.get("traceback") or []
                if output.get("output_type") == "error" and output.get("ename") != "CheckFailed" \
                        and len(trace) != 1:  # the judge's one friendly line quotes no code
                    output["traceback"] = [f"{output.get('ename')}: {output.get('evalue')}"]
        return cell, resources


class SandboxExecute(NbGraderPreprocessor, GradingLimits):
    """Run the submission with Manabu's honest grader instead of nbgrader's ``Execute`` (a kernel
    that runs as the grader's own user, tests and student code in one process, with a per-cell
    timeout only). See :mod:`autograder.grading.sandbox`.

    The student's cells run in the sandbox; the test cells run in the judge, a clean process that
    gets the student's values as plain data. Which cell is a test, and the test's text (hidden
    tests included), come from the gradebook, never from the submission: a student cannot make
    their own cell a test or edit one. A test passes only if it ran and raised nothing; a test that
    did not run (time budget, process ended) gets an error output, so nbgrader scores it 0.
    """

    # its limits (c.SandboxExecute.cell_timeout = ...) are declared in GradingLimits

    last_report = None  # the last run's summary, for ``manabu grade`` in the same process

    def preprocess(self, nb, resources):
        from autograder.build.nbconfig import config_language
        from autograder.grading.sandbox import run_cells
        from course.i18n import translator

        lang = config_language(self.config)  # the course's, from its nbgrader_config.py
        _ = translator(lang)
        limits = self.for_sandbox(lang)
        lesson = lesson_cells(resources)
        code = [(i, cell) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
        cells = [{"index": i, **classify(cell, lesson)} for i, cell in code]
        workdir = resources.get("metadata", {}).get("path") or "."
        report = run_cells(cells, Path(workdir), limits, require_full=self.require_sandbox)
        for (_i, cell), result, spec in zip(code, report.cells, cells, strict=True):
            cell.outputs = [nbformat.from_dict(o) for o in result.outputs]
            cell.execution_count = result.count
            if spec["kind"] == "test" and not result.ok and not any(
                    o.get("output_type") == "error" for o in cell.outputs):
                reason = _("This test did not run.") if not result.ran else _(
                    "This test did not pass.")
                cell.outputs.append(nbformat.from_dict({
                    "output_type": "error", "ename": "NotGraded", "evalue": reason,
                    "traceback": [reason]}))
        summary = {"level": report.level, "seconds": round(report.seconds, 2),
                   "problems": report.problems, "refused": report.refused, "cut": report.cut}
        for problem in report.problems:
            self.log.warning("Stopped early: %s", problem)
        type(self).last_report = summary
        # the Formgrader and the feedback page render this notebook: no student HTML runs there
        return SanitizeStudentHTML(parent=self).preprocess(nb, resources)


SAFE_TAGS = ["a", "abbr", "b", "blockquote", "br", "code", "del", "details", "div", "em",
             "figcaption", "figure", "h1",
             "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "rp",
             "rt", "ruby", "s", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
             "tfoot", "th", "thead", "tr", "u", "ul"]
BOX = ["style", "role", "aria-label", "title"]  # course/render.py draws digits and bars so
SAFE_ATTRIBUTES = {"a": ["href", "title"], "img": ["src", "alt", "title", "width", "height"],
                   "abbr": ["title"], "td": ["colspan", "rowspan", *BOX],
                   "th": ["colspan", "rowspan", *BOX], "div": BOX, "span": BOX, "figure": BOX,
                   "table": BOX, "tr": BOX, "p": BOX}
SAFE_STYLES = ["align-items", "background", "background-color", "border", "color", "display",
               "flex-wrap", "font-size", "font-weight", "gap", "grid-template-columns", "height",
               "justify-content", "margin", "padding", "text-align", "vertical-align", "width"]


class SanitizeStudentHTML(SanitizeHTML):
    """nbconvert's own sanitizer (bleach) on everything a student could have written: HTML and
    Markdown outputs keep only harmless tags (furigana ``ruby`` included) and attributes, other
    rich outputs (JavaScript, SVG, widgets) are dropped, and Markdown cells that hold HTML are
    cleaned. So no student script or event handler runs in the Formgrader or the feedback page.

    Cleaning is a pure function of the text and the rules, and most HTML in a class is the same
    in every submission (the lesson's own pictures: course/render.py draws a digit as a table of
    styled cells, thousands of CSS declarations to parse), so a worker remembers what it cleaned
    (:func:`_remember_clean`) and cleans each text once.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.tags = SAFE_TAGS
        self.attributes = SAFE_ATTRIBUTES
        self.styles = SAFE_STYLES  # CSS has no script: url() is not among these properties

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type in ("markdown", "raw") and "<" not in cell.source:
            return cell, resources  # plain Markdown: nothing to run, keep its > and &
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                # a plot with an HTML copy (course.style.show_figure): cleaning would leave the
                # HTML <img> without its data: picture; the PNG shows, with its metadata's alt
                data.pop("text/html", None)
            if output.get("output_type") in ("display_data", "execute_result") and \
                    "text/plain" not in output.get("data", {}):
                output.setdefault("data", {})["text/plain"] = "[output removed]"
        return super().preprocess_cell(cell, resources, index)

    def sanitize_html_tags(self, html_str):
        rules = (tuple(self.tags), repr(sorted(self.attributes.items())), tuple(self.styles),
                 self.strip, self.strip_comments)
        return _remember_clean((rules, html_str), lambda: super(
            SanitizeStudentHTML, self).sanitize_html_tags(html_str))


_CLEANED: dict[tuple, str] = {}  # (rules, exact text) -> cleaned text, for this process
_CLEANED_CHARS = 50_000_000      # a bound on what is kept: a class's lesson outputs fit easily


def _remember_clean(key: tuple, clean) -> str:
    """The cleaned text for ``key`` (the rules and the exact input text), cleaning it once."""
    global _CLEANED_CHARS
    if key in _CLEANED:
        return _CLEANED[key]
    out = clean()
    size = len(key[1]) + len(out)
    if size <= _CLEANED_CHARS:
        _CLEANED[key] = out
        _CLEANED_CHARS -= size
    return out


def lesson_cells(resources) -> dict | None:
    """{grade_id: (kind, source)} of the lesson's own locked cells, from the gradebook: "test"
    for graded test cells, "setup" for other locked code. None without a gradebook (then the
    cells' own metadata is used: only tests that call the sandbox directly do that)."""
    info = resources.get("nbgrader") or {}
    if not info.get("db_url"):
        return None
    from autograder.grading.class_gradebook import open_gradebook

    with open_gradebook(info["db_url"]) as gb:
        notebook = gb.find_notebook(info["notebook"], info["assignment"])
        graded = {c.name for c in notebook.grade_cells}
        answers = {c.name for c in notebook.solution_cells}
        out = {}
        for cell in notebook.source_cells:
            if cell.cell_type != "code" or cell.name in answers:
                continue
            if cell.name in graded:
                out[cell.name] = ("test", cell.source)
            elif cell.locked:
                out[cell.name] = ("setup", cell.source)
        return out


def classify(cell, lesson: dict | None) -> dict:
    """{"kind", "source"} of one code cell: a lesson's test or setup cell takes the gradebook's
    text; every other cell is the student's, whatever its metadata says."""
    meta = cell.metadata.get("nbgrader") if isinstance(cell.metadata, dict) else None
    grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
    if lesson is None:
        return {"kind": _kind(cell), "source": cell.source}
    if isinstance(grade_id, str) and grade_id in lesson:
        kind, source = lesson[grade_id]
        return {"kind": kind, "source": source}
    return {"kind": "answer", "source": cell.source}


def _kind(cell) -> str:
    meta = cell.metadata.get("nbgrader", {})
    if meta.get("solution"):
        return "answer"
    if meta.get("grade"):
        return "test"
    return "setup"


class OverwriteCellsQuietly(OverwriteCells):
    """nbgrader's ``OverwriteCells`` without its false alarm.

    Every test cell with hidden tests differs from the gradebook's copy (the hidden part was
    removed for students), so nbgrader warned "Attribute 'checksum' … has changed!" for each of
    them in every submission, and a real edit looked the same. Here a cell that matches its
    released text is quiet; a cell the student really changed is reported in plain words (and,
    as before, put back).
    """

    _as_released = False

    def preprocess_cell(self, cell, resources, index):
        self._as_released = False
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id:
            try:
                source = self.gradebook.find_source_cell(
                    grade_id, self.notebook_id, self.assignment_id).source
            except MissingEntry:
                source = None
            if source is not None:
                released = without_region(source, BEGIN_HIDDEN, END_HIDDEN)
                self._as_released = released.strip() == cell.source.strip()
        return super().preprocess_cell(cell, resources, index)

    def report_change(self, name, attr, old, new):
        if attr == "checksum":
            if not self._as_released:
                self.log.warning("Locked cell %s was changed in this submission; the original "
                                 "was put back before grading.", name)
            return
        super().report_change(name, attr, old, new)
