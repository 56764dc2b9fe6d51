"""SoundSampler (j01): sample rate, bit depth, the plot, the text and the sound it plays."""

from __future__ import annotations

import io
import re
import wave

import numpy as np
import pytest
from helpers import english_words, in_japanese

from course.widgets.sound import (
    PLAY_RATE,
    SoundSampler,
    alias_frequency,
    n_samples,
    quantize,
    wav_bytes,
)


@pytest.mark.parametrize("seconds, rate, expected", [
    (1, 8000, 8000), (2, 500, 1000), (0.5, 44100, 22050), (0.29, 100, 29), (0, 8000, 0)])
def test_n_samples_counts_numbers_per_recording(seconds, rate, expected):
    assert n_samples(seconds, rate) == expected
    assert isinstance(n_samples(seconds, rate), int)


def test_quantize_picks_the_nearest_of_2_to_the_bits_levels():
    assert quantize(0.2, 1) == 1.0 and quantize(-0.2, 1) == -1.0
    assert quantize(0.2, 2) == pytest.approx(1 / 3)
    assert quantize(-0.9, 2) == -1.0
    assert quantize(2.0, 3) == 1.0  # outside [-1, 1]: the nearest end
    x = np.linspace(-1, 1, 1001)
    for bits in (1, 2, 3, 8):
        levels = np.linspace(-1, 1, 2 ** bits)
        out = quantize(x, bits)
        assert len(np.unique(out)) == 2 ** bits
        nearest = levels[np.abs(x[:, None] - levels[None, :]).argmin(axis=1)]
        assert np.allclose(np.abs(out - x), np.abs(nearest - x))  # equal up to ties
        assert np.abs(out - x).max() <= 1 / (2 ** bits - 1) + 1e-12  # half a step


def test_alias_frequency():
    assert alias_frequency(880, 1000) == 120
    assert alias_frequency(440, 500) == 60
    assert alias_frequency(440, 8000) == 440


def test_setting_the_rate_redraws_counts_and_warns_about_aliasing():
    sampler = SoundSampler()
    assert sampler.n == 8000 and not sampler.aliased
    assert "8,000" in sampler.info.value and "Nyquist" in sampler.info.value
    sampler.rate = 1000
    assert sampler.rate_slider.value == 1000
    assert sampler.n == 1000 and sampler.aliased and len(sampler.samples) == 1000
    text = sampler.info.value
    assert "Nyquist: you need more than 2 samples per wave" in text
    assert "120 Hz" in text  # 880 Hz measured 1000 times a second sounds like 120 Hz
    assert "stroke-dasharray=\"8 5\"" in sampler.plot.value  # the slower wave is drawn
    sampler.rate_slider.value = 4000  # the slider twin
    assert sampler.rate == 4000 and not sampler.aliased
    assert "stroke-dasharray=\"8 5\"" not in sampler.plot.value


def test_a_rate_not_on_the_slider_is_added_to_it():
    sampler = SoundSampler(rate=1234)
    assert sampler.rate_slider.value == 1234 and sampler.n == 1234


def test_bits_round_the_stored_samples_and_show_in_the_plot():
    sampler = SoundSampler(rate=16000, bits=16)
    assert len(np.unique(sampler.samples)) > 300  # the wave repeats every 200 samples
    sampler.bits = 2
    assert sampler.bits_slider.value == 2
    assert set(np.round(np.unique(sampler.samples), 6)) <= {-1.0, round(-1 / 3, 6), round(1 / 3, 6), 1.0}
    assert "<b>4</b> levels" in sampler.info.value
    assert "16,000 × 2 = 32,000 bits" in sampler.info.value
    # the plot: one orange dot per sample in the first 10 ms, 4 dotted level lines
    svg = sampler.plot.value
    assert svg.count("<circle") == 161 and svg.count('stroke-dasharray="2 4"') == 4


def test_the_player_gets_a_playable_wav_of_the_samples():
    sampler = SoundSampler(rate=500, bits=1)
    with wave.open(io.BytesIO(sampler.audio.value)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (PLAY_RATE, 1, 2)
        assert wav.getnframes() == PLAY_RATE
    before = sampler.audio.value
    sampler.rate = 8000
    assert sampler.audio.value != before


def test_wav_is_what_was_sampled():
    samples = np.sin(2 * np.pi * 100 * np.arange(1600) / 1600)
    with wave.open(io.BytesIO(wav_bytes(samples, 1600))) as wav:
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2") / 32767
    spectrum = np.abs(np.fft.rfft(pcm))
    assert np.argmax(spectrum) == 100  # 1 s long, so bin 100 is 100 Hz


def test_japanese_labels_leave_no_english():
    with in_japanese():
        sampler = SoundSampler(rate=1000, bits=3)
        boxes = [c for c in sampler.children if type(c).__name__ != "A11y"]  # not the a11y helper
        shown = [sampler.rate_slider.description, sampler.bits_slider.description,
                 sampler.info.value, re.sub(r"<svg.*</svg>", "", sampler.plot.value),
                 *[w.value for w in boxes[-1].children[0].children[:1]]]
        assert "ナイキスト" in " ".join(shown) and "サンプリング周波数" in " ".join(shown)
        assert english_words(*shown, shortest=3) == []
