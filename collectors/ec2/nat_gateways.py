"""ec2.nat_gateways: DescribeNatGateways (zonal and regional gateways alike)."""

from __future__ import annotations

from auditor.store.resources import Ec2NatGateway
from collectors.calls import Api, Item
from collectors.declaration import Collector, Context, Record
from collectors.fields import jsonable, text


async def fetch_nat_gateways(api: Api) -> list[Item]:
    return await api.items("describe_nat_gateways", "NatGateways", MaxResults=1000)


def transform_nat_gateway(item: Item, account_id: str, region: str) -> Ec2NatGateway:
    return Ec2NatGateway(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        nat_gateway_id=item["NatGatewayId"],
        vpc_id=text(item.get("VpcId")),
        subnet_id=text(item.get("SubnetId")),  # absent for regional NAT gateways
        state=item["State"],
        connectivity_type=text(item.get("ConnectivityType")),
        availability_mode=text(item.get("AvailabilityMode")),
        public_ips=[
            address["PublicIp"]
            for address in item.get("NatGatewayAddresses", [])
            if address.get("PublicIp")
        ],
    )


async def collect(ctx: Context) -> list[Record]:
    items = await fetch_nat_gateways(ctx.api)
    return [transform_nat_gateway(item, ctx.account_id, ctx.region) for item in items]


COLLECTOR = Collector(
    name="ec2.nat_gateways",
    records=(Ec2NatGateway,),
    purpose="state, type, zonal or regional",
    service="ec2",
    actions=("ec2:DescribeNatGateways",),
    collect=collect,
)
