"""Manabu's student-side runtime, imported in every lesson's kernel.

Kept light on purpose: importing ``course`` loads no scikit-learn, no matplotlib and
no widgets. Lessons import what they need from the submodules::

    from course import _, check, start_lesson
    from course.widgets import DrawAndGuess
"""

from course.checks import CheckFailed, check
from course.i18n import _, get_language, set_language
from course.lesson import start_lesson

__all__ = ["CheckFailed", "_", "check", "get_language", "set_language", "start_lesson"]
__version__ = "0.1.0"
