"""PixelGrid and BrightnessExplorer (e02): painting, numbers, target, photo, PNG, Japanese."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from helpers import english_words, in_japanese

from course.catalogs import po_messages
from course.widgets.pixels import (
    BrightnessExplorer,
    PixelGrid,
    adjust,
    bench_cases,
    png_bytes,
    small_photo,
)

LINE = [[0] * 8] * 3 + [[16] * 8] + [[0] * 8] * 4


def test_click_paints_with_the_pen_and_clicking_again_erases():
    grid = PixelGrid()
    assert grid.values == [[0] * 8] * 8 and grid.pen == 16
    grid.cells[2][3].click()                               # what the child does
    assert grid.values[2][3] == 16 and grid.cells[2][3].style.button_color == "rgb(0,0,0)"
    grid.pen_buttons.value = 8
    grid.click(2, 4)
    assert grid.values[2][4] == 8 and grid.cells[2][4].style.button_color == "rgb(128,128,128)"
    grid.click(2, 4)
    assert grid.values[2][4] == 0 and grid.cells[2][4].style.button_color == "rgb(255,255,255)"
    assert "Row 2, column 3: 16" == grid.cells[2][3].tooltip


def test_numbers_beside_the_grid_follow_every_change():
    grid = PixelGrid()
    grid.set_cell(0, 0, 12)
    assert ">12</td>" in grid.output.value and grid.output.value.count(">0</td>") == 63
    grid.paint(np.eye(8) * 16)
    assert isinstance(grid.values[0][0], int) and grid.array.trace() == 128
    assert grid.output.value.count(">16</td>") == 8
    grid.clear_button.click()
    assert grid.array.sum() == 0 and ">16</td>" not in grid.output.value


def test_target_counts_matches_and_says_when_equal():
    grid = PixelGrid(target=LINE, name="answer_grid")
    assert grid.n_match == 56 and not grid.matches and "56 of 64 squares" in grid.status.value
    for col in range(7):
        grid.set_cell(3, col, 16)
    assert grid.n_match == 63 and "✘" in grid.output.value and "different" in grid.status.value
    grid.set_cell(3, 7, 16)
    assert grid.matches and "✔ It matches!" in grid.status.value
    assert "answer_grid = [\n" in grid.status.value and "[16, 16, 16, 16, 16, 16, 16, 16]," in grid.status.value


def test_light_mode_for_photos_and_two_level_grids():
    grid = PixelGrid(size=4, max_value=255)
    assert grid.levels == [0, 64, 128, 191, 255] and "0 = black, 255 = white" in grid.legend.value
    grid.set_cell(1, 1, 255)
    assert grid.cells[1][1].style.button_color == "rgb(255,255,255)"
    binary = PixelGrid(levels=[0, 16])
    assert binary.pen_buttons not in binary.children[0].children   # nothing to choose
    binary.click(0, 0)
    assert binary.values[0][0] == 16


def test_wrong_pictures_are_refused_with_a_hint():
    grid = PixelGrid()
    with pytest.raises(ValueError, match="8 rows of 8 numbers"):
        grid.paint(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="from 0 to 16"):
        grid.set_cell(0, 0, 17)
    with pytest.raises(ValueError, match="from 0 to 7"):
        grid.set_cell(8, 0, 1)


def test_png_encoder_round_trips_through_pillow():
    from PIL import Image

    grey = np.arange(48, dtype=np.uint8).reshape(6, 8) * 5
    colour = np.dstack([grey, 255 - grey, grey // 2])
    assert (np.asarray(Image.open(io.BytesIO(png_bytes(grey)))) == grey).all()
    assert (np.asarray(Image.open(io.BytesIO(png_bytes(colour)))) == colour).all()


def test_photo_is_small_grey_and_a_real_picture():
    photo = small_photo()
    assert photo.shape == (48, 64) and photo.dtype == np.uint8
    assert photo[:5].mean() > 170 and photo[-5:].mean() < 110   # bright sky above, dark trees below
    assert small_photo() is photo                                # cached


def test_brightness_and_contrast_change_picture_and_numbers():
    explorer = BrightnessExplorer()
    before, numbers = explorer.pixels.copy(), explorer.output.value
    explorer.brightness_slider.value = 50                        # what the child does
    assert explorer.brightness == 50 and explorer.output.value != numbers
    assert (explorer.pixels >= before).all() and explorer.pixels.mean() > before.mean() + 30
    assert "+ 128 + 50" in explorer.output.value and explorer.picture.value.startswith('<img src="data:image/png')
    explorer.contrast = 0
    assert explorer.contrast_slider.value == 0 and (explorer.pixels == 178).all()
    assert (adjust(np.array([0, 128, 255]), brightness=-100, contrast=200) == [0, 28, 255]).all()


def test_japanese_labels_leave_no_english_and_use_grade_1_to_4_kanji():
    from kanji_lists import KYOIKU

    with in_japanese():
        grid = PixelGrid(target=LINE, name="answer_grid")
        explorer = BrightnessExplorer()
        shown = [grid.pen_buttons.description, grid.clear_button.description, grid.legend.value,
                 grid.output.value, grid.status.value, grid.cells[0][0].tooltip,
                 explorer.brightness_slider.description, explorer.contrast_slider.description,
                 explorer.output.value, explorer.picture.value]
    assert "ぬる色" in " ".join(shown) and "明るさ" in " ".join(shown)
    assert english_words(*shown) == []
    allowed = set().union(*(getattr(KYOIKU.REIWA2, f"GRADE{g}") for g in (1, 2, 3, 4)))
    locale = Path(__file__).resolve().parent.parent / "course" / "locale" / "ja"
    for name in ("pixels.po", "quiz.po"):
        for msgstr in po_messages((locale / name).read_text(encoding="utf-8")).values():
            late = [ch for ch in msgstr if "\u4e00" <= ch <= "\u9fff" and ch not in allowed]
            assert not late, f"{name}: {msgstr} uses kanji beyond grade 4: {late}"


def test_bench_cases_run():
    cases = bench_cases()
    assert len(cases) == 5
    for _name, event in cases:
        event()
