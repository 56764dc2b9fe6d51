"""e09's model and widget: breadth-first and nearest-first search on a grid map, step by step."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import english_words, in_japanese

from course.models.search import MAPS, ORDERS, SearchSteps, crow_distance, plan, read_map
from course.widgets.search import PathFinder, bench_cases, show_map


def shortest_by_scipy(room: str) -> int:
    """Steps of the shortest way, from SciPy's graph search (an independent answer)."""
    from scipy.sparse import lil_matrix
    from scipy.sparse.csgraph import shortest_path

    rows, start, goal = read_map(room)
    free = [(r, c) for r, row in enumerate(rows) for c, ch in enumerate(row) if ch not in "#S"]
    index = {sq: i for i, sq in enumerate(free)}
    graph = lil_matrix((len(free), len(free)))
    for (r, c), i in index.items():
        for near in ((r + 1, c), (r, c + 1)):
            if near in index:
                graph[i, index[near]] = graph[index[near], i] = 1
    dist = shortest_path(graph.tocsr(), unweighted=True, indices=index[start])
    return int(dist[index[goal]]) if np.isfinite(dist[index[goal]]) else -1


@pytest.mark.parametrize("name", sorted(MAPS))
def test_the_wave_finds_a_shortest_way_and_nearest_first_never_a_shorter_one(name):
    shortest = shortest_by_scipy(MAPS[name])
    assert plan(MAPS[name], "breadth")[1] == shortest
    assert plan(MAPS[name], "nearest")[1] >= shortest


def test_the_lessons_numbers():
    """The numbers e09's text and teacher notes give."""
    assert plan(MAPS["room"], "breadth") == (22, 9)
    assert plan(MAPS["room"], "nearest") == (10, 9)
    assert plan(MAPS["trap"], "breadth") == (24, 12)
    assert plan(MAPS["trap"], "nearest") == (15, 14)   # tricked by the wall: a longer way
    assert plan(MAPS["small"], "breadth")[1] == 10
    rows, start, goal = read_map(MAPS["small"])
    assert crow_distance(start, goal) == 6              # the "through the walls" distractor


@pytest.mark.parametrize("name", sorted(MAPS))
@pytest.mark.parametrize("order", ORDERS)
def test_the_way_is_connected_and_steps_only_on_free_squares(name, order):
    search = SearchSteps(order).start(MAPS[name]).run()
    path = search.path_
    assert path[0] == search.start_ and path[-1] == search.goal_
    assert all(crow_distance(a, b) == 1 for a, b in zip(path, path[1:], strict=False))
    assert all(search.rows_[r][c] not in "#S" for r, c in path)
    assert len(set(search.visited_)) == len(search.visited_)  # no square looked at twice


def test_the_wave_looks_at_squares_in_order_of_their_distance():
    search = SearchSteps("breadth").start(MAPS["maze"]).run()
    steps = [search.steps_from_start_[sq] for sq in search.visited_]
    assert steps == sorted(steps) and steps[0] == 0
    first = SearchSteps("breadth").start(MAPS["room"])
    for _ in range(5):
        first.step()
    assert [first.steps_from_start_[sq] for sq in first.visited_] == [0, 1, 1, 2, 2]
    assert len(first.frontier_) == 3


def test_a_map_with_no_way_ends_without_a_path():
    walled = "#####\n#R#D#\n#####"
    search = SearchSteps().start(walled).run()
    assert search.done_ and not search.found_ and search.visited_ == [(1, 1)]
    assert plan(walled) == (1, -1)
    with pytest.raises(ValueError, match="dock"):
        read_map("###\n#R#\n###")
    with pytest.raises(ValueError, match="order"):
        SearchSteps("random").start()


def test_the_widget_steps_runs_switches_order_and_starts_again():
    finder = PathFinder("room")
    assert finder.looked == 0 and finder.way_steps == -1
    finder.step_button.click()
    assert finder.looked == 1 and "◯" in finder.output.value       # the frontier shows its ring
    finder.run_button.click()
    assert (finder.looked, finder.way_steps) == (22, 9)
    assert finder.step_button.disabled and "22" in finder.output.value
    finder.choose.value = "nearest"                                  # the order buttons restart it
    assert finder.looked == 0 and not finder.step_button.disabled
    finder.run()
    assert (finder.looked, finder.way_steps) == (10, 9)
    finder.reset_button.click()
    assert finder.looked == 0 and finder.order == "nearest"
    assert 'role="img"' in finder.output.value and "aria-label=" in finder.output.value


def test_the_order_buttons_can_be_left_out():
    assert PathFinder("room", choose_order=False).children[0].__class__.__name__ == "HBox"


def test_japanese_labels_leave_no_english():
    with in_japanese():
        finder = PathFinder("trap")
        finder.step()
        html = finder.output.value + show_map("small").value
        labels = [finder.step_button.description, finder.run_button.description,
                  finder.reset_button.description, finder.choose.description,
                  *[label for label, _v in finder.choose.options]]
        finder.run()
        html += finder.output.value
    assert english_words(html, *labels, shortest=3) == []


def test_bench_cases_run():
    cases = bench_cases()
    assert len(cases) == 4
    for _name, case in cases:
        case()
