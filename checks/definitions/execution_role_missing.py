"""execution-role-missing: definitions that need a task execution role and have none."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.inventory import Inventory
from auditor.store.resources import EcsTaskDefinition
from checks.base import CheckMeta, ResourceType, Result, Severity, register
from checks.reachability.destinations import RegistryKind, images_of, secrets_of
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
    task_definition_label,
    task_definition_subject,
    unknown,
    uses_awslogs,
)

META = CheckMeta(
    id="execution-role-missing",
    title="Task definitions that need an execution role have one",
    severity=Severity.HIGH,
    scope="Task definitions of running Fargate tasks and Fargate services.",
    seed_quote="Amazon ECR ログイン認証情報の取得 / タスク実行IAM ロール",
    seed_english=(
        "Retrieving Amazon ECR login credentials (and pulling images, sending logs through the "
        "log driver, retrieving secrets) uses the task execution IAM role (traffic table of "
        "the seed page)."
    ),
    rationale=(
        "On Fargate the execution role is what authenticates to private ECR, writes awslogs "
        "and reads secrets and registry credentials. A definition that needs any of these and "
        "has no executionRoleArn cannot start its tasks, whatever the network allows."
    ),
    remediation=(
        "Register a new revision with an executionRoleArn whose role has "
        "AmazonECSTaskExecutionRolePolicy (plus secretsmanager:GetSecretValue / "
        "ssm:GetParameters for secrets), and update the service to it."
    ),
    console_steps=(
        "ECS console > Task definitions > the family > Create new revision: Task execution "
        "role = ecsTaskExecutionRole; then update the service to the new revision.",
    ),
    cli_steps=(
        "aws ecs register-task-definition --cli-input-json file://taskdef.json  "
        '# with "executionRoleArn": "arn:aws:iam::ACCOUNT:role/ecsTaskExecutionRole"',
        "aws ecs update-service --cluster CLUSTER --service SERVICE --task-definition "
        "FAMILY:REVISION",
    ),
    needs=(ECS_TASKS, ECS_SERVICES, ECS_TASK_DEFINITIONS),
    resource_types=(ResourceType.ECS_TASK_DEFINITION,),
    references=(
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html",
    ),
)


def needs_for(definition: EcsTaskDefinition) -> list[str]:
    """What in the definition requires an execution role."""
    reasons = []
    ecr = sorted({i.image for i in images_of(definition) if i.kind is RegistryKind.ECR_PRIVATE})
    if ecr:
        reasons.append(f"pulls from private ECR ({', '.join(ecr)})")
    if uses_awslogs(definition):
        reasons.append("uses the awslogs log driver")
    secrets = secrets_of(definition)
    if any(s.purpose != "registry credentials" for s in secrets):
        reasons.append("references secrets")
    if any(s.purpose == "registry credentials" for s in secrets):
        reasons.append("uses repositoryCredentials")
    return reasons


def _judge(inventory: Inventory, arn: str) -> Verdict:
    label = f"task definition {task_definition_label(arn)}"
    definition = inventory.task_definition_of(arn)
    if definition is None:
        return unknown(f"Cannot evaluate {label}: it is not in the inventory.")
    reasons = needs_for(definition)
    evidence: dict[str, object] = {
        "execution_role_arn": definition.execution_role_arn,
        "requires_execution_role_because": reasons,
    }
    if definition.execution_role_arn:
        return passed(
            f"{sentence_start(label)} has execution role {definition.execution_role_arn}.",
            **evidence,
        )
    if not reasons:
        return passed(
            f"{sentence_start(label)} has no execution role and needs none (no private ECR "
            "image, awslogs, secrets or repository credentials).",
            **evidence,
        )
    return failed(
        f"{sentence_start(label)} {' and '.join(reasons)} but has no executionRoleArn, so its "
        "tasks cannot start; fix: register a revision with an execution role that has "
        "AmazonECSTaskExecutionRolePolicy and deploy it.",
        **evidence,
    )


@register(META)
def evaluate(inventory: Inventory) -> Iterator[Result]:
    arns: dict[tuple[str, str], None] = {}
    for task in inventory.running_fargate_tasks():
        arns[(task.region, task.task_definition_arn)] = None
    for service in active_fargate_services(inventory):
        if service.task_definition_arn:
            arns[(service.region, service.task_definition_arn)] = None
    items: list[tuple[Subject, str]] = [
        (task_definition_subject(arn, region), arn) for region, arn in sorted(arns)
    ]
    yield from judge_scope(
        META,
        inventory,
        scope_needs=(ECS_TASKS, ECS_SERVICES),
        items=items,
        judge=lambda arn: _judge(inventory, arn),
    )
