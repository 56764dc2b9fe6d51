"""Shared fixtures: built courses in both languages, free ports, a clean environment."""

from __future__ import annotations

import asyncio
import os
import shutil
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


def run_folder(tmp_path_factory) -> Path:
    """A folder shared by every worker of this test run (``pytest -n``), or the run's own."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(tmp_path_factory, name: str, lang: str, ids: list[str]) -> Path:
    """A course built once per test run, whichever worker asks first (the others wait for it):
    copy it with ``copy_course`` before changing it."""
    import fcntl

    from autograder.build.builder import build_course

    shared = run_folder(tmp_path_factory) / "built-courses"
    shared.mkdir(exist_ok=True)
    course, done = shared / name, shared / f"{name}.done"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            if course.exists():  # a worker stopped half-way: build it again
                shutil.rmtree(course)
            build_course(course, lang, ids, log=lambda *a: None)
            done.touch()
    return course


def copy_course(built: Path, dest: Path) -> Path:
    """A copy of a built course at ``dest``, its config naming its new folder."""
    shutil.copytree(built, dest, symlinks=True)
    config = dest / "nbgrader_config.py"  # the only file that names the folder
    config.write_text(config.read_text(encoding="utf-8").replace(str(built), str(dest)),
                      encoding="utf-8")
    return dest


@pytest.fixture(scope="session", params=["en", "ja"])
def built_course(request, tmp_path_factory):
    """A course folder with every lesson built in one language: (lang, path). Built once per
    test run and copied for each worker, which may change its copy (submit, grade)."""
    lang = request.param
    built = built_once(tmp_path_factory, f"all-{lang}", lang, lesson_ids())
    return lang, copy_course(built, tmp_path_factory.mktemp(f"course-{lang}") / "course")


@pytest.fixture(scope="session")
def empty_gradebook(tmp_path_factory) -> Path:
    """An empty nbgrader gradebook, made once: copy it (creating one runs nbgrader's database
    migrations, seconds on a busy machine)."""
    from nbgrader.api import Gradebook

    path = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    Gradebook(f"sqlite:///{path}", "manabu").close()
    return path


@pytest.fixture(autouse=True)
def _no_event_loop_left_by_playwright(request):
    """A test that does not drive the browser runs as in plain Python, with no event loop running.
    Playwright's sync API (:func:`browser`, one per process) runs its loop in a greenlet of this
    thread, and asyncio then says that loop is running for every later test of the process:
    ``asyncio.run`` refused to start and a widget planned its steps on a loop nobody ran (the
    robot tests, in ``make test-fast``'s single process). Put back afterwards, for Playwright."""
    leaked = asyncio._get_running_loop()
    if leaked is None or "browser" in request.fixturenames:
        yield
        return
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(leaked)


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
    "test_lessons": {"test_teacher_version_runs_top_to_bottom_in_a_fresh_kernel",
                     "test_forked_kernels_start_clean_after_another_lesson"},
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
    group = item.stash[GROUP] = worker_group(item)
    if group:
        item.add_marker(pytest.mark.xdist_group(group))


# -- workers: `make test` runs the slow and browser tests side by side on a few workers --------
# (`pytest -n 3 --dist loadgroup`): most of their time is spent waiting for a kernel, a server or
# a browser, so two cores can keep three busy. A group's tests run on one worker, in order.
# Tests that change the machine itself (Unix users, /etc, a hub) share one group, so they never
# run at the same time as each other.
MACHINE_GROUP = "machine"
GROUP = pytest.StashKey[str | None]()  # each test's group, decided once when it is collected
MACHINE_FILES = {"test_hub", "test_guide", "test_hubproxy", "test_hubconfig"}
# Seconds a group (or a long test in none) takes, measured on 3 workers (`--durations=0`, summed
# per group, rounded): the longest start first, so no worker is left with a long one at the end.
# A group not listed is short. Update when a group grows: `make test` prints the slowest tests.
GROUP_SECONDS = {MACHINE_GROUP: 730, "test_browser": 350, "test_gallery_browser": 350,
                 "test_grading-ja": 215, "test_grading-en": 150, "test_offline_browser": 120,
                 "test_grading_safety": 100, "test_report": 90, "test_japanese_everywhere": 75,
                 "test_voila_browser": 70, "test_kit_browser": 40, "test_advice": 35,
                 "test_feedback": 30, "test_my_lessons_browser": 30, "test_kanten": 20,
                 "test_postgres": 20, "test_my_lessons": 20,
                 # single tests in no group
                 "test_e01_and_e03_in_japanese_by_taps_only": 110,
                 "test_a_stopped_grader_resumes_without_grading_anything_twice": 100,
                 "test_demo_runs_the_teacher_cycle": 75, "test_wheel_holds_every_file_and_builds_a_lesson": 20,
                 "test_broken_lesson_files_get_a_clear_message_and_nothing_is_written": 45,
                 "test_a_japanese_class_reads_what_happened_in_japanese": 40}


def shares_a_module_fixture(item) -> bool:
    """Whether the test uses a fixture made once per module or class (a server, a graded class)."""
    info = getattr(item, "_fixtureinfo", None)
    return bool(info) and any(d.scope in ("module", "class", "package")
                              for defs in info.name2fixturedefs.values() for d in defs)


def pytest_configure(config):
    """Refuse a pytest whose node ids pytest-xdist cannot group (checked again on each worker)."""
    from packaging.version import Version

    if getattr(config.option, "dist", "no") == "loadgroup" and \
            Version(pytest.__version__) >= Version("9.2"):
        raise pytest.UsageError(
            f"pytest {pytest.__version__} breaks pytest-xdist's --dist loadgroup (pytest-xdist#1386):"
            " install the versions pyproject.toml allows (make venv does).")


def worker_group(item) -> str | None:
    """The group a slow or browser test runs in: its file's when it shares a module's fixture, so
    a module's server or graded class is made once (per language when the file runs in both;
    each is made separately anyway). Other tests, and unit tests, have none: any free worker
    takes them."""
    if tier(item) == "unit":
        return None
    stem = item.path.stem
    if stem in MACHINE_FILES:
        return MACHINE_GROUP
    if not shares_a_module_fixture(item):
        return None
    params = getattr(item, "callspec", None)
    lang = params.params.get("built_course") if params else None
    return f"{stem}-{lang}" if lang else stem


def group_seconds(item) -> float:
    return GROUP_SECONDS.get(item.stash[GROUP] or item.originalname, 0)


@pytest.hookimpl(trylast=True)  # after pytest groups tests by fixture; the sort keeps that
def pytest_collection_modifyitems(config, items):
    """Unit tests first; then the slow and browser tests, longest group first (a stable sort:
    tests keep pytest's order within a group)."""
    order = {"unit": 0, "slow": 1, "browser": 2}
    items.sort(key=lambda item: (order[tier(item)] > 0, -group_seconds(item),
                                 item.stash[GROUP] or "", order[tier(item)]))
    if getattr(config.option, "loadgroup", False):  # on a worker of `pytest -n N --dist loadgroup`
        lost = [item.nodeid for item in items
                if item.stash[GROUP] and not item.nodeid.endswith(f"@{item.stash[GROUP]}")]
        if lost:  # then a module's server would start on every worker, and hub tests collide
            raise pytest.UsageError(
                f"pytest-xdist did not group {len(lost)} tests (first: {lost[0]}): this pytest and "
                "pytest-xdist do not work together; install the versions pyproject.toml allows.")


@pytest.fixture(scope="session")
def course_e03_ja(tmp_path_factory):
    """A function that makes a fresh copy of a Japanese course with only e03 built (built once
    per test run: the "My lessons" tests each need their own, and a build takes ~15 s)."""
    built = built_once(tmp_path_factory, "e03-ja", "ja", ["e03"])
    return lambda dest: copy_course(built, dest)
