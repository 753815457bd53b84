"""ec2.network_interfaces: the transform, and the paged, batched calls a collection makes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiobotocore.session import get_session
from aiobotocore.stub import AioStubber

from auditor.store.resources import Ec2NetworkInterface, EcsTask, EfsMountTarget
from collectors.calls import Api
from collectors.declaration import Context
from collectors.ec2.network_interfaces import (
    collect,
    fetch_network_interfaces_as,
    transform_network_interface,
)
from tests.collectors.collectors_estate import (
    REGION,
    SeededCollection,
    open_moto_account,
)

ACCOUNT = "123456789012"


def as_is(item: dict[str, Any]) -> dict[str, Any]:
    """The conversion that keeps AWS's items as they came."""
    return item


def test_network_interface_with_public_ip_owner_and_ipv6() -> None:
    item = {
        "NetworkInterfaceId": "eni-1",
        "SubnetId": "subnet-1",
        "VpcId": "vpc-1",
        "InterfaceType": "nat_gateway",
        "Status": "in-use",
        "PrivateIpAddress": "10.0.1.7",
        "Association": {"PublicIp": "54.1.2.3", "IpOwnerId": "amazon"},
        "Ipv6Addresses": [
            {"Ipv6Address": "2600:1f18::7", "IsPrimaryIpv6": True},
            {"Ipv6Address": "2600:1f18::8"},
        ],
        "Groups": [{"GroupId": "sg-1", "GroupName": "task"}],
        "RequesterManaged": True,
        "Description": "arn:aws:ecs:eu-west-1:123456789012:attachment/uuid",
    }
    eni = transform_network_interface(item, ACCOUNT, "eu-west-1")
    assert (eni.public_ip, eni.public_ip_owner) == ("54.1.2.3", "amazon")
    assert eni.ipv6_addresses == ["2600:1f18::7", "2600:1f18::8"]
    assert eni.interface_type == "nat_gateway"
    assert eni.security_group_ids == ["sg-1"]
    assert eni.requester_managed is True


def test_network_interface_without_association() -> None:
    eni = transform_network_interface({"NetworkInterfaceId": "eni-2"}, ACCOUNT, "eu-west-1")
    assert (eni.public_ip, eni.public_ip_owner, eni.ipv6_addresses, eni.requester_managed) == (
        None,
        None,
        [],
        False,
    )


@pytest_asyncio.fixture
async def ecs_and_ec2() -> AsyncIterator[tuple[Any, Any]]:
    session = get_session()
    async with (
        session.create_client("ecs", region_name=REGION) as ecs,
        session.create_client("ec2", region_name=REGION) as ec2,
    ):
        yield ecs, ec2


@pytest.mark.asyncio
async def test_network_interfaces_follow_pages_and_batch_filter_values(
    ecs_and_ec2: tuple[Any, Any],
) -> None:
    _, ec2 = ecs_and_ec2
    ids = [f"eni-{n:017x}" for n in range(250)]

    def params(batch: list[str], token: str | None = None) -> dict[str, Any]:
        expected: dict[str, Any] = {
            "Filters": [{"Name": "network-interface-id", "Values": batch}],
            "IncludeManagedResources": True,
            "MaxResults": 1000,
        }
        if token:
            expected["NextToken"] = token
        return expected

    def enis(batch: list[str]) -> list[dict[str, Any]]:
        return [{"NetworkInterfaceId": eni} for eni in batch]

    with AioStubber(ec2) as stubber:
        stubber.add_response(
            "describe_network_interfaces",
            {"NetworkInterfaces": [], "NextToken": "n1"},
            params(ids[:200]),
        )
        stubber.add_response(
            "describe_network_interfaces",
            {"NetworkInterfaces": enis(ids[:200])},
            params(ids[:200], "n1"),
        )
        stubber.add_response(
            "describe_network_interfaces", {"NetworkInterfaces": enis(ids[200:])}, params(ids[200:])
        )
        items = await fetch_network_interfaces_as(Api(ec2, asyncio.Semaphore(1)), ids, as_is)
        stubber.assert_no_pending_responses()
    assert [item["NetworkInterfaceId"] for item in items] == ids


@pytest.mark.asyncio
async def test_no_tasks_means_no_network_interface_call(ecs_and_ec2: tuple[Any, Any]) -> None:
    _, ec2 = ecs_and_ec2
    with AioStubber(ec2) as stubber:
        assert await fetch_network_interfaces_as(Api(ec2, asyncio.Semaphore(1)), [], as_is) == []
        stubber.assert_no_pending_responses()


def test_collects_only_the_interfaces_of_tasks_and_mount_targets(
    seeded_collection: SeededCollection,
) -> None:
    estate = seeded_collection.estate
    interfaces = seeded_collection.records(Ec2NetworkInterface)
    assert {e.network_interface_id for e in interfaces} == {
        *estate.task_enis.values(),
        estate.mount_target_eni,
    }
    # The mount target's interface keeps its security group.
    mount_target = next(e for e in interfaces if e.network_interface_id == estate.mount_target_eni)
    assert mount_target.security_group_ids == [estate.task_sg]


@pytest.mark.asyncio
async def test_each_network_interface_page_is_converted_before_the_next_is_asked(
    ecs_and_ec2: tuple[Any, Any],
) -> None:
    _, ec2 = ecs_and_ec2
    ids = [f"eni-{n:017x}" for n in range(250)]
    events: list[str] = []

    def convert(item: dict[str, Any]) -> str:
        events.append("convert")
        return str(item["NetworkInterfaceId"])

    with AioStubber(ec2) as stubber:
        for batch in (ids[:200], ids[200:]):
            stubber.add_response(
                "describe_network_interfaces",
                {"NetworkInterfaces": [{"NetworkInterfaceId": eni} for eni in batch]},
                None,
            )
        ec2.meta.events.register(
            "before-parameter-build.ec2.DescribeNetworkInterfaces", lambda **_: events.append("ask")
        )
        converted = await fetch_network_interfaces_as(Api(ec2, asyncio.Semaphore(1)), ids, convert)
        stubber.assert_no_pending_responses()
    assert converted == ids
    assert events == ["ask", *["convert"] * 200, "ask", *["convert"] * 50]


@pytest.mark.asyncio
async def test_task_enis_in_full_batches_leave_before_the_mount_targets_are_in(
    boto3_client: Any,
) -> None:
    """The mount targets wait behind the task definitions and EFS: the full batches of task
    ENIs do not, and the rest shares a batch with the mount targets' ENIs (399 task ENIs and
    one mount target's: two calls, as one listing of all 400)."""
    tasks = [
        EcsTask(
            account_id=ACCOUNT,
            region=REGION,
            raw={},
            task_arn=f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/prod/{number}",
            cluster_arn=f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod",
            task_definition_arn=f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/web:1",
            eni_id=f"eni-{number:017x}",
        )
        for number in range(399)
    ]
    mount_target = EfsMountTarget(
        account_id=ACCOUNT,
        region=REGION,
        raw={},
        mount_target_id="fsmt-1",
        file_system_id="fs-1",
        subnet_id="subnet-1",
        network_interface_id="eni-mount",
    )
    mount_targets_in = asyncio.Event()

    async def mount_targets() -> list[Any]:
        await mount_targets_in.wait()
        return [mount_target]

    account = await open_moto_account()
    sent = account.calls
    key = (REGION, "ec2", "DescribeNetworkInterfaces")
    async with account.client("ec2", REGION) as ec2:
        context = Context(
            ACCOUNT,
            REGION,
            Api(ec2, asyncio.Semaphore(8)),
            {"ecs.tasks": list(tasks)},
            {"efs.mount_targets": mount_targets},
        )
        collecting = asyncio.ensure_future(collect(context))
        for _ in range(200):  # the first batch leaves while the mount targets are not in
            if sent[key]:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)
        assert sent[key] == 1
        assert not collecting.done()
        mount_targets_in.set()
        assert await collecting == []  # none of these ENIs exist: each filter matches nothing
    assert sent[key] == 2
