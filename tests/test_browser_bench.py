"""The measuring of `make bench`'s device bench (autograder/dev/browser_bench.py): its
summaries and table, and, in a page of its own, what it counts as the picture changing."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from autograder.dev.browser_bench import (
    BUTTON,
    SLIDER,
    TAP_HOLD_MS,
    _run_all,
    _scoring,
    calibrate,
    host_line,
    host_speed,
    response_ms,
    responses,
    seen_at,
    summarize,
    table,
    tally,
    verdict,
)


def test_summary_leaves_missed_events_out_of_the_percentiles():
    row = summarize([10.0, 20.0, None, 30.0, 40.0, 400.0])
    assert row == {"events": 6, "missed": 1, "p50_ms": 30, "p95_ms": 400}
    assert summarize([None]) == {"events": 1, "missed": 1}


def test_verdict_names_each_missed_goal():
    assert verdict({"usable_s": 9.5, "p95_ms": 250, "missed": 0}) == ""
    assert verdict({"usable_s": 12.0, "p95_ms": 251, "missed": 2}) == \
        "usable > 10 s, p95 > 250 ms, 2 events changed nothing"
    assert verdict({"error": "TimeoutError"}) == "usable > 10 s"  # never usable


def test_table_puts_the_baseline_beside_the_throttled_run():
    rows = [{"lesson": "e03", "cpu_rate": 1, "usable_s": 4.0, "p50_ms": 30, "p95_ms": 60, "via": "slider"},
            {"lesson": "e03", "cpu_rate": 4, "usable_s": 12.5, "p50_ms": 90, "p95_ms": 300, "via": "slider"},
            {"lesson": "e01", "cpu_rate": 4, "error": "TimeoutError: x"}]
    lines = table(rows).splitlines()
    e03 = next(line for line in lines if line.startswith("e03"))
    assert e03.split()[:7] == ["e03", "4.0", "30", "60", "12.5", "90", "300"]
    assert e03.endswith("usable > 10 s, p95 > 250 ms")
    e01 = next(line for line in lines if line.startswith("e01"))
    assert e01.split()[:5] == ["e01", "-", "-", "-", "fail"]


def test_table_shows_the_return_visit_beside_the_first_and_judges_the_first():
    rows = [{"lesson": "e03", "cpu_rate": 4, "visit": "first", "usable_s": 12.5, "p50_ms": 90,
             "p95_ms": 200, "via": "slider"},
            {"lesson": "e03", "cpu_rate": 4, "visit": "return", "usable_s": 8.25}]
    e03 = next(line for line in table(rows).splitlines() if line.startswith("e03"))
    assert e03.split()[4:9] == ["12.5", "90", "200", "8.2", "slider"]
    assert e03.endswith("usable > 10 s")  # a warm cache does not hide the cold number
    assert "return" in table(rows).splitlines()[1]


def test_tally_counts_the_lessons_that_meet_each_goal():
    rows = [{"lesson": "e01", "cpu_rate": 4, "usable_s": 9.0, "p95_ms": 120, "missed": 0},
            {"lesson": "e02", "cpu_rate": 4, "usable_s": 11.0, "p95_ms": 200, "missed": 0},
            {"lesson": "e03", "cpu_rate": 4, "usable_s": 8.0, "p95_ms": 300, "missed": 0},
            {"lesson": "e04", "cpu_rate": 4, "error": "TimeoutError: x"}]
    assert tally(rows) == ("1 of 4 lessons meet both goals (usable <= 10 s: 2 of 4; p95 <= 250 ms: "
                           "2 of 4); usable in 9.3 s on average, slowest 11.0 s")
    # the table ends with it, for the throttled first visits only
    base = {"lesson": "e01", "cpu_rate": 1, "usable_s": 3.0, "p95_ms": 500}
    assert table([base, *rows]).splitlines()[-1] == tally(rows)
    assert "lessons meet" not in table([base])


def test_host_line_says_which_chromium_and_how_fast_at_each_rate():
    line = host_line({"chromium": "156.0", "cpu": "AMD EPYC", "cpus": 2,
                      "benchmark_index": {"1": 2650, "4": 640}})
    assert line.startswith("Chromium 156.0 on AMD EPYC (2 cores)")
    assert "BenchmarkIndex 1x 2650, 4x 640" in line and "low-end Chromebook" in line


def test_table_names_the_throttled_rates_it_ran_at():
    """Calibrated to a device, each lesson has a rate of its own: the table shows their range."""
    rows = [{"lesson": "e03", "cpu_rate": 3.37, "usable_s": 9.5, "p50_ms": 80, "p95_ms": 120},
            {"lesson": "e01", "cpu_rate": 1, "usable_s": 4.0, "p50_ms": 30, "p95_ms": 60},
            {"lesson": "e01", "cpu_rate": 3.1, "usable_s": 10.5, "p50_ms": 90, "p95_ms": 130}]
    lines = table(rows).splitlines()
    assert "3.1-3.37x CPU slower" in lines[0]
    assert next(line for line in lines if line.startswith("e03")).split()[4:7] == ["9.5", "80", "120"]
    assert next(line for line in lines if line.startswith("e01")).split()[1:7] == [
        "4.0", "30", "60", "10.5", "90", "130"]
    assert "4x CPU slower" in table(rows[1:2]).splitlines()[0]  # only a baseline: the goal's rate


def test_calibration_finds_the_rate_of_the_device_index():
    """A machine scoring 2600 unthrottled, whose score falls as 1/rate or a little slower (as
    Chromium's does): the rate found scores within 5 % of the index asked for."""
    for power in (1.0, 0.9, 0.8):
        measured = []

        def score(rate, power=power, measured=measured):
            measured.append(rate)
            return 2600 / rate ** power

        rate = calibrate(score, 800)
        assert abs(score(rate) - 800) < 0.05 * 800, (power, rate)
        assert measured[0] == 1.0 and len(measured) == 4  # 1x, then two corrections (+ the check)
    assert calibrate(lambda rate: 500 / rate, 800) == 1.0  # a machine slower than the device: no throttling


@pytest.mark.browser
def test_scoring_applies_the_rate_to_the_page(browser):
    """In Chromium: the rate :func:`calibrated_rate` tries is applied to the page it scores
    (if it were not, every score would be the fast one and calibration would climb to ~27).
    Paired 1x/6x scores, back to back, three times: the median pair differs by more than 2x
    (6x expected). No single score is compared with another taken apart in time: CI's busy
    workers swung one 1x score by 3x (2041, then < 680)."""
    ratios = []
    with _scoring(browser) as score:
        for _ in range(3):
            fast, slow = score(1), score(6)
            ratios.append(fast / slow)
    assert sorted(ratios)[1] > 2, ratios


@pytest.mark.browser
def test_host_speed_falls_with_the_throttling_rate(browser):
    """The index is measured under each rate (a bench that forgot the throttling, or measured
    once, gives the same number twice). Three runs, each a 1x and a 4x index back to back: the
    median run's 4x index is under half its 1x one (4x expected). One run alone is not enough on
    CI's busy workers: its 1x index once came out 358 against the 4x one's 449."""
    hosts = [host_speed(browser, (1, 4)) for _ in range(3)]
    assert all(host["chromium"] == browser.version for host in hosts)
    assert all(host["benchmark_index"]["4"] > 0 for host in hosts), hosts
    ratios = [host["benchmark_index"]["1"] / host["benchmark_index"]["4"] for host in hosts]
    assert sorted(ratios)[1] > 2, hosts


# a slider whose readout changes at once (not the picture) and whose picture changes 200 ms later
PAGE = """<div class="jp-OutputArea-output"><div class="jupyter-widgets">
<div class="widget-slider"><div class="noUi-target"><div class="noUi-handle" tabindex="0"
  aria-valuenow="1" aria-valuemax="5"></div></div><div class="widget-readout">1</div></div>
<div class="picture">old</div></div></div>
<script>
document.querySelector('.noUi-handle').addEventListener('keydown', () => {
  document.querySelector('.widget-readout').textContent = '2';
  if (!window.silent) setTimeout(() => { document.querySelector('.picture').textContent = 'new'; }, 200);
});
</script>"""


@contextmanager
def static_page(browser, html: str):
    """A browser page showing ``html`` (no server), closed afterwards."""
    page = browser.new_page()
    try:
        page.set_content(html)
        yield page
    finally:
        page.close()


@pytest.mark.browser
def test_response_is_timed_to_the_picture_not_the_readout(browser):
    with static_page(browser, PAGE) as page:
        latency = response_ms(page, SLIDER, 0)
        assert latency is not None and 200 <= latency < 600, latency
        page.evaluate("() => { window.silent = true; }")
        assert response_ms(page, SLIDER, 0, timeout_ms=500) is None  # only the readout changed



# a button whose press keeps the page busy (as JupyterLab selecting the cell) for
# window.pressWork ms, and whose click changes the picture 50 ms later; the page notes when the
# press came (window.down) and when the changed picture was drawn (window.drawn), as the bench
# does: in the frame after the change
PRESS = """<div class="jp-OutputArea-output"><div class="jupyter-widgets manabu-quiz">
<button>Check</button><div class="picture">0</div></div></div>
<script>
window.pressWork = 0;
const button = document.querySelector('button');
button.addEventListener('pointerdown', event => {
  window.down = event.timeStamp;
  const until = performance.now() + window.pressWork;
  while (performance.now() < until) {}
});
new MutationObserver(() => {
  requestAnimationFrame(() => { window.drawn ??= performance.now(); });
}).observe(document.querySelector('.picture'), {childList: true, characterData: true, subtree: true});
button.addEventListener('click', () => {
  setTimeout(() => { document.querySelector('.picture').textContent += '1'; }, 50);
});
</script>"""


@pytest.mark.browser
def test_a_tap_is_timed_from_the_lift_and_counts_press_work_longer_than_the_finger_rests(browser):
    """A tap rests TAP_HOLD_MS on the button: press work shorter than that is not counted (a
    finger is still down), longer press work counts beyond it (the lift waits for it).

    Judged against the page's own clock, not against fixed bounds (a busy CI worker once took
    251 ms for the 50 ms timer): the bench's time is the time from the press to the drawn
    picture less the part of the press a resting finger covers."""
    def tap(press_work: int) -> tuple[float, float]:
        page.evaluate("w => { window.pressWork = w; window.drawn = null; }", press_work)
        measured = response_ms(page, BUTTON, 0)
        assert measured is not None, press_work
        return measured, page.evaluate("() => window.drawn - window.down")

    with static_page(browser, PRESS) as page:
        short, short_from_press = tap(75)
        long, long_from_press = tap(400)
    # 75 ms of press work, all while the finger rests: none of it counted (the bench starts
    # when the page took the lift, 75 ms or a little more after the press, at most TAP_HOLD_MS)
    assert 75 - 2 <= short_from_press - short <= TAP_HOLD_MS + 2, (short, short_from_press)
    # 400 ms: a resting finger covers TAP_HOLD_MS of it; the rest is counted
    assert abs(long_from_press - long - TAP_HOLD_MS) <= 2, (long, long_from_press)
    assert long >= 400 + 50 - TAP_HOLD_MS - 2, long


# a robot's Run (a step every 150 ms for 0.9 s, as e07's) and a Reset that draws 200 ms later
RUN = """<div class="jp-OutputArea-output"><div class="jupyter-widgets manabu-robot">
<button class="run">Run</button><button class="reset">Reset</button><div class="picture">0</div></div></div>
<script>
const picture = document.querySelector('.picture');
document.querySelector('.run').addEventListener('click', () => {
  let n = 0;
  const timer = setInterval(() => { picture.textContent = ++n; if (n === 6) clearInterval(timer); }, 150);
});
document.querySelector('.reset').addEventListener('click', () => {
  setTimeout(() => { picture.textContent = 'reset'; }, 200);
});
</script>"""


@pytest.mark.browser
def test_a_tap_waits_for_a_still_picture_so_an_earlier_run_is_not_its_answer(browser):
    with static_page(browser, RUN) as page:
        run = response_ms(page, BUTTON, 0)
        reset = response_ms(page, BUTTON, 1)
        assert page.locator(".picture").inner_text() == "reset"
    assert run is not None and 140 <= run < 500, run
    assert reset is not None and 200 <= reset < 700, reset  # not a step of the run (< 150 ms)

# a robot: its slider changes nothing until the next run; "Step" draws, "Run" draws and then
# disables both buttons (the bench must not look for the second button any more)
ROBOT = """<div class="jp-OutputArea-output"><div class="jupyter-widgets manabu-robot">
<div class="widget-slider"><div class="noUi-target"><div class="noUi-handle" tabindex="0"
  aria-valuenow="1" aria-valuemax="5"></div></div></div>
<button class="run">Run</button><button class="step">Step</button>
<div class="picture">0</div></div></div>
<script>
const picture = document.querySelector('.picture');
document.querySelector('.step').addEventListener('click', () => {
  setTimeout(() => { picture.textContent = +picture.textContent + 1; }, 50);
});
document.querySelector('.run').addEventListener('click', () => {
  setTimeout(() => {
    picture.textContent = 'done';
    document.querySelectorAll('button').forEach(b => { b.disabled = true; });
  }, 50);
});
</script>"""


# a menu bar as JupyterLab's: Run all is in the fourth menu, "Run"; each menu opened is counted
MENUS = """<ul>""" + "".join(
    f"<li class='lm-MenuBar-item' onclick=\"openMenu('{label}')\">"
    f"<div class='lm-MenuBar-itemLabel'>{label}</div></li>"
    for label in ("File", "Edit", "View", "Run", "Kernel")) + """</ul><div id="menu"></div>
<script>
window.opened = [];
window.greyed = 0;  // Run All greyed out (no current notebook yet) for this many openings
function openMenu(label) {
  window.opened.push(label);
  const greyed = label === 'Run' && window.greyed-- > 0;
  document.getElementById('menu').innerHTML = label === 'Run'
    ? `<div class="lm-Menu-item${greyed ? ' lm-mod-disabled' : ''}" data-command="runmenu:run-all"
         onclick="window.ran = ${!greyed}">Run All</div>`
    : '<div class="lm-Menu-item" data-command="other">x</div>';
}
document.addEventListener('keydown', e => {
  if (e.key === 'Escape') document.getElementById('menu').innerHTML = '';
});
</script>"""


@pytest.mark.browser
def test_silent_sliders_fall_back_to_taps_and_disabled_buttons_are_skipped(browser):
    with static_page(browser, ROBOT) as page:
        row = responses(page, 16, timeout_ms=1000)
        assert row["via"] == "tap" and row["silent_controls"] == 1, row  # the slider
        assert row["events"] == 1 and row["missed"] == 0 and 50 <= row["p95_ms"] < 1000, row


@pytest.mark.browser
def test_run_all_opens_only_the_run_menu(browser):
    """As a child: the Run menu, then Run all (at 4x each menu opened cost the bench ~1 s)."""
    with static_page(browser, MENUS) as page:
        _run_all(page)
        assert page.evaluate("() => [window.opened, window.ran]") == [["Run"], True]
        # a label in a language not known here: each menu in turn until Run all shows
        page.set_content(MENUS.replace(">Run<", ">Ausführen<"))
        _run_all(page)
        assert page.evaluate("() => [window.opened, window.ran]") == [
            ["File", "Edit", "View", "Run"], True]
        # greyed out while JupyterLab has no current notebook yet: the Run menu again until not
        page.set_content(MENUS)
        page.evaluate("() => { window.greyed = 2; }")
        _run_all(page)
        assert page.evaluate("() => [window.opened, window.ran]") == [["Run"] * 3, True]


# controls that appear late: a hidden one at once, then (0.9 s on) the first shown, two more
LATE = """<div id="box"></div><script>
const add = (hidden) => { const b = document.createElement('button'); b.textContent = 'go';
  if (hidden) b.style.display = 'none'; document.getElementById('box').append(b); return b; };
add(true);
setTimeout(() => { window.shown = performance.timeOrigin + performance.now(); add(false); }, 900);
setTimeout(() => { add(false); add(false); window.three = performance.timeOrigin + performance.now(); }, 1100);
</script>"""


@pytest.mark.browser
def test_seen_at_is_the_frame_the_page_drew_it_not_a_later_look(browser):
    """:func:`seen_at` gives the time a control showed, within a frame or two, by the page's
    clock. Playwright's own wait looks again every 500 ms after its first 0.27 s: timed when it
    returned, a button shown at 0.9 s counted up to half a second later (seen failing so: 476 ms
    late, without the hidden button, which makes Playwright wait for it and time out). A
    hidden match does not count when asked for a visible one, and ``count`` waits for that
    many."""
    with static_page(browser, LATE) as page:
        seen = seen_at(page, "#box button", 10, visible=True)
        shown = page.evaluate("window.shown") / 1000
        assert 0 <= seen - shown < 0.15, (seen, shown)
        three = seen_at(page, "#box button", 10, count=3, visible=True)
        assert 0 <= three - page.evaluate("window.three") / 1000 < 0.15
        # the hidden one counts only when visibility is not asked for
        assert seen_at(page, "#box button", 10, count=4) >= three
        with pytest.raises(PlaywrightTimeout):
            seen_at(page, "#box button", 0.5, count=4, visible=True)
