"""Grading limits: what one submission may spend. Declared once, as traitlets config.

The same traits are read by ``manabu grade`` (its options and their defaults and help), by the
Formgrader's Autograde button (``c.SandboxExecute.cell_timeout = ...`` in the course's
``nbgrader_config.py``: :class:`autograder.grading.nbgrader_plugins.SandboxExecute` is a
``GradingLimits``) and by the sandbox (:meth:`GradingLimits.for_sandbox`).
"""

from __future__ import annotations

from traitlets import Bool, Float, Integer
from traitlets.config import Configurable


class GradingLimits(Configurable):
    """Time, memory, disk and output limits of one submission's grading run."""

    cell_timeout = Float(30, help="Seconds one cell (or one call of a student's function by a "
                                  "test) may run.").tag(config=True)
    notebook_timeout = Float(120, help="Seconds the whole notebook may run.").tag(config=True)
    memory_mb = Integer(1024, help="Memory one submission may use (MB).").tag(config=True)
    disk_mb = Integer(200, help="Disk one submission may use for its files and temporary files "
                                "(MB).").tag(config=True)
    output_chars = Integer(20_000, help="Characters kept per output (a print, a table, an "
                                        "error).").tag(config=True)
    notebook_chars = Integer(400_000, help="Characters kept for all outputs of one notebook "
                                           "(feedback stays small).").tag(config=True)
    fork = Bool(True, help="Start each submission's Python from a pre-imported sandboxed parent "
                           "that forks a fully isolated child per submission (faster, same "
                           "isolation; only as root with bubblewrap). False: a fresh sandbox "
                           "each time.").tag(config=True)
    require_sandbox = Bool(False, help="Refuse to grade unless student code runs fully isolated "
                                       "(bubblewrap).").tag(config=True)

    def for_sandbox(self, lang: str):
        """These limits as the sandbox takes them, with the language the student reads."""
        from autograder.grading.sandbox import Limits

        return Limits(lang=lang, memory_mb=self.memory_mb, disk_mb=self.disk_mb,
                      cell_seconds=self.cell_timeout, notebook_seconds=self.notebook_timeout,
                      output_chars=self.output_chars, notebook_chars=self.notebook_chars,
                      fork=self.fork)


def default(name: str):
    """The one default of a grading limit."""
    return GradingLimits.class_traits()[name].default_value


def help_text(name: str) -> str:
    """The one help text of a grading limit."""
    return GradingLimits.class_traits()[name].help


def config_lines(section: str = "SandboxExecute") -> str:
    """The limits as lines of a course's ``nbgrader_config.py``, each with its help."""
    return "".join(f"c.{section}.{name} = {default(name)!r}  # {help_text(name)}\n"
                   for name in ("cell_timeout", "notebook_timeout", "memory_mb", "disk_mb"))
