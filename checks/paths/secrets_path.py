"""secrets-path: tasks that fetch secrets at start can reach Secrets Manager or SSM."""

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
from checks.reachability.destinations import EndpointService, secrets_of, service_host_needs
from checks.support import (
    ECS_TASK_DEFINITIONS,
    ECS_TASKS,
    NETWORK_NEEDS,
    NETWORK_OPTIONAL_NEEDS,
    Verdict,
)

META = CheckMeta(
    id="secrets-path",
    title="Tasks can reach the secrets they fetch at start",
    severity=Severity.HIGH,
    scope=("Running Fargate tasks whose definition uses secrets or repositoryCredentials."),
    seed_quote=(
        "Secrets Manager またはSystems Manager からシークレットの取得 / Fargate が所有する ENI / "
        "タスク ENI / タスク ENI"
    ),
    seed_english=(
        "Retrieving secrets from Secrets Manager or Systems Manager: through a Fargate-owned "
        "ENI on Linux platform 1.3.0 and older, through the task ENI on Linux 1.4.0 and on "
        "Windows 1.0.0 (traffic table of the seed page)."
    ),
    rationale=(
        "Secrets and private-registry credentials are fetched before any container starts; "
        "if Secrets Manager or SSM cannot be reached the task stops with "
        "ResourceInitializationError. Each secret is reached over the internet path or the "
        "matching secretsmanager / ssm interface endpoint (private DNS on, VPC DNS on, the "
        "endpoint's groups accepting the task). Secrets in another region need the internet. "
        "On Linux 1.3.0 and older the fetch leaves through a Fargate-owned ENI that no "
        "customer security group applies to, so only routes and endpoints are judged there."
    ),
    remediation=(
        "Give the subnet an internet path, or create the secretsmanager and/or ssm interface "
        "endpoints with private DNS in the task's VPC."
    ),
    console_steps=(
        "VPC console > Endpoints > Create endpoint: com.amazonaws.REGION.secretsmanager "
        "(and com.amazonaws.REGION.ssm for Parameter Store), Interface, the task's subnets, "
        "Enable DNS name checked, a security group allowing TCP 443 from the task's group.",
    ),
    cli_steps=(
        "aws ec2 create-vpc-endpoint --vpc-id VPC_ID --vpc-endpoint-type Interface "
        "--service-name com.amazonaws.REGION.secretsmanager --subnet-ids SUBNET_IDS "
        "--security-group-ids SG_ID --private-dns-enabled",
        "aws ec2 create-vpc-endpoint --vpc-id VPC_ID --vpc-endpoint-type Interface "
        "--service-name com.amazonaws.REGION.ssm --subnet-ids SUBNET_IDS "
        "--security-group-ids SG_ID --private-dns-enabled",
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
        "On platform 1.3.0 and older secrets are fetched through a Fargate-owned ENI: no "
        "security group is judged, and the task subnet's routes are used as its path.",
    ),
    resource_types=(ResourceType.ECS_TASK,),
    references=(
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html",
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/private-auth.html",
    ),
)

_DESTINATION = {
    EndpointService.SECRETS_MANAGER: Destination.SECRETS_MANAGER,
    EndpointService.SSM: Destination.SSM,
}

_FIX = (
    "route 0.0.0.0/0 to an available public NAT gateway (or an attached internet gateway with "
    "a public IP on the task), or create the secretsmanager / ssm interface endpoints with "
    "private DNS that accept TCP 443 from the task"
)


def _judge(
    net: NetworkView,
    label: str,
    source: Source,
    definition: EcsTaskDefinition,
    platform: Platform,
) -> Verdict:
    secrets = secrets_of(definition)
    wanted: dict[tuple[EndpointService, str], list[str]] = {}
    for secret in secrets:
        region = secret.region or source.region
        wanted.setdefault((secret.service, region), []).append(
            f"{secret.purpose} of {secret.container}"
        )
    fargate_owned_eni = platform.legacy is True
    legs = tuple(
        Leg(
            purpose=f"{service} in {region} ({', '.join(sorted(uses))})",
            reach=net.reach(
                source,
                _DESTINATION[service],
                same_region=region == source.region,
                check_groups=not fargate_owned_eni,
                hosts=service_host_needs(service, region),
            ),
        )
        for (service, region), uses in sorted(wanted.items())
    )
    group = SourceLegs(source=source, legs=legs)
    return verdict_for(
        label=label,
        what="its secrets",
        legs=[group],
        fix=_FIX,
        evidence=evidence_of(
            [group],
            task_definition=definition.task_definition_arn,
            platform=platform.evidence(),
            security_groups_checked=not fargate_owned_eni,
            **(
                {
                    "fargate_owned_eni": "platform 1.3.0 or older fetches secrets through a "
                    "Fargate-owned ENI that no customer security group applies to, so the "
                    "task's and the endpoints' groups are not judged; its routes are taken to "
                    "be the task subnet's"
                }
                if fargate_owned_eni
                else {}
            ),
            secrets=[
                {"container": s.container, "value_from": s.value_from, "service": s.service}
                for s in secrets
            ],
        ),
    )


@register(META)
def evaluate(inventory: Inventory) -> Iterator[Result]:
    yield from evaluate_task_paths(META, inventory, _judge, secrets_of)
