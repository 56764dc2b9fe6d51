"""A lesson page's code goes gzip-compressed (autograder.school.compressed_assets): the copies and
their cache, the routes swapped, then a real Jupyter server asked as a browser asks. That a
lesson page in Chromium arrives compressed: tests/test_offline_browser.py."""

from __future__ import annotations

import asyncio
import gzip
import os
import random
import sys
import time
import urllib.error
import urllib.request
from email.utils import formatdate
from pathlib import Path

import pytest
from jupyter_server.base.handlers import FileFindHandler
from tornado import httputil, web

from autograder.dev.labserver import free_port, running
from autograder.lab import COMPRESSED_ASSETS, lab_command
from autograder.school import compressed_assets as ca

ROOT = Path(__file__).resolve().parent.parent


def text(size: int, seed: int = 0) -> bytes:
    """JavaScript-like text of ``size`` bytes (compresses as code does)."""
    rng = random.Random(seed)
    words = [f"function f{i}(a, b) {{ return a + b * {i}; }}\n" for i in range(50)]
    out = b""
    while len(out) < size:
        out += rng.choice(words).encode()
    return out[:size]


@pytest.mark.parametrize("kind, expected", [
    ("application/javascript", True), ("text/javascript; charset=utf-8", True),
    ("text/css", True), ("application/json", True), ("image/svg+xml", True),
    ("text/html", True), ("application/wasm", True),
    ("image/png", False), ("font/woff2", False), ("application/gzip", False),
    ("application/octet-stream", False), ("", False),
])
def test_only_text_code_and_data_are_compressed(kind, expected):
    assert ca.compressible(kind) is expected


def test_a_changed_file_is_a_new_copy(tmp_path):
    path = tmp_path / "a.js"
    path.write_bytes(text(5000))
    first = ca.copy_name(str(path), path.stat())
    assert ca.copy_name(str(path), path.stat()) == first
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1))
    assert ca.copy_name(str(path), path.stat()) != first  # a new time
    path.write_bytes(text(5001))
    assert ca.copy_name(str(path), path.stat()) != first  # a new size


def test_a_copy_is_the_file_compressed_with_its_own_date(tmp_path):
    path = tmp_path / "a.js"
    data = text(50_000)
    path.write_bytes(data)
    os.utime(path, (1_700_000_000, 1_700_000_000))
    copy = ca.compress(str(path), path.stat(), [tmp_path / "cache"])
    assert copy is not None and copy.parent == tmp_path / "cache"
    assert gzip.decompress(copy.read_bytes()) == ca.COMPILE_HINT + data  # a script: the hint first
    assert copy.stat().st_size < len(data) / 4
    assert copy.stat().st_mtime == path.stat().st_mtime  # the browser's Last-Modified
    assert copy.stat().st_mode & 0o777 == 0o644  # other users of the install read it
    assert ca.find_copy(str(path), path.stat(), [tmp_path / "other", tmp_path / "cache"]) == copy
    assert not list((tmp_path / "cache").glob(".part-*"))


def test_scripts_begin_with_the_compile_hint_once_and_nothing_else_changes(tmp_path):
    data = text(5000)
    for name in ("a.js", "b.mjs"):
        assert ca.served_bytes(name, data) == ca.COMPILE_HINT + data
        assert ca.served_bytes(name, ca.COMPILE_HINT + data) == ca.COMPILE_HINT + data  # once
    for name in ("a.css", "a.json", "a.html", "a.svg", "a.js.map", "a.txt"):
        assert ca.served_bytes(name, data) == data
    css = tmp_path / "a.css"
    css.write_bytes(data)
    copy = ca.compress(str(css), css.stat(), [tmp_path / "cache"])
    assert gzip.decompress(copy.read_bytes()) == data


def test_copies_of_an_older_format_are_never_served(tmp_path, monkeypatch):
    path = tmp_path / "a.js"
    path.write_bytes(text(5000))
    copy = ca.compress(str(path), path.stat(), [tmp_path / "cache"])
    assert ca.find_copy(str(path), path.stat(), [tmp_path / "cache"]) == copy
    monkeypatch.setattr(ca, "FORMAT", "next")
    assert ca.find_copy(str(path), path.stat(), [tmp_path / "cache"]) is None


def test_no_copy_when_it_saves_little(tmp_path):
    path = tmp_path / "noise.js"
    path.write_bytes(random.Random(1).randbytes(20_000))  # does not compress
    assert ca.compress(str(path), path.stat(), [tmp_path / "cache"]) is None
    assert not list((tmp_path / "cache").glob("*.gz"))


def test_a_folder_that_cannot_be_written_passes_to_the_next(tmp_path):
    path = tmp_path / "a.js"
    path.write_bytes(text(5000))
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    copy = ca.compress(str(path), path.stat(), [blocked / "gzip", tmp_path / "user"])
    assert copy is not None and copy.parent == tmp_path / "user"
    assert ca.compress(str(path), path.stat(), [blocked / "gzip"]) is None


def test_the_cache_folders_are_the_installs_then_the_users(monkeypatch, tmp_path):
    monkeypatch.delenv(ca.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert ca.cache_dirs() == [Path(sys.prefix) / "share" / "manabu" / "gzip",
                               tmp_path / "manabu" / "gzip"]
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: (_ for _ in ()).throw(
        RuntimeError("Could not determine home directory."))))
    assert ca.cache_dirs() == [Path(sys.prefix) / "share" / "manabu" / "gzip"]
    monkeypatch.setenv(ca.CACHE_ENV, str(tmp_path / "one"))
    assert ca.cache_dirs() == [tmp_path / "one"]


def test_many_requests_at_once_make_one_copy_and_a_new_version_another(tmp_path, monkeypatch):
    path = tmp_path / "a.js"
    path.write_bytes(text(30_000))
    made = []
    real = ca.compress
    monkeypatch.setattr(ca, "compress", lambda *a: made.append(a[0]) or real(*a))
    monkeypatch.setattr(ca, "_copies", {})

    async def ask(times: int):
        return await asyncio.gather(*(ca.compressed_copy(str(path), [tmp_path / "c"])
                                      for _ in range(times)))

    copies = asyncio.run(ask(5))
    assert len(set(copies)) == 1 and copies[0] is not None and made == [str(path)]
    assert asyncio.run(ask(1)) == copies[:1] and len(made) == 1  # remembered
    path.write_bytes(text(30_000, seed=2) + b"// new\n")
    [new] = asyncio.run(ask(1))
    assert new != copies[0] and gzip.decompress(new.read_bytes()) == ca.COMPILE_HINT + path.read_bytes()
    small = tmp_path / "small.js"
    small.write_bytes(b"x" * (ca.MIN_SIZE - 1))
    assert asyncio.run(ca.compressed_copy(str(small), [tmp_path / "c"])) is None


def test_every_static_route_is_swapped_and_nothing_else(tmp_path):
    class Other(web.RequestHandler):
        pass

    app = web.Application([(r"/static/lab/(.*)", FileFindHandler, {"path": str(tmp_path)}),
                           (r"/api/(.*)", Other)])
    app.add_handlers(".*$", [(r"/lab/extensions/(.*)", FileFindHandler, {"path": str(tmp_path)})])
    count = ca.use_compressed_handler(app.default_router.rules)
    count += ca.use_compressed_handler(app.wildcard_router.rules)
    assert count == 2

    def target(path):
        request = httputil.HTTPServerRequest(start_line=httputil.RequestStartLine("GET", path, "HTTP/1.1"),
                                             headers=httputil.HTTPHeaders({"Host": "school"}))
        return app.find_handler(request).handler_class

    assert target("/static/lab/x.js") is ca.CompressedFileFindHandler
    assert target("/lab/extensions/x.js") is ca.CompressedFileFindHandler
    assert target("/api/x") is Other
    ca.compress_answers(app)
    ca.compress_answers(app)  # twice: one transform
    assert app.transforms.count(ca.AnswerCompression) == 1
    assert app.settings["static_handler_class"] is ca.CompressedFileFindHandler


def test_a_range_request_is_never_compressed_on_the_fly():
    def request(headers):
        return httputil.HTTPServerRequest(start_line=httputil.RequestStartLine("GET", "/x", "HTTP/1.1"),
                                          headers=httputil.HTTPHeaders({"Host": "school", **headers}))

    assert ca.AnswerCompression(request({"Accept-Encoding": "gzip"}))._gzipping
    assert not ca.AnswerCompression(request({"Accept-Encoding": "gzip", "Range": "bytes=0-9"}))._gzipping


def test_filling_the_installs_cache_shows_counts_and_drops_old_versions(tmp_path):
    folder = tmp_path / "static"
    (folder / "sub").mkdir(parents=True)
    for name in ("a.js", "sub/b.css", "c.json"):
        (folder / name).write_bytes(text(8000, seed=len(name)))
    (folder / "tiny.js").write_bytes(b"1")
    (folder / "pic.png").write_bytes(random.Random(3).randbytes(5000))
    target = tmp_path / "cache"
    target.mkdir()
    (target / ("0" * 40 + ".gz")).write_bytes(b"an older version")
    lines = []
    out = type("Out", (), {"write": lambda _s, t: lines.append(t), "flush": lambda _s: None})()
    summary = ca.fill_cache([folder], target, out=out)
    assert summary == {"files": 3, "copies": 3, "bytes": 24000, "removed": 1,
                       "compressed": sum(p.stat().st_size for p in target.glob("*.gz"))}
    assert "[3/3] compressed" in "".join(lines)
    assert summary["compressed"] < 24000 / 4 and len(list(target.glob("*.gz"))) == 3


def test_make_lab_and_the_hub_image_enable_it():
    install = (ROOT / "deploy" / "image" / "install.sh").read_text(encoding="utf-8")
    assert f"{COMPRESSED_ASSETS}=True" in lab_command(Path("/nonexistent/course"), 8888)
    assert f'\\"{COMPRESSED_ASSETS}\\": true' in install
    # the image compresses JupyterLab once, as it is built: a child's server never does
    assert f"-m {COMPRESSED_ASSETS}" in install


# -- a real Jupyter server, asked as a browser asks -----------------------------------------------

TOKEN = "compressed-assets-test"


def fetch(url: str, headers: dict | None = None, method: str = "GET"):
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """JupyterLab with the extension on, an extra static folder to change files in, and its
    own cache folder."""
    tmp = tmp_path_factory.mktemp("compressed")
    static, cache = tmp / "static", tmp / "cache"
    static.mkdir()
    port = free_port()
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={tmp}", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", "--no-browser", "--allow-root",
           f"--ServerApp.extra_static_paths=['{static}']",
           "--ServerApp.jpserver_extensions", f"{COMPRESSED_ASSETS}=True"]
    with running(cmd, port, tmp / "lab.log", TOKEN, env={**os.environ, ca.CACHE_ENV: str(cache)}) as base:
        yield base, static, cache


@pytest.mark.slow
def test_jupyterlabs_code_comes_compressed_with_the_compile_hint(server):
    from jupyterlab.commands import get_app_dir

    base, _static, cache = server
    core = next((Path(get_app_dir()) / "static").glob("jlab_core.*.js"))
    url = f"{base}/static/lab/{core.name}"
    status, headers, body = fetch(url, {"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert int(headers["Content-Length"]) == len(body) < core.stat().st_size / 3
    assert gzip.decompress(body) == ca.COMPILE_HINT + core.read_bytes()
    assert headers["Content-Type"].startswith(("application/javascript", "text/javascript"))
    assert "immutable" in headers["Cache-Control"] and "Accept-Encoding" in headers["Vary"]
    assert len(list(cache.glob("*.gz"))) >= 1
    # a browser that does not take gzip, and a range request, get the file as it is
    status, headers, plain = fetch(url)
    assert status == 200 and "Content-Encoding" not in headers and plain == core.read_bytes()
    status, headers, part = fetch(url, {"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
    assert status == 206 and "Content-Encoding" not in headers and part == core.read_bytes()[:100]
    # a cached copy is still fresh (304), HEAD says what GET sends
    modified = formatdate(core.stat().st_mtime + 1, usegmt=True)
    assert fetch(url, {"Accept-Encoding": "gzip", "If-Modified-Since": modified})[0] == 304
    status, headers, empty = fetch(url, {"Accept-Encoding": "gzip"}, method="HEAD")
    assert status == 200 and headers["Content-Encoding"] == "gzip" and empty == b""
    assert int(headers["Content-Length"]) == len(body)
    assert (cache / ca.copy_name(str(core), core.stat())).is_file()  # sent from its copy
    # the extensions' code too, also from a copy made once
    entry = next(Path(sys.prefix).glob("share/jupyter/labextensions/@jupyter-widgets/"
                                       "jupyterlab-manager/static/remoteEntry.*.js"))
    status, headers, body = fetch(f"{base}/lab/extensions/@jupyter-widgets/jupyterlab-manager/"
                                  f"static/{entry.name}", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == ca.COMPILE_HINT + entry.read_bytes()
    assert (cache / ca.copy_name(str(entry), entry.stat())).is_file()


@pytest.mark.slow
def test_a_changed_file_is_sent_as_it_is_now_and_pictures_as_they_are(server):
    base, static, _cache = server
    path = static / "lesson.js"
    path.write_bytes(text(20_000, seed=5))
    first = fetch(f"{base}/static/lesson.js", {"Accept-Encoding": "gzip"})
    assert first[1]["Content-Encoding"] == "gzip"
    assert gzip.decompress(first[2]) == ca.COMPILE_HINT + path.read_bytes()
    time.sleep(0.01)
    path.write_bytes(text(20_000, seed=6) + b"// the new version\n")
    second = fetch(f"{base}/static/lesson.js", {"Accept-Encoding": "gzip"})
    assert gzip.decompress(second[2]) == ca.COMPILE_HINT + path.read_bytes()  # not the first version's copy
    picture = static / "pic.png"
    picture.write_bytes(random.Random(4).randbytes(20_000))
    status, headers, body = fetch(f"{base}/static/pic.png", {"Accept-Encoding": "gzip"})
    assert status == 200 and "Content-Encoding" not in headers and body == picture.read_bytes()


@pytest.mark.slow
def test_nothing_outside_the_folders_and_no_api_answer_without_the_token(server):
    base, static, cache = server
    (static.parent / "secret.js").write_bytes(text(20_000, seed=7))  # beside the static folder
    (static / "link.js").symlink_to(static.parent / "secret.js")  # a way out of it
    before = set(cache.glob("*.gz"))
    for path in ("/static/link.js", "/static/..%2Fsecret.js", "/static/%2E%2E/secret.js",
                 f"/static/{'..%2F' * 12}{str(static.parent).lstrip('/')}%2Fsecret.js",
                 "/static/lab/..%2F..%2F..%2F..%2Fetc%2Fpasswd", "/static/%2Fetc%2Fpasswd",
                 "/lab/extensions/..%2F..%2F..%2Fetc%2Fpasswd"):
        assert fetch(base + path, {"Accept-Encoding": "gzip"})[0] in (403, 404), path
    assert set(cache.glob("*.gz")) == before
    # the server's other answers are compressed as they are sent, and still need the token
    status, headers, body = fetch(f"{base}/lab/api/settings?token={TOKEN}", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip" and b"settings" in gzip.decompress(body)
    assert fetch(f"{base}/api/contents", {"Accept-Encoding": "gzip"})[0] == 403
