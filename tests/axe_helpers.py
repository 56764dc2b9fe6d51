"""axe-core (npm, pinned) injected into pages in Chromium: the WCAG 2.2 A/AA rules, and the
critical and serious findings they make in what Manabu draws.

axe-core is installed at test time into the git-ignored ``build/axe/`` with npm (never a CDN):
``make test`` does it in ``system-deps``, and :func:`axe_source` does it when run alone."""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path

AXE_VERSION = "4.14.1"
AXE_DIR = Path(__file__).resolve().parent.parent / "build" / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
COUNTED = ("critical", "serious")
# What Manabu draws inside a notebook: rendered lesson text and cell outputs. The code editors,
# prompts, toolbars and panels around them are JupyterLab's own interface.
NOTEBOOK_CONTENT = [[".jp-Notebook .jp-MarkdownCell .jp-RenderedMarkdown"],
                    [".jp-Notebook .jp-OutputArea-output"]]


@cache
def axe_source() -> str:
    """The text of axe.min.js, installing the pinned axe-core with npm first if it is missing."""
    package = AXE_JS.with_name("package.json")
    if not package.exists() or json.loads(package.read_text())["version"] != AXE_VERSION:
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(AXE_DIR), "--no-save", "--no-audit",
                        "--no-fund", f"axe-core@{AXE_VERSION}"], check=True, capture_output=True)
    return AXE_JS.read_text(encoding="utf-8")


RUN = """async ([include, exclude, tags]) => {
    const context = include ? {include, exclude} : {exclude};
    const result = await axe.run(context, {runOnly: {type: 'tag', values: tags},
                                           resultTypes: ['violations']});
    return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact,
                                  summary: (n.failureSummary || '').slice(0, 300),
                                  html: n.html.slice(0, 200)}))}));
}"""


def axe_violations(page, include: list | None = None, exclude: list | None = None,
                   impacts: tuple[str, ...] = COUNTED) -> list[dict]:
    """Run axe-core's WCAG 2.2 A/AA rules on ``page`` (within ``include``, less ``exclude``:
    lists of CSS selector lists) and return the violations of the given impacts."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source())
    found = page.evaluate(RUN, [include, exclude or [], WCAG_TAGS])
    return [v for v in found if v["impact"] in impacts]


def scan_start_page_and_files(page, base: str, paths: list[str]) -> dict[str, list[dict]]:
    """axe's findings on the start page's text (opened through ``/``, as a teacher opens it) and
    on each file under ``paths`` (course-relative, served by the Jupyter server at ``base``),
    by name: ``"start page"`` and each path."""
    from browser_helpers import TOKEN

    page.goto(f"{base}/?reset&token={TOKEN}")  # `/` goes to the start page
    page.wait_for_url("**/lab/tree/start.ipynb**", timeout=60_000)
    page.locator(".jp-RenderedMarkdown a[href*='guides/']").first.wait_for(timeout=60_000)
    return {"start page": axe_violations(page, NOTEBOOK_CONTENT), **scan_files(page, base, paths)}


def scan_files(page, base: str, paths: list[str]) -> dict[str, list[dict]]:
    """axe's findings on each file under ``paths`` (course-relative, served by the Jupyter server
    at ``base``), opened one after another in ``page``, by path."""
    from browser_helpers import TOKEN

    found = {}
    for path in paths:
        page.goto(f"{base}/files/{path}?token={TOKEN}")
        found[path] = axe_violations(page)
    return found


def failing_pages(found: dict[str, list[dict]]) -> str:
    """The pages of ``found`` with findings, readable ("" when there are none)."""
    return "\n".join(f"{name}:\n{describe(v)}" for name, v in found.items() if v)


def describe(violations: list[dict], limit: int = 4) -> str:
    """Violations as readable lines: rule, impact, help, and the first few elements."""
    lines = []
    for v in violations:
        lines.append(f"{v['impact']} {v['id']} ({len(v['nodes'])}x): {v['help']}")
        for node in v["nodes"][:limit]:
            lines.append(f"    {node['target']}  {node['html']}")
    return "\n".join(lines)


def count(violations: list[dict]) -> int:
    """How many elements fail, over all violations."""
    return sum(len(v["nodes"]) for v in violations)


# Keyboard and screen-reader facts axe does not check, read in the page: a slider announces
# what its readout shows, a disabled slider takes no focus, a slider is one Tab stop per handle
# (its readout is not another), and a widget is a few Tab stops.
TAB_STOPS_PER_WIDGET = 20
KEYBOARD = """(limit) => {
    const problems = [];
    // Chromium reports tabIndex -1 for an editable text (a slider's readout) yet Tab stops there
    const tabbable = (e) => (e.tabIndex >= 0 || (e.isContentEditable && !e.hasAttribute('tabindex')))
        && !e.disabled && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
    const focusable = 'a[href], button, input, select, textarea, [tabindex], [contenteditable="true"]';
    for (const slider of document.querySelectorAll('.jp-OutputArea-output .widget-slider')) {
        const label = (slider.querySelector(':scope > .widget-label') || {}).textContent || '?';
        const readout = slider.querySelector('.widget-readout');
        const shown = readout ? readout.textContent.trim() : '';
        const disabled = slider.querySelector('.noUi-target[disabled]') !== null;
        for (const handle of slider.querySelectorAll('.noUi-handle')) {
            const said = handle.getAttribute('aria-valuetext');
            if (shown && said !== shown)
                problems.push(`slider "${label.trim()}" shows ${shown} but announces ${said}`);
            if (disabled && handle.tabIndex >= 0)
                problems.push(`disabled slider "${label.trim()}" still takes the focus`);
        }
        const stops = [...slider.querySelectorAll(focusable)].filter(tabbable).length;
        if (stops > slider.querySelectorAll('.noUi-handle').length)
            problems.push(`slider "${label.trim()}" is ${stops} Tab stops (one per handle)`);
    }
    for (const output of document.querySelectorAll('.jp-OutputArea-output')) {
        const root = output.querySelector("[class*='manabu-']");
        if (!root) continue;
        const stops = [...output.querySelectorAll(focusable)].filter(tabbable).length;
        if (stops > limit)
            problems.push(`${root.className.match(/manabu-[\\w-]+/)[0]} is ${stops} Tab stops (at most ${limit})`);
    }
    return problems;
}"""


def keyboard_problems(page, limit: int = TAB_STOPS_PER_WIDGET) -> list[str]:
    """What a keyboard or screen-reader user meets in the page's widget outputs (see KEYBOARD)."""
    return page.evaluate(KEYBOARD, limit)


# The first enabled whole-number slider in a Manabu widget: its index among the page's sliders,
# and the value it shows, its limits (null when there is none)
WHOLE_NUMBER_SLIDER = """() => {
    const sliders = [...document.querySelectorAll('.jp-OutputArea-output .widget-slider')];
    const at = sliders.findIndex(s => s.closest("[class*='manabu-']")
        && !s.querySelector('.noUi-target[disabled]') && s.querySelectorAll('.noUi-handle').length === 1
        && /^-?\\d+$/.test(s.querySelector('.widget-readout')?.textContent.trim() ?? ''));
    if (at < 0) return null;
    const handle = sliders[at].querySelector('.noUi-handle');
    const number = name => Number(handle.getAttribute(name));
    return {index: at, now: number('aria-valuenow'), min: number('aria-valuemin'),
            max: number('aria-valuemax')};
}"""
# where the focus is in the index-th slider ('handle', 'readout' or 'elsewhere'), what it shows
FOCUS_IN_SLIDER = """(index) => {
    const slider = document.querySelectorAll('.jp-OutputArea-output .widget-slider')[index];
    const now = document.activeElement;
    const where = now.classList.contains('noUi-handle') && slider.contains(now) ? 'handle'
        : now === slider.querySelector('.widget-readout') ? 'readout' : 'elsewhere';
    return [where, slider.querySelector('.widget-readout').textContent.trim()];
}"""


def readout_edit_problems(page) -> list[str]:
    """Keyboard only, on the first whole-number slider of the page's Manabu widgets: Enter on its
    handle opens the readout for typing; a typed value and Enter set it and give the focus back
    to the handle; Enter then Escape goes back too and leaves the value (course/a11y.js)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    found = page.evaluate(WHOLE_NUMBER_SLIDER)
    if found is None:
        return ["no enabled whole-number slider to edit by its readout"]
    index, problems = found["index"], []
    target = found["now"] + 1 if found["now"] < found["max"] else found["now"] - 1
    handle = page.locator(".jp-OutputArea-output .widget-slider").nth(index).locator(".noUi-handle")

    def expect(where: str, shown: str, after: str) -> None:
        try:  # the focus comes back a moment after the key (a11y.js waits for ipywidgets)
            page.wait_for_function(f"(i) => {{ const [w, s] = ({FOCUS_IN_SLIDER})(i); "
                                   f"return w === {where!r} && s === {shown!r}; }}",
                                   arg=index, timeout=3000)
        except PlaywrightTimeout:  # say what happened instead
            now, text = page.evaluate(FOCUS_IN_SLIDER, index)
            problems.append(f"after {after}: the focus is on the {now} showing {text}, "
                            f"not on the {where} showing {shown}")

    handle.focus()
    page.keyboard.press("Enter")
    expect("readout", str(found["now"]), "Enter on the handle")
    page.keyboard.type(str(target))
    page.keyboard.press("Enter")
    expect("handle", str(target), f"typing {target} and Enter")
    page.keyboard.press("Enter")
    expect("readout", str(target), "Enter on the handle again")
    page.keyboard.press("Escape")
    expect("handle", str(target), "Escape")
    return problems


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def static_notebook_html(nb) -> str:
    """An executed notebook as nbconvert's JupyterLab-look HTML, without its widget outputs
    (a static page cannot draw them; the live scans do): its lesson text, plots, pictures,
    check messages and other outputs."""
    import copy

    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell["outputs"] = [o for o in cell.get("outputs", []) if WIDGET_VIEW not in o.get("data", {})]
    html, _resources = lab_exporter().from_notebook_node(nb)
    return html


@cache
def lab_exporter():
    """nbconvert's HTML exporter with the JupyterLab template (made once: loading it is slow),
    without code (JupyterLab's editor shows code, not Manabu; highlighting it is most of the cost)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True)


def scan_static_html(browser, html: str) -> list[dict]:
    """axe's critical and serious findings in the lesson text and outputs of a static page
    (requests that would leave the machine, nbconvert's CDN scripts, are refused)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.route("**/*", lambda route: route.abort()
                   if route.request.url.startswith(("http:", "https:")) else route.continue_())
        page.set_content(html, wait_until="domcontentloaded")
        return axe_violations(page, [[".jp-MarkdownCell .jp-RenderedMarkdown"],
                                     [".jp-OutputArea-output"]])
    finally:
        page.close()
