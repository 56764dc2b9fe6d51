"""Compatibility: course configs written by earlier builds name ``autograder.nbgrader_plugins.*``;
the code lives in :mod:`autograder.grading.nbgrader_plugins`."""

from autograder.grading.nbgrader_plugins import *  # noqa: F401,F403
