"""efs-mount-path end to end on moto: seed EFS file systems and tasks with boto3, collect, evaluate.

An EFS volume whose only mount target is in another AZ, a mount target group without NFS
ingress and their healthy twins; a missing access point, IAM authorization without a task role,
a legacy platform, a One Zone file system elsewhere, VPC DNS support off, task egress without
2049, a NACL denying NFS on the mount target's subnet, custom DHCP DNS servers and EFS denied
(UNKNOWN).
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from checks.base import Status
from checks.paths import efs_mount_path
from tests.checks.checks_factories import acl_entry
from tests.enforcing import enforcing_moto_server, restricted_user
from tests.moto_seeding import (
    REGION,
    TASK_ROLE,
    Boto3Factory,
    Seeder,
    collect_inventory,
    efs_volume,
)


@pytest.mark.asyncio
async def test_efs_mount_paths_on_moto(boto3_client: Boto3Factory) -> None:
    seed = Seeder(boto3_client)
    vpc = seed.vpc("10.0.0.0/16")
    zone_a = seed.zoned_subnet(vpc, "10.0.1.0/24", "us-east-1a")
    zone_b = seed.zoned_subnet(vpc, "10.0.2.0/24", "us-east-1b")
    tasks = seed.group(vpc, "tasks")
    efs_open = seed.group(vpc, "efs-open", egress=False)
    seed.nfs_ingress(efs_open, tasks)
    efs_closed = seed.group(vpc, "efs-closed", egress=False)

    healthy_fs = seed.file_system((zone_a, efs_open), (zone_b, efs_open))
    only_b = seed.file_system((zone_b, efs_open))
    closed_fs = seed.file_system((zone_a, efs_closed))
    one_zone_b = seed.file_system((zone_b, efs_open), one_zone="us-east-1b")
    access_point = seed.efs.create_access_point(FileSystemId=healthy_fs)["AccessPointId"]

    healthy = seed.register(volumes=efs_volume(healthy_fs))
    missing_zone = seed.register(volumes=efs_volume(only_b))
    closed = seed.register(volumes=efs_volume(closed_fs))
    one_zone = seed.register(volumes=efs_volume(one_zone_b))
    with_point = seed.register(
        volumes=efs_volume(healthy_fs, accessPointId=access_point, iam="DISABLED")
    )
    gone_point = seed.register(
        volumes=efs_volume(healthy_fs, accessPointId="fsap-0123456789abcdef0")
    )
    iam_no_role = seed.register(volumes=efs_volume(healthy_fs, iam="ENABLED"))
    iam_role = seed.register(volumes=efs_volume(healthy_fs, iam="ENABLED"), taskRoleArn=TASK_ROLE)
    no_efs = seed.register()

    expected = {
        seed.run(healthy, zone_a, tasks): Status.PASS,
        seed.run(healthy, zone_b, tasks): Status.PASS,
        seed.run(missing_zone, zone_a, tasks): Status.FAIL,
        seed.run(missing_zone, zone_b, tasks): Status.PASS,
        seed.run(closed, zone_a, tasks): Status.FAIL,
        seed.run(one_zone, zone_a, tasks): Status.FAIL,
        seed.run(with_point, zone_a, tasks): Status.PASS,
        seed.run(gone_point, zone_a, tasks): Status.FAIL,
        seed.run(iam_no_role, zone_a, tasks): Status.FAIL,
        seed.run(iam_role, zone_a, tasks): Status.PASS,
        seed.run(healthy, zone_a, tasks, platform="1.3.0"): Status.FAIL,
    }
    seed.run(no_efs, zone_a, tasks)  # out of scope: no verdict
    inventory = await collect_inventory()
    results = {r.resource_id: r for r in efs_mount_path.evaluate(inventory)}
    assert {arn: r.status for arn, r in results.items()} == expected

    by_definition: dict[str, list[str]] = {}
    for task in inventory.tasks:
        by_definition.setdefault(task.task_definition_arn, []).append(task.task_arn)
    missing_a = next(a for a in by_definition[missing_zone] if results[a].status is Status.FAIL)
    assert (
        "no mount target in us-east-1a, the task's Availability Zone" in results[missing_a].message
    )
    assert "only in us-east-1b" in results[missing_a].message
    (closed_task,) = by_definition[closed]
    root = results[closed_task].root_cause
    assert root is not None and root.kind == "mount-target-security-group-ingress"
    assert f"no ingress rule of {efs_closed} allows TCP 2049" in results[closed_task].message
    (gone_task,) = by_definition[gone_point]
    assert "fsap-0123456789abcdef0 does not exist" in results[gone_task].message


@pytest.mark.asyncio
async def test_efs_dns_support_off_fails_on_moto(boto3_client: Boto3Factory) -> None:
    seed = Seeder(boto3_client)
    vpc = seed.vpc("10.0.0.0/16")
    subnet = seed.zoned_subnet(vpc, "10.0.1.0/24", "us-east-1a")
    tasks = seed.group(vpc, "tasks")
    efs_sg = seed.group(vpc, "efs", egress=False)
    seed.nfs_ingress(efs_sg, tasks)
    fs = seed.file_system((subnet, efs_sg))
    arn = seed.run(seed.register(volumes=efs_volume(fs)), subnet, tasks)
    seed.ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": False})
    inventory = await collect_inventory()
    (result,) = efs_mount_path.evaluate(inventory)
    assert (result.resource_id, result.status) == (arn, Status.FAIL)
    assert "enableDnsSupport=false" in result.message


@pytest.mark.asyncio
async def test_efs_denied_is_unknown_on_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    with enforcing_moto_server() as url:
        keys = restricted_user(url, ["elasticfilesystem:DescribeFileSystems"])
        for name, value in {**keys, "AWS_ENDPOINT_URL": url}.items():
            monkeypatch.setenv(name, value)

        def make(service: str, region: str = REGION) -> Any:
            return boto3.client(
                service,
                region_name=region,
                endpoint_url=url,
                aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
            )

        seed = Seeder(make)
        vpc = seed.vpc("10.0.0.0/16")
        subnet = seed.zoned_subnet(vpc, "10.0.1.0/24", "us-east-1a")
        tasks = seed.group(vpc, "tasks")
        fs = seed.file_system((subnet, tasks))
        arn = seed.run(seed.register(volumes=efs_volume(fs)), subnet, tasks)
        inventory = await collect_inventory()
    outcome = inventory.outcome(REGION, "efs.file_systems")
    assert outcome is not None and outcome.status == "denied"
    (result,) = efs_mount_path.evaluate(inventory)
    assert (result.resource_id, result.status) == (arn, Status.UNKNOWN)
    assert "efs.file_systems (denied" in result.message


@pytest.mark.asyncio
async def test_efs_groups_acls_and_dns_servers_on_moto(boto3_client: Boto3Factory) -> None:
    """Task egress without 2049, a mount target subnet whose NACL denies NFS, and a VPC whose
    DHCP option set names custom DNS servers, each against a healthy twin."""
    seed = Seeder(boto3_client)
    vpc = seed.vpc("10.0.0.0/16")
    tasks_subnet = seed.zoned_subnet(vpc, "10.0.1.0/24", "us-east-1a")
    open_subnet = seed.zoned_subnet(vpc, "10.0.2.0/24", "us-east-1a")
    tasks = seed.group(vpc, "tasks")
    https_only = seed.group(vpc, "https-only", egress=False)
    seed.ec2.authorize_security_group_egress(
        GroupId=https_only,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    efs_sg = seed.group(vpc, "efs", egress=False)
    seed.nfs_ingress(efs_sg, tasks)
    seed.nfs_ingress(efs_sg, https_only)
    # A file system whose only mount target sits in a subnet behind a NACL denying NFS in.
    guarded_subnet = seed.zoned_subnet(vpc, "10.0.3.0/24", "us-east-1b")
    guarded_fs = seed.file_system((guarded_subnet, efs_sg))
    deny_nfs_in = acl_entry(90, "deny", egress=False, protocol="6", ports=(2049, 2049))
    allow_all = [acl_entry(100, "allow", egress=egress) for egress in (False, True)]
    acl = seed.network_acl(vpc, [guarded_subnet], [*allow_all, deny_nfs_in])
    # The same layout without the NACL: the mount target in another subnet of the task's AZ.
    open_fs = seed.file_system((open_subnet, efs_sg))
    guarded_b_task_subnet = seed.zoned_subnet(vpc, "10.0.4.0/24", "us-east-1b")

    open_definition = seed.register(volumes=efs_volume(open_fs))
    guarded_definition = seed.register(volumes=efs_volume(guarded_fs))
    expected = {
        seed.run(open_definition, tasks_subnet, tasks): Status.PASS,
        seed.run(open_definition, tasks_subnet, https_only): Status.FAIL,
        seed.run(guarded_definition, guarded_b_task_subnet, tasks): Status.FAIL,
    }
    # Custom DNS servers in a second VPC: the DNS hop cannot be proven.
    other = seed.vpc("10.9.0.0/16")
    other_subnet = seed.zoned_subnet(other, "10.9.1.0/24", "us-east-1a")
    other_tasks = seed.group(other, "tasks")
    other_efs = seed.group(other, "efs", egress=False)
    seed.nfs_ingress(other_efs, other_tasks)
    dhcp = seed.ec2.create_dhcp_options(
        DhcpConfigurations=[{"Key": "domain-name-servers", "Values": ["10.9.0.10"]}]
    )["DhcpOptions"]["DhcpOptionsId"]
    seed.ec2.associate_dhcp_options(DhcpOptionsId=dhcp, VpcId=other)
    custom_dns = seed.register(volumes=efs_volume(seed.file_system((other_subnet, other_efs))))
    expected[seed.run(custom_dns, other_subnet, other_tasks)] = Status.UNKNOWN

    inventory = await collect_inventory()
    results = {r.resource_id: r for r in efs_mount_path.evaluate(inventory)}
    assert {arn: r.status for arn, r in results.items()} == expected
    causes = {arn: r.root_cause.kind for arn, r in results.items() if r.root_cause is not None}
    assert sorted(causes.values()) == ["dhcp-dns", "network-acl", "security-group-egress"]
    guarded = next(
        r for r in results.values() if r.root_cause and r.root_cause.kind == "network-acl"
    )
    assert guarded.root_cause is not None and guarded.root_cause.resource_id == acl
