"""firelens-delivery: FireLens tasks have a task role and a path to every output's destination."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from auditor.inventory import Inventory
from auditor.store.resources import EcsTaskDefinition
from checks.base import CheckMeta, ResourceType, Result, Severity, register
from checks.paths.common import (
    Leg,
    SourceLegs,
    evaluate_task_paths,
    evidence_of,
    root_cause_of,
    verdict_for,
)
from checks.platform import Platform
from checks.reachability import Hop, NetworkView, Path, Reachability, Source
from checks.reachability.firelens import (
    custom_config_file,
    firelens_outputs,
    output_reach,
    uses_firelens,
)
from checks.support import (
    ECS_TASK_DEFINITIONS,
    ECS_TASKS,
    NETWORK_NEEDS,
    NETWORK_OPTIONAL_NEEDS,
    Verdict,
    failed,
    sentence_start,
)

META = CheckMeta(
    id="firelens-delivery",
    title="FireLens tasks have a task role and can reach their log destinations",
    severity=Severity.MEDIUM,
    scope="Running Fargate tasks whose containers use the awsfirelens log driver.",
    seed_quote=(
        "FireLens for Amazon ECS を介したログの送信 / タスク ENI / タスク ENI / タスク ENI / "
        "タスク IAM ロール"
    ),
    seed_english=(
        "Sending logs through FireLens for Amazon ECS: over the task ENI on Linux platform "
        "1.3.0 and older, on Linux 1.4.0 and on Windows 1.0.0; IAM permissions: the task IAM "
        "role, not the task execution role (traffic table of the seed page)."
    ),
    rationale=(
        "With the awsfirelens driver a Fluent Bit (or Fluentd) log router in the task sends "
        "the logs itself, from the task ENI and with the credentials of the task IAM role: "
        "the execution role that awslogs uses does not apply. Without a task role the router "
        "cannot sign its requests, and without a path to the output's service (an internet "
        "path or the service's interface endpoint, or the S3 gateway endpoint for S3) the logs "
        "are buffered and then dropped."
    ),
    remediation=(
        "Give the task definition a task role allowed to write to the destination, and give "
        "the subnet an internet path or the destination's interface endpoint (logs, "
        "kinesis-firehose, kinesis-streams, s3) with private DNS."
    ),
    console_steps=(
        "ECS console > Task definitions > Create new revision > Task role: choose a role "
        "allowed to write to the log destination (for example logs:PutLogEvents, "
        "firehose:PutRecordBatch).",
        "VPC console > Endpoints > Create endpoint: com.amazonaws.REGION.logs (or "
        "kinesis-firehose, kinesis-streams, s3), the task's VPC and subnets, Enable DNS name "
        "checked, a security group allowing TCP 443 from the task's group.",
    ),
    cli_steps=(
        "aws ecs register-task-definition --cli-input-json file://taskdef.json  "
        '# with "taskRoleArn": "arn:aws:iam::ACCOUNT:role/ROLE"',
        "aws ec2 create-vpc-endpoint --vpc-id VPC_ID --vpc-endpoint-type Interface "
        "--service-name com.amazonaws.REGION.logs --subnet-ids SUBNET_IDS "
        "--security-group-ids SG_ID --private-dns-enabled",
    ),
    needs=(ECS_TASKS, ECS_TASK_DEFINITIONS, *NETWORK_NEEDS),
    optional_needs=NETWORK_OPTIONAL_NEEDS,
    limitations=(
        "Network ACLs are not evaluated.",
        "Modelled outputs: cloudwatch_logs / cloudwatch, kinesis_firehose / firehose, "
        "kinesis_streams / kinesis, s3, and es / opensearch to a public domain. Other outputs, "
        "a custom endpoint option, OpenSearch VPC domains and custom configuration files "
        "(config-file-type) give UNKNOWN.",
        "The task role's permissions are not read: only that the definition has one.",
        "An output with role_arn also needs STS: only the internet path is recognised for it.",
        "A default route to a transit gateway, peering connection, appliance or virtual "
        "private gateway (central egress) gives UNKNOWN: the path beyond it is not followed.",
    ),
    resource_types=(ResourceType.ECS_TASK,),
    references=(
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_firelens.html",
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html",
        "https://docs.fluentbit.io/manual/pipeline/outputs/cloudwatch",
    ),
)

_FIX = (
    "route 0.0.0.0/0 to an available public NAT gateway (or an attached internet gateway with "
    "a public IP on the task), or create the destination's interface endpoint with private DNS "
    "that accepts TCP 443 from the task"
)


def _role_leg(definition: EcsTaskDefinition) -> Leg:
    role = definition.task_role_arn
    hop = Hop(
        step="task-role",
        subject=role or definition.task_definition_arn,
        ok=role is not None,
        detail=f"the log router signs with the task role {role}"
        if role
        else "the definition has no task role (taskRoleArn): FireLens uses the task IAM role, "
        "not the execution role",
    )
    return Leg(
        purpose="FireLens credentials",
        reach=Reachability(
            destination="the task IAM role", paths=(Path(name="task role", hops=(hop,)),)
        ),
    )


def _unknown_leg(purpose: str, step: str, subject: str, why: str) -> Leg:
    hop = Hop(step=step, subject=subject, ok=None, detail=why)
    return Leg(
        purpose=purpose,
        reach=Reachability(destination=subject, paths=(Path(name="not modelled", hops=(hop,)),)),
    )


def _sts_leg(net: NetworkView, source: Source, role_arn: str, container: str) -> Leg:
    not_modelled = Path(
        name="sts endpoint",
        hops=(
            Hop(
                step="sts-endpoint",
                subject=role_arn,
                ok=None,
                detail="which STS endpoint the log router uses, and an sts interface endpoint, "
                "are not modelled",
            ),
        ),
    )
    return Leg(
        purpose=f"STS to assume {role_arn} ({container})",
        reach=Reachability(destination="STS", paths=(*net.internet_paths(source), not_modelled)),
    )


def _judge(
    net: NetworkView,
    label: str,
    source: Source,
    definition: EcsTaskDefinition,
    platform: Platform,
) -> Verdict:
    outputs = firelens_outputs(definition)
    legs: list[Leg] = []
    if any(output.uses_aws_credentials for output in outputs):
        legs.append(_role_leg(definition))
    for output in outputs:
        legs.append(Leg(purpose=output.describe(), reach=output_reach(net, source, output)))
        role_arn = output.option("role_arn")
        if role_arn:
            legs.append(_sts_leg(net, source, role_arn, output.container))
    config = custom_config_file(definition)
    if config:
        legs.append(
            _unknown_leg(
                "the log router's custom configuration",
                "firelens-config-file",
                config,
                f"the log router loads a custom configuration file ({config}) whose outputs "
                "are not read",
            )
        )
    group = SourceLegs(source=source, legs=tuple(legs))
    evidence = evidence_of(
        [group],
        task_definition=definition.task_definition_arn,
        task_role_arn=definition.task_role_arn,
        platform=platform.evidence(),
        outputs=[output.evidence() for output in outputs],
        custom_config_file=config,
    )
    if legs and legs[0].purpose == "FireLens credentials" and definition.task_role_arn is None:
        destinations = ", ".join(sorted({str(o.kind) for o in outputs if o.uses_aws_credentials}))
        verdict = failed(
            f"{sentence_start(label)} sends logs through FireLens to {destinations} but its "
            "definition has no task role, and FireLens signs with the task IAM role (not the "
            "execution role); fix: set taskRoleArn to a role allowed to write to the "
            "destination.",
            **evidence,
        )
        return replace(verdict, root_cause=root_cause_of([group], False))
    return verdict_for(
        label=label,
        what="its FireLens log destinations",
        legs=[group],
        fix=_FIX,
        evidence=evidence,
    )


@register(META)
def evaluate(inventory: Inventory) -> Iterator[Result]:
    yield from evaluate_task_paths(META, inventory, _judge, uses_firelens)
