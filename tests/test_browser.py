"""A real JupyterLab (started as `make lab` starts it) in Debian Chromium, driven by Playwright:
the e03 lesson runs, the drawing pad and neighbours view render, and drawing changes the guess."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from axe_helpers import (
    NOTEBOOK_CONTENT,
    axe_violations,
    count,
    describe,
    failing_pages,
    keyboard_problems,
    scan_files,
)
from browser_helpers import (
    ERROR_OUTPUT,
    PROMPTS,
    TOKEN,
    browser_page,
    mouse_stroke,
    open_and_run_all,
    running,
    sessions,
    shutdown_kernels,
    wait_for_idle_kernel,
    wait_until_all_ran,
    widget_errors,
)
from conftest import free_port, lesson_ids
from device_checks import device_problems
from lab_tabs import LabTabs, exposing_app_env
from webkit_helpers import webkit_session

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
DOCS_IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`manabu lab --as-student` on a fresh course folder (it builds the course itself), on a
    free port: every lesson is checked in the JupyterLab a child gets from the school's hub, with
    the plugins and extension packages a student's page leaves out (autograder/labpage.py)."""
    course = tmp_path_factory.mktemp("lab-course")
    port = free_port()
    cmd = [sys.executable, "-m", "autograder.cli", "lab", "--course", str(course), "--lang", "en",
           "--port", str(port), "--no-browser", "--as-student"]
    logs = tmp_path_factory.mktemp("lab-log")
    # window.jupyterapp for LabTabs (the test's server only: `make lab` never exposes it)
    env = exposing_app_env(logs / "jupyter-config")
    with running(cmd, port, logs / "lab.log", env=env) as base:
        yield base, course


@pytest.fixture(scope="module")
def lesson_tabs(lab, browser):
    """One JupyterLab page on a touch screen, loaded once, in which the lessons run in turn."""
    tabs = LabTabs(browser, lab[0], touch=True)
    yield tabs
    tabs.close()
    assert not tabs.reloaded_needlessly(), tabs.reloaded_needlessly()


def run_lesson_and_draw(page, url: str, slider: bool = True) -> None:
    open_and_run_all(page, url)
    pad = page.wait_for_selector(".manabu-drawing-pad canvas", timeout=60_000)
    page.wait_for_selector(".manabu-neighbors-view .manabu-neighbors", timeout=30_000)
    page.wait_for_selector(".manabu-kchooser", timeout=60_000)
    wait_until_all_ran(page)  # a notebook still running moves the focus away from widgets
    assert widget_errors(page) == []
    neighbors = page.locator(".manabu-neighbors").first
    assert "guess" in neighbors.inner_text().lower()  # "Draw a digit and I will guess it."
    assert neighbors.locator(".manabu-guess").count() == 0

    mouse_stroke(page, pad)  # a real pointer stroke: a "1" down the middle of the pad
    page.wait_for_selector(".manabu-neighbors .manabu-guess", timeout=15_000)
    assert "1" in page.locator(".manabu-neighbors .manabu-guess").first.inner_text()

    # touch: a finger stroke (pointer events with pointerType "touch") after Clear
    page.locator(".manabu-drawing-pad .manabu-clear").first.click()
    page.wait_for_function("() => !document.querySelector('.manabu-neighbors .manabu-guess')",
                           timeout=15_000)
    box = pad.bounding_box()
    x, y0, y1 = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.1, box["y"] + box["height"] * 0.9
    touch = {"pointerType": "touch", "pointerId": 7, "isPrimary": True, "bubbles": True}
    pad.dispatch_event("pointerdown", {**touch, "clientX": x, "clientY": y0})
    for step in range(1, 9):
        pad.dispatch_event("pointermove", {**touch, "clientX": x, "clientY": y0 + (y1 - y0) * step / 8})
    pad.dispatch_event("pointerup", {**touch, "clientX": x, "clientY": y1})
    page.wait_for_selector(".manabu-neighbors .manabu-guess", timeout=15_000)
    assert "1" in page.locator(".manabu-neighbors .manabu-guess").first.inner_text()

    # keyboard alternative: Delete clears, arrows move the box, Space paints a column
    pad.press("Delete")
    page.wait_for_function("() => !document.querySelector('.manabu-neighbors .manabu-guess')",
                           timeout=15_000)
    for key in ["ArrowUp"] * 3 + ["Space", "ArrowDown"] * 7 + ["Space"]:
        pad.press(key)
    page.wait_for_selector(".manabu-neighbors .manabu-guess", timeout=15_000)
    assert "1" in page.locator(".manabu-neighbors .manabu-guess").first.inner_text()

    if not slider:
        return
    # the neighbours slider, from the keyboard: k 5 -> 6
    before = neighbors.inner_text()
    handle = page.locator(".manabu-neighbors-view .ui-slider-handle, "
                          ".manabu-neighbors-view .noUi-handle").first
    handle.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('.manabu-neighbors').innerText.includes('6')", timeout=15_000)
    assert neighbors.inner_text() != before
    assert widget_errors(page) == []


def test_e03_runs_in_jupyterlab_and_drawing_changes_the_guess(lab, browser, tmp_path_factory):
    base, course = lab
    assert (course / "release" / "e03" / "e03.ipynb").exists()  # `manabu lab` built the course
    SHOTS.mkdir(parents=True, exist_ok=True)
    DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
    for attempt in (1, 2):  # the first run after an install can hang once (FIELD-NOTES)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            # the teacher version: "run all" stops at the first failing check of an unanswered copy
            run_lesson_and_draw(page, f"{base}/lab/tree/source/e03/e03.ipynb?reset&token={TOKEN}")
            # the kernel the server started while the page loaded is the one JupyterLab uses
            # (autograder.school.early_kernel): one session, one kernel, its id in the log
            [session] = sessions(base)
            assert session["path"] == "source/e03/e03.ipynb"
            [log] = tmp_path_factory.getbasetemp().glob("lab-log[0-9]*/lab.log")
            started = [line for line in log.read_text(encoding="utf-8").splitlines()
                       if "early kernel: started python3 for source/e03/e03.ipynb" in line]
            assert started and started[-1].endswith(f"kernel {session['kernel']['id']}"), started
            pad = page.locator(".manabu-drawing-pad").first.locator("xpath=../../..")
            pad.screenshot(path=str(DOCS_IMAGES / "e03-draw-and-guess.png"))
            return
        except Exception:
            page.screenshot(path=str(SHOTS / f"e03-failure-{attempt}.png"))
            if attempt == 2:
                raise
        finally:
            page.close()
            shutdown_kernels(base)


def test_start_page_lists_lessons_with_links_and_passes_axe(lab, browser):
    """The start page lists the lessons with links to the student versions and the teacher
    guides, and a link opens its lesson; axe-core (WCAG 2.2 AA) finds nothing critical or serious
    on the start page's text and in every teacher guide of the English course (the Japanese
    ones: test_offline_browser.py). One page: a JupyterLab load costs seconds of CPU."""
    base, course = lab
    guides = [f"guides/{g.name}" for g in sorted((course / "guides").glob("*.html"))]
    with browser_page(browser, SHOTS / "start-page-failure.png", base) as page:
        page.goto(f"{base}/?reset&token={TOKEN}")  # `/` goes to the start page
        page.wait_for_url("**/lab/tree/start.ipynb**", timeout=60_000)
        # the student version opens the teacher's own copy, never nbgrader's release folder
        link = page.locator(".jp-RenderedMarkdown a[href*='preview/e03/e03.ipynb']")
        link.first.wait_for(timeout=60_000)
        assert page.locator(".jp-RenderedMarkdown a[href*='release/']").count() == 0
        text = page.locator(".jp-RenderedMarkdown").first.inner_text()
        assert "Elementary school" in text and "Draw, and the computer guesses" in text
        assert page.locator(".jp-RenderedMarkdown a[href*='guides/e03.html']").count() == 1
        found = {"start page": axe_violations(page, NOTEBOOK_CONTENT)}  # before a tab opens
        link.first.click()  # JupyterLab opens the student version in a new tab
        page.locator(".lm-TabBar-tab", has_text="e03.ipynb").first.wait_for(timeout=30_000)
        # the guides in a page of their own: leaving JupyterLab after a click may ask to stay
        guide_page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            found.update(scan_files(guide_page, base, guides))
        finally:
            guide_page.close()
    assert len(found) == len(lesson_ids()) + 1, sorted(found)
    assert not failing_pages(found), failing_pages(found)


def test_e03_also_works_in_notebook_7(lab, browser):
    base, _course = lab
    with browser_page(browser, SHOTS / "e03-notebook7-failure.png", base) as page:
        # Notebook 7 moves the keyboard focus back to the notebook, so the slider is left out here
        run_lesson_and_draw(page, f"{base}/notebooks/source/e03/e03.ipynb?token={TOKEN}", slider=False)


WIDGET_OUTPUT = ".jp-OutputArea-output:has(.jupyter-widgets)"


@pytest.mark.parametrize("lesson_id", lesson_ids())
def test_every_lesson_renders_its_widgets(lesson_tabs, lesson_id):
    """Run all of each lesson's teacher version on a touch screen: every widget renders, none
    shows an error, and at 1366×768, 1024×768 and 810×1080 nothing scrolls sideways and
    Manabu's controls are at least 44 px (tests/device_checks.py). The lessons share one
    JupyterLab page (tests/lab_tabs.py: a page load costs seconds of CPU), each the only
    notebook open in it, in the layout of a freshly loaded page."""
    with lesson_tabs.notebook(f"source/{lesson_id}/{lesson_id}.ipynb", SHOTS / f"{lesson_id}-failure.png",
                              full_page=True) as page:
        wait_until_all_ran(page)
        outputs = page.locator(WIDGET_OUTPUT)
        assert outputs.count() >= 1, f"{lesson_id}: the lesson shows no widget"
        assert widget_errors(page) == [], lesson_id
        # (no error output: wait_until_all_ran asserts that)
        # accessibility of what the lesson draws (text and outputs, not JupyterLab's own interface)
        found = axe_violations(page, NOTEBOOK_CONTENT)
        assert not found, f"{lesson_id}: {count(found)} critical/serious axe findings:\n" + describe(found)
        assert keyboard_problems(page) == [], lesson_id

        # Tablets and Chromebooks, measured in the page just run (no second run per screen size)
        problems = device_problems(page)
        assert not problems, f"{lesson_id} on school devices:\n" + "\n".join(problems)


# a folded step (elementary lessons) shows its [n] in the extension's run bar, not in its prompt
ALL_RAN_JS = f"""const p = {PROMPTS};
    const error = document.querySelector("{ERROR_OUTPUT}");
    return error ? 'error: ' + error.innerText.slice(0, 300)
        : (p.length > 0 && p.every(t => /\\[\\d+\\]/.test(t)));"""


SETTLED_JS = f"""const notebook = window.jupyterapp?.shell.currentWidget?.content;
    const cells = notebook?.model?.cells?.length ?? 0;
    return cells > 0 && document.querySelectorAll('.jp-Notebook .jp-Cell').length >= cells
        && document.querySelector('.jp-Notebook-ExecutionIndicator')?.getAttribute('data-status') === 'idle'
        && !{PROMPTS}.some(t => t.includes('*'));"""


def webkit_run_all(wk, url: str) -> None:
    """Open a notebook in WebKit, wait for its kernel, and run all from the Run menu."""
    wk.goto(url)
    wk.wait_js("return document.querySelectorAll('.jp-Notebook .jp-Cell').length", seconds=90,
               what="the notebook's cells")
    wait_for_idle_kernel(url)
    # JupyterLab enables the Run menu's entries once the notebook is its current document, which
    # can come after its cells are drawn (seen in CI: the menu opened with every entry greyed out,
    # and the click on Run All did nothing). As a child would, close the menu and open it again.
    menu = "return document.querySelector(\".lm-MenuBar-item:nth-child(4)\")"
    run_all = ".lm-Menu-item[data-command='runmenu:run-all']"
    deadline = time.time() + 60
    while True:
        wk.click(wk.wait_js(menu, what="Run menu"))
        entry = wk.wait_js(f"return document.querySelector(\"{run_all}\")", what="Run all")
        if not wk.js("return arguments[0].classList.contains('lm-mod-disabled')", entry):
            break
        assert time.time() < deadline, "WebKit: Run all stayed greyed out for 60 s"
        wk.click(wk.wait_js(menu, what="Run menu"))  # closes it
        time.sleep(0.5)
    wk.click(entry)
    assert wk.wait_js(ALL_RAN_JS, seconds=180, what="every cell to run") is True
    # JupyterLab draws the cells off the screen later ("defer" windowing, autograder/lab.py), so
    # "every drawn cell ran" can hold while the last cells still run and the notebook scrolls to
    # them (seen in CI: e01's quiz, scrolled into view, was moved away before the tap). Wait for
    # every cell drawn, nothing queued, the notebook idle: on four checks 0.3 s apart.
    deadline, settled = time.time() + 120, 0
    while settled < 4:
        assert time.time() < deadline, "WebKit: the notebook did not settle in 120 s after running"
        settled = settled + 1 if wk.js(SETTLED_JS) else 0
        time.sleep(0.3)
    assert wk.wait_js(ALL_RAN_JS, seconds=10, what="every cell to run") is True


def webkit_stroke(wk, pad, kind: str) -> str:
    """Clear the pad, draw a "1" down its middle with a ``kind`` pointer; return the guess."""
    wk.click(wk.find(".manabu-drawing-pad .manabu-clear"))
    wk.wait_js("return !document.querySelector('.manabu-neighbors .manabu-guess')", seconds=15,
               what="the guess to go after Clear")
    x, y, w, h = wk.js("const r = arguments[0].getBoundingClientRect(); return [r.x, r.y, r.width, r.height]", pad)
    wk.pointer_stroke([(x + w / 2, y + h * (0.1 + 0.08 * i)) for i in range(11)], kind)
    return wk.wait_js("const g = document.querySelector('.manabu-neighbors .manabu-guess');"
                      "return g && g.innerText", seconds=20, what=f"a guess after a {kind} stroke")


def test_lessons_work_in_webkit(lab):
    """Debian's WebKitGTK (Safari's engine), with real input events through its WebDriver:
    e03 runs, a mouse and a touch stroke on the pad are guessed, dragging the slider changes
    the view; in e01 a tap on a choice and on Check answers the question."""
    base, _course = lab
    with webkit_session(free_port(), SHOTS.parent / "webkit.log") as wk:
        try:
            webkit_run_all(wk, f"{base}/lab/tree/source/e03/e03.ipynb?reset&token={TOKEN}")
            pad = wk.find(".manabu-drawing-pad canvas")
            wk.js("arguments[0].scrollIntoView({block: 'center'})", pad)
            for kind in ("mouse", "touch"):
                assert "1" in webkit_stroke(wk, pad, kind), kind

            # drag the k slider's handle to the right: k and the view change
            before = wk.js("return document.querySelector('.manabu-neighbors').innerText")
            handle = wk.find(".manabu-neighbors-view .noUi-handle")
            x, y = wk.js("arguments[0].scrollIntoView({block: 'center'});"
                         "const r = arguments[0].getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]",
                         handle)
            wk.pointer_stroke([(x, y), (x + 30, y), (x + 60, y), (x + 90, y)], "touch")
            wk.wait_js("return document.querySelector('.manabu-neighbors').innerText != arguments[0]", before,
                       seconds=15, what="the neighbours view to change after the slider moved")
            shutdown_kernels(base)

            webkit_run_all(wk, f"{base}/lab/tree/source/e01/e01.ipynb?reset&token={TOKEN}")
            # the practice question with a known answer (graded questions show no ✔: #15)
            quiz = wk.wait_js("return [...document.querySelectorAll('.manabu-quiz-choice')]"
                              ".find(q => q.innerText.includes('night light')) || null",
                              seconds=30, what="the night-light question")
            wk.js("arguments[0].scrollIntoView({block: 'center'})", quiz)
            wk.click(wk.js("return arguments[0].querySelector('.widget-radio-box label:nth-child(2)')", quiz))  # b) decides
            wk.click(wk.js("return arguments[0].querySelector('.manabu-quiz-check')", quiz))
            said = wk.wait_js("return arguments[0].innerText.includes('✔') && arguments[0].innerText", quiz,
                              seconds=15, what="✔ after answering b")
            assert "✔" in said
        except Exception:
            wk.screenshot(SHOTS / "webkit-failure.png")
            raise
        finally:
            shutdown_kernels(base)
