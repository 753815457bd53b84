"""Security group rules: HTTPS egress and ingress, group references, prefix-list peers."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from auditor.store.resources import Ec2SecurityGroup
from checks.base import Status
from checks.paths import image_pull_path
from checks.reachability.routes import INTERNET_V4
from checks.reachability.security_groups import Peer, allows_https, check_rules
from tests.checks.checks_factories import (
    S3_PREFIX_LIST,
    InventoryEstate,
    https_from_group,
    https_to_cidr,
    only,
    route,
)


def net(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(text)


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


def _s3_estate(
    estate: InventoryEstate, egress: list[dict[str, Any]], *, collect_list: bool
) -> None:
    estate.vpc()
    estate.subnet()
    estate.route_table(subnets=["subnet-1"], routes=[route(S3_PREFIX_LIST, "vpce-s3")])
    estate.security_group(egress=egress)
    estate.security_group(group_id="sg-endpoints", ingress=[https_from_group("sg-task")])
    estate.endpoint("ecr.dkr")
    estate.endpoint("ecr.api")
    estate.endpoint("s3", endpoint_id="vpce-s3", endpoint_type="Gateway", route_tables=["rtb-1"])
    if collect_list:
        estate.prefix_list()
    estate.task()


def test_ipv6_any_rule_does_not_prove_egress_to_an_unresolved_s3_prefix_list(
    estate: InventoryEstate,
) -> None:
    egress = [
        {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
            "UserIdGroupPairs": [{"GroupId": "sg-endpoints"}],
        }
    ]
    _s3_estate(estate, egress, collect_list=False)
    result = only(image_pull_path.evaluate(estate.inventory()))
    assert result.status is Status.FAIL
    assert "no egress rule of sg-task allows TCP 443 to prefix list pl-63a5400a" in (result.message)


def test_ipv4_any_rule_still_proves_egress_to_an_unresolved_s3_prefix_list(
    estate: InventoryEstate,
) -> None:
    _s3_estate(estate, [https_to_cidr("0.0.0.0/0")], collect_list=False)
    assert only(image_pull_path.evaluate(estate.inventory())).status is Status.PASS
