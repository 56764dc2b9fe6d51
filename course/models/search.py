"""Planning a path on a grid map by search, one square at a time (lesson e09), in plain Python.

Breadth-first search looks at the squares in the order it found them, so it spreads out from
the start like a wave and the first path it finds to the goal is a shortest one. "Nearest to the
goal first" (greedy best-first search) always looks next at the waiting square closest to the
goal as the crow flies (counted in squares, up-down plus left-right): it usually looks at fewer
squares, but a wall in the way can trick it into a longer path.

The maps use the room of e07's robot vacuum (:data:`course.models.gridworld.ROOM`): ``#`` wall,
``S`` stairs (never stepped on), ``D`` dock (the goal), the robot's start as ``^ > v <`` or ``R``;
every other square is floor. The widget is :class:`course.widgets.search.PathFinder`.

Example::

    search = SearchSteps("breadth").start(MAPS["room"])
    search.step()                 # looks at one square: (1, 1), the start
    search.run()                  # on until the dock is found
    len(search.visited_), len(search.path_) - 1     # squares looked at, steps on the path
"""

from __future__ import annotations

from course.models.gridworld import ROOM

ORDERS = ("breadth", "nearest")
BLOCKED = "#S"
NEIGHBOURS = [(-1, 0), (0, 1), (1, 0), (0, -1)]   # up, right, down, left: always in this order

# e07's room; a maze with two ways round; a hallway that fools "nearest to the goal first"
# (its way is 14 steps, the shortest 12); a small map to count by hand.
MAPS = {
    "room": ROOM,
    "maze": """
##########
#R...#...#
#.##.#.#.#
#.#..#.#.#
#.#.##.#.#
#...#..#D#
###...##.#
#...#....#
##########
""",
    "trap": """
###########
#.........#
#.#######.#
#R......#D#
#######.#.#
#######.#.#
#######...#
###########
""",
    "small": """
#######
#R#...#
#.#.#.#
#...#D#
#######
""",
}

Square = tuple[int, int]


def read_map(text: str) -> tuple[list[str], Square, Square]:
    """The rows of a map, the robot's square and the dock's square."""
    rows = [line for line in text.strip("\n").splitlines()]
    width = max(len(r) for r in rows)
    rows = [r.ljust(width, "#") for r in rows]
    starts = [(r, c) for r, row in enumerate(rows) for c, ch in enumerate(row) if ch in "R^>v<"]
    goals = [(r, c) for r, row in enumerate(rows) for c, ch in enumerate(row) if ch == "D"]
    if len(starts) != 1 or len(goals) != 1:
        raise ValueError("A map needs one robot (R, ^, >, v or <) and one dock (D).")
    return rows, starts[0], goals[0]


def crow_distance(a: Square, b: Square) -> int:
    """Squares between a and b if no wall were in the way (up-down plus left-right)."""
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


class SearchSteps:
    """Search a grid map for a path from the robot to the dock, one square per :meth:`step`.

    ``order`` is ``"breadth"`` (first found, first looked at) or ``"nearest"`` (nearest to the
    goal first; ties go to the square found first). Learned attributes: ``visited_`` (squares
    looked at, in order), ``frontier_`` (found, waiting to be looked at), ``steps_from_start_``
    (square -> steps along the way the search found to it), ``path_`` (start to dock, once found).
    """

    def __init__(self, order: str = "breadth"):
        self.order = order

    def start(self, room: str = ROOM) -> SearchSteps:
        """Read the map and put the robot's square on the frontier."""
        if self.order not in ORDERS:
            raise ValueError(f"order must be one of {ORDERS}, not {self.order!r}")
        self.rows_, self.start_, self.goal_ = read_map(room)
        self.frontier_: list[Square] = [self.start_]
        self.visited_: list[Square] = []
        self.came_from_: dict[Square, Square | None] = {self.start_: None}
        self.steps_from_start_: dict[Square, int] = {self.start_: 0}
        self.path_: list[Square] = []
        self.done_ = False
        return self

    @property
    def found_(self) -> bool:
        return bool(self.path_)

    def free(self, square: Square) -> bool:
        r, c = square
        return 0 <= r < len(self.rows_) and 0 <= c < len(self.rows_[r]) and self.rows_[r][c] not in BLOCKED

    def _next(self) -> Square:
        if self.order == "breadth":
            return self.frontier_.pop(0)
        # min() keeps the first of equals: ties go to the square found first
        best = min(range(len(self.frontier_)), key=lambda i: crow_distance(self.frontier_[i], self.goal_))
        return self.frontier_.pop(best)

    def step(self) -> Square | None:
        """Look at one square: stop if it is the dock, else put its new free neighbours on the
        frontier. Returns the square looked at (None once the search has ended)."""
        if self.done_ or not self.frontier_:
            self.done_ = True
            return None
        square = self._next()
        self.visited_.append(square)
        if square == self.goal_:
            self.done_ = True
            self.path_ = self._path_to(square)
            return square
        for dr, dc in NEIGHBOURS:
            near = (square[0] + dr, square[1] + dc)
            if self.free(near) and near not in self.came_from_:
                self.came_from_[near] = square
                self.steps_from_start_[near] = self.steps_from_start_[square] + 1
                self.frontier_.append(near)
        if not self.frontier_:
            self.done_ = True
        return square

    def run(self, max_steps: int = 10_000) -> SearchSteps:
        """Step until the dock is found or nothing is left to look at."""
        for _ in range(max_steps):
            if self.step() is None or self.done_:
                break
        return self

    def _path_to(self, square: Square) -> list[Square]:
        path = [square]
        while self.came_from_[path[-1]] is not None:
            path.append(self.came_from_[path[-1]])
        return path[::-1]


def plan(room: str = ROOM, order: str = "breadth") -> tuple[int, int]:
    """(squares looked at, steps on the path found) for a whole search; steps -1 if no path."""
    search = SearchSteps(order).start(room).run()
    return len(search.visited_), (len(search.path_) - 1 if search.found_ else -1)
