"""``start_lesson()``: the first code cell of every lesson."""

from __future__ import annotations

from course.forgiving import normalize_source
from course.i18n import _, get_language, set_language

# What an IME character may become (full-width ASCII is checked by arithmetic). Kept here, not
# taken from course.forgiving: see forgiving_input.
IME_QUOTES = "＂“”„‟〝〞〟″＇‘’‚‛′「」『』"
IME_SIGNS = {"\u3000": " ", "、": ",", "。": ".", "×": "*", "÷": "/", "−": "-", "‐": "-",
             "–": "-", "ー": "-"}


def only_ime_changes(before: str, after: str) -> bool:
    """True if ``after`` differs from ``before`` only where an IME character became the
    half-width character it means (ASCII and Japanese text untouched)."""
    if len(before) != len(after):
        return False
    for typed, read in zip(before, after, strict=True):
        if typed == read:
            continue
        code = ord(typed)
        if 0xFF01 <= code <= 0xFF5E and ord(read) == code - 0xFEE0:
            continue
        if (typed in IME_QUOTES and read in "\"'") or IME_SIGNS.get(typed) == read or (
                typed == "。" and read == " "):
            continue
        return False
    return True


def forgiving_input(lines: list[str]) -> list[str]:
    """IPython input transformer: the cell as :func:`course.forgiving.normalize_source` reads it.

    Never raises: a cell it cannot read is passed on as typed, for Python to explain. It
    passes on only IME-to-half-width changes (:func:`only_ime_changes`), so in a student's
    kernel, where the visible checks run too, a tampered ``course.forgiving`` cannot rewrite a
    check. (Grading does not depend on it: there the tests run in the judge, a separate
    process, see :mod:`autograder.grading.judge`.)
    """
    text = "".join(lines)
    try:
        read = normalize_source(text)
    except Exception:  # a bug there must not stop a child's cell
        return lines
    return read.splitlines(keepends=True) if only_ime_changes(text, read) else lines


def start_lesson(lesson_id: str, lang: str = "en") -> None:
    """Set the language for lesson ``lesson_id`` and make the kernel forgiving.

    In IPython (JupyterLab's kernel, and the shell ``manabu grade`` runs the notebook in):
    IME input is read as half-width (:mod:`course.forgiving`), errors show as one friendly
    line (:mod:`course.checks`), and checks refuse values from failed runs
    (:mod:`course.freshness`), and runs of graded cells are reported to the class's live view
    when there is one (:mod:`course.live`). Running it again adds nothing twice.
    """
    set_language(lang)
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python (scripts, tests): nothing to install
        shell = None
    else:
        shell = get_ipython()
    if shell is not None:
        from course.checks import install_friendly_errors
        from course.freshness import install_tracker
        from course.live import install_reporter
        from course.unrun_edits import listen as listen_for_edits

        if forgiving_input not in shell.input_transformers_cleanup:
            shell.input_transformers_cleanup.append(forgiving_input)
        install_friendly_errors(shell)
        listen_for_edits(install_tracker(shell))  # edited answer cells, told by the extension
        install_reporter(shell, lesson_id)  # the live class view, when the kernel is in a class
    print("✔ " + _("Ready! Lesson {lesson} ({lang}). Now run the next cell.").format(
        lesson=lesson_id, lang=get_language()))
