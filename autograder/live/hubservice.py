"""The live class view on the school hub: a hub-managed service (``deploy/hub/jupyterhub_config.py``
starts it as ``python -m autograder.live.hubservice``).

* ``POST <prefix>api/event``: a student's kernel reports a run of a graded cell, with the
  student's own hub token (the server token the kernel inherits). The hub says whose token it is;
  the event is recorded in the classes that user is a *student* of (hub group
  ``nbgrader-<class>``), so a child can only report about themself, and a teacher's own runs
  are not counted. The answer is empty: students see nothing of each other.
* ``GET <prefix>`` and ``<prefix>class/<id>/``: the teacher's page, behind hub OAuth; only the
  class's teachers (hub group ``formgrade-<class>``) see a class.

Its own token may only read the classes' groups (who is in a class). Configuration comes from
the environment: ``MANABU_LIVE_CLASSES`` (JSON: id, name, language of each class),
``MANABU_LIVE_STATE`` (the file that keeps the view across restarts), ``MANABU_EXCHANGE``
(where lessons are released: the page lists a lesson's exercises before anybody starts).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path
from urllib.parse import quote

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.ioloop import PeriodicCallback

from autograder.live.core import SAVE_SECONDS, lesson_data, read_event, released_exercises
from autograder.live.model import BadEvent, LiveState
from autograder.live.page import FONT_FILE, FONT_ROUTE, FONTS, class_page, index_page

GROUP_SECONDS = 10  # how long a class's member list is trusted (a roster import shows up soon)


class Hub:
    """Who is in which class, asked of the hub with the service's own token (cached)."""

    def __init__(self, api_url: str, token: str) -> None:
        self.api_url, self.token = api_url, token
        self.cache: dict[str, tuple[float, asyncio.Future]] = {}

    async def members(self, group: str) -> set[str]:
        """The users of hub group ``group`` (empty if it does not exist or cannot be read)."""
        now = time.monotonic()
        hit = self.cache.get(group)
        if hit is None or now - hit[0] > GROUP_SECONDS:  # one request even when 30 ask at once
            hit = self.cache[group] = (now, asyncio.ensure_future(self._fetch(group)))
        return await asyncio.shield(hit[1])

    async def _fetch(self, group: str) -> set[str]:
        request = HTTPRequest(url_path_join(self.api_url, "groups", quote(group, safe="")),
                              headers={"Authorization": f"token {self.token}"}, request_timeout=20)
        response = await AsyncHTTPClient().fetch(request, raise_error=False)
        if response.code != 200:
            return set()
        return set(json.loads(response.body).get("users") or [])


class Base(web.RequestHandler):
    def initialize(self, live: dict) -> None:
        self.live = live

    @property
    def classes(self) -> dict[str, dict]:
        return self.live["classes"]

    async def teaches(self, user: dict, class_id: str) -> bool:
        return user["name"] in await self.live["hub"].members(f"formgrade-{class_id}")

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")  # the class's state: never kept by a proxy


class EventHandler(Base):
    """A run of a graded cell, from a student's kernel."""

    def check_xsrf_cookie(self) -> None:  # a token in a header, not a browser form
        pass

    async def post(self) -> None:
        match = HubOAuth.instance().auth_header_pat.match(
            self.request.headers.get("Authorization", ""))
        if not match:
            raise web.HTTPError(401, "send your hub token: Authorization: token ...")
        try:
            event = read_event(self.request.body)
        except BadEvent as err:
            raise web.HTTPError(400, str(err)) from None
        user = await HubOAuth.instance().user_for_token(match.group(1), sync=False)
        if not user or user.get("kind", "user") != "user":
            raise web.HTTPError(403, "not a user's token")
        for class_id in self.classes:
            if user["name"] in await self.live["hub"].members(f"nbgrader-{class_id}"):
                released = self.live["exchange"] / class_id / "outbound"
                self.live["state"].record(class_id, user["name"], event,
                                          released_exercises(released, event.lesson))
        self.set_status(204)


class IndexHandler(HubOAuthenticated, Base):
    @web.authenticated
    async def get(self) -> None:
        user = self.get_current_user()
        ids = [cid for cid in self.classes if await self.teaches(user, cid)]
        mine = [(f"class/{cid}/", self.classes[cid]["name"]) for cid in ids]
        first = ids or list(self.classes)  # the page speaks the viewer's (first) class language
        lang = self.classes[first[0]]["language"] if first else "ja"
        if len(mine) == 1:
            self.redirect(mine[0][0])
            return
        self.finish(index_page(mine, lang, f"font/{FONT_FILE}"))


class ClassHandler(HubOAuthenticated, Base):
    async def allowed(self, class_id: str) -> dict:
        user = self.get_current_user()
        if class_id not in self.classes or not await self.teaches(user, class_id):
            raise web.HTTPError(403, "only this class's teachers see its live view")
        return self.classes[class_id]

    @web.authenticated
    async def get(self, class_id: str, data: str) -> None:
        klass = await self.allowed(class_id)
        if not data:
            self.finish(class_page(klass["name"], klass["language"], "data",
                                   f"../../font/{FONT_FILE}"))
            return
        students = sorted(await self.live["hub"].members(f"nbgrader-{class_id}"))
        self.finish(lesson_data(self.live["state"], class_id, self.get_argument("lesson", None),
                                students, self.live["exchange"] / class_id / "outbound"))


def make_app(prefix: str, classes: list[dict], state: LiveState, hub: Hub,
             exchange: Path) -> web.Application:
    """The tornado application under ``prefix`` (the service's URL prefix on the hub)."""
    live = {"classes": {k["id"]: {"name": k.get("name", k["id"]),
                                  "language": k.get("language", "ja")} for k in classes},
            "state": state, "hub": hub, "exchange": exchange}
    return web.Application([
        (prefix, IndexHandler, {"live": live}),
        (url_path_join(prefix, r"class/([a-z0-9][a-z0-9-]*)/(data)?"), ClassHandler,
         {"live": live}),
        (url_path_join(prefix, "api/event"), EventHandler, {"live": live}),
        (url_path_join(prefix, FONT_ROUTE), web.StaticFileHandler, {"path": str(FONTS)}),
        (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
    ], cookie_secret=os.urandom(32))


async def serve() -> None:
    """Run the service until the hub stops it (the hub sets the JUPYTERHUB_* environment)."""
    from urllib.parse import urlparse

    env = os.environ
    prefix = env.get("JUPYTERHUB_SERVICE_PREFIX", "/services/manabu-live/")
    state = LiveState(Path(env.get("MANABU_LIVE_STATE", "live-state.json")))
    app = make_app(prefix, json.loads(env.get("MANABU_LIVE_CLASSES", "[]")), state,
                   Hub(env["JUPYTERHUB_API_URL"], env["JUPYTERHUB_API_TOKEN"]),
                   Path(env.get("MANABU_EXCHANGE", "/srv/manabu/exchange")))
    url = urlparse(env.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    app.listen(url.port, url.hostname)
    PeriodicCallback(state.save, SAVE_SECONDS * 1000).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):  # the hub stops it with SIGINT, then SIGTERM
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    state.save()  # keep what the teachers see across a restart


if __name__ == "__main__":
    asyncio.run(serve())
    # the state is saved: skip the interpreter's teardown of JupyterHub's imports (a second or
    # two on a busy server), which the hub's stop or restart would wait for
    sys.stderr.flush()
    os._exit(0)
