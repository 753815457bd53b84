"""Benchmark one account collection against moto behind a latency-adding proxy.

Prints:
  (a) API calls made vs the minimum the collected data needs (largest pages and batches the
      APIs allow, plus the fixed per-region calls), as a ratio;
  (b) collection wall time vs issuing that same minimal set of calls, all at once under the
      same concurrency bound and through the same proxy (measured in this run), as a ratio.
      Target: <= 1.5.

Usage: .venv/bin/python bench/bench_collection.py [--tasks 2000] [--latency 0.05]
       [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import aiohttp
import rig
from aiohttp import web

Call = tuple[str, str, dict[str, Any]]  # (service, operation, params)


def seed(url: str, tasks: int) -> None:
    """A VPC, one cluster, services with target groups, and ``tasks`` running Fargate tasks."""
    import boto3

    def client(service: str) -> Any:
        return boto3.client(service, region_name=rig.REGION, endpoint_url=url)

    ec2, ecs, elbv2 = client("ec2"), client("ecs"), client("elbv2")
    vpc, subnet, group = rig.task_network(ec2)
    # A transit gateway: its default route table costs one route search.
    ec2.create_transit_gateway(Description="hub")
    rig.create_ecs_service_role(client("iam"))
    cluster = ecs.create_cluster(clusterName="bench")["cluster"]["clusterArn"]
    definition = rig.register_task_definition(ecs)
    network = rig.awsvpc(subnet, group)
    for number in range(max(1, tasks // 100)):
        rig.create_load_balanced_service(
            ecs,
            elbv2,
            cluster=cluster,
            definition=definition,
            number=number,
            vpc=vpc,
            network=network,
        )
    remaining = tasks
    while remaining > 0:
        count = min(10, remaining)
        ecs.run_task(
            cluster=cluster,
            taskDefinition=definition,
            launchType="FARGATE",
            networkConfiguration=network,
            count=count,
            group=f"service:svc-{remaining % max(1, tasks // 100)}",
        )
        remaining -= count


class LatencyProxy:
    """Adds a fixed delay to every request; answers CloudTrail LookupEvents (moto lacks it)."""

    def __init__(self, upstream: str, latency: float) -> None:
        self.upstream = upstream
        self.latency = latency
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> str:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self.url

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        await asyncio.sleep(self.latency)
        if request.headers.get("X-Amz-Target", "").endswith("LookupEvents"):
            return web.Response(text='{"Events": []}', content_type="application/x-amz-json-1.1")
        assert self._session is not None
        skip = {"host", "content-length", "transfer-encoding", "connection", "content-encoding"}
        headers = {k: v for k, v in request.headers.items() if k.lower() not in skip}
        async with self._session.request(
            request.method, self.upstream + request.path_qs, headers=headers, data=body
        ) as upstream:
            payload = await upstream.read()
            reply = {k: v for k, v in upstream.headers.items() if k.lower() not in skip}
            return web.Response(status=upstream.status, body=payload, headers=reply)


def pages(count: int, size: int) -> int:
    """Requests needed to list ``count`` items ``size`` at a time (an empty list costs one)."""
    return max(1, math.ceil(count / size))


def minimal_calls(records: Sequence[Any]) -> list[Call]:
    """The fewest requests that return the collected data, with the APIs' largest pages."""
    from auditor.store.resources import (
        Ec2ManagedPrefixList,
        Ec2NetworkInterface,
        Ec2RouteTable,
        Ec2TransitGateway,
        Ec2TransitGatewayRouteTable,
        Ec2Vpc,
        EcsAccountSetting,
        EcsCluster,
        EcsService,
        EcsTask,
        EcsTaskDefinition,
        Elbv2TargetGroup,
    )

    def of(kind: type[Any]) -> list[Any]:
        return [r for r in records if isinstance(r, kind)]

    calls = minimal_ecs_calls(of(EcsCluster), of(EcsService), of(EcsTask))
    for definition in of(EcsTaskDefinition):
        params = {"taskDefinition": definition.task_definition_arn}
        calls.append(("ecs", "describe_task_definition", params))
    settings = {"effectiveSettings": True, "maxResults": 10}
    calls += [("ecs", "list_account_settings", settings)] * pages(len(of(EcsAccountSetting)), 10)
    calls += minimal_ec2_calls(
        of(Ec2Vpc),
        of(Ec2RouteTable),
        of(Ec2NetworkInterface),
        of(Ec2ManagedPrefixList),
        of(Ec2TransitGatewayRouteTable),
        of(Ec2TransitGateway),
    )
    if of(Elbv2TargetGroup):
        calls.append(("elbv2", "describe_target_groups", {"PageSize": 400}))
    calls.append(("iam", "get_role", {"RoleName": "AWSServiceRoleForECS"}))
    event_filter = [{"AttributeKey": "EventName", "AttributeValue": "AssociateDhcpOptions"}]
    calls.append(("cloudtrail", "lookup_events", {"LookupAttributes": event_filter}))
    return calls


def minimal_ecs_calls(clusters: list[Any], services: list[Any], tasks: list[Any]) -> list[Call]:
    calls: list[Call] = []
    cluster_arns = [c.cluster_arn for c in clusters]
    calls += [("ecs", "list_clusters", {"maxResults": 100})] * pages(len(clusters), 100)
    for start in range(0, len(cluster_arns), 100):
        calls.append(("ecs", "describe_clusters", {"clusters": cluster_arns[start : start + 100]}))
    for arn in cluster_arns:
        mine = [s for s in services if s.cluster_arn == arn]
        theirs = [t for t in tasks if t.cluster_arn == arn]
        running = [t for t in theirs if t.desired_status != "STOPPED"]
        stopped = [t for t in theirs if t.desired_status == "STOPPED"]
        calls += [("ecs", "list_services", {"cluster": arn, "maxResults": 100})] * pages(
            len(mine), 100
        )
        for start in range(0, len(mine), 10):
            batch = [s.service_arn for s in mine[start : start + 10]]
            calls.append(("ecs", "describe_services", {"cluster": arn, "services": batch}))
        for status, listed in (("RUNNING", running), ("STOPPED", stopped)):
            params = {"cluster": arn, "desiredStatus": status, "maxResults": 100}
            calls += [("ecs", "list_tasks", params)] * pages(len(listed), 100)
        for start in range(0, len(theirs), 100):
            batch = [t.task_arn for t in theirs[start : start + 100]]
            calls.append(("ecs", "describe_tasks", {"cluster": arn, "tasks": batch}))
    return calls


def minimal_ec2_calls(
    vpcs: list[Any],
    tables: list[Any],
    interfaces: list[Any],
    prefix_lists: list[Any],
    tgw_tables: list[Any],
    tgws: list[Any],
) -> list[Call]:
    calls: list[Call] = []
    for operation in (
        "describe_vpcs",
        "describe_dhcp_options",
        "describe_subnets",
        "describe_internet_gateways",
        "describe_nat_gateways",
        "describe_vpc_endpoints",
        "describe_security_groups",
        "describe_flow_logs",
        "describe_network_acls",
        # Always: an account owning a TGW is reached from other accounts' routes.
        "describe_transit_gateways",
    ):
        calls.append(("ec2", operation, {"MaxResults": 1000}))
    # What only a route (or owning a TGW) leads to is needed only then.
    targets = {(route.get("target_id") or "")[:4] for table in tables for route in table.routes}
    owned = any(t.owner_id in (None, t.account_id) for t in tgws)
    if "tgw-" in targets or owned:
        for operation in (
            "describe_transit_gateway_attachments",
            "describe_transit_gateway_vpc_attachments",
        ):
            calls.append(("ec2", operation, {"MaxResults": 1000}))
    if owned:
        calls.append(("ec2", "describe_transit_gateway_route_tables", {"MaxResults": 1000}))
        # Routes cost one search per TGW route table.
        routes = [{"Name": "type", "Values": ["static", "propagated"]}]
        for table in tgw_tables:
            params = {"TransitGatewayRouteTableId": table.transit_gateway_route_table_id}
            calls.append(("ec2", "search_transit_gateway_routes", {**params, "Filters": routes}))
    if "pcx-" in targets:
        calls.append(("ec2", "describe_vpc_peering_connections", {"MaxResults": 1000}))
    if "vgw-" in targets:  # DescribeVpnGateways has no paging
        calls.append(("ec2", "describe_vpn_gateways", {}))
    calls.append(("ec2", "describe_egress_only_internet_gateways", {"MaxResults": 255}))
    calls += [("ec2", "describe_route_tables", {"MaxResults": 100})] * pages(len(tables), 100)
    for vpc in vpcs:
        for attribute in ("enableDnsSupport", "enableDnsHostnames"):
            params = {"VpcId": vpc.vpc_id, "Attribute": attribute}
            calls.append(("ec2", "describe_vpc_attribute", params))
    enis = [e.network_interface_id for e in interfaces]
    # EC2 allows 200 filter values per call (FilterLimitExceeded beyond that).
    for start in range(0, len(enis), 200):
        id_filter = {"Name": "network-interface-id", "Values": enis[start : start + 200]}
        calls.append(("ec2", "describe_network_interfaces", {"Filters": [id_filter]}))
    ids = [p.prefix_list_id for p in prefix_lists]
    if ids:
        params = {"PrefixListIds": ids[:100], "MaxResults": 100}
        calls.append(("ec2", "describe_managed_prefix_lists", params))
    for prefix_list in ids:
        params = {"PrefixListId": prefix_list, "MaxResults": 100}
        calls.append(("ec2", "get_managed_prefix_list_entries", params))
    return calls


async def issue_all(account: Any, calls: list[Call], concurrency: int) -> float:
    """Send ``calls`` all at once under one semaphore; return the wall time."""
    from contextlib import AsyncExitStack

    limit = asyncio.Semaphore(concurrency)
    async with AsyncExitStack() as stack:
        clients = {
            service: await stack.enter_async_context(
                account.client(service, rig.REGION, pool_size=concurrency, count_region="baseline")
            )
            for service in {service for service, _, _ in calls}
        }

        async def one(service: str, operation: str, params: dict[str, Any]) -> None:
            async with limit:
                await getattr(clients[service], operation)(**params)

        started = time.perf_counter()
        await asyncio.gather(*(one(*call) for call in calls))
        return time.perf_counter() - started


async def run(url: str, args: argparse.Namespace) -> None:
    from auditor.aws import open_account
    from auditor.config import Settings
    from collectors.run import collect_account

    proxy = LatencyProxy(url, args.latency)
    os.environ["AWS_ENDPOINT_URL"] = await proxy.start()
    try:
        account = await open_account(rig.ACCOUNT_ID, Settings(concurrency=args.concurrency))
        # Load every service model once so neither measurement pays for parsing them.
        for service in ("ecs", "ec2", "elbv2", "iam", "cloudtrail"):
            async with account.client(service, rig.REGION, count_region="warm-up"):
                pass
        started = time.perf_counter()
        collected = await collect_account(account, [rig.REGION], concurrency=args.concurrency)
        collection_time = time.perf_counter() - started
        calls = minimal_calls(collected.records)
        baseline_time = await issue_all(account, calls, args.concurrency)
    finally:
        await proxy.stop()

    failed = [f"{o.collector} ({o.status})" for o in collected.outcomes if o.status != "ok"]
    kinds = Counter(type(r).__name__ for r in collected.records)
    print(f"records: {dict(sorted(kinds.items()))}")
    if failed:
        print(f"collectors not ok: {', '.join(failed)}")
    made = collected.total_api_calls
    by_operation = Counter(f"{service}:{operation}" for service, operation, _ in calls)
    # moto answers ListTasks in one page whatever maxResults says; AWS pages it by 100. The
    # AWS-equivalent count replaces the ListTasks made here by the pages AWS would return.
    list_tasks_made = collected.api_calls[(rig.REGION, "ecs", "ListTasks")]
    aws_made = made - list_tasks_made + max(list_tasks_made, by_operation["ecs:list_tasks"])
    print(
        f"(a) API calls: {made} made vs {len(calls)} minimum -> ratio {made / len(calls):.2f}"
        f" (AWS-equivalent {aws_made} -> ratio {aws_made / len(calls):.2f})"
    )
    for (_, service, operation), count in sorted(collected.api_calls.items()):
        name = f"{service}:{operation}"
        minimum = sum(n for op, n in by_operation.items() if op.lower() == _snake(name))
        print(f"      {name:<48} {count:>5} (minimum {minimum})")
    ratio = collection_time / baseline_time
    print(
        f"(b) wall time: collection {collection_time:.2f}s vs minimal calls {baseline_time:.2f}s "
        f"at concurrency {args.concurrency} -> ratio {ratio:.2f} (target <= 1.5)"
    )


def _snake(name: str) -> str:
    service, operation = name.split(":")
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")
    return f"{service}:{snake}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=2000, help="running Fargate tasks to seed")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added per request")
    parser.add_argument("--concurrency", type=int, default=8, help="calls in flight at once")
    args = parser.parse_args()

    with rig.moto() as (_, url):
        started = time.perf_counter()
        seed(url, args.tasks)
        print(f"seeded {args.tasks} tasks in {time.perf_counter() - started:.1f}s")
        asyncio.run(run(url, args))


if __name__ == "__main__":
    main()
