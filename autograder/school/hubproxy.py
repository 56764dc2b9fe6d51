"""The hub's proxy, kept across a hub restart, so open lessons stay connected.

JupyterHub's ``ConfigurableHTTPProxy`` kills the proxy it finds in its pid file and starts a new
one with an empty route table, so every open JupyterLab loses its connection while the hub
starts (20–40 s on a 2-core server), even though the students' servers kept running. Adding a
class needs a restart, often during school hours.

:class:`KeptProxy` keeps a proxy that is still running from before the restart, when it listens
where this hub wants it and answers this hub's token (a root-only file, the same at every start),
and starts one only when there is none. The hub then brings the kept route table up to date, as
it does at every start. The proxy runs in its own session (JupyterHub starts it so), so neither
Ctrl+C in the terminal nor systemd's ``KillMode=process`` stops it with the hub.
"""

from __future__ import annotations

import os
import signal

import psutil
from jupyterhub.objects import Server
from jupyterhub.proxy import ConfigurableHTTPProxy
from tornado.ioloop import PeriodicCallback


class KeptProxy(ConfigurableHTTPProxy):
    """configurable-http-proxy that outlives the hub and is reused by the next one."""

    _kept: psutil.Process | None = None

    def _wanted_args(self) -> list[str]:
        """The addresses the running proxy must listen on: this hub's public and API URLs."""
        public, api = Server.from_url(self.public_url), Server.from_url(self.api_url)
        return ["--ip", public.ip, "--port", str(public.port),
                "--api-ip", api.ip, "--api-port", str(api.port)]

    def _running(self) -> psutil.Process | None:
        """The proxy in the pid file, if it runs and listens where this hub wants it."""
        try:
            with open(self.pid_file, encoding="utf-8") as f:
                process = psutil.Process(int(f.read().strip()))
            cmdline = process.cmdline()
        except (OSError, ValueError, psutil.Error):
            return None
        if not any("configurable-http-proxy" in part for part in cmdline):
            return None
        wanted = self._wanted_args()
        pairs = {(cmdline[i], cmdline[i + 1]) for i in range(len(cmdline) - 1)}
        if not all((wanted[i], wanted[i + 1]) in pairs for i in range(0, len(wanted), 2)):
            self.log.warning("Manabu: the running proxy listens elsewhere than this hub's settings; "
                             "starting a new one (open lessons reconnect)")
            return None
        return process

    async def _answers(self) -> bool:
        """Does the running proxy take this hub's token? (A proxy from before a token change
        does not, and is replaced.)"""
        try:
            await self.api_request("", method="GET")
        except Exception as err:  # noqa: BLE001 - any failure means: do not keep it
            self.log.warning("Manabu: the running proxy does not answer this hub (%s); "
                             "starting a new one", err)
            return False
        return True

    async def start(self):
        process = self._running()
        if process is not None and await self._answers():
            self._kept = process
            self.log.info("Manabu: keeping the proxy that is still running (pid %s): open lessons "
                          "stay connected through the restart", process.pid)
            self._check_running_callback = PeriodicCallback(
                self.check_running, 1e3 * self.check_running_interval)
            self._check_running_callback.start()
            return
        self._kept = None
        await super().start()

    async def check_running(self):
        if self._kept is None:
            await super().check_running()
            return
        if self._kept.is_running() and self._kept.status() != psutil.STATUS_ZOMBIE:
            return
        self.log.error("Manabu: the proxy kept from before the restart stopped; starting a new one")
        if self._check_running_callback is not None:
            self._check_running_callback.stop()
        self._remove_process_files()
        self._kept = None
        await super().start()
        await self.restore_routes()

    def stop(self):
        if self._kept is None:
            super().stop()
            return
        if self._check_running_callback is not None:
            self._check_running_callback.stop()
        try:
            os.kill(self._kept.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        self._remove_process_files()
