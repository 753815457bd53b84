"""ec2.route_tables: routes and associations normalised from literal DescribeRouteTables items."""

from __future__ import annotations

from auditor.store.resources import Ec2RouteTable
from collectors.ec2.route_tables import transform_route_table
from tests.collectors.collectors_estate import SeededCollection

ACCOUNT = "123456789012"


REGION = "eu-west-1"


def test_route_table_routes_and_associations_are_normalised() -> None:
    item = {
        "RouteTableId": "rtb-1",
        "VpcId": "vpc-1",
        "Routes": [
            {
                "DestinationCidrBlock": "10.0.0.0/16",
                "GatewayId": "local",
                "State": "active",
                "Origin": "CreateRouteTable",
            },
            {
                "DestinationCidrBlock": "0.0.0.0/0",
                "NatGatewayId": "nat-1",
                "State": "blackhole",
                "Origin": "CreateRoute",
            },
            {
                "DestinationIpv6CidrBlock": "::/0",
                "EgressOnlyInternetGatewayId": "eigw-1",
                "State": "active",
            },
            {"DestinationPrefixListId": "pl-1", "GatewayId": "vpce-1", "State": "active"},
            {
                "DestinationCidrBlock": "10.9.0.0/16",
                "InstanceId": "i-1",
                "NetworkInterfaceId": "eni-9",
                "State": "active",
            },
            {
                "DestinationCidrBlock": "10.8.0.0/16",
                "SomeFutureTargetId": "x-1",
                "State": "filtered",
            },
        ],
        "Associations": [
            {
                "Main": True,
                "RouteTableAssociationId": "a-1",
                "AssociationState": {"State": "associated"},
            },
            {"SubnetId": "subnet-1", "AssociationState": {"State": "disassociated"}},
            {"GatewayId": "igw-1", "AssociationState": {"State": "associated"}},
        ],
    }
    table = transform_route_table(item, ACCOUNT, REGION)
    assert [
        (r["destination"], r["family"], r["target_type"], r["target_id"], r["state"])
        for r in table.routes
    ] == [
        ("10.0.0.0/16", "ipv4", "gateway", "local", "active"),
        ("0.0.0.0/0", "ipv4", "nat-gateway", "nat-1", "blackhole"),
        ("::/0", "ipv6", "egress-only-internet-gateway", "eigw-1", "active"),
        ("pl-1", "prefix-list", "gateway", "vpce-1", "active"),
        ("10.9.0.0/16", "ipv4", "instance", "i-1", "active"),
        ("10.8.0.0/16", "ipv4", None, None, "filtered"),
    ]
    assert table.associations == [
        {"subnet_id": None, "gateway_id": None, "main": True, "state": "associated"},
        {"subnet_id": "subnet-1", "gateway_id": None, "main": False, "state": "disassociated"},
        {"subnet_id": None, "gateway_id": "igw-1", "main": False, "state": "associated"},
    ]


def test_collects_the_tables_routes_and_associations(seeded_collection: SeededCollection) -> None:
    estate = seeded_collection.estate
    tables = {
        t.route_table_id: t
        for t in seeded_collection.records(Ec2RouteTable)
        if t.vpc_id == estate.vpc_id
    }
    assert set(tables) == {estate.route_table_id, estate.main_route_table_id}
    assert {
        (r["destination"], r["target_type"], r["target_id"])
        for r in tables[estate.route_table_id].routes
    } == {
        ("10.0.0.0/16", "gateway", "local"),
        ("0.0.0.0/0", "gateway", estate.igw_id),
        ("::/0", "egress-only-internet-gateway", estate.eigw_id),
        ("192.168.0.0/16", "gateway", estate.vgw_id),
        ("172.31.0.0/16", "vpc-peering-connection", estate.peering_id),
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
