"""nbgrader's Formgrader pages in the course language (autograder.school.formgrader_labels):
nbgrader's own templates rendered through the wrapped render method, as its handlers do, the
one-submission page through nbconvert as its handler does, and the texts nbgrader's scripts
draw, read from nbgrader's installed scripts."""

from __future__ import annotations

import html as htmllib
import re
import types
from pathlib import Path

import nbformat
import pytest
from test_japanese_everywhere import english_words

from autograder.lab import lab_command
from autograder.school import formgrader_labels, formgrader_text


@pytest.fixture(scope="module")
def render():
    """nbgrader's handler render method, wrapped, on nbgrader's own Jinja environment."""
    from jinja2 import Environment, FileSystemLoader
    from nbgrader.server_extensions.formgrader import handlers
    from nbgrader.server_extensions.formgrader.base import BaseHandler
    from nbgrader.server_extensions.formgrader.handlers import SubmissionHandler

    originals = BaseHandler.render, SubmissionHandler.__dict__.get("write")
    formgrader_labels.patch_formgrader()
    formgrader_labels.patch_formgrader()  # a second load wraps nothing twice
    env = Environment(loader=FileSystemLoader([handlers.template_path]))

    def page(course: Path, name: str, **ns) -> str:
        handler = types.SimpleNamespace(settings={"nbgrader_jinja2_env": env},
                                        coursedir=types.SimpleNamespace(root=str(course)))
        ns = {"base_url": "/", "url_prefix": "", "windows": False, **ns}
        return BaseHandler.render(handler, name, **ns)

    yield page
    BaseHandler.render = originals[0]  # other tests in this process get nbgrader as it is
    if originals[1] is None:
        del SubmissionHandler.write
    else:
        SubmissionHandler.write = originals[1]


def course(tmp_path: Path, lang: str) -> Path:
    folder = tmp_path / lang
    folder.mkdir()
    (folder / "nbgrader_config.py").write_text(f"c = get_config()\nc.Manabu.lang = {lang!r}\n",
                                               encoding="utf-8")
    return folder


PAGES = ["manage_assignments.tpl", "gradebook_assignments.tpl", "manage_students.tpl",
         "manage_submissions.tpl"]


@pytest.mark.parametrize("name", PAGES)
def test_a_japanese_course_gets_japanese_labels(render, tmp_path, monkeypatch, name):
    monkeypatch.delenv("MANABU_LANG", raising=False)
    html = render(course(tmp_path, "ja"), name)
    text = visible_text_of(html)
    assert '<html lang="ja"' in html
    assert "課題の管理" in text and "生徒の管理" in text and "採点（nbgrader）" in text
    for label in ("Manage Assignments", "Manage Students", "Manual Grading", "Loading, please wait...",
                  "nbgrader formgrade"):
        assert label not in text, label
    # labels nbgrader's scripts draw later are translated in the page too
    assert '"needs manual grading": "手動採点待ち"' in html


def test_an_english_course_stays_as_nbgrader_made_it(render, tmp_path, monkeypatch):
    monkeypatch.delenv("MANABU_LANG", raising=False)
    english = render(course(tmp_path, "en"), "manage_assignments.tpl")
    assert "Manage Assignments" in english and "課題" not in english
    ja = course(tmp_path, "ja")
    monkeypatch.setenv("MANABU_LANG", "en")  # the environment overrides the course
    assert "Manage Assignments" in render(ja, "manage_assignments.tpl")


def test_only_whole_labels_change():
    table = {"Name": "名前", "Edit": "編集"}
    html = ("<html><head></head><body><th> Name </th><td>Name of a student</td>"
            "<script>var a = '>Name<';</script><pre>>Edit<</pre></body></html>")
    out = formgrader_labels.translate_page(html, table, "ja")
    assert "<th> 名前 </th>" in out and "<td>Name of a student</td>" in out
    assert "var a = '>Name<';" in out and "<pre>>Edit<</pre>" in out


def test_holes_fragments_and_attributes():
    table = {"Editing {name}": "{name} の編集", "{n} remaining": "残り {n} 件",
             "Next →": "次へ →", "To <b>create</b> an assignment, see <a href=\"{url}\">this</a>.":
             "課題を<b>作る</b>：<a href=\"{url}\">説明</a>"}
    html = ("<html><head></head><body><h4>Editing e03 (1+1)</h4><a title=\"3 remaining\">"
            "Next &rarr;</a><li>To <b>create</b>\n  an assignment, see <a href=\"http://x/a?b=1\">"
            "this</a>.</li><p>Editing</p><pre>Editing e03</pre></body></html>")
    out = formgrader_labels.translate_page(html, table, "ja")
    assert "<h4>e03 (1+1) の編集</h4>" in out and 'title="残り 3 件"' in out
    assert ">次へ →</a>" in out and '<li>課題を<b>作る</b>：<a href="http://x/a?b=1">説明</a></li>' in out
    assert "<p>Editing</p>" in out and "<pre>Editing e03</pre>" in out  # whole texts only
    assert formgrader_labels.translate_page(out, table, "ja") == out  # translated once
    # the browser gets the same holes as a JavaScript regex and replacement
    pattern = formgrader_text.compile_table({"Cost {a} of {b} $": "{b} の {a} ($)"}).patterns[0]
    assert pattern.js_replacement() == "$2 の $1 ($$)"
    assert pattern.fill(pattern.regex.fullmatch("Cost 3 of 5 $")) == "5 の 3 ($)"


def test_make_lab_enables_it():
    assert "autograder.school.formgrader_labels=True" in lab_command(Path("/tmp/c"), 8888)


def visible_text_of(html: str) -> str:
    """The page's text without its scripts (what a teacher reads before the scripts run)."""
    return re.sub(r"<script\b.*?</script>", " ", html, flags=re.DOTALL)


# Words that stay as they are in a Japanese Formgrader: product names, key names and the
# names of nbgrader's settings a teacher types (the page's <code> is left out before this).
KEEP = {"JupyterHub", "MathJax", "Markdown", "Ctrl", "Windows", "UTC"}
# every page nbgrader renders, with the variants of its warnings (what its handlers pass)
COURSE_PAGES = {
    "manage_assignments": ("manage_assignments.tpl", {"course_id": "ai", "current_config": "{}"}),
    "no-course-id": ("manage_assignments.tpl", {"course_id": ""}),
    "no-exchange": ("manage_assignments.tpl", {"course_id": "ai", "exchange_missing": True,
                                              "exchange": "/srv/nbgrader/exchange"}),
    "windows": ("manage_assignments.tpl", {"course_id": "ai", "windows": True}),
    "manage_submissions": ("manage_submissions.tpl", {"assignment_id": "e03",
                                                      "course_dir": "/home/t/course"}),
    "gradebook_assignments": ("gradebook_assignments.tpl", {}),
    "gradebook_notebooks": ("gradebook_notebooks.tpl", {"assignment_id": "e03"}),
    "gradebook_notebook_submissions": ("gradebook_notebook_submissions.tpl",
                                       {"assignment_id": "e03", "notebook_id": "e03"}),
    "manage_students": ("manage_students.tpl", {}),
    "manage_students_assignments": ("manage_students_assignments.tpl", {"student_id": "aoi"}),
    "manage_students_notebook_submissions": ("manage_students_notebook_submissions.tpl",
                                             {"student_id": "aoi", "assignment_id": "e03"}),
    "base_403": ("base_403.tpl", {"error_code": 403}),
    "base_500": ("base_500.tpl", {"error_code": 500}),
}


def teacher_reads(html: str) -> str:
    """What a teacher reads on a page before its scripts run: the text and the tooltips and
    placeholders, without scripts, code, configuration and the notebook's own code."""
    html = re.sub(r"<(script|style|pre|code|textarea)\b.*?</\1>", " ", html,
                  flags=re.DOTALL | re.IGNORECASE)
    shown = re.findall(r'\s(?:title|placeholder|aria-label)="([^"]*)"', html)
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join(htmllib.unescape(" ".join([text, *shown])).split())


def test_every_formgrader_page_is_checked():
    """A page a later nbgrader adds fails here until it is in COURSE_PAGES."""
    from nbgrader.server_extensions.formgrader import handlers

    names = {p.name for p in Path(handlers.template_path).glob("*.tpl")}
    # base*.tpl and *_base.tpl are only extended; formgrade_404.tpl imports a template nbgrader
    # no longer ships (it cannot render), its words are in the table all the same
    layouts = {"base.tpl", "gradebook_base.tpl", "manage_students_base.tpl", "formgrade_404.tpl"}
    assert names - layouts == {name for name, _ in COURSE_PAGES.values()}


@pytest.mark.parametrize("variant", COURSE_PAGES)
def test_no_english_is_left_on_a_japanese_formgrader_page(render, tmp_path, monkeypatch, variant):
    monkeypatch.delenv("MANABU_LANG", raising=False)
    name, ns = COURSE_PAGES[variant]
    html = render(course(tmp_path, "ja"), name, **ns)
    text = teacher_reads(html)
    ids = {str(value) for value in ns.values()}  # names and ids are data
    assert english_words(text, KEEP | ids) == [], text
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]{2}", text)
    # what stays as nbgrader wrote it: links, paths, ids, settings and the command to type
    english = render(course(tmp_path, "en"), name, **ns)
    for kept in ("/srv/nbgrader/exchange", 'nbgrader autograde "e03"', "nbgrader_config.py",
                 "<code>course_id</code>", "e03", "aoi", "readthedocs.io", "/terminals/1"):
        assert (kept in english) == (kept in html), kept


def graded_notebook() -> nbformat.NotebookNode:
    """A small Japanese lesson as nbgrader's autograde leaves it: a written answer, a code
    answer with its test, a task, and a cell that ran."""
    nb = nbformat.v4.new_notebook()
    meta = {"schema_version": 3, "locked": False, "solution": False, "grade": False}
    written = nbformat.v4.new_markdown_cell("ぼくは、となりの数を 3 にしました。")
    written.metadata.nbgrader = {**meta, "grade_id": "e03-why", "solution": True,
                                 "grade": True, "points": 2}
    answer = nbformat.v4.new_code_cell("answer_k = 3", execution_count=1)
    answer.metadata.nbgrader = {**meta, "grade_id": "e03-ex1", "solution": True}
    check = nbformat.v4.new_code_cell("check(answer_k == 3)", execution_count=2)
    check.metadata.nbgrader = {**meta, "grade_id": "e03-ex1-check", "grade": True,
                               "locked": True, "points": 1}
    check.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "True"},
                                            execution_count=2)]
    task = nbformat.v4.new_markdown_cell("友だちと、答えをくらべましょう。")
    task.metadata.nbgrader = {**meta, "grade_id": "e03-task", "task": True, "points": 1}
    # a child's words that happen to be nbgrader's labels: the teacher must see them as written
    said = nbformat.v4.new_markdown_cell("None")
    said.metadata.nbgrader = {**meta, "grade_id": "e03-said", "solution": True, "grade": True,
                              "points": 1}
    shown = nbformat.v4.new_code_cell("show()", execution_count=3)
    shown.outputs = [nbformat.v4.new_output("display_data", {"text/html": "<p>Success</p>"})]
    nb.cells = [nbformat.v4.new_markdown_cell("# となりの数"), written, answer, check, task,
                said, shown]
    return nb


CHILD_WORDS = {"None", "Success"}  # graded_notebook's answer and output: data, not labels


def test_the_page_that_grades_one_submission_is_japanese(tmp_path, monkeypatch):
    """nbgrader renders it with nbconvert and its handler writes it: the wrapped write
    translates it (names, ids and the student's words stay)."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers

    monkeypatch.delenv("MANABU_LANG", raising=False)
    path = tmp_path / "e03.ipynb"
    nbformat.write(graded_notebook(), path)
    exporter = HTMLExporter(template_name="formgrade",
                            extra_template_basedirs=[handlers.template_path])
    page, _ = exporter.from_filename(str(path), resources={
        "assignment_id": "e03", "notebook_id": "e03", "submission_id": "s1", "index": 0,
        "total": 4, "base_url": "", "student": "aoi", "last_name": "", "first_name": "",
        "notebook_path": "autograded/aoi/e03/e03.ipynb"})
    written = []

    def write(handler, chunk):
        written.append(chunk)

    handler = types.SimpleNamespace(coursedir=types.SimpleNamespace(root=str(course(tmp_path, "ja"))))
    formgrader_labels.translating_write(write)(handler, page)
    formgrader_labels.translating_write(write)(handler, written[0])  # a page is translated once
    html = written[0]
    assert written[1] == html and html.count(formgrader_text.MARK) == 1
    text = teacher_reads(html)
    assert english_words(text, KEEP | {"aoi"} | CHILD_WORDS) == [], text
    assert "<p>None</p>" in html and "<p>Success</p>" in html
    for shown in ("提出物 1 / 4", "提出物 #1", "残り 3 件", "生徒の答え", "生徒のタスク", "満点",
                  "（加点）", "← 前へ", "次へ →", "ノートブックを開く",
                  "ぼくは、となりの数を 3 にしました。", "[1]:", "[2]:"):
        assert shown in text, shown
    assert "<code>e03-ex1-check</code>" in html and 'id="e03-ex1-comment"' in html
    # the page of an English course stays as nbgrader made it
    formgrader_labels.translating_write(write)(
        types.SimpleNamespace(coursedir=types.SimpleNamespace(root=str(course(tmp_path, "en")))),
        page)
    assert written[2] == formgrader_labels.offline_page(page)  # offline, in every language


def test_the_one_submission_page_is_wrapped_once(render):
    from nbgrader.server_extensions.formgrader.handlers import SubmissionHandler

    formgrader_labels.patch_formgrader()  # the fixture patched twice already
    assert SubmissionHandler.write.manabu_labels
    assert not getattr(SubmissionHandler.write.original, "manabu_labels", False)


# An expression joined to a string in nbgrader's scripts: a name, a call, or (a + 1).
EXPR = r'(?:\((?:[^()]|\([^()]*\))*\)|[\w$.]+(?:\((?:"[^"]*"|[^()"])*\))?)'
JOINS = [  # "a" + "b", "a" + x + "b", "a" + x, x + "b"  ->  one string with a hole {x}
    (re.compile(r'"([^"\n]*)"\s*\+\s*"([^"\n]*)"'), r'"\1\2"'),
    (re.compile(r'"([^"\n]*)"\s*\+\s*' + EXPR + r'\s*\+\s*"([^"\n]*)"'), r'"\1{x}\2"'),
    (re.compile(r'"([^"\n]*)"\s*\+\s*' + EXPR + r'(?=\s*[),;])'), r'"\1{x}"'),
    (re.compile(EXPR + r'\s*\+\s*"([^"\n]*)"'), r'"{x}\1"'),
]
# where nbgrader's scripts put a string a teacher reads
SHOWN = re.compile(r'(?:\.text|\.append|\.html)\(\s*"([^"]*)"\s*\)'
                   r'|create(?:Log)?Modal\(\s*"[^"]*",\s*"([^"]*)"(?:,\s*"([^"]*)")?'
                   r'|"(?:help|keybinding)":\s*"([^"]*)"|title:\s*"([^"]*)"'
                   r'|innerHTML\s*=\s*"([^"]*)"|default_msg\s*=\s*"([^"]*)"|=\s*"(None)"'
                   r'|\.attr\("(?:aria-label|title|placeholder)",\s*"([^"]*)"\)')


def shown_by_scripts(source: str) -> set[str]:
    """The texts a script of nbgrader shows, with {x} where it joins in a name or a number."""
    changed = True
    while changed:
        changed = False
        for join, hole in JOINS:
            source, count = join.subn(hole, source)
            changed = changed or bool(count)
    found = {htmllib.unescape(text) for match in SHOWN.finditer(source)
             for text in match.groups() if text}
    return {text for text in found if re.search(r"[A-Za-z]{2}", text.replace("{x}", ""))}


def test_every_text_nbgrader_scripts_show_has_a_translation():
    """Read from nbgrader's installed scripts (a later nbgrader's new texts fail here)."""
    from nbgrader.server_extensions.formgrader import handlers

    scripts = Path(handlers.static_path) / "js"
    texts = set().union(*(shown_by_scripts(p.read_text(encoding="utf-8"))
                          for p in scripts.glob("*.js")))
    # the reader finds what it should: plain texts, joined names, keys, dialogs
    for known in ("Saving...", "Successfully released '{x}'.", "Submission #{x}", "control-shift-f",
                  "There was an error autograding '{x}' for student '{x}':", "{x} (file missing)",
                  "Type any comments here (supports Markdown and MathJax)", "Hide All Names",
                  "Editing {x}", "Traceback", "Keyboard shortcuts", "Flag the submission", "None"):
        assert known in texts, known
    assert len(texts) > 80, len(texts)
    # DataTables' own words: its defaults, as the live script translates them
    datatables = (Path(handlers.static_path) / "node_modules/datatables.net/js/jquery.dataTables.js"
                  ).read_text(encoding="utf-8")
    for key in ("sSearch", "sZeroRecords", "sEmptyTable", "sLoadingRecords", "sSortAscending",
                "sSortDescending"):
        texts.add(re.search(rf'"{key}":\s*"([^"]*)"', datatables).group(1))

    table = formgrader_text.compile_table(formgrader_labels.labels("ja"))
    left = {}
    for text in sorted(texts):
        if not english_words(text, KEEP):  # "OK": the same in Japanese
            continue
        out = table.label(text.replace("{x}", "e03"))
        if out is None or english_words(out, KEEP | {"e03"}):
            left[text] = out
    assert not left, left
