"""What a task talks to: image registries, secret stores and log groups, and where they live.

Only the task's own region can be reached through VPC endpoints (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html);
anything else
(Docker Hub, public.ecr.aws, other registries, other regions) needs the internet.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

from auditor.store.resources import EcsTaskDefinition
from checks.support import containers_of

_ECR_PRIVATE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?$"
)
# ECR dual-stack registry URIs, the one registry known to serve IPv6 ("Using a VPC in
# IPv6-only mode" in https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html).
_ECR_DUAL_STACK = re.compile(r"^\d{12}\.dkr-ecr\.[a-z0-9-]+\.on\.aws$")
_DOCKER_HUB_HOSTS = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*):")


class EndpointService(enum.StrEnum):
    """The suffix of an interface or gateway endpoint service name."""

    ECR_DKR = "ecr.dkr"
    ECR_API = "ecr.api"
    S3 = "s3"
    LOGS = "logs"
    SECRETS_MANAGER = "secretsmanager"
    SSM = "ssm"
    KINESIS_FIREHOSE = "kinesis-firehose"
    KINESIS_STREAMS = "kinesis-streams"


def service_name(region: str, service: EndpointService) -> str:
    return f"com.amazonaws.{region}.{service}"


class RegistryKind(enum.StrEnum):
    ECR_PRIVATE = "ecr-private"
    ECR_PUBLIC = "ecr-public"
    DOCKER_HUB = "docker-hub"
    OTHER = "other"


@dataclass(frozen=True, kw_only=True)
class ImageRef:
    image: str
    registry: str
    kind: RegistryKind
    region: str | None = None

    def endpoint_reachable_from(self, region: str) -> bool:
        """True only for the private ECR of ``region``: the one registry endpoints can serve."""
        return self.kind is RegistryKind.ECR_PRIVATE and self.region == region

    @property
    def ipv6_capable(self) -> bool:
        """True for an ECR dual-stack URI (``<acct>.dkr-ecr.<region>.on.aws``); every other
        registry is treated as reachable over IPv4 only."""
        return bool(_ECR_DUAL_STACK.match(self.registry))

    def describe(self) -> str:
        if self.kind is RegistryKind.ECR_PRIVATE:
            return f"private ECR in {self.region}"
        return {
            RegistryKind.ECR_PUBLIC: "ECR Public (public.ecr.aws)",
            RegistryKind.DOCKER_HUB: "Docker Hub",
            RegistryKind.OTHER: f"registry {self.registry}",
        }[self.kind]


def classify_image(image: str) -> ImageRef:
    first, _, rest = image.partition("/")
    has_host = bool(rest) and ("." in first or ":" in first or first == "localhost")
    if not has_host or first.lower() in _DOCKER_HUB_HOSTS:
        return ImageRef(image=image, registry="docker.io", kind=RegistryKind.DOCKER_HUB)
    host = first.lower()
    match = _ECR_PRIVATE.match(host)
    if match:
        return ImageRef(
            image=image, registry=host, kind=RegistryKind.ECR_PRIVATE, region=match["region"]
        )
    if host == "public.ecr.aws":
        return ImageRef(image=image, registry=host, kind=RegistryKind.ECR_PUBLIC)
    return ImageRef(image=image, registry=host, kind=RegistryKind.OTHER)


def images_of(definition: EcsTaskDefinition | None) -> list[ImageRef]:
    return [classify_image(str(c["image"])) for c in containers_of(definition) if c.get("image")]


@dataclass(frozen=True, kw_only=True)
class SecretRef:
    """One secret a task fetches at start: from a container's ``secrets`` or registry creds."""

    container: str
    value_from: str
    service: EndpointService
    region: str | None  # None: the task's own region (a bare parameter name)
    purpose: str


def _secret_ref(container: str, value_from: str, purpose: str) -> SecretRef:
    match = _ARN_REGION.match(value_from)
    if match is None:
        return SecretRef(
            container=container,
            value_from=value_from,
            service=EndpointService.SSM,
            region=None,
            purpose=purpose,
        )
    service = (
        EndpointService.SECRETS_MANAGER
        if match["service"] == "secretsmanager"
        else EndpointService.SSM
    )
    return SecretRef(
        container=container,
        value_from=value_from,
        service=service,
        region=match["region"] or None,
        purpose=purpose,
    )


def secrets_of(definition: EcsTaskDefinition | None) -> list[SecretRef]:
    refs: list[SecretRef] = []
    for container in containers_of(definition):
        name = str(container.get("name") or "?")
        for secret in container.get("secrets") or []:
            value_from = secret.get("valueFrom") if isinstance(secret, dict) else None
            if value_from:
                refs.append(_secret_ref(name, str(value_from), f"secret {secret.get('name')}"))
        credentials: dict[str, Any] = container.get("repositoryCredentials") or {}
        if credentials.get("credentialsParameter"):
            refs.append(
                _secret_ref(name, str(credentials["credentialsParameter"]), "registry credentials")
            )
    return refs


def awslogs_regions(definition: EcsTaskDefinition | None, default_region: str) -> set[str]:
    """The regions the ``awslogs`` containers of a definition send their logs to."""
    regions: set[str] = set()
    for container in containers_of(definition):
        config = container.get("logConfiguration") or {}
        if config.get("logDriver") == "awslogs":
            options = config.get("options") or {}
            regions.add(str(options.get("awslogs-region") or default_region))
    return regions


@dataclass(frozen=True, kw_only=True)
class HostNeed:
    """A host name a path must reach, for firewalls that filter by TLS SNI.

    ``certain`` False marks one of several hosts the service may use (Docker Hub's CDNs,
    ECR Public's layer hosts): denying it leaves the verdict open rather than failing.
    ``host`` None stands for hosts that cannot be named (another registry's layer storage).
    """

    host: str | None
    purpose: str
    certain: bool = True


# Docker Hub's hosts (the Docker allowlist page): the registry and its token service always,
# the layer CDN by plan (production.cloudflare.docker.com for paid plans, the R2 host for
# personal and anonymous pulls).
_DOCKER_HUB_NEEDS = (
    HostNeed(host="registry-1.docker.io", purpose="Docker Hub registry"),
    HostNeed(host="auth.docker.io", purpose="Docker Hub token service"),
    HostNeed(host="production.cloudflare.docker.com", purpose="Docker Hub layers", certain=False),
    HostNeed(
        host="docker-images-prod.6aa30f8b08e16409b46e0173d6de2f56.r2.cloudflarestorage.com",
        purpose="Docker Hub layers",
        certain=False,
    ),
)
# ECR Public: the registry; its layers have been seen on these CloudFront hosts.
_ECR_PUBLIC_NEEDS = (
    HostNeed(host="public.ecr.aws", purpose="ECR Public registry"),
    HostNeed(host="d2glxqk2uabbnd.cloudfront.net", purpose="ECR Public layers", certain=False),
    HostNeed(host="d5l0dvt14r5h8.cloudfront.net", purpose="ECR Public layers", certain=False),
)


def aws_domain(region: str) -> str:
    """The DNS suffix of AWS service endpoints in ``region``'s partition."""
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"


def service_host_needs(service: EndpointService, region: str) -> tuple[HostNeed, ...]:
    """The standard endpoint of an AWS service a task calls (logs, secretsmanager, ssm)."""
    return (HostNeed(host=f"{service}.{region}.{aws_domain(region)}", purpose=f"{service}"),)


def image_host_needs(ref: ImageRef, *, needs_api: bool = True) -> tuple[HostNeed, ...]:
    """Every host a pull of ``ref`` talks to: registry, authentication and layer storage."""
    if ref.kind is RegistryKind.ECR_PRIVATE and ref.region is not None:
        domain = aws_domain(ref.region)
        needs = [HostNeed(host=ref.registry, purpose="ECR registry")]
        if needs_api:
            needs.append(HostNeed(host=f"api.ecr.{ref.region}.{domain}", purpose="ECR API"))
        needs.append(
            HostNeed(
                host=f"prod-{ref.region}-starport-layer-bucket.s3.{ref.region}.{domain}",
                purpose="ECR layers (S3)",
            )
        )
        return tuple(needs)
    if ref.kind is RegistryKind.DOCKER_HUB:
        return _DOCKER_HUB_NEEDS
    if ref.kind is RegistryKind.ECR_PUBLIC:
        return _ECR_PUBLIC_NEEDS
    return (
        HostNeed(host=ref.registry, purpose=f"registry {ref.registry}"),
        HostNeed(host=None, purpose=f"the layer storage of {ref.registry}", certain=False),
    )
