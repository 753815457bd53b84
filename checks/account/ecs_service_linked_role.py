"""ecs-service-linked-role: accounts that use ECS have the AWSServiceRoleForECS role."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.inventory import Inventory
from auditor.store.resources import GLOBAL_REGION
from checks.base import CheckMeta, ResourceType, Result, Severity, register
from checks.support import (
    ECS_CLUSTERS,
    IAM_SERVICE_LINKED_ROLE,
    Subject,
    Verdict,
    failed,
    passed,
    to_result,
    unknown,
)

ROLE_NAME = "AWSServiceRoleForECS"

META = CheckMeta(
    id="ecs-service-linked-role",
    title="The ECS service-linked role exists",
    severity=Severity.MEDIUM,
    scope="Accounts that use ECS (at least one cluster in a scanned region).",
    seed_quote=(
        "Amazon ECS のサービスにリンクされたロールは、ユーザーの代わりにその他の AWS サービスを"
        "呼び出すアクセス許可 を Amazon ECS に付与します。"
    ),
    seed_english=(
        "The Amazon ECS service-linked role grants Amazon ECS permission to call other AWS "
        "services on your behalf; it can also be created with aws iam "
        "create-service-linked-role --aws-service-name ecs.amazonaws.com."
    ),
    rationale=(
        "ECS needs AWSServiceRoleForECS to create and attach the ENIs of awsvpc and Fargate "
        "tasks. It is created automatically with the first cluster or service in the console, "
        "but accounts built by infrastructure code, or where it was deleted, fail to start "
        "tasks."
    ),
    remediation="Create the service-linked role for ecs.amazonaws.com.",
    console_steps=(
        "IAM console > Roles > Create role > AWS service > Elastic Container Service > "
        "Elastic Container Service (service-linked role) > Create role.",
    ),
    cli_steps=("aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com",),
    needs=(ECS_CLUSTERS, IAM_SERVICE_LINKED_ROLE),
    resource_types=(ResourceType.ACCOUNT,),
    references=(
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using-service-linked-roles.html",
    ),
)


def _subject(inventory: Inventory) -> Subject:
    return Subject(
        resource_type=ResourceType.ACCOUNT,
        resource_id=inventory.account_id,
        name=f"account {inventory.account_id}",
        region=GLOBAL_REGION,
    )


def _judge(inventory: Inventory) -> Verdict | None:
    account = f"account {inventory.account_id}"
    regions_using = sorted({c.region for c in inventory.clusters})
    unlisted = [r for r in inventory.regions if inventory.missing(r, (ECS_CLUSTERS,))]
    if not regions_using:
        if not unlisted:
            return None  # no ECS anywhere we looked: out of scope
        return unknown(
            f"Cannot tell whether {account} uses ECS: clusters could not be listed in "
            f"{', '.join(unlisted)}.",
            unlisted_regions=unlisted,
        )
    if inventory.missing(GLOBAL_REGION, (IAM_SERVICE_LINKED_ROLE,)):
        gap = inventory.describe_missing(GLOBAL_REGION, (IAM_SERVICE_LINKED_ROLE,))
        return unknown(
            f"Cannot tell whether {account} has the {ROLE_NAME} role: missing {gap}; allow "
            f"iam:GetRole on it and scan again.",
            ecs_regions=regions_using,
        )
    role = inventory.role_by_name.get(ROLE_NAME)
    evidence: dict[str, object] = {"ecs_regions": regions_using, "role_name": ROLE_NAME}
    if role is None:
        return failed(
            f"{account.capitalize()} uses ECS in {', '.join(regions_using)} but has no "
            f"{ROLE_NAME} role, so ECS cannot manage task ENIs; fix: run aws iam "
            "create-service-linked-role --aws-service-name ecs.amazonaws.com.",
            **evidence,
        )
    evidence["role_arn"] = role.arn
    return passed(f"{account.capitalize()} has the {ROLE_NAME} role ({role.arn}).", **evidence)


@register(META)
def evaluate(inventory: Inventory) -> Iterator[Result]:
    verdict = _judge(inventory)
    if verdict is not None:
        yield to_result(META, inventory, _subject(inventory), verdict)
