"""One run over a network account and a workload account that uses its shared subnet (#10).

moto cannot share subnets between accounts, so the two accounts' views are built the way AWS
presents them (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-sharing.html):

- the network account (the owner) is seeded on moto and collected by the real collectors:
  its VPC, subnets, route tables, NAT and internet gateways, network ACLs;
- the workload account (the participant) sees the shared VPC and subnet exactly as the owner's
  DescribeVpcs / DescribeSubnets return them (``OwnerId`` the owner), plus its own task, the
  task's requester-managed ENI and its own security group (items shaped like the EC2 and ECS
  API references), and none of the owner's route tables, ACLs, gateways or endpoints. Every
  item goes through the collectors' own transforms.

Both are stored as the scans of one run and evaluated by the engine, as ``auditor scan`` does.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from auditor import __version__
from auditor.config import Settings
from auditor.demo.moto_gaps import list_tgw_route_attachments
from auditor.engine import ScanSummary, evaluate_run, store_collected
from auditor.store import reads
from auditor.store.database import Store, open_store
from auditor.store.resources import Ec2TransitGateway, Ec2TransitGatewayAttachment
from auditor.store.scans import CollectionOutcome, Finding, OutcomeStatus, Scan, ScanStatus
from collectors.declaration import Scope
from collectors.ec2.network_interfaces import transform_network_interface
from collectors.ec2.security_groups import transform_security_group
from collectors.ec2.subnets import transform_subnet
from collectors.ec2.vpcs import transform_vpc
from collectors.ecs.clusters import transform_cluster
from collectors.ecs.task_definitions import transform_task_definition
from collectors.ecs.tasks import transform_task
from collectors.registry import COLLECTORS
from collectors.results import Collected
from collectors.run import collect_account
from tests.collectors.collectors_estate import open_moto_account
from tests.moto_seeding import Seeder

NETWORK = "123456789012"  # moto's default account: the owner of the shared VPC
WORKLOAD = "444455556666"
EGRESS = "777788889999"
REGION = "us-east-1"
CHECK = "image-pull-path"
Boto3Factory = Callable[..., Any]


def seed_owner(make: Boto3Factory) -> dict[str, Any]:
    """The network account: a VPC whose private subnet's default route goes to a NAT gateway
    in a public subnet with an internet gateway."""
    ec2 = make("ec2", REGION)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.2.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=allocation)["NatGateway"][
        "NatGatewayId"
    ]
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=public)
    private_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    ec2.associate_route_table(RouteTableId=private_rt, SubnetId=private)
    # The owner's flow log on the shared VPC (participants cannot create one for it).
    make("logs", REGION).create_log_group(logGroupName="flow")
    ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogGroupName="flow",
        DeliverLogsPermissionArn=f"arn:aws:iam::{NETWORK}:role/flow",
    )
    return {
        "vpc": ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0],
        "subnet": ec2.describe_subnets(SubnetIds=[private])["Subnets"][0],
        "nat": nat,
        "private_rt": private_rt,
    }


def participant_view(owner: dict[str, Any]) -> Collected:
    """What the workload account's collectors turn its DescribeX answers into."""
    vpc, subnet = owner["vpc"], owner["subnet"]
    assert vpc["OwnerId"] == subnet["OwnerId"] == NETWORK
    cluster = f"arn:aws:ecs:{REGION}:{WORKLOAD}:cluster/prod"
    task_definition = f"arn:aws:ecs:{REGION}:{WORKLOAD}:task-definition/web:1"
    group = "sg-0a1b2c3d4e5f60718"
    eni = "eni-0f1e2d3c4b5a69788"
    task = {
        "taskArn": f"arn:aws:ecs:{REGION}:{WORKLOAD}:task/prod/0123456789abcdef0",
        "clusterArn": cluster,
        "taskDefinitionArn": task_definition,
        "lastStatus": "RUNNING",
        "desiredStatus": "RUNNING",
        "launchType": "FARGATE",
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "group": "family:web",
        "attachments": [
            {
                "id": "a1b2c3d4-5678-90ab-cdef-11111EXAMPLE",
                "type": "ElasticNetworkInterface",
                "status": "ATTACHED",
                "details": [
                    {"name": "subnetId", "value": subnet["SubnetId"]},
                    {"name": "networkInterfaceId", "value": eni},
                    {"name": "macAddress", "value": "0a:1b:2c:3d:4e:5f"},
                    {"name": "privateIPv4Address", "value": "10.20.2.17"},
                ],
            }
        ],
    }
    definition = {
        "taskDefinitionArn": task_definition,
        "family": "web",
        "revision": 1,
        "status": "ACTIVE",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "executionRoleArn": f"arn:aws:iam::{WORKLOAD}:role/ecsTaskExecutionRole",
        "containerDefinitions": [{"name": "app", "image": "nginx:1.27", "essential": True}],
    }
    # A participant's task ENI: its own (OwnerId), requester-managed by ECS, in the shared
    # subnet (DescribeNetworkInterfaces, EC2 API reference).
    interface = {
        "NetworkInterfaceId": eni,
        "SubnetId": subnet["SubnetId"],
        "VpcId": vpc["VpcId"],
        "AvailabilityZone": subnet["AvailabilityZone"],
        "InterfaceType": "interface",
        "Status": "in-use",
        "OwnerId": WORKLOAD,
        "RequesterId": "578734482556",
        "RequesterManaged": True,
        "PrivateIpAddress": "10.20.2.17",
        "Groups": [{"GroupId": group, "GroupName": "web"}],
        "Description": "arn:aws:ecs:us-east-1:444455556666:attachment/a1b2c3d4",
    }
    security_group = {
        "GroupId": group,
        "GroupName": "web",
        "OwnerId": WORKLOAD,
        "VpcId": vpc["VpcId"],
        "IpPermissions": [],
        "IpPermissionsEgress": [
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": []}
        ],
    }
    records = [
        transform_vpc(
            vpc, {"enableDnsSupport": True, "enableDnsHostnames": True}, WORKLOAD, REGION
        ),
        transform_subnet(subnet, WORKLOAD, REGION),
        transform_cluster(
            {"clusterArn": cluster, "clusterName": "prod", "status": "ACTIVE"}, WORKLOAD, REGION
        ),
        transform_task(task, WORKLOAD, REGION),
        transform_task_definition(definition, WORKLOAD, REGION),
        transform_network_interface(interface, WORKLOAD, REGION),
        transform_security_group(security_group, WORKLOAD, REGION),
    ]
    # Every collector answered: the participant's DescribeRouteTables, DescribeNatGateways,
    # DescribeNetworkAcls, ... are simply empty (the owner's resources are not visible).
    outcomes = [
        CollectionOutcome(
            collector=c.name,
            account_id=WORKLOAD,
            region="global" if c.scope is Scope.GLOBAL else REGION,
            status=OutcomeStatus.OK.value,
            optional=c.optional,
        )
        for c in COLLECTORS
    ]
    return Collected(account_id=WORKLOAD, regions=[REGION], records=records, outcomes=outcomes)


async def collect_owner() -> Collected:
    account = await open_moto_account()
    return await collect_account(account, [REGION], concurrency=4)


def run(store: Store, settings: Settings, collected: list[Collected]) -> list[ScanSummary]:
    """Store and evaluate the accounts as one run, the way ``scan_accounts`` does."""
    run_id = str(uuid.uuid4())
    stored = []
    for item in collected:
        scan = Scan(
            id=str(uuid.uuid4()),
            account_id=item.account_id,
            regions=[REGION],
            started_at=datetime.now(UTC),
            auditor_version=__version__,
            run_id=run_id,
        )
        with store.session() as session:
            session.add(scan)
        stored.append(store_collected(store, scan.id, item))
    return evaluate_run(store, settings, stored)


def image_pull(store: Store, outcome: ScanSummary, check: str = CHECK) -> Finding:
    with store.session() as session:
        (finding,) = [
            f for f in reads.findings_of(session, [outcome.scan_id]) if f.check_id == check
        ]
        return finding


def hops(finding: Finding) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "step" in value and "ok" in value:
                found.append(value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(finding.evidence)
    return found


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'org.db'}")


@pytest.mark.asyncio
async def test_a_task_in_a_shared_subnet_passes_through_the_owners_nat_and_fails_without_it(
    boto3_client: Boto3Factory, store: Store
) -> None:
    owner = seed_owner(boto3_client)
    settings = Settings()
    outcomes = run(store, settings, [await collect_owner(), participant_view(owner)])
    by_account = {o.account_id: o for o in outcomes}
    assert {o.status for o in outcomes} == {ScanStatus.COMPLETE}
    assert by_account[WORKLOAD].unscanned_owners == {}

    finding = image_pull(store, by_account[WORKLOAD])
    # The finding belongs to the task's account; the hops name the account owning each.
    assert (finding.account_id, finding.status) == (WORKLOAD, "PASS"), finding.message
    owned = {(h["id"], h.get("account")) for h in hops(finding)}
    assert (owner["private_rt"], NETWORK) in owned
    assert (owner["nat"], NETWORK) in owned
    assert all("scan" not in h for h in hops(finding))  # all read in this run
    # The shared VPC's flow log is the owner's, and it counts for the participant's tasks.
    assert image_pull(store, by_account[WORKLOAD], "vpc-flow-logs").status == "PASS"
    with store.session() as session:
        run_ids = {session.get_one(Scan, o.scan_id).run_id for o in outcomes}
        assert len(run_ids) == 1 and None not in run_ids

    boto3_client("ec2", REGION).delete_nat_gateway(NatGatewayId=owner["nat"])
    outcomes = run(store, settings, [await collect_owner(), participant_view(owner)])
    failed = image_pull(store, next(o for o in outcomes if o.account_id == WORKLOAD))
    assert (failed.account_id, failed.status) == (WORKLOAD, "FAIL")
    assert owner["nat"] in failed.message
    # first_seen stays per account: a FAIL first seen in this scan.
    assert failed.first_seen is not None


@pytest.mark.asyncio
async def test_an_owner_not_scanned_is_unknown_with_the_hint(
    boto3_client: Boto3Factory, store: Store
) -> None:
    owner = seed_owner(boto3_client)
    (outcome,) = run(store, Settings(), [participant_view(owner)])
    vpc_id = owner["vpc"]["VpcId"]
    assert outcome.unscanned_owners == {NETWORK: vpc_id}
    finding = image_pull(store, outcome)
    assert finding.status == "UNKNOWN"
    assert f"scan account {NETWORK} (owner of {vpc_id}) too" in finding.message
    reasons = {h.get("unknown_reason") for h in hops(finding) if h["ok"] is None}
    assert reasons == {"account-not-scanned"}
    flow_logs = image_pull(store, outcome, "vpc-flow-logs")
    assert flow_logs.status == "UNKNOWN"  # not FAIL: the owner's flow logs were not read
    assert f"scan account {NETWORK} (owner of {vpc_id}) too" in flow_logs.message


@pytest.mark.asyncio
async def test_an_owner_outside_the_run_stands_in_with_its_latest_complete_scan(
    boto3_client: Boto3Factory, store: Store
) -> None:
    owner = seed_owner(boto3_client)
    (network_scan,) = run(store, Settings(), [await collect_owner()])
    (outcome,) = run(store, Settings(), [participant_view(owner)])
    assert outcome.unscanned_owners == {}
    finding = image_pull(store, outcome)
    assert finding.status == "PASS", finding.message
    named = {h.get("scan") for h in hops(finding) if h.get("account") == NETWORK}
    assert len(named) == 1 and network_scan.scan_id in str(named.pop())

    # Older than the configured age: not used, and the owner is named again.
    with store.session() as session:
        scan = session.get_one(Scan, network_scan.scan_id)
        scan.started_at = datetime.now(UTC) - timedelta(hours=30)
    (stale,) = run(store, Settings(owner_scan_max_age_hours=24), [participant_view(owner)])
    assert stale.unscanned_owners == {NETWORK: owner["vpc"]["VpcId"]}
    assert image_pull(store, stale).status == "UNKNOWN"


def test_scan_prints_the_hint_once_per_missing_owner() -> None:
    from auditor.engine import owner_hints

    def outcome(account: str, owners: dict[str, str]) -> ScanSummary:
        return ScanSummary(
            scan_id=account, account_id=account, status=ScanStatus.COMPLETE, unscanned_owners=owners
        )

    lines = owner_hints(
        [
            outcome(WORKLOAD, {NETWORK: "vpc-1"}),
            outcome("777788889999", {NETWORK: "vpc-1", "222233334444": "vpc-2"}),
            outcome("888899990000", {}),
        ]
    )
    assert lines == [
        f"scan account {NETWORK} (owner of vpc-1) too: paths of {WORKLOAD}, 777788889999 "
        "through its VPCs are UNKNOWN",
        "scan account 222233334444 (owner of vpc-2) too: paths of 777788889999 "
        "through its VPCs are UNKNOWN",
    ]


def split_hub(
    collected: Collected, spoke_vpc: str, spoke_attachment: str, egress_vpc: str | None = None
) -> list[Collected]:
    """One moto account's hub-and-spoke estate as the two accounts of a shared TGW see it:
    the workload account owns the spoke VPC (OwnerId rewritten to it, as its own
    DescribeVpcs/Subnets/... answer), its attachment and the task; it sees the network
    account's TGW with that account's OwnerId. The network account owns the TGW, its route
    tables and the egress VPC, and sees every attachment. With ``egress_vpc``, a third
    account owns that VPC (its NAT and internet gateways), attached to the network account's
    TGW as well."""
    workload: list[Any] = []
    network: list[Any] = []
    egress: list[Any] = []
    for record in collected.records:
        attached = [a.get("vpc_id") for a in getattr(record, "attachments", [])]
        if egress_vpc and egress_vpc in (getattr(record, "vpc_id", None), *attached):
            moved: dict[str, Any] = {"account_id": EGRESS}
            if hasattr(record, "owner_id"):
                moved["owner_id"] = EGRESS
            egress.append(dataclasses.replace(record, **moved))
            continue
        if (
            egress_vpc
            and isinstance(record, Ec2TransitGatewayAttachment)
            and record.resource_id == egress_vpc
        ):
            egress.append(dataclasses.replace(record, account_id=EGRESS))
            network.append(dataclasses.replace(record, resource_owner_id=EGRESS))
            continue
        in_spoke = getattr(record, "vpc_id", None) == spoke_vpc
        if in_spoke or type(record).__name__.startswith("Ecs"):
            changes: dict[str, Any] = {"account_id": WORKLOAD}
            if hasattr(record, "owner_id"):
                changes["owner_id"] = WORKLOAD
            workload.append(dataclasses.replace(record, **changes))
            continue
        network.append(record)
        shared = isinstance(record, Ec2TransitGateway) or (
            isinstance(record, Ec2TransitGatewayAttachment)
            and record.transit_gateway_attachment_id == spoke_attachment
        )
        if shared:
            changes = {"account_id": WORKLOAD}
            if isinstance(record, Ec2TransitGatewayAttachment):
                changes["resource_owner_id"] = WORKLOAD
            workload.append(dataclasses.replace(record, **changes))
    outcomes = [dataclasses.replace(o, account_id=WORKLOAD) for o in collected.outcomes]
    accounts = [
        Collected(
            account_id=NETWORK, regions=[REGION], records=network, outcomes=collected.outcomes
        ),
        Collected(account_id=WORKLOAD, regions=[REGION], records=workload, outcomes=outcomes),
    ]
    if egress_vpc:
        egress_outcomes = [dataclasses.replace(o, account_id=EGRESS) for o in collected.outcomes]
        accounts.append(
            Collected(account_id=EGRESS, regions=[REGION], records=egress, outcomes=egress_outcomes)
        )
    return accounts


@pytest.mark.asyncio
@pytest.mark.parametrize("third_account_egress", [False, True])
async def test_a_tgw_of_the_network_account_is_followed_from_a_workload_attachment(
    boto3_client: Boto3Factory, store: Store, third_account_egress: bool
) -> None:
    seed = Seeder(boto3_client)
    egress = seed.vpc("10.100.0.0/16")
    igw = seed.igw(egress)
    public = seed.subnet(egress, "10.100.1.0/24", routes={"0.0.0.0/0": igw})
    nat = seed.nat(public)
    hub_subnet = seed.subnet(egress, "10.100.0.0/28", routes={"0.0.0.0/0": nat})
    tgw = seed.ec2.create_transit_gateway()["TransitGateway"]
    tgw_id, tgw_table = tgw["TransitGatewayId"], tgw["Options"]["AssociationDefaultRouteTableId"]
    public_table = seed.ec2.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [public]}]
    )["RouteTables"][0]["RouteTableId"]
    seed.route(public_table, "10.0.0.0/8", tgw_id)
    egress_attachment = seed.ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw_id, VpcId=egress, SubnetIds=[hub_subnet]
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    spoke = seed.vpc("10.1.0.0/16")
    spoke_subnet = seed.subnet(spoke, "10.1.1.0/24", routes={"0.0.0.0/0": tgw_id})
    spoke_attachment = seed.ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw_id, VpcId=spoke, SubnetIds=[spoke_subnet]
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    for destination, attachment in (
        ("0.0.0.0/0", egress_attachment),
        ("10.1.0.0/16", spoke_attachment),
    ):
        seed.ec2.create_transit_gateway_route(
            TransitGatewayRouteTableId=tgw_table,
            DestinationCidrBlock=destination,
            TransitGatewayAttachmentId=attachment,
        )
    list_tgw_route_attachments(NETWORK, REGION)
    task = seed.task(spoke_subnet, seed.group(spoke, "tasks"), image="nginx:1.27")
    accounts = split_hub(
        await collect_owner(), spoke, spoke_attachment, egress if third_account_egress else None
    )
    workload = accounts[1]

    outcomes = run(store, Settings(), accounts)
    finding = image_pull(store, next(o for o in outcomes if o.account_id == WORKLOAD))
    assert (finding.account_id, finding.resource_id, finding.status) == (WORKLOAD, task, "PASS"), (
        finding.message
    )
    owned = {(h["step"], h["id"], h.get("account")) for h in hops(finding)}
    assert ("transit-gateway", tgw_id, NETWORK) in owned
    nat_owner = EGRESS if third_account_egress else NETWORK
    assert any(step == "nat-gateway" and who == nat_owner for step, _, who in owned)
    assert any(who == WORKLOAD for _, _, who in owned)  # the spoke's own route table

    # The network account not scanned: the TGW cannot be followed, and the hint names it.
    (alone,) = run(store, Settings(owner_scan_max_age_hours=0), [workload])
    assert alone.unscanned_owners == {NETWORK: tgw_id}
    unknown = image_pull(store, alone)
    assert unknown.status == "UNKNOWN"
    assert f"scan account {NETWORK} (owner of {tgw_id}) too" in unknown.message
