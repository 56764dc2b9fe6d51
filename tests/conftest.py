"""Shared fixtures: built courses in both languages, free ports, a clean environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from autograder.dev.labserver import free_port  # noqa: F401 (tests import it from here)

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


@pytest.fixture(scope="session", params=["en", "ja"])
def built_course(request, tmp_path_factory):
    """A course folder with every lesson built in one language: (lang, path)."""
    from autograder.build.builder import build_course

    path = tmp_path_factory.mktemp(f"course-{request.param}")
    build_course(path, request.param, lesson_ids(), log=lambda *a: None)
    return request.param, path


@pytest.fixture(scope="session")
def empty_gradebook(tmp_path_factory) -> Path:
    """An empty nbgrader gradebook, made once: copy it (creating one runs nbgrader's database
    migrations, seconds on a busy machine)."""
    from nbgrader.api import Gradebook

    path = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    Gradebook(f"sqlite:///{path}", "manabu").close()
    return path


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright (never a downloaded browser)."""
    from browser_helpers import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# -- tiers: `make test-fast` runs the first, `make test` all three in this order --------------
# A test is "slow" when it builds a course, runs a notebook, a sandbox, nbgrader, a server or a
# wheel (seconds each); "browser" when it drives Chromium. Everything else is a unit test that
# takes milliseconds. Listed here, in one place, rather than in each file.
SLOW_FILES = {"test_advice", "test_cli", "test_feedback", "test_grading", "test_grading_safety",
              "test_hub", "test_japanese_everywhere", "test_kanten", "test_postgres",
              "test_previews", "test_report", "test_sandbox", "test_wheel",
              "test_my_lessons", "test_live", "test_answerline", "test_guide", "test_hubproxy",
              "test_zygote", "test_labserver"}
SLOW_FIXTURES = {"built_course", "hub", "e01_course"}  # a test that uses one is slow
SLOW_TESTS = {  # the slow tests of files that are otherwise unit tests
    "test_lessons": {"test_teacher_version_runs_top_to_bottom_in_a_fresh_kernel"},
    "test_forgiving": {"test_jupyter_kernel_reads_ime_input_and_shows_one_friendly_line",
                       "test_a_blank_student_version_run_top_to_bottom_shows_no_traceback"},
    "test_hubconfig": {"test_private_homes_script_sets_home_mode_once_and_closes_homes"},
}


def tier(item) -> str:
    """"browser", "slow" or "unit": the test's place in `make test` (fast to slow)."""
    if item.get_closest_marker("browser"):
        return "browser"
    if item.get_closest_marker("slow"):
        return "slow"
    return "unit"


def pytest_itemcollected(item):
    stem = item.path.stem
    if stem in SLOW_FILES or item.originalname in SLOW_TESTS.get(stem, ()) or \
            SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        item.add_marker(pytest.mark.slow)


@pytest.hookimpl(trylast=True)  # after pytest groups tests by fixture; the sort keeps that
def pytest_collection_modifyitems(config, items):
    order = {"unit": 0, "slow": 1, "browser": 2}
    items.sort(key=lambda item: order[tier(item)])


@pytest.fixture(scope="session")
def course_e03_ja(tmp_path_factory):
    """A function that makes a fresh copy of a Japanese course with only e03 built (built once
    per session: the "My lessons" tests each need their own, and a build takes ~15 s)."""
    import shutil

    from autograder.build.builder import build_course

    built = tmp_path_factory.mktemp("e03-ja") / "course"
    build_course(built, "ja", ["e03"], log=lambda *a: None)

    def copy(dest: Path) -> Path:
        shutil.copytree(built, dest, symlinks=True)
        config = dest / "nbgrader_config.py"  # the only file that names the folder
        config.write_text(config.read_text(encoding="utf-8").replace(str(built), str(dest)),
                          encoding="utf-8")
        return dest

    return copy
