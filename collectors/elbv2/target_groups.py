"""elbv2.target_groups: DescribeTargetGroups for the target groups ECS services reference.

One missing ARN fails a DescribeTargetGroups call (TargetGroupNotFound), and a service can
outlive its target group; in that case the region's target groups are listed (400 a page)
and only the referenced ones are kept, so the missing one is simply absent.
"""

from __future__ import annotations

import asyncio

from botocore.exceptions import ClientError

from auditor.store.resources import EcsService, Elbv2TargetGroup
from collectors.calls import Api, Item, chunks, unique
from collectors.declaration import Collector, Context, Record
from collectors.fields import jsonable, text

# DescribeTargetGroups documents no limit on TargetGroupArns; 20 keeps requests small.
ARN_BATCH = 20
NOT_FOUND = "TargetGroupNotFound"


def referenced_target_groups(services: list[EcsService]) -> list[str]:
    return unique(
        entry.get("targetGroupArn") for service in services for entry in service.load_balancers
    )


async def fetch_target_groups(api: Api, arns: list[str]) -> list[Item]:
    async def describe(batch: list[str]) -> list[Item]:
        response = await api.call("describe_target_groups", TargetGroupArns=batch)
        return list(response["TargetGroups"])

    try:
        batches = await asyncio.gather(*(describe(b) for b in chunks(arns, ARN_BATCH)))
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != NOT_FOUND:
            raise
        wanted = set(arns)
        every = await api.items("describe_target_groups", "TargetGroups", PageSize=400)
        return [item for item in every if item["TargetGroupArn"] in wanted]
    return [item for batch in batches for item in batch]


def transform_target_group(item: Item, account_id: str, region: str) -> Elbv2TargetGroup:
    return Elbv2TargetGroup(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        target_group_arn=item["TargetGroupArn"],
        target_group_name=text(item.get("TargetGroupName")),
        target_type=text(item.get("TargetType")),
        vpc_id=text(item.get("VpcId")),
        protocol=text(item.get("Protocol")),
        port=item.get("Port"),
        load_balancer_arns=list(item.get("LoadBalancerArns", [])),
    )


async def collect(ctx: Context) -> list[Record]:
    arns = referenced_target_groups(ctx.records("ecs.services", EcsService))
    items = await fetch_target_groups(ctx.api, arns)
    return [transform_target_group(item, ctx.account_id, ctx.region) for item in items]


COLLECTOR = Collector(
    name="elbv2.target_groups",
    records=(Elbv2TargetGroup,),
    purpose="only the target groups services reference: target type `ip`",
    service="elbv2",
    actions=("elasticloadbalancing:DescribeTargetGroups",),
    collect=collect,
    needs=("ecs.services",),
)
