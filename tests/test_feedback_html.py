"""The feedback page's last pass, done cell by cell and remembered (feedback_html), gives the
page nbconvert's whole-page pass gives, byte for byte, also for cells that are not closed pieces
of the page (those take the whole-page pass)."""

from __future__ import annotations

import pytest

from autograder.grading.feedback_html import finish_page, whole_page

HEAD = ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>e03</title>\n<style>'
        'body > div { color: #333 } a[href^="x"] { b: "<i>" }</style></head>\n<body>\n'
        '<div class="panel-heading"><h4>Score: 3 / 4</h4></div>\n<main>\n'
        '<div class="border-box-sizing" id="notebook">\n<div class="container">\n')
TAIL = '</div>\n</div>\n</main>\n</body>\n</html>\n'


def cell(body: str, kind: str = "text_cell rendered") -> str:
    return (f'<div class="cell border-box-sizing {kind}">\n<div class="inner_cell">\n{body}\n'
            '</div></div>\n')


PLAIN = [cell("<h1 id='a'>Draw &amp; guess</h1><p>1 &lt; 2 &gt; 0 &quot;q&quot; &#39;</p>"),
         cell('<table style="border:1px"><tr><td style="background:#fff">8</td><td>x<br>y'
              '</td></tr></table>', "code_cell rendered"),
         cell('<img src="data:image/png;base64,iVBOR"><img alt="a digit" src="d.png"><br/>'
              '<!-- a comment --><pre>  keep   spaces\n</pre>'),
         cell("<p>last cell</p>")]

ODD = {
    "a stray end tag closes the page's own div": "<p>text</p></div><p>after</p>",
    "a tag left open swallows what follows": "<span><b>open",
    "misnested tags": "<a href='x'><b>bold</a></b>",
    "a void element's end tag": "<br></br><img src=x></img>",
    "a cell start inside a style element": '<style>p { a: 1 }\n<div class="cell border-box-sizing '
                                          'x">inside</style>',
    "the wrapper's own name": "<manabu-cell-wrapper></manabu-cell-wrapper>",
    "an end tag of an earlier cell's void element": "</img></br>",
}


def test_plain_cells_give_the_whole_page_pass_and_are_remembered():
    page = HEAD + "".join(PLAIN) + TAIL
    assert finish_page(page) == whole_page(page)
    assert finish_page(page)[1] == 1  # the one image without alt text got nbconvert's
    again = HEAD.replace("3 / 4", "4 / 4") + "".join(PLAIN) + TAIL  # the next student
    assert finish_page(again) == whole_page(again)


@pytest.mark.parametrize("body", ODD.values(), ids=ODD.keys())
@pytest.mark.parametrize("where", [0, 1, 2])
def test_a_cell_that_is_not_a_closed_piece_still_gives_the_whole_page_pass(body, where):
    cells = list(PLAIN)
    cells.insert(where, cell(body))
    page = HEAD + "".join(cells) + TAIL
    assert finish_page(page) == whole_page(page)


def test_the_whole_page_pass_is_nbconverts(monkeypatch):
    """whole_page (the reference above, and the fallback) is what nbconvert's HTMLExporter does
    to a rendered page: its render step is replaced by our page, the rest is nbconvert's."""
    import nbformat
    from nbconvert.exporters import HTMLExporter, TemplateExporter

    page = HEAD + "".join(PLAIN) + cell(ODD["a stray end tag closes the page's own div"]) + TAIL
    monkeypatch.setattr(TemplateExporter, "from_notebook_node",
                        lambda self, nb, resources=None, **kw: (page, resources))
    html, _resources = HTMLExporter().from_notebook_node(nbformat.v4.new_notebook())
    assert whole_page(page)[0] == html
