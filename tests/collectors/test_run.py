"""collect_account on moto: every collector reports, regions are collected apart and global
collectors once, progress is reported per collector and region."""

from __future__ import annotations

from collections import defaultdict

import pytest

from auditor.store.resources import (
    EcsCluster,
)
from auditor.store.scans import OutcomeStatus
from collectors.registry import COLLECTORS
from collectors.results import Collected
from collectors.run import collect_account
from tests.collectors.collectors_estate import (
    ACCOUNT_ID,
    REGION,
    Boto3Factory,
    SeededCollection,
    open_moto_account,
    records_by_kind,
)


async def collect(regions: list[str]) -> Collected:
    account = await open_moto_account()
    return await collect_account(account, regions, concurrency=4)


def test_every_collector_reports_for_the_seeded_estate(seeded_collection: SeededCollection) -> None:
    # moto does not implement CloudTrail's LookupEvents: that optional collector errs.
    collected = seeded_collection.collected
    # No route of the seeded estate leads to a Network Firewall endpoint: not needed.
    firewall = {c.name for c in COLLECTORS if c.name.startswith("network_firewall.")}
    assert {(o.collector, o.region, o.status) for o in collected.outcomes} == {
        (c.name, "global" if c.scope == "global" else REGION, OutcomeStatus.OK)
        for c in COLLECTORS
        if c.name != "cloudtrail.dhcp_associations" and c.name not in firewall
    } | {("cloudtrail.dhcp_associations", REGION, OutcomeStatus.ERROR)} | {
        (name, REGION, OutcomeStatus.NOT_NEEDED) for name in firewall
    }
    assert all(r.account_id == ACCOUNT_ID for r in collected.records)


@pytest.mark.asyncio
async def test_regions_are_collected_separately_and_global_once(boto3_client: Boto3Factory) -> None:
    west = boto3_client("ecs", "eu-west-1").create_cluster(clusterName="west")["cluster"][
        "clusterArn"
    ]
    east = boto3_client("ecs", "us-east-1").create_cluster(clusterName="east")["cluster"][
        "clusterArn"
    ]
    collected = await collect(["us-east-1", "eu-west-1"])
    assert {(c.region, c.cluster_arn) for c in records_by_kind(collected)[EcsCluster]} == {
        ("us-east-1", east),
        ("eu-west-1", west),
    }
    regions_per_collector: dict[str, set[str]] = defaultdict(set)
    for outcome in collected.outcomes:
        regions_per_collector[outcome.collector].add(outcome.region)
    assert regions_per_collector["iam.service_linked_role"] == {"global"}
    assert regions_per_collector["ecs.clusters"] == {"us-east-1", "eu-west-1"}
    assert len(collected.outcomes) == 2 * (len(COLLECTORS) - 1) + 1
    assert {key[0] for key in collected.api_calls} == {"us-east-1", "eu-west-1", "global"}


@pytest.mark.asyncio
async def test_progress_is_reported_once_per_collector_and_region(
    boto3_client: Boto3Factory,
) -> None:
    from collectors.results import ProgressEvent

    events: list[ProgressEvent] = []
    account = await open_moto_account()
    collected = await collect_account(account, [REGION], concurrency=4, on_progress=events.append)
    assert sorted((e.collector, e.region, e.status) for e in events) == sorted(
        (o.collector, o.region, o.status) for o in collected.outcomes
    )
    counts = [e.api_calls for e in events]
    assert counts == sorted(counts)
    assert counts[-1] == collected.total_api_calls
    # The account-level STS call made by open_account is not part of the collection's count.
    assert (REGION, "sts", "GetCallerIdentity") not in collected.api_calls
