"""ec2.network_acls: DescribeNetworkAcls (1000 a page, the API's maximum), entries normalised.

A network ACL filters every packet entering or leaving its subnets, statelessly, in rule
number order: the reachability checks evaluate the entries, this module only records them.
"""

from __future__ import annotations

from typing import Any

from auditor.store.resources import Ec2NetworkAcl
from collectors.calls import Api, Item
from collectors.declaration import Collector, Context, Record
from collectors.fields import jsonable, text


async def fetch_network_acls(api: Api) -> list[Item]:
    return await api.items("describe_network_acls", "NetworkAcls", MaxResults=1000)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def normalise_entry(entry: Item) -> dict[str, Any]:
    """One rule: protocol as AWS gives it ("-1" for all, "6" TCP, "17" UDP, "1" ICMP, ...)."""
    ports = entry.get("PortRange") or {}
    icmp = entry.get("IcmpTypeCode") or {}
    return {
        "rule_number": int(entry["RuleNumber"]),
        "egress": bool(entry["Egress"]),
        "protocol": str(entry["Protocol"]),
        "rule_action": str(entry["RuleAction"]),
        "cidr_block": text(entry.get("CidrBlock")),
        "ipv6_cidr_block": text(entry.get("Ipv6CidrBlock")),
        "port_from": _optional_int(ports.get("From")),
        "port_to": _optional_int(ports.get("To")),
        "icmp_type": _optional_int(icmp.get("Type")),
        "icmp_code": _optional_int(icmp.get("Code")),
    }


def transform_network_acl(item: Item, account_id: str, region: str) -> Ec2NetworkAcl:
    associations = item.get("Associations", [])
    return Ec2NetworkAcl(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        network_acl_id=item["NetworkAclId"],
        vpc_id=item["VpcId"],
        owner_id=text(item.get("OwnerId")),
        is_default=bool(item.get("IsDefault", False)),
        subnet_ids=[a["SubnetId"] for a in associations if a.get("SubnetId")],
        entries=[normalise_entry(entry) for entry in item.get("Entries", [])],
    )


async def collect(ctx: Context) -> list[Record]:
    items = await fetch_network_acls(ctx.api)
    return [transform_network_acl(item, ctx.account_id, ctx.region) for item in items]


COLLECTOR = Collector(
    name="ec2.network_acls",
    records=(Ec2NetworkAcl,),
    purpose="the stateless rules filtering each subnet's traffic, and which subnets they cover",
    service="ec2",
    actions=("ec2:DescribeNetworkAcls",),
    collect=collect,
)
