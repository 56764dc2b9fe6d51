"""Release only the student version the build made.

The build (``manabu build``, or nbgrader's Generate in the Formgrader) records a fingerprint of
``release/<id>/`` in ``.manabu/release-<id>.json``. Releasing (Formgrader, ``nbgrader
release_assignment``) goes through :class:`autograder.school.exchange.CheckedReleaseAssignment`, which
asks :func:`refusal` and refuses a release
folder that no longer matches: somebody worked in it (typed answers, ran cells), so handing it
out could give the class the answers. The course's ``nbgrader_config.py`` names both hooks::

    c.ExchangeFactory.release_assignment = "autograder.school.exchange.CheckedReleaseAssignment"
    c.GenerateAssignment.post_convert_hook = "autograder.build.release_guard.record_generated"
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from pathlib import Path

from autograder.paths import write_atomic

IGNORED = (".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback")  # what nbgrader skips


def manifest_path(course_dir: Path, lesson_id: str) -> Path:
    return Path(course_dir) / ".manabu" / f"release-{lesson_id}.json"


def fingerprint(data: bytes, name: str) -> str:
    """SHA-256 of a file's bytes; for a notebook (``name`` ends in .ipynb), of what matters to a
    student: each cell's type, source, outputs and nbgrader metadata (so re-saving an unchanged
    notebook changes nothing, but a typed answer or a run cell does)."""
    if name.endswith(".ipynb"):
        try:
            nb = json.loads(data.decode("utf-8"))
            cells = [[c.get("cell_type"), _text(c.get("source", "")),
                      c.get("outputs", []), (c.get("metadata") or {}).get("nbgrader")]
                     for c in nb["cells"]]
            data = json.dumps(cells, sort_keys=True, ensure_ascii=False).encode("utf-8")
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # a damaged notebook: its bytes
    return hashlib.sha256(data).hexdigest()


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def folder_fingerprints(folder: Path) -> dict[str, str]:
    """{relative path: fingerprint} of the files nbgrader would release from ``folder``."""
    out = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(fnmatch.fnmatch(part, pattern) for part in rel.parts for pattern in IGNORED):
            continue
        if path.is_file():
            out[rel.as_posix()] = fingerprint(path.read_bytes(), path.name)
    return out


def record_release(course_dir: Path, lesson_id: str) -> Path:
    """Remember ``release/<id>/`` as built (called right after it was generated)."""
    files = folder_fingerprints(Path(course_dir) / "release" / lesson_id)
    path = manifest_path(course_dir, lesson_id)
    write_atomic(path, json.dumps({"lesson": lesson_id, "files": files}, indent=1))
    return path


def recorded(course_dir: Path, lesson_id: str) -> dict[str, str] | None:
    """The fingerprints recorded at the last build, or None if there are none."""
    try:
        return json.loads(manifest_path(course_dir, lesson_id).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def release_changes(course_dir: Path, lesson_id: str) -> list[str] | None:
    """The files of ``release/<id>/`` that differ from what the build made ([] if none);
    None if the build recorded nothing for this lesson."""
    built = recorded(course_dir, lesson_id)
    if built is None:
        return None
    now = folder_fingerprints(Path(course_dir) / "release" / lesson_id)
    return sorted(name for name in set(built) | set(now) if built.get(name) != now.get(name))


def refusal(course_dir: Path, lesson_id: str) -> str | None:
    """Why ``release/<id>/`` must not be released, with what to do; None if it may be."""
    changes = release_changes(course_dir, lesson_id)
    rebuild = (f"Make it again from the lesson text: manabu build --course {course_dir} {lesson_id} "
               f"(the work found in release/ is kept in preview/{lesson_id}/), then release again "
               f"(an assignment of your own: Generate it again in the Formgrader). To try a "
               f"lesson as a student, use your own copy: manabu preview {lesson_id} --course "
               f"{course_dir}.")
    if changes is None:
        return (f"release/{lesson_id} was not recorded when it was built, so Manabu cannot tell "
                f"whether it holds answers. Not released. {rebuild}")
    if changes:
        return (f"release/{lesson_id} is not the student version the build made: "
                f"{', '.join(changes[:5])} changed (somebody worked in it). Releasing it could "
                f"hand out answers, so it was not released. {rebuild}")
    return None


def record_generated(assignment: str, student: str, notebooks: list[str]) -> None:
    """``GenerateAssignment.post_convert_hook``: record what nbgrader just generated.
    nbgrader passes the source notebooks (``<course>/source/<id>/<name>.ipynb``)."""
    if notebooks:
        source = Path(notebooks[0]).absolute()
        record_release(source.parents[2], source.parent.name)
