"""Which VPCs host running Fargate tasks, and in which of their subnets."""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.inventory import Inventory
from checks.support import Subject, vpc_subject


@dataclass(kw_only=True)
class HostingVpc:
    vpc_id: str
    region: str
    subnet_ids: set[str] = field(default_factory=set)
    task_count: int = 0


def hosting_vpcs(inventory: Inventory) -> list[tuple[Subject, HostingVpc]]:
    found: dict[tuple[str, str], HostingVpc] = {}
    for task in inventory.running_fargate_tasks():
        subnet = inventory.subnet_by_id.get(task.subnet_id or "")
        eni = inventory.eni_for_task(task)
        vpc_id = subnet.vpc_id if subnet else (eni.vpc_id if eni else None)
        if vpc_id is None:
            continue
        entry = found.setdefault(
            (task.region, vpc_id), HostingVpc(vpc_id=vpc_id, region=task.region)
        )
        entry.task_count += 1
        if task.subnet_id:
            entry.subnet_ids.add(task.subnet_id)
    return [
        (vpc_subject(v.vpc_id, inventory.vpc_by_id.get(v.vpc_id), v.region), v)
        for _, v in sorted(found.items())
    ]
