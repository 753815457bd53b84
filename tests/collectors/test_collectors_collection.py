"""A full collection of a small seeded estate on moto: each collector's records, exactly."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from collectors_estate import ACCOUNT_ID, REGION, Boto3Factory, Estate, open_moto_account

from auditor.store.resources import (
    Ec2DhcpOptions,
    Ec2EgressOnlyInternetGateway,
    Ec2FlowLog,
    Ec2InternetGateway,
    Ec2ManagedPrefixList,
    Ec2NatGateway,
    Ec2NetworkInterface,
    Ec2RouteTable,
    Ec2SecurityGroup,
    Ec2Subnet,
    Ec2Vpc,
    Ec2VpcEndpoint,
    EcsAccountSetting,
    EcsCluster,
    EcsService,
    EcsTask,
    EcsTaskDefinition,
    EfsAccessPoint,
    EfsFileSystem,
    EfsMountTarget,
    Elbv2TargetGroup,
    IamRole,
    ResourceMixin,
)
from auditor.store.scans import OutcomeStatus
from collectors.registry import COLLECTORS
from collectors.results import Collected
from collectors.run import collect_account


def by_kind(collected: Collected) -> dict[type[ResourceMixin], list[Any]]:
    kinds: dict[type[ResourceMixin], list[Any]] = defaultdict(list)
    for record in collected.records:
        kinds[type(record)].append(record)
    return kinds


async def collect(regions: list[str]) -> Collected:
    account = await open_moto_account()
    return await collect_account(account, regions, concurrency=4)


@pytest.mark.asyncio
async def test_every_collector_reports_and_records_match_the_estate(
    estate: Estate, boto3_client: Boto3Factory
) -> None:
    collected = await collect([REGION])
    kinds = by_kind(collected)

    assert {(o.collector, o.region, o.status) for o in collected.outcomes} == {
        (c.name, "global" if c.scope == "global" else REGION, OutcomeStatus.OK)
        for c in COLLECTORS
        if c.name != "cloudtrail.dhcp_associations"
    } | {("cloudtrail.dhcp_associations", REGION, OutcomeStatus.ERROR)}
    assert all(r.account_id == ACCOUNT_ID for r in collected.records)

    assert {c.cluster_arn for c in kinds[EcsCluster]} == {estate.cluster_arn}
    assert {
        (s.service_arn, s.task_definition_arn, tuple(s.subnet_ids)) for s in kinds[EcsService]
    } == {(estate.service_arn, estate.task_definition_arn, (estate.private_subnet,))}
    tasks: list[EcsTask] = kinds[EcsTask]
    assert {(t.task_arn, t.last_status, t.eni_id, t.subnet_id, t.is_fargate) for t in tasks} == {
        (
            estate.fargate_task,
            "RUNNING",
            estate.task_enis[estate.fargate_task],
            estate.private_subnet,
            True,
        ),
        (
            estate.spot_task,
            "RUNNING",
            estate.task_enis[estate.spot_task],
            estate.private_subnet,
            True,
        ),
        (
            estate.stopped_task,
            "STOPPED",
            estate.task_enis[estate.stopped_task],
            estate.private_subnet,
            True,
        ),
    }
    spot = next(t for t in tasks if t.task_arn == estate.spot_task)
    assert (spot.launch_type, spot.capacity_provider_name) == (None, "FARGATE_SPOT")
    stopped = next(t for t in tasks if t.task_arn == estate.stopped_task)
    assert stopped.stopped_reason == "CannotPullContainerError: x"
    # Only the definition in use is described; "unused" is not.
    assert {d.task_definition_arn for d in kinds[EcsTaskDefinition]} == {estate.task_definition_arn}
    assert {(s.name, s.value) for s in kinds[EcsAccountSetting]} == {("dualStackIPv6", "enabled")}

    ec2 = boto3_client("ec2")
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][
        0
    ]["VpcId"]
    vpc = next(v for v in kinds[Ec2Vpc] if v.vpc_id == estate.vpc_id)
    assert (vpc.enable_dns_support, vpc.enable_dns_hostnames, vpc.dhcp_options_id) == (
        True,
        True,
        estate.dhcp_options_id,
    )
    assert {v.vpc_id for v in kinds[Ec2Vpc]} == {estate.vpc_id, default_vpc}
    assert {d.dhcp_options_id: d.configurations for d in kinds[Ec2DhcpOptions]} == {
        estate.dhcp_options_id: {"domain-name-servers": ["10.0.0.2", "10.0.0.3"]}
    }
    ours = [s for s in kinds[Ec2Subnet] if s.vpc_id == estate.vpc_id]
    assert {s.subnet_id for s in ours} == {estate.public_subnet, estate.private_subnet}
    all_subnets = {s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]}
    assert {s.subnet_id for s in kinds[Ec2Subnet]} == all_subnets

    tables = {t.route_table_id: t for t in kinds[Ec2RouteTable] if t.vpc_id == estate.vpc_id}
    assert set(tables) == {estate.route_table_id, estate.main_route_table_id}
    assert {
        (r["destination"], r["target_type"], r["target_id"])
        for r in tables[estate.route_table_id].routes
    } == {
        ("10.0.0.0/16", "gateway", "local"),
        ("0.0.0.0/0", "gateway", estate.igw_id),
        ("::/0", "egress-only-internet-gateway", estate.eigw_id),
    }
    assert {
        (r["destination"], r["target_type"], r["target_id"])
        for r in tables[estate.main_route_table_id].routes
    } == {
        ("10.0.0.0/16", "gateway", "local"),
        ("0.0.0.0/0", "nat-gateway", estate.nat_id),
        (estate.s3_prefix_list, "gateway", estate.s3_endpoint_id),
    }
    assert [(a["subnet_id"], a["main"]) for a in tables[estate.route_table_id].associations] == [
        (estate.public_subnet, False)
    ]

    igws = {g.internet_gateway_id: g.attachments for g in kinds[Ec2InternetGateway]}
    assert igws[estate.igw_id] == [{"vpc_id": estate.vpc_id, "state": "available"}]
    assert {g.egress_only_internet_gateway_id for g in kinds[Ec2EgressOnlyInternetGateway]} == {
        estate.eigw_id
    }
    assert {(n.nat_gateway_id, n.subnet_id, n.vpc_id) for n in kinds[Ec2NatGateway]} == {
        (estate.nat_id, estate.public_subnet, estate.vpc_id)
    }
    assert {
        (
            e.vpc_endpoint_id,
            e.endpoint_type,
            tuple(e.subnet_ids),
            tuple(e.route_table_ids),
        )
        for e in kinds[Ec2VpcEndpoint]
    } == {
        (estate.s3_endpoint_id, "Gateway", (), (estate.main_route_table_id,)),
        (estate.ecr_endpoint_id, "Interface", (estate.private_subnet,), ()),
    }
    ecr = next(e for e in kinds[Ec2VpcEndpoint] if e.vpc_endpoint_id == estate.ecr_endpoint_id)
    assert (ecr.private_dns_enabled, ecr.security_group_ids) == (True, [estate.task_sg])
    # Only the ENIs the tasks and the mount targets name; the mount target's keeps its group.
    assert {e.network_interface_id for e in kinds[Ec2NetworkInterface]} == {
        *estate.task_enis.values(),
        estate.mount_target_eni,
    }
    mount_target_eni = next(
        e for e in kinds[Ec2NetworkInterface] if e.network_interface_id == estate.mount_target_eni
    )
    assert mount_target_eni.security_group_ids == [estate.task_sg]
    # Only the mounted file system, not "not-mounted"; its mount target and access point.
    assert {f.file_system_id for f in kinds[EfsFileSystem]} == {estate.file_system_id}
    (target,) = kinds[EfsMountTarget]
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
    assert {(a.access_point_id, a.file_system_id) for a in kinds[EfsAccessPoint]} == {
        (estate.access_point_id, estate.file_system_id)
    }
    all_groups = {g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]}
    assert {g.group_id for g in kinds[Ec2SecurityGroup]} == all_groups
    task_sg = next(g for g in kinds[Ec2SecurityGroup] if g.group_id == estate.task_sg)
    assert any(
        entry["PrefixListId"] == estate.s3_prefix_list
        for rule in task_sg.egress
        for entry in rule.get("PrefixListIds", [])
    )
    assert {(f.flow_log_id, f.resource_id) for f in kinds[Ec2FlowLog]} == {
        (estate.flow_log_id, estate.vpc_id)
    }
    prefix_lists: list[Ec2ManagedPrefixList] = kinds[Ec2ManagedPrefixList]
    assert {p.prefix_list_id for p in prefix_lists} == {estate.s3_prefix_list}
    entries = ec2.get_managed_prefix_list_entries(PrefixListId=estate.s3_prefix_list)["Entries"]
    assert set(prefix_lists[0].cidrs) == {e["Cidr"] for e in entries} != set()
    # Only the referenced target group, not "other".
    assert {(t.target_group_arn, t.target_type) for t in kinds[Elbv2TargetGroup]} == {
        (estate.target_group_arn, "ip")
    }
    assert {(r.role_name, r.path, r.region) for r in kinds[IamRole]} == {
        ("AWSServiceRoleForECS", "/aws-service-role/ecs.amazonaws.com/", "global")
    }


@pytest.mark.asyncio
async def test_missing_service_linked_role_is_ok_with_no_record(boto3_client: Boto3Factory) -> None:
    collected = await collect([REGION])
    outcome = next(o for o in collected.outcomes if o.collector == "iam.service_linked_role")
    assert (outcome.region, outcome.status, outcome.error) == ("global", OutcomeStatus.OK, None)
    assert [r for r in collected.records if isinstance(r, IamRole)] == []


@pytest.mark.asyncio
async def test_regions_are_collected_separately_and_global_once(boto3_client: Boto3Factory) -> None:
    west = boto3_client("ecs", "eu-west-1").create_cluster(clusterName="west")["cluster"][
        "clusterArn"
    ]
    east = boto3_client("ecs", "us-east-1").create_cluster(clusterName="east")["cluster"][
        "clusterArn"
    ]
    collected = await collect(["us-east-1", "eu-west-1"])
    assert {(c.region, c.cluster_arn) for c in by_kind(collected)[EcsCluster]} == {
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


@pytest.mark.asyncio
async def test_a_deleted_target_group_is_absent_not_fatal(boto3_client: Boto3Factory) -> None:
    from collectors_estate import seed_network

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
    assert outcome.status is OutcomeStatus.OK
    assert {t.target_group_arn for t in by_kind(collected)[Elbv2TargetGroup]} == {kept}
    # The ARN lookup failed on the missing one, then the region's target groups were listed.
    assert collected.api_calls[(REGION, "elbv2", "DescribeTargetGroups")] == 2
