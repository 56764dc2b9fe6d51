"""Personal copies of the student version, for trying a lesson as a student.

``release/<id>/`` is nbgrader's release master: whatever is in it is what the class gets. Trying
the lesson there (autosave!) would hand out the answers, so the start page links to a scratch
copy in ``preview/<id>/`` instead. ``manabu build`` makes it, replaces it when nobody changed
it, and never deletes work in it or in ``release/``: a changed copy is kept, and work found in
``release/<id>/`` is saved into ``preview/<id>/`` before the student version is made again.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from autograder.build.release_guard import fingerprint, folder_fingerprints

PREVIEW_DIR = "preview"


def preview_folder(course_dir: Path, lesson_id: str) -> Path:
    return Path(course_dir) / PREVIEW_DIR / lesson_id


def preview_notebook(course_dir: Path, lesson_id: str) -> Path:
    """``preview/<id>/<id>.ipynb``: what the start page's student link opens."""
    return preview_folder(course_dir, lesson_id) / f"{lesson_id}.ipynb"


def snapshot(folder: Path) -> dict[str, bytes]:
    """{relative path: bytes} of the files in ``folder`` that nbgrader would release."""
    return {name: (folder / name).read_bytes() for name in folder_fingerprints(folder)}


def _aside(path: Path, label: str) -> Path:
    """A free name beside ``path``: ``e03-from-release-20260101-120000.ipynb``."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate, number = path.with_name(f"{path.stem}-{label}-{stamp}{path.suffix}"), 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{label}-{stamp}-{number}{path.suffix}")
    return candidate


def _course_words(course_dir: Path):
    """``_()`` in the language the course was built in (what a teacher reads)."""
    from autograder.build.nbconfig import course_language
    from course.i18n import translator

    return translator(course_language(Path(course_dir)))


def keep_release_work(course_dir: Path, lesson_id: str, old: dict[str, bytes],
                      reference: dict[str, str], log=print) -> list[Path]:
    """Save the files of an old ``release/<id>/`` (``old``, from :func:`snapshot`) that differ
    from ``reference`` (fingerprints of the student version as built) into ``preview/<id>/``,
    so making the student version again loses nobody's work. Returns the saved files."""
    saved = []
    for name, data in old.items():
        if fingerprint(data, name) == reference.get(name):
            continue
        original = preview_folder(course_dir, lesson_id) / name
        if any(p.read_bytes() == data for p in original.parent.glob(
                f"{original.stem}-from-release-*{original.suffix}")):
            continue  # saved by an earlier build that then failed
        target = _aside(original, "from-release")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        saved.append(target)
        log("  " + _course_words(course_dir)(
            "release/{lesson}/{name} had changes (somebody worked in it): kept as {path}").format(
                lesson=lesson_id, name=name, path=target.relative_to(course_dir)))
    return saved


def refresh_preview(course_dir: Path, lesson_id: str, built_before: dict[str, str] | None,
                    log=print) -> bool:
    """After a build: copy the new student version into ``preview/<id>/`` unless somebody
    changed the copy there (it no longer matches the student version it was made from, or that
    is unknown). True if the copy is now the new student version."""
    folder = preview_folder(course_dir, lesson_id)
    release = Path(course_dir) / "release" / lesson_id
    new = snapshot(release)
    mine = folder_fingerprints(folder)
    reference = built_before or {name: fingerprint(data, name) for name, data in new.items()}
    changed = [name for name in new if name in mine and mine[name] != reference.get(name)]
    if changed:
        log("  " + _course_words(course_dir)(
            "{path} has changes: kept (a fresh copy: {command})").format(
                path=f"{PREVIEW_DIR}/{lesson_id}/{changed[0]}",
                command=f"manabu preview {lesson_id} --fresh --course {course_dir}"))
        return False
    _copy(new, folder)
    return True


def make_preview(course_dir: Path, lesson_id: str, fresh: bool = False, log=print) -> Path:
    """``manabu preview``: the personal copy of a built lesson's student version, made if missing;
    with ``fresh``, made again from the student version (a changed copy is kept beside it)."""
    from autograder.paths import CourseError, missing_lesson

    release = Path(course_dir) / "release" / lesson_id
    if not release.is_dir():
        raise CourseError(missing_lesson(Path(course_dir), lesson_id))
    folder = preview_folder(course_dir, lesson_id)
    new = snapshot(release)
    mine = folder_fingerprints(folder)
    _ = _course_words(course_dir)
    if mine and not fresh:
        log(_("Your copy is {path} (kept as it is; --fresh makes a clean one).").format(
            path=preview_notebook(course_dir, lesson_id)))
        return preview_notebook(course_dir, lesson_id)
    for name in new:
        if name in mine and mine[name] != fingerprint(new[name], name):
            target = _aside(folder / name, "before")
            (folder / name).rename(target)
            log(_("Your changes are kept in {path}.").format(path=target))
    _copy(new, folder)
    log(_("A fresh copy of the student version: {path}").format(
        path=preview_notebook(course_dir, lesson_id)))
    return preview_notebook(course_dir, lesson_id)


def _copy(files: dict[str, bytes], folder: Path) -> None:
    for name, data in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
