"""What a collector is, and the small helpers every collector module shares.

A collector is declared once: its name (checks refer to it), the IAM actions it needs, the
botocore service it talks to, the record classes it produces, whether it is optional, regional
or global, and which other collectors' records it reads. Its ``collect`` function fetches
(async, paginated, nothing else) and transforms (pure) into those record classes.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from auditor.store.resources import ResourceMixin

Item = dict[str, Any]
Record = ResourceMixin
RecordT = TypeVar("RecordT", bound=ResourceMixin)


class Scope(enum.StrEnum):
    REGIONAL = "regional"
    GLOBAL = "global"


@dataclass(frozen=True)
class Api:
    """One client plus the account's single concurrency bound, held around each request."""

    client: Any
    limit: asyncio.Semaphore

    async def call(self, operation: str, **params: Any) -> Item:
        async with self.limit:
            response: Item = await getattr(self.client, operation)(**params)
        return response

    async def pages(self, operation: str, **params: Any) -> AsyncIterator[Item]:
        """The pages of a paginated operation; the bound is held per page, not per listing."""
        iterator = self.client.get_paginator(operation).paginate(**params).__aiter__()
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


@dataclass(frozen=True)
class Context:
    """What one collector run sees: where it runs, its API, and its inputs' records."""

    account_id: str
    region: str
    api: Api
    inputs: Mapping[str, list[Record]]

    def records(self, collector: str, kind: type[RecordT]) -> list[RecordT]:
        return [record for record in self.inputs[collector] if isinstance(record, kind)]


CollectFunction = Callable[[Context], Awaitable[list[Record]]]


@dataclass(frozen=True, kw_only=True)
class Collector:
    name: str
    service: str  # botocore client name
    actions: tuple[str, ...]  # IAM actions, "service:Operation"
    collect: CollectFunction
    # The record classes (store tables) this collector produces; the registry derives the
    # store's table list and the inventory's fields from these.
    records: tuple[type[Record], ...]
    # Why the auditor needs these actions: one line for docs/iam-policy.md.
    purpose: str
    needs: tuple[str, ...] = ()  # collectors whose records this one reads
    # Inputs read when they succeeded; when one did not, this collector still runs, without
    # that input's records (the checks needing that input are UNKNOWN on its own outcome).
    optional_needs: tuple[str, ...] = ()
    optional: bool = False  # a failure never makes the scan partial
    scope: Scope = Scope.REGIONAL
    # Fewer attempts than the account's retry budget, for data that must not hold a scan up.
    max_attempts: int | None = None


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


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def text(value: Any) -> str | None:
    """An optional string field: AWS (and moto) sometimes send "" for "not set"."""
    if value is None or value == "":
        return None
    return str(value)


def jsonable(value: Any) -> Any:
    """The item as AWS returned it, with datetimes as ISO 8601 strings so it stores as JSON."""
    if isinstance(value, dict):
        return {str(key): jsonable(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(inner) for inner in value]
    if isinstance(value, datetime):
        return (utc(value) or value).isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


async def gather_lists(awaitables: Iterable[Awaitable[list[Item]]]) -> list[Item]:
    """Run batch calls concurrently (the shared bound still applies) and join their items."""
    results = await asyncio.gather(*awaitables)
    return [item for result in results for item in result]
