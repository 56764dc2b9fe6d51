"""Manabu's teacher side: build lessons into an nbgrader course, grade, give feedback, report.

The ``manabu`` command is :mod:`autograder.cli`.
"""

__version__ = "0.1.0"
