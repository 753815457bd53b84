"""dualstack-ipv6-disabled: the dualStackIPv6 account setting where tasks use IPv6 subnets.

A setting ECS did not return has no row. AWS's default is ``enabled`` unless the account ran
awsvpc tasks in IPv6 subnets in autumn 2020, so absence proves nothing: the check then judges
from the tasks themselves (an eligible task with an IPv6 address shows the setting is enabled
for the principal that launched it) and is UNKNOWN otherwise. It never invents a value.
"""

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
    ECS_SERVICES,
    ECS_TASK_DEFINITIONS,
    ECS_TASKS,
    Verdict,
    active_fargate_services,
    failed,
    judge_scope,
    passed,
    region_subject,
    unknown,
)

SETTING = "dualStackIPv6"
_ENABLED = ("enabled", "on")
_DISABLED = ("disabled", "off")

META = CheckMeta(
    id="dualstack-ipv6-disabled",
    title="The dualStackIPv6 account setting is enabled where tasks use IPv6 subnets",
    severity=Severity.MEDIUM,
    scope="Account-regions where Fargate tasks or services use a subnet with an IPv6 CIDR.",
    seed_quote="dualStackIPv6 アカウント設定が有効になります。",
    seed_english=(
        "(A Fargate task gets an IPv6 address when, among other conditions,) the dualStackIPv6 "
        "account setting is enabled."
    ),
    rationale=(
        "Without dualStackIPv6 enabled, tasks in dual-stack subnets get no IPv6 address. The "
        "setting is per region and per principal; the scanner reads its own effective value. "
        "When ECS does not return the setting at all, the check looks at the tasks: a task on "
        "Linux 1.4.0 in a subnet that auto-assigns IPv6 and has an IPv6 address proves it is "
        "enabled (PASS); otherwise the result is UNKNOWN and names what was seen."
    ),
    remediation="Enable dualStackIPv6 as the account default in the region, then replace tasks.",
    console_steps=(
        "ECS console > Account settings (in the region) > Update: turn on Dual-stack IPv6.",
    ),
    cli_steps=(
        "aws ecs put-account-setting-default --name dualStackIPv6 --value enabled --region REGION",
    ),
    needs=(
        ECS_TASKS,
        ECS_SERVICES,
        ECS_TASK_DEFINITIONS,
        EC2_SUBNETS,
        EC2_NETWORK_INTERFACES,
        ECS_ACCOUNT_SETTINGS,
    ),
    resource_types=(ResourceType.ACCOUNT_REGION,),
    references=(
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-account-settings.html",
    ),
)


def _dual_stack(inventory: Inventory, subnet_id: str | None) -> bool:
    subnet = inventory.subnet_by_id.get(subnet_id or "")
    return subnet is not None and bool(subnet.ipv6_cidr_blocks)


def _eligible(inventory: Inventory, task: EcsTask) -> bool:
    """Tasks that get IPv6 whenever the setting is enabled (all other conditions hold)."""
    subnet = inventory.subnet_by_id.get(task.subnet_id or "")
    platform = task_platform(task, inventory.task_definition_of(task.task_definition_arn))
    return (
        subnet is not None
        and bool(subnet.ipv6_cidr_blocks)
        and (subnet.assign_ipv6_address_on_creation or subnet.ipv6_native)
        and not platform.windows
        and platform.legacy is False
    )


def _judge(inventory: Inventory, region: str) -> Verdict:
    where = f"account {inventory.account_id} {region}"
    setting = inventory.settings_by_region.get(region, {}).get(SETTING)
    tasks = [
        t
        for t in inventory.running_fargate_tasks()
        if t.region == region and _eligible(inventory, t)
    ]
    with_ipv6 = [
        t.task_arn for t in tasks if (eni := inventory.eni_for_task(t)) and eni.ipv6_addresses
    ]
    without = [
        t.task_arn
        for t in tasks
        if (eni := inventory.eni_for_task(t)) is not None and not eni.ipv6_addresses
    ]
    evidence: dict[str, object] = {
        "setting": None
        if setting is None
        else {"value": setting.value, "principal_arn": setting.principal_arn},
        "eligible_tasks_with_ipv6": with_ipv6,
        "eligible_tasks_without_ipv6": without,
    }
    if setting is not None:
        value = setting.value.lower()
        if value in _DISABLED:
            return failed(
                f"The {SETTING} ECS account setting is {setting.value} in {where}, where Fargate "
                f"workloads use dual-stack subnets, so new tasks get no IPv6 address; fix: run "
                f"aws ecs put-account-setting-default --name {SETTING} --value enabled "
                f"--region {region} and replace the tasks.",
                **evidence,
            )
        if value in _ENABLED:
            return passed(
                f"The {SETTING} ECS account setting is {setting.value} in {where}.", **evidence
            )
        return unknown(
            f"The {SETTING} ECS account setting has the unrecognised value {setting.value!r} in "
            f"{where}.",
            **evidence,
        )
    if with_ipv6:
        return passed(
            f"ECS did not return the {SETTING} setting in {where}, but {len(with_ipv6)} task(s) "
            "in dual-stack subnets have IPv6 addresses, so it is enabled for the principal "
            "that launched them.",
            **evidence,
        )
    seen = (
        f"{len(without)} eligible task(s) lack IPv6, which suggests it is disabled for the "
        "principal that launched them"
        if without
        else "no running task shows whether it is enabled"
    )
    return unknown(
        f"ECS did not return the {SETTING} setting in {where} and {seen}; check it with aws "
        f"ecs list-account-settings --name {SETTING} --effective-settings --region {region}.",
        **evidence,
    )


@register(META)
def evaluate(inventory: Inventory) -> Iterator[Result]:
    regions: set[str] = set()
    for task in inventory.running_fargate_tasks():
        if _dual_stack(inventory, task.subnet_id):
            regions.add(task.region)
    for service in active_fargate_services(inventory):
        if any(_dual_stack(inventory, s) for s in service.subnet_ids):
            regions.add(service.region)
    yield from judge_scope(
        META,
        inventory,
        scope_needs=(ECS_TASKS, ECS_SERVICES, EC2_SUBNETS),
        items=[(region_subject(inventory, r), r) for r in sorted(regions)],
        judge=lambda region: _judge(inventory, region),
    )
