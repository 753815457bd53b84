"""A tiny headless-Chromium driver over the DevTools protocol (no Playwright download)."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)
_LISTENING = re.compile(rb"DevTools listening on (ws://\S+)")


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Page:
    """One tab: navigate, evaluate JavaScript, screenshot, and collect console errors."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, session_id: str) -> None:
        self._ws = ws
        self._session = session_id
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._events: list[dict[str, Any]] = []
        self._load = asyncio.Event()
        self.errors: list[str] = []

    def dispatch(self, message: dict[str, Any]) -> None:
        if "id" in message and message["id"] in self._pending:
            self._pending.pop(message["id"]).set_result(message)
            return
        method = message.get("method", "")
        params = message.get("params", {})
        if method == "Page.loadEventFired":
            self._load.set()
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.errors.append(details.get("exception", {}).get("description") or details["text"])
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            args = params["args"]
            self.errors.append(" ".join(str(a.get("value", a.get("description"))) for a in args))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.errors.append(params["entry"]["text"])

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        await self._ws.send_json(
            {"id": message_id, "sessionId": self._session, "method": method, "params": params}
        )
        reply = await asyncio.wait_for(future, timeout=60)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        result: dict[str, Any] = reply["result"]
        return result

    async def goto(self, url: str) -> float:
        """Open ``url`` and return the seconds until its load event."""
        self._load.clear()
        started = time.perf_counter()
        await self.send("Page.navigate", url=url)
        await asyncio.wait_for(self._load.wait(), timeout=60)
        return time.perf_counter() - started

    async def evaluate(self, expression: str) -> Any:
        reply = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"JavaScript failed: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    async def screenshot(self, *, width: int, height: int, mobile: bool = False) -> bytes:
        """A PNG of the page as a ``width`` x ``height`` screen shows it."""
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )
        shot = await self.send("Page.captureScreenshot", format="png")
        return base64.b64decode(shot["data"])


# A launch that has not opened its DevTools port by then is killed and tried again, in a new
# profile: now and then (seen on CI, idle or loaded) Chromium hangs before it listens, and a
# hung browser says nothing about the page under test.
LAUNCH_TIMEOUT = 20.0
LAUNCH_ATTEMPTS = 3


@asynccontextmanager
async def open_page(binary: str) -> AsyncIterator[Page]:
    process, url, profile = await _launch(binary)
    tasks: list[asyncio.Task[None]] = []
    try:
        assert process.stderr is not None
        # Keep draining stderr so Chromium never blocks on a full pipe.
        tasks.append(asyncio.create_task(_drain(process.stderr)))
        async with aiohttp.ClientSession() as http, http.ws_connect(url, max_msg_size=0) as ws:
            browser_ids = itertools.count(1_000_000)
            await ws.send_json(
                {
                    "id": next(browser_ids),
                    "method": "Target.createTarget",
                    "params": {"url": "about:blank"},
                }
            )
            target = (await ws.receive_json())["result"]["targetId"]
            await ws.send_json(
                {
                    "id": next(browser_ids),
                    "method": "Target.attachToTarget",
                    "params": {"targetId": target, "flatten": True},
                }
            )
            session_id = None
            while session_id is None:
                message = await ws.receive_json()
                if message.get("method") == "Target.attachedToTarget":
                    session_id = message["params"]["sessionId"]
                elif "result" in message and "sessionId" in message["result"]:
                    session_id = message["result"]["sessionId"]
            page = Page(ws, session_id)
            tasks.append(asyncio.create_task(_read(ws, page)))
            for domain in ("Page", "Runtime", "Log"):
                await page.send(f"{domain}.enable")
            yield page
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        shutil.rmtree(profile, ignore_errors=True)


async def _launch(
    binary: str, patience: float = LAUNCH_TIMEOUT
) -> tuple[asyncio.subprocess.Process, str, str]:
    """Start Chromium; return it, its DevTools URL and its profile folder."""
    said: list[bytes] = []
    for _ in range(LAUNCH_ATTEMPTS):
        profile = tempfile.mkdtemp(prefix="auditor-chromium-")
        process = await asyncio.create_subprocess_exec(
            binary,
            *FLAGS,
            f"--user-data-dir={profile}",
            "about:blank",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": "disabled:"},
        )
        assert process.stderr is not None
        said.clear()
        try:
            url = await asyncio.wait_for(_devtools_url(process.stderr, said), patience)
        except (TimeoutError, RuntimeError):
            if process.returncode is None:
                process.kill()
            await process.wait()
            shutil.rmtree(profile, ignore_errors=True)
            continue
        return process, url, profile
    tail = b"".join(said[-10:]).decode(errors="replace")
    raise RuntimeError(
        f"chromium opened no DevTools port in {LAUNCH_ATTEMPTS} launches of "
        f"{patience:.0f} s; its last words:\n{tail}"
    )


async def _devtools_url(stderr: asyncio.StreamReader, said: list[bytes]) -> str:
    while True:
        line = await stderr.readline()
        if not line:
            raise RuntimeError("chromium exited before opening its DevTools port")
        said.append(line)
        match = _LISTENING.search(line)
        if match:
            return match.group(1).decode()


async def _drain(stderr: asyncio.StreamReader) -> None:
    while await stderr.read(65536):
        pass


async def _read(ws: aiohttp.ClientWebSocketResponse, page: Page) -> None:
    async for message in ws:
        if message.type == aiohttp.WSMsgType.TEXT:
            data = json.loads(message.data)
            if data.get("sessionId") in (None, page._session):
                page.dispatch(data)
