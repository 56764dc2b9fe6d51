"""``PathFinder``: a robot plans its way to the dock on a grid map, one square per click (e09).

The search is :class:`course.models.search.SearchSteps`. Squares it has looked at are blue and
show how many steps they are from the robot; squares it has found but not looked at yet (the
frontier) are orange with a ring; the way it found is yellow with a dot. Never colour alone: each
kind has its own mark, and the legend names them.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as widgets
import traitlets

from course.i18n import _
from course.models.search import MAPS, ORDERS, SearchSteps
from course.render import scoped_style, style_widget
from course.style import OKABE_ITO

CSS = scoped_style("manabu-search")
LOOKED = "#cfe6f5"                       # a light sky blue: dark text reads on it
LOOK = {  # kind: (mark, background, text colour)
    "wall": ("▦", OKABE_ITO["black"], "#fff"), "stairs": ("⚠", OKABE_ITO["vermillion"], "#fff"),
    "dock": ("⌂", OKABE_ITO["bluish_green"], "#fff"), "robot": ("▶", OKABE_ITO["sky_blue"], "#000"),
    "looked": ("", LOOKED, "#000"), "waiting": ("◯", OKABE_ITO["orange"], "#000"),
    "way": ("●", OKABE_ITO["yellow"], "#000"), "floor": ("", "#fff", "#000"),
}


def kind_names() -> dict[str, str]:
    return {"wall": _("wall"), "stairs": _("stairs"), "dock": _("dock"), "robot": _("robot"),
            "looked": _("looked at (steps from the robot)"), "waiting": _("found, waiting to be looked at"),
            "way": _("the way it found"), "floor": _("floor")}


def order_labels() -> dict[str, str]:
    return {"breadth": _("In the order found (a wave)"), "nearest": _("Nearest to the dock first")}


def map_html(search: SearchSteps, cell: int = 40, numbers: bool = True) -> str:
    """The map as an HTML grid; with ``numbers``, looked-at squares show their steps from the robot."""
    names = kind_names()
    waiting, way = set(search.frontier_), set(search.path_)
    looked = set(search.visited_)
    last = search.visited_[-1] if search.visited_ else None
    parts = []
    for r, row in enumerate(search.rows_):
        for c, ch in enumerate(row):
            square = (r, c)
            kind = ("wall" if ch == "#" else "stairs" if ch == "S" else "robot" if square == search.start_
                    else "dock" if square == search.goal_ else "way" if square in way
                    else "waiting" if square in waiting else "looked" if square in looked else "floor")
            mark, bg, fg = LOOK[kind]
            if numbers and kind in ("looked", "way") and square in search.steps_from_start_:
                mark = f"{mark}{search.steps_from_start_[square]}"
            ring = "outline:3px solid #000;outline-offset:-3px;" if square == last else ""
            parts.append(f'<div title="{escape(names[kind])}" style="background:{bg};color:{fg};{ring}'
                         "display:flex;align-items:center;justify-content:center;font-size:18px;"
                         f'border:1px solid #bbb">{mark}</div>')
    label = _("The map: {looked} squares looked at, {waiting} waiting, way found: {way}").format(
        looked=len(search.visited_), waiting=len(search.frontier_),
        way=_("{n} steps").format(n=len(search.path_) - 1) if search.path_ else _("not yet"))
    return (f'<div role="img" aria-label="{escape(label)}" style="display:grid;'
            f"grid-template-columns:repeat({len(search.rows_[0])},minmax(28px,{cell}px));"
            f'grid-auto-rows:{cell}px;max-width:max-content">{"".join(parts)}</div>')


def legend_html(kinds=("wall", "stairs", "robot", "dock", "looked", "waiting", "way")) -> str:
    names = kind_names()
    return '<div style="font-size:16px;margin-top:4px;display:flex;flex-wrap:wrap;gap:4px 12px">' + "".join(
        f'<span style="white-space:nowrap"><span style="display:inline-block;min-width:22px;text-align:center;'
        f'background:{LOOK[k][1]};color:{LOOK[k][2]};border:1px solid #bbb">{LOOK[k][0] or "1"}</span> '
        f"{escape(names[k])}</span>" for k in kinds) + "</div>"


def show_map(room: str = "small") -> widgets.HTML:
    """A map with nothing searched yet (for counting by hand), with its legend."""
    search = SearchSteps().start(MAPS.get(room, room))
    return widgets.HTML(CSS + map_html(search) + legend_html(("wall", "stairs", "robot", "dock")))


class PathFinder(widgets.VBox):
    """Plan the robot's way to the dock by searching the map, one square per press.

    Example::

        finder = PathFinder("room")
        finder.order = "nearest"     # same as the order buttons
        finder.step()                # "Look at 1 square"
        finder.run()                 # "Run to the end"
        finder.looked, finder.way_steps
    """

    order = traitlets.Unicode("breadth", help="Which waiting square is looked at next: "
                              "'breadth' (first found first) or 'nearest' (nearest to the dock first).")
    looked = traitlets.Int(0, help="How many squares the search has looked at.")
    way_steps = traitlets.Int(-1, help="Steps on the way found, -1 before it is found.")

    def __init__(self, room: str = "room", order: str = "breadth", choose_order: bool = True):
        self.room = MAPS.get(room, room)
        self.choose = widgets.ToggleButtons(options=[(order_labels()[o], o) for o in ORDERS], value=order,
                                            description=_("Look next at:"),
                                            style={"description_width": "initial", "button_width": "auto"})
        self.choose.add_class("manabu-search-order")
        self.step_button = widgets.Button(description=_("Look at 1 square"))
        self.run_button = widgets.Button(description=_("Run to the end"))
        self.reset_button = widgets.Button(description=_("Start again"))
        for button, name in ((self.step_button, "step"), (self.run_button, "run"), (self.reset_button, "reset")):
            button.layout = widgets.Layout(width="auto", min_width="148px")
            button.add_class(f"manabu-search-{name}")
        self.step_button.on_click(lambda _b: self.step())
        self.run_button.on_click(lambda _b: self.run())
        self.reset_button.on_click(lambda _b: self.reset())
        self.output = widgets.HTML()
        self.output.add_class("manabu-search-out")
        top = [self.choose] if choose_order else []
        super().__init__([*top, widgets.HBox([self.step_button, self.run_button, self.reset_button],
                                             layout=widgets.Layout(flex_flow="row wrap")), self.output,
                          style_widget("manabu-search")])
        self.add_class("manabu-search")
        self.order = order
        widgets.link((self.choose, "value"), (self, "order"))
        self.reset()

    @traitlets.observe("order")
    def _on_order(self, change) -> None:
        if hasattr(self, "search"):
            self.reset()

    def reset(self) -> None:
        """Start the search again from the robot (the "Start again" button)."""
        self.search = SearchSteps(self.order).start(self.room)
        self.message = _("Press “Look at 1 square”. The search starts at the robot.")
        self._update()

    def step(self) -> None:
        """Look at one more square (the "Look at 1 square" button)."""
        self.search.step()
        self._update()

    def run(self) -> None:
        """Look at squares until the dock is found (the "Run to the end" button)."""
        self.search.run()
        self._update()

    def _update(self) -> None:
        s = self.search
        self.looked = len(s.visited_)
        self.way_steps = len(s.path_) - 1 if s.found_ else -1
        if s.found_:
            self.message = _("Found the dock! The way is {n} steps. The search looked at {k} squares.").format(
                n=self.way_steps, k=self.looked)
        elif s.done_:
            self.message = _("No way to the dock: every square it can reach was looked at.")
        elif s.visited_:
            self.message = (_("Looked at 1 square. {w} squares are waiting.") if self.looked == 1 else
                            _("Looked at {k} squares. {w} squares are waiting.")).format(
                k=self.looked, w=len(s.frontier_))
        self.step_button.disabled = self.run_button.disabled = s.done_
        counts = (f'<div style="font-size:18px">{escape(_("Squares looked at"))}: <b>{self.looked}</b> · '
                  f'{escape(_("Waiting"))}: <b>{len(s.frontier_)}</b> · {escape(_("Way found"))}: <b>'
                  + escape(_("{n} steps").format(n=self.way_steps) if s.found_ else _("not yet")) + "</b></div>")
        self.output.value = (f'<div class="manabu-search-message" style="font-size:18px;font-weight:bold">'
                             f"{escape(self.message)}</div>{counts}{map_html(s)}{legend_html()}")


def bench_cases() -> list[tuple[str, Callable[[], None]]]:
    """One user event each, on a widget built once beforehand (for ``make bench``)."""
    finder = PathFinder("maze")

    def step() -> None:
        if finder.search.done_:
            finder.reset()
        finder.step()

    orders = iter(list(ORDERS) * 500)

    def switch() -> None:
        finder.order = next(orders)

    return [("search: look at 1 square", step), ("search: run to the end", finder.run_button.click),
            ("search: start again", finder.reset_button.click), ("search: change the order", switch)]
