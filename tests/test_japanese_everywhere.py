"""A Japanese course speaks Japanese everywhere a teacher or a child looks: what `manabu lab`,
`manabu demo` and `manabu report` print, JupyterLab's menus (the language pack), the lesson, the
feedback page and the class report, in a real JupyterLab in Chromium.

English is allowed only for code (commands, paths, identifiers), product names and the few
places listed in the allow-lists below with the reason they cannot be Japanese.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from browser_helpers import TOKEN, browser_page, open_and_run_all, running, wait_until_all_ran
from conftest import free_port

from autograder.dev.prose import LATIN_OK
from autograder.lab import UI_LOCALES, lab_overrides, lab_settings, write_lab_settings

SHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}  # requests that stay on this machine
# product names, key names, file formats: the same words a Japanese teacher sees in Japanese docs
ALLOWED = LATIN_OK | {"Python", "nbgrader", "Nbgrader", "Formgrader", "bubblewrap", "Ctrl", "JSON",
                       "ja", "Notebook", "Markdown", "URL", "FAQ", "ipykernel"}
# ASCII that is code, not words: paths and file names, --options, and the commands to type
# (a command runs on to the first non-ASCII character: the Japanese sentence around it)
CODE = re.compile(r"https?://[\w.:\-/]+|(?:manabu|make) [ -~]*?(?=[^ -~]|$)|/[\w.\-/]*"
                  r"|[\w-]+\.(?:csv|html|ipynb|py)|--[a-z-]+", re.A | re.M)


def english_words(text: str, allowed: set[str] = frozenset()) -> list[str]:
    """The English words left in Japanese ``text``: Latin words of two or more letters that are
    neither code nor in ``ALLOWED`` or ``allowed``."""
    words = re.findall(r"[A-Za-z]{2,}", CODE.sub(" ", text))
    return sorted({w for w in words if w not in ALLOWED and w not in allowed})


def test_english_words_are_found_and_code_is_not():
    assert english_words("採点しました: 3 ok, 1 broken。") == ["broken", "ok"]
    assert english_words("Built 1 lesson(s) in /tmp/c (ja).") == ["Built", "in", "lesson"]
    text = ("成績: /tmp/x-y/grades.csv、まとめて見るには: manabu report --course /tmp/c、"
            "Ctrl+C を押す。grades.csv に列 --fresh がない。JupyterLab と Nbgrader。"
            "授業のようす: http://localhost:8888/manabu/live/")
    assert english_words(text) == []


def test_jupyterlab_starts_in_the_course_language(tmp_path):
    """`make lab` writes JupyterLab's language into the course's settings: ja_JP from the
    language pack (installed with Manabu), and English named for an English course, so a
    Japanese machine does not turn its menus Japanese under English lessons."""
    from importlib.metadata import entry_points

    packs = {e.name for e in entry_points(group="jupyterlab.languagepack")}
    assert "ja_JP" in packs  # jupyterlab-language-pack-ja-JP, a dependency in pyproject.toml
    plugin = Path("@jupyterlab/translation-extension/plugin.jupyterlab-settings")
    for lang, locale in (("ja", "ja_JP"), ("en", "en")):
        settings = write_lab_settings(tmp_path / lang, lang)
        assert json.loads((settings / plugin).read_text(encoding="utf-8")) == {"locale": locale}
        # the other settings are the hub image's too (one definition, deploy/image/install.sh)
        fetch = settings / "@jupyterlab/apputils-extension/notification.jupyterlab-settings"
        assert json.loads(fetch.read_text(encoding="utf-8")) == {"fetchNews": "false"}
    # a teacher's own choice of language is kept
    (settings / plugin).write_text('{"locale": "ja_JP"}', encoding="utf-8")
    write_lab_settings(tmp_path / "en", "en")
    assert json.loads((settings / plugin).read_text(encoding="utf-8")) == {"locale": "ja_JP"}
    # the hub sets each user's language itself (deploy/hub/jupyterhub_config.py), the same way
    assert not any("translation" in key for key in lab_overrides())
    from autograder.school.hub import UI_LOCALES as hub_locales
    assert hub_locales == UI_LOCALES
    assert len(lab_settings("ja")) == len(lab_settings()) + 1


def manabu(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], capture_output=True,
                          text=True, env=env, timeout=600)


def english_env() -> dict[str, str]:
    """A machine in English: only the course can make the output Japanese."""
    env = {k: v for k, v in os.environ.items() if k not in ("MANABU_LANG", "LC_ALL", "MAKELEVEL")}
    return {**env, "LANG": "C.UTF-8"}


def test_a_busy_port_is_explained_in_japanese(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = manabu("lab", "--course", str(tmp_path / "c"), "--lang", "ja", "--port",
                        str(port), "--no-browser")
    assert result.returncode == 2
    assert f"ポート {port} は使用中" in result.stderr
    assert english_words(result.stderr.replace("JupyterLab", "")) == [], result.stderr


@pytest.fixture(scope="module")
def ja_class(tmp_path_factory):
    """`manabu demo` in Japanese (a graded class of four, its feedback and class report), then
    `manabu report` on it: (course folder, what each printed)."""
    course = tmp_path_factory.mktemp("ja-class") / "course"
    demo = manabu("demo", "--course", str(course), "--lang", "ja", env=english_env())
    assert demo.returncode == 0, demo.stderr
    report = manabu("report", "--course", str(course), env=english_env())
    assert report.returncode == 0, report.stderr
    return course, demo.stdout, report.stdout


# grade.py's line per student and its total echo grades.csv's status word, English on purpose
# (README: spreadsheets sort on it); manabu demo's own summary table says it in Japanese.
STATUS_WORDS = {"ok", "broken"}
STUDENTS = {"aoi", "haruto", "sota", "yui"}  # the demo's class: names are data


def test_demo_and_report_print_japanese(ja_class):
    """...and the demo's Japanese cycle left what it should (the English one: test_cli)."""
    from helpers import check_demo_class

    course, demo, report = ja_class
    check_demo_class(course, demo, "e03 のクラス集計", "採点できた 3 人の平均")
    assert english_words(demo, STATUS_WORDS | STUDENTS) == [], demo
    summary = demo.split("e03 のクラス集計")[1].split("\n\n")[0]
    assert "採点済み" in summary and "ファイル破損" in summary
    assert english_words(summary, STUDENTS) == [], summary
    assert english_words(report) == [], report
    assert "クラスレポート" in report


@pytest.fixture(scope="module")
def ja_lab(ja_class, tmp_path_factory):
    """`manabu lab` on the Japanese class, started on an English machine without --lang:
    (base URL, course folder, its log)."""
    course = ja_class[0]
    port = free_port()
    log = tmp_path_factory.mktemp("ja-lab-log") / "lab.log"
    cmd = [sys.executable, "-m", "autograder.cli", "lab", "--course", str(course), "--port",
           str(port), "--no-browser"]
    with running(cmd, port, log, env=english_env()) as base:
        yield base, course, log


@pytest.mark.browser
def test_manabu_lab_prints_japanese(ja_lab):
    _base, _course, log = ja_lab
    lines = log.read_text(encoding="utf-8").splitlines()
    # what Manabu prints comes before JupyterLab's own log ("[I 2026-... ServerApp] ...", English:
    # the server's log has no translations)
    ours = "\n".join(lines[:next(i for i, line in enumerate(lines) if line.startswith("["))])
    assert "JupyterLab を起動します" in ours
    assert english_words(ours) == [], ours


# Product names a menu entry may keep; the entries other extensions add in English are put into
# Japanese by Manabu's JupyterLab extension (course/labextension/src/menuWords.ts), so none is left.
PRODUCT_NAMES = ("Jupytext", "Voilà", "IPython", "NumPy", "SciPy", "Matplotlib", "SymPy", "pandas")


def english_in_label(label: str) -> list[str]:
    """The English words of a menu label, product names kept."""
    for name in PRODUCT_NAMES:
        label = label.replace(name, " ")
    return english_words(label)


def japanese_texts(page, selector: str) -> str:
    """The text of every ``selector`` element, without code (inline and blocks) and styles."""
    return page.evaluate("""(selector) => [...document.querySelectorAll(selector)].map(e => {
        const copy = e.cloneNode(true);
        copy.querySelectorAll('code, style, script, .jp-InputArea, .input_area, .cm-editor')
            .forEach(c => c.remove());
        copy.querySelectorAll('td, th').forEach(c => c.append(' '));  // a detached copy has no
        return copy.innerText;                                         // layout: keep cells apart
    }).join('\\n')""", selector)


@pytest.mark.browser
def test_menus_and_lesson_are_japanese(ja_lab, browser):
    base, _course, _log = ja_lab
    with browser_page(browser, SHOTS / "ja-lesson-failure.png", base) as page:
        page.goto(f"{base}/?reset&token={TOKEN}")  # the start page, where `make lab` opens
        page.wait_for_selector(".jp-RenderedMarkdown a[href*='preview/e03']", timeout=60_000)
        start = japanese_texts(page, ".jp-RenderedMarkdown")
        assert "レッスン" in start and english_words(start) == [], start
        # the teacher version: every widget renders and every check runs with the answers in
        url = f"{base}/lab/tree/source/e03/e03.ipynb?reset&token={TOKEN}"
        open_and_run_all(page, url)
        wait_until_all_ran(page)
        bar = page.locator(".lm-MenuBar-item").all_inner_texts()
        assert "ファイル" in bar and "カーネル" in bar, bar  # JupyterLab itself is Japanese
        assert english_words(" ".join(bar)) == [], bar
        left = []
        for index in range(len(bar)):
            page.locator(".lm-MenuBar-item").nth(index).click()
            labels = page.locator(".lm-Menu .lm-Menu-itemLabel").all_inner_texts()
            page.keyboard.press("Escape")
            left += [f"{bar[index]} → {label}" for label in labels if english_in_label(label)]
        assert not left, "English menu entries:\n" + "\n".join(left)
        # the same commands in the command palette (Ctrl+Shift+C draws it; what is typed there
        # searches the commands' English labels, and a highlighted match stays English)
        page.keyboard.press("Control+Shift+C")
        page.wait_for_selector(".lm-CommandPalette-itemLabel", state="attached")
        palette = page.locator(".lm-CommandPalette-itemLabel").all_text_contents()
        page.keyboard.press("Escape")
        assert "ノートブックを複製" in palette and "Duplicate Notebook" not in palette, palette
        assert not {"Assignment List", "Save Widget State Automatically"} & set(palette), palette

        markdown = japanese_texts(page, ".jp-MarkdownCell .jp-RenderedMarkdown")
        outputs = japanese_texts(page, ".jp-OutputArea-output")
        assert "コンピューター" in markdown and "となりの数" in outputs
        assert english_words(markdown) == [], markdown
        assert english_words(outputs) == [], outputs


@pytest.mark.browser
def test_feedback_and_class_report_are_japanese(ja_lab, browser):
    base, course, _log = ja_lab
    with browser_page(browser, SHOTS / "ja-report-failure.png", full_page=True) as page:
        # both open from JupyterLab's file browser in a new tab, as these URLs
        page.goto(f"{base}/files/reports/class-report.html?token={TOKEN}")
        page.wait_for_selector("h1")
        text = japanese_texts(page, "body")
        assert "クラスレポート" in text
        assert english_words(text, STUDENTS) == [], text

        page.goto(f"{base}/files/feedback/aoi/e03/e03.html?token={TOKEN}")
        page.wait_for_selector("body")
        text = japanese_texts(page, "body")
        assert "点数" in text
        assert english_words(text) == [], text


@pytest.mark.browser
def test_the_formgrader_is_japanese(ja_lab, browser):
    """The teacher's Formgrader on the graded class, after nbgrader's scripts drew its tables and
    dialogs (autograder/school/formgrader_labels.py; tests/test_formgrader_labels.py checks
    every page and script text without a browser). No request leaves the server, and the grading
    page's setup completes without the CDN MathJax: its keyboard help opens from the "?" button
    (autograder/school/formgrader_offline.py)."""
    base, _course, _log = ja_lab
    keep = STUDENTS | {"JupyterHub", "UTC", "JST"}  # product and time-zone names, as in Japan

    def words() -> str:
        # what a teacher reads, without the commands to type and the config file's JSON (<pre>)
        page.evaluate("document.querySelectorAll('pre').forEach(p => p.remove())")
        return " ".join(japanese_texts(page, "body").split())

    with browser_page(browser, SHOTS / "ja-formgrader-failure.png") as page:
        # nothing a Formgrader page asks for leaves the school (formgrader_offline.py)
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{base}/formgrader/manage_assignments?token={TOKEN}")
        page.wait_for_selector("#main-table td.status span")
        page.locator("a[onclick^='createAssignmentModal']").click()  # a dialog nbgrader draws
        page.wait_for_selector("#add-assignment-modal .modal-title")
        text = words()
        assert "新しい課題を追加" in text and "締め切り（任意）" in text and "下書き" in text, text
        assert english_words(text, keep) == [], text

        page.goto(f"{base}/formgrader/manage_submissions/e03")
        page.wait_for_selector("#main-table td.status span")
        text = words()
        assert "採点済み" in text and english_words(text, keep) == [], text

        # the submissions of e03 with names hidden; nbgrader's "show all names" still works
        page.goto(f"{base}/formgrader/gradebook/e03/e03")
        page.wait_for_selector("#main-table td.name a")
        text = words()
        assert "提出物 #1" in text and english_words(text, keep) == [], text
        page.click("#toggle_names")
        page.wait_for_function("document.getElementById('toggle_names').textContent"
                               " === '全員の名前を隠す'")
        assert set(page.locator("a.name-shown:visible").all_inner_texts()) & STUDENTS

        # one submission: nbgrader's parts of it (the lesson and the student's words are data)
        page.locator("a.name-shown").first.click()
        page.wait_for_selector(".nbgrader_cell .panel-heading")
        text = " ".join(japanese_texts(page, "nav, .panel-heading").split())
        assert "提出物" in text and "満点" in text, text
        assert english_words(text, keep) == [], text
        placeholders = page.eval_on_selector_all("textarea.comment", "t => t.map(e => e.placeholder)")
        assert placeholders and english_words(" ".join(placeholders), {"Markdown", "MathJax"}) == []
        # a text drawn later is translated, except in the notebook: a child's "None" stays
        drawn = page.evaluate("""async () => {
            const inside = document.querySelector('.text_cell_render').appendChild(
                document.createElement('p'));
            const outside = document.getElementById('statusmessage');
            inside.textContent = 'None';
            outside.textContent = 'None';
            await new Promise(r => setTimeout(r, 50));
            return [inside.textContent, outside.textContent];
        }""")
        assert drawn == ["None", "なし"], drawn
        outside = sorted({url for url in requested
                          if urllib.parse.urlsplit(url).hostname not in LOCAL_HOSTS
                          and not url.startswith(("data:", "blob:"))})
        assert len(requested) > 10 and not outside, outside
        # nbgrader's setup ran to the end without the CDN MathJax: its keyboard shortcuts are
        # registered and the "?" button opens their help, in Japanese
        page.wait_for_function("window.MathJax && MathJax.loaded === true", timeout=10_000)
        page.click(".help")
        page.wait_for_selector("#help-dialog .shortcut-help", state="visible", timeout=10_000)
        assert page.inner_text("#help-dialog .modal-title") == "キーボードショートカット"
        assert page.locator("#help-dialog .shortcut-help").count() >= 9


def test_feedback_marks_widgets_instead_of_their_text_form():
    """Grading keeps a widget's text form only ("DrawAndGuess(children=(..."): the feedback page
    says a widget was there instead (in the course language)."""
    import nbformat

    from autograder.grading.feedback import mark_widget_outputs
    from course.i18n import translator

    cell = nbformat.v4.new_code_cell("DrawAndGuess()")
    cell.outputs = [
        nbformat.v4.new_output("execute_result", {"text/plain": "DrawAndGuess(children=(<c…"}),
        nbformat.v4.new_output("execute_result", {"text/plain": "NearestNeighbors(k=3)"}),
        nbformat.v4.new_output("display_data", {"text/plain": "Figure(640x480)",
                                                "image/png": "iVBOR"}),
        nbformat.v4.new_output("display_data", {"text/plain": "KChooser(value=5)",
                                                "application/vnd.jupyter.widget-view+json": {}}),
    ]
    nb = nbformat.v4.new_notebook(cells=[cell])
    assert mark_widget_outputs(nb) == 2
    assert [bool(o.metadata.get("manabu", {}).get("widget")) for o in cell.outputs] == [
        True, False, False, True]
    words = "Here the lesson showed something you could move. Open the lesson to try it again."
    template = Path(__file__).resolve().parents[1] / "autograder/templates/feedback/index.html.j2"
    assert words in template.read_text(encoding="utf-8")
    assert english_words(translator("ja")(words)) == []
