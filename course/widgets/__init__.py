"""Widgets students use in lessons. Each works with no browser attached (for grading),
and every user action has a Python twin (``pad.draw_stroke(...)``, ``view.k = 7``).

``from course.widgets import DrawAndGuess`` loads only the family it names (here
``neighbors_view``), when it is first asked for: a lesson's first cell, which a child waits
for, does not pay for the other families (importing all of them took about a second).
See ``CONVENTIONS.md`` for how a family is built.
"""

from __future__ import annotations

from importlib import import_module

# name -> the module of its family
_FAMILIES = {
    "BoundaryExplorer": "boundary",
    "KMeansStepper": "clustering",
    "DrawingPad": "drawing_pad", "strokes_to_pixels": "drawing_pad",
    "TrainTestLab": "evaluate",
    "DataMixer": "fairness", "ThresholdAudit": "fairness",
    "FilterLab": "filters", "apply_filter": "filters",
    "LineFitter": "fitting",
    "NextTokenExplorer": "language",
    "DrawAndGuess": "neighbors_view", "KChooser": "neighbors_view",
    "NeighborsView": "neighbors_view", "show_examples": "neighbors_view",
    "show_neighbors": "neighbors_view",
    "BrightnessExplorer": "pixels", "PixelGrid": "pixels",
    "ChoiceCards": "quiz", "MultipleChoice": "quiz", "Quiz": "quiz",
    "GridRobot": "robot", "run_rules": "robot",
    "RuleBuilder": "rules", "rule_accuracy": "rules",
    "SoundSampler": "sound", "n_samples": "sound", "quantize": "sound",
    "TreeBuilder": "trees", "tree_accuracy": "trees",
}
__all__ = sorted(_FAMILIES)


def __getattr__(name: str):
    """Import a widget's family the first time one of its names is asked for (PEP 562)."""
    family = _FAMILIES.get(name)
    if family is None:
        raise AttributeError(f"module 'course.widgets' has no attribute {name!r}")
    value = getattr(import_module(f"course.widgets.{family}"), name)
    globals()[name] = value   # asked once: later look-ups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
