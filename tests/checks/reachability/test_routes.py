"""Route choice: longest prefix, static over propagated, prefix lists; the main route table."""

from __future__ import annotations

import ipaddress

from checks.base import Status
from checks.paths import image_pull_path
from checks.reachability.routes import INTERNET_V4, INTERNET_V6, best_route
from tests.checks.checks_factories import (
    InventoryEstate,
    all_hops,
    https_from_group,
    normalised_route,
    only,
)

S3 = {"pl-s3": ["52.216.0.0/15"]}


def lookup(prefix_list: str) -> list[str] | None:
    return S3.get(prefix_list)


def net(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(text)


def test_longest_prefix_wins() -> None:
    routes = [normalised_route("0.0.0.0/0", "nat-1"), normalised_route("52.216.0.0/16", "igw-1")]
    assert best_route(routes, net("52.216.1.0/24"), lookup).route == routes[1]
    assert best_route(routes, net("8.8.8.8/32"), lookup).route == routes[0]


def test_ipv4_and_ipv6_are_matched_separately() -> None:
    routes = [normalised_route("0.0.0.0/0", "igw-1")]
    assert best_route(routes, INTERNET_V6, lookup).route is None
    assert best_route([normalised_route("::/0", "eigw-1")], INTERNET_V4, lookup).route is None


def test_static_beats_propagated_on_the_same_prefix() -> None:
    propagated = normalised_route("10.8.0.0/16", "vgw-1", origin="EnableVgwRoutePropagation")
    static = normalised_route("10.8.0.0/16", "tgw-1")
    assert best_route([propagated, static], net("10.8.0.0/24"), lookup).route == static


def test_prefix_list_route_matches_with_its_entry_length() -> None:
    routes = [normalised_route("0.0.0.0/0", "nat-1"), normalised_route("pl-s3", "vpce-1")]
    assert best_route(routes, net("52.216.4.0/24"), lookup).route == routes[1]


def test_static_cidr_beats_prefix_list_on_the_same_length() -> None:
    routes = [normalised_route("pl-s3", "vpce-1"), normalised_route("52.216.0.0/15", "nat-1")]
    assert best_route(routes, net("52.216.0.0/15"), lookup).route == routes[1]


def test_unknown_prefix_list_is_reported() -> None:
    match = best_route([normalised_route("pl-unknown", "vpce-1")], net("52.216.0.0/24"), lookup)
    assert (match.route, match.unresolved_prefix_lists) == (None, ("pl-unknown",))


def test_missing_main_route_table_is_unknown_not_fail(estate: InventoryEstate) -> None:
    estate.vpc()
    estate.subnet()
    estate.igw()
    estate.security_group()
    estate.task(public_ip="54.1.2.3")
    result = only(image_pull_path.evaluate(estate.inventory()))
    assert result.status is Status.UNKNOWN
    route_table_hops = [h for h in all_hops(result) if h["step"] == "route-table"]
    assert route_table_hops and all(h["ok"] is None for h in route_table_hops)


def test_missing_main_route_table_leaves_the_s3_gateway_leg_unknown(
    estate: InventoryEstate,
) -> None:
    estate.vpc()
    estate.subnet()
    estate.security_group()
    estate.security_group(group_id="sg-endpoints", ingress=[https_from_group("sg-task")])
    estate.endpoint("ecr.dkr")
    estate.endpoint("ecr.api")
    estate.endpoint("s3", endpoint_id="vpce-s3", endpoint_type="Gateway")
    estate.prefix_list()
    estate.task()
    result = only(image_pull_path.evaluate(estate.inventory()))
    assert result.status is Status.UNKNOWN
    s3_route = [h for h in all_hops(result) if h["step"] == "route" and h["id"] == "subnet-1"]
    assert [h["ok"] for h in s3_route] == [None]
