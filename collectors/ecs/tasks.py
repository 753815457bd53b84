"""ecs.tasks: per cluster, ListTasks for RUNNING and for STOPPED, then DescribeTasks 100 at a time
(collectors.ecs.listing).

ListTasks defaults to RUNNING and never matches PENDING; stopped tasks (kept about an hour by
AWS) carry the failure signatures, so they are listed separately.
"""

from __future__ import annotations

import asyncio

from auditor.store.resources import EcsCluster, EcsTask
from collectors.calls import Item
from collectors.declaration import Collector, Context, Record
from collectors.ecs.listing import fetch_tasks_as
from collectors.fields import jsonable, text, utc

ENI_ATTACHMENT = "ElasticNetworkInterface"


def eni_details(item: Item) -> dict[str, str]:
    """Details of the task's ENI attachment, wherever it sits in the list."""
    for attachment in item.get("attachments", []):
        if attachment.get("type") == ENI_ATTACHMENT:
            return {
                detail["name"]: detail["value"]
                for detail in attachment.get("details", [])
                if "name" in detail and "value" in detail
            }
    return {}


def transform_task(item: Item, account_id: str, region: str) -> EcsTask:
    eni = eni_details(item)
    return EcsTask(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        task_arn=item["taskArn"],
        cluster_arn=item["clusterArn"],
        task_definition_arn=item["taskDefinitionArn"],
        last_status=text(item.get("lastStatus")),
        desired_status=text(item.get("desiredStatus")),
        group=text(item.get("group")),
        launch_type=text(item.get("launchType")),
        capacity_provider_name=text(item.get("capacityProviderName")),
        platform_version=text(item.get("platformVersion")),
        platform_family=text(item.get("platformFamily")),
        created_at=utc(item.get("createdAt")),
        started_at=utc(item.get("startedAt")),
        stopped_at=utc(item.get("stoppedAt")),
        stop_code=text(item.get("stopCode")),
        stopped_reason=text(item.get("stoppedReason")),
        eni_id=text(eni.get("networkInterfaceId")),
        subnet_id=text(eni.get("subnetId")),
        private_ipv4=text(eni.get("privateIPv4Address")),
    )


async def collect(ctx: Context) -> list[Record]:
    clusters = ctx.records("ecs.clusters", EcsCluster)

    def convert(item: Item) -> EcsTask:
        return transform_task(item, ctx.account_id, ctx.region)

    per_cluster = await asyncio.gather(
        *(fetch_tasks_as(ctx.api, cluster.cluster_arn, convert) for cluster in clusters)
    )
    return [task for tasks in per_cluster for task in tasks]


COLLECTOR = Collector(
    name="ecs.tasks",
    records=(EcsTask,),
    purpose="running and recently stopped tasks, their ENI and stop reasons (100 per describe)",
    service="ecs",
    actions=("ecs:ListTasks", "ecs:DescribeTasks"),
    collect=collect,
    needs=("ecs.clusters",),
)
