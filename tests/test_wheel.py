"""A wheel built from the repository, installed into a fresh venv, gives a working `manabu`."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def test_wheel_installs_and_builds_every_lesson(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)],
                   check=True, capture_output=True, timeout=600)
    wheel = next(dist.glob("manabu-*.whl"))
    with zipfile.ZipFile(wheel) as archive:  # the school font travels with its licence
        names = set(archive.namelist())
    assert {"course/fonts/BIZUDPGothic-Regular.ttf", "course/fonts/OFL.txt"} <= names
    # the JupyterLab extension, prebuilt, where JupyterLab looks (as nbgrader ships its own);
    # its sources and toolchain stay out
    lab = "manabu-0.1.0.data/data/share/jupyter/labextensions/@manabu/lab/"
    assert {lab + "package.json"} <= names and any(n.startswith(lab + "static/remoteEntry.") for n in names)
    assert not [n for n in names if n.startswith("course/labextension")]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    # The wheel itself goes in with no dependencies; those come from the test venv, appended
    # after the fresh venv's own site-packages, so `course` and `autograder` load from the wheel.
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)],
                   check=True, capture_output=True, timeout=300)
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "zz_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    where = subprocess.run([str(py), "-c", "import course, autograder; print(course.__file__); "
                            "from course.catalog import lessons_dir; print(lessons_dir())"],
                           check=True, capture_output=True, text=True, cwd=tmp_path).stdout
    assert str(site) in where and "_lessons" in where and str(REPO) not in where
    # nbgrader's `alembic` command comes with the borrowed dependencies, after the fresh venv's bin/
    env = {"PATH": f"{venv / 'bin'}:{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path)}
    course = tmp_path / "course"
    result = subprocess.run([str(venv / "bin" / "manabu"), "build", "--course", str(course),
                             "--lang", "ja"], capture_output=True, text=True, cwd=tmp_path, env=env,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    lessons = sorted(p.name for p in (REPO / "lessons").iterdir() if p.is_dir())
    built = sorted(p.name for p in (course / "release").iterdir())
    assert built == sorted(name.split("-")[0] for name in lessons)
