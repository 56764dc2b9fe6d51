"""Manabu's nbconvert templates (``feedback/``: the feedback page), and where they are.

Kept free of heavy imports: a course's ``nbgrader_config.py`` imports it on every load.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


def feedback_template_dirs() -> list[str]:
    """``HTMLExporter.extra_template_basedirs`` for a course: Manabu's ``feedback`` template
    first, then nbgrader's template folder (its own templates, e.g. the formgrade page)."""
    nbgrader_dir = Path(importlib.util.find_spec("nbgrader").origin).parent
    return [str(Path(__file__).parent),
            str(nbgrader_dir / "server_extensions" / "formgrader" / "templates")]
