"""ecs.services: per cluster, ListServices (100 a page), then DescribeServices 10 at a time
(collectors.ecs.listing)."""

from __future__ import annotations

import asyncio

from auditor.store.resources import EcsCluster, EcsService
from collectors.calls import Item
from collectors.declaration import Collector, Context, Record
from collectors.ecs.listing import fetch_services
from collectors.fields import jsonable, text


def transform_service(item: Item, account_id: str, region: str) -> EcsService:
    awsvpc = item.get("networkConfiguration", {}).get("awsvpcConfiguration") or {}
    return EcsService(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        service_arn=item["serviceArn"],
        service_name=item["serviceName"],
        cluster_arn=item["clusterArn"],
        status=text(item.get("status")),
        launch_type=text(item.get("launchType")),
        capacity_providers=[
            entry["capacityProvider"] for entry in item.get("capacityProviderStrategy", [])
        ],
        platform_version=text(item.get("platformVersion")),
        platform_family=text(item.get("platformFamily")),
        task_definition_arn=text(item.get("taskDefinition")),
        desired_count=item.get("desiredCount"),
        running_count=item.get("runningCount"),
        subnet_ids=list(awsvpc.get("subnets", [])),
        security_group_ids=list(awsvpc.get("securityGroups", [])),
        assign_public_ip=text(awsvpc.get("assignPublicIp")),
        load_balancers=jsonable(item.get("loadBalancers", [])),
    )


async def collect(ctx: Context) -> list[Record]:
    clusters = ctx.records("ecs.clusters", EcsCluster)
    per_cluster = await asyncio.gather(
        *(fetch_services(ctx.api, cluster.cluster_arn) for cluster in clusters)
    )
    return [
        transform_service(item, ctx.account_id, ctx.region)
        for items in per_cluster
        for item in items
    ]


COLLECTOR = Collector(
    name="ecs.services",
    records=(EcsService,),
    purpose="network configuration, platform version, load balancers (10 per describe)",
    service="ecs",
    actions=("ecs:ListServices", "ecs:DescribeServices"),
    collect=collect,
    needs=("ecs.clusters",),
)
