"""ec2.vpc_peering_connections: DescribeVpcPeeringConnections (1000 a page), both sides."""

from __future__ import annotations

from typing import Any

from auditor.store.resources import Ec2VpcPeeringConnection
from collectors.calls import Api, Item
from collectors.declaration import Collector, Context, Record
from collectors.ec2.route_tables import when_routes_target
from collectors.fields import jsonable, text


async def fetch_peering_connections(api: Api) -> list[Item]:
    return await api.items(
        "describe_vpc_peering_connections", "VpcPeeringConnections", MaxResults=1000
    )


def normalise_side(side: Item | None) -> dict[str, Any]:
    side = side or {}
    cidrs = [c["CidrBlock"] for c in side.get("CidrBlockSet") or [] if c.get("CidrBlock")]
    if not cidrs and side.get("CidrBlock"):
        cidrs = [side["CidrBlock"]]
    ipv6 = [
        c["Ipv6CidrBlock"] for c in side.get("Ipv6CidrBlockSet") or [] if c.get("Ipv6CidrBlock")
    ]
    return {
        "vpc_id": text(side.get("VpcId")),
        "owner_id": text(side.get("OwnerId")),
        "region": text(side.get("Region")),
        "cidrs": [*cidrs, *ipv6],
    }


def transform_peering_connection(
    item: Item, account_id: str, region: str
) -> Ec2VpcPeeringConnection:
    return Ec2VpcPeeringConnection(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        vpc_peering_connection_id=item["VpcPeeringConnectionId"],
        status=text((item.get("Status") or {}).get("Code")),
        requester=normalise_side(item.get("RequesterVpcInfo")),
        accepter=normalise_side(item.get("AccepterVpcInfo")),
    )


async def collect(ctx: Context) -> list[Record]:
    items = await fetch_peering_connections(ctx.api)
    return [transform_peering_connection(item, ctx.account_id, ctx.region) for item in items]


COLLECTOR = Collector(
    name="ec2.vpc_peering_connections",
    records=(Ec2VpcPeeringConnection,),
    purpose="peering connections routes point to: status, sides and regions (for MTU)",
    service="ec2",
    actions=("ec2:DescribeVpcPeeringConnections",),
    collect=collect,
    needed_when=when_routes_target("pcx-", "VPC peering connection"),
)
