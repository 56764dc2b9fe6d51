"""Lesson text -> an nbgrader course: the build, the teacher guide, the start page, previews, the course's nbgrader_config.py and the release guard."""
