"""non-jumbo-path: tasks that cannot use jumbo frames on their private routes."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.inventory import Inventory
from auditor.store.resources import EcsTask
from checks.base import CheckMeta, ResourceType, Result, Severity, register
from checks.platform import Platform, task_platform
from checks.reachability import NetworkView
from checks.reachability.internet import route_table_hop
from checks.reachability.mtu import JUMBO, RouteMtu, private_route_mtus
from checks.support import (
    EC2_PREFIX_LISTS,
    EC2_ROUTE_TABLES,
    EC2_SUBNETS,
    EC2_VPC_PEERING_CONNECTIONS,
    ECS_TASK_DEFINITIONS,
    ECS_TASKS,
    Verdict,
    failed,
    judge_scope,
    passed,
    sentence_start,
    task_label,
    task_subject,
    unknown,
)

META = CheckMeta(
    id="non-jumbo-path",
    title="Private traffic of tasks can use jumbo frames",
    severity=Severity.LOW,
    scope="Running Fargate tasks.",
    seed_quote=(
        "Linux の場合はプラットフォームバージョン 1.4.0 以降、または Windows の場合は 1.0.0 を"
        "使用するタスクの場合に、タスク ENI はジャンボフレームをサポートします。"
    ),
    seed_english=(
        "Task ENIs support jumbo frames for tasks on platform version 1.4.0 or later (Linux) "
        "or 1.0.0 (Windows); jumbo frames cut overhead when the whole path to the destination "
        "supports them, such as traffic that stays in the VPC."
    ),
    rationale=(
        "Jumbo frames (MTU 9001) need platform 1.4.0 on Linux and every hop of the path to "
        "support them. The check lists each active route of the task subnet's effective route "
        "table to private address space (RFC 1918, 100.64.0.0/10, fc00::/7) with its MTU: "
        "transit gateways and Cloud WAN carry 8500, Gateway Load Balancer endpoints 8500, "
        "virtual private gateways 1500. Internet-bound routes are 1500 by design and are not "
        "flagged; appliances and NAT gateways have no documented MTU and are listed only."
    ),
    remediation=(
        "Run the task on Linux platform 1.4.0 (LATEST), and expect path MTU discovery to lower "
        "the packet size on routes through the listed hops (allow ICMP type 3 code 4)."
    ),
    console_steps=(
        "ECS console > Clusters > the cluster > Services > the service > Update: Platform "
        "version LATEST, Force new deployment.",
        "EC2 console > Security groups > the task's group > Inbound rules: allow ICMP "
        "'Destination Unreachable: fragmentation required' from the private ranges.",
    ),
    cli_steps=(
        "aws ecs update-service --cluster CLUSTER --service SERVICE --platform-version LATEST "
        "--force-new-deployment",
        "aws ec2 authorize-security-group-ingress --group-id SG_ID --ip-permissions "
        "'IpProtocol=icmp,FromPort=3,ToPort=4,IpRanges=[{CidrIp=10.0.0.0/8}]'",
    ),
    needs=(ECS_TASKS, ECS_TASK_DEFINITIONS, EC2_SUBNETS, EC2_ROUTE_TABLES, EC2_PREFIX_LISTS),
    optional_needs=(EC2_VPC_PEERING_CONNECTIONS,),
    limitations=(
        "Peering within a region keeps 9001; between regions the sources disagree (8500 on "
        "the current EC2 MTU page, 1500 in the peering guide) and 1500 is reported. A peering "
        "connection that was not collected is listed without a verdict.",
        "Appliances (ENI or instance targets) and NAT gateways have no documented MTU and are "
        "listed without a verdict.",
    ),
    resource_types=(ResourceType.ECS_TASK,),
    references=(
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/network_mtu.html",
        "https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-quotas.html",
    ),
)


def _judge(net: NetworkView, inventory: Inventory, task: EcsTask) -> Verdict:
    label = task_label(task)
    platform = task_platform(task, inventory.task_definition_of(task.task_definition_arn))
    evidence: dict[str, object] = {"platform": platform.evidence(), "subnet_id": task.subnet_id}
    if task.subnet_id is None:
        return unknown(f"Cannot evaluate {label}: the task reports no subnet.", **evidence)
    table, hop = route_table_hop(net, task.subnet_id)
    evidence["route_table"] = hop.as_evidence()
    if table is None:
        if platform.legacy:
            return _legacy(label, platform, evidence)
        return unknown(f"Cannot evaluate the routes of {label}: {hop.detail}.", **evidence)
    routes, unresolved = private_route_mtus(
        table.routes, net.prefix_list_cidrs, net.peering_regions
    )
    evidence["private_routes"] = [r.as_evidence() for r in routes]
    if unresolved:
        evidence["unresolved_prefix_list_routes"] = [r.as_evidence() for r in unresolved]
    return _verdict(
        label,
        platform=platform,
        table_id=table.route_table_id,
        routes=routes,
        unresolved=unresolved,
        evidence=evidence,
    )


def _legacy(label: str, platform: Platform, evidence: dict[str, object]) -> Verdict:
    return failed(
        f"{sentence_start(label)} runs {platform.describe()}, which has no jumbo frames; "
        "fix: redeploy it on platform 1.4.0 (LATEST).",
        **evidence,
    )


def _verdict(
    label: str,
    *,
    platform: Platform,
    table_id: str,
    routes: list[RouteMtu],
    unresolved: list[RouteMtu],
    evidence: dict[str, object],
) -> Verdict:
    small = [r for r in routes if r.below_jumbo]
    if platform.legacy:
        return _legacy(label, platform, evidence)
    if small:
        listed = ", ".join(f"{r.destination} via {r.target} (MTU {r.mtu})" for r in small)
        return failed(
            f"{sentence_start(label)} sends private traffic through hops below MTU {JUMBO} "
            f"from {table_id}: {listed}; fix: expect 8500/1500-byte packets on "
            "these routes and allow ICMP fragmentation-needed so path MTU discovery works.",
            **evidence,
        )
    if platform.legacy is None:
        return unknown(
            f"Cannot tell whether {label} supports jumbo frames: platform version "
            f"{platform.version!r} is not recognised.",
            **evidence,
        )
    doubtful = [r for r in unresolved if r.below_jumbo]
    if doubtful:
        listed = ", ".join(f"{r.destination} via {r.target}" for r in doubtful)
        return unknown(
            f"Cannot tell whether {label} keeps jumbo frames: the entries of the prefix lists "
            f"routed through small-MTU hops ({listed}) were not collected.",
            **evidence,
        )
    return passed(
        f"{sentence_start(label)} runs {platform.describe()} and its private routes in "
        f"{table_id} stay at MTU {JUMBO}.",
        **evidence,
    )


@register(META)
def evaluate(inventory: Inventory) -> Iterator[Result]:
    net = NetworkView(inventory)
    yield from judge_scope(
        META,
        inventory,
        scope_needs=(ECS_TASKS,),
        items=[(task_subject(t), t) for t in inventory.running_fargate_tasks()],
        judge=lambda task: _judge(net, inventory, task),
    )
