"""The stateless NACL evaluator on its own: rule order, directions, families, ports, the * rule."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from auditor.store.resources import Ec2NetworkAcl
from checks.reachability.nacls import (
    UDP,
    Crossing,
    Peers,
    ephemeral_crossing,
    evaluate_acl,
    evaluate_return,
    request_crossing,
)
from tests.checks.checks_factories import acl_entry, network_acl


def nacl(entries: list[dict[str, Any]], *, is_default: bool = False) -> Ec2NetworkAcl:
    """A NACL record with these ``acl_entry`` items, through the collector's transform."""
    return network_acl(entries, default=is_default)


def closing(egress: bool) -> list[dict[str, Any]]:
    return [
        acl_entry(32767, "deny", egress=egress),
        acl_entry(32768, "deny", egress=egress, ipv6="::/0"),
    ]


DEFAULT = nacl(
    entries=[
        acl_entry(100, "allow", egress=True),
        acl_entry(100, "allow", egress=False),
        *closing(True),
        *closing(False),
    ],
    is_default=True,
)
INTERNET = Peers.internet()
OUT_443 = request_crossing(True, INTERNET)
IN_RETURN = ephemeral_crossing(False, INTERNET)


def test_default_acl_allows_both_directions() -> None:
    out = evaluate_acl(DEFAULT, OUT_443)
    back = evaluate_return(DEFAULT, IN_RETURN)
    assert (out.allowed, back.allowed) == (True, True)
    assert out.detail == "outbound TCP 443 to the internet allowed by rule 100"


def test_deny_all_acl_fails_naming_the_closing_rule() -> None:
    deny_all = nacl(entries=[*closing(True), *closing(False)])
    verdict = evaluate_acl(deny_all, OUT_443)
    assert verdict.allowed is False
    assert verdict.rules == ("*",)
    assert "denied by the closing * rule" in verdict.detail


def test_missing_closing_entries_still_deny() -> None:
    # moto's new custom NACLs list no entries at all; AWS always has the * rule.
    assert evaluate_acl(nacl(entries=[]), OUT_443).allowed is False


def test_first_matching_rule_wins_in_rule_number_order() -> None:
    acl = nacl(
        entries=[
            acl_entry(200, "allow", egress=True),
            acl_entry(100, "deny", egress=True, protocol="6", ports=(443, 443)),
            *closing(True),
        ]
    )
    verdict = evaluate_acl(acl, OUT_443)
    assert (verdict.allowed, verdict.rules) == (False, ("100",))
    assert "denied by rule 100" in verdict.detail


def test_allow_443_out_but_no_ephemeral_return_fails() -> None:
    acl = nacl(
        entries=[
            acl_entry(100, "allow", egress=True, protocol="6", ports=(443, 443)),
            acl_entry(100, "allow", egress=False, protocol="6", ports=(443, 443)),
            *closing(True),
            *closing(False),
        ]
    )
    assert evaluate_acl(acl, OUT_443).allowed is True
    back = evaluate_return(acl, IN_RETURN)
    assert back.allowed is False
    assert back.detail.startswith("inbound TCP 32768-61000 from the internet denied by")


def test_linux_ephemeral_range_only_passes_with_a_caveat() -> None:
    acl = nacl(
        entries=[
            acl_entry(100, "allow", egress=False, protocol="6", ports=(32768, 65535)),
            *closing(False),
        ]
    )
    back = evaluate_return(acl, IN_RETURN)
    assert back.allowed is True
    assert "not documented" in back.detail
    # The NAT gateway's own return traffic needs all of 1024-65535: a port fails for every
    # address, so this is a certain failure, naming the ports.
    full = evaluate_acl(acl, IN_RETURN)
    assert full.allowed is False
    assert "ports 1024-32767 are denied" in full.detail


def test_narrower_than_linux_range_fails() -> None:
    acl = nacl(
        entries=[
            acl_entry(100, "allow", egress=False, protocol="6", ports=(49152, 65535)),
            *closing(False),
        ]
    )
    assert evaluate_return(acl, IN_RETURN).allowed is False


def test_ipv4_and_ipv6_entries_are_kept_apart() -> None:
    ipv4_only = nacl(entries=[acl_entry(100, "allow", egress=True), *closing(True)])
    v6 = request_crossing(True, Peers.internet(6))
    assert evaluate_acl(ipv4_only, OUT_443).allowed is True
    assert evaluate_acl(ipv4_only, v6).allowed is False
    ipv6_only = nacl(entries=[acl_entry(101, "allow", egress=True, ipv6="::/0"), *closing(True)])
    assert evaluate_acl(ipv6_only, v6).allowed is True
    assert evaluate_acl(ipv6_only, OUT_443).allowed is False


def test_directions_are_kept_apart() -> None:
    inbound_only = nacl(entries=[acl_entry(100, "allow", egress=False), *closing(True)])
    assert evaluate_acl(inbound_only, OUT_443).allowed is False


def test_private_deny_does_not_matter_for_the_internet() -> None:
    acl = nacl(
        entries=[
            acl_entry(90, "deny", egress=True, cidr="10.0.0.0/8"),
            acl_entry(100, "allow", egress=True),
            *closing(True),
        ]
    )
    assert evaluate_acl(acl, OUT_443).allowed is True
    to_vpc = request_crossing(True, Peers.of([ipaddress.ip_network("10.0.2.0/24")]))
    verdict = evaluate_acl(acl, to_vpc)
    assert (verdict.allowed, verdict.rules) == (False, ("90",))


def test_part_of_the_internet_is_unknown_not_pass_nor_fail() -> None:
    acl = nacl(
        entries=[
            acl_entry(100, "allow", egress=True, cidr="52.0.0.0/8", protocol="6", ports=(443, 443)),
            *closing(True),
        ]
    )
    verdict = evaluate_acl(acl, OUT_443)
    assert verdict.allowed is None
    assert "not known" in verdict.detail


def test_protocol_and_ports() -> None:
    udp_only = nacl(entries=[acl_entry(100, "allow", egress=True, protocol="17"), *closing(True)])
    assert evaluate_acl(udp_only, OUT_443).allowed is False
    nfs = request_crossing(True, INTERNET, port=2049)
    https_only = nacl(
        entries=[
            acl_entry(100, "allow", egress=True, protocol="6", ports=(443, 443)),
            *closing(True),
        ]
    )
    assert evaluate_acl(https_only, nfs).allowed is False
    dns = Crossing(egress=True, peers=INTERNET, ports=(53, 53), protocol=UDP)
    assert evaluate_acl(udp_only, dns).allowed is True
    # Protocols other than TCP/UDP/ICMP match all ports.
    gre = nacl(entries=[acl_entry(100, "allow", egress=True, protocol="47"), *closing(True)])
    gre_flow = Crossing(egress=True, peers=INTERNET, ports=(0, 0), protocol=47)
    assert evaluate_acl(gre, gre_flow).allowed is True


@pytest.mark.parametrize("ports", [(443, 443), (0, 65535), (400, 500)])
def test_port_ranges_covering_443_allow(ports: tuple[int, int]) -> None:
    acl = nacl(
        entries=[acl_entry(100, "allow", egress=True, protocol="6", ports=ports), *closing(True)]
    )
    assert evaluate_acl(acl, OUT_443).allowed is True


def test_peers_must_be_one_family() -> None:
    with pytest.raises(ValueError, match="one IP family"):
        Peers.of([ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::/0")])
