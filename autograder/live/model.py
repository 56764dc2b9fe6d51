"""What the live class view knows: per class, lesson, student and exercise, the state of the
exercise, how many times its check ran, and when it last changed.

States, in the order a child usually goes through them:

* ``not_started``: no cell of the exercise has run;
* ``answered``: the answer cell ran without an error, and its check has not run since;
* ``trying``: the last check did not pass, or the answer cell ended with an error;
* ``form_ok``: the last visible check passed (the form is right; the teacher's hidden checks
  decide the points, so this never says "correct").

An event comes from one student's kernel and can only be about that student (the server takes
the student's name from their token, never from the event).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

STATES = ("not_started", "answered", "trying", "form_ok")
EVENT_KINDS = ("answer", "check")
LESSON_ID = re.compile(r"^[a-z][a-z0-9]{0,15}$")
EXERCISE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_EXERCISES = 40        # a lesson has about five: more is a forged event
RECENT_SECONDS = 15 * 60  # "hardest right now": only what changed in the last quarter hour


class BadEvent(ValueError):
    """An event the view cannot use; the message says what is wrong with it."""


@dataclass(frozen=True)
class Event:
    """One run of a graded cell in a student's kernel."""

    lesson: str
    exercise: str
    kind: str              # "answer" (the answer cell ran) or "check" (its test cell ran)
    ok: bool               # the cell ran without an error (a check: it passed)
    exercises: tuple = ()  # the lesson's exercises, in order, as the student's notebook has them


def parse_event(raw: object) -> Event:
    """The event in ``raw`` (a JSON object from a kernel), checked; :class:`BadEvent` if unusable."""
    if not isinstance(raw, dict):
        raise BadEvent("an event is a JSON object")
    lesson, exercise, kind, ok = (raw.get(k) for k in ("lesson", "exercise", "kind", "ok"))
    if not (isinstance(lesson, str) and LESSON_ID.match(lesson)):
        raise BadEvent("lesson: a lesson id like e03")
    if not (isinstance(exercise, str) and EXERCISE_ID.match(exercise)):
        raise BadEvent("exercise: a grade id like e03-ex1-check")
    if kind not in EVENT_KINDS or not isinstance(ok, bool):
        raise BadEvent("kind: answer or check; ok: true or false")
    listed = raw.get("exercises") or []
    if not (isinstance(listed, list) and len(listed) <= MAX_EXERCISES
            and all(isinstance(e, str) and EXERCISE_ID.match(e) for e in listed)):
        raise BadEvent(f"exercises: up to {MAX_EXERCISES} grade ids")
    return Event(lesson, exercise, kind, ok, tuple(dict.fromkeys(listed)))


def next_state(state: str, event: Event) -> str:
    """The state an exercise goes to when ``event`` happens in it."""
    if event.kind == "check":
        return "form_ok" if event.ok else "trying"
    return "answered" if event.ok else "trying"


class LiveState:
    """The state of every class's lessons; thread-safe; kept in ``path`` (JSON) if given, so a
    restart of the service keeps the view."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.dirty = False
        # class -> lesson -> {"exercises": [...], "students": {name: {exercise: cell}}}
        # cell = [state, attempts, failed attempts, updated (epoch seconds)]
        self.classes: dict[str, dict[str, dict]] = {}
        if path is not None and path.exists():
            try:
                self.classes = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):  # a damaged file: start empty rather than not at all
                self.classes = {}

    def record(self, class_id: str, student: str, event: Event, known: list[str] | None = None,
               now: float | None = None) -> bool:
        """Record ``event`` of ``student`` in ``class_id``. ``known``: the lesson's exercises as
        released (when the server can read them); an exercise not among them is refused (False)."""
        now = time.time() if now is None else now
        if known and event.exercise not in known:
            return False
        if not known and event.exercises and event.exercise not in event.exercises:
            return False
        with self.lock:
            lesson = self.classes.setdefault(class_id, {}).setdefault(
                event.lesson, {"exercises": [], "students": {}})
            order = list(known or event.exercises or [])
            if order and order != lesson["exercises"] and (known or not lesson["exercises"]):
                lesson["exercises"] = order  # the released order; else the first one heard
            if event.exercise not in lesson["exercises"]:
                if len(lesson["exercises"]) >= MAX_EXERCISES:
                    return False
                lesson["exercises"].append(event.exercise)
            cells = lesson["students"].setdefault(student, {})
            state, attempts, fails, _ = cells.get(event.exercise, ["not_started", 0, 0, 0])
            if event.kind == "check":
                attempts += 1
                fails += 0 if event.ok else 1
            cells[event.exercise] = [next_state(state, event), attempts, fails, now]
            self.dirty = True
        return True

    def lessons(self, class_id: str) -> list[str]:
        """The lessons of ``class_id`` that have events, most recently active first."""
        with self.lock:
            lessons = self.classes.get(class_id, {})
            last = {lid: max((c[3] for s in data["students"].values() for c in s.values()),
                             default=0) for lid, data in lessons.items()}
        return sorted(last, key=lambda lid: -last[lid])

    def view(self, class_id: str, lesson: str, students: list[str],
             now: float | None = None) -> dict:
        """What the teacher's page shows for ``lesson``: one row per student of the class (those
        in ``students`` first, in that order, then any others heard from), the exercises, and the
        hardest exercise right now (the most students trying, then the most failed checks)."""
        now = time.time() if now is None else now
        with self.lock:
            data = json.loads(json.dumps(self.classes.get(class_id, {}).get(
                lesson, {"exercises": [], "students": {}})))
        exercises = data["exercises"]
        heard = data["students"]
        names = list(dict.fromkeys([*students, *sorted(heard)]))
        rows = []
        for name in names:
            cells = heard.get(name, {})
            rows.append({"student": name, "cells": [
                dict(zip(("state", "attempts", "fails", "updated"),
                         cells.get(ex, ["not_started", 0, 0, 0]), strict=True))
                for ex in exercises]})
        trying = {ex: [0, 0] for ex in exercises}
        for row in rows:
            for ex, cell in zip(exercises, row["cells"], strict=True):
                if cell["state"] == "trying" and now - cell["updated"] <= RECENT_SECONDS:
                    trying[ex][0] += 1
                    trying[ex][1] += cell["fails"]
        busiest = max(exercises, key=lambda ex: trying[ex], default=None)
        hardest = None
        if busiest is not None and trying[busiest][0]:
            hardest = {"exercise": busiest, "trying": trying[busiest][0],
                       "fails": trying[busiest][1]}
        counts = {state: sum(c["state"] == state for r in rows for c in r["cells"])
                  for state in STATES}
        return {"lesson": lesson, "exercises": exercises, "rows": rows, "hardest": hardest,
                "counts": counts, "now": now}

    def save(self) -> None:
        """Write the state to ``path`` if it changed (atomically: a crash never leaves half a
        file). Called every few seconds by the server, not per event."""
        if self.path is None or not self.dirty:
            return
        with self.lock:
            text = json.dumps(self.classes, ensure_ascii=False, separators=(",", ":"))
            self.dirty = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".live-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, self.path)


def exercise_label(lesson: str, exercise: str) -> str:
    """A short column name: ``e03-ex1-check`` -> ``ex1``."""
    label = exercise.removeprefix(lesson + "-")
    return label.removesuffix("-check") or exercise
