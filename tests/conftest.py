"""Shared fixtures: built courses in both languages, free ports, a clean environment."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
# nbgrader runs `alembic` from PATH.
os.environ["PATH"] = str(VENV_BIN) + os.pathsep + os.environ.get("PATH", "")
os.environ.pop("MANABU_LANG", None)


def lesson_ids() -> list[str]:
    """The lessons the tests cover: all, or those in MANABU_TEST_LESSONS (e.g. "e04,e05")."""
    from course.catalog import lesson_folders

    wanted = [i.strip() for i in os.environ.get("MANABU_TEST_LESSONS", "").split(",") if i.strip()]
    return wanted or sorted(lesson_folders())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session", params=["en", "ja"])
def built_course(request, tmp_path_factory):
    """A course folder with every lesson built in one language: (lang, path)."""
    from autograder.build.builder import build_course

    path = tmp_path_factory.mktemp(f"course-{request.param}")
    build_course(path, request.param, lesson_ids(), log=lambda *a: None)
    return request.param, path


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright (never a downloaded browser)."""
    from browser_helpers import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
