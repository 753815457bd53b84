"""A client opened on the first request: once, by whichever collector asks first."""

from __future__ import annotations

import asyncio

import pytest

from collectors.calls import OnFirstUse


@pytest.mark.asyncio
async def test_concurrent_first_requests_open_one_client_and_a_failed_open_is_retried() -> None:
    opened: list[object] = []

    async def open_client() -> object:
        await asyncio.sleep(0)  # another request arrives while this one opens
        if not opened:
            opened.append("failed")
            raise ConnectionError("could not open")
        client = object()
        opened.append(client)
        return client

    lazy = OnFirstUse(open_client)
    with pytest.raises(ConnectionError):
        await lazy.get()
    first, second = await asyncio.gather(lazy.get(), lazy.get())
    assert first is second is opened[1]
    assert len(opened) == 2  # the failure, then one client for both requests
