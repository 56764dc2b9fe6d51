"""BoundaryExplorer (j04, j10): fitted settings, the decision-boundary picture and the gap."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from helpers import english_words, in_japanese

from course.style import OKABE_ITO
from course.widgets.boundary import (
    GRID,
    BoundaryExplorer,
    _fit,
    _warmed,
    bench_cases,
    boundary_scores,
    load_points,
)


def test_points_are_seeded_and_split_seventy_thirty():
    pts = load_points("moons")
    assert len(pts.y_train) == 140 and len(pts.y_test) == 60
    assert np.bincount(pts.y_test).tolist() == [30, 30]
    from sklearn.datasets import make_moons

    X, _y = make_moons(200, noise=0.3, random_state=0)
    assert np.isin(pts.X_test[:, 0], X[:, 0]).all()


def test_a_deep_tree_overfits_and_a_shallow_one_does_not():
    deep, shallow = boundary_scores("moons", "tree", depth=10), boundary_scores("moons", "tree", depth=2)
    assert deep.train_accuracy == 1.0 and deep.gap > 0.1
    assert abs(shallow.gap) < 0.05 and shallow.test_accuracy >= 0.85


def test_a_one_unit_net_cannot_draw_a_ring():
    ring = boundary_scores("circles", "net", hidden=1)
    assert ring.test_accuracy < 0.7 and boundary_scores("circles", "net", hidden=8).test_accuracy > 0.9


def test_settings_are_remembered_so_moving_back_is_instant():
    first = boundary_scores("circles", "net", hidden=7)
    again = boundary_scores("circles", "net", hidden=7)
    assert again is first  # the cached result, not a new fit
    assert boundary_scores("circles", "net", depth=1, hidden=7) is first  # depth does not matter


def test_no_convergence_warning_reaches_the_student():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        boundary_scores("moons", "net", hidden=31)


def test_regions_agree_with_the_model_where_the_points_are():
    pts, deep = load_points("moons"), boundary_scores("moons", "tree", depth=10)
    span = pts.high - pts.low
    col = ((pts.X_train[:, 0] - pts.low[0]) / span[0] * GRID).astype(int)
    row = ((pts.high[1] - pts.X_train[:, 1]) / span[1] * GRID).astype(int)
    assert np.mean(deep.regions[row, col] == pts.y_train) > 0.9  # deep tree: train accuracy 1


def painted_groups(svg: str) -> np.ndarray:
    """The GRID × GRID board as the picture paints it: which group's path covers each cell."""
    board = np.full((GRID, GRID), -1)
    cell = 400 / GRID
    paths = re.findall(r'<path class="manabu-boundary-area" fill="([^"]+)" d="([^"]+)"', svg)
    for fill, d in paths:
        group = 1 if "hatch" in fill else 0
        for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v\d+h-\d+z", d):
            row, col, n = round(int(y) / cell), round(int(x) / cell), round(int(w) / cell)
            assert (board[row, col:col + n] == -1).all()   # no cell painted twice
            board[row, col:col + n] = group
    return board


def test_picture_has_two_marker_shapes_okabe_ito_colours_and_one_path_per_area():
    explorer = BoundaryExplorer("moons", "tree", depth=4)
    areas, points = explorer.picture.value, explorer.points_layer.value
    pts = load_points("moons")
    n_a = int((pts.y_train == 0).sum() + (pts.y_test == 0).sum())
    # one path per group and kind of mark; a hollow mark's coloured ring (fill none) not counted
    marks = re.findall(r'<path class="manabu-boundary-marks" d="([^"]+)" fill="(?!none)', points)
    circles = sum(d.count("M") for d in marks if "a5 5" in d)
    triangles = sum(d.count("M") for d in marks if "L" in d)
    assert circles == n_a and triangles == 200 - n_a
    assert OKABE_ITO["blue"] in points and OKABE_ITO["orange"] in points
    assert "manabu-boundary-hatch" in areas
    # few elements (a slow browser redraws them fast); the areas paint each cell as fitted
    for svg in (areas, points):
        assert svg[:svg.index("</svg>")].count("<") < 20 and "<circle" not in svg
    assert areas.count('<path class="manabu-boundary-area"') == 2 and "<rect x=" not in areas
    assert (painted_groups(areas) == boundary_scores("moons", "tree", depth=4).regions).all()
    # the two layers line up: same size, same border width; only the areas are named
    assert re.search(r'<svg [^>]*role="img"', areas) and 'aria-hidden="true"' in points
    size = r'width="400" height="400" viewBox="0 0 400 400"'
    assert re.search(size, areas) and re.search(size, points)


def test_a_slider_move_redraws_only_the_areas():
    """The points never move: a move sends the areas (two paths), not the 200 marks again."""
    explorer = BoundaryExplorer("moons", "tree", depth=1)
    sent = {"picture": 0, "points": 0}
    explorer.picture.observe(lambda _c: sent.__setitem__("picture", sent["picture"] + 1), "value")
    explorer.points_layer.observe(lambda _c: sent.__setitem__("points", sent["points"] + 1), "value")
    for depth in (2, 5, 9):
        explorer.depth = depth
    explorer.model = "net"
    assert sent == {"picture": 4, "points": 0}
    assert "manabu-boundary-marks" not in explorer.picture.value
    explorer.data = "circles"   # new points: drawn once more
    assert sent["points"] == 1 and "manabu-boundary-marks" in explorer.points_layer.value


def test_twins_move_sliders_and_rewrite_the_gap():
    explorer = BoundaryExplorer("moons", "tree", depth=2)
    assert explorer.hidden_slider.disabled and not explorer.depth_slider.disabled
    explorer.depth = 10
    assert explorer.depth_slider.value == 10 and explorer.gap > 0.1
    assert "overfitting" in explorer.output.value
    assert 'answer_depth = 10' in explorer.output.value
    gap = re.search(r"Gap: (\d+)% − (\d+)% = (-?\d+) percentage points", explorer.output.value)
    assert int(gap[1]) - int(gap[2]) == int(gap[3]) > 10
    explorer.model = "net"
    explorer.hidden = 8
    assert explorer.model_menu.value == "net" and explorer.depth_slider.disabled
    assert "8 hidden units" in explorer.output.value and "answer_hidden = 8" in explorer.output.value
    explorer.data_menu.value = "circles"
    assert explorer.data == "circles" and explorer.test_accuracy > 0.9


def test_a_too_simple_model_is_called_underfitting():
    explorer = BoundaryExplorer("circles", "tree", depth=1)
    assert "underfitting" in explorer.output.value


def test_out_of_range_settings_are_refused_with_a_hint():
    explorer = BoundaryExplorer()
    with pytest.raises(Exception, match="1 to 10"):
        explorer.depth = 11
    with pytest.raises(Exception, match="1 to 32"):
        explorer.hidden = 0
    with pytest.raises(ValueError, match="'tree' or 'net'"):
        boundary_scores("moons", "forest")


def test_japanese_explorer_has_no_english_left():
    with in_japanese():
        explorer = BoundaryExplorer("moons", "tree", depth=10)
        shown = [explorer.output.value, explorer.picture.value, explorer.legend.value]
        explorer.model = "net"
        shown += [explorer.output.value, explorer.picture.value]
        shown += [c.description for c in (explorer.data_menu, explorer.model_menu,
                                         explorer.depth_slider, explorer.hidden_slider)]
        shown += [label for menu in (explorer.data_menu, explorer.model_menu)
                  for label, _v in menu.options]
    assert english_words(*shown) == []


def test_bench_cases_run():
    for _name, event in bench_cases():
        event()


def test_a_move_in_the_browser_fits_the_other_settings_in_the_background_code_does_not():
    _fit.cache_clear()
    _warmed.clear()
    explorer = BoundaryExplorer("circles", "tree", depth=1)
    explorer.depth = 2                      # code (as grading does): no warm-up
    assert explorer.warm_thread is None and _fit.cache_info().currsize <= 3  # the ones shown
    explorer.depth_slider.set_state({"value": 3})   # as the browser sends a slider move
    assert explorer.depth == 3 and explorer.warm_thread is not None
    explorer.warm_thread.join(30)
    before = _fit.cache_info()
    for depth in range(1, 11):              # every depth is now fitted: no more misses
        boundary_scores("circles", "tree", depth=depth)
    assert _fit.cache_info().misses == before.misses
