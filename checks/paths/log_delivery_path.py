"""log-delivery-path: tasks using the awslogs driver can reach CloudWatch Logs."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.inventory import Inventory
from auditor.store.resources import EcsTaskDefinition
from checks.base import CheckMeta, ResourceType, Result, Severity, register
from checks.paths.common import (
    Leg,
    SourceLegs,
    evaluate_task_paths,
    evidence_of,
    verdict_for,
)
from checks.platform import Platform
from checks.reachability import Destination, NetworkView, Source
from checks.reachability.destinations import (
    EndpointService,
    awslogs_regions,
    service_host_needs,
)
from checks.support import (
    ECS_TASK_DEFINITIONS,
    ECS_TASKS,
    NETWORK_NEEDS,
    NETWORK_OPTIONAL_NEEDS,
    Verdict,
    uses_awslogs,
)

META = CheckMeta(
    id="log-delivery-path",
    title="Tasks using awslogs can reach CloudWatch Logs",
    severity=Severity.MEDIUM,
    scope="Running Fargate tasks whose containers use the awslogs log driver.",
    seed_quote="ログドライバーによるログの送信 / タスク ENI / タスク ENI / タスク ENI",
    seed_english=(
        "Sending logs through the log driver: over the task ENI on Linux platform 1.3.0 and "
        "older, on Linux 1.4.0 and on Windows 1.0.0 (traffic table of the seed page)."
    ),
    rationale=(
        "The awslogs driver sends every log line from the task ENI to CloudWatch Logs. "
        "Without an internet path (internet gateway with a public IP, or a public NAT gateway) "
        "or an available logs interface endpoint with private DNS that the task's groups may "
        "reach, logs are lost and the task can fail to start. A log group in another region "
        "can only be reached over the internet."
    ),
    remediation=(
        "Give the subnet an internet path, or create a com.amazonaws.REGION.logs interface "
        "endpoint with private DNS in the task's VPC."
    ),
    console_steps=(
        "VPC console > Endpoints > Create endpoint: com.amazonaws.REGION.logs, Interface, "
        "the task's VPC and subnets, Enable DNS name checked, a security group allowing TCP "
        "443 from the task's group.",
        "VPC console > Your VPCs > Actions > Edit VPC settings: enable DNS resolution and DNS "
        "hostnames.",
    ),
    cli_steps=(
        "aws ec2 create-vpc-endpoint --vpc-id VPC_ID --vpc-endpoint-type Interface "
        "--service-name com.amazonaws.REGION.logs --subnet-ids SUBNET_IDS "
        "--security-group-ids SG_ID --private-dns-enabled",
        "aws ec2 modify-vpc-attribute --vpc-id VPC_ID --enable-dns-hostnames '{\"Value\":true}'",
    ),
    needs=(ECS_TASKS, ECS_TASK_DEFINITIONS, *NETWORK_NEEDS),
    optional_needs=NETWORK_OPTIONAL_NEEDS,
    limitations=(
        "Network ACLs are evaluated statelessly on every subnet boundary a path crosses (the "
        "task's subnet, the NAT gateway's subnet both ways, endpoint subnets, transit gateway "
        "attachment subnets), request on TCP 443 and replies on ports 1024-65535; a NACL "
        "allowing replies only on 32768-61000 (the Linux range) passes with a caveat, since "
        "Fargate's ephemeral range is not documented. Rules that allow only part of the "
        "internet give UNKNOWN: which addresses the service answers from is not known.",
        "A default route to a transit gateway, peering connection, appliance or virtual "
        "private gateway (central egress) gives UNKNOWN: the path beyond it is not followed.",
        "Security group egress to the internet must allow TCP 443 to 0.0.0.0/0; rules limited "
        "to AWS address ranges are not recognised.",
        "Endpoint routes more specific than the VPC's local route are not followed.",
        "Interface endpoint paths in a VPC whose DHCP option set names only custom DNS "
        "servers give UNKNOWN: conditional forwarding to the Route 53 Resolver cannot be seen.",
        "From an IPv6-only subnet only DNS64 + NAT64 (64:ff9b::/96 to a NAT gateway, DNS64 on "
        "the subnet) reaches IPv4-only services; a direct IPv6 route does not.",
    ),
    resource_types=(ResourceType.ECS_TASK,),
    references=(
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch-logs-and-interface-VPC.html",
    ),
)

_FIX = (
    "route 0.0.0.0/0 to an available public NAT gateway (or an attached internet gateway with "
    "a public IP on the task), or create a logs interface endpoint with private DNS that "
    "accepts TCP 443 from the task"
)


def _judge(
    net: NetworkView,
    label: str,
    source: Source,
    definition: EcsTaskDefinition,
    platform: Platform,
) -> Verdict:
    legs = tuple(
        Leg(
            purpose=f"awslogs in {region}",
            reach=net.reach(
                source,
                Destination.LOGS,
                same_region=region == source.region,
                hosts=service_host_needs(EndpointService.LOGS, region),
            ),
        )
        for region in sorted(awslogs_regions(definition, source.region))
    )
    group = SourceLegs(source=source, legs=legs)
    return verdict_for(
        label=label,
        what="CloudWatch Logs",
        legs=[group],
        fix=_FIX,
        evidence=evidence_of(
            [group],
            task_definition=definition.task_definition_arn,
            platform=platform.evidence(),
        ),
    )


@register(META)
def evaluate(inventory: Inventory) -> Iterator[Result]:
    yield from evaluate_task_paths(META, inventory, _judge, uses_awslogs)
