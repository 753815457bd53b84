"""ec2.internet_gateways and ec2.egress_only_internet_gateways (same attachment shape)."""

from __future__ import annotations

from typing import Any

from auditor.store.resources import Ec2EgressOnlyInternetGateway, Ec2InternetGateway
from collectors.calls import Api, Item
from collectors.declaration import Collector, Context, Record
from collectors.fields import jsonable, text


async def fetch_internet_gateways(api: Api) -> list[Item]:
    return await api.items("describe_internet_gateways", "InternetGateways", MaxResults=1000)


async def fetch_egress_only_internet_gateways(api: Api) -> list[Item]:
    # DescribeEgressOnlyInternetGateways allows at most 255 per page.
    return await api.items(
        "describe_egress_only_internet_gateways", "EgressOnlyInternetGateways", MaxResults=255
    )


def normalise_attachments(item: Item) -> list[dict[str, Any]]:
    # An attached IGW reports "available", not "attached": kept as AWS says it.
    return [
        {"vpc_id": text(a.get("VpcId")), "state": text(a.get("State"))}
        for a in item.get("Attachments", [])
    ]


def transform_internet_gateway(item: Item, account_id: str, region: str) -> Ec2InternetGateway:
    return Ec2InternetGateway(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        owner_id=text(item.get("OwnerId")),
        internet_gateway_id=item["InternetGatewayId"],
        attachments=normalise_attachments(item),
    )


def transform_egress_only_internet_gateway(
    item: Item, account_id: str, region: str
) -> Ec2EgressOnlyInternetGateway:
    return Ec2EgressOnlyInternetGateway(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        egress_only_internet_gateway_id=item["EgressOnlyInternetGatewayId"],
        attachments=normalise_attachments(item),
    )


async def collect_internet_gateways(ctx: Context) -> list[Record]:
    items = await fetch_internet_gateways(ctx.api)
    return [transform_internet_gateway(item, ctx.account_id, ctx.region) for item in items]


async def collect_egress_only_internet_gateways(ctx: Context) -> list[Record]:
    items = await fetch_egress_only_internet_gateways(ctx.api)
    return [
        transform_egress_only_internet_gateway(item, ctx.account_id, ctx.region) for item in items
    ]


INTERNET_GATEWAYS = Collector(
    name="ec2.internet_gateways",
    records=(Ec2InternetGateway,),
    purpose="attachments to VPCs",
    service="ec2",
    actions=("ec2:DescribeInternetGateways",),
    collect=collect_internet_gateways,
)

EGRESS_ONLY_INTERNET_GATEWAYS = Collector(
    name="ec2.egress_only_internet_gateways",
    records=(Ec2EgressOnlyInternetGateway,),
    purpose="IPv6 egress",
    service="ec2",
    actions=("ec2:DescribeEgressOnlyInternetGateways",),
    collect=collect_egress_only_internet_gateways,
)
