"""A grid world for a robot vacuum, in plain Python (no widgets), so grading is quick: the room,
the robot's sensors and actions, rules that drive it, and a Q-learning driver
(:class:`course.models.qlearning.QLearner` learns; :func:`train_episode` runs its trips).
The widget that shows it is :class:`course.widgets.robot.GridRobot`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from course.i18n import _
from course.models.qlearning import QLearner

# The default room. '#' wall, '.' floor, '*' dirt, 'S' stairs (danger), 'D' dock,
# '^ > v <' the robot's start and heading.
ROOM = """
#########
#>..*...#
#.##..S.#
#.*...#.#
#..S..#D#
#########
"""
HEADINGS = "^>v<"                                   # north, east, south, west
STEP = [(-1, 0), (0, 1), (1, 0), (0, -1)]
CONDITIONS = ("dock_ahead", "dirt_here", "wall_ahead", "bumped", "stairs_ahead", "always", "none")
ACTIONS = ("forward", "left", "right", "clean")
LEARN_ACTIONS = ("forward", "left", "right")        # cleaning does not bring it closer to the dock
# Rewards while learning: every move costs a little, so short trips are best.
REWARD = {"move": -1.0, "bump": -3.0, "blocked": -3.0, "dock": 20.0, "fell": -20.0}


def check_rules(rules) -> list[tuple[str, str]]:
    """The rules as a list of (condition, action) pairs; a clear error if one is wrong."""
    out = []
    for rule in rules:
        if len(rule) != 2:
            raise ValueError(_("Write each rule as a pair: (\"wall_ahead\", \"right\").")) from None
        cond, action = rule
        if cond not in CONDITIONS:
            raise ValueError(_("'{cond}' is not a sensor. Use one of: {names}.").format(
                cond=cond, names=", ".join(CONDITIONS)))
        if action not in ACTIONS:
            raise ValueError(_("'{action}' is not an action. Use one of: {names}.").format(
                action=action, names=", ".join(ACTIONS)))
        out.append((cond, action))
    return out


class GridWorld:
    """The room and the robot in it, in plain Python (no widgets), so grading is quick.

    Example::

        world = GridWorld()
        world.sense()            # {'bumped': False, 'dirt_here': False, 'distance': 6, ...}
        world.act("forward")     # 'move', 'bump', 'blocked', 'fell', 'dock', 'turn' or 'clean'
    """

    def __init__(self, room: str = ROOM, safety_stop: bool = False, sensor_noise: float = 0.0,
                 seed: int = 0):
        self.rows = [list(line) for line in room.strip("\n").splitlines()]
        self.height, self.width = len(self.rows), max(len(r) for r in self.rows)
        self.rows = [r + ["#"] * (self.width - len(r)) for r in self.rows]
        starts = [(r, c) for r in range(self.height) for c in range(self.width)
                  if self.rows[r][c] in HEADINGS]
        if len(starts) != 1 or not any("D" in r for r in self.rows):
            raise ValueError("A room needs one robot (^ > v <) and a dock (D).")
        self.start = (*starts[0], HEADINGS.index(self.rows[starts[0][0]][starts[0][1]]))
        self.rows[self.start[0]][self.start[1]] = "."
        self.safety_stop, self.sensor_noise, self.seed = safety_stop, sensor_noise, seed
        self.reset()

    def reset(self) -> None:
        """Robot back to its start, dirt back, counters to zero, dice rolled from the start."""
        self.cells = [row[:] for row in self.rows]
        self.cleaned = self.prevented = 0
        self.rng = random.Random(self.seed)
        self.reset_trip()

    def reset_trip(self) -> None:
        """Back to the start for the next trip; the dice keep rolling (unlike ``reset``)."""
        self.r, self.c, self.h = self.start
        self.bumped = self.done = self.fell = False
        self.steps = 0
        self.trail = [(self.r, self.c)]

    @property
    def dirt_total(self) -> int:
        return sum(row.count("*") for row in self.rows)

    def ahead(self) -> tuple[int, int]:
        dr, dc = STEP[self.h]
        return self.r + dr, self.c + dc

    def sense(self) -> dict:
        """What the sensors say now. ``distance`` (free squares before a wall) may be noisy."""
        dr, dc = STEP[self.h]
        r, c, distance, dock = self.r + dr, self.c + dc, 0, False
        while self.cells[r][c] != "#":
            dock = dock or self.cells[r][c] == "D"
            distance, r, c = distance + 1, r + dr, c + dc
        if self.sensor_noise and self.rng.random() < self.sensor_noise:
            distance = max(0, distance + self.rng.choice((-1, 1)))
        ar, ac = self.ahead()
        return {"bumped": self.bumped, "dirt_here": self.cells[self.r][self.c] == "*",
                "dock_ahead": dock, "distance": distance, "wall_ahead": distance == 0,
                "stairs_ahead": self.cells[ar][ac] == "S", "always": True, "none": False}

    def act(self, action: str) -> str:
        """Do one action and say what happened."""
        self.steps += 1
        self.bumped = False
        if action == "left":
            self.h = (self.h + 3) % 4
            return "turn"
        if action == "right":
            self.h = (self.h + 1) % 4
            return "turn"
        if action == "clean":
            if self.cells[self.r][self.c] == "*":
                self.cells[self.r][self.c] = "."
                self.cleaned += 1
            return "clean"
        r, c = self.ahead()
        cell = self.cells[r][c]
        if cell == "#":
            self.bumped = True          # the bumper presses: it stays where it was
            return "bump"
        if cell == "S" and self.safety_stop:
            self.prevented += 1
            return "blocked"
        self.r, self.c = r, c
        self.trail.append((r, c))
        if cell == "S":
            self.done = self.fell = True
            return "fell"
        if cell == "D":
            self.done = True
            return "dock"
        return "move"

    def state(self, noisy: bool = False) -> int:
        """A number for (row, column, heading): the row of the Q-table. Noise may blur the place."""
        r, c = self.r, self.c
        if noisy and self.sensor_noise and self.rng.random() < self.sensor_noise:
            dr, dc = STEP[self.rng.randrange(4)]
            if self.cells[r + dr][c + dc] != "#":
                r, c = r + dr, c + dc
        return (r * self.width + c) * 4 + self.h


def choose_rule(rules, seen: dict) -> int | None:
    """The index of the first rule whose sensor condition is true (None: no rule fits)."""
    for i, (cond, _action) in enumerate(rules):
        if seen[cond]:
            return i
    return None


@dataclass
class RunResult:
    """How a run ended: reached the dock?, steps taken, fell?, dirt cleaned, unsafe moves stopped."""

    reached: bool
    steps: int
    fell: bool
    cleaned: int
    prevented: int


def run_rules(rules, room: str = ROOM, max_steps: int = 50, safety_stop: bool = False,
              sensor_noise: float = 0.0, seed: int = 0) -> RunResult:
    """Run the robot with ``rules`` until it reaches the dock, falls, is stuck or runs out of steps."""
    rules = check_rules(rules)
    world = GridWorld(room, safety_stop, sensor_noise, seed)
    while not world.done and world.steps < max_steps:
        i = choose_rule(rules, world.sense())
        if i is None:
            break
        world.act(rules[i][1])
    return RunResult(world.done and not world.fell, world.steps, world.fell, world.cleaned,
                     world.prevented)


def train_episode(world: GridWorld, learner: QLearner, max_steps: int = 50) -> tuple[float, str]:
    """One trip from the start, learning after every move. Returns (total reward, how it ended)."""
    world.reset_trip()
    total, event = 0.0, "out"
    s = world.state(noisy=True)
    for _step in range(max_steps):
        a = learner.choose(s)
        event = world.act(LEARN_ACTIONS[a])
        reward = REWARD.get(event, REWARD["move"])
        s2 = None if world.done else world.state(noisy=True)
        learner.update(s, a, reward, s2)
        total += reward
        if world.done:
            return total, event
        s = s2
    return total, "out"


def greedy_path(world: GridWorld, learner: QLearner, max_steps: int = 50) -> RunResult:
    """Follow the best-known action from the start (no dice, no noise): what it has learned."""
    world.reset_trip()
    while not world.done and world.steps < max_steps:
        world.act(LEARN_ACTIONS[learner.best(world.state())])
    return RunResult(world.done and not world.fell, world.steps, world.fell, world.cleaned,
                     world.prevented)
