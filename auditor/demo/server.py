"""An in-process moto server on loopback for the demo: quiet, with ECS tasks frozen in place."""

from __future__ import annotations

import json
import logging
import os
import socket
import urllib.request
from types import TracebackType
from typing import Any, Self

from auditor.demo import cloudtrail, network_firewall

LOOPBACK = "127.0.0.1"

# By default every DescribeTasks moves a moto task one state towards STOPPED; the demo scans
# the estate twice and needs tasks to stay where the seeding put them.
FREEZE_ECS_TASKS: dict[str, Any] = {
    "model_name": "ecs::task",
    "transition": {"progression": "manual", "times": 1_000_000_000},
}


class _HideUnimplementedActions(logging.Filter):
    """Drop werkzeug's traceback for calls moto does not implement.

    The demo serves CloudTrail LookupEvents itself; should a scan still reach an action moto
    lacks, it records a failed optional collector, and the traceback would only bury the
    demo's output. Any other server error is still logged.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "has not been implemented" not in record.getMessage()


_QUIET = _HideUnimplementedActions()


def _free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


class DemoMoto:
    """Context manager running ``moto.server.ThreadedMotoServer``; ``url`` is its endpoint.

    moto keeps its state in process-wide backends, so every moto server in a process shares
    it: ``start`` empties it, and one estate at a time can exist.
    """

    def __init__(self) -> None:
        self.port = _free_loopback_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self._server: Any = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        # Read by moto when first imported: no default AMIs or snapshots, a faster start.
        os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
        from moto.server import ThreadedMotoServer

        werkzeug = logging.getLogger("werkzeug")
        werkzeug.setLevel(logging.ERROR)
        if _QUIET not in werkzeug.filters:
            werkzeug.addFilter(_QUIET)
        self._server = ThreadedMotoServer(ip_address=LOOPBACK, port=self.port, verbose=False)
        self._server.start()
        # moto has no CloudTrail LookupEvents: serve the events the demo records, on this
        # server's port only (see auditor.demo.cloudtrail).
        cloudtrail.install(self.port)
        # Nor Network Firewall policies and rule groups (see auditor.demo.network_firewall).
        network_firewall.install(self.port)
        try:
            self.reset()
        except BaseException:
            self.stop()
            raise

    @property
    def running(self) -> bool:
        return self._server is not None

    def stop(self) -> None:
        if self._server is not None:
            cloudtrail.uninstall(self.port)
            network_firewall.uninstall(self.port)
            self._server.stop()
            self._server = None

    def reset(self) -> None:
        """Empty every backend and freeze ECS task transitions again."""
        self._post("/moto-api/reset")
        self._post("/moto-api/state-manager/set-transition", FREEZE_ECS_TASKS)

    def _post(self, path: str, body: dict[str, Any] | None = None) -> None:
        request = urllib.request.Request(  # noqa: S310 (always our own loopback URL)
            self.url + path, data=json.dumps(body or {}).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
