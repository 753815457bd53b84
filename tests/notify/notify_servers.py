"""Loopback servers that record what the notifiers send (shared by the notify tests)."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class RecordingWebhook:
    """A Slack-like webhook on loopback: answers from ``script``, then 200 "ok" forever."""

    url: str = ""
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append(await request.json())
        if self.script:
            status, headers = self.script.pop(0)
            return web.Response(status=status, text="rate_limited", headers=headers)
        return web.Response(status=200, text="ok")


@dataclass
class RecordingSmtp:
    """An aiosmtpd server on loopback that keeps every message it accepts."""

    host: str
    port: int
    messages: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
