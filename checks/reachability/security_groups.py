"""Security group rules on one TCP port (443 unless told), from IpPermissions as EC2 returns them.

Groups are stateful, so a path needs only the source's egress and the destination's ingress.
An all-traffic rule (``IpProtocol`` "-1") counts; a group that was not collected proves nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.store.resources import Ec2SecurityGroup
from checks.reachability.routes import Network, covers, parse_network

HTTPS = 443


@dataclass(frozen=True, kw_only=True)
class Peer:
    """What a rule must name for traffic to pass: networks, a prefix list, or groups.

    Every network in ``networks`` must be covered by one rule; ``prefix_list_cidrs`` None means
    the list's entries are unknown, so only a rule naming the list (or all addresses) proves it.
    """

    networks: tuple[Network, ...] = ()
    group_ids: tuple[str, ...] = ()
    prefix_list_id: str | None = None
    prefix_list_cidrs: tuple[str, ...] | None = None
    # The IP version of the prefix list's addresses (4 when unknown, as for the S3 list).
    prefix_list_version: int = 4


def allows_https(permission: dict[str, Any]) -> bool:
    return allows_tcp(permission, HTTPS)


def allows_tcp(permission: dict[str, Any], port: int) -> bool:
    protocol = str(permission.get("IpProtocol", "")).lower()
    if protocol in ("-1", "all"):
        return True
    if protocol not in ("tcp", "6"):
        return False
    low = permission.get("FromPort")
    high = permission.get("ToPort")
    if low is None or high is None:
        return True
    return int(low) <= port <= int(high)


def _rule_networks(permission: dict[str, Any]) -> list[Network]:
    nets: list[Network] = []
    for entry in permission.get("IpRanges") or []:
        net = parse_network(entry.get("CidrIp"))
        if net is not None:
            nets.append(net)
    for entry in permission.get("Ipv6Ranges") or []:
        net = parse_network(entry.get("CidrIpv6"))
        if net is not None:
            nets.append(net)
    return nets


def _rule_groups(permission: dict[str, Any]) -> set[str]:
    return {
        str(pair["GroupId"])
        for pair in permission.get("UserIdGroupPairs") or []
        if pair.get("GroupId")
    }


def _rule_prefix_lists(permission: dict[str, Any]) -> set[str]:
    return {
        str(entry["PrefixListId"])
        for entry in permission.get("PrefixListIds") or []
        if entry.get("PrefixListId")
    }


def _covers_prefix_list(permission: dict[str, Any], peer: Peer) -> bool:
    if peer.prefix_list_id in _rule_prefix_lists(permission):
        return True
    rule_nets = _rule_networks(permission)
    if peer.prefix_list_cidrs is None:
        # Unknown entries: only a rule open to every address of the list's IP version proves
        # access (an unknown list is taken as IPv4, like the AWS service lists: ::/0 is not
        # enough).
        return any(
            net.prefixlen == 0 and net.version == peer.prefix_list_version for net in rule_nets
        )
    wanted = [net for net in (parse_network(c) for c in peer.prefix_list_cidrs) if net]
    return bool(wanted) and all(any(covers(rule, net) for rule in rule_nets) for net in wanted)


def _permission_matches(permission: dict[str, Any], peer: Peer, port: int) -> bool:
    if not allows_tcp(permission, port):
        return False
    if peer.group_ids and _rule_groups(permission) & set(peer.group_ids):
        return True
    if peer.prefix_list_id is not None:
        return _covers_prefix_list(permission, peer)
    rule_nets = _rule_networks(permission)
    return bool(peer.networks) and all(
        any(covers(rule, net) for rule in rule_nets) for net in peer.networks
    )


@dataclass(frozen=True, kw_only=True)
class RuleCheck:
    allowed: bool | None
    detail: str
    matching: tuple[str, ...] = ()


def check_rules(
    group_ids: Sequence[str],
    groups: dict[str, Ec2SecurityGroup],
    peer: Peer,
    *,
    direction: str,
    port: int = HTTPS,
) -> RuleCheck:
    """Whether any of ``group_ids`` allows TCP ``port`` to or from ``peer``.

    ``direction`` is "egress" (rules of the sending side) or "ingress" (the receiving side).
    """
    if not group_ids:
        return RuleCheck(allowed=None, detail="no security group is known for this interface")
    found: list[Ec2SecurityGroup] = []
    absent: list[str] = []
    for group_id in group_ids:
        group = groups.get(group_id)
        if group is None:
            absent.append(group_id)
        else:
            found.append(group)
    matching = [
        group.group_id
        for group in found
        if any(
            _permission_matches(p, peer, port)
            for p in (group.egress if direction == "egress" else group.ingress)
        )
    ]
    if matching:
        return RuleCheck(
            allowed=True,
            detail=f"{direction} TCP {port} allowed by {', '.join(matching)}",
            matching=tuple(matching),
        )
    if absent:
        return RuleCheck(
            allowed=None,
            detail=f"{direction} TCP {port} not allowed by the collected groups; "
            f"{', '.join(absent)} not found in the inventory",
        )
    return RuleCheck(
        allowed=False,
        detail=f"no {direction} rule of {', '.join(group_ids)} allows TCP {port} to "
        f"{describe_peer(peer)}",
    )


def describe_peer(peer: Peer) -> str:
    parts: list[str] = [str(net) for net in peer.networks]
    parts.extend(f"group {g}" for g in peer.group_ids)
    if peer.prefix_list_id:
        parts.append(f"prefix list {peer.prefix_list_id}")
    return " / ".join(parts) or "the destination"


def group_ids_of(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))
