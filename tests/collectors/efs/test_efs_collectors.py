"""The EFS collectors: transforms on items shaped like the EFS API reference's examples, and
the calls a collection makes on moto (none without EFS volumes, one listing, one describe per
mounted file system)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from auditor.store.resources import (
    Ec2NetworkInterface,
    EfsAccessPoint,
    EfsFileSystem,
    EfsMountTarget,
)
from collectors.efs.access_points import transform_access_point
from collectors.efs.file_systems import transform_file_system
from collectors.efs.mount_targets import transform_mount_target
from collectors.run import collect_account
from tests.collectors.collectors_estate import (
    REGION,
    Boto3Factory,
    SeededCollection,
    open_moto_account,
    register_task_definition,
    seed_network,
)

ACCOUNT = "123456789012"

# DescribeFileSystems, "Response Syntax" / example of a One Zone file system
# (https://docs.aws.amazon.com/efs/latest/ug/API_DescribeFileSystems.html).
ONE_ZONE_FILE_SYSTEM: dict[str, Any] = {
    "OwnerId": ACCOUNT,
    "CreationToken": "console-d7f56c5f-e433-41ca-8307-9d9c0example",
    "FileSystemId": "fs-01234567",
    "FileSystemArn": f"arn:aws:elasticfilesystem:us-west-2:{ACCOUNT}:file-system/fs-01234567",
    "CreationTime": datetime(2020, 8, 25, 18, 36, 59, tzinfo=UTC),
    "LifeCycleState": "available",
    "Name": "my-efs-one-zone",
    "NumberOfMountTargets": 1,
    "SizeInBytes": {"Value": 6144, "Timestamp": datetime(2020, 8, 25, 18, 36, 59, tzinfo=UTC)},
    "PerformanceMode": "generalPurpose",
    "Encrypted": True,
    "KmsKeyId": f"arn:aws:kms:us-west-2:{ACCOUNT}:key/a59b3472-e62c-42e4-adcf-30d92example",
    "ThroughputMode": "bursting",
    "AvailabilityZoneName": "us-west-2b",
    "AvailabilityZoneId": "usw2-az2",
    "Tags": [{"Key": "Name", "Value": "my-efs-one-zone"}],
}
# DescribeMountTargets example (API_DescribeMountTargets.html).
MOUNT_TARGET: dict[str, Any] = {
    "OwnerId": ACCOUNT,
    "MountTargetId": "fsmt-abcd1234",
    "FileSystemId": "fs-01234567",
    "SubnetId": "subnet-1234abcd",
    "LifeCycleState": "available",
    "IpAddress": "172.31.22.183",
    "NetworkInterfaceId": "eni-0123456789abcdef0",
    "AvailabilityZoneId": "usw2-az2",
    "AvailabilityZoneName": "us-west-2b",
    "VpcId": "vpc-01234567",
}
# DescribeAccessPoints response syntax (API_DescribeAccessPoints.html).
ACCESS_POINT: dict[str, Any] = {
    "ClientToken": "myClientToken",
    "Name": "my-access-point",
    "Tags": [],
    "AccessPointId": "fsap-1234567890abcdef0",
    "AccessPointArn": (
        f"arn:aws:elasticfilesystem:us-west-2:{ACCOUNT}:access-point/fsap-1234567890abcdef0"
    ),
    "FileSystemId": "fs-01234567",
    "PosixUser": {"Uid": 1001, "Gid": 1001},
    "RootDirectory": {"Path": "/data"},
    "OwnerId": ACCOUNT,
    "LifeCycleState": "available",
}


def test_one_zone_file_system_keeps_its_zone_and_drops_the_metered_size() -> None:
    record = transform_file_system(ONE_ZONE_FILE_SYSTEM, ACCOUNT, "us-west-2")
    assert (
        record.file_system_id,
        record.life_cycle_state,
        record.availability_zone_name,
        record.availability_zone_id,
        record.name,
    ) == ("fs-01234567", "available", "us-west-2b", "usw2-az2", "my-efs-one-zone")
    assert "SizeInBytes" not in record.raw
    assert record.raw["CreationTime"] == "2020-08-25T18:36:59+00:00"


def test_regional_file_system_has_no_zone() -> None:
    item = {
        k: v
        for k, v in ONE_ZONE_FILE_SYSTEM.items()
        if k not in ("AvailabilityZoneName", "AvailabilityZoneId")
    }
    record = transform_file_system(item, ACCOUNT, "us-west-2")
    assert (record.availability_zone_name, record.availability_zone_id) == (None, None)


def test_mount_target_and_access_point() -> None:
    target = transform_mount_target(MOUNT_TARGET, ACCOUNT, "us-west-2")
    assert (
        target.mount_target_id,
        target.subnet_id,
        target.vpc_id,
        target.availability_zone_name,
        target.ip_address,
        target.network_interface_id,
    ) == (
        "fsmt-abcd1234",
        "subnet-1234abcd",
        "vpc-01234567",
        "us-west-2b",
        "172.31.22.183",
        "eni-0123456789abcdef0",
    )
    point = transform_access_point(ACCESS_POINT, ACCOUNT, "us-west-2")
    assert (point.access_point_id, point.file_system_id, point.life_cycle_state) == (
        "fsap-1234567890abcdef0",
        "fs-01234567",
        "available",
    )


@pytest.mark.parametrize(
    ("transform", "item", "required"),
    [
        (transform_file_system, ONE_ZONE_FILE_SYSTEM, "FileSystemId"),
        (transform_mount_target, MOUNT_TARGET, "SubnetId"),
        (transform_access_point, ACCESS_POINT, "AccessPointId"),
    ],
)
def test_a_missing_required_field_raises(
    transform: Any, item: dict[str, Any], required: str
) -> None:
    with pytest.raises(KeyError):
        transform({k: v for k, v in item.items() if k != required}, ACCOUNT, "us-west-2")


def _efs_calls(calls: dict[tuple[str, str, str], int]) -> dict[str, int]:
    return {operation: n for (_, service, operation), n in calls.items() if service == "efs"}


@pytest.mark.asyncio
async def test_no_efs_volume_no_efs_call(boto3_client: Boto3Factory) -> None:
    net = seed_network(boto3_client)
    boto3_client("efs").create_file_system(CreationToken="unmounted")
    ecs = boto3_client("ecs")
    ecs.create_cluster(clusterName="prod")
    ecs.run_task(
        cluster="prod",
        taskDefinition=register_task_definition(ecs, "web"),
        launchType="FARGATE",
        networkConfiguration={
            "awsvpcConfiguration": {"subnets": [net["private_subnet"]], "securityGroups": []}
        },
    )
    account = await open_moto_account()
    collected = await collect_account(account, [REGION], concurrency=4)
    assert _efs_calls(collected.api_calls) == {}
    assert not [r for r in collected.records if isinstance(r, EfsFileSystem)]


@pytest.mark.asyncio
async def test_calls_per_mounted_file_system(boto3_client: Boto3Factory) -> None:
    net = seed_network(boto3_client)
    efs = boto3_client("efs")
    mounted = [efs.create_file_system(CreationToken=f"fs{i}")["FileSystemId"] for i in range(3)]
    for fs in mounted:
        efs.create_mount_target(
            FileSystemId=fs, SubnetId=net["private_subnet"], SecurityGroups=[net["task_sg"]]
        )
    point = efs.create_access_point(FileSystemId=mounted[0])["AccessPointId"]
    for i in range(4):
        efs.create_file_system(CreationToken=f"unmounted{i}")
    ecs = boto3_client("ecs")
    ecs.create_cluster(clusterName="prod")
    volumes = [
        {
            "name": f"v{i}",
            "efsVolumeConfiguration": {
                "fileSystemId": fs,
                **(
                    {
                        "transitEncryption": "ENABLED",
                        "authorizationConfig": {"accessPointId": point},
                    }
                    if i == 0
                    else {}
                ),
            },
        }
        for i, fs in enumerate(mounted)
    ]
    ecs.run_task(
        cluster="prod",
        taskDefinition=register_task_definition(ecs, "web", volumes),
        launchType="FARGATE",
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": [net["private_subnet"]],
                "securityGroups": [net["task_sg"]],
            }
        },
    )
    account = await open_moto_account()
    collected = await collect_account(account, [REGION], concurrency=4)
    assert _efs_calls(collected.api_calls) == {
        "DescribeFileSystems": 1,  # seven file systems, one page of 100
        "DescribeMountTargets": 3,  # one per mounted file system
        "DescribeAccessPoints": 1,  # only the file system a volume mounts through one
    }
    assert {r.file_system_id for r in collected.records if isinstance(r, EfsFileSystem)} == set(
        mounted
    )
    targets = [r for r in collected.records if isinstance(r, EfsMountTarget)]
    assert {t.file_system_id for t in targets} == set(mounted)
    assert [r.access_point_id for r in collected.records if isinstance(r, EfsAccessPoint)] == [
        point
    ]
    # The mount targets' ENIs ride in the task ENIs' one DescribeNetworkInterfaces batch.
    assert collected.api_calls[(REGION, "ec2", "DescribeNetworkInterfaces")] == 1
    enis = {r.network_interface_id for r in collected.records if isinstance(r, Ec2NetworkInterface)}
    assert {t.network_interface_id for t in targets} <= enis


def test_collects_only_the_mounted_file_system(seeded_collection: SeededCollection) -> None:
    # "not-mounted" exists but no task definition names it.
    assert {f.file_system_id for f in seeded_collection.records(EfsFileSystem)} == {
        seeded_collection.estate.file_system_id
    }


def test_collects_the_mount_target_of_the_mounted_file_system(
    seeded_collection: SeededCollection,
) -> None:
    estate = seeded_collection.estate
    (target,) = seeded_collection.records(EfsMountTarget)
    assert (
        target.mount_target_id,
        target.file_system_id,
        target.subnet_id,
        target.network_interface_id,
        target.life_cycle_state,
    ) == (
        estate.mount_target_id,
        estate.file_system_id,
        estate.private_subnet,
        estate.mount_target_eni,
        "available",
    )
    assert target.availability_zone_name is not None


def test_collects_the_access_point_of_the_mounted_file_system(
    seeded_collection: SeededCollection,
) -> None:
    estate = seeded_collection.estate
    assert {
        (a.access_point_id, a.file_system_id) for a in seeded_collection.records(EfsAccessPoint)
    } == {(estate.access_point_id, estate.file_system_id)}
