"""stale-dhcp-options: tasks that started before their VPC's current DHCP option set."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from auditor.inventory import Inventory
from auditor.store.resources import Ec2Vpc, EcsTask
from checks.base import CheckMeta, ResourceType, Result, Severity, register
from checks.support import (
    CLOUDTRAIL_DHCP_ASSOCIATIONS,
    EC2_SUBNETS,
    EC2_VPCS,
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

CLOUDTRAIL_WINDOW = timedelta(days=90)

META = CheckMeta(
    id="stale-dhcp-options",
    title="Tasks use their VPC's current DHCP options",
    severity=Severity.MEDIUM,
    scope="Running Fargate tasks.",
    seed_quote=(
        "たとえば、使用する DHCP オプションセットを変更するために VPC が更新され、その変更を "
        "VPC を使用しているタスクに反映させる場合は、それらのタスクを停止して新しいタスクを"
        "開始する必要があります。"
    ),
    seed_english=(
        "If the VPC is updated to use a different DHCP option set and you want the change to "
        "apply to the tasks using the VPC, you must stop those tasks and start new ones."
    ),
    rationale=(
        "A Fargate task keeps the DNS servers and search domain of the option set its VPC had "
        "when it started; Fargate task definitions cannot override them. The time of the "
        "change comes from the CloudTrail AssociateDhcpOptions event (last 90 days) when it "
        "was collected, otherwise from scan history: when the VPC's option set differs from "
        "the previous complete scan, a task already running at that scan is stale and a task "
        "first seen now started after it. When neither source can tell (first scan without "
        "CloudTrail, or a task that predates every record), the result is UNKNOWN."
    ),
    remediation=(
        "Replace the stale tasks: force a new deployment of their service, or stop and start "
        "standalone tasks."
    ),
    console_steps=(
        "ECS console > Clusters > the cluster > Services > the service > Update service: "
        "check Force new deployment.",
    ),
    cli_steps=(
        "aws ecs update-service --cluster CLUSTER --service SERVICE --force-new-deployment",
        "aws ecs stop-task --cluster CLUSTER --task TASK_ARN  # standalone tasks, then run-task",
    ),
    needs=(ECS_TASKS, EC2_VPCS, EC2_SUBNETS),
    optional_needs=(CLOUDTRAIL_DHCP_ASSOCIATIONS,),
    limitations=(
        "CloudTrail LookupEvents keeps 90 days: older tasks are judged from scan history only.",
        "History compares with the previous complete scan; a task already running then, in a "
        "VPC whose set did not change since, stays UNKNOWN without a CloudTrail event.",
        "Without a CloudTrail event, a task first seen after a change passes when it started "
        "after the previous scan began (its start time is needed; else UNKNOWN); a change "
        "between that start and this scan is not visible.",
    ),
    resource_types=(ResourceType.ECS_TASK,),
    references=(
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html",
        "https://docs.aws.amazon.com/vpc/latest/userguide/DHCPOptionSet.html",
    ),
)

_FIX = "fix: force a new deployment of its service (or stop it and start a new task)"


def _from_cloudtrail(
    inventory: Inventory, task: EcsTask, vpc: Ec2Vpc, label: str
) -> Verdict | None:
    """A verdict from the AssociateDhcpOptions events, or None when they cannot decide."""
    started = task.started_at or task.created_at
    if inventory.missing(task.region, [CLOUDTRAIL_DHCP_ASSOCIATIONS]) or started is None:
        return None
    events = [e for e in inventory.dhcp_events_by_vpc.get(vpc.vpc_id, []) if not e.error_code]
    evidence: dict[str, object] = {
        "source": "cloudtrail",
        "vpc_id": vpc.vpc_id,
        "dhcp_options_id": vpc.dhcp_options_id,
        "task_started_at": started.isoformat(),
    }
    if not events:
        window_start = inventory.scan.started_at - CLOUDTRAIL_WINDOW
        if started < window_start:
            return None
        return passed(
            f"{sentence_start(label)} started at {started.isoformat()}, and CloudTrail shows no "
            f"DHCP option change for {vpc.vpc_id} in the last 90 days.",
            **evidence,
        )
    latest = events[-1]
    if latest.dhcp_options_id != vpc.dhcp_options_id:
        return None  # the trail and DescribeVpcs disagree: let history decide
    evidence["associated_at"] = latest.event_time.isoformat()
    evidence["event_id"] = latest.event_id
    return _compare(label, vpc, started, latest.event_time, evidence)


def _compare(
    label: str, vpc: Ec2Vpc, started: datetime, changed: datetime, evidence: dict[str, object]
) -> Verdict:
    if started < changed:
        return failed(
            f"{sentence_start(label)} started at {started.isoformat()}, before {vpc.vpc_id} was "
            f"switched to DHCP option set {vpc.dhcp_options_id} at {changed.isoformat()}, so it "
            f"still uses the old DNS settings; {_FIX}.",
            **evidence,
        )
    return passed(
        f"{sentence_start(label)} started after {vpc.vpc_id} was switched to DHCP option set "
        f"{vpc.dhcp_options_id} at {changed.isoformat()}.",
        **evidence,
    )


def _from_history(
    inventory: Inventory, task: EcsTask, vpc: Ec2Vpc, label: str, seen: frozenset[str]
) -> Verdict:
    previous = inventory.previous
    evidence: dict[str, object] = {
        "source": "scan-history",
        "vpc_id": vpc.vpc_id,
        "dhcp_options_id": vpc.dhcp_options_id,
    }
    if previous is None or previous.missing(task.region, (EC2_VPCS, ECS_TASKS)):
        return unknown(
            f"Cannot tell whether {label} uses the current DHCP options of {vpc.vpc_id}: no "
            "CloudTrail AssociateDhcpOptions event and no previous complete scan to compare "
            "with.",
            **evidence,
        )
    evidence["previous_scan"] = previous.scan.id
    evidence["previous_scan_started_at"] = previous.scan.started_at.isoformat()
    before = previous.vpc_by_id.get(vpc.vpc_id)
    if before is None:
        return unknown(
            f"Cannot tell whether {label} uses the current DHCP options of {vpc.vpc_id}: the "
            f"previous scan {previous.scan.id} did not see this VPC.",
            **evidence,
        )
    evidence["previous_dhcp_options_id"] = before.dhcp_options_id
    seen_before = task.task_arn in seen
    evidence["task_seen_in_previous_scan"] = seen_before
    changed = before.dhcp_options_id != vpc.dhcp_options_id
    since = previous.scan.started_at.isoformat()
    if changed and seen_before:
        return failed(
            f"{sentence_start(label)} was already running at the scan of {since}, and "
            f"{vpc.vpc_id} has since moved from DHCP option set {before.dhcp_options_id} to "
            f"{vpc.dhcp_options_id}, so it still uses the old DNS settings; {_FIX}.",
            **evidence,
        )
    if changed and not seen_before:
        return _new_task_after_change(label, task, vpc, before.dhcp_options_id, previous, evidence)
    if not seen_before:
        return passed(
            f"{sentence_start(label)} started after the scan of {since}; {vpc.vpc_id} uses "
            f"DHCP option set {vpc.dhcp_options_id}, unchanged.",
            **evidence,
        )
    return unknown(
        f"Cannot tell whether {label} uses the current DHCP options of {vpc.vpc_id}: the set "
        f"{vpc.dhcp_options_id} is unchanged since the scan of {since}, but the task was "
        "already running then and no CloudTrail event dates the association.",
        **evidence,
    )


def _new_task_after_change(
    label: str,
    task: EcsTask,
    vpc: Ec2Vpc,
    before_id: str | None,
    previous: Inventory,
    evidence: dict[str, object],
) -> Verdict:
    """The set changed since the previous scan and the task was not in it: only a start time
    after that scan began places the task after the old set was still seen."""
    since = previous.scan.started_at
    started = task.started_at or task.created_at
    what = (
        f"{vpc.vpc_id} moved from DHCP option set {before_id} to {vpc.dhcp_options_id} "
        f"after the scan of {since.isoformat()}"
    )
    if started is None:
        return unknown(
            f"Cannot tell whether {label} uses the current DHCP options: {what}, the task was "
            "not seen in that scan and its start time is not known.",
            **evidence,
        )
    evidence["task_started_at"] = started.isoformat()
    if started <= since:
        return unknown(
            f"Cannot tell whether {label} uses the current DHCP options: {what}, and the task "
            f"started at {started.isoformat()}, before that scan, yet was not seen in it.",
            **evidence,
        )
    return passed(
        f"{sentence_start(label)} started at {started.isoformat()}, after the scan of "
        f"{since.isoformat()}; {vpc.vpc_id} uses DHCP option set {vpc.dhcp_options_id} "
        f"(changed from {before_id}).",
        **evidence,
    )


def _judge(inventory: Inventory, task: EcsTask, seen: frozenset[str]) -> Verdict:
    label = task_label(task)
    vpc = inventory.vpc_of_subnet(task.subnet_id)
    if vpc is None:
        return unknown(
            f"Cannot evaluate {label}: the VPC of subnet {task.subnet_id} is not in the inventory.",
            subnet_id=task.subnet_id,
        )
    verdict = _from_cloudtrail(inventory, task, vpc, label)
    return verdict if verdict is not None else _from_history(inventory, task, vpc, label, seen)


@register(META)
def evaluate(inventory: Inventory) -> Iterator[Result]:
    previous = inventory.previous
    seen = frozenset(t.task_arn for t in previous.tasks) if previous is not None else frozenset()
    yield from judge_scope(
        META,
        inventory,
        scope_needs=(ECS_TASKS,),
        items=[(task_subject(t), t) for t in inventory.running_fargate_tasks()],
        judge=lambda task: _judge(inventory, task, seen),
    )
