"""fargate-load-balancer: Fargate services use ALB/NLB target groups of target type ip."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.inventory import Inventory
from auditor.store.resources import EcsService
from checks.base import CheckMeta, ResourceType, Result, Severity, register
from checks.support import (
    ECS_SERVICES,
    ELBV2_TARGET_GROUPS,
    Verdict,
    active_fargate_services,
    failed,
    judge_scope,
    passed,
    sentence_start,
    service_label,
    service_subject,
    unknown,
)

META = CheckMeta(
    id="fargate-load-balancer",
    title="Fargate services use ip target groups on ALB or NLB",
    severity=Severity.HIGH,
    scope="Fargate services with load balancers.",
    seed_quote=(
        "Fargate 起動タイプを使用するタスクのサービスは、Application Load Balancer と "
        "Network Load Balancer のみをサポートします。Classic Load Balancer はサポートされて"
        "いません。また、ターゲットグループを作成する場合は、ターゲットタイプとして instance "
        "ではなく、ip を選択する必要があります。"
    ),
    seed_english=(
        "Services whose tasks use the Fargate launch type support only Application Load "
        "Balancers and Network Load Balancers; Classic Load Balancers are not supported. When "
        "you create a target group you must choose ip, not instance, as the target type."
    ),
    rationale=(
        "Fargate tasks have no instance to register: a Classic Load Balancer or an instance "
        "target group leaves the service without healthy targets and deployments fail."
    ),
    remediation=(
        "Create an ip target group on an ALB or NLB and update the service's load balancer "
        "configuration to it."
    ),
    console_steps=(
        "EC2 console > Target groups > Create target group: Target type IP addresses, the "
        "service's VPC; add it to an ALB/NLB listener.",
        "ECS console > the service > Update service > Load balancing: use the new target group.",
    ),
    cli_steps=(
        "aws elbv2 create-target-group --name NAME --protocol HTTP --port 80 --vpc-id VPC_ID "
        "--target-type ip",
        "aws ecs update-service --cluster CLUSTER --service SERVICE --load-balancers "
        "targetGroupArn=TG_ARN,containerName=CONTAINER,containerPort=PORT",
    ),
    needs=(ECS_SERVICES, ELBV2_TARGET_GROUPS),
    resource_types=(ResourceType.ECS_SERVICE,),
    references=(
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-load-balancing.html",
    ),
)


def _judge(inventory: Inventory, service: EcsService) -> Verdict:
    label = service_label(service)
    problems: list[str] = []
    missing: list[str] = []
    seen: list[dict[str, object]] = []
    for entry in service.load_balancers:
        if entry.get("loadBalancerName"):
            problems.append(f"Classic Load Balancer {entry['loadBalancerName']} is attached")
            seen.append({"classic_load_balancer": entry["loadBalancerName"]})
            continue
        arn = entry.get("targetGroupArn")
        if not arn:
            continue
        group = inventory.target_group_by_arn.get(str(arn))
        if group is None:
            missing.append(str(arn))
            seen.append({"target_group_arn": arn, "found": False})
            continue
        seen.append(
            {
                "target_group_arn": arn,
                "name": group.target_group_name,
                "target_type": group.target_type,
            }
        )
        if (group.target_type or "").lower() != "ip":
            problems.append(
                f"target group {group.target_group_name or arn} has target type {group.target_type}"
            )
    evidence: dict[str, object] = {"load_balancers": seen}
    if problems:
        return failed(
            f"{sentence_start(label)}: {'; '.join(problems)}, which Fargate does not support; "
            "fix: attach an ip target group of an ALB or NLB instead.",
            **evidence,
        )
    if missing:
        return unknown(
            f"Cannot evaluate {label}: target group(s) {', '.join(missing)} are not in the "
            "inventory.",
            **evidence,
        )
    return passed(f"{sentence_start(label)} uses only ip target groups.", **evidence)


@register(META)
def evaluate(inventory: Inventory) -> Iterator[Result]:
    yield from judge_scope(
        META,
        inventory,
        scope_needs=(ECS_SERVICES,),
        items=[
            (service_subject(s), s) for s in active_fargate_services(inventory) if s.load_balancers
        ],
        judge=lambda service: _judge(inventory, service),
    )
