"""One look for every widget: each root carries the shared scoped style (18 px labels, a focus
ring) from ``course.render.scoped_style``, and no widget brings a style sheet of its own."""

from __future__ import annotations

import re

import ipywidgets as widgets
import pytest

from course import widgets as cw
from course.render import FOCUS_RING, scoped_style
from course.widgets.teach import TeachPad

ROOTS = {
    "BoundaryExplorer": lambda: cw.BoundaryExplorer(),
    "BrightnessExplorer": lambda: cw.BrightnessExplorer(),
    "ChoiceCards": lambda: cw.ChoiceCards(["a", "b"], ["x", "y"], answers={"a": "x", "b": "y"}),
    "DataMixer": lambda: cw.DataMixer(),
    "FilterLab": lambda: cw.FilterLab(),
    "GridRobot": lambda: cw.GridRobot(),
    "KChooser": lambda: cw.KChooser({1: 3, 2: 2}, total=10),
    "KMeansStepper": lambda: cw.KMeansStepper(),
    "LineFitter": lambda: cw.LineFitter(),
    "MultipleChoice": lambda: cw.MultipleChoice("Which?", ["one", "two"], answer="a"),
    "NeighborsView": lambda: cw.NeighborsView(),
    "NextTokenExplorer": lambda: cw.NextTokenExplorer(lang="en"),
    "PixelGrid": lambda: cw.PixelGrid(),
    "RuleBuilder": lambda: cw.RuleBuilder(),
    "SoundSampler": lambda: cw.SoundSampler(),
    "TeachPad": lambda: TeachPad(["circle", "cross"]),
    "ThresholdAudit": lambda: cw.ThresholdAudit(),
    "TrainTestLab": lambda: cw.TrainTestLab(),
    "TreeBuilder": lambda: cw.TreeBuilder(),
}


def style_sheets(widget) -> list[str]:
    """Every <style> block anywhere in a widget tree."""
    found = re.findall(r"<style>.*?</style>", getattr(widget, "value", "") or "", re.S) \
        if isinstance(widget, widgets.HTML) else []
    for child in getattr(widget, "children", ()):
        found += style_sheets(child)
    return found


def test_scoped_style_scopes_every_rule():
    css = scoped_style("manabu-x", {".widget-hbox, select": "gap:4px"})
    selectors = [s.strip() for rule in re.findall(r"([^{}]+)\{", css.removeprefix("<style>"))
                 for s in rule.split(",") if not rule.startswith("@media")]
    assert selectors and all(s.startswith(".manabu-x ") for s in selectors), selectors
    assert "font-size:18px" in css and FOCUS_RING in css
    assert ".manabu-x .widget-hbox, .manabu-x select{gap:4px}" in css


def test_touch_screens_get_finger_sized_controls_only():
    """On a coarse pointer (iPad, touch Chromebook) buttons, menus and slider handles are 44 px;
    a mouse keeps the compact sizes, so those rules sit inside the media query alone."""
    css = scoped_style("manabu-x", touch={".manabu-x-cell": "width:44px"})
    media = css[css.index("@media (any-pointer: coarse){"):]
    assert ".manabu-x button, .manabu-x select{min-height:44px;min-width:44px}" in media
    assert ".manabu-x *{--jp-widgets-slider-handle-size:44px}" in media
    assert ".manabu-x .manabu-x-cell{width:44px}" in media
    assert "min-height:44px" not in css[:css.index("@media")]


@pytest.mark.parametrize("name", sorted(ROOTS))
def test_every_widget_carries_the_shared_style(name):
    root = ROOTS[name]()
    classes = [c for c in root._dom_classes if c.startswith("manabu-")]
    sheets = style_sheets(root)
    base = {scoped_style(c).removesuffix("</style>") for c in classes}
    assert sheets, f"{name} has no scoped style: large labels and the focus ring are missing"
    own = [s for s in sheets if not any(s.startswith(b) for b in base)]
    assert not own, f"{name} brings its own style sheet instead of course.render.scoped_style: {own}"


def descendants(widget) -> list:
    """Every widget in a widget tree, the root first."""
    found = [widget]
    for child in getattr(widget, "children", ()):
        found += descendants(child)
    return found


SLIDERS = (widgets.IntSlider, widgets.FloatSlider, widgets.SelectionSlider)


@pytest.mark.parametrize("name", sorted(ROOTS))
def test_every_widget_with_a_slider_or_a_button_grid_carries_the_a11y_front_end(name):
    """Slider handles get names and announce their readout, disabled ones leave the Tab order, and
    a grid of buttons is one Tab stop, only where course.a11y's front end is a child."""
    from course.a11y import ROVING, A11y

    tree = descendants(ROOTS[name]())
    needs = [w for w in tree if isinstance(w, SLIDERS) or ROVING in getattr(w, "_dom_classes", ())]
    if name == "PixelGrid":
        assert needs, "the 8×8 grid of buttons must be one Tab stop (class manabu-roving)"
    if needs:
        assert any(isinstance(w, A11y) for w in tree), f"{name} has sliders but no A11y front end"


def test_no_event_sends_a_style_sheet_again(monkeypatch):
    """A <style> block in an output that changes made the browser restyle the whole JupyterLab
    page on every slider move or tap: 0.5-0.8 s under 4× CPU throttling in e04 and e05 (issue
    #13). Style sheets go in a child that never changes; every widget's bench events show it."""
    import importlib
    import pkgutil

    sent: list[str] = []
    label = ""
    original = widgets.HTML._notify_trait

    def notify(self, name, old, new):
        if label and name == "value" and isinstance(new, str) and "<style" in new:
            sent.append(label)
        return original(self, name, old, new)

    monkeypatch.setattr(widgets.HTML, "_notify_trait", notify)
    cases = 0
    for info in pkgutil.iter_modules(cw.__path__):
        module = importlib.import_module(f"course.widgets.{info.name}")
        # boundary's bench trains neural nets (20 s): its tree slider alone, below
        found = [] if info.name == "boundary" else getattr(module, "bench_cases", lambda: [])()
        for label, event in found:  # noqa: B007
            event()
            cases += 1
        label = ""
    explorer = cw.BoundaryExplorer()
    label = "boundary: move the depth slider"
    explorer.depth_slider.value = 5
    assert cases >= 15
    assert not sent, f"these events send a style sheet again: {sorted(set(sent))}"
