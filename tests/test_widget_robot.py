"""The robot vacuum (e07, j09): sensors, rules, Q-learning, the safety stop, Japanese labels."""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque

import numpy as np
import pytest
from helpers import english_words, in_japanese

from course.models.qlearning import QLearner, q_update
from course.widgets.robot import (
    LEARN_ACTIONS,
    GridRobot,
    GridWorld,
    run_rules,
)

GOOD_RULES = [("dock_ahead", "forward"), ("wall_ahead", "right"), ("always", "forward")]
LEFT_RULES = [("dock_ahead", "forward"), ("wall_ahead", "left"), ("always", "forward")]


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def shortest_trip(world: GridWorld) -> int:
    """Fewest forward/turn actions from the start to the dock, never onto stairs (breadth first)."""
    start = world.start
    seen, todo = {start: 0}, deque([start])
    while todo:
        r, c, h = todo.popleft()
        for action in LEARN_ACTIONS:
            world.r, world.c, world.h, world.done = r, c, h, False
            event = world.act(action)
            if event == "dock":
                return seen[(r, c, h)] + 1
            nxt = (world.r, world.c, world.h)
            if event != "fell" and nxt not in seen:
                seen[nxt] = seen[(r, c, h)] + 1
                todo.append(nxt)
    raise AssertionError("no way to the dock")


# --- the glass-box model
def test_q_update_is_the_textbook_formula_and_changes_nothing():
    q = np.array([[0.0, 2.0], [1.0, 3.0]])
    before = q.copy()
    assert q_update(q, 0, 1, -1.0, 1, alpha=0.5, gamma=0.9) == pytest.approx(2 + 0.5 * (-1 + 0.9 * 3 - 2))
    assert q_update(q, 0, 1, 10.0, None, alpha=0.5, gamma=0.9) == pytest.approx(2 + 0.5 * (10 - 2))
    assert q_update([[0, 0], [4, 1]], 0, 0, 0, 1, 1.0, 0.5) == pytest.approx(2.0)  # plain lists work
    assert (q == before).all()


def test_qlearner_follows_conventions_and_is_epsilon_greedy():
    learner = QLearner(n_states=3, n_actions=3, epsilon=0.0, random_state=1)
    assert not hasattr(learner, "q_")
    assert learner.update(0, 2, 5.0, None) == pytest.approx(2.5)
    assert learner.q_.shape == (3, 3) and learner.q_[0, 2] == pytest.approx(2.5)
    assert {learner.choose(0) for _ in range(20)} == {2}           # greedy: always the best
    learner.epsilon = 1.0
    assert {learner.choose(0) for _ in range(60)} == {0, 1, 2}     # exploring: every action
    a = [QLearner(5, 3, epsilon=0.5, random_state=7).reset().choose(0) for _ in range(3)]
    assert len(set(a)) == 1                                         # same seed, same dice
    assert learner.choose(0, allowed=[1]) == 1


# --- the world and its sensors
def test_bump_leaves_the_robot_in_place_and_turns_the_bump_sensor_on():
    world = GridWorld("#####\n#.<D#\n#####")
    assert world.act("forward") == "move" and (world.r, world.c) == (1, 1)
    assert not world.sense()["bumped"]
    assert world.act("forward") == "bump" and (world.r, world.c) == (1, 1)
    assert world.sense()["bumped"] and world.sense()["wall_ahead"]
    world.act("left")
    assert not world.sense()["bumped"]


def test_sensors_see_dirt_dock_stairs_and_distance():
    world = GridWorld("#######\n#>*.SD#\n#######")
    seen = world.sense()
    assert seen["distance"] == 4 and seen["dock_ahead"] and not seen["dirt_here"]
    world.act("forward")
    assert world.sense()["dirt_here"] and world.act("clean") == "clean" and world.cleaned == 1
    assert not world.sense()["dirt_here"]
    world.act("forward")
    assert world.sense()["stairs_ahead"] and world.sense()["distance"] == 2
    world.act("right")
    assert world.sense()["wall_ahead"] and not world.sense()["dock_ahead"]


def test_sensor_noise_is_sometimes_wrong_and_repeats_with_the_seed():
    def readings(seed):
        world = GridWorld(sensor_noise=0.5, seed=seed)
        return [world.sense()["distance"] for _ in range(40)]

    true = GridWorld().sense()["distance"]
    assert readings(3) == readings(3)
    assert set(readings(3)) >= {true, true - 1, true + 1}
    assert set(readings(3)) <= {true, true - 1, true + 1}


# --- mode 1: rules
def test_good_rules_reach_the_dock_and_show_the_line_to_copy():
    robot = GridRobot(rules=GOOD_RULES)
    result = robot.run()
    assert result.reached and robot.reached and robot.steps == result.steps == 10
    shown = text_of(robot.output.value)
    assert "reached the dock in 10 steps" in shown and "Steps: 10" in shown
    assert robot.rules_code() in robot.output.value.replace("&#x27;", "'").replace("&quot;", '"')
    assert run_rules(GOOD_RULES).steps == 10            # the grading helper agrees with the widget
    robot.reset()
    assert robot.steps == 0 and not robot.reached and (robot.world.r, robot.world.c) == (1, 1)


def test_a_practice_robot_reaches_the_dock_but_shows_no_line_to_copy():
    robot = GridRobot(rules=GOOD_RULES, name=None)
    assert robot.run().reached and "answer_rules" not in robot.output.value


def test_step_moves_one_square_and_the_arrow_shows_the_heading():
    robot = GridRobot(rules=[("always", "right")])
    assert "▶" in robot.output.value
    assert robot.step() == "turn" and robot.steps == 1
    assert "▼" in robot.output.value and "Rule 1: IF always THEN turn right." in robot.message
    robot.set_rules([("always", "forward")])
    robot.step_button.click()
    assert (robot.world.r, robot.world.c) == (1, 2) and "Steps: 1" in text_of(robot.output.value)


def test_dropdowns_and_set_rules_are_twins():
    robot = GridRobot(mode="rules")
    robot.set_rules(GOOD_RULES)
    assert [(c.value, a.value) for c, a in robot.rule_rows[:3]] == GOOD_RULES
    assert robot.rule_rows[3][0].value == "none"
    robot.rule_rows[1][1].value = "left"
    assert robot.rules[1] == ("wall_ahead", "left")
    robot.rule_rows[3][0].value = "bumped"                      # a 4th row becomes a 4th rule
    assert len(robot.rules) == 4 and robot.rules[3] == ("bumped", "forward")
    with pytest.raises(ValueError, match="is not a sensor"):
        robot.set_rules([("wall", "right")])
    with pytest.raises(ValueError, match="is not an action"):
        robot.set_rules([("always", "jump")])


def test_rules_that_go_nowhere_say_what_to_do_next():
    robot = GridRobot(rules=[("always", "forward")])
    result = robot.run(max_steps=12)
    assert not result.reached and "did not reach the dock in 12 steps" in robot.message
    robot.set_rules([("dirt_here", "clean")])
    robot.run()
    assert robot.steps == 0 and "No rule fits" in robot.message


def test_safety_stop_prevents_every_move_onto_the_stairs_in_rules_mode():
    assert run_rules(LEFT_RULES).fell
    robot = GridRobot(rules=LEFT_RULES)
    robot.safety_box.value = True
    assert robot.safety_stop
    moves = []
    original = robot.world.act

    def spy(action):
        ahead = robot.world.cells[robot.world.ahead()[0]][robot.world.ahead()[1]]
        event = original(action)
        moves.append((action, ahead, event))
        assert robot.world.cells[robot.world.r][robot.world.c] != "S"
        return event

    robot.world.act = spy
    robot.run(max_steps=40)
    unsafe = [m for m in moves if m[0] == "forward" and m[1] == "S"]
    assert unsafe and all(event == "blocked" for _a, _s, event in unsafe)
    assert robot.prevented == len(unsafe) and robot.falls == 0
    assert f"Unsafe moves stopped: {len(unsafe)}" in text_of(robot.output.value)


def test_run_never_sleeps_from_code_but_animates_from_the_button(monkeypatch):
    naps = []
    monkeypatch.setattr(time, "sleep", naps.append)
    robot = GridRobot(rules=GOOD_RULES)
    robot.delay = 5.0
    robot.run()
    assert naps == []
    robot.reset()
    robot.run_button.click()
    assert robot.reached and naps == [5.0] * 9      # a pause between steps, none after the last



def test_in_a_kernel_the_run_button_steps_on_the_event_loop_so_other_taps_answer_at_once():
    """In a kernel (a running event loop) Run shows its first step and returns; the next steps
    are timers, so Reset or Step tapped during the run act at once and stop it (the kernel
    used to sleep through the whole trip, 7.5 s, and every tap in the lesson waited)."""
    async def taps():
        robot, other = GridRobot(rules=GOOD_RULES), GridRobot(rules=GOOD_RULES)
        robot.delay = other.delay = 0.01
        robot.run_button.click()
        shown_at_once = robot.steps
        for _ in range(300):                    # at most 3 s
            if robot.reached:
                break
            await asyncio.sleep(0.01)
        finished = (robot.reached, robot.steps, "reached the dock" in robot.message)
        other.run_button.click()
        other.reset_button.click()               # Reset during the run: it stops
        await asyncio.sleep(0.05)
        after_reset = other.steps
        other.run_button.click()
        other.step_button.click()                # Step during the run: the child takes over
        await asyncio.sleep(0.05)
        return shown_at_once, finished, after_reset, other.steps

    shown_at_once, finished, after_reset, after_step = asyncio.run(taps())
    assert shown_at_once == 1
    assert finished == (True, GridRobot(rules=GOOD_RULES).run().steps, True)
    assert after_reset == 0 and after_step == 2

# --- mode 2: trial and error
def test_q_learning_converges_to_the_shortest_trip_with_a_fixed_seed():
    robot = GridRobot(mode="learn", seed=0)
    rewards = robot.train(150)
    best = robot.learned_path()
    assert best.reached and best.steps == shortest_trip(GridWorld())
    assert np.mean(rewards[-20:]) > np.mean(rewards[:20]) + 20
    again = GridRobot(mode="learn", seed=0)
    assert again.train(150) == rewards                      # the same seed repeats exactly
    assert "reaches the dock in 10 steps" in robot.learn_status.value
    assert "<polyline" in robot.chart.value and "episodes 1 to 150" in robot.chart.value


def test_safety_stop_prevents_every_unsafe_move_while_learning():
    free = GridRobot(mode="learn", seed=2)
    free.train(200)
    assert free.train_falls > 0
    safe = GridRobot(mode="learn", seed=2, safety_stop=True)
    safe.train(200)
    assert safe.train_falls == 0 and safe.train_prevented > 0
    assert f"Unsafe moves stopped: {safe.train_prevented}" in safe.learn_status.value
    assert safe.learned_path().reached


def test_sliders_set_the_learner_and_forget_resets():
    robot = GridRobot(mode="learn")
    robot.epsilon_slider.value, robot.alpha_slider.value = 0.4, 0.3
    robot.train1_button.click()
    assert robot.learner.epsilon == 0.4 and robot.learner.alpha == 0.3 and robot.episodes == 1
    robot.forget_button.click()
    assert robot.episodes == 0 and not robot.learner.q_.any() and "no episodes yet" in robot.chart.value


# --- language, speed
def test_japanese_labels_leave_no_english():
    with in_japanese():
        robot = GridRobot()
        robot.safety_stop = True
        robot.set_rules(GOOD_RULES)
        robot.run()
        robot.train(3)
        texts = [w.value for w in (robot.output, robot.chart, robot.learn_status)]
        texts += [b.description for b in (robot.step_button, robot.run_button, robot.reset_button,
                                          robot.train1_button, robot.train50_button, robot.forget_button,
                                          robot.safety_box, robot.noise_slider, robot.epsilon_slider,
                                          robot.alpha_slider)]
        for cond, act in robot.rule_rows:
            texts += [cond.description, act.description, *[o[0] for o in cond.options],
                      *[o[0] for o in act.options]]
        assert english_words(*texts, shortest=3) == []
        assert "じゅう電台" in robot.output.value


def test_japanese_uses_only_kanji_of_grades_1_to_4():
    from pathlib import Path

    import kanji_lists  # in the [test] extra: a missing package fails here, it is never skipped

    from course.catalogs import po_messages

    allowed = set().union(*(getattr(kanji_lists.KYOIKU, f"GRADE{g}") for g in range(1, 5)))
    po = Path(__file__).resolve().parent.parent / "course" / "locale" / "ja" / "robot.po"
    text = "".join(po_messages(po.read_text(encoding="utf-8")).values())
    late = {ch for ch in text if "\u4e00" <= ch <= "\u9fff" and ch not in allowed}
    assert not late, late
