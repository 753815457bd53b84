"""FireLens log routing: which AWS service each Fluent Bit output sends to, and how to get there.

A container with the ``awsfirelens`` log driver names its output in ``logConfiguration.options``
(``Name`` is the Fluent Bit plugin). The log router sends from the task ENI with the task IAM
role (the seed's traffic table). Only the outputs below are modelled; anything else, a custom
``endpoint``, or a custom configuration file of the log router, is reported as unknown.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditor.store.resources import EcsTaskDefinition
from checks.reachability.destinations import EndpointService
from checks.reachability.endpoints import s3_gateway_path
from checks.reachability.model import Hop, Path, Reachability, Source
from checks.support import containers_of

if TYPE_CHECKING:
    from checks.reachability.network import NetworkView

FIRELENS_DRIVER = "awsfirelens"


class OutputKind(enum.StrEnum):
    CLOUDWATCH_LOGS = "CloudWatch Logs"
    FIREHOSE = "Kinesis Data Firehose"
    KINESIS = "Kinesis Data Streams"
    S3 = "S3"
    OPENSEARCH = "OpenSearch"
    UNMODELLED = "an unmodelled output"


# Fluent Bit's C plugins and the older Go plugins of aws-for-fluent-bit.
_PLUGINS = {
    "cloudwatch_logs": OutputKind.CLOUDWATCH_LOGS,
    "cloudwatch": OutputKind.CLOUDWATCH_LOGS,
    "kinesis_firehose": OutputKind.FIREHOSE,
    "firehose": OutputKind.FIREHOSE,
    "kinesis_streams": OutputKind.KINESIS,
    "kinesis": OutputKind.KINESIS,
    "s3": OutputKind.S3,
    "es": OutputKind.OPENSEARCH,
    "opensearch": OutputKind.OPENSEARCH,
}
_ENDPOINTS = {
    OutputKind.CLOUDWATCH_LOGS: EndpointService.LOGS,
    OutputKind.FIREHOSE: EndpointService.KINESIS_FIREHOSE,
    OutputKind.KINESIS: EndpointService.KINESIS_STREAMS,
    OutputKind.S3: EndpointService.S3,
}
# A public OpenSearch Service domain endpoint; VPC domains start with "vpc-".
_PUBLIC_DOMAIN = re.compile(r"^search-[a-z0-9-]+\.[a-z0-9-]+\.(es\.amazonaws\.com|on\.aws)$")


@dataclass(frozen=True, kw_only=True)
class FirelensOutput:
    container: str
    plugin: str
    kind: OutputKind
    region: str | None
    options: dict[str, str]

    def option(self, key: str) -> str | None:
        return self.options.get(key.lower())

    @property
    def uses_aws_credentials(self) -> bool:
        if self.kind is OutputKind.OPENSEARCH:
            return (self.option("aws_auth") or "").lower() in ("on", "true")
        return self.kind is not OutputKind.UNMODELLED

    def describe(self) -> str:
        if self.kind is OutputKind.UNMODELLED:
            return f"output {self.plugin or '(no Name)'} of {self.container}"
        return f"{self.plugin} ({self.kind}) of {self.container}"

    def evidence(self) -> dict[str, Any]:
        return {
            "container": self.container,
            "plugin": self.plugin,
            "destination": str(self.kind),
            "region": self.region,
        }


def uses_firelens(definition: EcsTaskDefinition | None) -> bool:
    return any(
        (c.get("logConfiguration") or {}).get("logDriver") == FIRELENS_DRIVER
        for c in containers_of(definition)
    )


def firelens_outputs(definition: EcsTaskDefinition | None) -> list[FirelensOutput]:
    outputs = []
    for container in containers_of(definition):
        config = container.get("logConfiguration") or {}
        if config.get("logDriver") != FIRELENS_DRIVER:
            continue
        # Fluent Bit keys are case-insensitive; ECS passes the options through as given.
        options = {str(k).lower(): str(v) for k, v in (config.get("options") or {}).items()}
        plugin = options.get("name", "").strip()
        outputs.append(
            FirelensOutput(
                container=str(container.get("name") or "?"),
                plugin=plugin,
                kind=_PLUGINS.get(plugin.lower(), OutputKind.UNMODELLED),
                region=options.get("region") or None,
                options=options,
            )
        )
    return outputs


def custom_config_file(definition: EcsTaskDefinition | None) -> str | None:
    """``TYPE VALUE`` of the log router's custom configuration file, when it has one."""
    for container in containers_of(definition):
        options = (container.get("firelensConfiguration") or {}).get("options") or {}
        kind = options.get("config-file-type")
        if kind:
            return f"{kind} {options.get('config-file-value') or '(no value)'}"
    return None


def _unknown(output: FirelensOutput, why: str) -> Reachability:
    return Reachability(
        destination=output.plugin or "(no Name option)",
        paths=(
            Path(
                name="not modelled",
                hops=(Hop(step="firelens-output", subject=output.plugin, ok=None, detail=why),),
            ),
        ),
    )


def output_reach(net: NetworkView, source: Source, output: FirelensOutput) -> Reachability:
    """Every path from the task ENI to the output's destination (UNKNOWN where not modelled)."""
    if output.kind is OutputKind.UNMODELLED:
        return _unknown(
            output,
            f"the FireLens output {output.plugin or '(no Name option)'} is not modelled: its "
            "destination cannot be judged",
        )
    custom = output.option("endpoint")
    if custom:
        return _unknown(output, f"the output sends to a custom endpoint {custom}")
    paths = list(net.internet_paths(source))
    if output.kind is OutputKind.OPENSEARCH:
        host = (output.option("host") or "").lower()
        if not _PUBLIC_DOMAIN.match(host):
            return _unknown(
                output,
                f"OpenSearch host {host or '(none)'} is not a public domain endpoint: VPC "
                "domains and other hosts are not modelled",
            )
        return Reachability(destination=f"OpenSearch domain {host}", paths=tuple(paths))
    region = output.region or source.region
    if region == source.region:
        service = _ENDPOINTS[output.kind]
        if output.kind is OutputKind.S3:
            paths.append(s3_gateway_path(net, source))
        paths.append(net.interface_path(source, service))
    return Reachability(destination=f"{output.kind} in {region}", paths=tuple(paths))
