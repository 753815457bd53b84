"""MTU of the hops a subnet's private routes cross.

https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/network_mtu.html lists the MTU of each
hop kind.

Only targets with a documented MTU below 9001 are flagged: transit gateways and Cloud WAN
(8500), Gateway Load Balancer endpoints (8500) and virtual private gateways (1500, lower inside
the tunnel). Peering is 9001 within a region; appliances (ENI, instance) and NAT gateways have
no documented figure and are listed without a verdict.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from checks.reachability.routes import Network, covers, parse_network

JUMBO = 9001

PRIVATE_RANGES: tuple[Network, ...] = tuple(
    ipaddress.ip_network(c)
    for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)


@dataclass(frozen=True, kw_only=True)
class RouteMtu:
    destination: str
    target: str
    mtu: int | None
    note: str

    @property
    def below_jumbo(self) -> bool:
        return self.mtu is not None and self.mtu < JUMBO

    def as_evidence(self) -> dict[str, Any]:
        return {
            "destination": self.destination,
            "target": self.target,
            "mtu": self.mtu,
            "note": self.note,
        }


# (target ID prefix or target type, MTU, what the hop is), first match wins.
_TARGETS: tuple[tuple[str, int, str], ...] = (
    ("local", JUMBO, "within the VPC"),
    ("tgw-", 8500, "transit gateway"),
    ("transit-gateway", 8500, "transit gateway"),
    ("core-network", 8500, "AWS Cloud WAN core network"),
    ("arn:aws:networkmanager", 8500, "AWS Cloud WAN core network"),
    ("vgw-", 1500, "virtual private gateway (Site-to-Site VPN or Direct Connect)"),
    ("vpce-", 8500, "Gateway Load Balancer endpoint"),
    ("pcx-", JUMBO, "VPC peering (9001 within a region; 8500 between regions)"),
)


def target_mtu(route: dict[str, Any]) -> tuple[int | None, str]:
    target = str(route.get("target_id") or "")
    kind = str(route.get("target_type") or "")
    for key, mtu, note in _TARGETS:
        if target.startswith(key) or kind == key:
            return mtu, note
    return None, f"{kind or 'target'} with no documented MTU"


def is_private(
    destination: str, prefix_list_cidrs: Callable[[str], Sequence[str] | None]
) -> bool | None:
    """Whether a route's destination is private address space; None if a list is unknown."""
    if destination.startswith("pl-"):
        cidrs = prefix_list_cidrs(destination)
        if cidrs is None:
            return None
        nets = [n for n in (parse_network(c) for c in cidrs) if n is not None]
        return bool(nets) and all(any(covers(p, n) for p in PRIVATE_RANGES) for n in nets)
    net = parse_network(destination)
    return net is not None and any(covers(p, net) for p in PRIVATE_RANGES)


# The regions of a peering connection's two sides, or None when it was not collected.
PeeringRegions = Callable[[str], tuple[str | None, str | None] | None]


def peering_mtu(regions: tuple[str | None, str | None] | None) -> tuple[int | None, str]:
    """Within a region peering keeps jumbo frames; between regions the sources disagree
    (8500 on the current EC2 MTU page, 1500 in the peering guide): 1500 is reported."""
    if regions is None:
        return None, "VPC peering connection not in the inventory: its regions are unknown"
    requester, accepter = regions
    if requester is None or accepter is None:
        return None, "VPC peering connection whose regions were not returned"
    if requester == accepter:
        return JUMBO, f"VPC peering within {requester}"
    return 1500, (
        f"inter-region VPC peering ({requester} to {accepter}): 1500 assumed; the current "
        "EC2 MTU page says 8500, the VPC peering guide 1500"
    )


def private_route_mtus(
    routes: Sequence[dict[str, Any]],
    prefix_list_cidrs: Callable[[str], Sequence[str] | None],
    peering_regions: PeeringRegions | None = None,
) -> tuple[list[RouteMtu], list[RouteMtu]]:
    """Active routes to private destinations with their MTU, and the routes to prefix lists
    whose entries were not collected (private or not cannot be told)."""
    found: list[RouteMtu] = []
    unresolved: list[RouteMtu] = []
    for route in routes:
        if route.get("state") != "active":
            continue
        destination = str(route.get("destination") or "")
        private = is_private(destination, prefix_list_cidrs)
        if private is False:
            continue
        target = str(route.get("target_id") or "")
        if target.startswith("pcx-") and peering_regions is not None:
            mtu, note = peering_mtu(peering_regions(target))
        else:
            mtu, note = target_mtu(route)
        entry = RouteMtu(
            destination=destination, target=str(route.get("target_id")), mtu=mtu, note=note
        )
        (found if private else unresolved).append(entry)
    return found, unresolved
