"""Transit gateways, attachments, TGW route tables, peering and VPN gateways: the transforms on
documented items, and a collection on moto with its call counts."""

from __future__ import annotations

import pytest

from auditor.demo.moto_gaps import list_tgw_route_attachments
from auditor.store.resources import (
    Ec2TransitGateway,
    Ec2TransitGatewayAttachment,
    Ec2TransitGatewayRouteTable,
    Ec2VpcPeeringConnection,
    Ec2VpnGateway,
)
from auditor.store.scans import OutcomeStatus
from collectors.ec2.transit_gateways import (
    page_complete,
    transform_attachment,
    transform_route_table,
    transform_transit_gateway,
)
from collectors.ec2.vpc_peering_connections import transform_peering_connection
from collectors.ec2.vpn_gateways import transform_vpn_gateway
from collectors.run import collect_account
from tests.collectors.collectors_estate import ACCOUNT_ID, REGION, Boto3Factory, open_moto_account
from tests.moto_seeding import tgw_route, tgw_vpc_attachment, transit_gateway

# Shaped like the examples of the EC2 API reference: DescribeTransitGateways,
# DescribeTransitGatewayAttachments, DescribeTransitGatewayVpcAttachments and
# SearchTransitGatewayRoutes (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/).
TGW = {
    "TransitGatewayId": "tgw-0262a0e521EXAMPLE",
    "State": "available",
    "OwnerId": "111122223333",
    "Options": {
        "DefaultRouteTableAssociation": "enable",
        "AssociationDefaultRouteTableId": "tgw-rtb-018774adf3EXAMPLE",
        "DefaultRouteTablePropagation": "disable",
        "PropagationDefaultRouteTableId": "tgw-rtb-018774adf3EXAMPLE",
    },
}
ATTACHMENT = {
    "TransitGatewayAttachmentId": "tgw-attach-0b5968d3b6EXAMPLE",
    "TransitGatewayId": "tgw-02f776b1a7EXAMPLE",
    "TransitGatewayOwnerId": "111122223333",
    "ResourceOwnerId": "111122223333",
    "ResourceType": "vpc",
    "ResourceId": "vpc-3EXAMPLE",
    "State": "available",
    "Association": {
        "TransitGatewayRouteTableId": "tgw-rtb-0b5968d3b6EXAMPLE",
        "State": "associated",
    },
}
VPC_ATTACHMENT = {
    "TransitGatewayAttachmentId": "tgw-attach-0b5968d3b6EXAMPLE",
    "TransitGatewayId": "tgw-02f776b1a7EXAMPLE",
    "VpcId": "vpc-3EXAMPLE",
    "VpcOwnerId": "111122223333",
    "State": "available",
    "SubnetIds": ["subnet-0e4e1de6d4EXAMPLE", "subnet-0d7e9d0c3eEXAMPLE"],
    "Options": {"DnsSupport": "enable", "Ipv6Support": "disable", "ApplianceModeSupport": "enable"},
}
ROUTE_TABLE = {
    "TransitGatewayRouteTableId": "tgw-rtb-0b5968d3b6EXAMPLE",
    "TransitGatewayId": "tgw-02f776b1a7EXAMPLE",
    "State": "available",
    "DefaultAssociationRouteTable": True,
    "DefaultPropagationRouteTable": True,
}
ROUTES = [
    {
        "DestinationCidrBlock": "10.0.2.0/24",
        "TransitGatewayAttachments": [
            {
                "ResourceId": "vpc-4EXAMPLE",
                "TransitGatewayAttachmentId": "tgw-attach-09b52ccdb5EXAMPLE",
                "ResourceType": "vpc",
            }
        ],
        "Type": "propagated",
        "State": "active",
    },
    {"DestinationCidrBlock": "10.9.0.0/16", "Type": "static", "State": "blackhole"},
]


def test_transit_gateway_transform_keeps_enabled_defaults_only() -> None:
    tgw = transform_transit_gateway(TGW, ACCOUNT_ID, REGION)
    assert (tgw.transit_gateway_id, tgw.owner_id, tgw.state) == (
        "tgw-0262a0e521EXAMPLE",
        "111122223333",
        "available",
    )
    assert tgw.association_default_route_table_id == "tgw-rtb-018774adf3EXAMPLE"
    assert tgw.propagation_default_route_table_id is None


def test_attachment_joins_the_vpc_listing() -> None:
    attachment = transform_attachment(ATTACHMENT, VPC_ATTACHMENT, ACCOUNT_ID, REGION)
    assert attachment.association_route_table_id == "tgw-rtb-0b5968d3b6EXAMPLE"
    assert attachment.association_state == "associated"
    assert attachment.subnet_ids == VPC_ATTACHMENT["SubnetIds"]
    assert attachment.appliance_mode_support == "enable"
    assert attachment.raw["VpcAttachment"] == VPC_ATTACHMENT
    vpn = transform_attachment(
        {**ATTACHMENT, "ResourceType": "vpn", "ResourceId": "vpn-1", "Association": {}},
        None,
        ACCOUNT_ID,
        REGION,
    )
    assert (vpn.subnet_ids, vpn.appliance_mode_support, vpn.association_route_table_id) == (
        [],
        None,
        None,
    )


def test_route_table_normalises_routes_and_blackholes() -> None:
    table = transform_route_table(ROUTE_TABLE, ROUTES, True, ACCOUNT_ID, REGION)
    assert table.routes == [
        {
            "destination": "10.0.2.0/24",
            "prefix_list_id": None,
            "type": "propagated",
            "state": "active",
            "attachments": [
                {
                    "attachment_id": "tgw-attach-09b52ccdb5EXAMPLE",
                    "resource_id": "vpc-4EXAMPLE",
                    "resource_type": "vpc",
                }
            ],
        },
        {
            "destination": "10.9.0.0/16",
            "prefix_list_id": None,
            "type": "static",
            "state": "blackhole",
            "attachments": [],
        },
    ]
    assert table.default_association and table.default_propagation


def test_truncated_search_without_a_token_is_incomplete() -> None:
    assert page_complete({"Routes": [], "AdditionalRoutesAvailable": False})
    assert page_complete({"Routes": [], "AdditionalRoutesAvailable": True, "NextToken": "t"})
    assert not page_complete({"Routes": [], "AdditionalRoutesAvailable": True})


def test_peering_and_vgw_transforms() -> None:
    # DescribeVpcPeeringConnections / DescribeVpnGateways examples.
    peering = transform_peering_connection(
        {
            "VpcPeeringConnectionId": "pcx-11122233",
            "Status": {"Code": "active", "Message": "Active"},
            "RequesterVpcInfo": {
                "VpcId": "vpc-1a2b3c4d",
                "OwnerId": "111122223333",
                "Region": "us-east-1",
                "CidrBlockSet": [{"CidrBlock": "10.0.0.0/28"}],
            },
            "AccepterVpcInfo": {
                "VpcId": "vpc-123abc45",
                "OwnerId": "444455556666",
                "Region": "eu-west-1",
                "CidrBlock": "192.168.0.0/16",
            },
        },
        ACCOUNT_ID,
        REGION,
    )
    assert peering.status == "active"
    assert peering.requester == {
        "vpc_id": "vpc-1a2b3c4d",
        "owner_id": "111122223333",
        "region": "us-east-1",
        "cidrs": ["10.0.0.0/28"],
    }
    assert peering.accepter["cidrs"] == ["192.168.0.0/16"]
    vgw = transform_vpn_gateway(
        {
            "VpnGatewayId": "vgw-9a4cacf3",
            "State": "available",
            "Type": "ipsec.1",
            "VpcAttachments": [{"State": "attached", "VpcId": "vpc-a01106c2"}],
        },
        ACCOUNT_ID,
        REGION,
    )
    assert vgw.attachments == [{"vpc_id": "vpc-a01106c2", "state": "attached"}]


def test_required_fields_fail_loudly() -> None:
    with pytest.raises(KeyError):
        transform_attachment({"TransitGatewayId": "tgw-1"}, None, ACCOUNT_ID, REGION)
    with pytest.raises(KeyError):
        transform_route_table({"TransitGatewayId": "tgw-1"}, [], True, ACCOUNT_ID, REGION)


@pytest.mark.asyncio
async def test_collects_a_hub_with_one_search_per_route_table(boto3_client: Boto3Factory) -> None:
    ec2 = boto3_client("ec2")
    spoke = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    egress = ec2.create_vpc(CidrBlock="10.100.0.0/16")["Vpc"]["VpcId"]
    spoke_subnet = ec2.create_subnet(VpcId=spoke, CidrBlock="10.1.0.0/28")["Subnet"]["SubnetId"]
    egress_subnet = ec2.create_subnet(VpcId=egress, CidrBlock="10.100.0.0/28")["Subnet"]["SubnetId"]
    tgw, table = transit_gateway(ec2)
    spoke_attachment = tgw_vpc_attachment(ec2, tgw, spoke, [spoke_subnet])
    egress_attachment = tgw_vpc_attachment(ec2, tgw, egress, [egress_subnet], appliance_mode=True)
    second = ec2.create_transit_gateway_route_table(TransitGatewayId=tgw)[
        "TransitGatewayRouteTable"
    ]["TransitGatewayRouteTableId"]
    tgw_route(ec2, table, "0.0.0.0/0", egress_attachment)
    tgw_route(ec2, second, "0.0.0.0/0", None)
    assert list_tgw_route_attachments(ACCOUNT_ID, REGION) == 1
    peer = ec2.create_vpc_peering_connection(VpcId=spoke, PeerVpcId=egress)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"
    ]
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpnGatewayId=vgw, VpcId=spoke)
    # Routes to them, or their collectors are not needed (the TGW is owned: collected anyway).
    spoke_table = ec2.create_route_table(VpcId=spoke)["RouteTable"]["RouteTableId"]
    ec2.create_route(
        RouteTableId=spoke_table, DestinationCidrBlock="10.100.0.0/16", VpcPeeringConnectionId=peer
    )
    ec2.create_route(RouteTableId=spoke_table, DestinationCidrBlock="192.168.0.0/16", GatewayId=vgw)

    account = await open_moto_account()
    collected = await collect_account(account, [REGION], concurrency=4)

    names = (
        "ec2.transit_gateways",
        "ec2.transit_gateway_attachments",
        "ec2.transit_gateway_route_tables",
        "ec2.vpc_peering_connections",
        "ec2.vpn_gateways",
    )
    assert {
        o.collector: o.status for o in collected.outcomes if o.collector in names
    } == dict.fromkeys(names, OutcomeStatus.OK)
    records = collected.records
    [gateway] = [r for r in records if isinstance(r, Ec2TransitGateway)]
    assert gateway.association_default_route_table_id == table
    attachments = {
        r.transit_gateway_attachment_id: r
        for r in records
        if isinstance(r, Ec2TransitGatewayAttachment)
    }
    assert set(attachments) == {spoke_attachment, egress_attachment}
    assert attachments[egress_attachment].appliance_mode_support == "enable"
    assert attachments[spoke_attachment].subnet_ids == [spoke_subnet]
    assert attachments[spoke_attachment].association_route_table_id == table
    tables = {
        r.transit_gateway_route_table_id: r
        for r in records
        if isinstance(r, Ec2TransitGatewayRouteTable)
    }
    assert set(tables) == {table, second}
    assert [
        (r["destination"], r["state"], r["attachments"][0]["attachment_id"])
        for r in tables[table].routes
    ] == [("0.0.0.0/0", "active", egress_attachment)]
    assert [(r["destination"], r["state"]) for r in tables[second].routes] == [
        ("0.0.0.0/0", "blackhole")
    ]
    [peering] = [r for r in records if isinstance(r, Ec2VpcPeeringConnection)]
    assert (peering.vpc_peering_connection_id, peering.requester["vpc_id"]) == (peer, spoke)
    [gateway_record] = [r for r in records if isinstance(r, Ec2VpnGateway)]
    assert gateway_record.attachments == [{"vpc_id": spoke, "state": "attached"}]
    calls = collected.api_calls
    assert calls[(REGION, "ec2", "DescribeTransitGateways")] == 1
    assert calls[(REGION, "ec2", "DescribeTransitGatewayAttachments")] == 1
    assert calls[(REGION, "ec2", "DescribeTransitGatewayVpcAttachments")] == 1
    assert calls[(REGION, "ec2", "DescribeTransitGatewayRouteTables")] == 1
    assert calls[(REGION, "ec2", "SearchTransitGatewayRoutes")] == 2
    assert calls[(REGION, "ec2", "DescribeVpcPeeringConnections")] == 1
    assert calls[(REGION, "ec2", "DescribeVpnGateways")] == 1
