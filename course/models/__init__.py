"""Glass-box models in plain NumPy, small enough for a student to read.

They follow scikit-learn's conventions: ``__init__`` only stores settings, ``fit``
returns ``self``, and what the model learned ends in ``_``.
"""

from course.models.bigram import BigramModel, bigram_counts, next_prob
from course.models.kmeans import KMeansSteps
from course.models.linear import LinearRegressionGD, Perceptron
from course.models.neighbors import NearestNeighbors
from course.models.qlearning import QLearner, q_update
from course.models.tree import DecisionTree, ManualTree

__all__ = ["BigramModel", "DecisionTree", "KMeansSteps", "LinearRegressionGD", "ManualTree", "NearestNeighbors", "Perceptron",
           "QLearner", "bigram_counts", "next_prob", "q_update"]
