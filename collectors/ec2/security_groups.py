"""ec2.security_groups: DescribeSecurityGroups, rules kept as EC2 returns them."""

from __future__ import annotations

from auditor.store.resources import Ec2SecurityGroup
from collectors.calls import Api, Item
from collectors.declaration import Collector, Context, Record
from collectors.fields import jsonable, text


async def fetch_security_groups(api: Api) -> list[Item]:
    # Paginated on purpose: unpaginated DescribeSecurityGroups uses EC2's smaller bucket.
    return await api.items("describe_security_groups", "SecurityGroups", MaxResults=1000)


def transform_security_group(item: Item, account_id: str, region: str) -> Ec2SecurityGroup:
    return Ec2SecurityGroup(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        owner_id=text(item.get("OwnerId")),
        group_id=item["GroupId"],
        group_name=text(item.get("GroupName")),
        vpc_id=text(item.get("VpcId")),
        ingress=jsonable(item.get("IpPermissions", [])),
        egress=jsonable(item.get("IpPermissionsEgress", [])),
    )


async def collect(ctx: Context) -> list[Record]:
    items = await fetch_security_groups(ctx.api)
    return [transform_security_group(item, ctx.account_id, ctx.region) for item in items]


COLLECTOR = Collector(
    name="ec2.security_groups",
    records=(Ec2SecurityGroup,),
    purpose="ingress and egress rules",
    service="ec2",
    actions=("ec2:DescribeSecurityGroups",),
    collect=collect,
)
