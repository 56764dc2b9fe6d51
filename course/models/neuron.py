"""One artificial neuron, by hand (lesson j12), in plain Python a student can read.

A neuron multiplies each input by its weight, adds them up, and says 1 if the sum reaches its
threshold, else 0. That is a straight line across the plane of the inputs: 1 on one side, 0 on
the other. The perceptron rule learns the weights from mistakes, one example at a time:

    change = learning_rate × (should − says)
    weight_i += change × input_i        threshold −= change

(no change when the neuron was right). One neuron cannot say "exactly one of the two" (XOR): no
straight line puts (0, 1) and (1, 0) on one side and (0, 0) and (1, 1) on the other. Two layers
can: two hidden neurons each draw a line, and an output neuron combines what they say.

Example::

    neuron([1, 0], [1.0, 1.0], 1.5)                        # 0: the sum 1.0 is below 1.5
    steps = NeuronSteps().start(INPUTS, TASKS["OR"])
    steps.step()                                           # learn from the next example
    steps.fit(INPUTS, TASKS["OR"]).weights_, steps.threshold_
"""

from __future__ import annotations

INPUTS = [(0, 0), (0, 1), (1, 0), (1, 1)]
TASKS = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}


def weighted_sum(inputs, weights) -> float:
    """Each input times its weight, added up."""
    return float(sum(x * w for x, w in zip(inputs, weights, strict=True)))


def neuron(inputs, weights, threshold: float) -> int:
    """1 if the weighted sum of the inputs reaches the threshold, else 0."""
    return int(weighted_sum(inputs, weights) >= threshold)


def two_layer(hidden, output, inputs=INPUTS) -> list[tuple]:
    """A two-layer net on each input pair: (x1, x2, what each hidden neuron says..., output).

    ``hidden`` is a list of (w1, w2, threshold), one per hidden neuron; ``output`` is the output
    neuron's (weights for the hidden neurons..., threshold).
    """
    rows = []
    for x in inputs:
        said = [neuron(x, h[:-1], h[-1]) for h in hidden]
        rows.append((*x, *said, neuron(said, output[:-1], output[-1])))
    return rows


class NeuronSteps:
    """A neuron that learns its weights by the perceptron rule, one example per :meth:`step`.

    ``__init__`` only stores settings; :meth:`start` sets the first weights. Learned attributes:
    ``weights_``, ``threshold_``, ``next_`` (the example the next step looks at), ``rounds_``
    (rounds through all examples so far) and ``last_`` (what the last step did).
    """

    def __init__(self, learning_rate: float = 0.5, weights=(0.0, 0.0), threshold: float = 0.0,
                 max_rounds: int = 20):
        self.learning_rate = learning_rate
        self.weights = weights
        self.threshold = threshold
        self.max_rounds = max_rounds

    def start(self, X, y) -> NeuronSteps:
        """Take the examples and go back to the first weights."""
        self.X_, self.y_ = [tuple(x) for x in X], [int(t) for t in y]
        self.weights_ = [float(w) for w in self.weights]
        self.threshold_ = float(self.threshold)
        self.next_, self.rounds_, self.last_ = 0, 0, None
        self.mistakes_in_round_ = 0
        return self

    def predict(self, X) -> list[int]:
        return [neuron(x, self.weights_, self.threshold_) for x in X]

    def mistakes(self) -> int:
        """How many of the examples the neuron gets wrong now."""
        return sum(p != t for p, t in zip(self.predict(self.X_), self.y_, strict=True))

    def step(self) -> dict:
        """Learn from the next example: change the weights and threshold only if it was wrong."""
        x, should = self.X_[self.next_], self.y_[self.next_]
        total = weighted_sum(x, self.weights_)
        says = int(total >= self.threshold_)
        change = self.learning_rate * (should - says)
        self.weights_ = [w + change * xi for w, xi in zip(self.weights_, x, strict=True)]
        self.threshold_ -= change
        self.mistakes_in_round_ += says != should
        self.last_ = {"x": x, "sum": total, "says": says, "should": should, "change": change}
        self.next_ = (self.next_ + 1) % len(self.X_)
        if self.next_ == 0:
            self.rounds_ += 1
            self.last_["round_mistakes"] = self.mistakes_in_round_
            self.mistakes_in_round_ = 0
        return self.last_

    def fit(self, X=None, y=None) -> NeuronSteps:
        """Rounds through all examples until a round has no mistake (or ``max_rounds``)."""
        if X is not None:
            self.start(X, y)
        for _ in range(self.max_rounds * len(self.X_)):
            done = self.step().get("round_mistakes") == 0
            if done:
                break
        return self
