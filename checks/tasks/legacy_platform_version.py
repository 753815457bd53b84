"""legacy-platform-version: Linux Fargate tasks and services on platform 1.3.0 or older."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.inventory import Inventory
from auditor.store.resources import EcsService, EcsTask
from checks.base import CheckMeta, ResourceType, Result, Severity, register
from checks.platform import Platform, service_platform, task_platform
from checks.support import (
    ECS_SERVICES,
    ECS_TASK_DEFINITIONS,
    ECS_TASKS,
    Subject,
    Verdict,
    active_fargate_services,
    failed,
    judge_scope,
    passed,
    sentence_start,
    service_label,
    service_subject,
    task_label,
    task_subject,
    unknown,
)

META = CheckMeta(
    id="legacy-platform-version",
    title="Tasks and services run Fargate platform 1.4.0",
    severity=Severity.MEDIUM,
    scope=(
        "Running Linux Fargate tasks (the version they actually run); Linux Fargate services "
        "(the version they request, LATEST resolving to 1.4.0)."
    ),
    seed_quote=(
        "Fargate プラットフォームバージョン 1.3.0 以前を使用するタスクの場合、タスクは、"
        "タスク ENI に加えて Fargate が所有する ENI も別に受け取ります。この ENI は、"
        "VPC フローログに表示されない一部のネットワークトラフィックに使用されます。"
    ),
    seed_english=(
        "Tasks on Fargate platform 1.3.0 or older receive, besides the task ENI, a separate "
        "Fargate-owned ENI that carries some network traffic which does not show in VPC flow "
        "logs."
    ),
    rationale=(
        "On Linux 1.3.0 and older, ECR authentication and secrets go through a Fargate-owned "
        "ENI that no security group or flow log covers, and the task has no EFS, IPv6 or "
        "jumbo frames. Platform 1.3.0 is being retired, and moving to 1.4.0 changes which "
        "endpoints a private subnet needs (ecr.api, secretsmanager, ssm). Windows has only "
        "1.0.0 and is out of scope."
    ),
    remediation=(
        "Update the service to platform version LATEST (1.4.0) after making sure the subnets "
        "reach ecr.api and any secretsmanager / ssm endpoint the tasks need."
    ),
    console_steps=(
        "ECS console > Clusters > the cluster > Services > the service > Update service: "
        "Platform version LATEST, Force new deployment.",
    ),
    cli_steps=(
        "aws ecs update-service --cluster CLUSTER --service SERVICE --platform-version LATEST "
        "--force-new-deployment",
    ),
    needs=(ECS_TASKS, ECS_SERVICES, ECS_TASK_DEFINITIONS),
    resource_types=(ResourceType.ECS_TASK, ResourceType.ECS_SERVICE),
    references=(
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-linux-fargate.html",
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-versions-retired.html",
    ),
)


def _verdict(label: str, platform: Platform, what: str) -> Verdict:
    evidence = {"platform": platform.evidence()}
    if platform.legacy is None:
        return unknown(
            f"Cannot tell whether {label} {what} a legacy platform: version "
            f"{platform.version!r} is not recognised.",
            **evidence,
        )
    if platform.legacy:
        return failed(
            f"{sentence_start(label)} {what} {platform.describe()}, which routes ECR "
            "authentication and secrets through a Fargate-owned ENI and lacks EFS, IPv6 and "
            "jumbo frames; fix: update it to platform version LATEST (1.4.0) with a new "
            "deployment once ecr.api (and secretsmanager/ssm) are reachable from its subnets.",
            **evidence,
        )
    return passed(f"{sentence_start(label)} {what} {platform.describe()}.", **evidence)


@register(META)
def evaluate(inventory: Inventory) -> Iterator[Result]:
    def judge(item: EcsTask | EcsService) -> Verdict:
        definition = inventory.task_definition_of(item.task_definition_arn)
        if isinstance(item, EcsTask):
            return _verdict(task_label(item), task_platform(item, definition), "runs")
        return _verdict(service_label(item), service_platform(item, definition), "requests")

    items: list[tuple[Subject, EcsTask | EcsService]] = []
    for task in inventory.running_fargate_tasks():
        if not task_platform(task, inventory.task_definition_of(task.task_definition_arn)).windows:
            items.append((task_subject(task), task))
    for service in active_fargate_services(inventory):
        definition = inventory.task_definition_of(service.task_definition_arn)
        if not service_platform(service, definition).windows:
            items.append((service_subject(service), service))
    yield from judge_scope(
        META, inventory, scope_needs=(ECS_TASKS, ECS_SERVICES), items=items, judge=judge
    )
