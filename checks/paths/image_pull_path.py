"""image-pull-path: every running Fargate task and service subnet can reach its image registry."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.inventory import Inventory
from auditor.store.resources import EcsService, EcsTask, EcsTaskDefinition
from checks.base import CheckMeta, ResourceType, Result, Severity, register
from checks.paths.common import (
    Leg,
    SourceLegs,
    evidence_of,
    judge_task,
    no_network_verdict,
    verdict_for,
)
from checks.platform import Platform, service_platform
from checks.reachability import Destination, NetworkView, Source
from checks.reachability.destinations import ImageRef, image_host_needs, images_of
from checks.support import (
    ECS_SERVICES,
    ECS_TASK_DEFINITIONS,
    ECS_TASKS,
    NETWORK_NEEDS,
    NETWORK_OPTIONAL_NEEDS,
    Subject,
    Verdict,
    active_fargate_services,
    judge_scope,
    service_label,
    service_subject,
    task_definition_label,
    task_subject,
    unknown,
)

META = CheckMeta(
    id="image-pull-path",
    title="Running tasks can reach their image registry",
    severity=Severity.HIGH,
    scope="Running Fargate tasks; Fargate services (each subnet of their network configuration).",
    seed_quote=(
        "Fargate のタスクがコンテナイメージをプルできるようにするには、"
        "タスクにインターネットへのルートが必要です。"
    ),
    seed_english=(
        "For a Fargate task to pull its container image, the task needs a route to the "
        "internet (a public IP in a public subnet, a NAT gateway for a private subnet, or ECR "
        "interface VPC endpoints for images in Amazon ECR)."
    ),
    rationale=(
        "A task whose subnet has no working path to its registry never starts: it stops with "
        "CannotPullContainerError or ResourceInitializationError. The path is evaluated hop by "
        "hop: the subnet's effective route table (explicit association, else the VPC's main "
        "table), the longest-prefix route for 0.0.0.0/0 and its state, the target itself (an "
        "internet gateway attached to the VPC plus a public IPv4 on the task, or an available "
        "public NAT gateway whose own subnet reaches an internet gateway), TCP 443 egress "
        "in the task's security groups, and the network ACLs of every subnet crossed, both "
        "directions (stateless: the replies on ephemeral ports too). Images in the same "
        "region's private ECR may instead use "
        "the ecr.dkr and (from platform 1.4.0) ecr.api interface endpoints with private DNS, VPC "
        "DNS support and host names, the endpoints' groups accepting the task, and an S3 gateway "
        "endpoint on the subnet's route table for the layers. Docker Hub, public.ecr.aws, other "
        "registries and other regions need the internet."
    ),
    remediation=(
        "Give the subnet a working internet path, or (for private ECR images in the same "
        "region) the full set of ECR endpoints."
    ),
    console_steps=(
        "VPC console > Route tables > the subnet's table > Routes: add 0.0.0.0/0 to an "
        "available public NAT gateway (private subnet) or to the VPC's internet gateway "
        "(public subnet, with Auto-assign public IP turned on in the service's networking).",
        "VPC console > Endpoints > Create endpoint: com.amazonaws.REGION.ecr.dkr and "
        "com.amazonaws.REGION.ecr.api (Interface, Enable DNS name checked, the task subnets, a "
        "security group allowing TCP 443 from the task's group) and com.amazonaws.REGION.s3 "
        "(Gateway, select the subnet's route table).",
        "EC2 console > Security groups > the task's group > Outbound rules: allow TCP 443.",
    ),
    cli_steps=(
        "aws ec2 create-route --route-table-id RTB_ID --destination-cidr-block 0.0.0.0/0 "
        "--nat-gateway-id NAT_ID",
        "aws ec2 create-vpc-endpoint --vpc-id VPC_ID --vpc-endpoint-type Interface "
        "--service-name com.amazonaws.REGION.ecr.dkr --subnet-ids SUBNET_IDS "
        "--security-group-ids SG_ID --private-dns-enabled",
        "aws ec2 create-vpc-endpoint --vpc-id VPC_ID --vpc-endpoint-type Interface "
        "--service-name com.amazonaws.REGION.ecr.api --subnet-ids SUBNET_IDS "
        "--security-group-ids SG_ID --private-dns-enabled",
        "aws ec2 create-vpc-endpoint --vpc-id VPC_ID --vpc-endpoint-type Gateway "
        "--service-name com.amazonaws.REGION.s3 --route-table-ids RTB_ID",
        "aws ec2 authorize-security-group-egress --group-id SG_ID --protocol tcp --port 443 "
        "--cidr 0.0.0.0/0",
    ),
    needs=(ECS_TASKS, ECS_SERVICES, ECS_TASK_DEFINITIONS, *NETWORK_NEEDS),
    optional_needs=NETWORK_OPTIONAL_NEEDS,
    limitations=(
        "Network ACLs are evaluated statelessly on every subnet boundary a path crosses (the "
        "task's subnet, the NAT gateway's subnet both ways, endpoint subnets, transit gateway "
        "attachment subnets), request on TCP 443 and replies on ports 1024-65535; a NACL "
        "allowing replies only on 32768-61000 (the Linux range) passes with a caveat, since "
        "Fargate's ephemeral range is not documented. Rules that allow only part of the "
        "internet give UNKNOWN: which addresses the service answers from is not known.",
        "A default route through a VPC peering connection is a FAIL (no edge-to-edge "
        "routing). A default route to a transit gateway is followed to a central egress VPC's "
        "NAT gateway and back (see 'Network paths' above); a TGW or egress VPC of an account "
        "that was not scanned, ECMP routes, TGW policy tables and Connect, peering or "
        "network-function attachments give UNKNOWN. A route to a network interface, instance or "
        "Gateway Load Balancer endpoint gives UNKNOWN (appliance; after a GWLB endpoint the "
        "inspection subnet's NACL and route onward are still checked). A route to an AWS "
        "Network Firewall endpoint is followed and its policy judged against the image's "
        "hosts (stateless defaults and exact 5-tuple rules, TLS_SNI domain lists in either "
        "rule order; see 'Network paths' above); Suricata rule strings and 5-tuple stateful "
        "rules give UNKNOWN naming the rule group. A route to a virtual "
        "private gateway, Outposts local gateway or a TGW VPN/Direct Connect attachment gives "
        "UNKNOWN with unknown_reason beyond-aws (a detached or deleted VGW is a FAIL).",
        "Security group egress to the internet must allow TCP 443 to 0.0.0.0/0; rules limited "
        "to AWS address ranges are not recognised.",
        "ECR dual-stack image URIs (dkr-ecr.REGION.on.aws) are treated as needing the "
        "internet; from an IPv6-only subnet a direct IPv6 route gives them at best UNKNOWN "
        "(registry authentication may still use IPv4-only api.ecr), and every other image "
        "needs DNS64 + NAT64 (64:ff9b::/96 to a NAT gateway, DNS64 on the subnet).",
        "The first pull through a pull-through cache is treated as needing the internet.",
        "Endpoint routes more specific than the VPC's local route are not followed.",
        "Interface endpoint paths in a VPC whose DHCP option set names only custom DNS "
        "servers give UNKNOWN: conditional forwarding to the Route 53 Resolver cannot be seen.",
    ),
    resource_types=(ResourceType.ECS_TASK, ResourceType.ECS_SERVICE),
    references=(
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html",
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html",
    ),
)

_FIX_INTERNET = (
    "route 0.0.0.0/0 to an available public NAT gateway (or to an attached internet gateway "
    "with a public IP on the task) and allow egress TCP 443"
)
_FIX_ECR = (
    _FIX_INTERNET + ", or create ecr.dkr and ecr.api interface endpoints with private DNS and "
    "an S3 gateway endpoint on the subnet's route table"
)


def _legs(
    net: NetworkView, source: Source, images: list[ImageRef], platform: Platform
) -> SourceLegs:
    public = [i for i in images if not i.endpoint_reachable_from(source.region)]
    private_refs = [i for i in images if i.endpoint_reachable_from(source.region)]
    groups: list[tuple[list[ImageRef], Destination, bool]] = [
        (private_refs, Destination.ECR, False),
        ([i for i in public if not i.ipv6_capable], Destination.INTERNET, False),
        ([i for i in public if i.ipv6_capable], Destination.INTERNET, True),
    ]
    legs = []
    for refs, destination, ipv6_destination in groups:
        group = [i.image for i in refs]
        if group:
            # The hosts a Network Firewall on the internet path must let through.
            hosts = tuple(dict.fromkeys(h for ref in refs for h in image_host_needs(ref)))
            reach = net.reach(
                source,
                destination,
                ecr_api_on_task_eni=platform.task_eni_carries_everything is not False,
                ipv6_destination=ipv6_destination,
                hosts=hosts,
            )
            names = ", ".join(sorted(set(group)))
            legs.append(
                Leg(purpose=f"image{'s' if len(set(group)) > 1 else ''} {names}", reach=reach)
            )
    return SourceLegs(source=source, legs=tuple(legs))


def _judge(
    net: NetworkView,
    label: str,
    sources: list[Source],
    definition: EcsTaskDefinition,
    platform: Platform,
) -> Verdict:
    images = images_of(definition)
    if not images:
        return unknown(
            f"Cannot evaluate {label}: task definition "
            f"{task_definition_label(definition.task_definition_arn)} names no image."
        )
    legs = [_legs(net, source, images, platform) for source in sources]
    all_private = all(i.endpoint_reachable_from(definition.region) for i in images)
    return verdict_for(
        label=label,
        what="its image registry",
        legs=legs,
        fix=_FIX_ECR if all_private else _FIX_INTERNET,
        evidence=evidence_of(
            legs,
            task_definition=definition.task_definition_arn,
            images=[{"image": i.image, "registry": i.describe()} for i in images],
            platform=platform.evidence(),
        ),
    )


def _judge_service(net: NetworkView, inventory: Inventory, service: EcsService) -> Verdict:
    label = service_label(service)
    definition = inventory.task_definition_of(service.task_definition_arn)
    if definition is None:
        return no_network_verdict(
            label, f"its task definition {service.task_definition_arn} is not in the inventory"
        )
    sources = net.service_sources(service, label)
    if not sources:
        return no_network_verdict(label, "the service has no awsvpc subnets")
    return _judge(net, label, sources, definition, service_platform(service, definition))


@register(META)
def evaluate(inventory: Inventory) -> Iterator[Result]:
    net = NetworkView(inventory)

    def judge(item: EcsTask | EcsService) -> Verdict:
        if isinstance(item, EcsTask):
            return judge_task(
                net,
                inventory,
                item,
                lambda label, source, definition, platform: _judge(
                    net, label, [source], definition, platform
                ),
            )
        return _judge_service(net, inventory, item)

    items: list[tuple[Subject, EcsTask | EcsService]] = []
    items.extend((task_subject(t), t) for t in inventory.running_fargate_tasks())
    items.extend((service_subject(s), s) for s in active_fargate_services(inventory))
    yield from judge_scope(
        META, inventory, scope_needs=(ECS_TASKS, ECS_SERVICES), items=items, judge=judge
    )
