"""The reachability evaluator: can this task (or service subnet) reach a destination, and how.

``NetworkView`` wraps one inventory with the lookups and caches the evaluator needs, so that
thousands of tasks sharing a few subnets cost one route walk per subnet and group set.
"""

from __future__ import annotations

import dataclasses
import enum
from collections import defaultdict
from collections.abc import Sequence

from auditor.inventory import Inventory, owner_of
from auditor.store.resources import (
    Ec2NetworkAcl,
    Ec2TransitGateway,
    Ec2TransitGatewayAttachment,
    EcsService,
    EcsTask,
)
from checks.reachability.destinations import EndpointService, HostNeed
from checks.reachability.endpoints import interface_endpoint_path, s3_gateway_path
from checks.reachability.firewall import rules_hops
from checks.reachability.internet import (
    PUBLIC_IPV4_STEP,
    ipv4_internet_path,
    ipv6_only_paths,
    public_ipv4_hop,
)
from checks.reachability.model import Hop, Path, Reachability, Source, UnknownReason, combine
from checks.reachability.routes import parse_network
from checks.reachability.security_groups import group_ids_of
from checks.support import (
    EC2_NETWORK_ACLS,
    EC2_TRANSIT_GATEWAY_ATTACHMENTS,
    EC2_TRANSIT_GATEWAY_ROUTE_TABLES,
    EC2_TRANSIT_GATEWAYS,
)


class Destination(enum.StrEnum):
    INTERNET = "the internet"
    ECR = "the region's private ECR"
    LOGS = "CloudWatch Logs"
    SECRETS_MANAGER = "Secrets Manager"
    SSM = "SSM Parameter Store"
    S3 = "S3"


_ENDPOINT_FOR = {
    Destination.LOGS: EndpointService.LOGS,
    Destination.SECRETS_MANAGER: EndpointService.SECRETS_MANAGER,
    Destination.SSM: EndpointService.SSM,
}


class NetworkView:
    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self._internet: dict[tuple[object, ...], list[Path]] = {}
        self._endpoint: dict[tuple[object, ...], Path] = {}
        self._firewall: dict[tuple[object, ...], tuple[Hop, ...]] = {}
        self._firewall_by_arn = {f.firewall_arn: f for f in inventory.network_firewalls}
        self._attached_igw: dict[str, str] = {}
        for gateway in inventory.internet_gateway_by_id.values():
            for attachment in gateway.attachments:
                if str(attachment.get("state", "")).lower() in ("available", "attached"):
                    self._attached_igw.setdefault(
                        str(attachment.get("vpc_id")), gateway.internet_gateway_id
                    )
        self._acl_by_subnet: dict[str, Ec2NetworkAcl] = {}
        for acl in inventory.network_acl_by_id.values():
            for subnet_id in acl.subnet_ids:
                self._acl_by_subnet[subnet_id] = acl
        self._vpc_attachments: dict[tuple[str, str], list[Ec2TransitGatewayAttachment]] = (
            defaultdict(list)
        )
        for tgw_attachment in inventory.tgw_attachment_by_id.values():
            if tgw_attachment.resource_type == "vpc" and tgw_attachment.resource_id:
                key = (tgw_attachment.transit_gateway_id, tgw_attachment.resource_id)
                self._vpc_attachments[key].append(tgw_attachment)
        self._default_group: dict[str, str] = {
            g.vpc_id: g.group_id
            for g in inventory.security_groups
            if g.group_name == "default" and g.vpc_id
        }

    # ----------------------------------------------------------------------- lookups

    def prefix_list_cidrs(self, prefix_list_id: str) -> Sequence[str] | None:
        prefix_list = self.inventory.prefix_list_by_id.get(prefix_list_id)
        return list(prefix_list.cidrs) if prefix_list is not None else None

    def attached_internet_gateway(self, vpc_id: str | None) -> str | None:
        return self._attached_igw.get(vpc_id or "")

    def peering_regions(self, peering_id: str) -> tuple[str | None, str | None] | None:
        connection = self.inventory.peering_connection_by_id.get(peering_id)
        if connection is None:
            return None
        return connection.requester.get("region"), connection.accepter.get("region")

    # ----------------------------------------------------------------------- transit

    def transit_gateway(self, tgw_id: str) -> Ec2TransitGateway | None:
        return self.inventory.transit_gateway_by_id.get(tgw_id)

    def vpc_attachment(self, tgw_id: str, vpc_id: str | None) -> Ec2TransitGatewayAttachment | None:
        """The VPC's attachment to the TGW (one per VPC and TGW), the most usable first."""
        found = [
            a
            for a in self._vpc_attachments.get((tgw_id, vpc_id or ""), [])
            if a.state not in ("deleted", "deleting", "failed", "rejected")
        ]
        found.sort(key=lambda a: a.state != "available")
        return found[0] if found else None

    def tgw_owner_from_attachments(self, tgw_id: str) -> str | None:
        """The TGW's owner as this account's attachments report it (shared TGWs)."""
        return next(
            (
                a.transit_gateway_owner_id
                for a in self.inventory.transit_gateway_attachments
                if a.transit_gateway_id == tgw_id and a.transit_gateway_owner_id
            ),
            None,
        )

    def tgw_data_missing(self, region: str) -> str:
        """Why transit gateway records may be absent: the collectors that did not succeed."""
        names = (
            EC2_TRANSIT_GATEWAYS,
            EC2_TRANSIT_GATEWAY_ATTACHMENTS,
            EC2_TRANSIT_GATEWAY_ROUTE_TABLES,
        )
        if not self.inventory.missing(region, names):
            return ""
        return "not collected: " + self.inventory.describe_missing(region, names)

    def network_acl_of(self, subnet_id: str) -> tuple[Ec2NetworkAcl | None, str]:
        """The NACL of a subnet, or None and why: every subnet is associated with exactly one
        (the VPC's default unless replaced), so a subnet in none was not collected."""
        subnet = self.inventory.subnet_by_id.get(subnet_id)
        if subnet is None:
            return None, "the subnet is not in the inventory"
        acl = self._acl_by_subnet.get(subnet_id)
        hint = self.inventory.scan_hint(subnet.vpc_id)
        if acl is None and hint is not None:
            return None, f"the subnet's network ACL belongs to another account: {hint}"
        # The outcomes that count are those of the scan holding the subnet (its owner's).
        holder = self.inventory.holder_of(subnet)
        if holder.missing(subnet.region, (EC2_NETWORK_ACLS,)):
            gap = holder.describe_missing(subnet.region, (EC2_NETWORK_ACLS,))
            return None, f"network ACLs were not collected ({gap})"
        if acl is None:
            return None, "no collected network ACL lists the subnet in its associations"
        return acl, ""

    def unscanned_owner_hop(self, step: str, vpc_id: str | None, what: str) -> Hop | None:
        """UNKNOWN for ``what`` in a VPC whose owner account was not scanned, else None."""
        hint = self.inventory.scan_hint(vpc_id)
        if hint is None:
            return None
        return Hop(
            step=step,
            subject=vpc_id or "",
            ok=None,
            detail=f"{what} of {vpc_id} belong to account "
            f"{self.inventory.unscanned_owner(vpc_id)}, which was not scanned: {hint}",
            unknown_reason=UnknownReason.ACCOUNT_NOT_SCANNED,
        )

    def with_owners(self, paths: Sequence[Path]) -> tuple[Path, ...]:
        """The paths with each hop naming the account that owns its resource, and the scan
        it was read from when that is not this run's; only in a view over several accounts."""
        inventory = self.inventory
        if not inventory.peers and not inventory.unscanned_owners:
            return tuple(paths)
        run = inventory.scan.run_id
        owned = []
        for path in paths:
            hops = []
            for hop in path.hops:
                record = inventory.record_of_resource(hop.subject)
                if record is None:
                    hops.append(hop)
                    continue
                holder = inventory.holder_of(record)
                scan = None
                if holder is not inventory and (run is None or holder.scan.run_id != run):
                    scan = f"{holder.scan.id} ({holder.scan.started_at:%Y-%m-%d %H:%M} UTC)"
                hops.append(dataclasses.replace(hop, account=owner_of(record), scan=scan))
            owned.append(Path(name=path.name, hops=tuple(hops)))
        return tuple(owned)

    # ----------------------------------------------------------------------- sources

    def task_source(self, task: EcsTask, label: str) -> Source | None:
        """The task's ENI as a source; None when the task has no subnet at all."""
        eni = self.inventory.eni_for_task(task)
        subnet_id = task.subnet_id or (eni.subnet_id if eni else None)
        if subnet_id is None:
            return None
        subnet = self.inventory.subnet_by_id.get(subnet_id)
        vpc_id = (eni.vpc_id if eni else None) or (subnet.vpc_id if subnet else None)
        if eni is None:
            public: bool | None = None
            detail = f"ENI {task.eni_id or '(none)'} of the task is not in the inventory"
        elif eni.public_ip:
            public, detail = True, f"ENI {eni.network_interface_id} has public IP {eni.public_ip}"
        else:
            public, detail = False, f"ENI {eni.network_interface_id} has no public IPv4 address"
        return Source(
            label=label,
            region=task.region,
            vpc_id=vpc_id,
            subnet_id=subnet_id,
            security_group_ids=group_ids_of(eni.security_group_ids) if eni else (),
            public_ipv4=public,
            public_ipv4_detail=detail,
            private_ipv4=(eni.private_ip if eni else None) or task.private_ipv4,
        )

    def service_sources(self, service: EcsService, label: str) -> list[Source]:
        """One source per subnet of the service's awsvpc configuration."""
        assign = (service.assign_public_ip or "DISABLED").upper()
        sources = []
        for subnet_id in service.subnet_ids:
            subnet = self.inventory.subnet_by_id.get(subnet_id)
            vpc_id = subnet.vpc_id if subnet else None
            groups = group_ids_of(service.security_group_ids)
            if not groups and vpc_id in self._default_group:
                # No group given: ECS uses the VPC's default group (securityGroups in
                # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html).
                groups = (self._default_group[vpc_id],)
            sources.append(
                Source(
                    label=f"{label} in {subnet_id}",
                    region=service.region,
                    vpc_id=vpc_id,
                    subnet_id=subnet_id,
                    security_group_ids=groups,
                    public_ipv4=assign == "ENABLED",
                    public_ipv4_detail=f"assignPublicIp is {service.assign_public_ip or 'not set'}"
                    + ("" if assign == "ENABLED" else " (tasks get no public IPv4)"),
                )
            )
        return sources

    # ----------------------------------------------------------------------- paths

    def internet_paths(
        self,
        source: Source,
        *,
        ipv6_destination: bool = False,
        check_groups: bool = True,
        hosts: Sequence[HostNeed] | None = None,
    ) -> list[Path]:
        """The internet paths of a source: walked once per subnet and group set, then only
        the public-IPv4 hop (the one that depends on the task) is filled in per source.

        ``ipv6_destination`` marks a destination known to be reachable over IPv6 (only that
        lets an IPv6-only subnet use its direct IPv6 route); ``check_groups`` False leaves out
        the task's security groups (traffic of the Fargate-owned ENI). ``hosts`` are the host
        names the destination needs, judged by any Network Firewall on the path; without them
        a firewall's rules stay UNKNOWN.
        """
        key = (
            source.subnet_id,
            source.vpc_id,
            source.security_group_ids,
            ipv6_destination,
            check_groups,
        )
        cached = self._internet.get(key)
        if cached is None:
            subnet = self.inventory.subnet_by_id.get(source.subnet_id)
            if subnet is not None and subnet.ipv6_native:
                cached = ipv6_only_paths(
                    self, source, ipv6_destination=ipv6_destination, check_groups=check_groups
                )
            else:
                cached = [ipv4_internet_path(self, source, check_groups=check_groups)]
            self._internet[key] = cached
        own = public_ipv4_hop(source)
        needs = tuple(hosts) if hosts is not None else None
        return [
            Path(
                name=path.name,
                hops=tuple(
                    judged
                    for h in path.hops
                    for judged in (
                        (own,)
                        if h.step == PUBLIC_IPV4_STEP
                        else self._firewall_rules(h, needs)
                        if h.inspect is not None
                        else (h,)
                    )
                ),
            )
            for path in cached
        ]

    def _firewall_rules(self, hop: Hop, needs: tuple[HostNeed, ...] | None) -> tuple[Hop, ...]:
        """A firewall's placeholder on a cached path, judged for one destination's hosts
        (cached: many tasks share a firewall and a destination)."""
        if needs is None or hop.inspect is None:
            return (hop,)
        arn, source_network = hop.inspect
        key = (arn, source_network, needs)
        judged = self._firewall.get(key)
        if judged is None:
            firewall = self._firewall_by_arn.get(arn)
            if firewall is None:
                return (hop,)
            judged = tuple(rules_hops(self, firewall, parse_network(source_network), needs))
            self._firewall[key] = judged
        return judged

    def interface_path(
        self, source: Source, service: EndpointService, *, check_groups: bool = True
    ) -> Path:
        """The interface-endpoint path, shared by sources with the same VPC and groups unless
        the endpoint admits the task by its address rather than by its group."""
        key = (
            source.region,
            source.vpc_id,
            source.subnet_id,
            source.security_group_ids,
            service,
            check_groups,
        )
        cached = self._endpoint.get(key)
        if cached is not None:
            return cached
        path, by_address = interface_endpoint_path(self, source, service, check_groups=check_groups)
        if not by_address:
            self._endpoint[key] = path
        return path

    def ecr_endpoint_path(self, source: Source, *, needs_api: bool) -> Path:
        legs = [self.interface_path(source, EndpointService.ECR_DKR)]
        if needs_api:
            legs.append(self.interface_path(source, EndpointService.ECR_API))
        legs.append(s3_gateway_path(self, source))
        name = "ECR endpoints (ecr.dkr" + (", ecr.api" if needs_api else "") + ", s3 gateway)"
        return combine(name, legs)

    def reach(
        self,
        source: Source,
        destination: Destination,
        *,
        same_region: bool = True,
        ecr_api_on_task_eni: bool = True,
        check_groups: bool = True,
        ipv6_destination: bool = False,
        hosts: Sequence[HostNeed] | None = None,
    ) -> Reachability:
        """Every path to ``destination``; endpoints are tried only for same-region services.

        ``ecr_api_on_task_eni`` is False on Linux platform 1.3.0 and older, where ECR
        authentication does not use the task ENI; ``check_groups`` False skips the endpoint's
        security group legs for traffic that leaves through the Fargate-owned ENI (secrets on
        1.3.0 and older), which no customer group applies to; the internet paths then leave
        out the task's security groups too. ``ipv6_destination`` is True only for
        destinations known to be IPv6-capable (ECR dual-stack image URIs): an IPv6-only subnet
        reaches every other destination only through DNS64 + NAT64 ("Using a VPC in IPv6-only
        mode" in the Fargate task networking guide). ``hosts`` are the host names the
        destination needs over the internet, for Network Firewall domain lists.
        """
        paths = list(
            self.internet_paths(
                source, ipv6_destination=ipv6_destination, check_groups=check_groups, hosts=hosts
            )
        )
        if same_region:
            if destination is Destination.ECR:
                paths.append(self.ecr_endpoint_path(source, needs_api=ecr_api_on_task_eni))
            elif destination is Destination.S3:
                paths.append(s3_gateway_path(self, source, check_groups=check_groups))
            elif destination in _ENDPOINT_FOR:
                paths.append(
                    self.interface_path(
                        source, _ENDPOINT_FOR[destination], check_groups=check_groups
                    )
                )
        return Reachability(destination=str(destination), paths=self.with_owners(paths))
