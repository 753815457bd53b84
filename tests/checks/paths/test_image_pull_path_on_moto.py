"""image-pull-path end to end on moto: seed an estate with boto3, collect it, evaluate.

The estates follow the reachability cases of the Fargate networking guide: public IP + internet
gateway, no public IP, NAT, a deleted NAT whose route moto leaves active, the main-table fallback
(and another VPC's main table not leaking in), ECR endpoints complete and each piece missing, a
Docker Hub image behind endpoints only, a group without egress, a Fargate Spot task, network ACLs,
and a transit gateway hub with a peering connection.
"""

from __future__ import annotations

import pytest

from auditor.demo.moto_gaps import list_tgw_route_attachments
from auditor.inventory import Inventory
from checks.base import Status
from checks.paths.image_pull_path import evaluate
from tests.checks.checks_factories import acl_entry
from tests.moto_seeding import (
    ACCOUNT,
    REGION,
    Boto3Factory,
    Seeder,
    collect_inventory,
    tgw_route,
    tgw_vpc_attachment,
    transit_gateway,
)


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
    deny_all = seed.network_acl(vpc, [denied], [])
    https = [
        acl_entry(100, "allow", egress=egress, protocol="6", ports=(443, 443))
        for egress in (True, False)
    ]
    https_only = seed.network_acl(vpc, [one_way], https)
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
        return subnet, tgw_vpc_attachment(seed.ec2, tgw, vpc, [subnet])

    tgws = {name: transit_gateway(seed.ec2) for name in ("healthy", "blackhole", "no-default")}
    healthy_tgw, healthy_table = tgws["healthy"]
    egress_attachment = tgw_vpc_attachment(
        seed.ec2, healthy_tgw, egress, [egress_tgw_subnet], appliance_mode=True
    )
    healthy_subnet, healthy_attachment = spoke("10.1.0.0/16", healthy_tgw)
    # Spoke tables and the egress table are the TGW's default table here (moto associates
    # every attachment with it): 0/0 to the egress VPC, the spoke's CIDR back to the spoke
    # ("propagated" routes are seeded as static ones: moto never lists propagated routes).
    tgw_route(seed.ec2, healthy_table, "0.0.0.0/0", egress_attachment)
    tgw_route(seed.ec2, healthy_table, "10.1.0.0/16", healthy_attachment)
    seed.route(public_table, "10.0.0.0/8", healthy_tgw)
    blackhole_tgw, blackhole_table = tgws["blackhole"]
    blackhole_subnet, _ = spoke("10.2.0.0/16", blackhole_tgw)
    tgw_route(seed.ec2, blackhole_table, "0.0.0.0/0", None)
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
