"""NFS paths to EFS file systems: from the task ENI to the mount target in the task's AZ.

A Fargate task mounts an EFS volume by the file system's DNS name, which resolves only to the
mount target in the client's own Availability Zone, and only through the VPC's resolver. The
traffic is NFS (TCP 2049) from the task ENI to the mount target's ENI, so the task's groups
must allow it out and the mount target's groups must allow it in. EFS needs Linux platform
1.4.0 (the seed's traffic table: "not available" on 1.3.0 and older).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditor.store.resources import EcsTaskDefinition, EfsFileSystem, EfsMountTarget
from checks.platform import Platform
from checks.reachability.acl_hops import between_subnets
from checks.reachability.endpoints import dhcp_dns_hop
from checks.reachability.model import Hop, Path, Reachability, Source
from checks.reachability.routes import Network, parse_network
from checks.reachability.security_groups import Peer, check_rules, group_ids_of
from checks.support import EFS_ACCESS_POINTS

if TYPE_CHECKING:
    from checks.reachability.network import NetworkView

NFS = 2049
_AVAILABLE = "available"


@dataclass(frozen=True, kw_only=True)
class EfsVolume:
    """One ``efsVolumeConfiguration`` volume of a task definition."""

    name: str
    file_system_id: str
    access_point_id: str | None
    iam_authorization: bool
    transit_encryption: bool

    def evidence(self) -> dict[str, Any]:
        return {
            "volume": self.name,
            "file_system_id": self.file_system_id,
            "access_point_id": self.access_point_id,
            "iam_authorization": self.iam_authorization,
            "transit_encryption": self.transit_encryption,
        }


def efs_volumes_of(definition: EcsTaskDefinition | None) -> list[EfsVolume]:
    if definition is None:
        return []
    volumes = []
    for volume in definition.volumes:
        config = volume.get("efsVolumeConfiguration") if isinstance(volume, dict) else None
        if not isinstance(config, dict) or not config.get("fileSystemId"):
            continue
        authorization = config.get("authorizationConfig") or {}
        volumes.append(
            EfsVolume(
                name=str(volume.get("name") or config["fileSystemId"]),
                file_system_id=str(config["fileSystemId"]),
                access_point_id=authorization.get("accessPointId") or None,
                iam_authorization=str(authorization.get("iam", "")).upper() == "ENABLED",
                transit_encryption=str(config.get("transitEncryption", "")).upper() == "ENABLED",
            )
        )
    return volumes


def task_zone(net: NetworkView, source: Source, fallback: str | None) -> str | None:
    """The task's Availability Zone: its subnet's, else what DescribeTasks reported."""
    subnet = net.inventory.subnet_by_id.get(source.subnet_id)
    return (subnet.availability_zone if subnet is not None else None) or fallback


def _platform_hop(platform: Platform) -> Hop:
    legacy = platform.legacy
    return Hop(
        step="platform-version",
        subject=platform.version,
        ok=None if legacy is None else not legacy,
        detail=(
            f"{platform.describe()} cannot be judged: the version is not a number"
            if legacy is None
            else f"{platform.describe()} does not support EFS volumes (1.4.0 or newer needed)"
            if legacy
            else f"{platform.describe()} supports EFS volumes"
        ),
    )


def _file_system_hop(
    volume: EfsVolume, file_system: EfsFileSystem | None, account_id: str, region: str
) -> Hop:
    if file_system is None:
        return Hop(
            step="file-system",
            subject=volume.file_system_id,
            ok=None,
            detail=f"file system {volume.file_system_id} is not among the file systems of "
            f"account {account_id} in {region}: deleted since the task started, or owned by "
            "another account",
        )
    state = file_system.life_cycle_state or "unknown"
    return Hop(
        step="file-system",
        subject=file_system.file_system_id,
        ok=state == _AVAILABLE,
        detail=f"file system {file_system.file_system_id} is {state}",
    )


def _one_zone_hop(file_system: EfsFileSystem, zone: str | None) -> Hop | None:
    home = file_system.availability_zone_name
    if home is None:
        return None
    where = f"One Zone file system {file_system.file_system_id} lives in {home}"
    if zone is None:
        return Hop(
            step="file-system-zone",
            subject=file_system.file_system_id,
            ok=None,
            detail=f"{where}; the task's Availability Zone is not known",
        )
    return Hop(
        step="file-system-zone",
        subject=file_system.file_system_id,
        ok=home == zone,
        detail=where if home == zone else f"{where}, not in {zone} where the task runs",
    )


def _access_point_hop(net: NetworkView, volume: EfsVolume, region: str) -> Hop | None:
    if volume.access_point_id is None:
        return None
    point = net.inventory.access_point_by_id.get(volume.access_point_id)
    if point is None and net.inventory.missing(region, (EFS_ACCESS_POINTS,)):
        why = net.inventory.describe_missing(region, (EFS_ACCESS_POINTS,))
        return Hop(
            step="access-point",
            subject=volume.access_point_id,
            ok=None,
            detail=f"access point {volume.access_point_id} cannot be looked up: missing {why}",
        )
    if point is None:
        return Hop(
            step="access-point",
            subject=volume.access_point_id,
            ok=False,
            detail=f"access point {volume.access_point_id} does not exist on file system "
            f"{volume.file_system_id}",
        )
    if point.file_system_id != volume.file_system_id:
        return Hop(
            step="access-point",
            subject=point.access_point_id,
            ok=False,
            detail=f"access point {point.access_point_id} belongs to {point.file_system_id}, "
            f"not to {volume.file_system_id}",
        )
    state = point.life_cycle_state or "unknown"
    return Hop(
        step="access-point",
        subject=point.access_point_id,
        ok=state == _AVAILABLE,
        detail=f"access point {point.access_point_id} is {state}",
    )


def _iam_hop(volume: EfsVolume, definition: EcsTaskDefinition) -> Hop | None:
    if not volume.iam_authorization:
        return None
    role = definition.task_role_arn
    return Hop(
        step="task-role",
        subject=role or definition.task_definition_arn,
        ok=role is not None,
        detail=f"IAM authorization is enabled and the task role is {role}"
        if role
        else "IAM authorization is enabled but the definition has no task role (taskRoleArn): "
        "the mount is refused",
    )


def _mount_target_hop(
    net: NetworkView, volume: EfsVolume, source: Source, zone: str | None
) -> tuple[EfsMountTarget | None, Hop]:
    targets = net.inventory.mount_targets_by_file_system.get(volume.file_system_id, [])
    if zone is None:
        return None, Hop(
            step="mount-target",
            subject=volume.file_system_id,
            ok=None,
            detail=f"the Availability Zone of subnet {source.subnet_id} is not known",
        )
    here = [t for t in targets if t.availability_zone_name == zone]
    if not here:
        elsewhere = sorted({t.availability_zone_name or "?" for t in targets})
        return None, Hop(
            step="mount-target",
            subject=volume.file_system_id,
            ok=False,
            detail=f"file system {volume.file_system_id} has no mount target in {zone}, the "
            "task's Availability Zone"
            + (f" (mount targets only in {', '.join(elsewhere)})" if elsewhere else ""),
        )
    target = max(here, key=lambda t: t.life_cycle_state == _AVAILABLE)
    subnet = net.inventory.subnet_by_id.get(source.subnet_id)
    if subnet is not None and subnet.ipv6_native:
        return target, Hop(
            step="mount-target",
            subject=target.mount_target_id,
            ok=None,
            detail=f"the task's subnet {source.subnet_id} is IPv6-only: mounting over a mount "
            "target's IPv6 address is not evaluated",
        )
    if target.vpc_id and source.vpc_id and target.vpc_id != source.vpc_id:
        return target, Hop(
            step="mount-target",
            subject=target.mount_target_id,
            ok=None,
            detail=f"mount target {target.mount_target_id} is in {target.vpc_id}, the task in "
            f"{source.vpc_id}: the file system's DNS name does not resolve across VPCs, and "
            "private hosted zones or peering are not evaluated",
        )
    return target, Hop(
        step="mount-target",
        subject=target.mount_target_id,
        ok=True,
        detail=f"mount target {target.mount_target_id} of {volume.file_system_id} in {zone} "
        f"({target.ip_address or 'no address'}, subnet {target.subnet_id})",
    )


def _state_hop(target: EfsMountTarget) -> Hop:
    state = target.life_cycle_state or "unknown"
    return Hop(
        step="mount-target-state",
        subject=target.mount_target_id,
        ok=state == _AVAILABLE,
        detail=f"mount target {target.mount_target_id} is {state}",
    )


def _vpc_dns_hop(net: NetworkView, vpc_id: str | None) -> Hop:
    vpc = net.inventory.vpc_by_id.get(vpc_id or "")
    if vpc is None or vpc.enable_dns_support is None:
        return Hop(
            step="vpc-dns",
            subject=str(vpc_id),
            ok=None,
            detail=f"the DNS support attribute of {vpc_id} was not read",
        )
    return Hop(
        step="vpc-dns",
        subject=vpc.vpc_id,
        ok=vpc.enable_dns_support,
        detail=f"{vpc.vpc_id} enableDnsSupport={str(vpc.enable_dns_support).lower()}"
        + ("" if vpc.enable_dns_support else ": the file system's DNS name does not resolve"),
    )


def _address(value: str | None) -> tuple[Network, ...]:
    if not value:
        return ()
    try:
        return (ipaddress.ip_network(f"{value}/32"),)
    except ValueError:
        return ()


def _source_networks(net: NetworkView, source: Source) -> tuple[Network, ...]:
    own = _address(source.private_ipv4)
    if own:
        return own
    subnet = net.inventory.subnet_by_id.get(source.subnet_id)
    parsed = parse_network(subnet.cidr_block) if subnet else None
    return (parsed,) if parsed is not None else ()


def _group_hops(net: NetworkView, source: Source, target: EfsMountTarget) -> list[Hop]:
    eni = net.inventory.eni_by_id.get(target.network_interface_id or "")
    if eni is None:
        return [
            Hop(
                step="mount-target-security-group-ingress",
                subject=target.network_interface_id or target.mount_target_id,
                ok=None,
                detail=f"the network interface {target.network_interface_id} of mount target "
                f"{target.mount_target_id} is not in the inventory: its security groups are "
                "unknown",
            )
        ]
    target_groups = group_ids_of(eni.security_group_ids)
    groups = net.inventory.security_group_by_id
    egress = check_rules(
        source.security_group_ids,
        groups,
        Peer(group_ids=target_groups, networks=_address(target.ip_address or eni.private_ip)),
        direction="egress",
        port=NFS,
    )
    ingress = check_rules(
        target_groups,
        groups,
        Peer(group_ids=source.security_group_ids, networks=_source_networks(net, source)),
        direction="ingress",
        port=NFS,
    )
    return [
        Hop(
            step="security-group-egress",
            subject=",".join(source.security_group_ids) or "(no security group)",
            ok=egress.allowed,
            detail=f"task to mount target {target.mount_target_id}: {egress.detail}",
        ),
        Hop(
            step="mount-target-security-group-ingress",
            subject=",".join(target_groups) or target.mount_target_id,
            ok=ingress.allowed,
            detail=f"mount target {target.mount_target_id} from the task: {ingress.detail}",
        ),
    ]


def efs_reach(
    net: NetworkView,
    source: Source,
    volume: EfsVolume,
    definition: EcsTaskDefinition,
    platform: Platform,
    *,
    zone: str | None,
) -> Reachability:
    """The one NFS path of ``volume``: through the mount target in the task's zone."""
    account, region = net.inventory.account_id, source.region
    file_system = net.inventory.file_system_by_id.get(volume.file_system_id)
    hops: list[Hop] = [
        _platform_hop(platform),
        _file_system_hop(volume, file_system, account, region),
    ]
    name = f"NFS to {volume.file_system_id} in {zone or 'an unknown zone'}"
    if file_system is not None:
        optional = (
            _one_zone_hop(file_system, zone),
            _access_point_hop(net, volume, region),
            _iam_hop(volume, definition),
        )
        hops.extend(hop for hop in optional if hop is not None)
        target, target_hop = _mount_target_hop(net, volume, source, zone)
        hops.append(target_hop)
        if target is not None:
            name = f"NFS to mount target {target.mount_target_id} in {zone}"
        if target is not None and target_hop.ok is True:
            hops.append(_state_hop(target))
            hops.append(_vpc_dns_hop(net, source.vpc_id))
            hops.append(dhcp_dns_hop(net, source.vpc_id))
            hops.extend(_group_hops(net, source, target))
            hops.extend(
                between_subnets(
                    net,
                    source.subnet_id,
                    target.subnet_id,
                    port=NFS,
                    client_role="task",
                    server_role="mount target",
                )
            )
    return Reachability(
        destination=f"file system {volume.file_system_id}",
        paths=(Path(name=name, hops=tuple(hops)),),
    )
