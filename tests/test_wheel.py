"""A wheel built from the repository, installed into a fresh venv, gives a working `manabu`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


# what hatchling leaves out of the wheel on purpose (.gitignore, pyproject.toml's exclude)
LEFT_OUT = re.compile(r"(^|/)(__pycache__|\.ipynb_checkpoints|LC_MESSAGES)/|\.ipynb$|\.pyc$"
                      r"|^course/labextension/")


def source_files() -> dict[str, str]:
    """{path in the wheel: path in the repository} for every file the wheel must carry: each
    module and resource of ``course`` and ``autograder``, and each lesson file (as
    ``course/_lessons/...``, where the installed catalog reads them)."""
    wanted = {}
    for top, inside in (("course", "course"), ("autograder", "autograder"),
                        ("lessons", "course/_lessons")):
        for path in sorted((REPO / top).rglob("*")):
            rel = path.relative_to(REPO).as_posix()
            if path.is_file() and not LEFT_OUT.search(rel):
                wanted[inside + rel[len(top):]] = rel
    return wanted


def test_source_files_notice_a_lesson_file():
    """The list the wheel is checked against holds every lesson's texts and cards."""
    wanted = source_files()
    for folder in (REPO / "lessons").iterdir():
        if folder.is_dir():
            for name in ("en.md", "ja.md"):
                assert f"course/_lessons/{folder.name}/{name}" in wanted
    assert "course/_lessons/e03-draw-and-guess/cards.yaml" in wanted
    assert not [w for w in wanted if "/labextension/" in w or "__pycache__" in w]


def test_wheel_holds_every_file_and_builds_a_lesson(tmp_path):
    """The wheel carries every lesson file and every file of both packages (checked against the
    source tree: a lesson file left out fails here by name); installed into a fresh venv, its
    catalog reads every lesson in both languages from the wheel's copy and its `manabu` builds a
    lesson. (Building each lesson from the same files is test_grading's and the built-course
    fixtures' work: the code is the same, only where the files are differs.)"""
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)],
                   check=True, capture_output=True, timeout=600)
    wheel = next(dist.glob("manabu-*.whl"))
    with zipfile.ZipFile(wheel) as archive:  # the school font travels with its licence
        names = set(archive.namelist())
    assert {"course/fonts/BIZUDPGothic-Regular.ttf", "course/fonts/BIZUDPGothic-Regular.woff2",
            "course/fonts/OFL.txt"} <= names
    missing = sorted(repo for inside, repo in source_files().items() if inside not in names)
    assert missing == [], f"not in the wheel: {missing}"
    # the JupyterLab extension, prebuilt, where JupyterLab looks (as nbgrader ships its own);
    # its sources and toolchain stay out
    lab = "manabu-0.1.0.data/data/share/jupyter/labextensions/@manabu/lab/"
    assert {lab + "package.json"} <= names and any(n.startswith(lab + "static/remoteEntry.") for n in names)
    assert not [n for n in names if n.startswith("course/labextension")]
    # and the school font among Voilà's static files, for the projector (course/render.py)
    assert "manabu-0.1.0.data/data/share/jupyter/voila/templates/base/static/BIZUDPGothic-Regular.woff2" in names
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    # The wheel itself goes in with no dependencies (by the test venv's pip: the fresh venv needs
    # none of its own); those come from the test venv, appended after the fresh venv's own
    # site-packages, so `course` and `autograder` load from the wheel.
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--quiet",
                    "--no-deps", str(wheel)], check=True, capture_output=True, timeout=300)
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "zz_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    where = subprocess.run([str(py), "-c", "import course, autograder; print(course.__file__); "
                            "from course.catalog import lessons_dir, load_catalog; "
                            "print(lessons_dir()); "
                            "import json; print(json.dumps([[l.id for l in load_catalog(lang)] "
                            "for lang in ('en', 'ja')]))"],
                           check=True, capture_output=True, text=True, cwd=tmp_path).stdout
    assert str(site) in where and "_lessons" in where and str(REPO) not in where
    ids = sorted(p.name.split("-")[0] for p in (REPO / "lessons").iterdir() if p.is_dir())
    read = [sorted(lang) for lang in json.loads(where.splitlines()[2])]
    assert read == [ids, ids], where
    # nbgrader's `alembic` command comes with the borrowed dependencies, after the fresh venv's bin/
    env = {"PATH": f"{venv / 'bin'}:{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path)}
    course = tmp_path / "course"
    result = subprocess.run([str(venv / "bin" / "manabu"), "build", "--course", str(course),
                             "--lang", "ja", "e03"], capture_output=True, text=True, cwd=tmp_path,
                            env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(p.name for p in (course / "release").iterdir()) == ["e03"]

