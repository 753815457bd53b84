"""ec2.prefix_lists: the managed prefix lists that routes and security-group rules refer to.

A gateway endpoint (S3, DynamoDB) shows up as a route whose destination is its ``pl-`` list,
and a task's egress rule to S3 names the same list; their CIDRs are what checks compare.
DescribeManagedPrefixLists gives names and families, GetManagedPrefixListEntries the CIDRs
(it answers for AWS-managed lists too).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

from auditor.store.resources import Ec2ManagedPrefixList, Ec2RouteTable, Ec2SecurityGroup
from collectors.calls import Api, Item, chunks, unique
from collectors.declaration import Collector, Context, Record
from collectors.fields import jsonable, text

DESCRIBE_BATCH = 100  # DescribeManagedPrefixLists MaxResults is 1-100


def _rule_prefix_lists(rules: list[dict[str, Any]]) -> Iterator[str]:
    for rule in rules:
        for entry in rule.get("PrefixListIds", []):
            yield entry.get("PrefixListId")


def referenced_prefix_lists(
    route_tables: list[Ec2RouteTable], security_groups: list[Ec2SecurityGroup]
) -> list[str]:
    from_routes = (
        route["destination"]
        for table in route_tables
        for route in table.routes
        if route.get("family") == "prefix-list"
    )
    from_rules = (
        pl_id
        for group in security_groups
        for pl_id in _rule_prefix_lists(group.ingress + group.egress)
    )
    return unique([*from_routes, *from_rules])


async def fetch_prefix_lists(api: Api, ids: list[str]) -> list[tuple[Item, list[Item]]]:
    async def describe(batch: list[str]) -> list[Item]:
        return await api.items(
            "describe_managed_prefix_lists", "PrefixLists", PrefixListIds=batch, MaxResults=100
        )

    described = await asyncio.gather(*(describe(b) for b in chunks(ids, DESCRIBE_BATCH)))
    lists = [item for batch in described for item in batch]
    entries = await asyncio.gather(
        *(
            api.items(
                "get_managed_prefix_list_entries",
                "Entries",
                PrefixListId=item["PrefixListId"],
                MaxResults=100,
            )
            for item in lists
        )
    )
    return list(zip(lists, entries, strict=True))


def transform_prefix_list(
    item: Item, entries: list[Item], account_id: str, region: str
) -> Ec2ManagedPrefixList:
    raw = jsonable(item)
    raw["Entries"] = jsonable(entries)
    return Ec2ManagedPrefixList(
        account_id=account_id,
        region=region,
        raw=raw,
        prefix_list_id=item["PrefixListId"],
        prefix_list_name=text(item.get("PrefixListName")),
        address_family=text(item.get("AddressFamily")),
        cidrs=[entry["Cidr"] for entry in entries],
    )


async def collect(ctx: Context) -> list[Record]:
    ids = referenced_prefix_lists(
        ctx.records("ec2.route_tables", Ec2RouteTable),
        ctx.records("ec2.security_groups", Ec2SecurityGroup),
    )
    pairs = await fetch_prefix_lists(ctx.api, ids)
    return [
        transform_prefix_list(item, entries, ctx.account_id, ctx.region) for item, entries in pairs
    ]


COLLECTOR = Collector(
    name="ec2.prefix_lists",
    records=(Ec2ManagedPrefixList,),
    purpose="the CIDRs behind `pl-` routes and rules (for example S3 gateway endpoints)",
    service="ec2",
    actions=("ec2:DescribeManagedPrefixLists", "ec2:GetManagedPrefixListEntries"),
    collect=collect,
    needs=("ec2.route_tables", "ec2.security_groups"),
)
