"""task-missing-ipv6: Linux tasks in dual-stack subnets that got no IPv6 address."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.inventory import Inventory
from auditor.store.resources import EcsTask
from checks.base import CheckMeta, ResourceType, Result, Severity, register
from checks.platform import task_platform
from checks.support import (
    EC2_NETWORK_INTERFACES,
    EC2_SUBNETS,
    ECS_ACCOUNT_SETTINGS,
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

DUALSTACK_SETTING = "dualStackIPv6"

META = CheckMeta(
    id="task-missing-ipv6",
    title="Tasks in dual-stack subnets have an IPv6 address",
    severity=Severity.LOW,
    scope="Running Linux Fargate tasks in subnets with an IPv6 CIDR.",
    seed_quote=(
        "IPv6 CIDR ブロックを備えたサブネットで起動したタスクは、Linux の場合はプラット"
        "フォームバージョン 1.4.0 以降、または Windows の場合は 1.0.0 を使用している場合のみ、"
        "IPv6 アドレスを受け取ります。"
    ),
    seed_english=(
        "Tasks launched in a subnet with an IPv6 CIDR block receive an IPv6 address only when "
        "they use platform version 1.4.0 or later on Linux, or 1.0.0 on Windows."
    ),
    rationale=(
        "A task gets IPv6 only when the VPC and subnet have IPv6 CIDRs, the subnet assigns "
        "IPv6 on creation, the task runs Linux platform 1.4.0, and the dualStackIPv6 account "
        "setting is enabled for the principal that launched it. A task without IPv6 in a "
        "dual-stack subnet cannot use IPv6-only destinations or egress-only internet gateways."
    ),
    remediation=(
        "Fix the condition the message names (platform version, subnet auto-assign, or the "
        "dualStackIPv6 account setting), then replace the task."
    ),
    console_steps=(
        "VPC console > Subnets > the subnet > Actions > Edit subnet settings: Enable "
        "auto-assign IPv6 address.",
        "ECS console > Account settings > Update: Dual-stack IPv6 on (per region).",
        "ECS console > the service > Update: Platform version LATEST, Force new deployment.",
    ),
    cli_steps=(
        "aws ec2 modify-subnet-attribute --subnet-id SUBNET_ID --assign-ipv6-address-on-creation",
        "aws ecs put-account-setting-default --name dualStackIPv6 --value enabled",
        "aws ecs update-service --cluster CLUSTER --service SERVICE --platform-version LATEST "
        "--force-new-deployment",
    ),
    needs=(ECS_TASKS, ECS_TASK_DEFINITIONS, EC2_SUBNETS, EC2_NETWORK_INTERFACES),
    optional_needs=(ECS_ACCOUNT_SETTINGS,),
    resource_types=(ResourceType.ECS_TASK,),
    references=(
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html",
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-account-settings.html",
    ),
)


def _why(inventory: Inventory, task: EcsTask) -> list[str]:
    causes = []
    platform = task_platform(task, inventory.task_definition_of(task.task_definition_arn))
    if platform.legacy:
        causes.append(f"it runs {platform.describe()}, which has no IPv6")
    subnet = inventory.subnet_by_id.get(task.subnet_id or "")
    if subnet is not None and not subnet.assign_ipv6_address_on_creation and not subnet.ipv6_native:
        causes.append(f"subnet {subnet.subnet_id} does not auto-assign IPv6 addresses")
    setting = inventory.settings_by_region.get(task.region, {}).get(DUALSTACK_SETTING)
    if setting is not None and setting.value.lower() in ("disabled", "off"):
        causes.append(f"the {DUALSTACK_SETTING} account setting is {setting.value}")
    elif setting is None:
        causes.append(
            f"the {DUALSTACK_SETTING} account setting was not returned, so it may be disabled "
            "for the principal that launched the task"
        )
    return causes


def _judge(inventory: Inventory, task: EcsTask) -> Verdict:
    label = task_label(task)
    eni = inventory.eni_for_task(task)
    subnet = inventory.subnet_by_id.get(task.subnet_id or "")
    evidence: dict[str, object] = {
        "subnet_id": task.subnet_id,
        "subnet_ipv6_cidrs": list(subnet.ipv6_cidr_blocks) if subnet else None,
        "eni_id": task.eni_id,
    }
    if eni is None:
        return unknown(
            f"Cannot tell whether {label} has IPv6: its ENI {task.eni_id} is not in the inventory.",
            **evidence,
        )
    evidence["eni_ipv6_addresses"] = list(eni.ipv6_addresses)
    if eni.ipv6_addresses:
        return passed(
            f"{sentence_start(label)} has IPv6 address {eni.ipv6_addresses[0]} in dual-stack "
            f"subnet {task.subnet_id}.",
            **evidence,
        )
    causes = _why(inventory, task) or [
        "no condition visible to the scan explains it (the dualStackIPv6 setting of the "
        "principal that launched it may differ from the one the scanner reads)"
    ]
    evidence["causes"] = causes
    return failed(
        f"{sentence_start(label)} has no IPv6 address in dual-stack subnet {task.subnet_id} "
        f"because {'; '.join(causes)}; fix: correct that and replace the task.",
        **evidence,
    )


@register(META)
def evaluate(inventory: Inventory) -> Iterator[Result]:
    in_scope = []
    for task in inventory.running_fargate_tasks():
        subnet = inventory.subnet_by_id.get(task.subnet_id or "")
        platform = task_platform(task, inventory.task_definition_of(task.task_definition_arn))
        if subnet is not None and subnet.ipv6_cidr_blocks and not platform.windows:
            in_scope.append((task_subject(task), task))
    yield from judge_scope(
        META,
        inventory,
        scope_needs=(ECS_TASKS, EC2_SUBNETS),
        items=in_scope,
        judge=lambda task: _judge(inventory, task),
    )
