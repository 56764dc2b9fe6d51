"""Nothing leaves the school: in Debian Chromium, every request made while the start page, a
lesson in `manabu lab`, a teacher guide, a child's feedback page and the class report are opened
goes to the Jupyter server (or is a file:, data: or blob: URL). A CDN MathJax, a web font or a
script from outside fails the test with its URL and the page that asked for it. What the server
sends a lesson page goes compressed over the classroom's Wi-Fi. A Japanese lesson page draws all its
Japanese (JupyterLab's menus, code and outputs too) in the school font; the guide, the
feedback page and the class report draw Japanese in the school font without an installed one."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import nbformat
import pytest
from axe_helpers import (
    NOTEBOOK_CONTENT,
    axe_violations,
    describe,
    failing_pages,
    keyboard_problems,
    scan_start_page_and_files,
)
from browser_helpers import TOKEN, browser_page, open_and_run_all, running, wait_until_all_ran
from conftest import free_port, lesson_ids

from autograder.grading.grade import grade_lesson
from autograder.grading.submissions import answer_cells, fill_answers, read_versions, submit
from course.style import WEB_FONT_FILE

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
LESSON = "e03"
WEB_FONT = f"/static/{WEB_FONT_FILE}"  # the school font's copy for browsers
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def is_local(url: str) -> bool:
    """True for a URL that stays on this machine."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in ("data", "blob", "file", "about", "chrome", "chrome-extension"):
        return True
    return parts.hostname in LOCAL_HOSTS


def test_is_local_tells_the_school_from_the_internet():
    assert is_local("http://127.0.0.1:8888/lab") and is_local("ws://localhost:1/api")
    assert is_local("data:image/png;base64,AAAA") and is_local("file:///tmp/x.html")
    assert not is_local("https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js")
    assert not is_local("https://fonts.googleapis.com/css?family=Noto+Sans")
    assert not is_local("http://127.0.0.1.example.com/")


@pytest.fixture(scope="module")
def school(tmp_path_factory):
    """`manabu lab` on a Japanese course, with one student's e03 graded (so there is a feedback
    page) and the class report written."""
    course = tmp_path_factory.mktemp("offline-course")
    port = free_port()
    cmd = [sys.executable, "-m", "autograder.cli", "lab", "--course", str(course), "--lang", "ja",
           "--port", str(port), "--no-browser"]
    with running(cmd, port, tmp_path_factory.mktemp("offline-log") / "lab.log") as base:
        teacher, student = read_versions(course, LESSON)
        submit(course, "aoi", LESSON, nbformat.writes(fill_answers(student, answer_cells(teacher))))
        [row] = grade_lesson(LESSON, course, log=lambda *a: None, workers=1)
        assert row.status == "ok", row
        subprocess.run([sys.executable, "-m", "autograder.cli", "report", "--course", str(course)],
                       check=True, capture_output=True)
        yield base, course


def test_no_request_leaves_the_school(school, browser):
    base, course = school
    pages = {"guide": f"guides/{LESSON}.html",
             "feedback": f"feedback/aoi/{LESSON}/{LESSON}.html",
             "report": "reports/class-report.html"}
    for name, path in pages.items():
        assert (course / path).exists(), f"no {name} page at {path}"
    seen: list[tuple[str, str]] = []  # (what was open, requested URL)
    opened = ["start page"]
    with browser_page(browser, SHOTS / "offline-failure.png", base) as page:
        # the context also sees requests of workers and frames
        page.context.on("request", lambda request: seen.append((opened[-1], request.url)))
        page.goto(f"{base}/?reset&token={TOKEN}")  # `/` goes to the start page
        page.wait_for_url("**/lab/tree/start.ipynb**", timeout=60_000)
        page.locator(".jp-RenderedMarkdown a[href*='guides/']").first.wait_for(timeout=60_000)

        opened.append(f"lesson {LESSON}")
        open_and_run_all(page, f"{base}/lab/tree/source/{LESSON}/{LESSON}.ipynb?reset&token={TOKEN}")
        wait_until_all_ran(page)
        page.wait_for_selector(".manabu-drawing-pad canvas", timeout=30_000)

        school_font = {}
        for name, path in pages.items():
            opened.append(name)
            page.goto(f"{base}/files/{path}?token={TOKEN}")
            page.wait_for_load_state("networkidle")
            school_font[name] = page.evaluate(SCHOOL_FONT_LOADED)
    assert len(seen) > 20, seen  # the recorder saw the pages load
    outside = sorted({f"{where}: {url}" for where, url in seen if not is_local(url)})
    assert not outside, "requests that leave the school:\n" + "\n".join(outside)
    # this machine has no BIZ UDPGothic installed: the guide, the feedback page and the report carry it
    assert all(school_font.values()), school_font


def linked_extension(base: str, url: str) -> bool:
    """Whether ``url`` is a file of a JupyterLab extension linked into this venv (a symlink)."""
    path = urllib.parse.urlsplit(url).path
    prefix = urllib.parse.urlsplit(base).path.rstrip("/") + "/lab/extensions/"
    if not path.startswith(prefix):
        return False
    parts = path[len(prefix):].split("/")
    name = parts[:2] if parts[0].startswith("@") else parts[:1]
    return (Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "/".join(name)).is_symlink()


def test_a_lesson_page_comes_compressed(school, browser):
    """A child's first visit (nothing cached) to a lesson: JupyterLab's code, the extensions' and
    the server's answers come gzip-compressed (autograder.school.compressed_assets), so the
    classroom's Wi-Fi carries about a quarter of the bytes; every script begins with V8's compile
    hint, so Chromium compiles it off the page's main thread."""
    base, _course = school
    responses: dict[str, dict] = {}
    with browser_page(browser, SHOTS / "compressed-failure.png", base) as page:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")

        def response(event):
            headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
            responses[event["requestId"]] = {"url": event["response"]["url"], "decoded": 0,
                                             "type": event["response"]["mimeType"],
                                             "encoding": headers.get("content-encoding", "")}

        def data(event):
            if event["requestId"] in responses:
                responses[event["requestId"]]["decoded"] += event["dataLength"]

        def finished(event):
            if event["requestId"] in responses:
                responses[event["requestId"]]["wire"] = event["encodedDataLength"]

        cdp.on("Network.responseReceived", response)
        cdp.on("Network.dataReceived", data)
        cdp.on("Network.loadingFinished", finished)
        page.goto(f"{base}/lab/tree/source/{LESSON}/{LESSON}.ipynb?reset&token={TOKEN}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
        page.wait_for_load_state("networkidle")
        # (not the files of an extension linked into the venv from a worktree, as `make` links
        # Manabu's: outside the server's folders, they are sent as they are)
        scripts = {request: r["url"] for request, r in responses.items() if "wire" in r
                   and r["url"].startswith(base) and r["type"].endswith("javascript")
                   and r["decoded"] >= 1024 and not linked_extension(base, r["url"])}
        unhinted = []
        for request, url in scripts.items():
            body = cdp.send("Network.getResponseBody", {"requestId": request})
            text = (base64.b64decode(body["body"]).decode("utf-8", "replace")
                    if body["base64Encoded"] else body["body"])
            if not text.startswith("//# allFunctionsCalledOnLoad\n"):
                unhinted.append(url)
    assert len(scripts) > 20 and not unhinted, f"without the compile hint: {unhinted}"
    done = [r for r in responses.values() if "wire" in r and r["url"].startswith(base)]
    code = [r for r in done if r["type"] in ("application/javascript", "text/javascript", "text/css")
            and r["decoded"] >= 1024]
    assert len(code) > 20, done  # the recorder saw JupyterLab load
    plain = [f"{r['url']} ({r['decoded']} bytes)" for r in code if r["encoding"] != "gzip"]
    assert not plain, "sent uncompressed:\n" + "\n".join(plain)
    wire, decoded = sum(r["wire"] for r in done), sum(r["decoded"] for r in done)
    assert wire < 0.4 * decoded, f"{wire} bytes over the wire for {decoded} bytes of page"


# the page's text is drawn in BIZ UDPGothic and a face of it has loaded
SCHOOL_FONT_LOADED = """async () => {
    await document.fonts.ready;
    return getComputedStyle(document.body).fontFamily.startsWith('"BIZ UDPGothic"')
        && [...document.fonts].some(f => f.family.replace(/"/g, '') === 'BIZ UDPGothic'
                                         && f.status === 'loaded');
}"""


def test_pages_pass_axe(school, browser):
    """axe-core (WCAG 2.2 AA) finds nothing critical or serious on the Japanese start page's text,
    every teacher guide, a child's feedback page and the class report."""
    base, course = school
    paths = [f"guides/{g.name}" for g in sorted((course / "guides").glob("*.html"))]
    paths += [f"feedback/aoi/{LESSON}/{LESSON}.html", "reports/class-report.html"]
    with browser_page(browser, SHOTS / "axe-ja-pages-failure.png") as page:
        found = scan_start_page_and_files(page, base, paths)
    assert len(found) == len(lesson_ids()) + 3, sorted(found)
    assert not failing_pages(found), failing_pages(found)


FONT_STATE = """async () => {
    await document.fonts.ready;
    const faces = [...document.fonts].filter(f => f.family.replace(/"/g, '') === 'BIZ UDPGothic');
    const family = sel => { const e = document.querySelector(sel); return e && getComputedStyle(e).fontFamily; };
    return {faces: faces.map(f => f.status),
            // Manabu's own (widgets, run bars, panel); not JupyterLab's notebook and cells, which
            // the extension marks with manabu-student-view / manabu-has-run-bar
            labels: [...document.querySelectorAll(
                         "[class*='manabu-'] .widget-label, [class*='manabu-'] label, [class*='manabu-'] button")]
                .filter(e => e.textContent.trim())
                .filter(e => !e.closest("[class*='manabu-']").matches(
                    ".manabu-student-view, .manabu-has-run-bar, .manabu-answer-written"))
                .map(e => [e.closest("[class*='manabu-']").className.match(/manabu-[\\w-]+/)[0],
                           e.textContent.trim().slice(0, 20), getComputedStyle(e).fontFamily]),
            text: family(".jp-RenderedMarkdown p")};
}"""


JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff9f]")


def japanese_in_other_fonts(page) -> tuple[int, list[str]]:
    """How many elements on the page show Japanese, and those whose Japanese some font other
    than BIZ UDPGothic draws (a system fallback font): the fonts Chromium drew each with."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        stack, shown, other = [cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]], 0, []
        while stack:
            node = stack.pop()
            stack += [*node.get("children", []), *node.get("shadowRoots", [])]
            text = "".join(c.get("nodeValue", "") for c in node.get("children", []) if c["nodeType"] == 3)
            count = len(JAPANESE.findall(text))
            if node["nodeType"] != 1 or not count:
                continue
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
            if not fonts:
                continue  # not drawn (hidden)
            shown += 1
            school = sum(f["glyphCount"] for f in fonts if f["familyName"] == "BIZ UDPGothic")
            if school < count:
                names = ", ".join(f"{f['familyName']} ({f['glyphCount']})" for f in fonts)
                other.append(f"<{node['nodeName'].lower()}> {text.strip()[:24]!r}: {names}")
        return shown, other
    finally:
        cdp.detach()


def test_japanese_lesson_and_widgets_use_the_school_font(school, browser):
    """BIZ UDPGothic, served by the Jupyter server itself, draws a Japanese lesson's widgets and text."""
    base, _course = school
    fonts: list[str] = []
    with browser_page(browser, SHOTS / "school-font-failure.png", base) as page:
        page.on("request", lambda r: fonts.append(r.url) if "BIZUDPGothic" in r.url else None)
        open_and_run_all(page, f"{base}/lab/tree/source/{LESSON}/{LESSON}.ipynb?reset&token={TOKEN}")
        wait_until_all_ran(page)
        page.wait_for_selector(".manabu-drawing-pad canvas", timeout=30_000)
        page.wait_for_function("() => [...document.fonts].some(f => f.status === 'loaded' && "
                               "f.family.replace(/\"/g, '') === 'BIZ UDPGothic')", timeout=30_000)
        state = page.evaluate(FONT_STATE)
        # the same Japanese lesson, already run, for accessibility (lesson text and outputs;
        # every English lesson: test_browser.py; every Japanese lesson's text: test_lessons.py)
        found = axe_violations(page, NOTEBOOK_CONTENT)
        keys = keyboard_problems(page)
        # everything in Japanese, JupyterLab's menus, code and printed outputs too
        shown, other_fonts = japanese_in_other_fonts(page)
    assert shown > 100 and not other_fonts, f"{shown} shown; in other fonts:\n" + "\n".join(other_fonts)
    # one @font-face, the lab extension's, set as the page started: none came with the widgets
    # (each one added makes the browser lay out and shape all the page's text again)
    assert state["faces"] == ["loaded"], state
    assert state["labels"], state
    other = [label for label in state["labels"] if not label[2].startswith('"BIZ UDPGothic"')]
    assert not other, other
    assert state["text"].startswith('"BIZ UDPGothic"'), state
    assert fonts and all(is_local(url) for url in fonts), fonts
    assert {url.split("?")[0].removeprefix(base) for url in fonts} == {WEB_FONT}, fonts
    assert not found, describe(found)
    assert keys == []
