"""Fill the gaps moto leaves in ECS objects, so the demo estate reads like a real one.

moto's tasks have no ``startedAt``/``createdAt``/``platformFamily``, their ENIs get a random
private IP outside their subnet, and its services report no running tasks. There is no API
to set those, so the demo writes them into the moto backend of this process (the server
:class:`~auditor.demo.server.DemoMoto` starts). Only the seeding uses this; collectors and
checks see the values through the ordinary AWS API, as they would on AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any


class MotoNotInProcessError(RuntimeError):
    """The seeded objects are not in this process's moto backend (an external server?)."""


def _ecs_backend(account_id: str, region: str) -> Any:
    # Imported late: moto reads its settings from the environment when first imported.
    from moto.ecs.models import ecs_backends

    return ecs_backends[account_id][region]


def _ec2_backend(account_id: str, region: str) -> Any:
    from moto.ec2.models import ec2_backends  # late, as in _ecs_backend

    return ec2_backends[account_id][region]


def _task(account_id: str, region: str, cluster: str, task_arn: str) -> Any:
    tasks = _ecs_backend(account_id, region).tasks.get(cluster, {})
    if task_arn not in tasks:
        raise MotoNotInProcessError(
            f"task {task_arn} is not in this process's moto: "
            "the demo needs the moto server that DemoMoto starts"
        )
    return tasks[task_arn]


def private_dns_name(region: str, ip: str) -> str:
    domain = "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"
    return f"ip-{ip.replace('.', '-')}.{domain}"


def place_task_ip(
    account_id: str, region: str, cluster: str, task_arn: str, *, eni_id: str, ip: str
) -> None:
    """Give a task's ENI (and its ECS attachment) a private IP inside its subnet."""
    task = _task(account_id, region, cluster, task_arn)
    eni = _ec2_backend(account_id, region).get_network_interface(eni_id)
    dns_name = private_dns_name(region, ip)
    eni.private_ip_address = ip
    eni.private_dns_name = dns_name
    eni.private_ip_addresses = [
        {"Primary": True, "PrivateIpAddress": ip, "PrivateDnsName": dns_name}
    ]
    for attachment in task.attachments:
        for detail in attachment["details"]:
            if detail["name"] == "privateIPv4Address":
                detail["value"] = ip
            elif detail["name"] == "privateDnsName":
                detail["value"] = dns_name


def stamp_tasks(
    account_id: str, region: str, cluster: str, started_at: Mapping[str, datetime]
) -> None:
    """Give each task (by ARN) its start time, creation and pull times just before it, and
    the platform family AWS reports for Linux tasks."""
    tasks = _ecs_backend(account_id, region).tasks.get(cluster, {})
    missing = set(started_at) - set(tasks)
    if missing:
        raise MotoNotInProcessError(
            f"{len(missing)} task(s) of cluster {cluster} are not in this process's moto: "
            "the demo needs the moto server that DemoMoto starts"
        )
    for arn, when in started_at.items():
        task = tasks[arn]
        task.created_at = when - timedelta(seconds=41)
        task.pull_started_at = when - timedelta(seconds=33)
        task.pull_stopped_at = when - timedelta(seconds=9)
        task.started_at = when
        task.platform_family = "Linux"


def mark_services_running(account_id: str, region: str, cluster: str) -> None:
    """Report every service of the cluster as having its desired count running."""
    backend = _ecs_backend(account_id, region)
    for service in backend.services.values():
        if service.cluster_name != cluster:
            continue
        service.running_count = service.desired_count
        service.pending_count = 0
        for deployment in service.deployments:
            deployment["runningCount"] = service.desired_count
            deployment["pendingCount"] = 0
            deployment["rolloutState"] = "COMPLETED"


def stamp_stopped_task(
    account_id: str, region: str, cluster: str, task_arn: str, *, stop_code: str, at: datetime
) -> None:
    """Give a stopped task the ``stopCode`` and ``stoppedAt`` AWS would report."""
    task = _task(account_id, region, cluster, task_arn)
    task.stop_code = stop_code
    task.stopping_at = at
    task.stopped_at = at
    task.execution_stopped_at = at


def list_tgw_route_attachments(account_id: str, region: str) -> int:
    """moto keeps a static TGW route's attachment as a dict, so SearchTransitGatewayRoutes
    answers ``TransitGatewayAttachments: []``; AWS lists it. Wrap each in the list AWS shows.
    Returns how many routes were fixed."""
    fixed = 0
    for table in _ec2_backend(account_id, region).transit_gateways_route_tables.values():
        for tgw_route in table.routes.values():
            value = tgw_route.get("transitGatewayAttachments")
            if isinstance(value, dict):
                tgw_route["transitGatewayAttachments"] = [value]
                fixed += 1
    return fixed
