"""Gettext translations for widget labels and messages (``_()``).

English is the source language (message ids are English). Translators edit standard ``.po``
files in ``course/locale/<lang>/`` (one per widget family); the standard library's gettext reads
them compiled into one ``.mo`` catalog per language (see :mod:`course.catalogs`, which makes a
missing or outdated one on first use).

The language comes from the lesson (``start_lesson(..., lang=...)``, written by the
build from the course configuration) and can be overridden with ``MANABU_LANG``.
"""

from __future__ import annotations

import gettext
import io
import os
from functools import cache

__all__ = ["LANGUAGES", "translations", "translator", "get_language", "set_language", "_"]

LANGUAGES = ("en", "ja")
_state = {"lang": "en"}


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The translations for ``lang`` (English needs none: it is the source language)."""
    from course.catalogs import is_current, mo_path, po_paths

    if lang == "en" or not po_paths(lang):
        return gettext.NullTranslations()
    if not is_current(lang):
        from course.catalogs import compile_all, compile_mo

        try:
            compile_all((lang,))
        except OSError:  # a read-only install (a student's kernel): compile in memory instead
            return gettext.GNUTranslations(io.BytesIO(compile_mo(lang)))
    with mo_path(lang).open("rb") as handle:
        return gettext.GNUTranslations(handle)


def get_language() -> str:
    """The language in use: ``MANABU_LANG`` if set, else the lesson's language."""
    env = os.environ.get("MANABU_LANG", "").strip().lower()[:2]
    return env if env in LANGUAGES else _state["lang"]


def set_language(lang: str) -> None:
    """Choose the language of labels and messages (``"en"`` or ``"ja"``)."""
    if lang not in LANGUAGES:
        raise ValueError(f"Unknown language {lang!r}: use one of {', '.join(LANGUAGES)}.")
    _state["lang"] = lang


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return translations(get_language()).gettext(message)


def translator(lang: str):
    """A ``_()`` for one fixed language (for teacher documents built outside a lesson)."""
    return translations(lang).gettext
