"""Widgets students use in lessons. Each works with no browser attached (for grading),
and every user action has a Python twin (``pad.draw_stroke(...)``, ``view.k = 7``).

Importing this package loads every widget family; lessons that want a quicker start import
the one module they need (``from course.widgets.robot import GridRobot``).
See ``CONVENTIONS.md`` for how a family is built.
"""

from course.widgets.boundary import BoundaryExplorer
from course.widgets.clustering import KMeansStepper
from course.widgets.drawing_pad import DrawingPad, strokes_to_pixels
from course.widgets.evaluate import TrainTestLab
from course.widgets.fairness import DataMixer, ThresholdAudit
from course.widgets.filters import FilterLab, apply_filter
from course.widgets.fitting import LineFitter
from course.widgets.language import NextTokenExplorer
from course.widgets.neighbors_view import (
    DrawAndGuess,
    KChooser,
    NeighborsView,
    show_examples,
    show_neighbors,
)
from course.widgets.pixels import BrightnessExplorer, PixelGrid
from course.widgets.quiz import ChoiceCards, MultipleChoice, Quiz
from course.widgets.robot import GridRobot, run_rules
from course.widgets.rules import RuleBuilder, rule_accuracy
from course.widgets.sound import SoundSampler, n_samples, quantize
from course.widgets.trees import TreeBuilder, tree_accuracy

__all__ = ["BoundaryExplorer", "BrightnessExplorer", "ChoiceCards", "DataMixer", "DrawAndGuess", "DrawingPad",
           "FilterLab", "GridRobot", "KChooser", "KMeansStepper", "LineFitter", "MultipleChoice",
           "NeighborsView", "NextTokenExplorer", "PixelGrid", "Quiz", "RuleBuilder", "SoundSampler",
           "ThresholdAudit", "TrainTestLab", "TreeBuilder", "rule_accuracy", "tree_accuracy", "apply_filter", "n_samples", "quantize", "run_rules",
           "show_examples", "show_neighbors", "strokes_to_pixels"]
