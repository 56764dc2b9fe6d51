"""j06's widget and model: k-means one step at a time."""

from __future__ import annotations

import re

import numpy as np
import pytest
from helpers import english_words, in_japanese

from course.models.kmeans import KMeansSteps
from course.widgets.clustering import KMeansStepper, make_group_data, marker_svg


def test_the_data_is_make_blobs_data():
    from sklearn.datasets import make_blobs

    from course.widgets.clustering import BLOB_CENTRES

    for n in (60, 61, 63):
        X, _labels = make_blobs(n, centers=BLOB_CENTRES, cluster_std=0.9, random_state=4)
        assert np.allclose(make_group_data(n), np.clip(X, 0.2, 9.8))


# --- the model ----------------------------------------------------------------------------

@pytest.mark.parametrize("k", [2, 3, 4, 6])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kmeans_matches_scikit_learn_from_the_same_centres(k, seed):
    from sklearn.cluster import KMeans

    X = make_group_data()
    first = KMeansSteps(k, random_state=seed).start(X).cluster_centers_
    ours = KMeansSteps(k, random_state=seed).fit(X)
    theirs = KMeans(k, init=first, n_init=1, tol=0).fit(X)
    assert (ours.labels_ == theirs.labels_).all()
    assert ours.inertia_ == pytest.approx(theirs.inertia_)
    assert np.allclose(ours.cluster_centers_, theirs.cluster_centers_)


def test_assign_picks_the_nearest_centre_and_ties_go_to_the_lower_number():
    model = KMeansSteps(2, init=[[0, 0], [4, 0]]).start([[0, 0]])
    labels = model.assign([[1, 0], [3, 5], [2, 0], [-1, 9]])
    assert labels.tolist() == [0, 1, 0, 0]  # (2, 0) is as far from both: group 0


def test_move_centres_takes_the_mean_and_a_centre_with_no_points_stays():
    X = [[0, 0], [2, 0], [0, 2]]
    model = KMeansSteps(2, init=[[0, 0], [50, 50]]).start(X)
    with pytest.raises(RuntimeError, match="Assign"):
        model.move_centres(X)
    model.assign(X)
    centres = model.move_centres(X)
    assert np.allclose(centres, [[2 / 3, 2 / 3], [50, 50]])


def test_the_total_squared_distance_never_goes_up():
    X = make_group_data()
    model = KMeansSteps(5, random_state=3).start(X)
    totals = []
    for _ in range(10):
        model.assign(X)
        totals.append(model.inertia_)
        model.move_centres(X)
        totals.append(model.inertia_)
    assert all(b <= a + 1e-9 for a, b in zip(totals, totals[1:], strict=False))
    assert totals[0] > totals[-1]


def test_kmeans_follows_conventions_and_is_seeded():
    X = make_group_data()
    model = KMeansSteps(3, random_state=5)
    assert not hasattr(model, "cluster_centers_")
    assert model.fit(X) is model and model.labels_.shape == (len(X),)
    again = KMeansSteps(3, random_state=5).fit(X)
    assert (again.labels_ == model.labels_).all()
    other = KMeansSteps(3, random_state=6).start(X).cluster_centers_
    assert not np.allclose(other, KMeansSteps(3, random_state=5).start(X).cluster_centers_)
    assert (model.predict(X) == model.labels_).all()


# --- the widget ---------------------------------------------------------------------------

def test_points_have_no_group_until_the_first_assign():
    stepper = KMeansStepper()
    assert stepper.labels is None and stepper.log == []
    html = stepper.output.value
    assert html.count('fill="white" stroke="#777777"') == len(stepper.X)  # grey rings
    assert html.count("manabu-clustering-centre") == 3


def test_assign_then_move_write_the_step_log():
    stepper = KMeansStepper()
    stepper.assign_button.click()
    assert stepper.labels is not None and stepper.step_count == 1
    assert "step 1: assigned points to the nearest centre" in stepper.output.value
    assert sum(int(n) for n in re.findall(r"group \d: (\d+) point", stepper.output.value)) == len(stepper.X)
    before = stepper.centres.copy()
    stepper.move_centres()
    assert not np.allclose(before, stepper.centres)
    line = f"step 2: moved centres, total squared distance {stepper.model.inertia_:.1f}"
    assert stepper.log[-1] == line and line in stepper.output.value


def test_move_before_assign_says_what_to_do():
    stepper = KMeansStepper()
    start = stepper.centres.copy()
    stepper.move_button.click()
    assert np.allclose(start, stepper.centres) and stepper.step_count == 0
    assert "Press “1. Assign points” first" in stepper.output.value


def test_stepping_to_the_end_finishes_like_scikit_learn():
    from sklearn.cluster import KMeans

    stepper = KMeansStepper(k=4)
    first = stepper.centres.copy()
    for _ in range(30):
        stepper.assign()
        if stepper.finished:
            break
        stepper.move_centres()
    assert stepper.finished and "k-means has finished" in stepper.output.value
    theirs = KMeans(4, init=first, n_init=1).fit(stepper.X)
    assert (stepper.labels == theirs.labels_).all()


def test_k_twin_moves_the_slider_and_starts_over():
    stepper = KMeansStepper()
    stepper.assign()
    stepper.k = 5
    assert stepper.slider.value == 5 and stepper.centres.shape == (5, 2)
    assert stepper.labels is None and stepper.log == [] and stepper.step_count == 0
    stepper.slider.value = 2
    assert stepper.k == 2 and stepper.output.value.count("manabu-clustering-centre") == 2


def test_reset_picks_new_centres_with_the_next_seed():
    stepper = KMeansStepper()
    start = stepper.centres.copy()
    stepper.assign()
    stepper.reset_button.click()
    assert stepper.seed == 1 and stepper.labels is None
    assert not np.allclose(start, stepper.centres)


def test_every_group_has_its_own_colour_and_shape():
    shapes = set()
    colours = set()
    for group in range(6):
        svg = marker_svg(group, 0, 0)
        colours.add(re.search(r'fill="(#[0-9A-Fa-f]{6})"', svg).group(1))
        shapes.add(re.sub(r'fill="[^"]*"', "", svg))
    assert len(colours) == 6 and len(shapes) == 6
    stepper = KMeansStepper(k=6)
    stepper.assign()
    assert stepper.output.value.count("<polygon") > 0 and stepper.output.value.count("<circle") > 0


def test_japanese_labels_leave_no_english():
    with in_japanese():
        stepper = KMeansStepper()
        stepper.move_centres()
        stepper.assign()
        stepper.move_centres()
        labels = [stepper.slider.description, stepper.assign_button.description,
                  stepper.move_button.description, stepper.reset_button.description]
        assert labels[1] == "1. 点をグループに分ける"
        assert english_words(stepper.output.value, *labels, shortest=3) == []
        assert "ステップ2：中心を動かした" in stepper.output.value
