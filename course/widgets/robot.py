"""A robot vacuum in a grid room: it senses, thinks (rules, or what it learned) and acts. The
room and the robot are :mod:`course.models.gridworld`; this module is the widget that shows them.

Mode 1 (rules): the student writes IF <sensor> THEN <action> rules; the first rule that
fits decides each step. Mode 2 (trial and error): the robot learns with Q-learning
(:class:`course.models.qlearning.QLearner`). A safety stop can forbid moves onto stairs.
"""

from __future__ import annotations

import asyncio
import time
from html import escape

import ipywidgets as widgets
import traitlets

from course.a11y import A11y
from course.i18n import _

# The grid world and its drivers live with the other glass-box models; lessons import them
# from here too (from course.widgets.robot import GridWorld, run_rules, ...).
from course.models.gridworld import (  # noqa: F401
    ACTIONS,
    CONDITIONS,
    HEADINGS,
    LEARN_ACTIONS,
    REWARD,
    ROOM,
    STEP,
    GridWorld,
    RunResult,
    check_rules,
    choose_rule,
    greedy_path,
    run_rules,
    train_episode,
)
from course.models.qlearning import QLearner
from course.render import scoped_style
from course.style import OKABE_ITO

ROWS = 4                                            # rule rows in the table
CSS = scoped_style("manabu-robot")
ARROWS = "▲▶▼◀"


def fit() -> widgets.Layout:
    """A button as wide as its label (at least the usual width), so long labels are not cut."""
    return widgets.Layout(width="auto", min_width="148px")


def condition_labels() -> dict[str, str]:
    return {"dock_ahead": _("the dock is ahead"), "dirt_here": _("there is dirt here"),
            "wall_ahead": _("a wall is right ahead"), "bumped": _("I bumped into a wall"),
            "stairs_ahead": _("stairs are ahead"), "always": _("always"), "none": _("(no rule)")}


def action_labels() -> dict[str, str]:
    return {"forward": _("go forward"), "left": _("turn left"), "right": _("turn right"),
            "clean": _("clean")}


CELL_LOOK = {  # symbol + colour (+ the name in the legend): never colour alone
    "#": ("▦", OKABE_ITO["black"], "#fff"), ".": ("", "#fff", "#000"),
    "*": ("✱", OKABE_ITO["orange"], "#000"), "D": ("⌂", OKABE_ITO["bluish_green"], "#fff"),
    "S": ("⚠", OKABE_ITO["vermillion"], "#fff"),
}


def grid_html(world: GridWorld, path=None, cell: int = 44) -> str:
    """The room as an HTML grid: symbols and colours, the robot as an arrow with a label."""
    names = {"#": _("wall"), ".": _("floor"), "*": _("dirt"), "D": _("dock"), "S": _("stairs")}
    marks = set(path if path is not None else world.trail)
    parts = []
    for r in range(world.height):
        for c in range(world.width):
            kind = world.cells[r][c]
            symbol, bg, fg = CELL_LOOK.get(kind, CELL_LOOK["."])
            title = names.get(kind, "")
            if (r, c) == (world.r, world.c):
                symbol = (f'<span style="font-size:24px;line-height:1">{ARROWS[world.h]}</span>'
                          f'<span style="font-size:11px;line-height:1">{escape(_("robot"))}</span>')
                bg, fg, title = OKABE_ITO["sky_blue"], "#000", _("robot")
            elif (r, c) in marks and kind in ".*":
                symbol = symbol or "·"
            parts.append(f'<div title="{escape(title)}" style="background:{bg};color:{fg};'
                         'display:flex;flex-direction:column;align-items:center;justify-content:center;'
                         f'font-size:22px;border:1px solid #bbb">{symbol}</div>')
    grid = (f'<div role="img" aria-label="{escape(_("the room seen from above"))}" '
            # squares narrow (not below 30 px) rather than stick out of an iPad's portrait screen
            f'style="display:grid;grid-template-columns:repeat({world.width},minmax(30px,{cell}px));'
            f'grid-auto-rows:{cell}px;max-width:max-content">{"".join(parts)}</div>')
    legend = " ".join(
        f'<span style="white-space:nowrap"><span style="display:inline-block;width:22px;'
        f'text-align:center;background:{CELL_LOOK[k][1]};color:{CELL_LOOK[k][2]}">{CELL_LOOK[k][0]}'
        f"</span> {escape(names[k])}</span>" for k in "#*DS")
    # this one is long: it may wrap (on an iPad in portrait it is wider than the lesson)
    legend += (f' <span><span style="background:{OKABE_ITO["sky_blue"]}">'
               f'▶</span> {escape(_("robot (the arrow shows where it faces)"))}</span>')
    return grid + f'<div style="font-size:16px;margin-top:4px">{legend}</div>'


def sensors_html(seen: dict) -> str:
    """The sensor readings as a short list with yes/no words."""
    yes, no = _("yes"), _("no")
    rows = [(_("bumped into a wall"), yes if seen["bumped"] else no),
            (_("dirt here"), yes if seen["dirt_here"] else no),
            (_("dock ahead"), yes if seen["dock_ahead"] else no),
            (_("stairs ahead"), yes if seen["stairs_ahead"] else no),
            (_("squares to the wall ahead"), str(seen["distance"]))]
    items = "".join(f"<li>{escape(k)}: <b>{escape(v)}</b></li>" for k, v in rows)
    return (f'<div style="font-size:18px"><b>{escape(_("Sensors"))}</b>'
            f'<ul style="margin:4px 0;padding-left:20px">{items}</ul></div>')


def chart_html(rewards: list[float], width: int = 320, height: int = 120) -> str:
    """Reward per training episode as an SVG line with dots (last 200 episodes)."""
    title = escape(_("Reward in each episode"))
    if not rewards:
        return f'<div style="font-size:16px">{title}: {escape(_("no episodes yet"))}</div>'
    ys = rewards[-200:]
    lo, hi = min(ys + [0.0]), max(ys + [0.0])
    span = (hi - lo) or 1.0
    n = max(len(ys) - 1, 1)
    pts = [(40 + (width - 50) * i / n, 10 + (height - 30) * (hi - y) / span) for i, y in enumerate(ys)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    zero = 10 + (height - 30) * hi / span
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>' for x, y in pts[-50:])
    blue = OKABE_ITO["blue"]
    return (f'<div style="font-size:16px">{title}</div>'
            f'<svg role="img" aria-label="{title}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" style="font-size:12px"><line x1="40" x2="{width - 10}" y1="{zero:.1f}" y2="{zero:.1f}" '
            f'stroke="#999" stroke-dasharray="4"/><text x="0" y="14">{hi:.0f}</text>'
            f'<text x="0" y="{height - 20}">{lo:.0f}</text><text x="40" y="{height - 4}">'
            f'{escape(_("episodes 1 to {n}").format(n=len(rewards)))}</text><polyline points="{line}" fill="none" '
            f'stroke="{blue}" stroke-width="2"/><g fill="{blue}">{dots}</g></svg>')


class GridRobot(widgets.VBox):
    """A robot vacuum in a room: write rules for it, or let it learn by trial and error.

    Example::

        robot = GridRobot()                                       # mode="both", "rules" or "learn"
        robot.set_rules([("dock_ahead", "forward"), ("wall_ahead", "right"), ("always", "forward")])
        robot.run()                  # same as the Run button (no waiting without a browser)
        robot.reached, robot.steps   # (True, 10)
        robot.safety_stop = True     # forbid moves onto the stairs
        robot.train(50)              # same as "train 50 episodes"; see robot.train_prevented
        robot.learned_path()         # RunResult of the best path it knows
    """

    rules = traitlets.List(help="The rules, top first: (condition, action) pairs.")
    steps = traitlets.Int(0, help="Steps taken since the last reset.")
    reached = traitlets.Bool(False, help="True once the robot is on the dock.")
    message = traitlets.Unicode("", help="What the robot says about the last step.")
    safety_stop = traitlets.Bool(False, help="Forbid every move onto stairs (danger squares).")
    sensor_noise = traitlets.Float(0.0, min=0.0, max=1.0,
                                   help="Chance that a sensor reading is a little wrong.")
    epsilon = traitlets.Float(0.2, min=0.0, max=1.0, help="Exploration rate: chance of a random action.")
    alpha = traitlets.Float(0.5, min=0.0, max=1.0, help="Learning rate of Q-learning.")
    gamma = traitlets.Float(0.9, min=0.0, max=1.0, help="How much future rewards count.")
    seed = traitlets.Int(0, help="Fixes the dice (noise and exploration), so runs repeat.")
    max_steps = traitlets.Int(50, min=1, help="Most steps in one run or one training episode.")
    delay = traitlets.Float(0.15, min=0.0,
                            help="Seconds between steps when Run is clicked in the browser (0: none).")
    episodes = traitlets.Int(0, help="Training episodes so far.")
    prevented = traitlets.Int(0, help="Unsafe moves the safety stop prevented in this run.")
    falls = traitlets.Int(0, help="Times the robot went onto the stairs in this run (0 or 1).")
    train_prevented = traitlets.Int(0, help="Unsafe moves the safety stop prevented while training.")
    train_falls = traitlets.Int(0, help="Episodes that ended on the stairs while training.")
    name = traitlets.Unicode("answer_rules", allow_none=True,
                             help="The answer name in the line shown at the dock (None: no line, practice).")

    def __init__(self, room: str = ROOM, mode: str = "both", rules=None, **kwargs):
        if mode not in ("both", "rules", "learn"):
            raise ValueError("mode must be 'both', 'rules' or 'learn'.")
        self.room, self.mode = room, mode
        super().__init__(**kwargs)
        self.world = GridWorld(room, self.safety_stop, self.sensor_noise, self.seed)
        self.trainer = GridWorld(room, self.safety_stop, self.sensor_noise, self.seed + 1)
        self.learner = QLearner(self.world.height * self.world.width * 4, len(LEARN_ACTIONS),
                                self.alpha, self.gamma, self.epsilon, self.seed).reset()
        self.rewards: list[float] = []
        self._path = None
        self._animation: asyncio.TimerHandle | None = None   # the Run button's next step
        self._seen = self.world.sense()
        self.output = widgets.HTML()
        self.output.add_class("manabu-robot-out")
        self.chart = widgets.HTML()
        self.chart.add_class("manabu-robot-chart")
        style = {"description_width": "initial"}
        self.safety_box = widgets.Checkbox(value=self.safety_stop, description=_("Safety stop (no moves onto stairs)"),
                                           indent=False, layout=widgets.Layout(width="auto"))
        self.noise_slider = widgets.FloatSlider(value=self.sensor_noise, min=0, max=0.5, step=0.05,
                                                description=_("Sensor noise"), style=style)
        widgets.link((self.safety_box, "value"), (self, "safety_stop"))
        widgets.link((self.noise_slider, "value"), (self, "sensor_noise"))
        children = [widgets.HTML(CSS), widgets.HBox([self.safety_box, self.noise_slider],
                                 layout=widgets.Layout(flex_flow="row wrap")), self.output]
        if mode in ("both", "rules"):
            children.append(self._rules_panel())
        if mode in ("both", "learn"):
            children.append(self._learn_panel(style))
        self.children = [*children, A11y()]
        self.add_class("manabu-robot")
        self.set_rules(rules if rules is not None else [("dirt_here", "clean"), ("always", "forward")])

    # --- building the controls
    def _rules_panel(self) -> widgets.VBox:
        conds = [(label, key) for key, label in condition_labels().items()]
        acts = [(label, key) for key, label in action_labels().items()]
        self.rule_rows = []
        rows = []
        for _i in range(ROWS):
            cond = widgets.Dropdown(options=conds, value="none", description=_("IF"),
                                    layout=widgets.Layout(width="300px"))
            act = widgets.Dropdown(options=acts, value="forward", description=_("THEN"),
                                   layout=widgets.Layout(width="240px"))
            cond.observe(self._on_dropdown, "value")
            act.observe(self._on_dropdown, "value")
            self.rule_rows.append((cond, act))
            rows.append(widgets.HBox([cond, act]))
        self.step_button = widgets.Button(description=_("Step"), icon="step-forward", layout=fit())
        self.run_button = widgets.Button(description=_("Run"), icon="play", layout=fit())
        self.reset_button = widgets.Button(description=_("Reset"), icon="undo", layout=fit())
        self.step_button.add_class("manabu-robot-step")
        self.step_button.on_click(lambda _b: self._step_button())
        self.run_button.on_click(lambda _b: self.run(animate=True))
        self.reset_button.on_click(lambda _b: self.reset())
        note = widgets.HTML(f'<div style="font-size:16px">{escape(_("The first rule that fits decides each step."))}</div>')
        return widgets.VBox([widgets.HTML(f'<b style="font-size:18px">{escape(_("Rules"))}</b>'), note, *rows,
                             widgets.HBox([self.step_button, self.run_button, self.reset_button])])

    def _learn_panel(self, style) -> widgets.VBox:
        self.epsilon_slider = widgets.FloatSlider(value=self.epsilon, min=0, max=1, step=0.05,
                                                  description=_("Exploration rate"), style=style)
        self.alpha_slider = widgets.FloatSlider(value=self.alpha, min=0.05, max=1, step=0.05,
                                                description=_("Learning rate"), style=style)
        widgets.link((self.epsilon_slider, "value"), (self, "epsilon"))
        widgets.link((self.alpha_slider, "value"), (self, "alpha"))
        self.train1_button = widgets.Button(description=_("Train 1 episode"), layout=fit())
        self.train50_button = widgets.Button(description=_("Train 50 episodes"), layout=fit())
        self.forget_button = widgets.Button(description=_("Forget what it learned"), layout=fit())
        self.train1_button.add_class("manabu-robot-train1")
        self.train1_button.on_click(lambda _b: self.train(1))
        self.train50_button.on_click(lambda _b: self.train(50))
        self.forget_button.on_click(lambda _b: self.reset_learning())
        self.learn_status = widgets.HTML()
        self.learn_status.add_class("manabu-robot-learn")
        self._redraw_learning()
        return widgets.VBox([widgets.HTML(f'<b style="font-size:18px">{escape(_("Trial and error"))}</b>'),
                             self.epsilon_slider, self.alpha_slider,
                             widgets.HBox([self.train1_button, self.train50_button, self.forget_button]),
                             widgets.HBox([self.chart, self.learn_status],
                                          layout=widgets.Layout(flex_flow="row wrap"))])

    # --- twins of the buttons
    def set_rules(self, rules) -> None:
        """Set the rule table, top first, e.g. ``[("wall_ahead", "right"), ("always", "forward")]``."""
        rules = check_rules(rules)
        if len(rules) > ROWS:
            raise ValueError(_("Use at most {n} rules.").format(n=ROWS))
        if rules == self.rules:
            self.reset()
        self.rules = rules

    def reset(self) -> None:
        """Put the robot back at its start with all the dirt back (the Reset button)."""
        self._stop_animation()
        self.world.safety_stop, self.world.sensor_noise = self.safety_stop, self.sensor_noise
        self.world.seed = self.seed
        self.world.reset()
        self._seen = self.world.sense()
        self._path = None
        self.steps, self.reached = 0, False
        self.prevented = self.falls = 0
        self.message = (_("Press Step to see what the robot does.") if self.mode != "learn"
                        else _("Train the robot. The dots show the best path it knows."))
        self._redraw()
        if self.mode != "rules" and hasattr(self, "learn_status"):
            self._redraw_learning()

    def step(self) -> str:
        """Sense, think (pick the first rule that fits), act: one step (the Step button)."""
        world = self.world
        self._path = None
        if world.done:
            self.message = _("The trip is over. Press Reset to start again.")
            return "done"
        i = choose_rule(self.rules, self._seen)   # think with what the sensors showed
        if i is None:
            self.message = _("No rule fits, so the robot waits. Add a rule with \"always\" at the end.")
            self._redraw()
            return "stuck"
        event = world.act(self.rules[i][1])
        self._seen = world.sense()
        self.steps, self.reached = world.steps, world.done and not world.fell
        self.prevented += event == "blocked"
        self.falls += event == "fell"
        labels = condition_labels(), action_labels()
        said = _("Rule {n}: IF {cond} THEN {action}.").format(
            n=i + 1, cond=labels[0][self.rules[i][0]], action=labels[1][self.rules[i][1]])
        extra = {
            "bump": _("Bump! It hit a wall and did not move."),
            "blocked": _("Safety stop! It did not go onto the stairs."),
            "fell": _("Oh no, it fell down the stairs! Add a rule for stairs, or turn on the safety stop."),
            "dock": _("It reached the dock in {n} steps!").format(n=world.steps),
        }.get(event, "")
        self.message = f"{said} {extra}".strip()
        self._redraw()
        return event

    def run(self, max_steps: int | None = None, animate: bool = False) -> RunResult:
        """Step until the dock, a fall, no rule fits, or ``max_steps`` (the Run button).

        With ``animate=True`` (the button in a browser) it shows one step every ``delay``
        seconds so you can watch; inside a kernel the next steps are timers on its event loop,
        so the call returns after the first step and the other buttons (Reset, Step, Check
        elsewhere in the lesson) still answer at once while it moves. Called from code it never
        waits and returns where the trip ended.
        """
        self._stop_animation()
        limit = max_steps or self.max_steps
        if self.world.done:
            self.reset()
        loop = _running_loop() if animate and self.delay > 0 else None
        if loop is not None:
            self._animate(loop, limit)
        else:
            while not self._run_one(limit):
                if animate and self.delay > 0:   # no event loop (not in a kernel): wait here
                    time.sleep(self.delay)
        return RunResult(self.reached, self.world.steps, self.world.fell, self.world.cleaned, self.prevented)

    def _run_one(self, limit: int) -> bool:
        """One step of a run; True when the run is over (at ``limit`` steps it says so)."""
        world = self.world
        if not world.done and world.steps < limit and self.step() != "stuck" \
                and not world.done and world.steps < limit:
            return False
        if not world.done and world.steps >= limit:
            self.message = _("It did not reach the dock in {n} steps. Change a rule and try again.").format(n=limit)
            self._redraw()
        return True

    def _animate(self, loop: asyncio.AbstractEventLoop, limit: int) -> None:
        """Take a step now and plan the next one ``delay`` seconds later, until the run ends
        or a button stops it (:meth:`_stop_animation`)."""
        self._animation = None
        if not self._run_one(limit):
            self._animation = loop.call_later(self.delay, self._animate, loop, limit)

    def _step_button(self) -> None:
        """The Step button: a child stepping takes over from a run that is still moving."""
        self._stop_animation()
        self.step()

    def _stop_animation(self) -> None:
        """Cancel the Run button's next step, if one is planned (Reset, Step and Run take over)."""
        if getattr(self, "_animation", None) is not None:
            self._animation.cancel()
            self._animation = None

    def train(self, episodes: int = 1) -> list[float]:
        """Let the robot learn by trial and error for some episodes (trips from the start)."""
        learner, world = self.learner, self.trainer
        learner.alpha, learner.gamma, learner.epsilon = self.alpha, self.gamma, self.epsilon
        world.safety_stop, world.sensor_noise = self.safety_stop, self.sensor_noise
        new, prevented, falls = [], world.prevented, 0
        for _e in range(episodes):
            total, event = train_episode(world, learner, self.max_steps)
            new.append(total)
            falls += event == "fell"
        self.rewards += new
        self.train_prevented += world.prevented - prevented
        self.train_falls += falls
        self.episodes += episodes
        self._redraw_learning()
        return new

    def learned_path(self) -> RunResult:
        """Where the robot goes if it always does what it thinks best (no exploring)."""
        world = GridWorld(self.room, self.safety_stop, 0.0, self.seed)
        result = greedy_path(world, self.learner, self.max_steps)
        self._path = world.trail
        return result

    def reset_learning(self) -> None:
        """Forget the Q-table and the reward chart (the "Forget" button)."""
        self.learner.random_state = self.seed
        self.learner.reset()
        self.trainer.seed = self.seed + 1
        self.trainer.reset()
        self.rewards, self.episodes, self.train_prevented, self.train_falls = [], 0, 0, 0
        self._redraw_learning()

    def rules_code(self, name: str | None = None) -> str:
        """The line of Python that writes down the current rules (``name``: the widget's own)."""
        return f"{name or self.name or 'answer_rules'} = {[r for r in self.rules if r[0] != 'none']!r}"

    # --- handlers and drawing
    def _on_dropdown(self, change) -> None:
        if getattr(self, "_syncing", False):
            return
        rows = [(c.value, a.value) for c, a in self.rule_rows]
        while rows and rows[-1][0] == "none":      # empty rows at the end are not rules
            rows.pop()
        self.rules = rows

    @traitlets.observe("rules")
    def _on_rules(self, change) -> None:
        if hasattr(self, "rule_rows"):
            self._syncing = True
            try:
                padded = list(change["new"]) + [("none", "forward")] * ROWS
                for (cond, act), (c, a) in zip(self.rule_rows, padded, strict=False):
                    cond.value, act.value = c, a
            finally:
                self._syncing = False
        self.reset()

    @traitlets.observe("safety_stop", "sensor_noise", "seed")
    def _on_setting(self, change) -> None:
        if hasattr(self, "output"):
            self.reset()

    def _redraw(self) -> None:
        world = self.world
        if self.mode == "learn":
            self.output.value = (f"<div>{grid_html(world, self._path or [])}</div>"
                                 f'<div class="manabu-robot-message" style="font-size:18px">'
                                 f"{escape(self.message)}</div>")
            return
        status = [_("Steps: {n}").format(n=self.steps),
                  _("Dirt cleaned: {n} of {total}").format(n=world.cleaned, total=world.dirt_total)]
        if self.safety_stop:
            status.append(_("Unsafe moves stopped: {n}").format(n=self.prevented))
        line = ""
        if self.reached and self.name:
            line = ('<div style="font-size:16px">' + escape(_("To hand in these rules, write:"))
                    + f" <code>{escape(self.rules_code())}</code></div>")
        self.output.value = (
            '<div style="display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start">'
            f'<div>{grid_html(world, self._path)}</div>{sensors_html(self._seen)}</div>'
            f'<div style="font-size:18px;margin-top:6px"><b>{escape(" · ".join(status))}</b></div>'
            f'<div class="manabu-robot-message" style="font-size:18px">{escape(self.message)}</div>{line}')

    def _redraw_learning(self) -> None:
        if not hasattr(self, "learn_status"):
            return
        self.chart.value = chart_html(self.rewards)
        lines = [_("Episodes trained: {n}").format(n=self.episodes)]
        if self.episodes:
            best = self.learned_path()
            lines.append(_("Its best path now reaches the dock in {n} steps.").format(n=best.steps)
                         if best.reached else _("Its best path does not reach the dock yet. Train more."))
            lines.append(_("Fell down the stairs: {n} times").format(n=self.train_falls))
            if self.safety_stop:
                lines.append(_("Unsafe moves stopped: {n}").format(n=self.train_prevented))
        self._redraw()
        self.learn_status.value = ('<div style="font-size:18px">'
                                   + "<br>".join(escape(s) for s in lines) + "</div>")


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running this code (a kernel handling a button), else None."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def bench_cases():
    """One user event each, on widgets built once (for ``make bench``)."""
    robot = GridRobot(rules=[("dock_ahead", "forward"), ("wall_ahead", "right"), ("always", "forward")])
    robot.delay = 0
    learner = GridRobot(mode="learn")

    def step():
        if robot.world.done:
            robot.reset()
        robot.step_button.click()

    return [
        ("step", step),
        ("run", lambda: robot.run_button.click()),
        ("reset", lambda: robot.reset_button.click()),
        ("rule dropdown", lambda: setattr(robot.rule_rows[2][1], "value",
                                          "left" if robot.rule_rows[2][1].value != "left" else "forward")),
        ("train 1", lambda: learner.train1_button.click()),
        ("train 50", lambda: learner.train50_button.click()),
        ("exploration slider", lambda: setattr(learner.epsilon_slider, "value",
                                               0.3 if learner.epsilon != 0.3 else 0.2)),
        ("safety checkbox", lambda: setattr(learner.safety_box, "value", not learner.safety_stop)),
    ]
