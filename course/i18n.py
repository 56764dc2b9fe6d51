"""Gettext translations for widget labels and messages (``_()``).

English is the source language (message ids are English). Catalogs are standard
``.po`` files in ``course/locale/<lang>/`` (one per widget family, merged) so translators
can use their usual tools; we read
them with a tiny parser instead of compiling ``.mo`` files, which keeps generated
binaries out of git.

The language comes from the lesson (``start_lesson(..., lang=...)``, written by the
build from the course configuration) and can be overridden with ``MANABU_LANG``.
"""

from __future__ import annotations

import ast
import gettext
import os
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "ja")
LOCALE_DIR = Path(__file__).parent / "locale"
_state = {"lang": "en"}


def parse_po(text: str) -> dict[str, str]:
    """Return {msgid: msgstr} from the text of a ``.po`` file (untranslated entries skipped)."""
    catalog: dict[str, str] = {}
    key = None
    fields: dict[str, str] = {}
    for raw in text.splitlines() + [""]:
        line = raw.strip()
        if line.startswith("#"):
            continue
        if not line:
            if fields.get("msgid") and fields.get("msgstr"):
                catalog[fields["msgid"]] = fields["msgstr"]
            fields, key = {}, None
            continue
        if line.startswith(("msgid ", "msgstr ")):
            key, _sep, rest = line.partition(" ")
            fields[key] = ast.literal_eval(rest)
        elif line.startswith('"') and key:
            fields[key] += ast.literal_eval(line)
    return catalog


class POTranslations(gettext.NullTranslations):
    """A gettext translations object backed by a parsed ``.po`` catalog."""

    def __init__(self, catalog: dict[str, str]):
        super().__init__()
        self._catalog = catalog

    def gettext(self, message: str) -> str:
        return self._catalog.get(message, message)


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The translations for ``lang`` (English needs none: it is the source language)."""
    catalog: dict[str, str] = {}
    if lang != "en":
        for path in sorted((LOCALE_DIR / lang).glob("*.po")):
            catalog.update(parse_po(path.read_text(encoding="utf-8")))
    return POTranslations(catalog) if catalog else gettext.NullTranslations()


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
