"""ec2.network_interfaces: DescribeNetworkInterfaces for the ENIs the collected tasks and EFS
mount targets name (the mount targets' security groups are their ENI's groups, read here in the
same batches rather than with one DescribeMountTargetSecurityGroups call per mount target).

The IDs go in a ``network-interface-id`` filter rather than ``NetworkInterfaceIds``: a stopped
task's ENI is already deleted, and an unknown ID in ``NetworkInterfaceIds`` fails the whole
call, while a filter simply matches nothing. A filter also allows ``MaxResults``, which
``NetworkInterfaceIds`` does not. ``IncludeManagedResources`` keeps AWS-managed ENIs visible
even when the account hides managed resources by default.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from auditor.store.resources import Ec2NetworkInterface, EcsTask, EfsMountTarget
from collectors.calls import Api, Item, chunks, unique
from collectors.declaration import Collector, Context, Record
from collectors.fields import jsonable, text

# EC2 refuses more with FilterLimitExceeded: "The maximum number of filter values specified
# on a single call is 200".
FILTER_BATCH = 200

T = TypeVar("T")


async def fetch_network_interfaces_as(
    api: Api, eni_ids: list[str], convert: Callable[[Item], T]
) -> list[T]:
    """The ENIs, each converted as soon as its page arrives (the batches answered first
    are transformed while the others are still in flight)."""

    async def batch_items(batch: list[str]) -> list[T]:
        pages = api.pages(
            "describe_network_interfaces",
            Filters=[{"Name": "network-interface-id", "Values": batch}],
            IncludeManagedResources=True,
            MaxResults=1000,
        )
        return [convert(item) async for page in pages for item in page["NetworkInterfaces"]]

    batches = await asyncio.gather(*(batch_items(b) for b in chunks(eni_ids, FILTER_BATCH)))
    return [item for batch in batches for item in batch]


def transform_network_interface(item: Item, account_id: str, region: str) -> Ec2NetworkInterface:
    association = item.get("Association") or {}
    return Ec2NetworkInterface(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        owner_id=text(item.get("OwnerId")),
        network_interface_id=item["NetworkInterfaceId"],
        subnet_id=text(item.get("SubnetId")),
        vpc_id=text(item.get("VpcId")),
        interface_type=text(item.get("InterfaceType")),  # open string: "nat_gateway" vs enum
        status=text(item.get("Status")),
        private_ip=text(item.get("PrivateIpAddress")),
        public_ip=text(association.get("PublicIp")),
        public_ip_owner=text(association.get("IpOwnerId")),
        ipv6_addresses=[
            address["Ipv6Address"]
            for address in item.get("Ipv6Addresses", [])
            if address.get("Ipv6Address")
        ],
        security_group_ids=[group["GroupId"] for group in item.get("Groups", [])],
        requester_managed=bool(item.get("RequesterManaged", False)),
        description=text(item.get("Description")),
    )


async def collect(ctx: Context) -> list[Record]:
    """The tasks' ENIs in full batches leave at once; the rest waits for the EFS mount
    targets (behind the task definitions) and shares its batches with their ENIs: as few
    calls as one listing of both, and the longest chain of the scan does not wait for EFS."""

    def convert(item: Item) -> Ec2NetworkInterface:
        return transform_network_interface(item, ctx.account_id, ctx.region)

    task_enis = unique(task.eni_id for task in ctx.records("ecs.tasks", EcsTask))
    full = len(task_enis) - len(task_enis) % FILTER_BATCH
    early = asyncio.ensure_future(fetch_network_interfaces_as(ctx.api, task_enis[:full], convert))
    try:
        mount_targets = await ctx.records_later("efs.mount_targets", EfsMountTarget)
        sent = set(task_enis[:full])
        rest = [
            eni_id
            for eni_id in unique(
                [*task_enis[full:], *(t.network_interface_id for t in mount_targets)]
            )
            if eni_id not in sent
        ]
        late = await fetch_network_interfaces_as(ctx.api, rest, convert)
    except BaseException:
        early.cancel()
        raise
    return [*await early, *late]


COLLECTOR = Collector(
    name="ec2.network_interfaces",
    records=(Ec2NetworkInterface,),
    purpose="only the task and EFS mount target ENIs: public IP, IPv6, security groups",
    service="ec2",
    actions=("ec2:DescribeNetworkInterfaces",),
    collect=collect,
    needs=("ecs.tasks",),
    # EFS denied or failing leaves the task ENIs collected (only the mount targets' missing).
    awaited_needs=("efs.mount_targets",),
)
