"""elbv2.target_groups: only the target groups services reference, collected on moto."""

from __future__ import annotations

import pytest

from auditor.store.resources import Elbv2TargetGroup
from auditor.store.scans import OutcomeStatus
from collectors.results import Collected
from collectors.run import collect_account
from tests.collectors.collectors_estate import (
    REGION,
    Boto3Factory,
    SeededCollection,
    open_moto_account,
    records_by_kind,
    seed_network,
)


def test_collects_only_the_referenced_target_group(seeded_collection: SeededCollection) -> None:
    # "other" exists but no service names it.
    assert {
        (t.target_group_arn, t.target_type) for t in seeded_collection.records(Elbv2TargetGroup)
    } == {(seeded_collection.estate.target_group_arn, "ip")}


async def collect(regions: list[str]) -> Collected:
    account = await open_moto_account()
    return await collect_account(account, regions, concurrency=4)


@pytest.mark.asyncio
async def test_a_deleted_target_group_is_absent_not_fatal(boto3_client: Boto3Factory) -> None:
    net = seed_network(boto3_client)
    elbv2 = boto3_client("elbv2")
    kept, gone = (
        elbv2.create_target_group(
            Name=name, Protocol="HTTP", Port=80, VpcId=net["vpc_id"], TargetType="ip"
        )["TargetGroups"][0]["TargetGroupArn"]
        for name in ("kept", "gone")
    )
    elbv2.create_target_group(Name="unrelated", Protocol="HTTP", Port=80, VpcId=net["vpc_id"])
    ecs = boto3_client("ecs")
    cluster = ecs.create_cluster(clusterName="prod")["cluster"]["clusterArn"]
    for name, target_group in (("a", kept), ("b", gone)):
        ecs.create_service(
            cluster=cluster,
            serviceName=name,
            desiredCount=0,
            loadBalancers=[
                {"targetGroupArn": target_group, "containerName": "app", "containerPort": 80}
            ],
        )
    elbv2.delete_target_group(TargetGroupArn=gone)

    collected = await collect([REGION])
    outcome = next(o for o in collected.outcomes if o.collector == "elbv2.target_groups")
    assert outcome.status == OutcomeStatus.OK
    assert {t.target_group_arn for t in records_by_kind(collected)[Elbv2TargetGroup]} == {kept}
    # The ARN lookup failed on the missing one, then the region's target groups were listed.
    assert collected.api_calls[(REGION, "elbv2", "DescribeTargetGroups")] == 2
