"""Small nbgrader preprocessors Manabu adds to the standard pipelines.

They are named in the ``nbgrader_config.py`` that ``manabu build`` writes.
"""

from __future__ import annotations

import re

from nbgrader.preprocessors import ClearSolutions, NbGraderPreprocessor

from autograder.lessonfile import BEGIN_HIDDEN, END_HIDDEN, without_region

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
    the failing hidden line) are cut to the error's one-line message.
    """

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            cell.source = without_region(cell.source, BEGIN_HIDDEN, END_HIDDEN)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error" and output.get("ename") != "CheckFailed":
                    output["traceback"] = [f"{output.get('ename')}: {output.get('evalue')}"]
        return cell, resources
