"""Run every collector for one account: regions concurrently, global collectors once.

Within a region, independent collectors start together and dependent ones start as soon as
their inputs are in. One semaphore bounds the calls in flight for the whole account. Every
collector gets an outcome in every region it belongs to, including the ones that were fine.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack, suppress
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from auditor.aws import AwsAccount
from auditor.aws_calls import add_counts
from auditor.store.resources import GLOBAL_REGION
from auditor.store.scans import CollectionOutcome, OutcomeStatus
from collectors.calls import Api, OnFirstUse
from collectors.declaration import Collector, Context, Record
from collectors.errors import COLLECTOR_ERRORS, classify
from collectors.prefetched import PrefetchedCalls
from collectors.registry import account_wide, regional
from collectors.results import Collected, ProgressCallback, ProgressEvent

Result = tuple[CollectionOutcome, list[Record]]


@dataclass
class _Run:
    account: AwsAccount
    concurrency: int
    limit: asyncio.Semaphore
    on_progress: ProgressCallback | None
    before: dict[tuple[str, str, str], int] = field(default_factory=dict)
    # region → collectors still to finish there (for "n of N regions" in the progress).
    pending: dict[str, int] = field(default_factory=dict)
    prefetched: PrefetchedCalls | None = None  # the calls sent ahead for the account

    def report(self, outcome: CollectionOutcome) -> None:
        if self.on_progress is None:
            return
        if outcome.region in self.pending:
            self.pending[outcome.region] -= 1
        regions = {r: n for r, n in self.pending.items() if r != GLOBAL_REGION}
        self.on_progress(
            ProgressEvent(
                account_id=outcome.account_id,
                region=outcome.region,
                collector=outcome.collector,
                status=OutcomeStatus(outcome.status),
                api_calls=sum(self.account.calls.values()) - sum(self.before.values()),
                regions_done=sum(1 for n in regions.values() if n <= 0),
                regions=len(regions),
            )
        )

    def outcome(
        self,
        collector: Collector,
        region: str,
        status: OutcomeStatus,
        error: str | None = None,
        error_code: str | None = None,
    ) -> CollectionOutcome:
        return CollectionOutcome(
            collector=collector.name,
            account_id=self.account.account_id,
            region=region,
            status=status.value,
            optional=collector.optional,
            error=error,
            error_code=error_code,
        )

    async def run_one(
        self,
        collector: Collector,
        region: str,
        api: Api,
        inputs: dict[str, asyncio.Task[Result]],
    ) -> Result:
        unneeded = await self.not_needed(collector, region, api, inputs)
        if unneeded is not None:
            result: Result = (
                self.outcome(collector, region, OutcomeStatus.NOT_NEEDED, unneeded),
                [],
            )
            self.report(result[0])
            return result
        records_in: dict[str, list[Record]] = {}
        missing: list[str] = []
        for need in collector.needs:
            outcome, records = await inputs[need]
            if outcome.status == OutcomeStatus.OK:
                records_in[need] = records
            else:
                missing.append(need)
        for need in collector.optional_needs:
            outcome, records = await inputs[need]
            records_in[need] = records if outcome.status == OutcomeStatus.OK else []
        if missing:
            result = (
                self.outcome(
                    collector, region, OutcomeStatus.ERROR, f"skipped: needs {', '.join(missing)}"
                ),
                [],
            )
        else:
            later = {
                need: partial(_records_if_ok, inputs[need]) for need in collector.awaited_needs
            }
            context = Context(self.account.account_id, region, api, records_in, later)
            try:
                result = (
                    self.outcome(collector, region, OutcomeStatus.OK),
                    await collector.collect(context),
                )
            except COLLECTOR_ERRORS as error:
                failure = classify(error)
                result = (
                    self.outcome(
                        collector, region, failure.status, failure.error, failure.error_code
                    ),
                    [],
                )
        self.report(result[0])
        return result

    async def not_needed(
        self,
        collector: Collector,
        region: str,
        api: Api,
        inputs: dict[str, asyncio.Task[Result]],
    ) -> str | None:
        """Why the collector need not run here, or None when it must.

        A hard input that was itself not needed makes this one not needed too. A declared
        condition rules the collector out only when every input it reads came in (or was not
        needed: no records): a failed input rules nothing out.
        """
        for need in collector.needs:
            outcome, _ = await inputs[need]
            if outcome.status == OutcomeStatus.NOT_NEEDED:
                return f"not needed: its input {need} was not needed"
        condition = collector.needed_when
        if condition is None:
            return None
        seen: dict[str, list[Record]] = {}
        for name in condition.inputs:
            outcome, records = await inputs[name]
            if outcome.status not in (OutcomeStatus.OK, OutcomeStatus.NOT_NEEDED):
                return None
            seen[name] = records
        if condition.test(Context(self.account.account_id, region, api, seen)):
            return None
        return f"not needed: collected only when {condition.when}, and nothing here does"

    async def run_group(
        self, collectors: list[Collector], region: str, client_region: str
    ) -> list[Result]:
        async with AsyncExitStack() as stack:
            apis: dict[str, Api] = {}
            for service in dict.fromkeys(c.service for c in collectors):
                budgets = [c.max_attempts for c in collectors if c.service == service]
                client = partial(
                    self.account.client,
                    service,
                    client_region,
                    pool_size=self.concurrency,
                    count_region=region,
                    max_attempts=None if None in budgets else min(filter(None, budgets)),
                )
                # A fresh context per attempt: one that failed to open is not entered again.
                opened = OnFirstUse(partial(_enter, stack, client))
                apis[service] = Api(opened, self.limit, self.prefetched, (client_region, service))
            tasks: dict[str, asyncio.Task[Result]] = {}
            # Registry order lists inputs before the collectors that need them.
            for collector in collectors:
                tasks[collector.name] = asyncio.create_task(
                    self.run_one(collector, region, apis[collector.service], tasks)
                )
            return list(await asyncio.gather(*tasks.values()))


async def _hold(limit: asyncio.Semaphore, answer: concurrent.futures.Future[Any]) -> None:
    """Hold a place of the bound while a call sent ahead is unanswered (its error, if any,
    is the collector's that takes it)."""
    async with limit:
        with suppress(Exception):
            await asyncio.wrap_future(answer)


async def _records_if_ok(result: asyncio.Task[Result]) -> list[Record]:
    outcome, records = await result
    return records if outcome.status == OutcomeStatus.OK else []


async def _enter(stack: AsyncExitStack, client: Callable[[], Any]) -> Any:
    return await stack.enter_async_context(client())


async def collect_account(
    account: AwsAccount,
    regions: Sequence[str],
    *,
    concurrency: int,
    on_progress: ProgressCallback | None = None,
) -> Collected:
    """Collect everything in ``regions`` of one account; failures become outcomes, not gaps."""
    collected = Collected(account_id=account.account_id, regions=list(regions))
    run = _Run(
        account, concurrency, asyncio.Semaphore(concurrency), on_progress, dict(account.calls)
    )
    run.pending = {region: len(regional()) for region in regions}
    prefetched, account.prefetched = account.prefetched, None
    run.prefetched = prefetched
    held = []
    if prefetched is not None:
        prefetched.close()  # from now on the collectors send what was not sent ahead
        held = [asyncio.ensure_future(_hold(run.limit, f)) for f in prefetched.unanswered()]
    groups = [run.run_group(regional(), region, region) for region in regions]
    if regions and account_wide():
        groups.append(run.run_group(account_wide(), GLOBAL_REGION, regions[0]))
    for results in await asyncio.gather(*groups):
        for outcome, records in results:
            collected.outcomes.append(outcome)
            collected.records.extend(records)
    if prefetched is not None:  # what was sent ahead counts here, taken or not
        await asyncio.gather(*held)
        await asyncio.to_thread(prefetched.finished.wait)
        add_counts(account.calls, prefetched.calls)
    for key, count in account.calls.items():
        made = count - run.before.get(key, 0)
        if made:
            collected.api_calls[key] = made
    return collected
