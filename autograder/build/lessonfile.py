"""Read a lesson's MyST text into a notebook and check that nbgrader will accept it.

Every problem becomes a :class:`~course.catalog.LessonError` that names the file, the
cell and what to do, before anything is written to a course folder.
"""

from __future__ import annotations

import copy
import re

import nbformat

from course.catalog import Lesson, LessonError, split_front_matter, validate_entry

TEACHER_TAG = "teacher"
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def read_notebook(lesson: Lesson) -> nbformat.NotebookNode:
    """The lesson as a notebook (teacher version, teacher notes included), validated."""
    import jupytext
    from jupytext.myst import MystMetadataParsingError

    path = lesson.path
    text = path.read_text(encoding="utf-8")
    meta, _body = split_front_matter(text, path)  # clear messages for broken front matter
    validate_entry(meta.get("manabu"), path)
    try:
        nb = jupytext.reads(text, fmt="md:myst")
    except MystMetadataParsingError as err:
        raise LessonError(f"{path}: a cell's metadata could not be read: {err}. "
                          "Fix the YAML between the '---' lines of that cell.") from None
    except Exception as err:  # jupytext raises many types for malformed text
        raise LessonError(f"{path}: could not be read as a MyST notebook: {err}") from None
    nb.metadata.pop("jupytext", None)
    nb.metadata["manabu"]["lang"] = lesson.lang
    check_nbgrader_cells(nb, str(path))
    check_kanten(nb, str(path))
    check_measures(nb, str(path))
    lock_setup_cells(nb, lesson.id)
    hide_code_for_children(nb)
    return nb


def hide_code_for_children(nb) -> None:
    """Student view of an elementary lesson: every code cell but the answer cells opens with its
    code folded (JupyterLab's own ``jupyter.source_hidden``; a click shows it again), so a child
    sees the prose, the widgets, the big run buttons of the Manabu extension and the answer
    lines. Junior-high lessons keep their code in view: reading it is part of the lesson."""
    if nb.metadata.get("manabu", {}).get("band") != "elementary":
        return
    for cell in nb.cells:
        if cell.cell_type == "code" and not cell.metadata.get("nbgrader", {}).get("solution"):
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True


def lock_setup_cells(nb, lesson_id: str) -> None:
    """Lock the cell that starts the lesson (``start_lesson(...)``, which also brings ``check``):
    students cannot edit it, and grading puts its text back, so no one can swap ``check`` there."""
    for number, cell in enumerate(c for c in nb.cells if c.cell_type == "code"
                                  and "start_lesson(" in c.source and not c.metadata.get("nbgrader")):
        cell.metadata["nbgrader"] = {"grade": False, "solution": False, "locked": True,
                                     "grade_id": f"{lesson_id}-setup" + (f"-{number}" if number else ""),
                                     "schema_version": 3}
        cell.metadata["editable"] = False
        cell.metadata["deletable"] = False


def graded_cells(nb) -> list:
    """The cells that carry nbgrader metadata, in order."""
    return [c for c in nb.cells if c.metadata.get("nbgrader")]


def check_nbgrader_cells(nb, where: str) -> None:
    """Raise a :class:`LessonError` listing every nbgrader metadata problem in ``nb``."""
    problems, seen = [], set()
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        if BEGIN_HIDDEN in cell.source and not _may_hide(cell):
            problems.append(f"cell {index + 1}: only a test cell or a locked rubric cell "
                            f"(grade id ending in -rubric) may have '{BEGIN_HIDDEN}'")
        if meta is None:
            continue
        if not isinstance(meta, dict) or not meta.get("grade_id"):
            problems.append(f"cell {index + 1}: nbgrader metadata needs a grade_id")
            continue
        label = f"cell {index + 1} ({meta['grade_id']})"
        for key in ("grade", "solution", "locked"):  # nbgrader wants all three; lessons may omit false ones
            meta.setdefault(key, False)
        meta.setdefault("schema_version", 3)
        gid = meta["grade_id"]
        if gid in seen:
            problems.append(f"{label}: grade_id {gid!r} is used twice")
        seen.add(gid)
        if not re.fullmatch(r"[A-Za-z0-9_-]+", str(gid)):
            problems.append(f"{label}: grade_id may only use letters, digits, - and _")
        if meta.get("grade") and not (isinstance(meta.get("points"), (int, float)) and meta["points"] > 0):
            problems.append(f"{label}: a graded cell needs points greater than 0")
        if meta.get("solution") and cell.cell_type == "code" and BEGIN_SOLUTION not in cell.source:
            problems.append(f"{label}: an answer cell needs '{BEGIN_SOLUTION}' and '{END_SOLUTION}'")
        if cell.source.count(BEGIN_SOLUTION) != cell.source.count(END_SOLUTION):
            problems.append(f"{label}: every '{BEGIN_SOLUTION}' needs an '{END_SOLUTION}'")
        if cell.source.count(BEGIN_HIDDEN) != cell.source.count(END_HIDDEN):
            problems.append(f"{label}: every '{BEGIN_HIDDEN}' needs an '{END_HIDDEN}'")
    if problems:
        raise LessonError(f"{where}: " + "; ".join(problems) + ".")


def _may_hide(cell) -> bool:
    """Hidden regions are for test cells and rubric cells (nbgrader's own check is off: see
    ``c.ClearHiddenTests.enforce_metadata`` in the course config)."""
    meta = cell.metadata.get("nbgrader")
    if not isinstance(meta, dict):
        return False
    if cell.cell_type == "code":
        return bool(meta.get("grade")) and not meta.get("solution")
    return bool(meta.get("locked")) and str(meta.get("grade_id", "")).endswith("-rubric")


def check_kanten(nb, where: str) -> None:
    """Raise a :class:`LessonError` for a 観点 that is not one of three; keep the graded cells'
    観点 in the notebook metadata too (``manabu.kanten``: {grade id: 観点})."""
    from autograder.report.kanten import KANTEN, kanten_map, kanten_problems

    problems = kanten_problems(nb)
    if problems:
        raise LessonError(f"{where}: " + "; ".join(problems) + f". Write one of {', '.join(KANTEN)} "
                          "after 'kanten:' in the cell's metadata.")
    nb.metadata["manabu"]["kanten"] = kanten_map(nb)


def check_measures(nb, where: str) -> None:
    """Raise a :class:`LessonError` for a test cell whose ``measures`` is not a known kind. (Tests
    ask every test cell to name one; a lesson without them still builds.)"""
    from autograder.build.lessonrules import MEASURES, measures_problems

    problems = [p for p in measures_problems(nb) if "is not one of" in p]
    if problems:
        raise LessonError(f"{where}: " + "; ".join(problems) + f". Write one of {', '.join(MEASURES)} "
                          "after 'measures:' in the cell's metadata.")


def is_teacher_cell(cell) -> bool:
    return TEACHER_TAG in cell.metadata.get("tags", [])


def split_teacher_notes(nb) -> tuple[nbformat.NotebookNode, list]:
    """(the notebook without teacher-only cells, the teacher-only cells)."""
    nb = copy.deepcopy(nb)
    notes = [c for c in nb.cells if is_teacher_cell(c)]
    nb.cells = [c for c in nb.cells if not is_teacher_cell(c)]
    return nb, notes


def split_regions(source: str, begin: str, end: str) -> tuple[list[str], list[str]]:
    """(lines between ``begin``/``end`` marker lines, lines outside them); markers dropped."""
    inside_lines, outside_lines, inside = [], [], False
    for line in source.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        else:
            (inside_lines if inside else outside_lines).append(line)
    return inside_lines, outside_lines


def region(source: str, begin: str, end: str) -> str:
    """The text between ``begin`` and ``end`` marker lines (all such regions, joined)."""
    return "\n".join(split_regions(source, begin, end)[0])


def without_region(source: str, begin: str, end: str) -> str:
    """``source`` with the marked regions (and their marker lines) removed."""
    return "\n".join(split_regions(source, begin, end)[1])


def timing_plan(cells) -> list[tuple[int, str]]:
    """(minutes, activity) rows from the markdown table in the teacher notes."""
    rows = []
    for cell in cells:
        for line in cell.source.splitlines():
            parts = [p.strip() for p in line.strip().strip("|").split("|")]
            if len(parts) >= 2 and parts[0].isdigit():
                rows.append((int(parts[0]), parts[1]))
    return rows


def names_bound(source: str) -> set[str]:
    """Every name ``source`` binds anywhere: assignments, loop and ``with`` targets, ``def``,
    ``class``, imports, function parameters, ``except ... as``."""
    import ast

    bound = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return bound


def names_read(source: str) -> set[str]:
    import ast

    return {node.id for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


def unjudgeable_names(nb) -> list[str]:
    """Names a test cell reads that neither the lesson's setup cell, nor the test itself, nor an
    answer cell binds. Grading runs tests in a clean process (the judge) with the setup cell's
    names; every other name is asked of the student's notebook, as plain data. A name bound only
    by an explore cell (a list, a trained robot) would then come from the student, who could
    change it: bind it in the setup cell or in the test instead. An answer may not use a
    built-in name (``sum``, ``max``): tests read those as Python's own."""
    import builtins

    setup, answers, problems = set(), set(), []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        source = "\n".join(line for line in cell.source.splitlines()
                           if not line.lstrip().startswith(("%", "!")))
        if meta.get("solution"):
            answers |= names_bound(source)
            # the judge reads built-in names as Python's own, never the student's
            problems += [f"{meta.get('grade_id')}: {name} (a built-in name)"
                         for name in sorted(names_bound(source) & set(dir(builtins)))]
        elif meta.get("grade"):
            free = names_read(source) - names_bound(source) - setup - answers - set(dir(builtins))
            problems += [f"{meta.get('grade_id')}: {name}" for name in sorted(free)]
        elif meta.get("locked"):
            setup |= names_bound(source)
    return problems
