"""MTU of private routes by target kind."""

from __future__ import annotations

from checks.reachability.mtu import private_route_mtus
from tests.checks.checks_factories import normalised_route

S3 = {"pl-s3": ["52.216.0.0/15"]}


def lookup(prefix_list: str) -> list[str] | None:
    return S3.get(prefix_list)


def test_private_routes_carry_their_mtu_and_internet_routes_are_ignored() -> None:
    routes = [
        normalised_route("10.0.0.0/16", "local"),
        normalised_route("0.0.0.0/0", "igw-1"),
        normalised_route("10.1.0.0/16", "tgw-1"),
        normalised_route("192.168.0.0/16", "vgw-1"),
        normalised_route("172.16.0.0/12", "pcx-1"),
        normalised_route("10.9.0.0/16", "eni-1"),
        normalised_route("10.7.0.0/16", "tgw-1", state="blackhole"),
    ]
    found, unresolved = private_route_mtus(routes, lookup)
    assert [(r.destination, r.mtu) for r in found] == [
        ("10.0.0.0/16", 9001),
        ("10.1.0.0/16", 8500),
        ("192.168.0.0/16", 1500),
        ("172.16.0.0/12", 9001),
        ("10.9.0.0/16", None),
    ]
    assert unresolved == []
