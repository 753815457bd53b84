"""vpc-flow-logs: VPCs hosting Fargate tasks have an active flow log over the tasks."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.inventory import Inventory
from auditor.store.resources import Ec2FlowLog
from checks.base import CheckMeta, ResourceType, Result, Severity, register
from checks.support import (
    EC2_FLOW_LOGS,
    EC2_SUBNETS,
    EC2_VPCS,
    ECS_TASKS,
    Verdict,
    failed,
    judge_scope,
    passed,
    unknown,
    vpc_label,
)
from checks.vpc.hosting import HostingVpc, hosting_vpcs

META = CheckMeta(
    id="vpc-flow-logs",
    title="Flow logs cover the VPCs that host Fargate tasks",
    severity=Severity.MEDIUM,
    scope="VPCs that host running Fargate tasks.",
    seed_quote=(
        "各タスクにはそれぞれ独自の ENI が提供されるため、VPC フローログなどのネットワーキング"
        "機能を活用して、タスクとの間で送受信されるトラフィックをモニタリングできるようになります。"
    ),
    seed_english=(
        "Because each task gets its own ENI, you can use networking features such as VPC Flow "
        "Logs to monitor the traffic to and from the task."
    ),
    rationale=(
        "Task ENIs come and go with the tasks, so only a flow log on the VPC, or on every "
        "subnet that hosts tasks, records their traffic. A flow log counts when its status is "
        "ACTIVE and its delivery has not failed."
    ),
    remediation="Create a flow log for the VPC (traffic type ALL).",
    console_steps=(
        "VPC console > Your VPCs > the VPC > Flow logs > Create flow log: Filter All, a "
        "CloudWatch Logs group or S3 bucket destination.",
    ),
    cli_steps=(
        "aws ec2 create-flow-logs --resource-type VPC --resource-ids VPC_ID --traffic-type ALL "
        "--log-destination-type s3 --log-destination arn:aws:s3:::BUCKET",
    ),
    needs=(ECS_TASKS, EC2_SUBNETS, EC2_VPCS, EC2_FLOW_LOGS),
    resource_types=(ResourceType.VPC,),
    references=("https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html",),
)


def _active(flow_log: Ec2FlowLog) -> bool:
    return (flow_log.flow_log_status or "").upper() == "ACTIVE" and (
        flow_log.deliver_logs_status or ""
    ).upper() != "FAILED"


def _describe(flow_log: Ec2FlowLog) -> dict[str, object]:
    return {
        "flow_log_id": flow_log.flow_log_id,
        "resource_id": flow_log.resource_id,
        "status": flow_log.flow_log_status,
        "delivery": flow_log.deliver_logs_status,
        "traffic_type": flow_log.traffic_type,
        "active": _active(flow_log),
    }


def _judge(inventory: Inventory, vpc: HostingVpc) -> Verdict:
    label = vpc_label(vpc.vpc_id, inventory.vpc_by_id.get(vpc.vpc_id))
    logs = inventory.flow_logs_by_resource
    on_vpc = logs.get(vpc.vpc_id, [])
    on_subnets = {s: logs.get(s, []) for s in sorted(vpc.subnet_ids)}
    evidence: dict[str, object] = {
        "vpc_flow_logs": [_describe(f) for f in on_vpc],
        "task_subnets": {s: [_describe(f) for f in fl] for s, fl in on_subnets.items()},
        "running_tasks": vpc.task_count,
    }
    active = [f.flow_log_id for f in on_vpc if _active(f)]
    if active:
        return passed(f"{label} has active flow log {', '.join(active)}.", **evidence)
    uncovered = [s for s, fl in on_subnets.items() if not any(_active(f) for f in fl)]
    if not uncovered:
        return passed(
            f"{label} has no VPC flow log, but every subnet hosting tasks has an active one.",
            **evidence,
        )
    hint = inventory.scan_hint(vpc.vpc_id)
    if hint is not None:
        # A shared VPC: its flow logs are its owner's, and the owner was not scanned.
        return unknown(
            f"Cannot tell whether a flow log covers {label}: it belongs to another account "
            f"whose flow logs were not collected; {hint}.",
            **evidence,
        )
    inactive = f" ({len(on_vpc)} inactive or failing)" if on_vpc else ""
    return failed(
        f"{label} hosts {vpc.task_count} running Fargate task(s) but no active flow log covers "
        f"it{inactive} or subnet(s) {', '.join(uncovered)}; fix: create a VPC flow log with aws "
        f"ec2 create-flow-logs --resource-type VPC --resource-ids {vpc.vpc_id} --traffic-type ALL.",
        **evidence,
    )


@register(META)
def evaluate(inventory: Inventory) -> Iterator[Result]:
    yield from judge_scope(
        META,
        inventory,
        scope_needs=(ECS_TASKS, EC2_SUBNETS),
        items=hosting_vpcs(inventory),
        judge=lambda vpc: _judge(inventory, vpc),
    )
