"""FilterLab (j02): a 3×3 filter on a photo, from 9 number boxes or preset buttons."""

from __future__ import annotations

import io

import numpy as np
import pytest
import traitlets
from helpers import english_words, in_japanese

from course.widgets.filters import (
    PRESETS,
    FilterLab,
    apply_filter,
    load_photo,
    stripes,
)


def filter_by_loops(image, kernel):
    """The slow, obvious way: visit every pixel, add up its 9 neighbours times the kernel."""
    image = np.asarray(image, dtype=float)
    height, width = image.shape
    out = np.zeros((height, width))
    for y in range(height):
        for x in range(width):
            total = 0.0
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    yy = min(max(y + dy, 0), height - 1)  # past the border: the nearest border pixel
                    xx = min(max(x + dx, 0), width - 1)
                    total += kernel[dy + 1][dx + 1] * image[yy, xx]
            out[y, x] = total
    return out


@pytest.mark.parametrize("name", list(PRESETS))
def test_apply_filter_agrees_with_loops(name):
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(7, 11)).astype(float)
    assert np.allclose(apply_filter(image, PRESETS[name]), filter_by_loops(image, PRESETS[name]))


def test_apply_filter_is_correlation_not_convolution():
    # a kernel that is not symmetric tells the two apart: "right minus left"
    kernel = [[0, 0, 0], [-1, 0, 1], [0, 0, 0]]
    rng = np.random.default_rng(1)
    image = rng.normal(size=(5, 6))
    assert np.allclose(apply_filter(image, kernel), filter_by_loops(image, kernel))
    assert apply_filter([[0, 0, 9, 9]], kernel).tolist() == [[0, 9, 9, 0]]


def test_identity_and_blur_keep_the_picture_and_its_brightness():
    photo = load_photo()
    assert photo.shape == (85, 128) and 0 <= photo.min() < photo.max() <= 255
    assert np.allclose(apply_filter(photo, PRESETS["identity"]), photo)
    assert np.isclose(np.sum(PRESETS["blur"]), 1)
    assert apply_filter(photo, PRESETS["blur"]).std() < photo.std()


def vertical_stripe():
    image = np.zeros((20, 20))
    image[:, 8:12] = 255
    return image


def test_vertical_edge_preset_sees_vertical_stripes_only():
    kernel = PRESETS["vertical_edge"]
    assert np.abs(apply_filter(vertical_stripe(), kernel)).max() >= 3 * 255
    assert np.abs(apply_filter(vertical_stripe().T, kernel)).max() == pytest.approx(0)
    horizontal = PRESETS["horizontal_edge"]
    assert np.abs(apply_filter(vertical_stripe(), horizontal)).max() == pytest.approx(0)
    assert np.abs(apply_filter(vertical_stripe().T, horizontal)).max() >= 3 * 255


def test_preset_button_and_twin_set_the_nine_boxes_and_redraw():
    lab = FilterLab()
    assert lab.preset == "identity" and np.allclose(lab.result, lab.image)
    before = lab.after_png
    lab.buttons["vertical_edge"].click()
    assert lab.preset == "vertical_edge"
    assert [c.value for c in lab.cells] == [-1, 0, 1] * 3
    assert lab.after_png != before
    assert "my_filter = [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]" in lab.info.value
    lab.use_preset("blur")
    assert lab.kernel[1][1] == 0.25 and lab.cells[4].value == 0.25


def test_typing_in_a_box_changes_the_kernel_and_the_picture():
    lab = FilterLab(image="stripes")
    lab.cells[5].value = 1.0  # identity plus "right neighbour"
    assert lab.kernel == [[0, 0, 0], [0, 1, 1], [0, 0, 0]] and lab.preset == ""
    assert np.allclose(lab.result, filter_by_loops(stripes(), lab.kernel))
    assert "Sum of the 9 numbers: 2." in lab.info.value


def test_kernel_twin_accepts_arrays_and_refuses_wrong_shapes():
    lab = FilterLab()
    lab.kernel = np.array(PRESETS["horizontal_edge"])
    assert lab.preset == "horizontal_edge" and lab.cells[0].value == -1
    with pytest.raises(traitlets.TraitError, match="3 rows of 3 numbers"):
        lab.kernel = [[1, 2], [3, 4]]
    with pytest.raises(ValueError, match="vertical_edge"):
        lab.use_preset("vertical")


def test_the_shown_pictures_are_pngs_of_the_numbers():
    from PIL import Image

    lab = FilterLab(image="stripes", kernel=PRESETS["vertical_edge"])
    shown = np.asarray(Image.open(io.BytesIO(lab.after_png)))
    assert shown.shape == (64 * 3, 96 * 3)
    # below 0 shows black, above 255 white
    assert np.array_equal(shown[::3, ::3], np.clip(np.round(lab.result), 0, 255).astype(np.uint8))


def test_both_pictures_say_what_they_show():
    lab = FilterLab(image="stripes", kernel=PRESETS["vertical_edge"])
    assert 'alt="Before the filter: vertical bars on the left, horizontal bars' in lab.before.value
    assert 'alt="After the filter (Vertical edges): vertical bars' in lab.after.value
    lab.kernel = [[0, 0, 0], [0, 2, 0], [0, 0, 0]]
    assert 'alt="After the filter ([0 0 0 / 0 2 0 / 0 0 0]): ' in lab.after.value


def test_japanese_labels_leave_no_english():
    with in_japanese():
        lab = FilterLab()
        shown = " ".join([lab.children[0].value, lab.info.value]
                         + [b.description for b in lab.buttons.values()]
                         + [c.tooltip for c in lab.cells])
        assert "フィルター" in shown
        assert english_words(shown) == []
