"""What the hub service and the ``make lab`` extension share: the state, where a lesson's released
exercises are read, and the JSON the page polls."""

from __future__ import annotations

import json
from pathlib import Path

from autograder.live.model import LESSON_ID, BadEvent, LiveState, parse_event
from autograder.live.page import data_json
from course.live import notebook_exercises

MAX_BODY = 8192  # an event is a few hundred bytes
SAVE_SECONDS = 3

_released: dict[str, tuple[float, list[str]]] = {}


def released_exercises(folder: Path, lesson: str) -> list[str]:
    """The exercises of ``lesson`` as released in ``folder`` (``<folder>/<lesson>/<lesson>.ipynb``),
    read again only when the file changed; [] when it cannot be read."""
    path = folder / lesson / f"{lesson}.ipynb"
    try:
        mtime = path.stat().st_mtime
        cached = _released.get(str(path))
        if cached and cached[0] == mtime:
            return cached[1]
        found = notebook_exercises(json.loads(path.read_text(encoding="utf-8")))["exercises"]
    except (OSError, ValueError, AttributeError, TypeError):
        return []
    _released[str(path)] = (mtime, found)
    return found


def read_event(body: bytes):
    """The event in a request body; :class:`BadEvent` with the reason if it cannot be used."""
    if len(body) > MAX_BODY:
        raise BadEvent("an event is at most 8 KB")
    try:
        raw = json.loads(body)
    except ValueError as err:
        raise BadEvent("the body is not JSON") from err
    return parse_event(raw)


def lesson_data(state: LiveState, class_id: str, lesson: str | None, students: list[str],
                released: Path | None) -> dict:
    """The page's JSON for ``lesson`` of ``class_id`` (the most recently active one if None)."""
    lessons = state.lessons(class_id)
    if not (lesson and LESSON_ID.match(lesson)):
        lesson = lessons[0] if lessons else ""
    view = state.view(class_id, lesson, students)
    if released is not None and lesson and not view["exercises"]:
        known = released_exercises(released, lesson)  # released, nobody started yet
        view = {**view, "exercises": known,
                "rows": [{**row, "cells": [{"state": "not_started", "attempts": 0, "fails": 0,
                                            "updated": 0}] * len(known)} for row in view["rows"]]}
    return data_json(view, lessons)

