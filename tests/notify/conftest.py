"""Fixtures for notification tests: the store and loopback servers that record what they get."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from auditor.store.database import Store
from tests.notify.notify_servers import RecordingSmtp, RecordingWebhook, free_port
from tests.report.report_factories import make_store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return make_store(tmp_path)


@pytest_asyncio.fixture
async def webhook() -> AsyncIterator[RecordingWebhook]:
    server = RecordingWebhook()
    app = web.Application()
    app.router.add_post("/services/T000/B000/secret-token", server.handle)
    runner = web.AppRunner(app, access_log=None)  # its log lines would hold the URL
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.url = f"http://127.0.0.1:{port}/services/T000/B000/secret-token"
    try:
        yield server
    finally:
        await runner.cleanup()


@pytest.fixture
def smtp_server() -> Any:
    from aiosmtpd.controller import Controller

    recorder = RecordingSmtp(host="127.0.0.1", port=free_port())
    controller = Controller(recorder, hostname=recorder.host, port=recorder.port)
    controller.start()
    try:
        yield recorder
    finally:
        controller.stop()
