"""What the between-scan changes need to find again in the seeded estate."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.demo.workloads import Placement


@dataclass(frozen=True)
class VpcRef:
    account_id: str
    region: str
    vpc_id: str
    name: str


@dataclass(frozen=True)
class TaskLaunch:
    """How to start one more task of a service later (after the DHCP change)."""

    cluster: str
    service: str
    task_definition: str
    placement: Placement


@dataclass(frozen=True)
class NatRef:
    account_id: str
    region: str
    nat_gateway_id: str
    name: str


@dataclass(frozen=True)
class TaskRef:
    account_id: str
    region: str
    cluster: str
    task_arn: str
    service: str
