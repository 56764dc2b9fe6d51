"""A grade-3 child on a tablet does lesson e01 in Japanese by taps only, in a real JupyterLab with
Manabu's extension (@manabu/lab): big run buttons, answers written by the widgets into the answer
cells, furigana in Markdown. The saved notebook is then submitted and graded by `manabu grade`.

One JupyterLab, one page, touch enabled, 1024×768, no keyboard."""

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

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
STUDENT = "hana"
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


def test_e01_in_japanese_by_taps_only(browser, tmp_path):
    from autograder.build.builder import build_course

    course = tmp_path / "course"
    build_course(course, "ja", ["e01"], log=lambda *a: None)
    teacher = nbformat.read(course / "source" / "e01" / "e01.ipynb", as_version=4)
    expected = solutions(teacher)
    # the child's copy (as nbgrader fetch leaves it), with furigana in a Markdown cell
    home = tmp_path / STUDENT
    (home / "e01").mkdir(parents=True)
    student = nbformat.read(course / "release" / "e01" / "e01.ipynb", as_version=4)
    student.cells.insert(1, nbformat.v4.new_markdown_cell(RUBY))
    nbformat.write(student, home / "e01" / "e01.ipynb")
    hidden = [c for c in student.cells if c.cell_type == "code"
              and c.metadata.get("jupyter", {}).get("source_hidden")]
    assert hidden and all(not c.metadata.get("nbgrader", {}).get("solution") for c in hidden)

    port = free_port()
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
           f"--ServerApp.root_dir={home}", *(["--allow-root"] if os.geteuid() == 0 else [])]
    with running(cmd, port, tmp_path / "lab.log") as base:
        context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
        page = context.new_page()
        console = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.keyboard.press = page.keyboard.type = page.keyboard.down = None  # taps only
        try:
            url = f"{base}/lab/tree/e01/e01.ipynb?token={TOKEN}"
            page.goto(url)
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            wait_for_idle_kernel(url)

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
            assert "ここまで" in button.inner_text()
            # the question's code is folded (JupyterLab draws only the cells near the screen, so
            # this checks the one in view; the saved metadata of all of them is checked above)
            assert first.locator(".jp-InputPlaceholder").count() == 1
            button.tap()  # runs the setup cell and every step up to the first question

            # each question: tap "▶" on its widget, then tap the answer (cards: pick each group)
            for name in names:
                cell = cells.nth(index_of(student, f'name="{name}"'))
                cell.scroll_into_view_if_needed()
                cell.locator(".manabu-run").tap()
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

            # run the last step and everything up to it (the checks too), then save: all taps
            last = page.locator(".jp-CodeCell").last
            last.scroll_into_view_if_needed()
            final = cells.nth(index_of(student, f"{names[-1]} = ..."))
            ran_before = int(re.sub(r"\D", "", final.locator(".jp-InputPrompt").inner_text()))
            last.locator(".manabu-run-up-to").tap()
            # every step runs again, top to bottom: the last answer cell, then the last check
            page.wait_for_function(
                """([index, before]) => {
                    const cells = document.querySelectorAll('.jp-Notebook .jp-Cell');
                    const count = +cells[index].querySelector('.jp-InputPrompt').textContent
                        .replace(/\\D/g, '');
                    const checks = [...document.querySelectorAll('.jp-CodeCell')];
                    return count > before && checks.at(-1).textContent.includes('✎');
                }""", arg=[index_of(student, f"{names[-1]} = ..."), ran_before],
                timeout=60_000)
            page.locator(".jp-NotebookPanel-toolbar [data-command='docmanager:save']").tap()
            page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=15_000)
        except Exception:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "tap-e01-failure.png"))
            texts = page.locator(".jp-Notebook .jp-CodeCell").evaluate_all(
                "cs => cs.map(c => (c.querySelector('.jp-InputPrompt')?.textContent ?? '-') + ' '"
                " + (c.querySelector('.jp-InputArea-editor')?.textContent ?? '').slice(0, 40)"
                " + ' | ' + (c.querySelector('.jp-OutputArea')?.textContent ?? '').slice(0, 60))")
            print("\n".join(texts), "\n".join(console[-30:]), sep="\n---\n")
            raise
        finally:
            context.close()
            shutdown_kernels(base)

    saved = nbformat.read(home / "e01" / "e01.ipynb", as_version=4)
    sources = "\n".join(c.source for c in saved.cells if c.cell_type == "code")
    assert len(expected) >= 3
    for name in expected:
        assert f"{name} = ..." not in sources
    # submitted (as nbgrader collect leaves it) and graded by `manabu grade`
    submitted = course / "submitted" / STUDENT / "e01"
    submitted.mkdir(parents=True)
    shutil.copy(home / "e01" / "e01.ipynb", submitted / "e01.ipynb")
    (submitted / "timestamp.txt").write_text("2026-12-03 05:00:00.000000 UTC", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", "e01", "--course",
                             str(course)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "manabu") as gradebook:
        graded = gradebook.find_submission_notebook("e01", "e01", STUDENT)
        auto = {g.name: (g.score, g.max_score) for g in graded.grades
                if g.cell.cell_type == "code" and g.max_score}
        assert auto and all(score == best for score, best in auto.values()), auto
