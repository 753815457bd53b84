"""Network ACLs: stateless rules in rule-number order, checked for each direction of a flow.

A network ACL applies where traffic enters or leaves a subnet
(https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html): outbound
rules match the packet's destination, inbound rules its source, and the port range is the
packet's destination port. Being stateless, a connection needs the request allowed one way and
the reply (to the client's ephemeral port) allowed the other way. IPv4 and IPv6 entries are
separate rule sets; the ``*`` rule (32767 / 32768) denies what nothing else decided, whether or
not the API listed it.

The evaluator is exact over a set of packets: every (peer address, destination port) pair is
decided by the first matching rule. A flow whose peer is "the internet" (any public address)
can be decided for some addresses and not others; only a port denied for every address is a
certain failure, the rest is left open.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from checks.reachability.routes import Network, parse_network

TCP = 6
UDP = 17
HTTPS = 443
# AWS's advice for inbound return traffic, and the NAT gateway's own source ports:
# https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html
EPHEMERAL = (1024, 65535)
# The Linux ephemeral range: Fargate's own range is not documented, so a NACL that allows
# only this much is accepted with a caveat.
LINUX_EPHEMERAL = (32768, 61000)

_MAX_V4 = 2**32 - 1
_MAX_V6 = 2**128 - 1

# Addresses a packet to "the internet" can go to: everything but private, shared, loopback,
# link-local, multicast and reserved ranges (IPv4), and the global unicast block (IPv6).
_NOT_PUBLIC_V4 = (
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "224.0.0.0/3",
)
PUBLIC_V6: Network = ipaddress.ip_network("2000::/3")


class NetworkAclRecord(Protocol):
    """What the evaluator reads of a collected network ACL (``Ec2NetworkAcl``)."""

    @property
    def network_acl_id(self) -> str: ...

    @property
    def is_default(self) -> bool: ...

    @property
    def entries(self) -> list[dict[str, Any]]: ...


Interval = tuple[int, int]


def _interval(network: Network) -> Interval:
    return int(network.network_address), int(network.broadcast_address)


def _merge(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    merged: list[Interval] = []
    for low, high in sorted(intervals):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return tuple(merged)


def _without(intervals: tuple[Interval, ...], holes: Iterable[Interval]) -> tuple[Interval, ...]:
    result = list(intervals)
    for hole_low, hole_high in holes:
        kept: list[Interval] = []
        for low, high in result:
            if hole_high < low or hole_low > high:
                kept.append((low, high))
                continue
            if low < hole_low:
                kept.append((low, hole_low - 1))
            if high > hole_high:
                kept.append((hole_high + 1, high))
        result = kept
    return tuple(result)


PUBLIC_V4_INTERVALS = _without(
    ((0, _MAX_V4),),
    (_interval(ipaddress.ip_network(n)) for n in _NOT_PUBLIC_V4),
)


@dataclass(frozen=True, kw_only=True)
class Peers:
    """The addresses at the other end of a crossing, in one IP family, with a name."""

    version: int
    intervals: tuple[Interval, ...]
    label: str

    @classmethod
    def of(cls, networks: Sequence[Network], label: str | None = None) -> Peers:
        if not networks:
            raise ValueError("a peer needs at least one network")
        versions = {n.version for n in networks}
        if len(versions) != 1:
            raise ValueError("peers of one crossing are of one IP family")
        return cls(
            version=versions.pop(),
            intervals=_merge(_interval(n) for n in networks),
            label=label or ", ".join(str(n) for n in networks),
        )

    @classmethod
    def internet(cls, version: int = 4) -> Peers:
        if version == 4:
            return cls(version=4, intervals=PUBLIC_V4_INTERVALS, label="the internet")
        return cls(version=6, intervals=(_interval(PUBLIC_V6),), label="the IPv6 internet")


@dataclass(frozen=True, kw_only=True)
class Crossing:
    """Packets entering (``egress`` False) or leaving a subnet, as its NACL sees them."""

    egress: bool
    peers: Peers
    ports: tuple[int, int]
    protocol: int = TCP

    def describe(self) -> str:
        way = "outbound" if self.egress else "inbound"
        toward = "to" if self.egress else "from"
        return (
            f"{way} {_protocol_name(self.protocol)} {_ports(self.ports)} {toward} "
            f"{self.peers.label}"
        )


@dataclass(frozen=True, kw_only=True)
class AclVerdict:
    """``allowed`` True: every packet passes; False: some port fails whatever the address;
    None: the answer depends on which address the peer really has."""

    allowed: bool | None
    detail: str
    # The rule numbers that decided, in rule order; "*" for the closing deny.
    rules: tuple[str, ...]


def _protocol_name(protocol: int) -> str:
    return {TCP: "TCP", UDP: "UDP", 1: "ICMP", 58: "ICMPv6"}.get(protocol, f"protocol {protocol}")


def _ports(ports: tuple[int, int]) -> str:
    low, high = ports
    return str(low) if low == high else f"{low}-{high}"


def _entry_matches_protocol(entry: dict[str, Any], protocol: int) -> bool:
    value = str(entry.get("protocol", "")).strip().lower()
    if value in ("-1", "all"):
        return True
    names = {"tcp": TCP, "udp": UDP, "icmp": 1, "icmpv6": 58}
    try:
        number = names[value] if value in names else int(value)
    except ValueError:
        return False
    return number == protocol


def _entry_ports(entry: dict[str, Any], protocol: int) -> tuple[int, int]:
    """The destination ports an entry covers: its range for TCP/UDP rules, else all."""
    value = str(entry.get("protocol", "")).strip().lower()
    if value in ("6", "17", "tcp", "udp") and protocol in (TCP, UDP):
        low, high = entry.get("port_from"), entry.get("port_to")
        if low is not None and high is not None:
            return int(low), int(high)
    return 0, 65535


def _entry_network(entry: dict[str, Any], version: int) -> Network | None:
    key = "cidr_block" if version == 4 else "ipv6_cidr_block"
    network = parse_network(entry.get(key))
    return network if network is not None and network.version == version else None


Box = tuple[int, int, int, int]  # address low, address high, port low, port high


def _intersect(a: Box, b: Box) -> Box | None:
    box = (max(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), min(a[3], b[3]))
    return box if box[0] <= box[1] and box[2] <= box[3] else None


def _subtract(a: Box, b: Box) -> list[Box]:
    """``a`` minus ``b``, as at most four boxes."""
    cut = _intersect(a, b)
    if cut is None:
        return [a]
    pieces: list[Box] = []
    if a[0] < cut[0]:
        pieces.append((a[0], cut[0] - 1, a[2], a[3]))
    if cut[1] < a[1]:
        pieces.append((cut[1] + 1, a[1], a[2], a[3]))
    if a[2] < cut[2]:
        pieces.append((cut[0], cut[1], a[2], cut[2] - 1))
    if cut[3] < a[3]:
        pieces.append((cut[0], cut[1], cut[3] + 1, a[3]))
    return pieces


@dataclass(frozen=True)
class _Decision:
    rule: str
    allow: bool
    box: Box


def _rules_in_order(acl: NetworkAclRecord, crossing: Crossing) -> list[dict[str, Any]]:
    version = crossing.peers.version
    return sorted(
        (
            e
            for e in acl.entries
            if bool(e.get("egress")) == crossing.egress
            and _entry_network(e, version) is not None
            and _entry_matches_protocol(e, crossing.protocol)
        ),
        key=lambda e: int(e.get("rule_number") or 0),
    )


def _rule_label(entry: dict[str, Any]) -> str:
    number = int(entry.get("rule_number") or 0)
    return "*" if number >= 32767 else str(number)


def _decide(acl: NetworkAclRecord, crossing: Crossing) -> list[_Decision]:
    """Every packet of ``crossing`` with the rule that decides it, first match wins."""
    remaining: list[Box] = [
        (low, high, crossing.ports[0], crossing.ports[1]) for low, high in crossing.peers.intervals
    ]
    decisions: list[_Decision] = []
    for entry in _rules_in_order(acl, crossing):
        if not remaining:
            break
        network = _entry_network(entry, crossing.peers.version)
        assert network is not None  # filtered in _rules_in_order
        low, high = _interval(network)
        port_low, port_high = _entry_ports(entry, crossing.protocol)
        rule_box: Box = (low, high, port_low, port_high)
        allow = str(entry.get("rule_action", "")).lower() == "allow"
        still: list[Box] = []
        for box in remaining:
            cut = _intersect(box, rule_box)
            if cut is None:
                still.append(box)
                continue
            decisions.append(_Decision(rule=_rule_label(entry), allow=allow, box=cut))
            still.extend(_subtract(box, rule_box))
        remaining = still
    # What no listed rule decided falls to the "*" rule, listed by the API or not.
    decisions.extend(_Decision(rule="*", allow=False, box=box) for box in remaining)
    return decisions


def _covers_all(intervals: tuple[Interval, ...], pieces: list[Interval]) -> bool:
    return not _without(intervals, pieces)


def _port_denied_everywhere(
    decisions: list[_Decision], crossing: Crossing
) -> tuple[tuple[int, int], str] | None:
    """A port range denied for every peer address (and the rule denying it), if any."""
    denied = [d for d in decisions if not d.allow]
    cuts = sorted(
        {crossing.ports[0], crossing.ports[1] + 1}
        | {d.box[2] for d in denied}
        | {d.box[3] + 1 for d in denied}
    )
    for low, next_low in itertools.pairwise(cuts):
        if low < crossing.ports[0] or low > crossing.ports[1]:
            continue
        high = next_low - 1
        over = [d for d in denied if d.box[2] <= low and d.box[3] >= high]
        if over and _covers_all(crossing.peers.intervals, [(d.box[0], d.box[1]) for d in over]):
            return (low, high), over[0].rule
    return None


def _describe_rule(rule: str) -> str:
    if rule == "*":
        return "the closing * rule (no numbered rule allows it)"
    return f"rule {rule}"


def evaluate_acl(acl: NetworkAclRecord, crossing: Crossing) -> AclVerdict:
    """Whether the NACL lets every packet of ``crossing`` through, and which rules decided."""
    decisions = _decide(acl, crossing)
    rules = tuple(dict.fromkeys(d.rule for d in decisions))
    allowing = [d for d in decisions if d.allow]
    denying = [d for d in decisions if not d.allow]
    what = crossing.describe()
    if not denying:
        listed = ", ".join(f"rule {r}" for r in dict.fromkeys(d.rule for d in allowing))
        return AclVerdict(allowed=True, detail=f"{what} allowed by {listed}", rules=rules)
    if not allowing:
        first = denying[0].rule
        return AclVerdict(
            allowed=False,
            detail=f"{what} denied by {_describe_rule(first)}",
            rules=(first,),
        )
    denied_port = _port_denied_everywhere(decisions, crossing)
    if denied_port is not None:
        ports, rule = denied_port
        return AclVerdict(
            allowed=False,
            detail=f"{what}: ports {_ports(ports)} are denied by {_describe_rule(rule)}",
            rules=(rule,),
        )
    allowed_by = ", ".join(dict.fromkeys(d.rule for d in allowing))
    denied_by = ", ".join(dict.fromkeys(d.rule for d in denying))
    return AclVerdict(
        allowed=None,
        detail=f"{what} is allowed for some addresses (rule {allowed_by}) and denied for "
        f"others (rule {denied_by}): whether the addresses used are allowed is not known",
        rules=rules,
    )


def evaluate_return(acl: NetworkAclRecord, crossing: Crossing) -> AclVerdict:
    """Reply traffic to a task's ephemeral port: 1024-65535 passes; only the Linux range
    32768-61000 passes with a caveat (Fargate's range is not documented); less fails."""
    full = evaluate_acl(acl, crossing)
    if full.allowed is True:
        return full
    linux = Crossing(
        egress=crossing.egress,
        peers=crossing.peers,
        ports=LINUX_EPHEMERAL,
        protocol=crossing.protocol,
    )
    narrow = evaluate_acl(acl, linux)
    if narrow.allowed is True:
        return AclVerdict(
            allowed=True,
            detail=f"{narrow.detail}; only part of 1024-65535 is allowed ({full.detail}): "
            "Fargate's ephemeral port range is not documented, the Linux range is assumed",
            rules=narrow.rules,
        )
    return narrow


def ephemeral_crossing(egress: bool, peers: Peers) -> Crossing:
    """Reply packets of a TCP connection: to the client's ephemeral ports."""
    return Crossing(egress=egress, peers=peers, ports=EPHEMERAL)


def request_crossing(
    egress: bool, peers: Peers, port: int = HTTPS, protocol: int = TCP
) -> Crossing:
    return Crossing(egress=egress, peers=peers, ports=(port, port), protocol=protocol)
