"""efs.mount_targets: DescribeMountTargets for each collected file system (100 a page).

DescribeMountTargets needs a file system (or mount target) ID: there is no region-wide listing.
The mount targets' security groups are read from their network interfaces, which
ec2.network_interfaces describes in its batched calls, not with one
DescribeMountTargetSecurityGroups call per mount target.
"""

from __future__ import annotations

from auditor.store.resources import EfsFileSystem, EfsMountTarget
from collectors.calls import Api, Item, gather_lists
from collectors.declaration import Collector, Context, Record
from collectors.fields import jsonable, text


async def fetch_mount_targets(api: Api, file_system_ids: list[str]) -> list[Item]:
    return await gather_lists(
        api.items("describe_mount_targets", "MountTargets", FileSystemId=fs, MaxItems=100)
        for fs in file_system_ids
    )


def transform_mount_target(item: Item, account_id: str, region: str) -> EfsMountTarget:
    return EfsMountTarget(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        mount_target_id=item["MountTargetId"],
        file_system_id=item["FileSystemId"],
        subnet_id=item["SubnetId"],
        vpc_id=text(item.get("VpcId")),
        life_cycle_state=text(item.get("LifeCycleState")),
        availability_zone_name=text(item.get("AvailabilityZoneName")),
        availability_zone_id=text(item.get("AvailabilityZoneId")),
        ip_address=text(item.get("IpAddress")),
        network_interface_id=text(item.get("NetworkInterfaceId")),
    )


async def collect(ctx: Context) -> list[Record]:
    file_systems = ctx.records("efs.file_systems", EfsFileSystem)
    items = await fetch_mount_targets(ctx.api, [f.file_system_id for f in file_systems])
    return [transform_mount_target(item, ctx.account_id, ctx.region) for item in items]


COLLECTOR = Collector(
    name="efs.mount_targets",
    records=(EfsMountTarget,),
    purpose="per collected file system: AZ, subnet, address, state, ENI",
    service="efs",
    actions=("elasticfilesystem:DescribeMountTargets",),
    collect=collect,
    needs=("efs.file_systems",),
)
