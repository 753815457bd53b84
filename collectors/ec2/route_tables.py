"""ec2.route_tables: DescribeRouteTables (100 a page, the API's maximum), routes normalised."""

from __future__ import annotations

from typing import Any

from auditor.store.resources import Ec2RouteTable
from collectors.calls import Api, Item
from collectors.declaration import Collector, Context, NeededWhen, Record
from collectors.fields import jsonable, text

# Route target fields in the order they are read. InstanceId comes before NetworkInterfaceId
# because AWS fills both for a route to an instance.
TARGETS = (
    ("NatGatewayId", "nat-gateway"),
    ("EgressOnlyInternetGatewayId", "egress-only-internet-gateway"),
    ("TransitGatewayId", "transit-gateway"),
    ("VpcPeeringConnectionId", "vpc-peering-connection"),
    ("InstanceId", "instance"),
    ("NetworkInterfaceId", "network-interface"),
    ("CarrierGatewayId", "carrier-gateway"),
    ("LocalGatewayId", "local-gateway"),
    ("CoreNetworkArn", "core-network"),
    ("OdbNetworkArn", "odb-network"),
    ("GatewayId", "gateway"),  # local, igw-, vgw-, vpce- (gateway and GWLB endpoints)
    ("IpAddress", "ip-address"),  # VPC Route Server next hop
)
DESTINATIONS = (
    ("DestinationCidrBlock", "ipv4"),
    ("DestinationIpv6CidrBlock", "ipv6"),
    ("DestinationPrefixListId", "prefix-list"),
)


async def fetch_route_tables(api: Api) -> list[Item]:
    return await api.items("describe_route_tables", "RouteTables", MaxResults=100)


def normalise_route(route: Item) -> dict[str, Any]:
    destination, family = next(
        ((route[key], name) for key, name in DESTINATIONS if route.get(key)), (None, None)
    )
    target_type, target_id = next(
        ((name, route[key]) for key, name in TARGETS if route.get(key)), (None, None)
    )
    return {
        "destination": destination,
        "family": family,
        "target_type": target_type,
        "target_id": target_id,
        "state": text(route.get("State")),
        "origin": text(route.get("Origin")),
    }


def normalise_association(association: Item) -> dict[str, Any]:
    return {
        "subnet_id": text(association.get("SubnetId")),
        "gateway_id": text(association.get("GatewayId")),
        "main": bool(association.get("Main", False)),
        "state": text(association.get("AssociationState", {}).get("State")),
    }


def transform_route_table(item: Item, account_id: str, region: str) -> Ec2RouteTable:
    return Ec2RouteTable(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        owner_id=text(item.get("OwnerId")),
        route_table_id=item["RouteTableId"],
        vpc_id=item["VpcId"],
        routes=[normalise_route(route) for route in item.get("Routes", [])],
        associations=[normalise_association(a) for a in item.get("Associations", [])],
    )


async def collect(ctx: Context) -> list[Record]:
    items = await fetch_route_tables(ctx.api)
    return [transform_route_table(item, ctx.account_id, ctx.region) for item in items]


COLLECTOR = Collector(
    name="ec2.route_tables",
    records=(Ec2RouteTable,),
    purpose="routes and subnet associations",
    service="ec2",
    actions=("ec2:DescribeRouteTables",),
    collect=collect,
)


def any_route_targets(ctx: Context, prefix: str) -> bool:
    """Whether a collected route (blackholes included) targets a resource ID ``prefix``."""
    return any(
        (route.get("target_id") or "").startswith(prefix)
        for table in ctx.records(COLLECTOR.name, Ec2RouteTable)
        for route in table.routes
    )


def when_routes_target(prefix: str, kind: str) -> NeededWhen:
    """For collectors of resources only a route leads to: peering connections, VGWs."""
    return NeededWhen(
        inputs=(COLLECTOR.name,),
        test=lambda ctx: any_route_targets(ctx, prefix),
        when=f"a route targets a {kind} ({prefix})",
    )
