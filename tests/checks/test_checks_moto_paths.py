"""End to end on moto: seed an estate with boto3, collect it, evaluate image-pull-path.

The estates follow the reachability cases of the brief: public IP + internet gateway, no public
IP, NAT, a deleted NAT whose route moto leaves active, the main-table fallback (and another
VPC's main table not leaking in), ECR endpoints complete and each piece missing, a Docker Hub
image behind endpoints only, a group without egress, and a Fargate Spot task.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from auditor.aws import open_account
from auditor.config import Settings
from auditor.demo.moto_gaps import list_tgw_route_attachments
from auditor.inventory import RECORD_FIELDS, Inventory
from auditor.store.scans import CollectionOutcome, Scan
from checks.base import Status
from checks.paths.image_pull_path import evaluate
from collectors.run import collect_account

ACCOUNT = "123456789012"
REGION = "us-east-1"
ECR_IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:1"
Boto3Factory = Callable[..., Any]


async def collect_inventory() -> Inventory:
    account = await open_account(ACCOUNT, Settings(max_attempts=2, concurrency=4))
    collected = await collect_account(account, [REGION], concurrency=4)
    fields: dict[str, list[Any]] = defaultdict(list)
    for record in collected.records:
        fields[RECORD_FIELDS[type(record)]].append(record)
    scan = Scan(id="e2e", account_id=ACCOUNT, regions=[REGION], started_at=datetime.now(UTC))
    outcomes = [
        CollectionOutcome(
            scan_id="e2e",
            collector=o.collector,
            account_id=o.account_id,
            region=o.region,
            status=o.status.value,
            optional=o.optional,
            error=o.error,
        )
        for o in collected.outcomes
    ]
    return Inventory(scan=scan, outcomes=outcomes, **fields)


class Seeder:
    """Plain boto3 calls that build VPCs, routes and Fargate tasks on the moto server."""

    def __init__(self, boto3_client: Boto3Factory) -> None:
        self.ec2 = boto3_client("ec2", REGION)
        self.ecs = boto3_client("ecs", REGION)
        self.ecs.create_cluster(clusterName="prod", capacityProviders=["FARGATE", "FARGATE_SPOT"])
        self.definitions: dict[str, str] = {}

    def vpc(self, cidr: str) -> str:
        vpc_id: str = self.ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        # moto's run_task needs DNS host names on.
        self.ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
        self.ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": True})
        return vpc_id

    def subnet(self, vpc_id: str, cidr: str, *, routes: dict[str, str] | None = None) -> str:
        subnet_id: str = self.ec2.create_subnet(
            VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=f"{REGION}a"
        )["Subnet"]["SubnetId"]
        if routes is not None:
            table = self.ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
            self.ec2.associate_route_table(RouteTableId=table, SubnetId=subnet_id)
            for destination, target in routes.items():
                self.route(table, destination, target)
        return subnet_id

    def route(self, table: str, destination: str, target: str) -> None:
        key = {
            "nat-": "NatGatewayId",
            "tgw-": "TransitGatewayId",
            "pcx-": "VpcPeeringConnectionId",
        }.get(target[: target.index("-") + 1], "GatewayId")
        self.ec2.create_route(RouteTableId=table, DestinationCidrBlock=destination, **{key: target})

    def main_table(self, vpc_id: str) -> str:
        tables = self.ec2.describe_route_tables(
            Filters=[
                {"Name": "vpc-id", "Values": [vpc_id]},
                {"Name": "association.main", "Values": ["true"]},
            ]
        )["RouteTables"]
        return str(tables[0]["RouteTableId"])

    def igw(self, vpc_id: str) -> str:
        igw_id: str = self.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        self.ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
        return igw_id

    def nat(self, subnet_id: str) -> str:
        allocation = self.ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat_id: str = self.ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=allocation)[
            "NatGateway"
        ]["NatGatewayId"]
        return nat_id

    def group(self, vpc_id: str, name: str, *, egress: bool = True) -> str:
        group_id: str = self.ec2.create_security_group(
            VpcId=vpc_id, GroupName=name, Description=name
        )["GroupId"]
        if not egress:
            self.ec2.revoke_security_group_egress(
                GroupId=group_id,
                IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            )
        return group_id

    def definition(self, image: str) -> str:
        if image not in self.definitions:
            arn = self.ecs.register_task_definition(
                family=f"app{len(self.definitions)}",
                networkMode="awsvpc",
                requiresCompatibilities=["FARGATE"],
                cpu="256",
                memory="512",
                executionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/exec",
                containerDefinitions=[{"name": "app", "image": image, "memory": 512}],
            )["taskDefinition"]["taskDefinitionArn"]
            self.definitions[image] = arn
        return self.definitions[image]

    def task(
        self,
        subnet_id: str,
        group_id: str,
        *,
        image: str = ECR_IMAGE,
        public_ip: bool = False,
        spot: bool = False,
    ) -> str:
        launch: dict[str, Any] = (
            {"capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]}
            if spot
            else {"launchType": "FARGATE"}
        )
        task = self.ecs.run_task(
            cluster="prod",
            taskDefinition=self.definition(image),
            platformVersion="1.4.0",
            networkConfiguration={
                "awsvpcConfiguration": {
                    "subnets": [subnet_id],
                    "securityGroups": [group_id],
                    "assignPublicIp": "ENABLED" if public_ip else "DISABLED",
                }
            },
            **launch,
        )["tasks"][0]
        if public_ip:
            # moto gives task ENIs no public IP: an Elastic IP models one.
            eni = next(
                d["value"]
                for a in task["attachments"]
                for d in a["details"]
                if d["name"] == "networkInterfaceId"
            )
            allocation = self.ec2.allocate_address(Domain="vpc")["AllocationId"]
            self.ec2.associate_address(AllocationId=allocation, NetworkInterfaceId=eni)
        return str(task["taskArn"])


def verdicts(inventory: Inventory) -> dict[str, Status]:
    return {r.resource_id: r.status for r in evaluate(inventory)}


@pytest.mark.asyncio
async def test_internet_paths_on_moto(boto3_client: Boto3Factory) -> None:
    seed = Seeder(boto3_client)
    vpc = seed.vpc("10.0.0.0/16")
    igw = seed.igw(vpc)
    public = seed.subnet(vpc, "10.0.0.0/24", routes={"0.0.0.0/0": igw})
    nat = seed.nat(public)
    dead_nat = seed.nat(public)
    private = seed.subnet(vpc, "10.0.1.0/24", routes={"0.0.0.0/0": nat})
    orphaned = seed.subnet(vpc, "10.0.2.0/24", routes={"0.0.0.0/0": dead_nat})
    seed.ec2.delete_nat_gateway(NatGatewayId=dead_nat)
    unassociated = seed.subnet(vpc, "10.0.3.0/24")
    seed.route(seed.main_table(vpc), "0.0.0.0/0", nat)
    other_vpc = seed.vpc("10.9.0.0/16")
    leaky = seed.subnet(other_vpc, "10.9.0.0/24")
    tasks_sg = seed.group(vpc, "tasks")
    closed_sg = seed.group(vpc, "closed", egress=False)
    other_sg = seed.group(other_vpc, "tasks")

    orphaned_task = seed.task(orphaned, tasks_sg)
    leaky_task = seed.task(leaky, other_sg)
    expected = {
        seed.task(public, tasks_sg, public_ip=True): Status.PASS,
        seed.task(public, tasks_sg): Status.FAIL,
        seed.task(private, tasks_sg): Status.PASS,
        orphaned_task: Status.FAIL,
        seed.task(unassociated, tasks_sg): Status.PASS,
        leaky_task: Status.FAIL,
        seed.task(private, tasks_sg, spot=True): Status.PASS,
        seed.task(private, closed_sg): Status.FAIL,
    }
    inventory = await collect_inventory()
    assert verdicts(inventory) == expected
    messages = {r.resource_id: r.message for r in evaluate(inventory)}
    assert f"NAT gateway {dead_nat} is deleted" in messages[orphaned_task]
    other_main = seed.main_table(other_vpc)
    assert f"{other_main} has no route for 0.0.0.0/0" in messages[leaky_task]


@pytest.mark.asyncio
async def test_ecr_endpoint_paths_on_moto(boto3_client: Boto3Factory) -> None:
    seed = Seeder(boto3_client)
    expected: dict[str, Status] = {}
    layouts: dict[str, tuple[set[str], bool]] = {
        "complete": ({"ecr.dkr", "ecr.api", "s3"}, True),
        "no-api": ({"ecr.dkr", "s3"}, True),
        "no-dkr": ({"ecr.api", "s3"}, True),
        "no-s3": ({"ecr.dkr", "ecr.api"}, True),
        "no-private-dns": ({"ecr.dkr", "ecr.api", "s3"}, False),
    }
    for index, (name, (services, private_dns)) in enumerate(layouts.items()):
        vpc = seed.vpc(f"10.{index}.0.0/16")
        table = seed.ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        subnet = seed.subnet(vpc, f"10.{index}.1.0/24")
        seed.ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
        task_sg = seed.group(vpc, "tasks")
        endpoint_sg = seed.group(vpc, "endpoints")
        seed.ec2.authorize_security_group_ingress(
            GroupId=endpoint_sg,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "UserIdGroupPairs": [{"GroupId": task_sg}],
                }
            ],
        )
        for service in sorted(services - {"s3"}):
            seed.ec2.create_vpc_endpoint(
                VpcId=vpc,
                VpcEndpointType="Interface",
                ServiceName=f"com.amazonaws.{REGION}.{service}",
                SubnetIds=[subnet],
                SecurityGroupIds=[endpoint_sg],
                PrivateDnsEnabled=private_dns,
            )
        if "s3" in services:
            seed.ec2.create_vpc_endpoint(
                VpcId=vpc,
                VpcEndpointType="Gateway",
                ServiceName=f"com.amazonaws.{REGION}.s3",
                RouteTableIds=[table],
            )
        expected[seed.task(subnet, task_sg)] = Status.PASS if name == "complete" else Status.FAIL
        if name == "complete":
            expected[seed.task(subnet, task_sg, image="nginx:1.27")] = Status.FAIL
    inventory = await collect_inventory()
    assert verdicts(inventory) == expected


def replace_network_acl(seed: Seeder, subnet_id: str, acl_id: str) -> None:
    current = seed.ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}]
    )["NetworkAcls"][0]
    association = next(
        a["NetworkAclAssociationId"] for a in current["Associations"] if a["SubnetId"] == subnet_id
    )
    seed.ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl_id)


@pytest.mark.asyncio
async def test_network_acls_on_moto(boto3_client: Boto3Factory) -> None:
    seed = Seeder(boto3_client)
    vpc = seed.vpc("10.0.0.0/16")
    igw = seed.igw(vpc)
    public = seed.subnet(vpc, "10.0.0.0/24", routes={"0.0.0.0/0": igw})
    nat = seed.nat(public)
    denied = seed.subnet(vpc, "10.0.1.0/24", routes={"0.0.0.0/0": nat})
    one_way = seed.subnet(vpc, "10.0.2.0/24", routes={"0.0.0.0/0": nat})
    healthy = seed.subnet(vpc, "10.0.3.0/24", routes={"0.0.0.0/0": nat})
    # A new custom NACL denies everything (moto lists no entries; AWS lists only the * rule).
    deny_all = seed.ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    replace_network_acl(seed, denied, deny_all)
    https_only = seed.ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for egress in (True, False):
        seed.ec2.create_network_acl_entry(
            NetworkAclId=https_only,
            RuleNumber=100,
            Protocol="6",
            RuleAction="allow",
            Egress=egress,
            CidrBlock="0.0.0.0/0",
            PortRange={"From": 443, "To": 443},
        )
    replace_network_acl(seed, one_way, https_only)
    group = seed.group(vpc, "tasks")
    denied_task = seed.task(denied, group)
    one_way_task = seed.task(one_way, group)
    healthy_task = seed.task(healthy, group)
    inventory = await collect_inventory()
    results = {r.resource_id: r for r in evaluate(inventory)}
    assert {arn: results[arn].status for arn in (denied_task, one_way_task, healthy_task)} == {
        denied_task: Status.FAIL,
        one_way_task: Status.FAIL,
        healthy_task: Status.PASS,
    }
    assert (
        f"network ACL {deny_all} of task subnet {denied}: outbound TCP 443 to the internet "
        "denied by the closing * rule" in results[denied_task].message
    )
    assert (
        f"network ACL {https_only} of task subnet {one_way}: inbound TCP 32768-61000 from the "
        "internet denied by the closing * rule" in results[one_way_task].message
    )


@pytest.mark.asyncio
async def test_transit_gateway_hub_and_peering_on_moto(boto3_client: Boto3Factory) -> None:
    """A central egress hub: healthy, with a blackhole, without a default route; and a
    default route through a peering connection."""
    seed = Seeder(boto3_client)
    egress = seed.vpc("10.100.0.0/16")
    igw = seed.igw(egress)
    public = seed.subnet(egress, "10.100.1.0/24", routes={"0.0.0.0/0": igw})
    nat = seed.nat(public)
    egress_tgw_subnet = seed.subnet(egress, "10.100.0.0/28", routes={"0.0.0.0/0": nat})
    public_table = seed.ec2.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [public]}]
    )["RouteTables"][0]["RouteTableId"]

    def spoke(cidr: str, tgw: str) -> tuple[str, str]:
        vpc = seed.vpc(cidr)
        subnet = seed.subnet(vpc, cidr.replace("0.0/16", "1.0/24"), routes={"0.0.0.0/0": tgw})
        attachment = seed.ec2.create_transit_gateway_vpc_attachment(
            TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[subnet]
        )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
        return subnet, attachment

    tgws: dict[str, tuple[str, str]] = {}
    for name in ("healthy", "blackhole", "no-default"):
        tgw = seed.ec2.create_transit_gateway()["TransitGateway"]
        tgws[name] = (tgw["TransitGatewayId"], tgw["Options"]["AssociationDefaultRouteTableId"])
    healthy_tgw, healthy_table = tgws["healthy"]
    egress_attachment = seed.ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=healthy_tgw,
        VpcId=egress,
        SubnetIds=[egress_tgw_subnet],
        Options={"ApplianceModeSupport": "enable"},
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    healthy_subnet, healthy_attachment = spoke("10.1.0.0/16", healthy_tgw)
    # Spoke tables and the egress table are the TGW's default table here (moto associates
    # every attachment with it): 0/0 to the egress VPC, the spoke's CIDR back to the spoke
    # ("propagated" routes are seeded as static ones: moto never lists propagated routes).
    seed.ec2.create_transit_gateway_route(
        TransitGatewayRouteTableId=healthy_table,
        DestinationCidrBlock="0.0.0.0/0",
        TransitGatewayAttachmentId=egress_attachment,
    )
    seed.ec2.create_transit_gateway_route(
        TransitGatewayRouteTableId=healthy_table,
        DestinationCidrBlock="10.1.0.0/16",
        TransitGatewayAttachmentId=healthy_attachment,
    )
    seed.route(public_table, "10.0.0.0/8", healthy_tgw)
    blackhole_tgw, blackhole_table = tgws["blackhole"]
    blackhole_subnet, _ = spoke("10.2.0.0/16", blackhole_tgw)
    seed.ec2.create_transit_gateway_route(
        TransitGatewayRouteTableId=blackhole_table,
        DestinationCidrBlock="0.0.0.0/0",
        Blackhole=True,
    )
    no_default_subnet, _ = spoke("10.3.0.0/16", tgws["no-default"][0])
    peer_vpc = seed.vpc("10.4.0.0/16")
    peering = seed.ec2.create_vpc_peering_connection(VpcId=peer_vpc, PeerVpcId=egress)[
        "VpcPeeringConnection"
    ]["VpcPeeringConnectionId"]
    seed.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=peering)
    peered_subnet = seed.subnet(peer_vpc, "10.4.1.0/24", routes={"0.0.0.0/0": peering})
    list_tgw_route_attachments(ACCOUNT, REGION)

    tasks = {
        name: seed.task(
            subnet,
            seed.group(
                seed.ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["VpcId"],
                f"tasks-{name}",
            ),
            image="nginx:1.27",
        )
        for name, subnet in (
            ("healthy", healthy_subnet),
            ("blackhole", blackhole_subnet),
            ("no-default", no_default_subnet),
            ("peering", peered_subnet),
        )
    }
    inventory = await collect_inventory()
    results = {r.resource_id: r for r in evaluate(inventory)}
    by_name = {name: results[arn] for name, arn in tasks.items()}
    assert {name: r.status for name, r in by_name.items()} == {
        "healthy": Status.PASS,
        "blackhole": Status.FAIL,
        "no-default": Status.FAIL,
        "peering": Status.FAIL,
    }
    healthy_hops = {
        (hop["step"], hop["id"])
        for source in by_name["healthy"].evidence["sources"]
        for leg in source["legs"]
        for path in leg["paths"]
        for hop in path["hops"]
    }
    assert {
        ("transit-gateway", healthy_tgw),
        ("transit-gateway-attachment", healthy_attachment),
        ("transit-gateway-route", healthy_table),
        ("transit-gateway-attachment", egress_attachment),
        ("nat-gateway", nat),
        ("internet-gateway", igw),
        ("return-route", public_table),
        ("return-route", healthy_table),
    } <= healthy_hops
    assert "to a blackhole" in by_name["blackhole"].message
    assert f"{tgws['no-default'][1]} has no route for 0.0.0.0/0" in by_name["no-default"].message
    assert f"VPC peering connection {peering}" in by_name["peering"].message
