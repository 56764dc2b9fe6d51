"""nbgrader's Formgrader pages in the course language (autograder.school.formgrader_labels):
nbgrader's own templates rendered through the wrapped render method, as its handlers do."""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest

from autograder.lab import lab_command
from autograder.school import formgrader_labels


@pytest.fixture(scope="module")
def render():
    """nbgrader's handler render method, wrapped, on nbgrader's own Jinja environment."""
    from jinja2 import Environment, FileSystemLoader
    from nbgrader.server_extensions.formgrader import handlers
    from nbgrader.server_extensions.formgrader.base import BaseHandler

    formgrader_labels.patch_formgrader()
    formgrader_labels.patch_formgrader()  # a second load wraps nothing twice
    env = Environment(loader=FileSystemLoader([handlers.template_path]))

    def page(course: Path, name: str) -> str:
        handler = types.SimpleNamespace(settings={"nbgrader_jinja2_env": env},
                                        coursedir=types.SimpleNamespace(root=str(course)))
        return BaseHandler.render(handler, name, base_url="/", url_prefix="", windows=False)

    return page


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


def test_make_lab_enables_it():
    assert "autograder.school.formgrader_labels=True" in lab_command(Path("/tmp/c"), 8888)


def visible_text_of(html: str) -> str:
    """The page's text without its scripts (what a teacher reads before the scripts run)."""
    return re.sub(r"<script\b.*?</script>", " ", html, flags=re.DOTALL)
