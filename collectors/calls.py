"""Calling AWS from a collector: the bounded client, and batching its requests.

Every request a collector sends goes through :class:`Api`, which holds the account's one
concurrency bound around it. Retries are botocore's alone; nothing here retries.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from collectors.prefetched import PrefetchAbandonedError, PrefetchedCalls, call_key

# One item of an AWS response, as botocore parsed it.
Item = dict[str, Any]
T = TypeVar("T")


class OnFirstUse:
    """A client opened by the first request sent through it: a service whose collectors are
    all not needed, or send nothing (no file systems to describe), costs no client. Opening
    one (about 3 ms of CPU) was a tenth of a small account-region's scan."""

    def __init__(self, open_client: Callable[[], Awaitable[Any]]) -> None:
        self._open = open_client
        self._client: Any = None
        self._opening = asyncio.Lock()

    async def get(self) -> Any:
        async with self._opening:
            if self._client is None:
                self._client = await self._open()
        return self._client


@dataclass(frozen=True)
class Api:
    """One client (or an :class:`OnFirstUse` one) plus the account's single concurrency
    bound, held around each request. ``prefetched`` holds the answers to calls sent ahead
    (``collectors.prefetched``) for ``scope``, the (region, service) of the client (while
    one is in flight, the collection holds the bound for it)."""

    client: Any
    limit: asyncio.Semaphore
    prefetched: PrefetchedCalls | None = None
    scope: tuple[str, str] = ("", "")

    async def _opened(self) -> Any:
        client = self.client
        return await client.get() if isinstance(client, OnFirstUse) else client

    async def _sent_ahead(self, kind: str, operation: str, params: dict[str, Any]) -> Any:
        """The answer to this call if it was sent ahead, else ``_NOT_SENT``; raises its
        error if it failed."""
        if self.prefetched is None:
            return _NOT_SENT
        future = self.prefetched.claim(call_key(self.scope, kind, operation, params))
        if future is None:
            return _NOT_SENT
        try:
            return await asyncio.wrap_future(future)
        except PrefetchAbandonedError:
            return _NOT_SENT

    async def call(self, operation: str, **params: Any) -> Item:
        answer = await self._sent_ahead("call", operation, params)
        if answer is not _NOT_SENT:
            return dict(answer)
        client = await self._opened()
        async with self.limit:
            response: Item = await getattr(client, operation)(**params)
        return response

    async def pages(self, operation: str, **params: Any) -> AsyncIterator[Item]:
        """The pages of a paginated operation; the bound is held per page, not per listing."""
        answer = await self._sent_ahead("pages", operation, params)
        if answer is not _NOT_SENT:
            for answered in answer:
                yield answered
            return
        client = await self._opened()
        iterator = client.get_paginator(operation).paginate(**params).__aiter__()
        while True:
            async with self.limit:
                try:
                    page: Item = await anext(iterator)
                except StopAsyncIteration:
                    return
            yield page

    async def items(self, operation: str, key: str, **params: Any) -> list[Any]:
        """Every item under ``key`` across all pages (dicts, or ARNs for ECS List calls)."""
        return [item async for page in self.pages(operation, **params) for item in page[key]]


_NOT_SENT = object()


class IncompleteResponseError(Exception):
    """AWS answered, but said it could not return some of what was asked for."""


def chunks(values: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def unique(values: Iterable[str | None]) -> list[str]:
    """Distinct non-empty values, in first-seen order (keeps batches deterministic)."""
    return list(dict.fromkeys(value for value in values if value))


async def gather_lists(awaitables: Iterable[Awaitable[list[T]]]) -> list[T]:
    """Run batch calls concurrently (the shared bound still applies) and join their items,
    in the order of the batches."""
    results = await asyncio.gather(*awaitables)
    return [item for result in results for item in result]
