"""``start_lesson()``: the first code cell of every lesson."""

from __future__ import annotations

from course.forgiving import forgiving_input
from course.i18n import _, get_language, set_language


def start_lesson(lesson_id: str, lang: str = "en") -> None:
    """Set the language for lesson ``lesson_id`` and make the kernel forgiving.

    In IPython (JupyterLab's kernel, and the shell ``manabu grade`` runs the notebook in):
    IME input is read as half-width (:mod:`course.forgiving`), errors show as one friendly
    line (:mod:`course.checks`), and checks refuse values from failed runs
    (:mod:`course.freshness`). Running it again adds nothing twice.
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

        if forgiving_input not in shell.input_transformers_cleanup:
            shell.input_transformers_cleanup.append(forgiving_input)
        install_friendly_errors(shell)
        install_tracker(shell)
    print("✔ " + _("Ready! Lesson {lesson} ({lang}). Now run the next cell.").format(
        lesson=lesson_id, lang=get_language()))
