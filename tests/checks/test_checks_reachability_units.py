"""The evaluator's building blocks: route priority, security group rules, image and secret refs."""

from __future__ import annotations

import ipaddress

import pytest
from checks_factories import route

from auditor.store.resources import Ec2SecurityGroup, EcsTaskDefinition
from checks.platform import Platform, resolve_platform
from checks.reachability.destinations import (
    EndpointService,
    RegistryKind,
    classify_image,
    secrets_of,
)
from checks.reachability.mtu import private_route_mtus
from checks.reachability.routes import INTERNET_V4, INTERNET_V6, best_route
from checks.reachability.security_groups import Peer, allows_https, check_rules

S3 = {"pl-s3": ["52.216.0.0/15"]}


def lookup(prefix_list: str) -> list[str] | None:
    return S3.get(prefix_list)


def net(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(text)


def test_longest_prefix_wins() -> None:
    routes = [route("0.0.0.0/0", "nat-1"), route("52.216.0.0/16", "igw-1")]
    assert best_route(routes, net("52.216.1.0/24"), lookup).route == routes[1]
    assert best_route(routes, net("8.8.8.8/32"), lookup).route == routes[0]


def test_ipv4_and_ipv6_are_matched_separately() -> None:
    routes = [route("0.0.0.0/0", "igw-1")]
    assert best_route(routes, INTERNET_V6, lookup).route is None
    assert best_route([route("::/0", "eigw-1")], INTERNET_V4, lookup).route is None


def test_static_beats_propagated_on_the_same_prefix() -> None:
    propagated = route("10.8.0.0/16", "vgw-1", origin="EnableVgwRoutePropagation")
    static = route("10.8.0.0/16", "tgw-1")
    assert best_route([propagated, static], net("10.8.0.0/24"), lookup).route == static


def test_prefix_list_route_matches_with_its_entry_length() -> None:
    routes = [route("0.0.0.0/0", "nat-1"), route("pl-s3", "vpce-1")]
    assert best_route(routes, net("52.216.4.0/24"), lookup).route == routes[1]


def test_static_cidr_beats_prefix_list_on_the_same_length() -> None:
    routes = [route("pl-s3", "vpce-1"), route("52.216.0.0/15", "nat-1")]
    assert best_route(routes, net("52.216.0.0/15"), lookup).route == routes[1]


def test_unknown_prefix_list_is_reported() -> None:
    match = best_route([route("pl-unknown", "vpce-1")], net("52.216.0.0/24"), lookup)
    assert (match.route, match.unresolved_prefix_lists) == (None, ("pl-unknown",))


@pytest.mark.parametrize(
    ("permission", "expected"),
    [
        ({"IpProtocol": "-1"}, True),
        ({"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535}, True),
        ({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}, True),
        ({"IpProtocol": "6", "FromPort": 443, "ToPort": 443}, True),
        ({"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80}, False),
        ({"IpProtocol": "udp", "FromPort": 443, "ToPort": 443}, False),
    ],
)
def test_https_rules(permission: dict[str, object], expected: bool) -> None:
    assert allows_https(permission) is expected


def group(egress: list[dict[str, object]]) -> dict[str, Ec2SecurityGroup]:
    return {
        "sg-1": Ec2SecurityGroup(account_id="1" * 12, region="r", group_id="sg-1", egress=egress)
    }


def test_egress_needs_a_rule_covering_every_destination_network() -> None:
    groups = group(
        [
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
            }
        ]
    )
    inside = check_rules(["sg-1"], groups, Peer(networks=(net("10.0.1.0/24"),)), direction="egress")
    outside = check_rules(["sg-1"], groups, Peer(networks=(INTERNET_V4,)), direction="egress")
    assert (inside.allowed, outside.allowed) == (True, False)


def test_group_reference_satisfies_a_group_peer() -> None:
    groups = group(
        [
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "UserIdGroupPairs": [{"GroupId": "sg-endpoint"}],
            }
        ]
    )
    check = check_rules(["sg-1"], groups, Peer(group_ids=("sg-endpoint",)), direction="egress")
    assert check.allowed is True


def test_unknown_group_is_none_not_false() -> None:
    assert (
        check_rules(["sg-gone"], {}, Peer(networks=(INTERNET_V4,)), direction="egress").allowed
        is None
    )


def test_prefix_list_peer_with_unknown_entries_needs_a_named_or_open_rule() -> None:
    peer = Peer(prefix_list_id="pl-s3", prefix_list_cidrs=None)
    narrow = group([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "52.216.0.0/15"}]}])
    open_rule = group([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    assert check_rules(["sg-1"], narrow, peer, direction="egress").allowed is False
    assert check_rules(["sg-1"], open_rule, peer, direction="egress").allowed is True


@pytest.mark.parametrize(
    ("image", "kind", "region"),
    [
        ("nginx", RegistryKind.DOCKER_HUB, None),
        ("library/nginx:1", RegistryKind.DOCKER_HUB, None),
        ("docker.io/library/nginx:1", RegistryKind.DOCKER_HUB, None),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1",
            RegistryKind.ECR_PRIVATE,
            "us-east-1",
        ),
        (
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app",
            RegistryKind.ECR_PRIVATE,
            "cn-north-1",
        ),
        ("public.ecr.aws/nginx/nginx", RegistryKind.ECR_PUBLIC, None),
        ("quay.io/org/app", RegistryKind.OTHER, None),
        ("localhost:5000/app", RegistryKind.OTHER, None),
    ],
)
def test_classify_image(image: str, kind: RegistryKind, region: str | None) -> None:
    ref = classify_image(image)
    assert (ref.kind, ref.region) == (kind, region)


def test_secret_references_name_their_service_and_region() -> None:
    definition = EcsTaskDefinition(
        account_id="1" * 12,
        region="us-east-1",
        task_definition_arn="arn:td/a:1",
        family="a",
        revision=1,
        container_definitions=[
            {
                "name": "app",
                "secrets": [
                    {"name": "A", "valueFrom": "arn:aws:secretsmanager:eu-west-1:1:secret:x"},
                    {"name": "B", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/y"},
                    {"name": "C", "valueFrom": "plain-name"},
                ],
                "repositoryCredentials": {
                    "credentialsParameter": "arn:aws:secretsmanager:us-east-1:1:secret:reg"
                },
            }
        ],
    )
    assert [(s.service, s.region, s.purpose) for s in secrets_of(definition)] == [
        (EndpointService.SECRETS_MANAGER, "eu-west-1", "secret A"),
        (EndpointService.SSM, "us-east-1", "secret B"),
        (EndpointService.SSM, None, "secret C"),
        (EndpointService.SECRETS_MANAGER, "us-east-1", "registry credentials"),
    ]


def test_private_routes_carry_their_mtu_and_internet_routes_are_ignored() -> None:
    routes = [
        route("10.0.0.0/16", "local"),
        route("0.0.0.0/0", "igw-1"),
        route("10.1.0.0/16", "tgw-1"),
        route("192.168.0.0/16", "vgw-1"),
        route("172.16.0.0/12", "pcx-1"),
        route("10.9.0.0/16", "eni-1"),
        route("10.7.0.0/16", "tgw-1", state="blackhole"),
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


@pytest.mark.parametrize(
    ("requested", "windows", "version", "legacy"),
    [
        (None, False, "1.4.0", False),
        ("LATEST", False, "1.4.0", False),
        ("1.3.0", False, "1.3.0", True),
        ("1.2.0", False, "1.2.0", True),
        (None, True, "1.0.0", False),
        ("LATEST", True, "1.0.0", False),
        ("banana", False, "banana", None),
    ],
)
def test_platform_resolution(
    requested: str | None, windows: bool, version: str, legacy: bool | None
) -> None:
    platform: Platform = resolve_platform(requested, windows)
    assert (platform.version, platform.legacy) == (version, legacy)
