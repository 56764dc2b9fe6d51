"""Compile the translators' ``.po`` files into the ``.mo`` catalogs that gettext reads.

Translators edit ``course/locale/<lang>/*.po`` (one per widget family) with their usual tools;
Babel reads them (fuzzy entries are never used: a translator has not checked them yet) and
writes one ``course/locale/<lang>/LC_MESSAGES/manabu.mo`` per language. The ``.mo`` files are
generated, never committed: ``python -m course.catalogs`` makes them (the image's install does),
and :func:`course.i18n.translations` compiles a missing or outdated one on first use.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "manabu"


def mo_path(lang: str) -> Path:
    """Where the compiled catalog of ``lang`` goes."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def po_paths(lang: str) -> list[Path]:
    """The translators' files of ``lang``, in a fixed order (a later file wins a clash)."""
    return sorted((LOCALE_DIR / lang).glob("*.po"))


def is_current(lang: str) -> bool:
    """Whether ``lang``'s compiled catalog exists and is newer than every ``.po`` file."""
    mo = mo_path(lang)
    try:
        built = mo.stat().st_mtime_ns
    except OSError:
        return False
    return all(p.stat().st_mtime_ns <= built for p in po_paths(lang))


def read_po(text: str, lang: str = "ja"):
    """A Babel ``Catalog`` from the text of one ``.po`` file."""
    from babel.messages.pofile import read_po as babel_read_po

    return babel_read_po(io.StringIO(text), locale=lang)


def po_messages(text: str) -> dict[str, str]:
    """{msgid: msgstr} of the checked translations in a ``.po`` text (untranslated and fuzzy
    entries left out: gettext shows those in English)."""
    return {m.id: m.string for m in read_po(text) if m.id and m.string and not m.fuzzy}


def compile_mo(lang: str) -> bytes:
    """The ``.mo`` bytes of all ``.po`` files of ``lang`` merged (fuzzy entries left out)."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    merged = Catalog(locale=lang, domain=DOMAIN)
    for path in po_paths(lang):
        for message in read_po(path.read_text(encoding="utf-8"), lang):
            if message.id and message.string and not message.fuzzy:
                merged.add(message.id, message.string)
    out = io.BytesIO()
    write_mo(out, merged, use_fuzzy=False)
    return out.getvalue()


def compile_all(langs: tuple[str, ...] | None = None) -> list[Path]:
    """Write the ``.mo`` file of each language that has ``.po`` files; return their paths."""
    langs = langs or tuple(sorted(p.name for p in LOCALE_DIR.iterdir() if p.is_dir()))
    written = []
    for lang in langs:
        if po_paths(lang):
            path = mo_path(lang)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")  # two kernels may compile at once
            tmp.write_bytes(compile_mo(lang))
            tmp.replace(path)  # a kernel reading it meanwhile sees the old or the new, whole
            written.append(path)
    return written


if __name__ == "__main__":
    for written_path in compile_all(tuple(sys.argv[1:]) or None):
        print(written_path)
