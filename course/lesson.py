"""``start_lesson()``: the first code cell of every lesson."""

from __future__ import annotations

from course.i18n import _, get_language, set_language


def start_lesson(lesson_id: str, lang: str = "en") -> None:
    """Set the language and friendly error messages for lesson ``lesson_id``."""
    set_language(lang)
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python (scripts, tests): nothing to install
        shell = None
    else:
        shell = get_ipython()
    if shell is not None:
        from course.checks import install_friendly_errors

        install_friendly_errors(shell)
    print("✔ " + _("Ready! Lesson {lesson} ({lang}). Now run the next cell.").format(
        lesson=lesson_id, lang=get_language()))
