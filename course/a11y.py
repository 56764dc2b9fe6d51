"""``A11y``: the screen-reader and keyboard fixes that every widget family (``course.widgets``)
shares, as an invisible front end (``a11y.js``) put among a Manabu widget's children.

ipywidgets 8 draws sliders with noUiSlider, whose handle has no accessible name, announces its
own number format instead of the readout the child sees ("0.3" for "35%"), and keeps its Tab
stop when disabled. The front end fixes all three inside its widget, and makes a grid of
buttons marked ``manabu-roving`` one Tab stop with arrow keys inside (e02's 8×8 grid was 64).

Example::

    box = widgets.VBox([style, slider, output, A11y()])
"""

from __future__ import annotations

from pathlib import Path

import anywidget

ROVING = "manabu-roving"  # CSS class of a box of buttons that is one Tab stop


class A11y(anywidget.AnyWidget):
    """Invisible; fixes slider names, announced values, disabled Tab stops and button grids in
    the Manabu widget it is a child of. Harmless without a browser (grading)."""

    _esm = Path(__file__).with_name("a11y.js")
