"""Manabu's own settings in a course's ``nbgrader_config.py`` (``c.Manabu.lang = "ja"`` …),
declared as a traitlets ``Configurable``: each has one default and a help text, a wrong value is
refused, and a misspelt name is reported instead of silently ignored."""

from __future__ import annotations

import difflib
from pathlib import Path

from traitlets import Dict, Enum, Float, List, TraitError, Unicode, Union
from traitlets.config import Configurable

from autograder.paths import CourseError
from course.i18n import LANGUAGES


class Manabu(Configurable):
    """The course's own settings (``c.Manabu.<name>``)."""

    lang = Enum(LANGUAGES, default_value="en", help="The course language: lessons, feedback, "
                "reports and the teacher's messages.").tag(config=True)
    kanten_a = Float(80, help="A 観点 is A from this percentage of its points.").tag(config=True)
    kanten_b = Float(50, help="... B from this percentage, below it C.").tag(config=True)
    timezone = Unicode("Asia/Tokyo", help="The school's time zone, for deadlines (an IANA name).",
                       ).tag(config=True)
    classes = Union([Dict(), List()], default_value={},
                    help="The course's classes, {key: title}, recorded by `manabu roster "
                         "import`.").tag(config=True)


class ConfigError(CourseError):
    """A ``c.Manabu`` setting that Manabu does not know or cannot use; says what to write."""


def manabu_settings(config, where: str = "nbgrader_config.py") -> Manabu:
    """The course's :class:`Manabu` settings from a loaded config; a :class:`ConfigError` that
    names the line to fix for an unknown name or a wrong value."""
    given = dict(config.get("Manabu", {}))
    known = Manabu.class_trait_names(config=True)
    for name in given:
        if name not in known:
            near = difflib.get_close_matches(name, known, n=1)
            hint = f"Did you mean c.Manabu.{near[0]}? " if near else ""
            raise ConfigError(f"c.Manabu.{name} in {where} is not a Manabu setting. {hint}"
                              f"The settings are: {', '.join(sorted(known))}.")
    try:
        return Manabu(config=config)
    except TraitError as err:
        name = next((n for n in given if f"'{n}'" in str(err)), None)
        if name is None:
            raise ConfigError(f"A c.Manabu setting in {where} cannot be used: {err}") from None
        trait = Manabu.class_traits()[name]
        raise ConfigError(f"c.Manabu.{name} = {given[name]!r} in {where} cannot be used: it must "
                          f"be {trait.info()} ({trait.help}). Fix that line.") from None


def course_settings(course_dir: Path) -> Manabu:
    """The settings of the course in ``course_dir`` (the defaults when it has no config yet)."""
    from autograder.build.nbconfig import CONFIG_NAME, load_config

    path = course_dir / CONFIG_NAME
    if not path.exists():
        return Manabu()
    return manabu_settings(load_config(course_dir), str(path))
