"""efs.file_systems: DescribeFileSystems (100 a page), keeping the ones task definitions mount.

DescribeFileSystems takes one FileSystemId at a time and fails the call when it does not exist;
listing the region's file systems costs one call per hundred and shows a missing one as absent.
Nothing is called when no collected task definition has an EFS volume.
"""

from __future__ import annotations

from auditor.store.resources import EcsTaskDefinition, EfsFileSystem
from collectors.calls import Api, Item, unique
from collectors.declaration import Collector, Context, Record
from collectors.fields import jsonable, text


def referenced_file_systems(definitions: list[EcsTaskDefinition]) -> list[str]:
    return unique(
        (volume.get("efsVolumeConfiguration") or {}).get("fileSystemId")
        for definition in definitions
        for volume in definition.volumes
        if isinstance(volume, dict)
    )


async def fetch_file_systems(api: Api, wanted: list[str]) -> list[Item]:
    if not wanted:
        return []
    keep = set(wanted)
    every = await api.items("describe_file_systems", "FileSystems", MaxItems=100)
    return [item for item in every if item["FileSystemId"] in keep]


# The metered size (and its timestamp) changes between any two calls: not kept, so that two
# snapshots of an unchanged file system are equal.
VOLATILE = frozenset({"SizeInBytes"})


def transform_file_system(item: Item, account_id: str, region: str) -> EfsFileSystem:
    return EfsFileSystem(
        account_id=account_id,
        region=region,
        raw=jsonable({key: value for key, value in item.items() if key not in VOLATILE}),
        file_system_id=item["FileSystemId"],
        file_system_arn=text(item.get("FileSystemArn")),
        life_cycle_state=text(item.get("LifeCycleState")),
        availability_zone_name=text(item.get("AvailabilityZoneName")),
        availability_zone_id=text(item.get("AvailabilityZoneId")),
        name=text(item.get("Name")),
    )


async def collect(ctx: Context) -> list[Record]:
    wanted = referenced_file_systems(ctx.records("ecs.task_definitions", EcsTaskDefinition))
    items = await fetch_file_systems(ctx.api, wanted)
    return [transform_file_system(item, ctx.account_id, ctx.region) for item in items]


COLLECTOR = Collector(
    name="efs.file_systems",
    records=(EfsFileSystem,),
    purpose="only the file systems task definitions mount (none called without EFS volumes): "
    "state, One Zone AZ",
    service="efs",
    actions=("elasticfilesystem:DescribeFileSystems",),
    collect=collect,
    needs=("ecs.task_definitions",),
)
