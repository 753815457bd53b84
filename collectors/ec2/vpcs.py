"""ec2.vpcs: DescribeVpcs, plus DescribeVpcAttribute for DNS support and DNS hostnames.

DescribeVpcAttribute answers one attribute per call, so each VPC costs two more calls.
"""

from __future__ import annotations

import asyncio

from auditor.store.resources import Ec2Vpc
from collectors.calls import Api, Item
from collectors.declaration import Collector, Context, Record
from collectors.fields import jsonable, text

DNS_ATTRIBUTES = {
    "enableDnsSupport": "EnableDnsSupport",
    "enableDnsHostnames": "EnableDnsHostnames",
}
IPV6_GONE = frozenset({"disassociating", "disassociated", "failing", "failed"})


async def fetch_vpcs(api: Api) -> list[Item]:
    return await api.items("describe_vpcs", "Vpcs", MaxResults=1000)


async def fetch_dns_attributes(api: Api, vpc_id: str) -> dict[str, bool]:
    async def one(attribute: str, key: str) -> tuple[str, bool]:
        response = await api.call("describe_vpc_attribute", VpcId=vpc_id, Attribute=attribute)
        return attribute, bool(response[key]["Value"])

    answers = await asyncio.gather(*(one(attr, key) for attr, key in DNS_ATTRIBUTES.items()))
    return dict(answers)


def ipv6_cidrs(item: Item) -> list[str]:
    """IPv6 CIDRs of a VPC or subnet, leaving out associations that are going or gone."""
    return [
        block["Ipv6CidrBlock"]
        for block in item.get("Ipv6CidrBlockAssociationSet", [])
        if block.get("Ipv6CidrBlock")
        and block.get("Ipv6CidrBlockState", {}).get("State") not in IPV6_GONE
    ]


def transform_vpc(item: Item, dns: dict[str, bool], account_id: str, region: str) -> Ec2Vpc:
    raw = jsonable(item)
    raw["Attributes"] = dict(dns)
    return Ec2Vpc(
        account_id=account_id,
        region=region,
        raw=raw,
        owner_id=text(item.get("OwnerId")),
        vpc_id=item["VpcId"],
        cidr_block=text(item.get("CidrBlock")),
        ipv6_cidr_blocks=ipv6_cidrs(item),
        dhcp_options_id=text(item.get("DhcpOptionsId")),
        is_default=bool(item.get("IsDefault", False)),
        enable_dns_support=dns.get("enableDnsSupport"),
        enable_dns_hostnames=dns.get("enableDnsHostnames"),
    )


async def collect(ctx: Context) -> list[Record]:
    items = await fetch_vpcs(ctx.api)
    attributes = await asyncio.gather(
        *(fetch_dns_attributes(ctx.api, item["VpcId"]) for item in items)
    )
    return [
        transform_vpc(item, dns, ctx.account_id, ctx.region)
        for item, dns in zip(items, attributes, strict=True)
    ]


COLLECTOR = Collector(
    name="ec2.vpcs",
    records=(Ec2Vpc,),
    purpose="CIDRs, DHCP option set, DNS support and DNS hostnames (one attribute per call)",
    service="ec2",
    actions=("ec2:DescribeVpcs", "ec2:DescribeVpcAttribute"),
    collect=collect,
)
