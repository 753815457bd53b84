"""A loopback HTTP proxy in front of moto that injects AWS-shaped throttling and 503s.

The 503s are what sits between a client and AWS sends, not AWS error documents: the bare HTML
of AWS's front ends, a proxy's plain text, a load balancer's HTML page (not valid XML).
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter

import aiohttp
from aiohttp import web

_SERVICE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")
_HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "content-encoding"}
# moto does not implement CloudTrail LookupEvents; the proxy answers it with no events so the
# test exercises retries rather than moto's HTTP 500.
_LOOKUP_EVENTS = "CloudTrail_20131101.LookupEvents"
# Signing names of the REST-JSON services the collectors call.
_REST_JSON = {"elasticfilesystem"}

EC2_THROTTLE = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error>'
    "<Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message>"
    "</Error></Errors><RequestID>fault-proxy</RequestID></Response>"
)
QUERY_THROTTLE = (
    "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
    "<Message>Rate exceeded</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>"
)
UNAVAILABLE = "<html><body><b>Http/1.1 Service Unavailable</b></body> </html>"
# (kind, body, content type) of the 503s, injected in turn.
UNAVAILABLE_BODIES = (
    ("503-html", UNAVAILABLE, "text/html"),
    ("503-text", "503 Service Unavailable", "text/plain"),
    (
        "503-page",
        "<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head><body>"
        "<center><h1>503 Service Unavailable</h1></center><hr><center>nginx</center>"
        "</body></html>",
        "text/html",
    ),
)


class FaultProxy:
    def __init__(
        self,
        upstream: str,
        *,
        throttle_rate: float = 0.0,
        unavailable_rate: float = 0.0,
        seed: int = 0,
        first: tuple[str, ...] = (),
        max_streak: int = 2,
    ) -> None:
        """``first`` names faults ("throttle" or a 503 kind) for the first requests, in order;
        the rates apply after them. A request the rates fault (its retries carry the same
        body) is faulted at most ``max_streak`` times in a row: faults are transient, and the
        smallest attempt budget a collector has (3) must be met whatever order concurrent
        requests arrive in."""
        self.upstream = upstream.rstrip("/")
        self.throttle_rate = throttle_rate
        self.unavailable_rate = unavailable_rate
        self.first = list(first)
        self.requests = 0
        self.random = random.Random(seed)
        self.injected: Counter[str] = Counter()
        self.max_streak = max_streak
        self.streaks: Counter[tuple[str, bytes]] = Counter()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> str:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession()
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def fault(self, request: web.Request, body: bytes) -> web.Response | None:
        self.requests += 1
        if self.first:
            kind = self.first.pop(0)
            if kind == "throttle":
                self.injected["throttle"] += 1
                return self.throttle(request)
            return self.unavailable(next(b for b in UNAVAILABLE_BODIES if b[0] == kind))
        key = (request.path_qs + request.headers.get("X-Amz-Target", ""), body)
        if self.streaks[key] >= self.max_streak:
            del self.streaks[key]
            return None
        injected = self._draw(request)
        if injected is None:
            self.streaks.pop(key, None)
        else:
            self.streaks[key] += 1
        return injected

    def _draw(self, request: web.Request) -> web.Response | None:
        draw = self.random.random()
        if draw < self.throttle_rate:
            self.injected["throttle"] += 1
            return self.throttle(request)
        if draw < self.throttle_rate + self.unavailable_rate:
            turn = sum(self.injected[kind] for kind, _, _ in UNAVAILABLE_BODIES)
            return self.unavailable(UNAVAILABLE_BODIES[turn % len(UNAVAILABLE_BODIES)])
        return None

    def unavailable(self, body: tuple[str, str, str]) -> web.Response:
        kind, text, content_type = body
        self.injected["503"] += 1
        self.injected[kind] += 1
        return web.Response(status=503, text=text, content_type=content_type)

    @staticmethod
    def throttle(request: web.Request) -> web.Response:
        if "X-Amz-Target" in request.headers:  # JSON protocol: ECS, CloudTrail
            body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"})
            return web.Response(status=400, text=body, content_type="application/x-amz-json-1.1")
        match = _SERVICE.search(request.headers.get("Authorization", ""))
        if match and match.group(1) == "ec2":
            return web.Response(status=503, text=EC2_THROTTLE, content_type="text/xml")
        if match and match.group(1) in _REST_JSON:  # REST-JSON protocol: EFS
            body = json.dumps({"ErrorCode": "ThrottlingException", "Message": "Rate exceeded"})
            return web.Response(
                status=429,
                text=body,
                content_type="application/json",
                headers={"x-amzn-ErrorType": "ThrottlingException"},
            )
        return web.Response(status=400, text=QUERY_THROTTLE, content_type="text/xml")

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        injected = self.fault(request, body)
        if injected is not None:
            return injected
        if request.headers.get("X-Amz-Target", "").endswith(_LOOKUP_EVENTS):
            return web.Response(text='{"Events": []}', content_type="application/x-amz-json-1.1")
        assert self._session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS}
        base, added = self.route(request, body)
        async with self._session.request(
            request.method, base + request.path_qs, headers={**headers, **added}, data=body
        ) as upstream:
            payload = await upstream.read()
            self.answered(request, body, payload)
            reply_headers = {
                k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_HEADERS
            }
            return web.Response(status=upstream.status, body=payload, headers=reply_headers)

    def route(self, request: web.Request, body: bytes) -> tuple[str, dict[str, str]]:
        """The moto server a request goes to, and the headers added to it: the one upstream,
        unchanged (a benchmark's proxy spreads accounts over several)."""
        return self.upstream, {}

    def answered(self, request: web.Request, body: bytes, payload: bytes) -> None:
        """Sees each answer moto gave (a benchmark's proxy learns whose credentials it issued)."""
