"""Bring a course's ``nbgrader_config.py`` written by an older Manabu up to date.

``manabu build`` writes the file only when it is missing (teachers may edit it), so a course
built before a hook existed would never get it. Here each missing hook is added, and nothing a
teacher wrote is changed.
"""

from __future__ import annotations

from pathlib import Path

from autograder.build.nbconfig import CONFIG_NAME, HOOKS
from autograder.paths import write_atomic

FEEDBACK_ANCHOR = '"nbgrader.preprocessors.GetGrades",\n'
FEEDBACK_STEP = '    "autograder.grading.feedback.MarkUngradedAnswers",  # "your teacher will read this", not a zero\n'


def upgrade_config(course_dir: Path) -> list[str]:
    """Add the hooks the course config lacks; return the keys added."""
    path = Path(course_dir) / CONFIG_NAME
    text = original = path.read_text(encoding="utf-8")
    added = []
    for key, block in HOOKS:
        if key not in text:
            text = text.rstrip("\n") + "\n" + block
            added.append(key)
    if "MarkUngradedAnswers" not in text and FEEDBACK_ANCHOR in text:
        text = text.replace(FEEDBACK_ANCHOR, FEEDBACK_ANCHOR + FEEDBACK_STEP, 1)
        added.append("c.GenerateFeedback.preprocessors")
    if text != original:
        write_atomic(path, text)
    return added
