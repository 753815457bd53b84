"""recent-pull-failures: stopped Fargate tasks that failed to pull or initialise."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.inventory import Inventory
from auditor.store.resources import EcsTask
from checks.base import CheckMeta, ResourceType, Result, Severity, register
from checks.support import (
    ECS_TASKS,
    Verdict,
    failed,
    judge_scope,
    passed,
    sentence_start,
    task_label,
    task_subject,
)

SIGNATURES = ("CannotPullContainerError", "ResourceInitializationError")

META = CheckMeta(
    id="recent-pull-failures",
    title="Stopped tasks did not fail to pull their image or initialise",
    severity=Severity.HIGH,
    scope="Stopped Fargate tasks still listed by ECS (about one hour after they stop).",
    seed_quote=(
        "Fargate のタスクがコンテナイメージをプルできるようにするには、"
        "タスクにインターネットへのルートが必要です。"
    ),
    seed_english=(
        "For a Fargate task to pull its container image, the task needs a route to the internet."
    ),
    rationale=(
        "A task that stopped with CannotPullContainerError (the image could not be pulled) or "
        "ResourceInitializationError (secrets, registry auth or log setup failed, platform "
        "1.4.0 and later) is the visible symptom of a broken path. ECS keeps stopped tasks "
        "for at least an hour, so each scan sees the recent ones; the evidence quotes the "
        "reason so the network cause can be told from an IAM one."
    ),
    remediation=(
        "Read the quoted reason: a timeout or 'context canceled' points to the network path "
        "(see image-pull-path and secrets-path), AccessDenied to the task execution role."
    ),
    console_steps=(
        "ECS console > Clusters > the cluster > Tasks > filter Stopped > the task: read "
        "'Stopped reason' and each container's reason.",
    ),
    cli_steps=(
        "aws ecs describe-tasks --cluster CLUSTER --tasks TASK_ARN "
        "--query 'tasks[].{reason:stoppedReason,containers:containers[].reason}'",
    ),
    needs=(ECS_TASKS,),
    resource_types=(ResourceType.ECS_TASK,),
    references=(
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html",
    ),
)


def reasons_of(task: EcsTask) -> list[dict[str, str]]:
    """The task's stopped reason and each container's reason, as ECS reported them."""
    found = []
    if task.stopped_reason:
        found.append({"source": "task", "reason": task.stopped_reason})
    for container in task.raw.get("containers") or []:
        if isinstance(container, dict) and container.get("reason"):
            found.append(
                {"source": f"container {container.get('name')}", "reason": str(container["reason"])}
            )
    return found


def _judge(task: EcsTask) -> Verdict:
    label = task_label(task)
    reasons = reasons_of(task)
    hits = [r for r in reasons if any(s in r["reason"] for s in SIGNATURES)]
    evidence = {"stop_code": task.stop_code, "reasons": reasons, "matched": hits}
    if hits:
        first = hits[0]
        quoted = first["reason"] if len(first["reason"]) <= 300 else first["reason"][:297] + "..."
        return failed(
            f'{sentence_start(label)} stopped with "{quoted}" ({first["source"]}); fix: '
            "restore the network path or execution-role permission the reason names, then "
            "start the task again.",
            **evidence,
        )
    return passed(
        f"{sentence_start(label)} stopped without a pull or initialisation error.", **evidence
    )


@register(META)
def evaluate(inventory: Inventory) -> Iterator[Result]:
    yield from judge_scope(
        META,
        inventory,
        scope_needs=(ECS_TASKS,),
        items=[(task_subject(t), t) for t in inventory.stopped_fargate_tasks()],
        judge=_judge,
    )
