"""One account and region of the demo estate while it is being seeded.

A :class:`Site` runs tasks the way AWS would place them and fills in what moto leaves out:
a task with ``assignPublicIp`` ENABLED gets a public IP (an Elastic IP on its ENI), a task
that AWS would give an IPv6 address gets one, and every task gets a start time.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from auditor.demo import moto_gaps
from auditor.demo.clients import AwsClients
from auditor.demo.network import Network
from auditor.demo.storage import FileSystems
from auditor.demo.workloads import Placement, RunningTask, Workloads

# Fargate gives IPv6 to Linux tasks on this platform version or later ("Using a VPC in
# dual-stack mode" in https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html).
FIRST_IPV6_PLATFORM = (1, 4, 0)


def _version(platform_version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in platform_version.split("."))


@dataclass(frozen=True)
class StoppedTask:
    cluster: str
    arn: str
    stop_code: str
    stopped_at: datetime


@dataclass
class Site:
    clients: AwsClients
    region: str
    now: datetime
    net: Network
    apps: Workloads
    dualstack_ipv6: bool = False
    ipv6_subnets: set[str] = field(default_factory=set)
    # cluster name -> task ARN -> start time
    started: dict[str, dict[str, datetime]] = field(default_factory=dict)
    stopped: list[StoppedTask] = field(default_factory=list)
    running: list[RunningTask] = field(default_factory=list)
    # Task addresses handed out per subnet so far.
    used_addresses: dict[str, int] = field(default_factory=dict)

    @classmethod
    def open(cls, clients: AwsClients, region: str, now: datetime | None = None) -> Site:
        return cls(
            clients=clients,
            region=region,
            now=now or datetime.now(UTC),
            net=Network(
                clients.client("ec2", region),
                clients.client("logs", region),
                clients.account_id,
                region,
            ),
            apps=Workloads(
                clients.client("ecs", region),
                clients.client("elbv2", region),
                clients.account_id,
                region,
            ),
        )

    @property
    def account_id(self) -> str:
        return self.clients.account_id

    @property
    def ecs(self) -> Any:
        return self.apps.ecs

    @property
    def storage(self) -> FileSystems:
        return FileSystems(
            self.clients.client("efs", self.region), self.clients.client("ec2", self.region)
        )

    def set_dualstack_ipv6(self, enabled: bool) -> None:
        self.ecs.put_account_setting(
            name="dualStackIPv6", value="enabled" if enabled else "disabled"
        )
        self.dualstack_ipv6 = enabled

    def dualstack_subnet(self, vpc_id: str, name: str, cidr: str, zone: str, index: int) -> str:
        """A subnet with the ``index``-th /64 of the VPC's IPv6 block, auto-assigning IPv6."""
        vpc_block = ipaddress.IPv6Network(self.net.vpc_ipv6_cidr(vpc_id))
        ipv6_cidr = next(islice(vpc_block.subnets(new_prefix=64), index, None))
        subnet_id = self.net.subnet(vpc_id, name, cidr, zone, ipv6_cidr=str(ipv6_cidr))
        self.ipv6_subnets.add(subnet_id)
        return subnet_id

    def service(
        self,
        cluster: str,
        name: str,
        task_definition: str,
        placement: Placement,
        *,
        count: int,
        load_balancers: list[dict[str, Any]] | None = None,
    ) -> list[RunningTask]:
        deployment = self.apps.service(
            cluster,
            name,
            task_definition,
            placement,
            desired_count=count,
            load_balancers=load_balancers,
        )
        return self.run(
            cluster,
            task_definition,
            placement,
            count=count,
            group=f"service:{name}",
            started_by=deployment,
        )

    def run(
        self,
        cluster: str,
        task_definition: str,
        placement: Placement,
        *,
        count: int,
        group: str | None = None,
        started_by: str | None = None,
        started_at: datetime | None = None,
    ) -> list[RunningTask]:
        tasks = self.apps.run_tasks(
            cluster, task_definition, placement, count=count, group=group, started_by=started_by
        )
        for task in tasks:
            self._as_aws_would(cluster, task, placement)
            self.started.setdefault(cluster, {})[task.arn] = started_at or self._start_time()
        self.running.extend(tasks)
        return tasks

    def stopped_task(
        self,
        cluster: str,
        task_definition: str,
        placement: Placement,
        *,
        group: str,
        reason: str,
        stop_code: str,
        hours_ago: int,
    ) -> str:
        """A task ECS still lists as STOPPED, with AWS's reason and stop code."""
        (task,) = self.run(cluster, task_definition, placement, count=1, group=group)
        self.running.remove(task)
        self.apps.stop_task(cluster, task.arn, reason)
        self.stopped.append(
            StoppedTask(cluster, task.arn, stop_code, self.now - timedelta(hours=hours_ago))
        )
        return task.arn

    def finish(self) -> None:
        """Write start and stop times and service counts into moto (see moto_gaps)."""
        for cluster, started_at in self.started.items():
            moto_gaps.stamp_tasks(self.account_id, self.region, cluster, started_at)
            moto_gaps.mark_services_running(self.account_id, self.region, cluster)
        for task in self.stopped:
            moto_gaps.stamp_stopped_task(
                self.account_id,
                self.region,
                task.cluster,
                task.arn,
                stop_code=task.stop_code,
                at=task.stopped_at,
            )

    def _as_aws_would(self, cluster: str, task: RunningTask, placement: Placement) -> None:
        moto_gaps.place_task_ip(
            self.account_id,
            self.region,
            cluster,
            task.arn,
            eni_id=task.eni_id,
            ip=self._next_ip(task),
        )
        if placement.public_ip:
            self.net.give_public_ip(task.eni_id, f"task-{task.arn.rsplit('/', 1)[-1][:8]}")
        if (
            self.dualstack_ipv6
            and task.subnet_id in self.ipv6_subnets
            and _version(placement.platform_version) >= FIRST_IPV6_PLATFORM
        ):
            self.net.give_ipv6_address(task.eni_id)

    def _next_ip(self, task: RunningTask) -> str:
        # Skip the five addresses AWS reserves and a few more for endpoints and NAT gateways.
        if task.subnet_id not in self.used_addresses:
            self.used_addresses[task.subnet_id] = self.net.interfaces_in(task.subnet_id) - 1
        used = self.used_addresses[task.subnet_id]
        self.used_addresses[task.subnet_id] = used + 1
        subnet = ipaddress.IPv4Network(self.net.subnet_cidr(task.subnet_id))
        return str(subnet.network_address + 20 + used)

    def _start_time(self) -> datetime:
        # Spread start times over the last three weeks, deterministically.
        index = sum(len(tasks) for tasks in self.started.values())
        return self.now - timedelta(days=2 + (index * 7) % 19, hours=(index * 5) % 24)
