"""The curriculum catalog: every lesson's entry, read from its front matter.

A lesson lives in ``lessons/<id>-<slug>/`` as ``en.md`` and ``ja.md`` (jupytext MyST).
The ``manabu:`` block of the YAML front matter is the catalog entry.

The catalog's order is the order a class meets the lessons: elementary before junior high, then by
target grade, then by id, so that grade labels rise along the sequence whatever ids new lessons
get. A lesson's optional ``builds_on: [ids]`` names the lessons it relies on; they come earlier
(within a grade, the catalog puts them first).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

BANDS = {"elementary": (3, 6, 45), "junior_high": (7, 9, 50)}  # grades and class-period minutes
BAND_ORDER = tuple(BANDS)  # elementary first
REQUIRED = ("id", "title", "band", "grade", "minutes", "big_ideas", "ai4k12", "objectives",
            "vocabulary")
ID_RE = re.compile(r"^[ej]\d\d$")


class LessonError(Exception):
    """A lesson is missing or its file is broken. The message says which file and what to do."""


@dataclass
class Lesson:
    """One catalog entry (in the language it was read in)."""

    id: str
    folder: Path
    lang: str
    title: str
    band: str
    grade: int
    minutes: int
    big_ideas: list[int]
    ai4k12: list[str]
    objectives: list[str]
    vocabulary: dict[str, str]
    japan: list[str] = field(default_factory=list)
    builds_on: list[str] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.folder / f"{self.lang}.md"


def lessons_dir() -> Path:
    """Where the lesson texts are: ``MANABU_LESSONS``, the wheel's copy, or the repository's."""
    env = os.environ.get("MANABU_LESSONS")
    if env:
        return Path(env)
    packaged = Path(__file__).parent / "_lessons"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "lessons"


def split_front_matter(text: str, path: Path) -> tuple[dict, str]:
    """Return (front matter as a dict, the rest of the text)."""
    import yaml

    if not text.startswith("---"):
        raise LessonError(f"{path}: the file must start with '---' and a YAML front matter block.")
    end = text.find("\n---", 3)
    if end < 0:
        raise LessonError(f"{path}: the front matter has no closing '---' line. Add one.")
    try:
        meta = yaml.safe_load(text[3:end]) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise LessonError(f"{path}: the front matter is not valid YAML{where}: "
                          f"{getattr(err, 'problem', err)}. Fix it and run the command again.") from None
    if not isinstance(meta, dict):
        raise LessonError(f"{path}: the front matter must be a YAML mapping (key: value lines).")
    return meta, text[end + 4:]


def validate_entry(entry: object, path: Path) -> dict:
    """Check the ``manabu:`` block; raise :class:`LessonError` naming each problem."""
    if not isinstance(entry, dict):
        raise LessonError(f"{path}: the front matter needs a 'manabu:' block with the catalog entry.")
    problems = [f"'{key}' is missing" for key in REQUIRED if key not in entry]
    if not problems:
        if not ID_RE.match(str(entry["id"])):
            problems.append(f"id {entry['id']!r} must look like e03 or j10")
        if entry["band"] not in BANDS:
            problems.append(f"band {entry['band']!r} must be one of {', '.join(BANDS)}")
        else:
            low, high, minutes = BANDS[entry["band"]]
            if not (isinstance(entry["grade"], int) and low <= entry["grade"] <= high):
                problems.append(f"grade must be a whole number from {low} to {high}")
            if entry["minutes"] != minutes:
                problems.append(f"minutes must be {minutes} (one class period)")
        for key in ("big_ideas", "ai4k12", "objectives"):
            if not isinstance(entry[key], list) or not entry[key]:
                problems.append(f"'{key}' must be a non-empty list")
        if isinstance(entry["objectives"], list) and not all(isinstance(o, str) for o in entry["objectives"]):
            problems.append("each objective must be one line of text (put it in quotes if it has a "
                            "colon, like \"- 'Explain: ...'\")")
        builds_on = entry.get("builds_on", [])
        if not isinstance(builds_on, list) or not all(ID_RE.match(str(i)) for i in builds_on):
            problems.append("'builds_on' must be a list of lesson ids, like [e03, j01]")
        elif entry["id"] in builds_on:
            problems.append("a lesson cannot build on itself: take its own id out of 'builds_on'")
        vocabulary = entry["vocabulary"]
        if not isinstance(vocabulary, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in vocabulary.items()):
            problems.append("'vocabulary' must be a mapping of word: meaning (text)")
    if problems:
        raise LessonError(f"{path}: the catalog entry is incomplete: " + "; ".join(problems) + ".")
    return entry


def read_entry(folder: Path, lang: str) -> Lesson:
    """Read one lesson's catalog entry in ``lang``."""
    path = folder / f"{lang}.md"
    if not path.exists():
        raise LessonError(f"{path} is missing: every lesson needs en.md and ja.md.")
    meta, _body = split_front_matter(path.read_text(encoding="utf-8"), path)
    entry = validate_entry(meta.get("manabu"), path)
    return Lesson(id=entry["id"], folder=folder, lang=lang, title=entry["title"],
                  band=entry["band"], grade=entry["grade"], minutes=entry["minutes"],
                  big_ideas=list(entry["big_ideas"]), ai4k12=list(entry["ai4k12"]),
                  objectives=list(entry["objectives"]), vocabulary=dict(entry["vocabulary"]),
                  japan=list(entry.get("japan") or []), builds_on=list(entry.get("builds_on") or []))


def lesson_folders(root: Path | None = None) -> dict[str, Path]:
    """{lesson id: folder} for every lesson folder (``e03-draw-and-guess`` → ``e03``)."""
    root = root or lessons_dir()
    if not root.is_dir():
        raise LessonError(f"The lessons folder {root} does not exist. "
                          "Set MANABU_LESSONS to the folder that holds the lessons.")
    folders = {}
    for folder in sorted(root.iterdir()):
        lesson_id = folder.name.split("-", 1)[0]
        if folder.is_dir() and ID_RE.match(lesson_id):
            folders[lesson_id] = folder
    return folders


def closest_ids(wanted: str, ids) -> list[str]:
    """The ids in ``ids`` a mistyped ``wanted`` most likely meant, best first: the same id
    written another way (``e3``, ``E03``, ``e-3`` → ``e03``), else two characters swapped, else
    the most similar (difflib)."""
    import difflib

    ids = list(ids)
    match = re.fullmatch(r"\s*([ejEJ])\s*[-_ ]?\s*0*(\d{1,2})\s*", str(wanted))
    if match:
        same = f"{match.group(1).lower()}{int(match.group(2)):02d}"
        if same in ids:
            return [same]
    wanted = str(wanted).strip().lower()
    swapped = [i for i in ids if sorted(i) == sorted(wanted)]  # e30 → e03
    return swapped or difflib.get_close_matches(wanted, ids, n=3, cutoff=0.6)


def did_you_mean(wanted: str, ids) -> str:
    """"Did you mean e03? " (or "e03 or j03?"), or "" when nothing is close."""
    close = closest_ids(wanted, ids)
    return f"Did you mean {' or '.join(close)}? " if close else ""


def find_lesson(lesson_id: str, lang: str = "en", root: Path | None = None) -> Lesson:
    """The catalog entry of ``lesson_id``; a clear :class:`LessonError` if there is none."""
    folders = lesson_folders(root)
    if lesson_id not in folders:
        known = ", ".join(folders) or "none"
        raise LessonError(f"There is no lesson {lesson_id!r}. {did_you_mean(lesson_id, folders)}"
                          f"Lessons: {known}. Run 'manabu lessons' to see them all.")
    return read_entry(folders[lesson_id], lang)


def catalog_key(lesson: Lesson) -> tuple[int, int, str]:
    """Where a lesson stands in the sequence: (band, grade, id)."""
    return (BAND_ORDER.index(lesson.band), lesson.grade, lesson.id)


def load_catalog(lang: str = "en", root: Path | None = None) -> list[Lesson]:
    """All lessons in ``lang`` in the order a class meets them: elementary first, then junior
    high, each by target grade, then by id (see :func:`catalog_key`); within a grade, a lesson
    others of that grade build on comes first (j11, the Python bridge, before j01)."""
    return sequence(read_entry(folder, lang) for folder in lesson_folders(root).values())


def sequence(lessons) -> list[Lesson]:
    """``lessons`` by :func:`catalog_key`, each one moved after the lessons of its own band and
    grade it ``builds_on`` (a stable topological order; a cycle keeps the key order)."""
    ordered, placed = [], set()
    pending = sorted(lessons, key=catalog_key)
    while pending:
        group = catalog_key(pending[0])[:2]
        same = {lesson.id for lesson in pending if catalog_key(lesson)[:2] == group}
        ready = next((lesson for lesson in pending if catalog_key(lesson)[:2] == group
                      and not (set(lesson.builds_on) & same - placed - {lesson.id})), pending[0])
        pending.remove(ready)
        ordered.append(ready)
        placed.add(ready.id)
    return ordered


def order_problems(lessons: list[Lesson]) -> list[str]:
    """What breaks the sequence of ``lessons`` (in catalog order): a ``builds_on`` lesson that
    does not exist, or that comes at the same place or later."""
    place = {lesson.id: n for n, lesson in enumerate(lessons)}
    problems = []
    for n, lesson in enumerate(lessons):
        for earlier in lesson.builds_on:
            if earlier not in place:
                problems.append(f"{lesson.id} builds on {earlier}, which is not a lesson")
            elif place[earlier] >= n:
                problems.append(f"{lesson.id} builds on {earlier}, which comes later in the catalog "
                                f"(grade {lessons[place[earlier]].grade}, after grade {lesson.grade}): "
                                "lower its grade or change builds_on")
    return problems
