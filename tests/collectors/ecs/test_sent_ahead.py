"""The ECS listing sent ahead at start-up (auditor.ecs_prefetch): the collection takes its
answers and sends none of those calls again, sends itself what was not sent ahead, and
counts every request either way. Against the moto server, over HTTP."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web

from auditor import ecs_prefetch
from auditor.aws import open_account
from auditor.config import Settings
from auditor.store.resources import Ec2NetworkInterface, EcsService, EcsTask
from collectors.calls import Api
from collectors.prefetched import PrefetchClosedError, PrefetchedCalls, call_key
from collectors.results import Collected
from collectors.run import collect_account
from tests.collectors.collectors_estate import (
    ACCOUNT_ID,
    REGION,
    Boto3Factory,
    make_settings,
    register_task_definition,
    seed_network,
)
from tests.collectors.collectors_fault_proxy import FaultProxy

TASKS = 130  # two DescribeTasks calls
SERVICES = 12  # two DescribeServices calls


def seed_tasks(boto3_client: Boto3Factory) -> None:
    net = seed_network(boto3_client)
    ecs = boto3_client("ecs")
    cluster = ecs.create_cluster(clusterName="prod")["cluster"]["clusterArn"]
    definition = register_task_definition(ecs, "web")
    awsvpc = {
        "awsvpcConfiguration": {
            "subnets": [net["private_subnet"]],
            "securityGroups": [net["task_sg"]],
            "assignPublicIp": "DISABLED",
        }
    }
    for number in range(SERVICES):
        ecs.create_service(
            cluster=cluster,
            serviceName=f"svc-{number}",
            taskDefinition=definition,
            desiredCount=0,
            launchType="FARGATE",
            networkConfiguration=awsvpc,
        )
    for _ in range(TASKS // 10):
        ecs.run_task(
            cluster=cluster,
            taskDefinition=definition,
            launchType="FARGATE",
            networkConfiguration=awsvpc,
            count=10,
        )


def ecs_calls(counts: dict[tuple[str, str, str], int]) -> dict[str, int]:
    return {op: n for (_, service, op), n in sorted(counts.items()) if service == "ecs"}


def start_sending(settings: Settings) -> tuple[threading.Thread, PrefetchedCalls]:
    """What the start-up thread does once the caller is known to own the account."""
    send = ecs_prefetch.prepare(settings, ACCOUNT_ID, [REGION], ACCOUNT_ID)
    assert send is not None
    (calls,) = [c for s, a, c in ecs_prefetch._ready if s is settings and a == ACCOUNT_ID]
    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    return sender, calls


async def until(condition: Callable[[], bool]) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("waited 10 s")


async def collect(settings: Settings) -> tuple[Collected, Any]:
    account = await open_account(ACCOUNT_ID, settings)
    taken = account.prefetched
    return await collect_account(account, [REGION], concurrency=8), taken


def summary(collected: Collected) -> tuple[list[str], list[str], list[str]]:
    tasks = sorted(r.task_arn for r in collected.records if isinstance(r, EcsTask))
    enis = sorted(
        r.network_interface_id for r in collected.records if isinstance(r, Ec2NetworkInterface)
    )
    services = sorted(r.service_arn for r in collected.records if isinstance(r, EcsService))
    return tasks, enis, services


@pytest.mark.asyncio
async def test_the_collection_takes_the_listing_sent_ahead_and_sends_none_of_it_again(
    boto3_client: Boto3Factory,
) -> None:
    seed_tasks(boto3_client)
    reference, none_taken = await collect(make_settings())
    assert none_taken is None  # nothing was sent ahead for these settings

    settings = make_settings()
    sender, calls = start_sending(settings)
    await until(lambda: calls.sent == 9)  # every call registered, the describes last
    await asyncio.sleep(0.2)
    # Until a scan takes them, DescribeTasks and DescribeServices (one per 100 tasks, one per
    # 10 services) are not sent.
    listing = {"DescribeClusters": 1, "ListClusters": 1, "ListServices": 1, "ListTasks": 2}
    assert ecs_calls(calls.calls) == listing
    account = await open_account(ACCOUNT_ID, settings)
    assert account.prefetched is calls
    await asyncio.to_thread(sender.join, 30)
    assert calls.finished.is_set()
    assert ecs_calls(calls.calls) == {**listing, "DescribeServices": 2, "DescribeTasks": 2}
    collected = await collect_account(account, [REGION], concurrency=8)

    assert calls.sent == 0  # every call sent ahead was taken
    assert summary(collected) == summary(reference)
    assert (len(summary(collected)[0]), len(summary(collected)[2])) == (TASKS, SERVICES)
    # Counted once each, in the scan's count: sent ahead, then taken, never sent again.
    assert ecs_calls(collected.api_calls) == ecs_calls(reference.api_calls)
    assert collected.api_calls == reference.api_calls


@pytest.mark.asyncio
async def test_what_was_not_sent_ahead_the_collection_sends_itself(
    boto3_client: Boto3Factory,
) -> None:
    seed_tasks(boto3_client)
    reference, _ = await collect(make_settings())
    settings = make_settings()
    send = ecs_prefetch.prepare(settings, ACCOUNT_ID, [REGION], ACCOUNT_ID)
    assert send is not None
    # The collectors asked before the thread sent anything: it sends nothing at all.
    account = await open_account(ACCOUNT_ID, settings)
    assert account.prefetched is not None
    assert account.prefetched.claim(call_key((REGION, "ecs"), "call", "x", {})) is None
    await asyncio.to_thread(send)
    assert ecs_calls(account.prefetched.calls) == {}

    collected = await collect_account(account, [REGION], concurrency=8)
    assert summary(collected) == summary(reference)
    assert collected.api_calls == reference.api_calls


def test_nothing_is_sent_ahead_for_another_account_or_unknown_regions() -> None:
    settings = make_settings()
    assert ecs_prefetch.prepare(settings, ACCOUNT_ID, [REGION], "111111111111") is None
    assert ecs_prefetch.prepare(settings, ACCOUNT_ID, [], ACCOUNT_ID) is None
    assert ecs_prefetch.take(settings, ACCOUNT_ID) is None


def test_registration_closes_at_the_first_claim_and_an_answer_is_handed_over_once() -> None:
    calls = PrefetchedCalls()
    key = call_key((REGION, "ecs"), "call", "describe_tasks", {"tasks": ["a", "b"], "cluster": "c"})
    future = calls.register(key)
    same = call_key(
        (REGION, "ecs"), "call", "describe_tasks", {"cluster": "c", "tasks": ["a", "b"]}
    )
    assert calls.claim(same) is future
    assert calls.claim(same) is None
    with pytest.raises(PrefetchClosedError):
        calls.register(call_key((REGION, "ecs"), "call", "list_clusters", {}))


@pytest.mark.asyncio
async def test_a_call_registered_and_never_answered_is_sent_by_the_collector(
    boto3_client: Boto3Factory,
) -> None:
    seed_tasks(boto3_client)
    account = await open_account(ACCOUNT_ID, make_settings())
    calls = PrefetchedCalls()
    calls.register(call_key((REGION, "ecs"), "pages", "list_clusters", {"maxResults": 100}))
    calls.end()  # the sending thread ended without an answer
    async with account.client("ecs", REGION) as ecs:
        api = Api(ecs, asyncio.Semaphore(1), calls, (REGION, "ecs"))
        arns = await api.items("list_clusters", "clusterArns", maxResults=100)
    assert [arn.rsplit("/", 1)[-1] for arn in arns] == ["prod"]
    assert ecs_calls(account.calls) == {"ListClusters": 1}


class _InFlightProxy(FaultProxy):
    """A proxy in front of moto that holds every request a while (DescribeTasks longest) and
    notes how many were in flight at once."""

    def __init__(self, upstream: str) -> None:
        super().__init__(upstream)
        self.in_flight = 0
        self.most_in_flight = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            slow = request.headers.get("X-Amz-Target", "").endswith(".DescribeTasks")
            await asyncio.sleep(1.0 if slow else 0.02)
            return await super().handle(request)
        finally:
            self.in_flight -= 1


@pytest.mark.asyncio
async def test_calls_sent_ahead_and_in_flight_hold_places_of_the_accounts_bound(
    boto3_client: Boto3Factory, moto: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The collection starts while the calls sent ahead are in flight: together they never
    have more requests out than the account's concurrency."""
    seed_tasks(boto3_client)
    proxy = _InFlightProxy(moto.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL", await proxy.start())
    try:
        settings = make_settings(concurrency=2)
        send = ecs_prefetch.prepare(settings, ACCOUNT_ID, [REGION], ACCOUNT_ID)
        assert send is not None
        sending = asyncio.ensure_future(asyncio.to_thread(send))
        account = await open_account(ACCOUNT_ID, settings)
        calls = account.prefetched
        assert calls is not None
        for _ in range(1000):  # until the describes are sent, the last of nine calls
            if calls.sent == 9 or sending.done():
                break
            await asyncio.sleep(0.01)
        assert len(calls.unanswered()) >= 2  # the DescribeTasks, at least, are in flight
        proxy.most_in_flight = 0
        collected = await collect_account(account, [REGION], concurrency=2)
        await sending
    finally:
        await proxy.stop()
    assert proxy.most_in_flight == 2
    assert len(summary(collected)[0]) == TASKS
    assert ecs_calls(collected.api_calls)["DescribeTasks"] == 2
