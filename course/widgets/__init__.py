"""Widgets students use in lessons. Each works with no browser attached (for grading),
and every user action has a Python twin (``pad.draw_stroke(...)``, ``view.k = 7``)."""

from course.widgets.drawing_pad import DrawingPad, strokes_to_pixels
from course.widgets.neighbors_view import (
    DrawAndGuess,
    KChooser,
    NeighborsView,
    show_examples,
    show_neighbors,
)

__all__ = ["DrawAndGuess", "DrawingPad", "KChooser", "NeighborsView", "show_examples",
           "show_neighbors", "strokes_to_pixels"]
