"""Small helpers the tests share (not fixtures)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
import yaml

from autograder.build.lessonfile import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_HIDDEN,
    END_SOLUTION,
    graded_cells,
    region,
)

ANSWERS = Path(__file__).parent / "answers"


def wrong_answers(lesson_id: str) -> dict[str, list[str]]:
    return yaml.safe_load((ANSWERS / f"{lesson_id}.yaml").read_text(encoding="utf-8"))


def autograded_points(nb) -> dict[str, float]:
    """{grade id: points} of the test cells (graded, not answers)."""
    return {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader["points"]
            for c in graded_cells(nb)
            if c.metadata.nbgrader.get("grade") and not c.metadata.nbgrader.get("solution")}


def secret_lines(teacher_nb) -> list[str]:
    """Every non-trivial line of a solution or hidden test in a teacher notebook."""
    lines = []
    for cell in graded_cells(teacher_nb):
        meta = cell.metadata.nbgrader
        if cell.cell_type == "code":
            text = region(cell.source, BEGIN_SOLUTION, END_SOLUTION) + "\n" + region(
                cell.source, BEGIN_HIDDEN, END_HIDDEN)
        elif meta.get("solution"):
            text = cell.source
        else:
            continue
        lines += [line.strip() for line in text.splitlines() if len(line.strip()) > 8]
    return lines


def visible_text(path: Path) -> str:
    """The text a person sees in an HTML or notebook file (tags removed, entities decoded)."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        nb = nbformat.reads(raw, as_version=4)
        return "\n".join(c.source for c in nb.cells)
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


def leaked(teacher_nb, path: Path) -> list[str]:
    """The secret lines of ``teacher_nb`` that appear in ``path``."""
    text = visible_text(path)
    return [line for line in secret_lines(teacher_nb) if line in text]


# What makes a browser fetch from another host: a script/img/iframe/audio src, a link href, a CSS
# url() or @import, with an absolute (or protocol-relative) URL.
OUTSIDE_FETCH = re.compile(
    r"""(?:\bsrc\s*=\s*|<link\b[^>]*\bhref\s*=\s*|url\(\s*|@import\s+)["']?((?:https?:)?//[^"')\s>]+)""",
    re.I)


def outside_fetches(text: str) -> list[str]:
    """The URLs outside this machine that an HTML or CSS text would make a browser fetch."""
    return [url for url in OUTSIDE_FETCH.findall(text)
            if not re.match(r"(?:https?:)?//(?:localhost|127\.0\.0\.1)(?:[:/]|$)", url)]


# -- a widget in Japanese: no English left for a child to read ---------------------------------

@contextmanager
def in_japanese() -> Iterator[None]:
    """The course speaks Japanese inside the block (widgets made there keep it), English again
    after it, even when the block fails, so no later test inherits the language."""
    from course.i18n import set_language

    set_language("ja")
    try:
        yield
    finally:
        set_language("en")


def english_words(*texts: str, shortest: int = 2, allowed: Iterable[str] = ()) -> list[str]:
    """The words of ``shortest`` or more Latin letters that a child reads or hears in ``texts``
    (HTML or plain text: tags, styles and code to copy left out, entities decoded, aria-labels
    read), less ``allowed`` (units such as "cm")."""
    words = []
    for text in texts:
        said = re.findall(r'aria-label="([^"]*)"', text)
        text = re.sub(r"<(style|code|pre)\b[^>]*>.*?</\1>", " ", text, flags=re.S)
        text = html.unescape(" ".join([re.sub(r"<[^>]+>", " ", text), *said]))
        words += [w for w in re.findall(rf"[A-Za-z]{{{shortest},}}", text) if w not in allowed]
    return words


def shown_text(widget) -> str:
    """Every label, option and message a child can see in a widget and its children (code to
    copy left out)."""
    parts = []
    for attr in ("description", "tooltip", "placeholder"):
        parts.append(str(getattr(widget, attr, "") or ""))
    if hasattr(widget, "_options_labels"):
        parts += list(widget._options_labels)
    value = getattr(widget, "value", None)
    if type(widget).__name__ == "HTML" and isinstance(value, str):
        value = re.sub(r"<(code|pre|style)[^>]*>.*?</\1>", " ", value, flags=re.S)
        parts.append(re.sub(r"<[^>]+>", " ", value))
    for child in getattr(widget, "children", ()):
        parts.append(shown_text(child))
    return " ".join(parts)


def gradebook_rows(db_url: str, lesson_id: str, course_id: str = "manabu") -> dict:
    """Every gradebook row of a lesson's submissions (student, submission, notebooks, grades,
    comments), each as {column: value} without database ids, keyed by what it is about, so two
    gradebooks can be compared row for row."""
    from nbgrader.api import Gradebook
    from sqlalchemy import inspect

    def columns(row) -> dict:
        return {a.key: getattr(row, a.key) for a in inspect(row).mapper.column_attrs
                if a.key != "id" and not a.key.endswith("_id")}

    rows = {}
    with Gradebook(db_url, course_id) as gb:
        for submission in gb.find_assignment(lesson_id).submissions:
            who = submission.student.id
            rows[("student", who)] = columns(submission.student)
            rows[("submission", who)] = columns(submission)
            for notebook in submission.notebooks:
                rows[("notebook", who, notebook.name)] = columns(notebook)
                for grade in notebook.grades:
                    rows[("grade", who, notebook.name, grade.name)] = columns(grade)
                for comment in notebook.comments:
                    rows[("comment", who, notebook.name, comment.name)] = columns(comment)
    return rows


def forget_submissions(db_url: str, lesson_id: str, course_id: str = "manabu") -> None:
    """Delete a lesson's submissions (and their grades and comments) from a gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gb:
        for student in [s.student.id for s in gb.find_assignment(lesson_id).submissions]:
            gb.remove_submission(lesson_id, student)


def check_demo_class(course: Path, stdout: str, heading: str, average: str) -> None:
    """What `manabu demo` must leave and print, in either language: its summary (``heading``,
    ``average``), the four students' rows in grades.csv, the feedback, the guide and the class
    report, whose path it prints."""
    import csv

    assert heading in stdout and average in stdout
    with (course / "grades.csv").open(encoding="utf-8") as handle:
        rows = {r["student"]: r for r in csv.DictReader(handle)}
    assert set(rows) == {"aoi", "haruto", "yui", "sota"}
    assert float(rows["aoi"]["score"]) == 4 and rows["aoi"]["needs_manual"] == "yes"
    assert 0 < float(rows["haruto"]["score"]) < 4
    assert float(rows["yui"]["score"]) == 0 and rows["yui"]["status"] == "ok"
    assert rows["sota"]["status"].startswith("broken:")
    assert (course / "feedback" / "aoi" / "e03" / "e03.html").exists()
    assert (course / "guides" / "e03.html").exists()
    assert (course / "reports" / "class-report.html").exists()
    assert str(course / "reports" / "class-report.html") in stdout
