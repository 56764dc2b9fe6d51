"""Nothing leaves the school from nbgrader's Formgrader, in every course language
(autograder/school/formgrader_offline.py): every page the Formgrader serves through Manabu, and
the style sheets those pages link to, name no script, style sheet or font on another host. The
page that grades one submission gets a local stand-in for nbgrader's CDN MathJax, so nbgrader's
setup finds ``MathJax`` (tests/test_japanese_everywhere.py::test_the_formgrader_is_japanese
opens it in Chromium and watches its requests)."""

from __future__ import annotations

import re
import types
from pathlib import Path

import nbformat
import pytest
from helpers import outside_fetches
from test_formgrader_labels import COURSE_PAGES, course, graded_notebook, render  # noqa: F401 (fixture)

from autograder.school import formgrader_labels, formgrader_offline

LANGS = ["en", "ja"]
# nbgrader's handlers pass the server's base URL without its last "/": "" for `manabu lab`,
# "/user/<name>" on a hub
BASE_URL = {"en": "", "ja": "/user/sensei"}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("variant", COURSE_PAGES)
def test_no_formgrader_page_fetches_from_another_host(render, tmp_path, monkeypatch, variant,  # noqa: F811
                                                      lang):
    monkeypatch.delenv("MANABU_LANG", raising=False)
    name, ns = COURSE_PAGES[variant]
    html = render(course(tmp_path, lang), name, **{**ns, "base_url": BASE_URL[lang]})
    assert f'src="{BASE_URL[lang]}/formgrader/static/js/' in html  # nbgrader's own scripts stay
    assert outside_fetches(html) == []


def one_submission_page(tmp_path: Path, lang: str) -> tuple[str, str]:
    """(nbgrader's page that grades one submission as nbconvert renders it, the same page as
    Manabu's wrapped handler write sends it, for a course in ``lang``)."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers

    path = tmp_path / "e03.ipynb"
    nb = graded_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("The area is $a \\times b$."))
    nbformat.write(nb, path)
    exporter = HTMLExporter(template_name="formgrade",
                            extra_template_basedirs=[handlers.template_path])
    page, _ = exporter.from_filename(str(path), resources={
        "assignment_id": "e03", "notebook_id": "e03", "submission_id": "s1", "index": 0,
        "total": 4, "base_url": BASE_URL[lang], "student": "aoi", "last_name": "", "first_name": "",
        "notebook_path": "autograded/aoi/e03/e03.ipynb"})
    written = []
    handler = types.SimpleNamespace(coursedir=types.SimpleNamespace(root=str(course(tmp_path, lang))))
    formgrader_labels.translating_write(lambda _handler, chunk: written.append(chunk))(handler, page)
    return page, written[0]


@pytest.mark.parametrize("lang", LANGS)
def test_the_grading_page_loads_no_cdn_mathjax(tmp_path, monkeypatch, lang):
    monkeypatch.delenv("MANABU_LANG", raising=False)
    nbgrader_page, html = one_submission_page(tmp_path, lang)
    assert any("mathjax" in url for url in outside_fetches(nbgrader_page))  # what nbgrader sends
    assert outside_fetches(html) == []
    assert f'src="{BASE_URL[lang]}/formgrader/static/js/formgrade.js"' in html
    # the stand-in is there, once, before nbgrader's setup runs on window load
    assert html.count(formgrader_offline.OFFLINE_MARK) == 1
    assert "window.MathJax" in html and "Startup" in html
    assert "The area is $a \\times b$." in html  # the formula stays as the lesson wrote it
    assert formgrader_offline.offline_page(html) == html  # made offline once


def test_anything_else_from_outside_is_left_out():
    page = ('<head><script src="https://cdn.example.org/require.js"></script>'
            "<link rel='stylesheet' href='//fonts.googleapis.com/css?family=Noto'>"
            '<script src="/formgrader/static/js/utils.js"></script>'
            '<link rel="stylesheet" href="http://127.0.0.1:8888/formgrader/static/css/x.css">'
            '<a href="https://nbgrader.readthedocs.io/">docs</a></head>')
    html = formgrader_offline.offline_page(page)
    assert outside_fetches(html) == [] and formgrader_offline.OFFLINE_MARK not in html
    for kept in ("/formgrader/static/js/utils.js", "127.0.0.1:8888/formgrader/static/css/x.css",
                 '<a href="https://nbgrader.readthedocs.io/">'):  # a link is followed on a click
        assert kept in html, kept


def test_the_style_sheets_formgrader_pages_link_to_stay_local(render, tmp_path):  # noqa: F811
    """The CSS files nbgrader's pages load (bootstrap, DataTables, nbgrader's own) import no font
    or style sheet from another host."""
    from nbgrader.server_extensions.formgrader import handlers

    static = Path(handlers.static_path)
    _page, html = one_submission_page(tmp_path, "en")
    english = tmp_path / "en"  # the course one_submission_page made
    pages = [html, *(render(english, name, **{**ns, "base_url": ""}) for name, ns in COURSE_PAGES.values())]
    sheets = {m for page in pages
              for m in re.findall(r'/formgrader/static/([^"\']+\.css)', page)}
    assert len(sheets) >= 3, sheets
    for sheet in sorted(sheets):
        assert outside_fetches((static / sheet).read_text(encoding="utf-8")) == [], sheet
