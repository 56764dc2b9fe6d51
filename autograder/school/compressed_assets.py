"""A lesson page's code goes to the browser gzip-compressed (``make lab`` and the hub image enable
this server extension).

Jupyter Server sends its static files as they are (jupyterlab/jupyterlab#13189): a child's
first visit to a lesson fetches 7.6 MB, most of it JupyterLab's JavaScript, and a class of 35
opening their first lesson together pulls 260 MB through the classroom's Wi-Fi. Compressed, the
same page is about a quarter of that. Two parts:

- **static files** (JupyterLab's, every extension's, the server's own): each file is compressed
  once per version (gzip level 9, in a thread) into a cache folder, then served from there like
  any static file (the same Last-Modified and caching headers, 304s, HEAD), with
  ``Content-Encoding: gzip`` to a browser that accepts it. The cache is the install's
  (``python -m autograder.school.compressed_assets`` fills it when the hub image is built, so a
  child's server compresses nothing) or, where that one cannot be written, the user's. A file
  changed on disk is a new version (path, modification time and size name the copy). A range
  request, a type that does not compress (pictures, fonts) or a file outside the handler's folders
  is served as before.
- **JavaScript starts compiling before it runs**: each copy of a script begins with V8's compile
  hint, ``//# allFunctionsCalledOnLoad`` (Chromium 136 and later, so every Chromebook; other
  engines read a comment). Chromium then compiles the script's functions on a background thread
  as the file arrives, instead of on the page's one main thread the first time each is called,
  and JupyterLab calls most of its code as a page starts (see ``COMPILE_HINT``). Only copies
  carry it: a file sent as it is (small, a range, a browser without gzip) is unchanged.
- **everything else the server answers** (the settings of every plugin, a notebook's contents):
  compressed as it is sent (tornado's ``compress_response``, but never a range request), which
  also adds ``Vary: Accept-Encoding`` to every answer for caches.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import mimetypes
import os
import sys
import tempfile
from pathlib import Path

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.base.handlers import FileFindHandler
from tornado.web import GZipContentEncoding

MIN_SIZE = 1024  # smaller files gain less than the headers cost (tornado's MIN_LENGTH too)
WORTH_IT = 0.9  # a copy must save at least a tenth, or the file is sent as it is
LEVEL = 9  # once per file version, so the smallest copy gzip makes
# Put before the code of every script's copy: V8 compiles all of the script's functions at once,
# off the main thread, as the script streams in (v8.dev/blog/explicit-compile-hints). Measured on
# lesson pages at 4x CPU, first visit, alternating with copies without it (e01 e05 j03 j04 j10
# j13, 3 each): the page's main thread worked 0.8-1.5 s less until the notebook was drawn, which
# was drawn 0.6-1.4 s sooner, usable 0.2-1.2 s sooner (medians); the JavaScript heap then held
# about 10 MB more (compiled functions never called).
COMPILE_HINT = b"//# allFunctionsCalledOnLoad\n"
SCRIPT_TYPES = {"application/javascript", "text/javascript"}
# the copies' format: part of their names, so copies made before a change are never served
FORMAT = "2"  # 2: scripts begin with COMPILE_HINT


def compressible(content_type: str) -> bool:
    """Types worth compressing: text, JavaScript, JSON, XML, SVG (tornado's list), WebAssembly."""
    kind = content_type.split(";")[0].strip().lower()
    return (kind.startswith("text/") or kind in GZipContentEncoding.CONTENT_TYPES
            or kind == "application/wasm")


CACHE_ENV = "MANABU_ASSET_CACHE"  # one folder instead of the two below (tests, an admin's choice)


def cache_dirs() -> list[Path]:
    """Where compressed copies are looked for, in order: the install's, then the user's (or the
    one folder ``$MANABU_ASSET_CACHE`` names)."""
    if os.environ.get(CACHE_ENV):
        return [Path(os.environ[CACHE_ENV])]
    folders = [Path(sys.prefix) / "share" / "manabu" / "gzip"]
    try:
        folders.append(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                       / "manabu" / "gzip")
    except RuntimeError:  # no home (a container's user without one): the install's only
        pass
    return folders


def copy_name(path: str, stat: os.stat_result) -> str:
    """The cache file name of one version of ``path``: the copies' :data:`FORMAT`, its absolute
    path, modification time and size (a changed file gets a new name, so a stale copy is never
    served)."""
    key = f"{FORMAT}\0{os.path.abspath(path)}\0{stat.st_mtime_ns}\0{stat.st_size}"
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:40] + ".gz"


def served_bytes(path: str, data: bytes) -> bytes:
    """What a copy holds of the file ``path`` read as ``data``: a script begins with
    :data:`COMPILE_HINT` (once), anything else is as it is."""
    if mimetypes.guess_type(path)[0] in SCRIPT_TYPES and not data.startswith(COMPILE_HINT):
        return COMPILE_HINT + data
    return data


def find_copy(path: str, stat: os.stat_result, dirs: list[Path]) -> Path | None:
    """The compressed copy of this version of ``path`` in ``dirs``, if one was made."""
    name = copy_name(path, stat)
    for folder in dirs:
        copy = folder / name
        if copy.is_file():
            return copy
    return None


def compress(path: str, stat: os.stat_result, dirs: list[Path]) -> Path | None:
    """Make the compressed copy of this version of ``path`` in the first folder of ``dirs`` that
    can be written, with the file's own modification time (the Last-Modified a browser sees).
    None when it would not save a tenth, or no folder can be written."""
    data = Path(path).read_bytes()
    if len(data) != stat.st_size:
        return None  # changed while read: the next request tries again
    packed = gzip.compress(served_bytes(path, data), compresslevel=LEVEL, mtime=0)
    if len(packed) > WORTH_IT * len(data):
        return None
    name = copy_name(path, stat)
    for folder in dirs:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=folder, prefix=".part-")
            with os.fdopen(handle, "wb") as out:
                out.write(packed)
            os.chmod(temp, 0o644)
            os.utime(temp, ns=(stat.st_mtime_ns, stat.st_mtime_ns))
            os.replace(temp, folder / name)  # whole or not at all, for a server reading it
            return folder / name
        except OSError:
            continue  # read-only (the install's, for a user on the hub): the next folder
    return None


def copy_of(path: str, stat: os.stat_result, dirs: list[Path]) -> Path | None:
    """This version of ``path``'s compressed copy in ``dirs``: the one made before, or a new one."""
    return find_copy(path, stat, dirs) or compress(path, stat, dirs)


# one answer per file version for this server: the copy, or None (sent as it is)
_copies: dict[str, Path | None] = {}
_making: dict[str, asyncio.Future] = {}


async def compressed_copy(path: str, dirs: list[Path] | None = None) -> Path | None:
    """The compressed copy of the file at ``path`` as it is now, made (in a thread, once, however
    many requests ask at the same time) if there is none yet; None when it is not worth it."""
    stat = os.stat(path)
    if stat.st_size < MIN_SIZE:
        return None
    key = copy_name(path, stat)
    if key in _copies:
        return _copies[key]
    if key not in _making:
        folders = dirs if dirs is not None else cache_dirs()
        _making[key] = asyncio.ensure_future(asyncio.get_running_loop().run_in_executor(
            None, copy_of, path, stat, folders))
    try:
        copy = await asyncio.shield(_making[key])
    except OSError:
        copy = None  # unreadable: served (or refused) as before
    finally:
        _making.pop(key, None)
    _copies[key] = copy
    return copy


class CompressedFileFindHandler(FileFindHandler):
    """Jupyter Server's static file handler, sending the compressed copy of a file to a browser
    that accepts gzip. Everything else (which file, who may have it, caching) is the parent's."""

    _copy: Path | None = None
    _copy_size = 0
    _original: str | None = None

    def _wants_copy(self) -> bool:
        return (self.request.method in ("GET", "HEAD") and "Range" not in self.request.headers
                and "gzip" in self.request.headers.get("Accept-Encoding", ""))

    def _inside_root(self, path: str) -> bool:
        real = os.path.realpath(path)
        return any((real + os.sep).startswith(os.path.realpath(root) + os.sep) for root in self.root)

    @allow_unauthenticated  # as the parent: the login page needs static files too
    async def get(self, path: str, include_body: bool = True) -> None:
        self._copy = None
        if self._wants_copy():
            # a file (filefind found one, "" for none) the parent would serve: it checks again,
            # and says 403/404 otherwise
            found = self.get_absolute_path(self.root, self.parse_url_path(path))
            kind = mimetypes.guess_type(found)[0] if found else None
            if kind and compressible(kind) and self._inside_root(found):
                try:
                    self._copy = await compressed_copy(found)
                except OSError:  # gone meanwhile: the parent says 404
                    self._copy = None
        await super().get(path, include_body)

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        checked = super().validate_absolute_path(root, absolute_path)
        self._original = checked
        if checked and self._copy is not None:
            try:
                self._copy_size = os.stat(self._copy).st_size
            except OSError:  # removed meanwhile (a new cache filled): the file as it is
                self._copy = None
                return checked
            return str(self._copy)  # what the parent now reads (its date is the file's own)
        return checked

    def get_content_size(self) -> int:
        # the parent keeps the size of the file it checked: the copy's is sent instead
        return self._copy_size if self._copy is not None else super().get_content_size()

    def get_content_type(self) -> str:
        if self._copy is None or self._original is None:
            return super().get_content_type()
        kind = mimetypes.guess_type(self._original)[0]
        return kind or "application/octet-stream"

    def set_extra_headers(self, path: str) -> None:
        super().set_extra_headers(path)
        if self._copy is not None:
            self.set_header("Content-Encoding", "gzip")


def use_compressed_handler(rules) -> int:
    """Serve with :class:`CompressedFileFindHandler` wherever tornado's routing ``rules`` (nested
    routers too) serve with Jupyter Server's ``FileFindHandler``; returns how many."""
    swapped = 0
    for rule in rules:
        target = rule.target
        if target is FileFindHandler:
            rule.target = CompressedFileFindHandler
            swapped += 1
        elif hasattr(target, "rules"):
            swapped += use_compressed_handler(target.rules)
    return swapped


class AnswerCompression(GZipContentEncoding):
    """Tornado's ``compress_response`` (gzip as an answer is sent, for a browser that accepts
    it), except for a range request: a part of a file stays the bytes its Content-Range names."""

    def __init__(self, request) -> None:
        super().__init__(request)
        if "Range" in request.headers:
            self._gzipping = False


def compress_answers(web_app) -> None:
    """:class:`AnswerCompression` for every answer of an application already made, and
    :class:`CompressedFileFindHandler` for the static routes extensions add after this."""
    if not any(issubclass(transform, GZipContentEncoding) for transform in web_app.transforms):
        web_app.transforms.append(AnswerCompression)
    web_app.settings["static_handler_class"] = CompressedFileFindHandler


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "autograder.school.compressed_assets"}]


def _load_jupyter_server_extension(server_app) -> None:
    web_app = server_app.web_app
    compress_answers(web_app)

    def swap() -> None:  # once every extension has added its routes (JupyterLab's among them),
        # before the server answers anything
        count = use_compressed_handler(web_app.default_router.rules)
        count += use_compressed_handler(web_app.wildcard_router.rules)
        server_app.log.info("compressed assets: %d static routes send gzip-compressed copies", count)

    server_app.io_loop.add_callback(swap)


# -- filling the install's cache (the hub image) -------------------------------------------------

def served_folders() -> list[Path]:
    """The folders a lesson page's static files come from: JupyterLab's built app, every
    extension's (labextensions) and the server's own static files."""
    from jupyter_core.paths import jupyter_path
    from jupyter_server import DEFAULT_STATIC_FILES_PATH
    from jupyterlab.commands import get_app_dir

    folders = [Path(get_app_dir()) / "static", *map(Path, jupyter_path("labextensions")),
               Path(DEFAULT_STATIC_FILES_PATH)]
    return [folder for folder in folders if folder.is_dir()]


def fill_cache(folders: list[Path], target: Path, out=sys.stdout) -> dict:
    """Compressed copies of every compressible file in ``folders`` into ``target`` (a fresh set:
    copies of older versions there are removed). Shows progress with counts; returns a summary."""
    files = sorted(path for folder in folders for path in folder.rglob("*")
                   if path.is_file() and compressible(mimetypes.guess_type(path.name)[0] or "")
                   and path.stat().st_size >= MIN_SIZE)
    kept, before, after = set(), 0, 0
    for number, path in enumerate(files, 1):
        stat = path.stat()
        copy = copy_of(str(path), stat, [target])
        if copy is not None:
            kept.add(copy.name)
            before += stat.st_size
            after += copy.stat().st_size
        if number % 100 == 0 or number == len(files):
            print(f"[{number}/{len(files)}] compressed", file=out, flush=True)
    removed = 0
    for old in target.glob("*.gz") if target.is_dir() else ():
        if old.name not in kept:
            old.unlink()
            removed += 1
    return {"files": len(files), "copies": len(kept), "bytes": before, "compressed": after,
            "removed": removed}


def main(argv: list[str] | None = None) -> int:
    target = Path(argv[0]) if argv else cache_dirs()[0]
    summary = fill_cache(served_folders(), target)
    print(f"{summary['copies']} of {summary['files']} static files compressed into {target}: "
          f"{summary['bytes'] / 1e6:.1f} MB -> {summary['compressed'] / 1e6:.1f} MB "
          f"({summary['removed']} copies of older versions removed)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
