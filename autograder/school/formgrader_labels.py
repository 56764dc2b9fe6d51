"""nbgrader's Formgrader in the course language: everything a teacher reads on it (menus,
titles, table headers, buttons, statuses, instructions, warnings, dialogs, the page that grades
one submission and its keyboard help) in Japanese for a Japanese course.

A Jupyter server extension (enabled by ``manabu lab`` and the hub image next to
``autograder.school.my_lessons_server``). It wraps the render method of nbgrader's Formgrader
handlers, and the output of the handler of the one-submission page (which nbgrader renders with
nbconvert, not through render): a page of a course whose language (``c.Manabu.lang``, or
``MANABU_LANG``) has a table in ``locale/<lang>/formgrader.po`` is translated by
:mod:`autograder.school.formgrader_text`. Only whole labels and nbgrader's own sentences
change, never names, ids or scores. The Formgrader draws in the browser's own fonts; its
Japanese words are kept inside the school font subset all the same (tests/test_school_font.py),
so a later page in the school font needs no new glyphs.

Every page, in every course language, is also made offline first
(:func:`autograder.school.formgrader_offline.offline_page`): nbgrader's CDN MathJax becomes a
local stand-in, so the grading page works in a school without internet and asks no outside host.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path

from autograder.school.formgrader_offline import offline_page
from autograder.school.formgrader_text import translate_page

__all__ = ["labels", "offline_page", "page_language", "patch_formgrader", "translate_page"]

LOCALE = Path(__file__).parent / "locale"


@functools.cache
def labels(lang: str) -> dict[str, str]:
    """{English label: label in ``lang``} ({} for English or a language without a table)."""
    path = LOCALE / lang / "formgrader.po"
    if lang == "en" or not path.exists():
        return {}
    from course.catalogs import po_messages

    return po_messages(path.read_text(encoding="utf-8"))


def page_language(course_root: str) -> str:
    """The language of the course the Formgrader shows: ``MANABU_LANG``, else ``c.Manabu.lang``."""
    if os.environ.get("MANABU_LANG"):
        return os.environ["MANABU_LANG"]
    from autograder.build.nbconfig import course_language

    try:
        return course_language(Path(course_root))
    except Exception:  # a broken course config: nbgrader reports it itself; keep its English
        return "en"


def patch_formgrader() -> None:
    """Wrap the render method of nbgrader's Formgrader handlers and the write method of its
    one-submission page (once)."""
    from nbgrader.server_extensions.formgrader.base import BaseHandler
    from nbgrader.server_extensions.formgrader.handlers import SubmissionHandler

    original = BaseHandler.render
    if getattr(original, "manabu_labels", False):
        return

    def render(self, name, **ns):
        html = offline_page(original(self, name, **ns))
        lang = page_language(self.coursedir.root)
        table = labels(lang)
        return translate_page(html, table, lang) if table else html

    render.manabu_labels = True
    BaseHandler.render = render
    SubmissionHandler.write = translating_write(SubmissionHandler.write)


def translating_write(original: Callable) -> Callable:
    """``original`` (a handler's ``write``) that first makes an HTML page (a ``str``; nbgrader
    writes the one-submission page as one) offline and translates it for the course's language."""

    def write(self, chunk):
        if isinstance(chunk, str):
            chunk = offline_page(chunk)
            lang = page_language(self.coursedir.root)
            table = labels(lang)
            chunk = translate_page(chunk, table, lang) if table else chunk
        return original(self, chunk)

    write.manabu_labels = True
    write.original = original
    return write


def _jupyter_server_extension_points():
    return [{"module": "autograder.school.formgrader_labels"}]


def _load_jupyter_server_extension(serverapp) -> None:
    patch_formgrader()
    serverapp.log.info("Manabu: the Formgrader shows its labels in the course language and"
                       " loads nothing from outside the school")
