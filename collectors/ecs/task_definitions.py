"""ecs.task_definitions: DescribeTaskDefinition once for each definition a task or service uses."""

from __future__ import annotations

import asyncio

from auditor.store.resources import EcsService, EcsTask, EcsTaskDefinition
from collectors.calls import Api, Item, unique
from collectors.declaration import Collector, Context, Record
from collectors.fields import jsonable, text


def used_definitions(tasks: list[EcsTask], services: list[EcsService]) -> list[str]:
    return unique(
        [task.task_definition_arn for task in tasks]
        + [service.task_definition_arn for service in services]
    )


async def fetch_task_definition(api: Api, arn: str) -> Item:
    response = await api.call("describe_task_definition", taskDefinition=arn)
    definition: Item = response["taskDefinition"]
    return definition


def transform_task_definition(item: Item, account_id: str, region: str) -> EcsTaskDefinition:
    return EcsTaskDefinition(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        task_definition_arn=item["taskDefinitionArn"],
        family=item["family"],
        revision=int(item["revision"]),
        network_mode=text(item.get("networkMode")),
        requires_compatibilities=list(item.get("requiresCompatibilities", [])),
        execution_role_arn=text(item.get("executionRoleArn")),
        task_role_arn=text(item.get("taskRoleArn")),
        os_family=text(item.get("runtimePlatform", {}).get("operatingSystemFamily")),
        container_definitions=jsonable(item.get("containerDefinitions", [])),
        volumes=jsonable(item.get("volumes", [])),
    )


async def collect(ctx: Context) -> list[Record]:
    arns = used_definitions(
        ctx.records("ecs.tasks", EcsTask), ctx.records("ecs.services", EcsService)
    )
    items = await asyncio.gather(*(fetch_task_definition(ctx.api, arn) for arn in arns))
    return [transform_task_definition(item, ctx.account_id, ctx.region) for item in items]


COLLECTOR = Collector(
    name="ecs.task_definitions",
    records=(EcsTaskDefinition,),
    purpose="only the definitions that collected tasks and services use, each once",
    service="ecs",
    actions=("ecs:DescribeTaskDefinition",),
    collect=collect,
    needs=("ecs.tasks", "ecs.services"),
)
