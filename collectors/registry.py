"""Every collector, declared once, and the IAM policy that follows from their declarations."""

from __future__ import annotations

from typing import Any

from collectors.base import Collector, Scope
from collectors.cloudtrail import dhcp_associations
from collectors.ec2 import (
    dhcp_options,
    flow_logs,
    internet_gateways,
    nat_gateways,
    network_interfaces,
    prefix_lists,
    route_tables,
    security_groups,
    subnets,
    vpc_endpoints,
    vpcs,
)
from collectors.ecs import account_settings, clusters, services, task_definitions, tasks
from collectors.elbv2 import target_groups
from collectors.iam import service_linked_role

COLLECTORS: tuple[Collector, ...] = (
    clusters.COLLECTOR,
    services.COLLECTOR,
    tasks.COLLECTOR,
    task_definitions.COLLECTOR,
    account_settings.COLLECTOR,
    vpcs.COLLECTOR,
    dhcp_options.COLLECTOR,
    subnets.COLLECTOR,
    route_tables.COLLECTOR,
    internet_gateways.INTERNET_GATEWAYS,
    internet_gateways.EGRESS_ONLY_INTERNET_GATEWAYS,
    nat_gateways.COLLECTOR,
    vpc_endpoints.COLLECTOR,
    network_interfaces.COLLECTOR,
    security_groups.COLLECTOR,
    flow_logs.COLLECTOR,
    prefix_lists.COLLECTOR,
    target_groups.COLLECTOR,
    service_linked_role.COLLECTOR,
    dhcp_associations.COLLECTOR,
)

BY_NAME: dict[str, Collector] = {collector.name: collector for collector in COLLECTORS}

# Calls made outside any collector: identifying the account and listing enabled regions.
ACCOUNT_ACTIONS = ("sts:GetCallerIdentity", "ec2:DescribeRegions")


def regional() -> list[Collector]:
    return [c for c in COLLECTORS if c.scope is Scope.REGIONAL]


def global_() -> list[Collector]:
    return [c for c in COLLECTORS if c.scope is Scope.GLOBAL]


def required_actions() -> list[str]:
    actions = {action for collector in COLLECTORS for action in collector.actions}
    return sorted(actions.union(ACCOUNT_ACTIONS))


def iam_policy() -> dict[str, Any]:
    """The minimal read-only policy for the role (or user) the auditor runs as."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AuditorReadOnly",
                "Effect": "Allow",
                "Action": required_actions(),
                "Resource": "*",
            }
        ],
    }
