"""ec2.vpn_gateways: DescribeVpnGateways (one call: the API has no paging), attachments."""

from __future__ import annotations

from auditor.store.resources import Ec2VpnGateway
from collectors.calls import Api, Item
from collectors.declaration import Collector, Context, Record
from collectors.ec2.route_tables import when_routes_target
from collectors.fields import jsonable, text


async def fetch_vpn_gateways(api: Api) -> list[Item]:
    response = await api.call("describe_vpn_gateways")
    items: list[Item] = response.get("VpnGateways", [])
    return items


def transform_vpn_gateway(item: Item, account_id: str, region: str) -> Ec2VpnGateway:
    return Ec2VpnGateway(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        vpn_gateway_id=item["VpnGatewayId"],
        state=text(item.get("State")),
        attachments=[
            {"vpc_id": text(a.get("VpcId")), "state": text(a.get("State"))}
            for a in item.get("VpcAttachments") or []
        ],
    )


async def collect(ctx: Context) -> list[Record]:
    items = await fetch_vpn_gateways(ctx.api)
    return [transform_vpn_gateway(item, ctx.account_id, ctx.region) for item in items]


COLLECTOR = Collector(
    name="ec2.vpn_gateways",
    records=(Ec2VpnGateway,),
    purpose="virtual private gateways default routes point to: state and VPC attachments",
    service="ec2",
    actions=("ec2:DescribeVpnGateways",),
    collect=collect,
    needed_when=when_routes_target("vgw-", "virtual private gateway"),
)
