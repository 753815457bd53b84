"""ec2.subnets: DescribeSubnets."""

from __future__ import annotations

from auditor.store.resources import Ec2Subnet
from collectors.calls import Api, Item
from collectors.declaration import Collector, Context, Record
from collectors.ec2.vpcs import ipv6_cidrs
from collectors.fields import jsonable, text


async def fetch_subnets(api: Api) -> list[Item]:
    return await api.items("describe_subnets", "Subnets", MaxResults=1000)


def transform_subnet(item: Item, account_id: str, region: str) -> Ec2Subnet:
    return Ec2Subnet(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        owner_id=text(item.get("OwnerId")),
        subnet_id=item["SubnetId"],
        vpc_id=item["VpcId"],
        availability_zone=text(item.get("AvailabilityZone")),
        cidr_block=text(item.get("CidrBlock")),
        ipv6_cidr_blocks=ipv6_cidrs(item),
        assign_ipv6_address_on_creation=bool(item.get("AssignIpv6AddressOnCreation", False)),
        ipv6_native=bool(item.get("Ipv6Native", False)),
        map_public_ip_on_launch=bool(item.get("MapPublicIpOnLaunch", False)),
    )


async def collect(ctx: Context) -> list[Record]:
    items = await fetch_subnets(ctx.api)
    return [transform_subnet(item, ctx.account_id, ctx.region) for item in items]


COLLECTOR = Collector(
    name="ec2.subnets",
    records=(Ec2Subnet,),
    purpose="IPv4/IPv6 CIDRs and address assignment",
    service="ec2",
    actions=("ec2:DescribeSubnets",),
    collect=collect,
)
