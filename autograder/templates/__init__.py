"""Manabu's templates, and where they are: ``feedback/`` (nbconvert's feedback page) and
``pages/`` (Jinja2: the teacher guide, the class report, the start page).

Kept free of heavy imports: a course's ``nbgrader_config.py`` imports it on every load.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

PAGES = Path(__file__).parent / "pages"


def feedback_template_dirs() -> list[str]:
    """``HTMLExporter.extra_template_basedirs`` for a course: Manabu's ``feedback`` template
    first, then nbgrader's template folder (its own templates, e.g. the formgrade page)."""
    nbgrader_dir = Path(importlib.util.find_spec("nbgrader").origin).parent
    return [str(Path(__file__).parent),
            str(nbgrader_dir / "server_extensions" / "formgrader" / "templates")]


@functools.cache
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(PAGES), undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",),
                                            default_for_string=False, default=False),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render(name: str, _, **values) -> str:
    """Fill the page template ``pages/<name>`` with ``values``; its words go through ``_`` (the
    page's language). ``.html.j2`` templates escape every value unless it is marked ``|safe``."""
    return _environment().get_template(name).render(_=_, **values)
