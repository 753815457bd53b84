"""efs.access_points: DescribeAccessPoints (100 a page) for the collected file systems that a
task definition's volume mounts through an access point; none for the others."""

from __future__ import annotations

from auditor.store.resources import EcsTaskDefinition, EfsAccessPoint, EfsFileSystem
from collectors.calls import Api, Item, gather_lists, unique
from collectors.declaration import Collector, Context, Record
from collectors.fields import jsonable, text


def file_systems_with_access_points(definitions: list[EcsTaskDefinition]) -> list[str]:
    configs = [
        volume.get("efsVolumeConfiguration") or {}
        for definition in definitions
        for volume in definition.volumes
        if isinstance(volume, dict)
    ]
    return unique(
        config.get("fileSystemId")
        for config in configs
        if (config.get("authorizationConfig") or {}).get("accessPointId")
    )


async def fetch_access_points(api: Api, file_system_ids: list[str]) -> list[Item]:
    return await gather_lists(
        api.items("describe_access_points", "AccessPoints", FileSystemId=fs, MaxResults=100)
        for fs in file_system_ids
    )


def transform_access_point(item: Item, account_id: str, region: str) -> EfsAccessPoint:
    return EfsAccessPoint(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        access_point_id=item["AccessPointId"],
        file_system_id=item["FileSystemId"],
        access_point_arn=text(item.get("AccessPointArn")),
        life_cycle_state=text(item.get("LifeCycleState")),
    )


async def collect(ctx: Context) -> list[Record]:
    collected = {f.file_system_id for f in ctx.records("efs.file_systems", EfsFileSystem)}
    wanted = file_systems_with_access_points(ctx.records("ecs.task_definitions", EcsTaskDefinition))
    items = await fetch_access_points(ctx.api, [fs for fs in wanted if fs in collected])
    return [transform_access_point(item, ctx.account_id, ctx.region) for item in items]


COLLECTOR = Collector(
    name="efs.access_points",
    records=(EfsAccessPoint,),
    purpose="per file system whose volumes name an access point: whether it exists",
    service="efs",
    actions=("elasticfilesystem:DescribeAccessPoints",),
    collect=collect,
    needs=("ecs.task_definitions", "efs.file_systems"),
)
