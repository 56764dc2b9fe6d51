"""A lesson's paper worksheet, read from the lesson text: its warm-up and every section with a
question, each question with space to answer on paper.

Nothing is copied by hand: a choice question is the ``MultipleChoice(question, options, name=)``
call of the lesson, a written answer is its answer cell's prompt, a code answer shows the lines a
student fills in (``answer = ____``, a function's ``def`` line and room to write it).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from autograder.build.lessonfile import BEGIN_SOLUTION, END_SOLUTION

# Lines about the notebook (run a cell, press Shift + Enter) mean nothing on paper.
SCREEN_WORDS = re.compile(r"\bcells?\b|\brun\b|Shift|Enter|セル|実行|ノートブック|notebook|slider|"
                          r"スライダー|\bclick|クリック|\btap\b|タップ|widget", re.IGNORECASE)
LABEL = re.compile(r"^\*\*[^*]+[:：]\*\*$")
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>")
WRITTEN_LINES = 5   # ruled lines under a written question
NOTE_LINES = 3      # ruled lines under the warm-up's questions
MIN_FUNCTION_LINES = 4


@dataclass
class Question:
    """One thing to answer on paper: ``kind`` is "choice", "written" or "code"."""

    kind: str
    text: str = ""
    options: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)   # code: the lines to fill in ("" = blank line)
    points: float | None = None


@dataclass
class Section:
    """A heading, the prose under it (markdown) and its questions."""

    heading: str
    prose: list[str] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    notes: bool = False  # the warm-up: ruled lines for notes instead of questions


def paper_text(markdown: str) -> str:
    """``markdown`` without pictures and without paragraphs that speak about the screen."""
    paragraphs = [p for p in re.split(r"\n\s*\n", IMAGE.sub("", markdown)) if p.strip()]
    keep = [not SCREEN_WORDS.search(p) for p in paragraphs]
    for i, paragraph in enumerate(paragraphs):  # a label ("**Try this:**") goes with what it labels
        if LABEL.match(paragraph.strip()) and not (i + 1 < len(keep) and keep[i + 1]):
            keep[i] = False
    return "\n\n".join(p for p, k in zip(paragraphs, keep, strict=True) if k)


def choice_calls(source: str) -> list[tuple[str, list[str], str | None]]:
    """(question, options, answer name) of every ``MultipleChoice(...)`` call with literal text."""
    found = []
    try:
        tree = ast.parse("\n".join(line for line in source.splitlines()
                                   if not line.lstrip().startswith(("%", "!"))))
    except SyntaxError:
        return found
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", ""))
                == "MultipleChoice"):
            continue
        try:
            question, options = (ast.literal_eval(a) for a in node.args[:2])
        except (ValueError, TypeError):
            continue
        name = next((ast.literal_eval(k.value) for k in node.keywords if k.arg == "name"
                     and isinstance(k.value, ast.Constant)), None)
        found.append((str(question), [str(o) for o in options], name))
    return found


def code_lines(source: str) -> list[str]:
    """What a student fills in for an answer cell: ``name = ____`` for a value, the cell's own
    ``def`` lines as they are (not their docstrings: the prose above says the same), and a
    blank line for every other line of the answer."""
    lines, inside, docstring = [], False, False
    for line in source.splitlines():
        stripped = line.strip()
        if BEGIN_SOLUTION in line or END_SOLUTION in line:
            inside = BEGIN_SOLUTION in line
        elif not inside:
            if stripped.startswith(('"""', "'''")):
                docstring = not (docstring or (len(stripped) > 3 and stripped.endswith(stripped[:3])))
            elif docstring:
                docstring = not stripped.endswith(('"""', "'''"))
            elif stripped and not line[:1].isspace():
                lines.append(line)
        elif stripped.startswith("#"):
            lines.append(line)
        elif (value := re.match(r"^([A-Za-z_]\w*)\s*=", line)):
            lines.append(f"{value.group(1)} = ")
        elif stripped:
            lines.append("")
    if any(line.startswith("def ") for line in lines):  # room to write a function by hand
        lines += [""] * max(0, MIN_FUNCTION_LINES + 1 - len(lines))
    return lines


def worksheet(nb) -> list[Section]:
    """The sections of the student version ``nb`` that a worksheet shows: the first one (the
    warm-up, with room for notes) and every later one that asks something."""
    sections: list[Section] = []
    choices_named: set[str] = set()
    current = None
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and not meta.get("solution"):
            for block in re.split(r"(?m)^(?=#{2,3} )", cell.source):
                if re.match(r"#{2,3} ", block):
                    heading, _sep, block = block.partition("\n")
                    current = Section(heading.lstrip("#").strip())
                    sections.append(current)
                text = paper_text(block) if current else ""
                if text and not meta.get("locked"):
                    current.prose.append(text)
        elif current is None:
            continue
        elif cell.cell_type == "markdown":  # a written answer: the prompt is the prose above
            current.questions.append(Question("written", points=_points(nb, meta)))
        elif meta.get("solution"):
            names = set(re.findall(r"(?m)^([A-Za-z_]\w*)\s*=", cell.source))
            if not names or not names <= choices_named:
                current.questions.append(Question("code", lines=code_lines(cell.source),
                                                  points=_points(nb, meta)))
        else:
            for question, options, name in choice_calls(cell.source):
                current.questions.append(Question("choice", question, options))
                choices_named.add(name or "")
    if not sections:
        return []
    sections[0].notes = True
    return [sections[0]] + [s for s in sections[1:] if s.questions]


def _points(nb, meta: dict) -> float | None:
    """The points of an answer: its own (a written answer) or its test cell's (``<id>-check``)."""
    if meta.get("points"):
        return meta["points"]
    test_id = f"{meta.get('grade_id')}-check"
    for cell in nb.cells:
        other = cell.metadata.get("nbgrader", {})
        if other.get("grade_id") == test_id:
            return other.get("points")
    return None
