"""Q-learning: learn by trial and error which action is worth most in each situation.

The robot keeps a table ``q_``: one row per state (where it is), one column per action.
Each number is a guess of "how much reward will I get if I do this here, and then act
well". After every move the guess is nudged towards what really happened::

    new guess = old guess + alpha * (reward + gamma * best guess at the next state - old guess)
"""

from __future__ import annotations

import numpy as np


def q_update(q, s: int, a: int, r: float, s2: int | None, alpha: float, gamma: float) -> float:
    """The new value of ``q[s][a]`` after doing action ``a`` in state ``s``.

    ``r`` is the reward the robot got and ``s2`` the state it landed in (``None`` when the
    trip ended there, so there is no future reward). ``q`` is not changed.

    >>> q_update([[0.0, 0.0], [1.0, 3.0]], s=0, a=1, r=1, s2=1, alpha=0.5, gamma=0.5)
    1.25
    """
    old = q[s][a]
    future = 0.0 if s2 is None else max(q[s2])
    return float(old + alpha * (r + gamma * future - old))


class QLearner:
    """A table of action values, learned by trial and error (tabular Q-learning).

    ``epsilon`` is the exploration rate: how often it tries a random action instead of
    the best one it knows. ``alpha`` is the learning rate, ``gamma`` how much future
    rewards count. ``random_state`` fixes the dice, so training repeats exactly.

    Example::

        learner = QLearner(n_states=4, n_actions=2, random_state=0)
        a = learner.choose(0)                  # 0 or 1
        learner.update(0, a, reward=1.0, next_state=1)
        learner.q_                             # 4×2 table of values
    """

    def __init__(self, n_states: int, n_actions: int, alpha: float = 0.5, gamma: float = 0.9,
                 epsilon: float = 0.1, random_state: int | None = 0):
        self.n_states = n_states
        self.n_actions = n_actions
        self.alpha = alpha
        self.gamma = gamma
        self.epsilon = epsilon
        self.random_state = random_state

    def reset(self) -> QLearner:
        """Forget everything: all values 0, dice rolled from the start again."""
        self.q_ = np.zeros((self.n_states, self.n_actions))
        self.rng_ = np.random.default_rng(self.random_state)
        return self

    def _ready(self) -> None:
        if not hasattr(self, "q_"):
            self.reset()

    def best(self, state: int, allowed=None) -> int:
        """The action with the highest value (the first one on a tie); no dice."""
        self._ready()
        row = self.q_[state].tolist()
        actions = range(self.n_actions) if allowed is None else allowed
        return max(actions, key=row.__getitem__)

    def choose(self, state: int, allowed=None) -> int:
        """Epsilon-greedy: a random action with chance ``epsilon``, else the best one.

        Ties between best actions are broken at random, so a new robot wanders.
        ``allowed`` limits the choice to some actions (all when ``None``).
        """
        self._ready()
        actions = list(range(self.n_actions)) if allowed is None else list(allowed)
        if self.rng_.random() < self.epsilon:
            return actions[int(self.rng_.integers(len(actions)))]
        row = self.q_[state].tolist()
        top = max(row[a] for a in actions)
        best = [a for a in actions if row[a] == top]
        return best[0] if len(best) == 1 else best[int(self.rng_.integers(len(best)))]

    def update(self, state: int, action: int, reward: float, next_state: int | None) -> float:
        """Learn from one move (``next_state=None`` when the trip ended); returns the new value."""
        self._ready()
        value = q_update(self.q_, state, action, reward, next_state, self.alpha, self.gamma)
        self.q_[state, action] = value
        return value
