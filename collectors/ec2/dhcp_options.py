"""ec2.dhcp_options: DescribeDhcpOptions (the DNS servers tasks get from their VPC)."""

from __future__ import annotations

from auditor.store.resources import Ec2DhcpOptions
from collectors.calls import Api, Item
from collectors.declaration import Collector, Context, Record
from collectors.fields import jsonable


async def fetch_dhcp_options(api: Api) -> list[Item]:
    return await api.items("describe_dhcp_options", "DhcpOptions", MaxResults=1000)


def transform_dhcp_options(item: Item, account_id: str, region: str) -> Ec2DhcpOptions:
    return Ec2DhcpOptions(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        dhcp_options_id=item["DhcpOptionsId"],
        configurations={
            entry["Key"]: [value["Value"] for value in entry.get("Values", [])]
            for entry in item.get("DhcpConfigurations", [])
        },
    )


async def collect(ctx: Context) -> list[Record]:
    items = await fetch_dhcp_options(ctx.api)
    return [transform_dhcp_options(item, ctx.account_id, ctx.region) for item in items]


COLLECTOR = Collector(
    name="ec2.dhcp_options",
    records=(Ec2DhcpOptions,),
    purpose="the DNS servers tasks receive",
    service="ec2",
    actions=("ec2:DescribeDhcpOptions",),
    collect=collect,
)
