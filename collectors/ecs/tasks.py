"""ecs.tasks: per cluster, ListTasks for RUNNING and for STOPPED, then DescribeTasks 100 at a time.

ListTasks defaults to RUNNING and never matches PENDING; stopped tasks (kept about an hour by
AWS) carry the failure signatures, so they are listed separately.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from auditor.store.resources import EcsCluster, EcsTask
from collectors.calls import Api, Item, chunks, gather_lists
from collectors.declaration import Collector, Context, Record
from collectors.ecs.clusters import raise_on_failures
from collectors.fields import jsonable, text, utc

DESCRIBE_BATCH = 100  # DescribeTasks accepts at most 100 tasks
DESIRED_STATUSES = ("RUNNING", "STOPPED")
ENI_ATTACHMENT = "ElasticNetworkInterface"

T = TypeVar("T")


async def fetch_tasks_as(api: Api, cluster_arn: str, convert: Callable[[Item], T]) -> list[T]:
    """The cluster's tasks, each converted as soon as its DescribeTasks page arrives: the
    pages answered first are transformed while the others are still in flight, so the
    collectors waiting for the tasks do not also wait for thousands of transforms."""
    listings = await asyncio.gather(
        *(
            api.items(
                "list_tasks", "taskArns", cluster=cluster_arn, desiredStatus=status, maxResults=100
            )
            for status in DESIRED_STATUSES
        )
    )
    # A task can move from RUNNING to STOPPED between the two listings: describe it once.
    arns = list(dict.fromkeys(arn for listing in listings for arn in listing))

    async def describe(batch: list[str]) -> list[T]:
        response = await api.call("describe_tasks", cluster=cluster_arn, tasks=batch)
        raise_on_failures(response)
        return [convert(item) for item in response["tasks"]]

    return await gather_lists(describe(batch) for batch in chunks(arns, DESCRIBE_BATCH))


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
