"""j05's widget and models: the line fitter, gradient descent on a line, and the perceptron."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import english_words, in_japanese

from course.models.linear import LinearRegressionGD, Perceptron, mean_squared_error
from course.widgets.fitting import LineFitter, make_line_data

# --- the models ---------------------------------------------------------------------------

@pytest.mark.parametrize("n_features", [1, 2])
def test_gradient_descent_finds_the_line_of_scikit_learn(n_features):
    from sklearn.linear_model import LinearRegression

    rng = np.random.default_rng(n_features)
    X = rng.uniform(0, 3, (40, n_features))
    y = X @ np.arange(1, n_features + 1) - 0.5 + rng.normal(0, 0.3, 40)
    ours = LinearRegressionGD(learning_rate=0.05, n_steps=5000).fit(X, y)
    theirs = LinearRegression().fit(X, y)
    assert np.allclose(ours.coef_, theirs.coef_, atol=1e-3)
    assert ours.intercept_ == pytest.approx(theirs.intercept_, abs=1e-3)
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y), abs=1e-6)


def test_gradient_descent_follows_conventions_and_the_error_goes_down():
    x, y = make_line_data()
    model = LinearRegressionGD(learning_rate=0.05, n_steps=50)
    assert not hasattr(model, "coef_")
    assert model.fit(x, y) is model and model.n_steps_ == 50 and len(model.history_) == 51
    assert all(b <= a for a, b in zip(model.history_, model.history_[1:], strict=False))
    assert model.history_[0] == pytest.approx(float(np.mean(y ** 2)))  # the flat line y = 0
    assert model.step(x, y).n_steps_ == 51  # step() continues from where fit stopped


def test_gradient_is_the_slope_of_the_error():
    x, y = make_line_data()
    model = LinearRegressionGD()
    model.coef_, model.intercept_ = np.array([0.3]), 0.7
    grad_slope, grad_offset = model.gradient(x, y)
    h = 1e-6
    numeric_slope = (mean_squared_error(y, (0.3 + h) * x + 0.7)
                     - mean_squared_error(y, (0.3 - h) * x + 0.7)) / (2 * h)
    numeric_offset = (mean_squared_error(y, 0.3 * x + 0.7 + h)
                      - mean_squared_error(y, 0.3 * x + 0.7 - h)) / (2 * h)
    assert grad_slope[0] == pytest.approx(numeric_slope, rel=1e-5)
    assert grad_offset == pytest.approx(numeric_offset, rel=1e-5)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("max_iter", [1, 5])
def test_perceptron_matches_scikit_learn(seed, max_iter):
    from sklearn.datasets import make_classification
    from sklearn.linear_model import Perceptron as SkPerceptron

    X, y = make_classification(50, 3, n_informative=2, n_redundant=0, random_state=seed)
    ours = Perceptron(max_iter=max_iter).fit(X, y)
    theirs = SkPerceptron(max_iter=max_iter, tol=None, shuffle=False).fit(X, y)
    assert np.allclose(ours.coef_, theirs.coef_[0]) and ours.intercept_ == pytest.approx(theirs.intercept_[0])
    assert (ours.predict(X) == theirs.predict(X)).all()


def test_perceptron_update_moves_only_on_a_mistake():
    model = Perceptron(learning_rate=0.5)
    model.coef_, model.intercept_ = np.array([1.0, 0.0]), 0.0
    assert model.update([2.0, 1.0], +1) is False          # right side already: no change
    assert model.coef_.tolist() == [1.0, 0.0]
    assert model.update([2.0, 1.0], -1) is True            # wrong side: w += 0.5 · (-1) · x
    assert model.coef_.tolist() == [0.0, -0.5] and model.intercept_ == -0.5


def test_perceptron_separates_separable_points_and_keeps_labels():
    X = [[0, 0], [1, 0], [0, 1], [3, 3], [4, 3], [3, 4]]
    y = ["cat", "cat", "cat", "dog", "dog", "dog"]
    model = Perceptron(max_iter=50).fit(X, y)
    assert model.mistakes_[-1] == 0 and model.score(X, y) == 1.0
    assert model.predict([[5, 5]]).tolist() == ["dog"]
    with pytest.raises(ValueError, match="two classes"):
        Perceptron().fit(X, ["a", "b", "c", "a", "b", "c"])


# --- the widget ---------------------------------------------------------------------------

def test_slope_twin_moves_the_slider_and_the_error_meter():
    fitter = LineFitter()
    start = fitter.error
    assert "Line: y = 0.00 × x + 0.00" in fitter.output.value
    fitter.slope = 1.2
    assert fitter.slope_slider.value == 1.2
    assert fitter.error < start and fitter.history[-2:] == [start, fitter.error]
    assert f"Error (mean squared error): {fitter.error:.2f}" in fitter.output.value
    assert "Line: y = 1.20 × x" in fitter.output.value
    fitter.offset_slider.value = 1.0  # the slider drives the trait too
    assert fitter.offset == 1.0


def test_the_picture_has_every_point_and_a_residual_for_each():
    fitter = LineFitter()
    svg = fitter.output.value
    assert svg.count("<circle") == len(fitter.x) == 12
    assert svg.count('stroke-dasharray="4 3"') == len(fitter.x)
    assert "<polyline" not in svg  # no history yet: one error only
    fitter.slope = 0.5
    assert "<polyline" in fitter.output.value


def test_step_button_moves_the_sliders_downhill():
    fitter = LineFitter()
    before = fitter.error
    fitter.step_button.click()
    assert fitter.steps == 1 and fitter.error < before
    assert fitter.slope_slider.value == fitter.slope > 0 and fitter.offset > 0
    assert "Step 1: the error went down" in fitter.output.value


def test_many_steps_reach_the_best_line():
    from sklearn.linear_model import LinearRegression

    fitter = LineFitter()
    fitter.learning_rate = 0.2
    for _ in range(200):
        fitter.step()
    best = LinearRegression().fit(fitter.x.reshape(-1, 1), fitter.y)
    assert fitter.slope == pytest.approx(best.coef_[0], abs=0.01)
    assert fitter.offset == pytest.approx(best.intercept_, abs=0.02)
    assert "You reached the bottom" in fitter.output.value


def test_too_big_a_learning_rate_says_so_and_reset_starts_over():
    fitter = LineFitter()
    fitter.rate_slider.value = 0.4
    fitter.step()
    fitter.step()
    assert "make the learning rate smaller" in fitter.output.value
    assert fitter.slope_slider.min <= fitter.slope <= fitter.slope_slider.max
    fitter.reset_button.click()
    assert (fitter.slope, fitter.offset, fitter.steps) == (0.0, 0.0, 0)
    assert len(fitter.history) == 1 and "Step" not in fitter.output.value


def test_japanese_labels_leave_no_english():
    with in_japanese():
        fitter = LineFitter()
        fitter.slope = 1.0
        fitter.step()
        labels = [fitter.slope_slider.description, fitter.offset_slider.description,
                  fitter.rate_slider.description, fitter.step_button.description,
                  fitter.reset_button.description]
        assert labels[0] == "傾き"
        assert english_words(fitter.output.value, *labels, shortest=3) == []
