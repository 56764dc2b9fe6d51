"""The student's own score, machine-readable inside the feedback page nbgrader releases to them.

nbgrader releases only the feedback HTML (``feedback/<student>/<lesson>/<notebook>.html``) to the
exchange, and the student fetches only that file; so the score travels in the page itself, in
its ``<head>``::

    <script type="application/json" id="manabu-score">
    {"format": "manabu-score/1", "lesson": "e03", "notebook": "e03",
     "score": 5.0, "max_score": 7.0, "pending_points": 2.0, "late_penalty": 0.0}
    </script>

``score`` is what nbgrader counted (late penalty already taken off); ``pending_points`` are the
points of written answers the teacher has not read yet (never counted as zero: the score so far
is ``score`` / ``max_score - pending_points``). The "My lessons" panel reads it from the copy the
student fetched (:func:`read_score`), never from the gradebook.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

FORMAT = "manabu-score/1"
ELEMENT_ID = "manabu-score"
# attributes in any order: Manabu's HTML cleaning (grading) may rewrite the tag
_TAG = re.compile(r'<script\b[^>]*\bid="manabu-score"[^>]*>(.*?)</script>', re.S)


def score_record(resources: dict, pending_points: float) -> dict:
    """The score of one feedback notebook from nbgrader's ``resources`` (after ``GetGrades``)."""
    info = resources.get("nbgrader", {})
    return {"format": FORMAT, "lesson": str(info.get("assignment", "")),
            "notebook": str(info.get("notebook", "")),
            "score": round(float(info.get("score") or 0), 2),
            "max_score": round(float(info.get("max_score") or 0), 2),
            "pending_points": round(float(pending_points), 2),
            "late_penalty": round(float(info.get("late_penalty") or 0), 2)}


def score_tag(record: dict) -> str:
    """``record`` as the ``<script>`` element the feedback template puts in its head."""
    text = json.dumps(record, ensure_ascii=True, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="{ELEMENT_ID}">{text}</script>'


def read_score(path: Path) -> dict | None:
    """The score record in a fetched feedback page, or None if it has none (an older Manabu's
    or nbgrader's own page) or it cannot be read."""
    try:
        match = _TAG.search(Path(path).read_text(encoding="utf-8", errors="replace"))
        record = json.loads(match.group(1)) if match else None
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        return None
    try:
        for key in ("score", "max_score", "pending_points"):
            record[key] = float(record.get(key) or 0)
    except (TypeError, ValueError):
        return None
    return record


def total(records: list[dict]) -> dict:
    """One lesson's score over its notebooks (a Manabu lesson has one)."""
    return {key: round(sum(r[key] for r in records), 2)
            for key in ("score", "max_score", "pending_points")}
