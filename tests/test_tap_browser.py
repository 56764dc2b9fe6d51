"""A grade-3 child on a tablet does lessons e01 and e03 in Japanese by taps only, in a real
JupyterLab with Manabu's extension (@manabu/lab): big run buttons, answers written by the widgets
into the answer cells (and the widget then says so, not "copy this line"), furigana in Markdown.
In e01 "run all up to here" runs past an empty code cell a child added, and tapped while a failing
check still runs it leaves no run bar at [*].
In e03 an answer edited and not run again gets "run its cell again" from its check. The saved
notebooks are then submitted and graded by `manabu grade`.

One JupyterLab, one page, touch enabled, 1024×768, no keyboard (but for the one edit)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from browser_helpers import TOKEN, running, shutdown_kernels, wait_for_idle_kernel
from conftest import free_port
from lab_tabs import exposing_app_env

from autograder.lab import LEAN_PAGE
from autograder.labpage import disabled_extensions, write_page_config

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
STUDENT = "hana"
LABEXTENSIONS = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
RUBY = ('<ruby>分類<rp>（</rp><rt>ぶんるい</rt><rp>）</rp></ruby>を<ruby onclick="alert(1)">学<rt>まな</rt></ruby>ぶ'
        '<iframe src="about:blank"></iframe><script>window.manabuLeak = 1</script>')


def solutions(teacher_nb) -> dict[str, str]:
    """{answer name: its solution line} from the teacher version."""
    found = {}
    for cell in teacher_nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            for line in cell.source.splitlines():
                match = re.match(r"(\w+) = (.+)$", line)
                if match:
                    found[match.group(1)] = match.group(2)
    return found


def index_of(nb, text: str) -> int:
    """The index of the first code cell whose source holds ``text``."""
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and text in c.source)


def wait_answer_ran(page, index: int, line: str) -> None:
    """Cell ``index`` (an answer cell) holds ``line``, written by the extension, and ran with it."""
    page.wait_for_function(
        """([index, line]) => {
            const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[index];
            const text = cell?.querySelector('.jp-InputArea-editor')?.textContent ?? '';
            const prompt = cell?.querySelector('.jp-InputPrompt')?.textContent ?? '';
            return text.trim() === line && /\\[\\d+\\]/.test(prompt);
        }""", arg=[index, line], timeout=30_000)


LESSONS = ("e01", "e03")  # a grade-3 lesson, and the model lesson (grade 4)
WRITTEN = "答えのセルに書いたよ"   # the widget, once the extension has written its line
CHANGED = "書きかえたね"           # a check on an answer edited and not run again


def code_index(nb, index: int) -> int:
    """Cell ``index`` counted among the code cells only (the run bars are on code cells)."""
    return sum(c.cell_type == "code" for c in nb.cells[:index])


def check_after(nb, index: int) -> int:
    """The index of the first graded test cell after cell ``index``."""
    return next(i for i, c in enumerate(nb.cells) if i > index and c.cell_type == "code"
                and c.metadata.get("nbgrader", {}).get("grade")
                and not c.metadata.get("nbgrader", {}).get("solution"))


BARS = "() => [...document.querySelectorAll('.manabu-run-count')].map(c => c.textContent)"


def change_cells(page, script: str, index: int) -> None:
    """Run ``script`` on the open notebook's shared model (``cells``, at ``index``), as a child's
    own edit would change it, and wait for the run bars to follow (one per code cell)."""
    page.evaluate(f"""index => {{
        window.manabuBars = document.querySelectorAll('.manabu-run-count').length;
        const cells = window.jupyterapp.shell.currentWidget.content.model.sharedModel;
        {script};
    }}""", index)
    page.wait_for_function("() => document.querySelectorAll('.manabu-run-count').length"
                           " !== window.manabuBars", timeout=15_000)


def run_up_to_while_a_check_fails(page, student, names: list[str]) -> None:
    """"⏩ Run all up to here" tapped while a failing check still runs: the kernel skips ("aborts")
    every request queued behind the error, and the skipped cell's run bar must then say "not run"
    ([ ]), not "running" ([*]) for good (src/runState.ts)."""
    widget = index_of(student, f'name="{names[0]}"')
    check = check_after(student, index_of(student, f"{names[0]} = ..."))  # fails: still ...
    later = index_of(student, f'name="{names[1]}"')
    # three taps in one script (a tap ends in this click), behind 3 s of the kernel's time (no
    # cell's, no run count): the check and the first step of ⏩ queue behind it, so the error
    # always finds the step waiting, however loaded the machine is (with only the widget's run
    # in front, a loaded CI machine sent the step after the error: the setup cell ran)
    page.evaluate("""([widget, check, later]) => {
        window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.requestExecute(
            {code: 'import time; time.sleep(3)', store_history: false});
        const cells = document.querySelectorAll('.jp-Notebook .jp-Cell');
        cells[widget].querySelector('.manabu-run').click();
        cells[check].querySelector('.manabu-run').click();
        cells[later].querySelector('.manabu-run-up-to').click();
    }""", [widget, check, later])
    try:  # ⏩ starts at the setup cell: its request is the one the kernel skipped
        page.wait_for_function(f"""check => {{
            const counts = ({BARS})();
            return /\\d/.test(counts[check]) && counts[0] === '[ ]' && !counts.includes('[*]');
        }}""", arg=code_index(student, check), timeout=30_000)
    except Exception as error:
        raise AssertionError(f"run bars {page.evaluate(BARS)} after a skipped run: the skipped "
                             "setup cell should show [ ], and no cell [*]") from error


def answer_by_taps(page, base: str, lesson: str, student, expected: dict[str, str]) -> None:
    """Open ``lesson`` and answer every question by taps; run it all; save."""
    url = f"{base}/lab/tree/{lesson}/{lesson}.ipynb?token={TOKEN}"
    # a workspace of its own: JupyterLab would reopen the lesson before beside this one
    page.goto(f"{base}/lab/workspaces/{lesson}/tree/{lesson}/{lesson}.ipynb?reset&token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    wait_for_idle_kernel(url)

    if lesson == "e01":
        # furigana: the reading shows above the kanji; the sanitizer still drops the rest
        ruby = page.locator(".jp-RenderedMarkdown ruby").first
        ruby.wait_for(timeout=30_000)
        assert ruby.locator("rt").inner_text() == "ぶんるい"
        assert page.locator(".jp-RenderedMarkdown iframe, .jp-RenderedMarkdown script").count() == 0
        assert page.locator(".jp-RenderedMarkdown ruby[onclick]").count() == 0

    # student view: setup and widget code folded, big run buttons on every step
    cells = page.locator(".jp-Notebook .jp-Cell")
    names = list(expected)  # every graded answer of the lesson, in order
    first = cells.nth(index_of(student, f'name="{names[0]}"'))
    button = first.locator(".manabu-run-up-to")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    # its text, not inner_text(): a button Chromium has not drawn yet (content-visibility, just
    # scrolled into view) has an empty inner text, which failed this line now and then in e03
    assert "ここまで" in button.text_content()
    # the question's code is folded (JupyterLab draws only the cells near the screen, so
    # this checks the one in view; the saved metadata of all of them is checked above)
    assert first.locator(".jp-InputPlaceholder").count() == 1
    step = index_of(student, f'name="{names[0]}"')
    blank = lesson == "e01"  # a child added a cell above the step and left it empty
    if blank:  # JupyterLab gives no reply for it: ⏩ must run past it, not stop there
        change_cells(page, "cells.insertCell(index, {cell_type: 'code', source: ' \\n'})", step)
        button = cells.nth(step + 1).locator(".manabu-run-up-to")
    button.tap()  # runs the setup cell and every step up to the first question
    try:
        page.wait_for_function(  # ... one after another, the first question last
            f"""([index, blank]) => {{
                const counts = ({BARS})();
                return /\\d/.test(counts[index]) && !counts.includes('[*]')
                    && (!blank || counts[index - 1] === '[ ]');
            }}""", arg=[code_index(student, step) + int(blank), blank], timeout=90_000)
    except Exception as error:
        raise AssertionError(f"run bars {page.evaluate(BARS)}: ⏩ did not run every step up to "
                             "the first question" + (" (past an empty cell)" if blank else "")) from error
    if blank:
        change_cells(page, "cells.deleteCell(index)", step)
    if lesson == "e01":
        run_up_to_while_a_check_fails(page, student, names)

    # each question: tap "▶" on its widget, then tap the answer (cards: pick each group)
    for name in names:
        cell = cells.nth(index_of(student, f'name="{name}"'))
        cell.scroll_into_view_if_needed()
        count = cell.locator(".manabu-run-count")
        before = count.inner_text()
        cell.locator(".manabu-run").tap()
        # this run, not one still queued by "run all up to here", draws the widget to tap
        page.wait_for_function(
            """([index, before]) => {
                const counts = [...document.querySelectorAll('.manabu-run-count')]
                    .map(c => c.textContent);
                const now = document.querySelectorAll('.jp-Notebook .jp-Cell')[index]
                    .querySelector('.manabu-run-count').textContent;
                return /\\d/.test(now) && now !== before && !counts.includes('[*]');
            }""", arg=[index_of(student, f'name="{name}"'), before], timeout=60_000)
        value = json.loads(expected[name])
        if isinstance(value, dict):
            cell.locator(".manabu-quiz-cards select").first.wait_for(timeout=60_000)
            for item, group in value.items():
                row = cell.locator(".manabu-quiz-cards .widget-hbox", has_text=item).first
                row.scroll_into_view_if_needed()
                row.locator("select").select_option(label=group)
            line = f"{name} = " + json.dumps(value, ensure_ascii=False)
        else:
            option = cell.locator(".widget-radio-box label",
                                  has_text=re.compile(rf"^{value}\)"))
            option.wait_for(timeout=30_000)
            option.tap()
            line = f'{name} = "{value}"'
        wait_answer_ran(page, index_of(student, f"{name} = ..."), line)
        # the widget no longer says "copy this line": the line is in the answer cell
        cell.locator(".jp-OutputArea", has_text=WRITTEN).wait_for(timeout=30_000)
    # a child's page has no cell toolbar: no small buttons beside the cell just tapped that
    # delete, move or copy it (autograder.labpage.STUDENT_UNUSED)
    assert page.locator(".jp-Notebook .jp-cell-toolbar").count() == 0

    final = cells.nth(index_of(student, f"{names[-1]} = ..."))
    if lesson == "e03":
        # an answer changed and not run again: its check says so instead of judging the old value
        # (a keyboard user's edit: the only keys pressed in this test)
        editor = final.locator(".cm-content")
        editor.scroll_into_view_if_needed()
        editor.tap()
        editor.press("End")
        editor.press_sequentially(" ")
        check = cells.nth(check_after(student, index_of(student, f"{names[-1]} = ...")))
        check.scroll_into_view_if_needed()
        check.locator(".manabu-run").tap()
        check.locator(".jp-OutputArea", has_text=CHANGED).wait_for(timeout=30_000)
        # its reply too (the message comes first): a request sent before it would be aborted
        # by the kernel, as every request queued behind a failed one is
        page.wait_for_function(
            """index => {
                const counts = [...document.querySelectorAll('.manabu-run-count')]
                    .map(c => c.textContent);
                return /\\d/.test(counts[index]) && !counts.includes('[*]');
            }""", arg=code_index(student, check_after(student, index_of(student, f"{names[-1]} = ..."))),
            timeout=30_000)

    # run the last step and everything up to it (the checks too), then save: all taps
    last = page.locator(".jp-CodeCell").last
    last.scroll_into_view_if_needed()
    final_index = index_of(student, f"{names[-1]} = ...")
    check_index = check_after(student, final_index)
    ran_before = int(re.sub(r"\D", "", final.locator(".manabu-run-count").inner_text()))
    last.locator(".manabu-run-up-to").tap()
    # every step runs again, top to bottom: the last answer cell, then its check, and on
    page.wait_for_function(
        """([answer, check, checkCell, before]) => {
            const counts = [...document.querySelectorAll('.manabu-run-count')]
                .map(c => +c.textContent.replace(/\\D/g, '') || 0);
            const bars = document.querySelectorAll('.manabu-run-count');
            const checked = document.querySelectorAll('.jp-Notebook .jp-Cell')[checkCell];
            return counts[answer] > before && counts[check] > counts[answer]
                && checked.textContent.includes('✎')
                && ![...bars].some(c => c.textContent === '[*]');
        }""", arg=[code_index(student, final_index), code_index(student, check_index),
                   check_index, ran_before], timeout=90_000)
    assert page.locator(".jp-OutputArea", has_text=CHANGED).count() == 0  # ran: judged again
    page.locator(".jp-NotebookPanel-toolbar [data-command='docmanager:save']").tap()
    page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=15_000)


def test_e01_and_e03_in_japanese_by_taps_only(browser, tmp_path):
    from autograder.build.builder import build_course

    course = tmp_path / "course"
    build_course(course, "ja", list(LESSONS), log=lambda *a: None)
    home = tmp_path / STUDENT
    students, expected = {}, {}
    for lesson in LESSONS:
        teacher = nbformat.read(course / "source" / lesson / f"{lesson}.ipynb", as_version=4)
        expected[lesson] = solutions(teacher)
        # the child's copy (as nbgrader fetch leaves it); e01 with furigana in a Markdown cell
        (home / lesson).mkdir(parents=True)
        student = nbformat.read(course / "release" / lesson / f"{lesson}.ipynb", as_version=4)
        if lesson == "e01":
            student.cells.insert(1, nbformat.v4.new_markdown_cell(RUBY))
        nbformat.write(student, home / lesson / f"{lesson}.ipynb")
        students[lesson] = student
        hidden = [c for c in student.cells if c.cell_type == "code"
                  and c.metadata.get("jupyter", {}).get("source_hidden")]
        assert hidden and all(not c.metadata.get("nbgrader", {}).get("solution") for c in hidden)

    port = free_port()
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
           f"--ServerApp.root_dir={home}",
           "--LabApp.expose_app_in_browser=True",  # the test's own edits go through the model
           # as on the hub: packages the page config turns off as a whole are not fetched
           "--ServerApp.jpserver_extensions", f"{LEAN_PAGE}=True",
           *(["--allow-root"] if os.geteuid() == 0 else [])]
    # JupyterLab as the hub shows it to a child: the student's page config (autograder/labpage.py)
    env = exposing_app_env(tmp_path / "student-config")
    write_page_config(tmp_path / "student-config", "student")
    with running(cmd, port, tmp_path / "lab.log", env=env) as base:
        context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
        page = context.new_page()
        console, fetched = [], []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.on("request", lambda r: fetched.append(r.url))
        page.keyboard.press = page.keyboard.type = page.keyboard.down = None  # taps only
        try:
            for lesson in LESSONS:
                answer_by_taps(page, base, lesson, students[lesson], expected[lesson])
                shutdown_kernels(base)  # one kernel at a time on a small machine
        except Exception:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "tap-failure.png"))
            texts = page.locator(".jp-Notebook .jp-CodeCell").evaluate_all(
                "cs => cs.map(c => (c.querySelector('.jp-InputPrompt')?.textContent ?? '-') + ' '"
                " + (c.querySelector('.jp-InputArea-editor')?.textContent ?? '').slice(0, 40)"
                " + ' | ' + (c.querySelector('.jp-OutputArea')?.textContent ?? '').slice(0, 60))")
            print("\n".join(texts), "\n".join(console[-30:]), sep="\n---\n")
            raise
        finally:
            context.close()
            shutdown_kernels(base)
    # every plugin the student's page keeps found what it needs among the others
    assert [line for line in console if "failed to activate" in line] == []
    # and no code of the installed packages it turns off as a whole (Jupytext, Voila's
    # preview, the Notebook buttons) was fetched
    off = [name for name, disabled in disabled_extensions("student").items()
           if disabled and (LABEXTENSIONS / name / "package.json").exists()]
    assert len(off) >= 3, off
    assert [url for url in fetched if any(f"/lab/extensions/{name}/" in url for name in off)] == []
    assert any("/lab/extensions/@manabu/lab/" in url for url in fetched)

    for lesson in LESSONS:
        graded_in_full(course, home, lesson, expected[lesson])


def graded_in_full(course: Path, home: Path, lesson: str, expected: dict[str, str]) -> None:
    """The saved notebook, submitted and graded by `manabu grade`, has every autograded point."""
    saved = nbformat.read(home / lesson / f"{lesson}.ipynb", as_version=4)
    sources = "\n".join(c.source for c in saved.cells if c.cell_type == "code")
    assert len(expected) >= 3
    for name in expected:
        assert f"{name} = ..." not in sources
    # submitted (as nbgrader collect leaves it) and graded by `manabu grade`
    submitted = course / "submitted" / STUDENT / lesson
    submitted.mkdir(parents=True)
    shutil.copy(home / lesson / f"{lesson}.ipynb", submitted / f"{lesson}.ipynb")
    (submitted / "timestamp.txt").write_text("2026-12-03 05:00:00.000000 UTC", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", lesson, "--course",
                             str(course)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "manabu") as gradebook:
        graded = gradebook.find_submission_notebook(lesson, lesson, STUDENT)
        auto = {g.name: (g.score, g.max_score) for g in graded.grades
                if g.cell.cell_type == "code" and g.max_score}
        assert auto and all(score == best for score, best in auto.values()), auto
