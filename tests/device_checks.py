"""Checks that a lesson, as a browser shows it, suits school tablets and Chromebooks: no
horizontal scrolling at their screen sizes, touch targets of Manabu's controls ≥ 44 px, sliders
whose parts stay in their box (and on one line, on a wide screen), and on
a tablet the lesson has the width (JupyterLab's left sidebar collapsed), and everywhere the
lesson has all the room the sidebars leave."""

from __future__ import annotations

# from this width on a slider keeps its readout beside its track
from course.render import WIDE_FROM_PX

# Chromebook (1366×768), iPad landscape (1024×768) and portrait (810×1080, a 10.2" iPad).
DEVICE_VIEWPORTS = [(1366, 768), (1024, 768), (810, 1080)]
MIN_TARGET = 44  # px: WCAG 2.5.5 (AAA) and Apple's guideline for a finger
NARROW = 1100  # px: under this the left sidebar starts collapsed (labextension narrowScreen.ts)
# JupyterLab's left sidebar panel (the file browser), if it is open: its width
LEFT_PANEL = """() => { const e = document.querySelector('#jp-left-stack');
    return e && e.getClientRects().length && !e.classList.contains('lm-mod-hidden')
        ? Math.round(e.getBoundingClientRect().width) : 0; }"""

# The lesson's width and the width it should have: the window but JupyterLab's sidebar tab bars
# and an open left panel (an empty right panel once kept 250 px of an iPad's 1024 for nothing)
LESSON_WIDTH = """() => { const nb = document.querySelector('.jp-NotebookPanel');
    const bars = [...document.querySelectorAll('.jp-SideBar')]
        .reduce((sum, bar) => sum + bar.getBoundingClientRect().width, 0);
    return [nb ? Math.round(nb.getBoundingClientRect().width) : 0,
            Math.round(window.innerWidth - bars - (""" + LEFT_PANEL + """)())]; }"""
SPARE = 16  # px the lesson may lack of it: split handles and borders

# Measured in the page: what scrolls sideways (the notebook or an output wider than its box),
# and which of Manabu's own controls (inside a .manabu-* root) are smaller than a finger.
MEASURE = """(minTarget) => {
    const wide = [];
    const name = e => (e.className && e.className.baseVal === undefined ? e.className : e.tagName)
        .toString().split(' ').filter(c => c.startsWith('manabu') || c.startsWith('jp-')).slice(0, 2).join('.');
    for (const e of document.querySelectorAll('.jp-WindowedPanel-outer, .jp-Notebook')) {
        if (e.scrollWidth > e.clientWidth + 1) {
            // name what sticks out furthest, so the message says what to fix
            const edge = e.getBoundingClientRect().left + e.clientWidth;
            let worst = null, over = 1;
            for (const c of e.querySelectorAll('*')) {
                const r = c.getBoundingClientRect();
                if (r.width > 0 && r.right - edge > over) { over = r.right - edge; worst = c; }
            }
            const what = worst ? ` (${worst.tagName.toLowerCase()}.${[...worst.classList].slice(0, 3).join('.')})` : '';
            wide.push(`notebook ${name(e)} ${e.scrollWidth}>${e.clientWidth}${what}`);
        }
    }
    // an output's content wider than the output: it scrolls sideways, or is cut off at the edge
    document.querySelectorAll('.jp-OutputArea-output').forEach((e, i) => {
        const edge = e.getBoundingClientRect().right;
        let worst = null, over = 1;
        for (const c of e.querySelectorAll('*')) {
            const r = c.getBoundingClientRect();
            if (r.width > 0 && r.right - edge > over) { over = r.right - edge; worst = c; }
        }
        if (worst || e.scrollWidth > e.clientWidth + 1) {
            const root = (worst || e).closest('[class*="manabu-"]') || e.querySelector('[class*="manabu-"]');
            const what = worst ? `${worst.tagName.toLowerCase()}.${[...worst.classList].slice(0, 2).join('.')}` : '';
            wide.push(`output ${i} ${root ? name(root) : e.dataset.mimeType} ${what} `
                      + `${Math.round(over)} px too wide (box ${e.clientWidth} px)`);
        }
    });
    const small = [];
    // Manabu's widgets; not the classes the extension puts on JupyterLab's own notebook and cells
    const roots = '[class*="manabu-"]:not(.manabu-student-view):not(.manabu-has-run-bar)'
        + ':not(.manabu-answer-written)';
    const targets = ['button', '.ui-slider-handle', '.noUi-handle', 'input[type=range]', 'select',
                     '.widget-radio-box label', '.widget-checkbox label', 'canvas'];
    for (const t of document.querySelectorAll(targets.map(s => `${roots} ${s}`).join(','))) {
        const r = t.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;  // not shown
        if (r.width < minTarget - 0.5 || r.height < minTarget - 0.5) {
            const root = t.closest('[class*="manabu-"]');
            small.push(`${name(root)} ${t.tagName.toLowerCase()}.${[...t.classList].slice(0, 2).join('.')} `
                       + `${Math.round(r.width)}x${Math.round(r.height)}`);
        }
    }
    return {wide, small: [...new Set(small)]};
}"""

# Anything that needs a hover or a right-click: Manabu's own title tooltips and context menus.
NEEDS_HOVER = """() => [...document.querySelectorAll('[class*="manabu-"] [oncontextmenu], [class*="manabu-"] [onmouseover]')]
    .map(e => e.outerHTML.slice(0, 80))"""

# Manabu's sliders, laid out: nothing of a slider lies outside its box (ipywidgets fixes a
# slider's height, so a readout that wrapped lay over the next control), and on a wide screen
# the readout is on the track's line
SLIDER_LAYOUT = """(wide) => {
    const found = [];
    for (const s of document.querySelectorAll('[class*="manabu-"] .widget-hslider')) {
        const box = s.getBoundingClientRect();
        if (!box.width) continue;  // not shown
        const name = `slider "${(s.querySelector('.widget-label')?.textContent || '').trim().slice(0, 30)}"`;
        for (const c of s.children) {
            const r = c.getBoundingClientRect();
            if (r.height && (r.bottom > box.bottom + 1 || r.top < box.top - 1))
                found.push(`${name}: its ${c.classList[0]} lies outside it (over the next control)`);
        }
        const track = s.querySelector('.slider-container'), readout = s.querySelector('.widget-readout');
        const t = track?.getBoundingClientRect(), r = readout?.getBoundingClientRect();
        if (wide && t?.height && r?.height && (r.top > t.bottom || r.bottom < t.top))
            found.push(`${name}: its readout is on a line of its own, not beside the track`);
    }
    return [...new Set(found)];
}"""


# Manabu's drop-down menus show the whole of the choice made, whichever it is: the text of each
# option (in the menu's own font) fits the room the closed menu has for it
DROPDOWN_TEXT = """() => {
    const found = [];
    const ruler = document.createElement('canvas').getContext('2d');
    for (const menu of document.querySelectorAll('[class*="manabu-"] .widget-dropdown select')) {
        if (!menu.getBoundingClientRect().width) continue;  // not shown
        const style = getComputedStyle(menu);
        ruler.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const room = menu.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        const name = (menu.parentElement.querySelector('.widget-label')?.textContent || '').trim();
        for (const option of menu.options) {
            const width = ruler.measureText(option.text).width;
            if (width > room + 1)
                found.push(`drop-down "${name.slice(0, 30)}": "${option.text.slice(0, 40)}" is cut off `
                           + `(${Math.round(width)} px of text, ${Math.round(room)} px of room)`);
        }
    }
    return found;
}"""


def device_problems(page) -> list[str]:
    """Resize ``page`` (an already run lesson) to each device viewport and list what fails."""
    problems = []
    for width, height in DEVICE_VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)  # JupyterLab re-lays out its panels on resize
        found = page.evaluate(MEASURE, MIN_TARGET)
        problems += [f"{width}x{height}: scrolls sideways: {w}" for w in found["wide"]]
        problems += [f"{width}x{height}: touch target under {MIN_TARGET} px: {s}" for s in found["small"]]
        problems += [f"{width}x{height}: {s}" for s in page.evaluate(SLIDER_LAYOUT, width >= WIDE_FROM_PX)]
        problems += [f"{width}x{height}: {s}" for s in page.evaluate(DROPDOWN_TEXT)]
        if width < NARROW and (left := page.evaluate(LEFT_PANEL)):
            problems.append(f"{width}x{height}: the left sidebar is open and takes {left} px")
        lesson, room = page.evaluate(LESSON_WIDTH)
        if lesson < room - SPARE:
            problems.append(f"{width}x{height}: the lesson is {lesson} px wide of the {room} px it has room for")
    problems += [f"needs a mouse: {h}" for h in page.evaluate(NEEDS_HOVER)]
    return problems
