"""``SoundSampler``: a sound becomes numbers. Choose how often to measure it (sample rate) and
how exactly (bit depth); see the stored points, hear them, and watch aliasing appear."""

from __future__ import annotations

import io
import wave
from collections.abc import Callable
from html import escape

import ipywidgets as widgets
import numpy as np
import traitlets

from course.a11y import A11y
from course.i18n import _
from course.render import scoped_style
from course.style import OKABE_ITO

SECONDS = 1.0                       # the sound lasts one second
TONES = ((440.0, 0.6), (880.0, 0.3))  # (frequency in Hz, loudness): an A and the A above it
RATES = (500, 750, 1000, 1500, 2000, 3000, 4000, 6000, 8000, 12000, 16000)  # log-ish steps
PLAY_RATE = 16000                   # browsers play this rate everywhere; 500 Hz they may refuse
VOLUME = 0.5                        # 1-bit sound is a loud square wave: spare the ears
WINDOW = 0.01                       # the plot shows the first 10 ms
WIDTH, HEIGHT, PAD = 640, 240, 28   # plot size in px (PAD: room for the time labels)
CSS = scoped_style("manabu-sound")


def n_samples(seconds: float, rate: float) -> int:
    """How many numbers we store for ``seconds`` of sound measured ``rate`` times per second.

    >>> n_samples(2, 8000)
    16000
    """
    return int(round(seconds * rate))  # round, not int(): 0.29 * 100 is 28.999999999999996


def quantize(x, bits: int):
    """Round ``x`` (from -1 to 1) to the nearest of the ``2**bits`` levels spread evenly from -1 to 1.

    With 1 bit there are 2 levels (-1 and 1); with 2 bits, 4 levels (-1, -1/3, 1/3, 1).

    >>> round(quantize(0.2, 2), 6)  # 1/3 (floating point gives 0.33333333333333326)
    0.333333
    >>> quantize(-0.4, 1)
    -1.0
    """
    levels = 2 ** bits
    step = 2 / (levels - 1)                      # the gap between two levels
    k = np.round((np.clip(x, -1, 1) + 1) / step)  # which level: 0, 1, ..., levels - 1
    result = -1 + k * step
    return float(result) if np.ndim(result) == 0 else result


def tone(t, tones=TONES) -> np.ndarray:
    """The sound's air pressure at times ``t`` (seconds): a sum of sine waves."""
    t = np.asarray(t, dtype=float)
    return sum(amp * np.sin(2 * np.pi * freq * t) for freq, amp in tones)


def alias_frequency(freq: float, rate: float) -> float:
    """The frequency a tone of ``freq`` Hz seems to have when measured ``rate`` times per second."""
    return abs(freq - rate * round(freq / rate))


def _signed_alias(freq: float, rate: float) -> float:
    # the alias with its sign: a negative one is the same wave upside down
    return freq - rate * round(freq / rate)


def wav_bytes(samples, rate: int) -> bytes:
    """A WAV file (16-bit, mono) of ``samples`` (from -1 to 1) taken ``rate`` times per second,
    stretched to :data:`PLAY_RATE` by drawing straight lines between the samples."""
    samples = np.asarray(samples, dtype=float)
    times = np.arange(len(samples)) / rate
    play_t = np.arange(n_samples(len(samples) / rate, PLAY_RATE)) / PLAY_RATE
    sound = np.interp(play_t, times, samples) * VOLUME
    fade = np.minimum(1, np.minimum(np.arange(len(sound)), np.arange(len(sound))[::-1]) / 160)
    pcm = np.round(sound * fade * 32767).astype("<i2")   # 10 ms fades: no click at start and end
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(PLAY_RATE)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


def _points(ts, ys) -> str:
    xs = PAD + (np.asarray(ts) / WINDOW) * (WIDTH - 2 * PAD)
    ys = (HEIGHT - PAD) / 2 - np.asarray(ys) * ((HEIGHT - PAD) / 2 - 8)
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))


def wave_svg(rate: int, bits: int, tones=TONES) -> str:
    """The first 10 ms: the sound (blue line), the stored samples (orange dots and stairs),
    and, when there are too few samples, the slower wave they trace (dashed)."""
    blue, orange, red = OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["vermillion"]
    mid = (HEIGHT - PAD) / 2
    parts = [f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{mid}" y2="{mid}" stroke="#999"/>']
    if 2 ** bits <= 16:  # few levels: draw them, so the rounding shows
        for level in np.linspace(-1, 1, 2 ** bits):
            y = mid - level * (mid - 8)
            parts.append(f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y:.1f}" y2="{y:.1f}" '
                         'stroke="#bbb" stroke-dasharray="2 4"/>')
    for ms in range(0, 11, 2):
        x = PAD + ms / 1000 / WINDOW * (WIDTH - 2 * PAD)
        parts.append(f'<text x="{x:.0f}" y="{HEIGHT - 6}" font-size="16" text-anchor="middle">'
                     f'{ms} ms</text>')
    fine = np.linspace(0, WINDOW, 601)
    parts.append(f'<polyline points="{_points(fine, tone(fine, tones))}" fill="none" '
                 f'stroke="{blue}" stroke-width="2"/>')
    if any(freq >= rate / 2 for freq, _amp in tones):
        alias = sum(amp * np.sin(2 * np.pi * _signed_alias(freq, rate) * fine) for freq, amp in tones)
        parts.append(f'<polyline points="{_points(fine, alias)}" fill="none" stroke="{red}" '
                     'stroke-width="3" stroke-dasharray="8 5"/>')
    t = np.arange(int(WINDOW * rate) + 1) / rate
    y = quantize(tone(t, tones), bits)
    stairs_t = np.repeat(np.append(t, WINDOW), 2)[1:-1]   # each value held until the next sample
    parts.append(f'<polyline points="{_points(stairs_t, np.repeat(y, 2))}" fill="none" '
                 f'stroke="{orange}" stroke-width="2"/>')
    radius = 4 if len(t) <= 60 else 2.5
    parts += [f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="{orange}" stroke="#000"/>'
              for cx, cy in (p.split(",") for p in _points(t, y).split())]
    label = _("Sound wave and its samples in the first 10 milliseconds")
    return (f'<svg role="img" aria-label="{escape(label)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="{WIDTH}" height="{HEIGHT}" style="max-width:100%;background:#fff">'
            + "".join(parts) + "</svg>")


def _legend(aliased: bool) -> str:
    blue, orange, red = OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["vermillion"]
    items = [f'<span style="color:{blue}">━━</span> ' + _("the real sound"),
             f'<span style="color:{orange}">●─┐</span> ' + _("the samples we store")]
    if aliased:
        items.append(f'<span style="color:{red}">╍╍</span> ' + _("the slower wave the samples draw"))
    return '<div style="font-size:16px;display:flex;flex-wrap:wrap;gap:18px">' + "".join(
        f"<span>{item}</span>" for item in items) + "</div>"


class SoundSampler(widgets.VBox):
    """Turn one second of sound into numbers: sliders for the sample rate and the bit depth,
    a plot of the stored samples, their count, and buttons to listen.

    Example::

        sampler = SoundSampler()
        sampler                       # move the sliders, press play
        sampler.rate = 1000           # same as moving the "Sample rate" slider
        sampler.bits = 3              # same as moving the "Bit depth" slider
        sampler.n, sampler.aliased    # 1000 samples; True: too few for the 880 Hz tone
    """

    rate = traitlets.Int(8000, min=100, max=48000, help="Samples per second (Hz).")
    bits = traitlets.Int(16, min=1, max=16, help="Bits per sample: 2**bits levels.")
    n = traitlets.Int(help="How many samples one second of sound becomes.")
    aliased = traitlets.Bool(help="True when a tone gets 2 or fewer samples per wave.")
    samples = traitlets.Instance(np.ndarray, help="The stored samples (after rounding), -1 to 1.")

    def __init__(self, rate: int = 8000, bits: int = 16, tones=TONES):
        self.tones = tuple((float(f), float(a)) for f, a in tones)
        style = {"description_width": "initial"}
        layout = widgets.Layout(width="520px")
        self.rate_slider = widgets.SelectionSlider(
            options=list(RATES), value=8000, description=_("Sample rate (samples per second)"),
            style=style, layout=layout)
        self.rate_slider.add_class("manabu-sound-rate")
        self.bits_slider = widgets.IntSlider(value=16, min=1, max=16,
                                             description=_("Bit depth (bits per sample)"),
                                             style=style, layout=layout)
        self.plot = widgets.HTML()
        css = widgets.HTML(CSS)
        self.info = widgets.HTML()
        self.info.add_class("manabu-sound-info")
        self.plot_box = widgets.VBox([self.plot, self.info])
        self.plot_box.add_class("manabu-sound-out")
        self.audio = widgets.Audio(format="wav", autoplay=False, loop=False)
        original = widgets.Audio(value=wav_bytes(tone(np.arange(PLAY_RATE) / PLAY_RATE, self.tones),
                                                 PLAY_RATE), format="wav", autoplay=False, loop=False)
        def labelled(text: str, player: widgets.Audio) -> widgets.VBox:
            label = widgets.HTML(f'<div style="font-size:18px">{text}</div>')
            return widgets.VBox([label, player], layout=widgets.Layout(margin="0 24px 0 0"))

        listen = widgets.HBox([labelled(_("Listen to the samples:"), self.audio),
                               labelled(_("Listen to the real sound:"), original)],
                              layout=widgets.Layout(flex_flow="row wrap"))
        super().__init__([css, self.rate_slider, self.bits_slider, self.plot_box, listen, A11y()])
        self.add_class("manabu-sound")
        self.rate_slider.observe(lambda change: setattr(self, "rate", change["new"]), "value")
        widgets.link((self.bits_slider, "value"), (self, "bits"))
        with self.hold_trait_notifications():
            self.rate, self.bits = rate, bits
        self._redraw()

    @traitlets.observe("rate")
    def _on_rate(self, change) -> None:
        if hasattr(self, "rate_slider"):
            if change["new"] not in self.rate_slider.options:  # a rate set from code: add it
                self.rate_slider.options = sorted({*self.rate_slider.options, change["new"]})
            self.rate_slider.value = change["new"]
            self._redraw()

    @traitlets.observe("bits")
    def _on_bits(self, change) -> None:
        if hasattr(self, "plot"):
            self._redraw()

    def _redraw(self) -> None:
        rate, bits = self.rate, self.bits
        self.n = n_samples(SECONDS, rate)
        self.samples = quantize(tone(np.arange(self.n) / rate, self.tones), bits)
        top = max(freq for freq, _amp in self.tones)
        self.aliased = rate <= 2 * top
        per_wave = rate / top
        lines = [
            _("1 second of sound = {n} samples.").format(n=f"<b>{self.n:,}</b>"),
            _("{bits} bits = {levels} levels to round to.").format(bits=bits,
                                                                    levels=f"<b>{2 ** bits:,}</b>"),
            _("To store 1 second: {n} × {bits} = {total} bits.").format(
                n=f"{self.n:,}", bits=bits, total=f"{self.n * bits:,}"),
        ]
        if self.aliased:
            lines.append('<b style="color:{c}">⚠ '.format(c=OKABE_ITO["vermillion"]) + _(
                "Too few! The {f} Hz tone gets {k} samples per wave, so it sounds like {a} Hz.").format(
                f=int(top), k=f"{per_wave:.1f}", a=int(round(alias_frequency(top, rate)))) + "</b>")
            lines.append(_("Nyquist: you need more than 2 samples per wave. Move the rate up."))
        else:
            lines.append("✔ " + _("{k} samples per wave of the {f} Hz tone: more than 2, "
                                  "so the tone keeps its pitch (Nyquist).").format(
                k=f"{per_wave:.1f}", f=int(top)))
        self.plot.value = wave_svg(rate, bits, self.tones) + _legend(self.aliased)
        self.info.value = ('<div style="font-size:18px;line-height:1.5">'
                           + "<br>".join(lines) + "</div>")
        self.audio.value = wav_bytes(self.samples, rate)


def bench_cases() -> list[tuple[str, Callable[[], None]]]:
    """One user event each, on a widget built once (``make bench`` times them)."""
    sampler = SoundSampler()
    rates = iter(np.resize(RATES, 1000).tolist())
    bits = iter(np.resize(np.arange(1, 17), 1000).tolist())
    return [
        ("sound: move the sample-rate slider", lambda: setattr(sampler.rate_slider, "value", next(rates))),
        ("sound: move the bit-depth slider", lambda: setattr(sampler.bits_slider, "value", next(bits))),
    ]
