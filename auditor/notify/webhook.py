"""POSTing to a Slack incoming webhook, with retries on 429 (honouring Retry-After) and 5xx.

The URL is a secret: it appears in no log line and no error message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, kw_only=True)
class Delivery:
    delivered: bool
    attempts: int
    # Why the last attempt failed, in words that never include the URL.
    error: str | None = None


def _retry_after(response: aiohttp.ClientResponse, attempt: int, ceiling: float) -> float:
    header = response.headers.get("Retry-After", "")
    try:
        seconds = float(header)
    except ValueError:
        seconds = float(2 ** (attempt - 1))
    return min(max(seconds, 0.0), ceiling)


async def post_json(
    url: str,
    payload: dict[str, Any],
    *,
    max_attempts: int,
    request_timeout: float,
    max_retry_after: float,
    sleep: Sleep = asyncio.sleep,
) -> Delivery:
    error = "not attempted"
    client_timeout = aiohttp.ClientTimeout(total=request_timeout)
    async with aiohttp.ClientSession(timeout=client_timeout) as http:
        for attempt in range(1, max_attempts + 1):
            wait: float | None = None
            try:
                async with http.post(url, json=payload, allow_redirects=False) as response:
                    body = (await response.text())[:200]
                    if response.status == 200:
                        log.info("slack: delivered on attempt %d", attempt)
                        return Delivery(delivered=True, attempts=attempt)
                    error = f"HTTP {response.status} {body!r}"
                    if response.status == 429:
                        wait = _retry_after(response, attempt, max_retry_after)
                    elif response.status >= 500:
                        wait = float(2 ** (attempt - 1))
                    else:
                        log.error("slack: rejected with %s; not retrying", error)
                        return Delivery(delivered=False, attempts=attempt, error=error)
            except (aiohttp.ClientError, TimeoutError) as exc:
                # str(exc) of a connection error can carry the URL: keep only the type.
                error = f"{type(exc).__name__} while connecting to the webhook"
                wait = float(2 ** (attempt - 1))
            if attempt < max_attempts:
                log.warning(
                    "slack: attempt %d failed (%s); retrying in %.1fs", attempt, error, wait
                )
                await sleep(wait)
    log.error("slack: giving up after %d attempts (%s)", max_attempts, error)
    return Delivery(delivered=False, attempts=max_attempts, error=error)
