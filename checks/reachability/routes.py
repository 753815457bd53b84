"""Route selection: longest-prefix match over one route table, IPv4 and IPv6 apart.

VPC route priority: the most specific route wins; on the same prefix a static CIDR route beats
a prefix-list route, which beats a propagated route
(https://docs.aws.amazon.com/vpc/latest/userguide/route-tables-priority.html). A prefix-list
route matches with the length of the list entry that contains the destination.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

INTERNET_V4: Network = ipaddress.ip_network("0.0.0.0/0")
INTERNET_V6: Network = ipaddress.ip_network("::/0")
NAT64_PREFIX: Network = ipaddress.ip_network("64:ff9b::/96")

_PROPAGATED = "EnableVgwRoutePropagation"


@lru_cache(maxsize=65536)
def parse_network(text: str | None) -> Network | None:
    """A network from CIDR text, or None; cached, since the same few CIDRs recur everywhere."""
    if not text:
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def covers(outer: Network, inner: Network) -> bool:
    return outer.version == inner.version and inner.subnet_of(outer)  # type: ignore[arg-type]


@dataclass(frozen=True, kw_only=True)
class RouteMatch:
    route: dict[str, Any] | None
    # Prefix lists a candidate route used whose entries were not collected: the match may be
    # wrong, so a path built on it is not proven.
    unresolved_prefix_lists: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return self.route is not None and self.route.get("state") == "active"


def _rank(route: dict[str, Any], length: int, from_prefix_list: bool) -> tuple[int, int]:
    if route.get("origin") == _PROPAGATED:
        priority = 0
    elif from_prefix_list:
        priority = 1
    else:
        priority = 2
    return (length, priority)


def best_route(
    routes: Sequence[dict[str, Any]],
    destination: Network,
    prefix_list_cidrs: Callable[[str], Sequence[str] | None],
) -> RouteMatch:
    """The route a packet to ``destination`` (a whole network) takes, if any.

    ``prefix_list_cidrs`` returns the entries of a prefix list, or None when they are unknown.
    """
    best: tuple[tuple[int, int], dict[str, Any]] | None = None
    unresolved: list[str] = []
    for route in routes:
        dest = str(route.get("destination") or "")
        if dest.startswith("pl-"):
            cidrs = prefix_list_cidrs(dest)
            if cidrs is None:
                unresolved.append(dest)
                continue
            lengths = [
                net.prefixlen
                for net in (parse_network(c) for c in cidrs)
                if net is not None and covers(net, destination)
            ]
            if not lengths:
                continue
            rank = _rank(route, max(lengths), from_prefix_list=True)
        else:
            net = parse_network(dest)
            if net is None or not covers(net, destination):
                continue
            rank = _rank(route, net.prefixlen, from_prefix_list=False)
        if best is None or rank > best[0]:
            best = (rank, route)
    return RouteMatch(
        route=best[1] if best else None, unresolved_prefix_lists=tuple(sorted(set(unresolved)))
    )


def describe_route(route: dict[str, Any] | None) -> str:
    if route is None:
        return "no route"
    return (
        f"{route.get('destination')} -> {route.get('target_id')} "
        f"({route.get('target_type')}, {route.get('state')})"
    )


def split_routes(
    routes: Sequence[dict[str, Any]],
    destination: Network,
    prefix_list_cidrs: Callable[[str], Sequence[str] | None],
    *,
    max_depth: int = 16,
) -> list[tuple[Network, RouteMatch]] | None:
    """When no single route covers ``destination``: the more specific routes that together
    cover all of it (e.g. 0.0.0.0/1 + 128.0.0.0/1), one per piece, or None when some part of
    it has no route (or the split is finer than ``max_depth`` extra prefix bits)."""
    pieces: list[tuple[Network, RouteMatch]] = []
    cidrs = [net for net in (parse_network(str(r.get("destination") or "")) for r in routes) if net]

    def walk(network: Network, depth: int) -> bool:
        match = best_route(routes, network, prefix_list_cidrs)
        if match.route is not None:
            pieces.append((network, match))
            return True
        if depth >= max_depth or not any(covers(network, net) for net in cidrs):
            return False
        return all(walk(half, depth + 1) for half in network.subnets(prefixlen_diff=1))

    if best_route(routes, destination, prefix_list_cidrs).route is not None:
        return None
    return pieces if walk(destination, 0) else None
