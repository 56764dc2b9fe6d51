"""Compatibility: course configs written by earlier builds name ``autograder.release_guard.*``;
the code lives in :mod:`autograder.build.release_guard`."""

from autograder.build.release_guard import *  # noqa: F401,F403
