"""What a lesson's graded items must say and be, beyond what nbgrader needs (issue #15).

- Every autograded test cell says what it measures: ``manabu: {kanten: ..., measures: ...}``
  with ``measures`` one of :data:`MEASURES`. ``prediction`` (said before the widget shows it),
  ``transfer`` (a new case the widget has not shown), ``code`` (a rule, tree or function checked
  on hidden cases) measure understanding; ``recall`` (a fact, a number read off the screen)
  does not. At least :data:`UNDERSTANDING_SHARE` of a lesson's autograded points measure
  understanding.
- A line a widget shows only once the setting is already right (a widget built with
  ``answer=``, ``answers=`` or ``target=`` and ``name=``, or one of :data:`REVEALING_WIDGETS`) is
  practice: no test grades it.
- In elementary lessons every answer is given by tapping: each answer name is the ``name=`` of a
  widget, which shows the line (and writes it into the answer cell).
- Every written answer graded by the teacher is followed by its rubric cell (grade id
  ``<id>-rubric``, locked): a table of what earns full, half and no points, each with a sample
  answer, inside a hidden region whose marker lines are Markdown comments (``[//]: # (### BEGIN
  HIDDEN TESTS)``: invisible, and plain Markdown that the HTML sanitizer leaves alone). The
  student version and the feedback lose the region; the gradebook keeps it, so the Formgrader
  shows it under the student's answer.
"""

from __future__ import annotations

import ast

from autograder.build.lessonfile import BEGIN_HIDDEN, END_HIDDEN, region

MEASURES = ("prediction", "transfer", "code", "recall")
UNDERSTANDING = frozenset({"prediction", "transfer", "code"})
UNDERSTANDING_SHARE = 0.7
REVEALING_KEYWORDS = frozenset({"answer", "answers", "target"})  # the widget shows ✔ itself
# Widgets that show their answer line only once the setting already meets the goal: the answer
# name they use when the lesson gives none, and the keyword that turns the goal on (None: always).
REVEALING_WIDGETS = {"DataMixer": ("answer_mix", None), "ThresholdAudit": ("answer_threshold", "rule")}
RUBRIC_SUFFIX = "-rubric"


def _nbgrader(cell) -> dict:
    meta = cell.metadata.get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def is_test_cell(cell) -> bool:
    """An autograded test cell (graded code, not an answer)."""
    meta = _nbgrader(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def is_written_answer(cell) -> bool:
    """A written answer the teacher grades (a graded markdown answer cell)."""
    meta = _nbgrader(cell)
    return cell.cell_type == "markdown" and bool(meta.get("grade")) and bool(meta.get("solution"))


def is_rubric_cell(cell) -> bool:
    return str(_nbgrader(cell).get("grade_id", "")).endswith(RUBRIC_SUFFIX)


def cell_measures(cell) -> str | None:
    """What a test cell measures (``manabu: {measures: ...}``), or None."""
    meta = cell.get("metadata", {}).get("manabu")
    return meta.get("measures") if isinstance(meta, dict) else None


def measures_problems(nb) -> list[str]:
    """Test cells that do not say what they measure, or name something not in :data:`MEASURES`."""
    problems = []
    for index, cell in enumerate(nb.cells):
        value = cell_measures(cell)
        gid = _nbgrader(cell).get("grade_id", "?")
        if value is not None and value not in MEASURES:
            problems.append(f"cell {index + 1} ({gid}): measures {value!r} is not one of {', '.join(MEASURES)}")
        elif value is None and is_test_cell(cell):
            problems.append(f"cell {index + 1} ({gid}): say what it measures "
                            f"(manabu: {{measures: ...}}, one of {', '.join(MEASURES)})")
    return problems


def understanding_share(nb) -> float:
    """The share of autograded points whose test measures understanding (0 without tests)."""
    tests = [c for c in nb.cells if is_test_cell(c)]
    total = sum(_nbgrader(c).get("points", 0) for c in tests)
    good = sum(_nbgrader(c).get("points", 0) for c in tests if cell_measures(c) in UNDERSTANDING)
    return good / total if total else 0.0


def _widget_names(source: str) -> dict[str, bool]:
    """{answer name: does the same widget show ✔ itself} for every call with ``name="..."``."""
    found = {}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return found
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        default, goal = REVEALING_WIDGETS.get(called, (None, None))
        name = keywords.get("name", ast.Constant(default))
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            revealing = (called in REVEALING_WIDGETS and (goal is None or goal in keywords)) or any(
                not (isinstance(keywords[k], ast.Constant) and keywords[k].value is None)
                for k in REVEALING_KEYWORDS & keywords.keys())
            found[name.value] = found.get(name.value, False) or revealing
    return found


def _shown_names(nb) -> dict[str, bool]:
    shown: dict[str, bool] = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and not _nbgrader(cell):
            for name, revealing in _widget_names(cell.source).items():
                shown[name] = shown.get(name, False) or revealing
    return shown


def _answer_names(cell) -> set[str]:
    from autograder.build.lessonfile import names_bound

    try:
        return names_bound(cell.source)
    except SyntaxError:
        return set()


def copied_after_check(nb) -> list[str]:
    """Answers a test grades although a widget shows their line only once it is right."""
    from autograder.build.lessonfile import names_read

    revealed = {name for name, revealing in _shown_names(nb).items() if revealing}
    problems = []
    for cell in nb.cells:
        if is_test_cell(cell):
            for name in sorted(names_read(cell.source) & revealed):
                problems.append(f"{_nbgrader(cell)['grade_id']}: {name} (a widget shows ✔ for it)")
    return problems


def untappable_answers(nb) -> list[str]:
    """Answer names no widget shows: a child would have to type them."""
    shown = _shown_names(nb)
    problems = []
    for cell in nb.cells:
        meta = _nbgrader(cell)
        if cell.cell_type == "code" and meta.get("solution"):
            problems += [f"{meta['grade_id']}: {name}" for name in sorted(_answer_names(cell) - shown.keys())]
    return problems


def rubric_rows(cell) -> list[tuple[float, str, str]]:
    """(points, what earns them, sample answer) rows of a rubric cell's table."""
    rows = []
    for line in region(cell.source, BEGIN_HIDDEN, END_HIDDEN).splitlines():
        parts = [p.strip() for p in line.strip().strip("|").split("|")]
        if len(parts) == 3:
            try:
                rows.append((float(parts[0]), parts[1], parts[2]))
            except ValueError:
                continue
    return rows


def rubric_problems(nb) -> list[str]:
    """Written answers without a rubric cell right after them, or with an incomplete one."""
    problems = []
    for index, cell in enumerate(nb.cells):
        if not is_written_answer(cell):
            continue
        meta = _nbgrader(cell)
        gid, points = meta["grade_id"], meta.get("points", 0)
        after = nb.cells[index + 1] if index + 1 < len(nb.cells) else None
        if after is None or _nbgrader(after).get("grade_id") != gid + RUBRIC_SUFFIX:
            problems.append(f"{gid}: put its rubric cell ({gid}{RUBRIC_SUFFIX}) right after it")
            continue
        if not _nbgrader(after).get("locked") or BEGIN_HIDDEN not in after.source \
                or END_HIDDEN not in after.source:
            problems.append(f"{gid}{RUBRIC_SUFFIX}: lock it and put the rubric between the lines "
                            f"'[//]: # ({BEGIN_HIDDEN})' and '[//]: # ({END_HIDDEN})'")
        rows = rubric_rows(after)
        if sorted(p for p, _w, _s in rows) != sorted([0.0, points / 2, float(points)]) \
                or not all(what and sample for _p, what, sample in rows):
            problems.append(f"{gid}{RUBRIC_SUFFIX}: write one table row each for {points}, "
                            f"{points / 2:g} and 0 points: | points | what earns them | sample answer |")
    return problems
