"""ec2.transit_gateways, ec2.transit_gateway_attachments, ec2.transit_gateway_route_tables.

Every listing uses the API's largest page (1000). Attachments join two listings (the generic
one carries the association, the VPC one the subnets and appliance mode): two paged calls,
never one per attachment. Routes take one SearchTransitGatewayRoutes per route table, the only
way AWS returns them; it is sent without MaxResults (its default is the maximum, 1000, and
moto crashes on the parameter). Associations come with the attachments; propagations show up
as the ``propagated`` routes they install, so neither needs a call per table.
"""

from __future__ import annotations

import asyncio
from typing import Any

from auditor.store.resources import (
    Ec2TransitGateway,
    Ec2TransitGatewayAttachment,
    Ec2TransitGatewayRouteTable,
)
from collectors.calls import Api, Item
from collectors.declaration import Collector, Context, NeededWhen, Record
from collectors.ec2 import route_tables
from collectors.fields import jsonable, text

# Every route: static (blackholes included) and propagated.
ALL_ROUTES = [{"Name": "type", "Values": ["static", "propagated"]}]


async def fetch_transit_gateways(api: Api) -> list[Item]:
    return await api.items("describe_transit_gateways", "TransitGateways", MaxResults=1000)


def transform_transit_gateway(item: Item, account_id: str, region: str) -> Ec2TransitGateway:
    options = item.get("Options") or {}
    association = (
        text(options.get("AssociationDefaultRouteTableId"))
        if options.get("DefaultRouteTableAssociation") == "enable"
        else None
    )
    propagation = (
        text(options.get("PropagationDefaultRouteTableId"))
        if options.get("DefaultRouteTablePropagation") == "enable"
        else None
    )
    return Ec2TransitGateway(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        transit_gateway_id=item["TransitGatewayId"],
        owner_id=text(item.get("OwnerId")),
        state=text(item.get("State")),
        association_default_route_table_id=association,
        propagation_default_route_table_id=propagation,
    )


async def collect_transit_gateways(ctx: Context) -> list[Record]:
    items = await fetch_transit_gateways(ctx.api)
    return [transform_transit_gateway(item, ctx.account_id, ctx.region) for item in items]


async def fetch_attachments(api: Api) -> tuple[list[Item], list[Item]]:
    generic, vpc = await asyncio.gather(
        api.items(
            "describe_transit_gateway_attachments", "TransitGatewayAttachments", MaxResults=1000
        ),
        api.items(
            "describe_transit_gateway_vpc_attachments",
            "TransitGatewayVpcAttachments",
            MaxResults=1000,
        ),
    )
    return generic, vpc


def transform_attachment(
    item: Item, vpc_item: Item | None, account_id: str, region: str
) -> Ec2TransitGatewayAttachment:
    """``item`` from DescribeTransitGatewayAttachments; ``vpc_item`` the same attachment
    from DescribeTransitGatewayVpcAttachments (VPC attachments only)."""
    association = item.get("Association") or {}
    options = (vpc_item or {}).get("Options") or {}
    raw: dict[str, Any] = dict(item)
    if vpc_item is not None:
        raw["VpcAttachment"] = vpc_item
    return Ec2TransitGatewayAttachment(
        account_id=account_id,
        region=region,
        raw=jsonable(raw),
        transit_gateway_attachment_id=item["TransitGatewayAttachmentId"],
        transit_gateway_id=item["TransitGatewayId"],
        transit_gateway_owner_id=text(item.get("TransitGatewayOwnerId")),
        resource_type=text(item.get("ResourceType")),
        resource_id=text(item.get("ResourceId")),
        resource_owner_id=text(item.get("ResourceOwnerId")),
        state=text(item.get("State")),
        association_route_table_id=text(association.get("TransitGatewayRouteTableId")),
        association_state=text(association.get("State")),
        subnet_ids=list((vpc_item or {}).get("SubnetIds") or []),
        appliance_mode_support=text(options.get("ApplianceModeSupport")),
    )


async def collect_attachments(ctx: Context) -> list[Record]:
    generic, vpc = await fetch_attachments(ctx.api)
    by_id = {v["TransitGatewayAttachmentId"]: v for v in vpc}
    return [
        transform_attachment(
            item, by_id.get(item["TransitGatewayAttachmentId"]), ctx.account_id, ctx.region
        )
        for item in generic
    ]


async def fetch_route_tables(api: Api) -> list[Item]:
    return await api.items(
        "describe_transit_gateway_route_tables", "TransitGatewayRouteTables", MaxResults=1000
    )


async def fetch_routes(api: Api, route_table_id: str) -> tuple[list[Item], bool]:
    """Every route of one table, and whether AWS returned them all."""
    routes: list[Item] = []
    complete = True
    async for page in api.pages(
        "search_transit_gateway_routes",
        TransitGatewayRouteTableId=route_table_id,
        Filters=ALL_ROUTES,
    ):
        routes.extend(page.get("Routes", []))
        complete = page_complete(page)
    return routes, complete


def page_complete(page: Item) -> bool:
    """Whether nothing is left out after this page: without a NextToken (older SDKs, some
    responses) AdditionalRoutesAvailable means the listing was cut short."""
    return not (page.get("AdditionalRoutesAvailable") and not page.get("NextToken"))


def normalise_tgw_route(route: Item) -> dict[str, Any]:
    return {
        "destination": text(route.get("DestinationCidrBlock")),
        "prefix_list_id": text(route.get("PrefixListId")),
        "type": text(route.get("Type")),
        "state": text(route.get("State")),
        "attachments": [
            {
                "attachment_id": text(a.get("TransitGatewayAttachmentId")),
                "resource_id": text(a.get("ResourceId")),
                "resource_type": text(a.get("ResourceType")),
            }
            for a in route.get("TransitGatewayAttachments") or []
        ],
    }


def transform_route_table(
    item: Item, routes: list[Item], complete: bool, account_id: str, region: str
) -> Ec2TransitGatewayRouteTable:
    return Ec2TransitGatewayRouteTable(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        transit_gateway_route_table_id=item["TransitGatewayRouteTableId"],
        transit_gateway_id=item["TransitGatewayId"],
        state=text(item.get("State")),
        default_association=bool(item.get("DefaultAssociationRouteTable", False)),
        default_propagation=bool(item.get("DefaultPropagationRouteTable", False)),
        routes=[normalise_tgw_route(route) for route in routes],
        routes_complete=complete,
    )


async def collect_route_tables(ctx: Context) -> list[Record]:
    tables = [
        t
        for t in await fetch_route_tables(ctx.api)
        if t.get("State") not in ("deleting", "deleted")
    ]
    found = await asyncio.gather(
        *(fetch_routes(ctx.api, t["TransitGatewayRouteTableId"]) for t in tables)
    )
    return [
        transform_route_table(table, routes, complete, ctx.account_id, ctx.region)
        for table, (routes, complete) in zip(tables, found, strict=True)
    ]


def owns_a_transit_gateway(ctx: Context) -> bool:
    """Whether the region lists a TGW this account owns (an unknown owner counts as owned)."""
    return any(
        tgw.owner_id in (None, ctx.account_id)
        for tgw in ctx.records(TRANSIT_GATEWAYS.name, Ec2TransitGateway)
    )


TRANSIT_GATEWAYS = Collector(
    name="ec2.transit_gateways",
    records=(Ec2TransitGateway,),
    purpose="transit gateways a default route may point to: owner and state",
    service="ec2",
    actions=("ec2:DescribeTransitGateways",),
    collect=collect_transit_gateways,
)

# Transit gateways are listed in every region (one call): an account owning one is a network
# account whose TGW other accounts' routes may lead to, so its attachments and route tables
# are collected even when none of its own routes points at it. A workload account's
# attachments matter only when one of its routes targets a TGW. Route tables are followed
# from the owner's scan only (a TGW shared by an account not scanned is UNKNOWN before any
# table is read, see checks/reachability/transit.py), so a participant never collects them:
# whether AWS would show them to it is unconfirmed, and nothing would read them.
WHEN_ROUTED_OR_OWNED = NeededWhen(
    inputs=(route_tables.COLLECTOR.name, TRANSIT_GATEWAYS.name),
    test=lambda ctx: route_tables.any_route_targets(ctx, "tgw-") or owns_a_transit_gateway(ctx),
    when="a route targets a transit gateway (tgw-) or the account owns one",
)
WHEN_OWNED = NeededWhen(
    inputs=(TRANSIT_GATEWAYS.name,),
    test=owns_a_transit_gateway,
    when="the account owns a transit gateway (only its owner sees its route tables)",
)

TRANSIT_GATEWAY_ATTACHMENTS = Collector(
    name="ec2.transit_gateway_attachments",
    records=(Ec2TransitGatewayAttachment,),
    purpose="which VPCs (and subnets per AZ) attach to a transit gateway, and each "
    "attachment's route table",
    service="ec2",
    actions=(
        "ec2:DescribeTransitGatewayAttachments",
        "ec2:DescribeTransitGatewayVpcAttachments",
    ),
    collect=collect_attachments,
    needed_when=WHEN_ROUTED_OR_OWNED,
)

TRANSIT_GATEWAY_ROUTE_TABLES = Collector(
    name="ec2.transit_gateway_route_tables",
    records=(Ec2TransitGatewayRouteTable,),
    purpose="transit gateway routes (static, propagated, blackhole) to follow central egress",
    service="ec2",
    actions=(
        "ec2:DescribeTransitGatewayRouteTables",
        "ec2:SearchTransitGatewayRoutes",
    ),
    collect=collect_route_tables,
    needed_when=WHEN_OWNED,
)
