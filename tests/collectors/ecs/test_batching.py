"""The ECS collectors batch DescribeServices, DescribeTasks and task definitions, follow
ListTasks' next tokens, and fail (not shrink) on a DescribeTasks failure."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiobotocore.session import get_session
from aiobotocore.stub import AioStubber

from auditor.store.resources import EcsService, EcsTask, EcsTaskDefinition
from auditor.store.scans import OutcomeStatus
from collectors.calls import Api
from collectors.ecs.listing import fetch_tasks_as
from collectors.run import collect_account
from tests.collectors.collectors_estate import (
    REGION,
    Boto3Factory,
    open_moto_account,
    register_task_definition,
    seed_network,
)

CLUSTER = "arn:aws:ecs:us-east-1:123456789012:cluster/prod"


def as_is(item: dict[str, Any]) -> dict[str, Any]:
    """The conversion that keeps AWS's items as they came."""
    return item


@pytest.mark.asyncio
async def test_services_tasks_and_definitions_are_batched(boto3_client: Boto3Factory) -> None:
    net = seed_network(boto3_client)
    ecs = boto3_client("ecs")
    cluster = ecs.create_cluster(clusterName="prod")["cluster"]["clusterArn"]
    definitions = [register_task_definition(ecs, family) for family in ("a", "b", "c")]
    awsvpc = {
        "awsvpcConfiguration": {
            "subnets": [net["private_subnet"]],
            "securityGroups": [net["task_sg"]],
            "assignPublicIp": "DISABLED",
        }
    }
    for number in range(25):
        ecs.create_service(
            cluster=cluster,
            serviceName=f"svc-{number}",
            taskDefinition=definitions[number % 2],
            desiredCount=0,
            launchType="FARGATE",
            networkConfiguration=awsvpc,
        )
    for number in range(15):
        ecs.run_task(
            cluster=cluster,
            taskDefinition=definitions[1 + number % 2],
            launchType="FARGATE",
            networkConfiguration=awsvpc,
            count=10,
        )

    account = await open_moto_account()
    collected = await collect_account(account, [REGION], concurrency=8)

    assert {o.collector for o in collected.outcomes if o.status != OutcomeStatus.OK} == {
        "cloudtrail.dhcp_associations",
        # No route leads to a Network Firewall endpoint.
        "network_firewall.firewalls",
        "network_firewall.firewall_policies",
        "network_firewall.rule_groups",
    }
    assert len([r for r in collected.records if isinstance(r, EcsService)]) == 25
    tasks = [r for r in collected.records if isinstance(r, EcsTask)]
    assert len(tasks) == 150
    assert {
        r.task_definition_arn for r in collected.records if isinstance(r, EcsTaskDefinition)
    } == set(definitions)
    calls = collected.api_calls
    assert calls[(REGION, "ecs", "DescribeServices")] == 3  # 10 + 10 + 5
    assert calls[(REGION, "ecs", "DescribeTasks")] == 2  # 100 + 50
    assert calls[(REGION, "ecs", "ListTasks")] == 2  # RUNNING and STOPPED
    assert calls[(REGION, "ecs", "DescribeTaskDefinition")] == 3  # each definition once
    assert calls[(REGION, "ec2", "DescribeNetworkInterfaces")] == 1  # 150 ENIs in one filter batch
    assert calls[(REGION, "ec2", "DescribeVpcAttribute")] == 2 * 2  # two VPCs, two attributes each


@pytest_asyncio.fixture
async def ecs_and_ec2() -> AsyncIterator[tuple[Any, Any]]:
    session = get_session()
    async with (
        session.create_client("ecs", region_name=REGION) as ecs,
        session.create_client("ec2", region_name=REGION) as ec2,
    ):
        yield ecs, ec2


def task_item(number: int) -> dict[str, Any]:
    return {
        "taskArn": f"arn:aws:ecs:us-east-1:123456789012:task/prod/{number:032x}",
        "clusterArn": CLUSTER,
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1",
        "lastStatus": "RUNNING",
    }


@pytest.mark.asyncio
async def test_list_tasks_follows_next_tokens_across_odd_pages(
    ecs_and_ec2: tuple[Any, Any],
) -> None:
    ecs, _ = ecs_and_ec2
    arns = [task_item(n)["taskArn"] for n in range(130)]
    with AioStubber(ecs) as stubber:
        # RUNNING: a full page, an empty page that still has a token, then the rest.
        stubber.add_response(
            "list_tasks",
            {"taskArns": arns[:100], "nextToken": "t1"},
            {"cluster": CLUSTER, "desiredStatus": "RUNNING", "maxResults": 100},
        )
        stubber.add_response(
            "list_tasks",
            {"taskArns": [], "nextToken": "t2"},
            {"cluster": CLUSTER, "desiredStatus": "RUNNING", "maxResults": 100, "nextToken": "t1"},
        )
        stubber.add_response(
            "list_tasks",
            {"taskArns": arns[100:120]},
            {"cluster": CLUSTER, "desiredStatus": "RUNNING", "maxResults": 100, "nextToken": "t2"},
        )
        # STOPPED: ten more, plus one that moved from RUNNING meanwhile (described once).
        stubber.add_response(
            "list_tasks",
            {"taskArns": [*arns[120:], arns[0]]},
            {"cluster": CLUSTER, "desiredStatus": "STOPPED", "maxResults": 100},
        )
        stubber.add_response(
            "describe_tasks",
            {"tasks": [task_item(n) for n in range(100)], "failures": []},
            {"cluster": CLUSTER, "tasks": arns[:100]},
        )
        stubber.add_response(
            "describe_tasks",
            {"tasks": [task_item(n) for n in range(100, 130)], "failures": []},
            {"cluster": CLUSTER, "tasks": arns[100:]},
        )
        # The listings run one after the other here so the stubbed order is deterministic.
        items = await fetch_tasks_as(Api(ecs, asyncio.Semaphore(1)), CLUSTER, as_is)
        stubber.assert_no_pending_responses()
    assert [item["taskArn"] for item in items] == arns


@pytest.mark.asyncio
async def test_describe_tasks_failure_other_than_missing_fails_the_collector(
    ecs_and_ec2: tuple[Any, Any],
) -> None:
    from collectors.calls import IncompleteResponseError

    ecs, _ = ecs_and_ec2
    arn = task_item(1)["taskArn"]
    with AioStubber(ecs) as stubber:
        stubber.add_response("list_tasks", {"taskArns": [arn]}, None)
        stubber.add_response("list_tasks", {"taskArns": []}, None)
        stubber.add_response(
            "describe_tasks",
            {"tasks": [], "failures": [{"arn": arn, "reason": "INTERNAL_ERROR"}]},
            None,
        )
        with pytest.raises(IncompleteResponseError, match="INTERNAL_ERROR"):
            await fetch_tasks_as(Api(ecs, asyncio.Semaphore(1)), CLUSTER, as_is)


@pytest.mark.asyncio
async def test_each_describe_tasks_page_is_converted_before_the_next_is_asked(
    ecs_and_ec2: tuple[Any, Any],
) -> None:
    """The pages answered first are transformed while the others are in flight, not all
    of them after the last answer (the ENI lookup waits for the whole collector)."""
    ecs, _ = ecs_and_ec2
    arns = [task_item(n)["taskArn"] for n in range(130)]
    events: list[str] = []

    def convert(item: dict[str, Any]) -> str:
        events.append("convert")
        return str(item["taskArn"])

    with AioStubber(ecs) as stubber:
        stubber.add_response("list_tasks", {"taskArns": arns}, None)
        stubber.add_response("list_tasks", {"taskArns": []}, None)
        for batch in (range(100), range(100, 130)):
            stubber.add_response(
                "describe_tasks", {"tasks": [task_item(n) for n in batch], "failures": []}, None
            )
        ecs.meta.events.register(
            "before-parameter-build.ecs.DescribeTasks", lambda **_: events.append("ask")
        )
        converted = await fetch_tasks_as(Api(ecs, asyncio.Semaphore(1)), CLUSTER, convert)
        stubber.assert_no_pending_responses()
    assert converted == arns
    assert events == ["ask", *["convert"] * 100, "ask", *["convert"] * 30]
