"""What every check shares: naming resources, grouping by region, turning verdicts into results.

A check describes its scope as ``(Subject, item)`` pairs and judges one item at a time;
:func:`judge_scope` adds the UNKNOWN results for missing data so no check can forget them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from auditor.inventory import Inventory
from auditor.store.resources import Ec2Vpc, EcsService, EcsTask, EcsTaskDefinition
from checks.base import CheckMeta, ResourceType, Result, RootCause, Status
from collectors import registry
from collectors.cloudtrail import dhcp_associations
from collectors.ec2 import (
    dhcp_options,
    flow_logs,
    internet_gateways,
    nat_gateways,
    network_acls,
    network_interfaces,
    prefix_lists,
    route_tables,
    security_groups,
    subnets,
    transit_gateways,
    vpc_endpoints,
    vpc_peering_connections,
    vpcs,
    vpn_gateways,
)
from collectors.ecs import account_settings, clusters, services, task_definitions, tasks
from collectors.efs import access_points, file_systems, mount_targets
from collectors.elbv2 import target_groups
from collectors.iam import service_linked_role
from collectors.network_firewall import firewalls as network_firewall

T = TypeVar("T")

# Collector names, as the collectors declare them (a renamed collector breaks the import).
ECS_CLUSTERS = clusters.COLLECTOR.name
ECS_SERVICES = services.COLLECTOR.name
ECS_TASKS = tasks.COLLECTOR.name
ECS_TASK_DEFINITIONS = task_definitions.COLLECTOR.name
ECS_ACCOUNT_SETTINGS = account_settings.COLLECTOR.name
EC2_VPCS = vpcs.COLLECTOR.name
EC2_DHCP_OPTIONS = dhcp_options.COLLECTOR.name
EC2_SUBNETS = subnets.COLLECTOR.name
EC2_ROUTE_TABLES = route_tables.COLLECTOR.name
EC2_INTERNET_GATEWAYS = internet_gateways.INTERNET_GATEWAYS.name
EC2_EGRESS_ONLY_INTERNET_GATEWAYS = internet_gateways.EGRESS_ONLY_INTERNET_GATEWAYS.name
EC2_NAT_GATEWAYS = nat_gateways.COLLECTOR.name
EC2_NETWORK_ACLS = network_acls.COLLECTOR.name
EC2_VPC_ENDPOINTS = vpc_endpoints.COLLECTOR.name
EC2_NETWORK_INTERFACES = network_interfaces.COLLECTOR.name
EC2_SECURITY_GROUPS = security_groups.COLLECTOR.name
EC2_FLOW_LOGS = flow_logs.COLLECTOR.name
EC2_PREFIX_LISTS = prefix_lists.COLLECTOR.name
EC2_TRANSIT_GATEWAYS = transit_gateways.TRANSIT_GATEWAYS.name
EC2_TRANSIT_GATEWAY_ATTACHMENTS = transit_gateways.TRANSIT_GATEWAY_ATTACHMENTS.name
EC2_TRANSIT_GATEWAY_ROUTE_TABLES = transit_gateways.TRANSIT_GATEWAY_ROUTE_TABLES.name
EC2_VPC_PEERING_CONNECTIONS = vpc_peering_connections.COLLECTOR.name
EC2_VPN_GATEWAYS = vpn_gateways.COLLECTOR.name
ELBV2_TARGET_GROUPS = target_groups.COLLECTOR.name
EFS_FILE_SYSTEMS = file_systems.COLLECTOR.name
EFS_MOUNT_TARGETS = mount_targets.COLLECTOR.name
EFS_ACCESS_POINTS = access_points.COLLECTOR.name
IAM_SERVICE_LINKED_ROLE = service_linked_role.COLLECTOR.name
CLOUDTRAIL_DHCP_ASSOCIATIONS = dhcp_associations.COLLECTOR.name
NETWORK_FIREWALL_FIREWALLS = network_firewall.FIREWALLS.name
NETWORK_FIREWALL_POLICIES = network_firewall.FIREWALL_POLICIES.name
NETWORK_FIREWALL_RULE_GROUPS = network_firewall.RULE_GROUPS.name

# Every collector name there is: a check needing anything else fails the catalogue tests.
KNOWN_COLLECTORS: frozenset[str] = frozenset(registry.BY_NAME)

# Everything the reachability evaluator reads.
NETWORK_NEEDS: tuple[str, ...] = (
    EC2_VPCS,
    EC2_SUBNETS,
    EC2_ROUTE_TABLES,
    EC2_INTERNET_GATEWAYS,
    EC2_NAT_GATEWAYS,
    EC2_VPC_ENDPOINTS,
    EC2_NETWORK_INTERFACES,
    EC2_SECURITY_GROUPS,
    EC2_PREFIX_LISTS,
)
# Read only for some paths: egress-only gateways for IPv6-only subnets, DHCP option sets for
# interface endpoint paths (custom DNS servers), network ACLs for each subnet boundary. What
# is missing makes only the paths that read it UNKNOWN, so the collector's failure alone does
# not make every path check UNKNOWN.
NETWORK_OPTIONAL_NEEDS: tuple[str, ...] = (
    EC2_EGRESS_ONLY_INTERNET_GATEWAYS,
    EC2_DHCP_OPTIONS,
    # Network ACLs: without them every NACL hop is UNKNOWN, but a FAIL elsewhere still shows.
    EC2_NETWORK_ACLS,
    # Central egress: read only for default routes to a transit gateway or a VGW.
    EC2_TRANSIT_GATEWAYS,
    EC2_TRANSIT_GATEWAY_ATTACHMENTS,
    EC2_TRANSIT_GATEWAY_ROUTE_TABLES,
    EC2_VPN_GATEWAYS,
    # Inspection: read only for routes to a Network Firewall endpoint.
    NETWORK_FIREWALL_FIREWALLS,
    NETWORK_FIREWALL_POLICIES,
    NETWORK_FIREWALL_RULE_GROUPS,
)


@dataclass(frozen=True, kw_only=True)
class Subject:
    """The resource one result is about."""

    resource_type: ResourceType
    resource_id: str
    name: str | None
    region: str


@dataclass(frozen=True, kw_only=True)
class Verdict:
    status: Status
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    # The decisive hop of a FAIL or UNKNOWN path verdict (see checks.paths.common).
    root_cause: RootCause | None = None


def passed(message: str, **evidence: Any) -> Verdict:
    return Verdict(status=Status.PASS, message=message, evidence=evidence)


def failed(message: str, **evidence: Any) -> Verdict:
    return Verdict(status=Status.FAIL, message=message, evidence=evidence)


def unknown(message: str, **evidence: Any) -> Verdict:
    return Verdict(status=Status.UNKNOWN, message=message, evidence=evidence)


def to_result(meta: CheckMeta, inventory: Inventory, subject: Subject, verdict: Verdict) -> Result:
    return Result(
        check_id=meta.id,
        status=verdict.status,
        severity=meta.severity,
        account_id=inventory.account_id,
        region=subject.region,
        resource_type=subject.resource_type,
        resource_id=subject.resource_id,
        resource_name=subject.name,
        message=verdict.message,
        evidence=verdict.evidence,
        root_cause=verdict.root_cause,
    )


def region_subject(inventory: Inventory, region: str) -> Subject:
    return Subject(
        resource_type=ResourceType.ACCOUNT_REGION,
        resource_id=inventory.account_id,
        name=f"{inventory.account_id} in {region}",
        region=region,
    )


def group_by_region(items: Iterable[tuple[Subject, T]]) -> dict[str, list[tuple[Subject, T]]]:
    grouped: dict[str, list[tuple[Subject, T]]] = defaultdict(list)
    for subject, item in items:
        grouped[subject.region].append((subject, item))
    return grouped


def judge_scope(
    meta: CheckMeta,
    inventory: Inventory,
    *,
    scope_needs: Iterable[str],
    items: Iterable[tuple[Subject, T]],
    judge: Callable[[T], Verdict],
    needs: Iterable[str] | None = None,
) -> Iterator[Result]:
    """One result per item, with UNKNOWN where the data to decide is missing.

    When a collector that defines the scope failed in a region, the scope there is unknown: one
    ``account-region`` UNKNOWN stands for every resource that could not be listed. When the
    scope is known but other needed data is missing, each resource in scope is UNKNOWN.
    """
    scope_needs = tuple(scope_needs)
    needs = tuple(meta.needs if needs is None else needs)
    grouped = group_by_region(items)
    for region in sorted(set(inventory.regions) | set(grouped)):
        if inventory.missing(region, scope_needs):
            gap = inventory.describe_missing(region, scope_needs)
            message = (
                f"Could not tell which resources {meta.id} covers in account "
                f"{inventory.account_id} {region}: missing {gap}; grant the read access and "
                "scan again."
            )
            yield to_result(
                meta,
                inventory,
                region_subject(inventory, region),
                unknown(message, missing=inventory.missing(region, scope_needs)),
            )
            continue
        missing = inventory.missing(region, needs)
        for subject, item in grouped.get(region, []):
            if missing:
                gap = inventory.describe_missing(region, needs)
                verdict = unknown(
                    f"Cannot evaluate {meta.id} for {subject.name or subject.resource_id}: "
                    f"missing {gap}; grant the read access and scan again.",
                    missing=missing,
                )
            else:
                verdict = judge(item)
            yield to_result(meta, inventory, subject, verdict)


# ------------------------------------------------------------------------- resource naming


def sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def cluster_name(cluster_arn: str) -> str:
    return cluster_arn.rsplit("/", 1)[-1]


def task_definition_label(arn: str) -> str:
    """``family:revision`` from a task definition ARN."""
    return arn.rsplit("/", 1)[-1]


def task_label(task: EcsTask) -> str:
    """A name a person can find in the console: the task ID with its service or family."""
    owner = (
        f"service {task.service_name}"
        if task.service_name
        else f"family {task_definition_label(task.task_definition_arn).split(':')[0]}"
    )
    return f"task {task.short_id} ({owner}, cluster {cluster_name(task.cluster_arn)})"


def task_subject(task: EcsTask) -> Subject:
    return Subject(
        resource_type=ResourceType.ECS_TASK,
        resource_id=task.task_arn,
        name=task_label(task),
        region=task.region,
    )


def service_label(service: EcsService) -> str:
    return f"service {service.service_name} (cluster {cluster_name(service.cluster_arn)})"


def service_subject(service: EcsService) -> Subject:
    return Subject(
        resource_type=ResourceType.ECS_SERVICE,
        resource_id=service.service_arn,
        name=service_label(service),
        region=service.region,
    )


def task_definition_subject(arn: str, region: str) -> Subject:
    return Subject(
        resource_type=ResourceType.ECS_TASK_DEFINITION,
        resource_id=arn,
        name=f"task definition {task_definition_label(arn)}",
        region=region,
    )


def name_tag(raw: dict[str, Any]) -> str | None:
    for tag in raw.get("Tags") or []:
        if isinstance(tag, dict) and tag.get("Key") == "Name" and tag.get("Value"):
            return str(tag["Value"])
    return None


def vpc_label(vpc_id: str, vpc: Ec2Vpc | None) -> str:
    name = name_tag(vpc.raw) if vpc is not None else None
    return f"VPC {vpc_id} ({name})" if name else f"VPC {vpc_id}"


def vpc_subject(vpc_id: str, vpc: Ec2Vpc | None, region: str) -> Subject:
    return Subject(
        resource_type=ResourceType.VPC,
        resource_id=vpc_id,
        name=vpc_label(vpc_id, vpc),
        region=region,
    )


def active_fargate_services(inventory: Inventory) -> list[EcsService]:
    """Fargate services that still exist (DescribeServices also returns INACTIVE ones)."""
    return [s for s in inventory.fargate_services() if (s.status or "").upper() != "INACTIVE"]


def containers_of(definition: EcsTaskDefinition | None) -> list[dict[str, Any]]:
    if definition is None:
        return []
    return [c for c in definition.container_definitions if isinstance(c, dict)]


def uses_awslogs(definition: EcsTaskDefinition | None) -> bool:
    return any(
        (c.get("logConfiguration") or {}).get("logDriver") == "awslogs"
        for c in containers_of(definition)
    )
