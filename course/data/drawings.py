"""Small sets of made-up children's drawings (circles, crosses, triangles) for e10.

Each drawing is a few pen strokes with a little wobble, turned into 8 × 8 pixels exactly as the
drawing pad does (:func:`course.widgets.drawing_pad.strokes_to_pixels`). The sets are made
from a fixed seed, so a lesson and its hidden tests always see the same pictures; nothing is
downloaded. Two "children" draw in two styles, which is the point of the lesson: Ken draws his
crosses as ×, Yui draws hers as +, so a computer taught only by Ken is wrong about
Yui's crosses (it takes them for triangles).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SHAPES = ("circle", "cross", "triangle")


@dataclass
class Drawings:
    """Drawings as 8×8 pictures (``images``, shape (n, 8, 8)) with their labels (shape names)."""

    images: np.ndarray
    labels: np.ndarray
    by: str

    def __len__(self) -> int:
        return len(self.labels)


def _wobble(rng: np.random.RandomState, points, amount: float = 0.04) -> list:
    return [(x + rng.uniform(-amount, amount), y + rng.uniform(-amount, amount)) for x, y in points]


def shape_strokes(shape: str, style: str, rng: np.random.RandomState) -> list:
    """The pen strokes of one drawing: ``shape`` in a drawer's ``style`` ("ken" or "yui")."""
    if shape == "circle":
        squash = 1.0 if style == "ken" else rng.uniform(0.75, 0.9)  # Yui's circles are a bit wide
        t = np.linspace(0, 2 * np.pi, 24)
        return [_wobble(rng, zip(0.5 + 0.38 * np.cos(t), 0.5 + 0.38 * squash * np.sin(t), strict=True))]
    if shape == "cross":
        if style == "ken":  # ×: two slanted lines
            return [_wobble(rng, [(0.15, 0.15), (0.85, 0.85)]), _wobble(rng, [(0.85, 0.15), (0.15, 0.85)])]
        return [_wobble(rng, [(0.5, 0.1), (0.5, 0.9)]), _wobble(rng, [(0.1, 0.5), (0.9, 0.5)])]  # +
    if shape == "triangle":
        return [_wobble(rng, [(0.5, 0.12), (0.88, 0.85), (0.12, 0.85), (0.5, 0.12)])]
    raise ValueError(f"unknown shape {shape!r}; use one of {', '.join(SHAPES)}")


def load_drawings(by: str = "ken", shapes=SHAPES, per_shape: int = 3, seed: int = 0) -> Drawings:
    """``per_shape`` drawings of each shape by one made-up child (``"ken"`` or ``"yui"``)."""
    from course.widgets.drawing_pad import strokes_to_pixels

    if by not in ("ken", "yui"):
        raise ValueError(f"unknown drawer {by!r}; use 'ken' or 'yui'")
    rng = np.random.RandomState(seed + (0 if by == "ken" else 100))
    images, labels = [], []
    for _ in range(per_shape):
        for shape in shapes:
            images.append(strokes_to_pixels(shape_strokes(shape, by, rng)))
            labels.append(shape)
    return Drawings(np.asarray(images), np.asarray(labels), by)
