"""Glass-box models in plain NumPy, small enough for a student to read.

They follow scikit-learn's conventions: ``__init__`` only stores settings, ``fit``
returns ``self``, and what the model learned ends in ``_``.
"""

from course.models.neighbors import NearestNeighbors

__all__ = ["NearestNeighbors"]
