"""``make bench``: how long the live class view takes to take a class's events and to answer the
page's poll (the real hub's numbers, with HTTP and OAuth, are in build/hub-measurements.json
after tests/test_hub.py)."""

from __future__ import annotations

import json
import statistics
import time

from autograder.live.core import lesson_data
from autograder.live.model import LiveState, parse_event


def bench_live(students: int = 40, exercises: int = 6, polls: int = 50) -> dict:
    """Record a lesson's worth of events for ``students`` and time the page's poll."""
    names = [f"s{i:02d}" for i in range(students)]
    ids = [f"e03-ex{i}-check" for i in range(1, exercises + 1)]
    state = LiveState()
    started = time.perf_counter()
    count = 0
    for n, name in enumerate(names):
        for i, ex in enumerate(ids):
            for kind, ok in (("answer", True), ("check", False), ("check", (n + i) % 3 > 0)):
                state.record("5a", name, parse_event({"lesson": "e03", "exercise": ex,
                                                      "kind": kind, "ok": ok, "exercises": ids}))
                count += 1
    per_event = (time.perf_counter() - started) / count
    times = []
    for _ in range(polls):
        started = time.perf_counter()
        body = json.dumps(lesson_data(state, "5a", None, names, None))
        times.append(time.perf_counter() - started)
    return {"students": students, "exercises": exercises,
            "event_us": round(per_event * 1e6, 1),
            "poll_ms": round(statistics.median(times) * 1000, 2),
            "poll_bytes": len(body.encode())}
