"""The ECS listing of a one-account scan, sent ahead from the start-up thread.

Most of what the slowest chains of a scan wait for is ECS: ListClusters, DescribeClusters,
ListTasks and DescribeTasks (100 tasks a call) before the tasks' network interfaces can be
described, ListServices and DescribeServices (10 a call) before their task definitions and
target groups. Until aiobotocore, SQLAlchemy, the collectors and their clients have loaded
(about 0.7 s, bench_scan), nothing is asked. So once sts:GetCallerIdentity has answered
(``auditor.caller_prefetch``) and says the scan reads the caller's own account, that same
thread sends these calls with synchronous botocore clients configured like the scan's
(one per region, as many connections as the scan's concurrency), through the collectors'
own request code (``collectors.ecs.listing``): the same operations with the same
parameters, so the collectors find their answers (``collectors.prefetched``) and send
none of them again. Their requests, throttles and retries are counted in the scan.

The listing (a few calls) leaves at once; the DescribeTasks and DescribeServices calls (one
per 100 tasks, one per 10 services) wait until the scan takes the calls (:func:`take`, once
it holds the account's lock and opens it): a scan that stops before collecting (the account
busy with another scan, the store unreachable) has sent a few uncounted calls, not one per
100 tasks.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from auditor.aws_calls import count_calls
from auditor.caller_prefetch import sync_client, sync_session
from collectors.calls import Api, Item
from collectors.ecs.listing import fetch_ecs_listing
from collectors.prefetched import PrefetchedCalls, call_key

if TYPE_CHECKING:
    from auditor.config import Settings

logger = logging.getLogger(__name__)

_ready: list[tuple[Settings, str, PrefetchedCalls]] = []
_ready_lock = threading.Lock()


def prepare(
    settings: Settings,
    account_id: str,
    regions: Sequence[str],
    caller_account: str,
    session: Any = None,
) -> Callable[[], None] | None:
    """What to send ahead for a scan of ``account_id`` in ``regions``: nothing unless the
    caller's own credentials are the account's (no role to assume first) and the regions
    are known. Registered now, for :func:`take` to find; the returned function sends, with
    clients of ``session`` (the one that asked who the caller is), else of a new one."""
    if caller_account != account_id or not regions:
        return None
    calls = PrefetchedCalls()
    with _ready_lock:
        _ready.append((settings, account_id, calls))
    return partial(_send, settings, list(regions), calls, session or sync_session())


def take(settings: Settings, account_id: str) -> PrefetchedCalls | None:
    """The calls sent ahead for this account with these very settings (once), if any."""
    with _ready_lock:
        for position, (prepared_for, account, calls) in enumerate(_ready):
            if prepared_for is settings and account == account_id:
                del _ready[position]
                calls.mark_taken()
                return calls
    return None


# Sent only once a scan has taken the calls: one per 100 tasks, one per 10 services.
_WHEN_TAKEN = frozenset({"describe_tasks", "describe_services"})


def _send(settings: Settings, regions: list[str], calls: PrefetchedCalls, session: Any) -> None:
    try:
        asyncio.run(_send_all(settings, regions, calls, session))
    except Exception:  # nothing is lost: the collectors send what was not answered
        logger.debug("sending the ECS listing ahead failed", exc_info=True)
    finally:
        calls.end()


async def _send_all(
    settings: Settings, regions: list[str], calls: PrefetchedCalls, session: Any
) -> None:
    limit = asyncio.Semaphore(settings.concurrency)
    taken = asyncio.Event()
    loop = asyncio.get_running_loop()

    def wake() -> None:
        with suppress(RuntimeError):  # the sending has ended and its loop is closed
            loop.call_soon_threadsafe(taken.set)

    calls.when_taken(wake)
    with concurrent.futures.ThreadPoolExecutor(
        settings.concurrency, thread_name_prefix="ecs-prefetch"
    ) as pool:
        clients = [
            sync_client(settings, "ecs", r, pool_size=settings.concurrency, session=session)
            for r in regions
        ]
        try:
            for client, region in zip(clients, regions, strict=True):
                count_calls(client, calls.calls, region, "ecs")
            await asyncio.gather(
                *(
                    # A PrefetchClosedError ends a region's chain: the collectors send the rest.
                    fetch_ecs_listing(
                        _RecordingApi(
                            _Threaded(c, pool), limit, scope=(r, "ecs"), recorded=calls, taken=taken
                        )
                    )
                    for c, r in zip(clients, regions, strict=True)
                ),
                return_exceptions=True,
            )
            # A call registered is answered, even when the chain around it stopped.
            others = asyncio.all_tasks() - {asyncio.current_task()}
            await asyncio.gather(*others, return_exceptions=True)
        finally:
            for client in clients:
                client.close()


@dataclass(frozen=True, kw_only=True)
class _RecordingApi(Api):
    """An :class:`Api` that registers each call before sending it, and hands its answer
    (or error) over through the registration; the calls in ``_WHEN_TAKEN`` are sent once
    ``taken`` is set."""

    recorded: PrefetchedCalls
    taken: asyncio.Event

    async def call(self, operation: str, **params: Any) -> Item:
        future = self.recorded.register(call_key(self.scope, "call", operation, params))
        try:
            if operation in _WHEN_TAKEN:
                await self.taken.wait()
            response = await super().call(operation, **params)
        except BaseException as error:
            future.set_exception(error)
            raise
        future.set_result(response)
        return response

    async def pages(self, operation: str, **params: Any) -> AsyncIterator[Item]:
        future = self.recorded.register(call_key(self.scope, "pages", operation, params))
        try:
            pages = [page async for page in super().pages(operation, **params)]
        except BaseException as error:
            future.set_exception(error)
            raise
        future.set_result(pages)
        for page in pages:
            yield page


class _Threaded:
    """A synchronous botocore client seen as the aiobotocore one :class:`Api` expects: each
    request (and each page) is sent from a thread of ``pool``."""

    def __init__(self, client: Any, pool: concurrent.futures.Executor) -> None:
        self._client = client
        self._pool = pool

    def __getattr__(self, operation: str) -> Callable[..., Any]:
        method = getattr(self._client, operation)

        async def send(**params: Any) -> Any:
            return await asyncio.get_running_loop().run_in_executor(
                self._pool, partial(method, **params)
            )

        return send

    def get_paginator(self, operation: str) -> _ThreadedPaginator:
        return _ThreadedPaginator(self._client.get_paginator(operation), self._pool)


class _ThreadedPaginator:
    def __init__(self, paginator: Any, pool: concurrent.futures.Executor) -> None:
        self._paginator = paginator
        self._pool = pool

    def paginate(self, **params: Any) -> _ThreadedPages:
        return _ThreadedPages(iter(self._paginator.paginate(**params)), self._pool)


_END = object()


class _ThreadedPages:
    def __init__(self, pages: Any, pool: concurrent.futures.Executor) -> None:
        self._pages = pages
        self._pool = pool

    def __aiter__(self) -> _ThreadedPages:
        return self

    async def __anext__(self) -> Any:
        page = await asyncio.get_running_loop().run_in_executor(self._pool, next, self._pages, _END)
        if page is _END:
            raise StopAsyncIteration
        return page
