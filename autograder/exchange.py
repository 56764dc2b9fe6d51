"""Compatibility: course configs written by earlier builds name ``autograder.exchange.*``;
the code lives in :mod:`autograder.school.exchange`."""

from autograder.school.exchange import *  # noqa: F401,F403
