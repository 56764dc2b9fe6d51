"""Compatibility: course configs written by earlier builds name ``autograder.feedback.*``;
the code lives in :mod:`autograder.grading.feedback`."""

from autograder.grading.feedback import *  # noqa: F401,F403
