"""What a route points at, and what the evaluator makes of the kinds it does not follow.

Every target field of the EC2 ``Route`` shape maps to one :class:`TargetKind`. The internet
paths follow internet gateways, NAT gateways, egress-only gateways and transit gateways; a
default route through a VPC peering connection never reaches the internet (no edge-to-edge
routing); every other kind gives UNKNOWN with its name, never PASS. The sweep test in
``tests/checks/reachability/test_targets.py`` enumerates botocore's ``Route`` members so that a
new target kind cannot slip through as a PASS.
"""

from __future__ import annotations

import enum
from typing import Any

from checks.reachability.model import Hop, UnknownReason


class TargetKind(enum.StrEnum):
    LOCAL = "local"
    INTERNET_GATEWAY = "internet gateway"
    NAT_GATEWAY = "NAT gateway"
    EGRESS_ONLY_INTERNET_GATEWAY = "egress-only internet gateway"
    VIRTUAL_PRIVATE_GATEWAY = "virtual private gateway"
    VPC_ENDPOINT = "VPC endpoint"
    TRANSIT_GATEWAY = "transit gateway"
    VPC_PEERING = "VPC peering connection"
    NETWORK_INTERFACE = "network interface"
    INSTANCE = "instance"
    CARRIER_GATEWAY = "carrier gateway"
    LOCAL_GATEWAY = "local gateway"
    CORE_NETWORK = "Cloud WAN core network"
    ODB_NETWORK = "Oracle Database@AWS network"
    ROUTE_SERVER_PEER = "VPC Route Server next hop"
    UNRECOGNISED = "unrecognised target"


# The collector's normalised ``target_type`` (collectors/ec2/route_tables.py TARGETS).
_BY_TYPE = {
    "nat-gateway": TargetKind.NAT_GATEWAY,
    "egress-only-internet-gateway": TargetKind.EGRESS_ONLY_INTERNET_GATEWAY,
    "transit-gateway": TargetKind.TRANSIT_GATEWAY,
    "vpc-peering-connection": TargetKind.VPC_PEERING,
    "instance": TargetKind.INSTANCE,
    "network-interface": TargetKind.NETWORK_INTERFACE,
    "carrier-gateway": TargetKind.CARRIER_GATEWAY,
    "local-gateway": TargetKind.LOCAL_GATEWAY,
    "core-network": TargetKind.CORE_NETWORK,
    "odb-network": TargetKind.ODB_NETWORK,
    "ip-address": TargetKind.ROUTE_SERVER_PEER,
}
# GatewayId holds several kinds, told apart by the ID's prefix.
_GATEWAY_PREFIXES = (
    ("igw-", TargetKind.INTERNET_GATEWAY),
    ("vgw-", TargetKind.VIRTUAL_PRIVATE_GATEWAY),
    ("vpce-", TargetKind.VPC_ENDPOINT),
)


def target_kind(route: dict[str, Any]) -> TargetKind:
    target_type = str(route.get("target_type") or "")
    target_id = str(route.get("target_id") or "")
    if target_type in _BY_TYPE:
        return _BY_TYPE[target_type]
    if target_type == "gateway":
        if target_id == "local":
            return TargetKind.LOCAL
        for prefix, kind in _GATEWAY_PREFIXES:
            if target_id.startswith(prefix):
                return kind
    return TargetKind.UNRECOGNISED


def target_kind_of_id(target_id: str) -> TargetKind:
    """The kind of a bare target ID (as a split default route lists them)."""
    prefixes = (
        ("nat-", TargetKind.NAT_GATEWAY),
        ("eigw-", TargetKind.EGRESS_ONLY_INTERNET_GATEWAY),
        ("tgw-", TargetKind.TRANSIT_GATEWAY),
        ("pcx-", TargetKind.VPC_PEERING),
        ("eni-", TargetKind.NETWORK_INTERFACE),
        ("i-", TargetKind.INSTANCE),
        ("cagw-", TargetKind.CARRIER_GATEWAY),
        ("lgw-", TargetKind.LOCAL_GATEWAY),
        *_GATEWAY_PREFIXES,
    )
    if target_id == "local":
        return TargetKind.LOCAL
    return next((k for p, k in prefixes if target_id.startswith(p)), TargetKind.UNRECOGNISED)


def peering_hop(target: str, destination: str) -> Hop:
    """A route to the internet (or S3, ECR...) through a peering connection: AWS forwards
    only to addresses inside the peer VPC, never through its gateways (no edge-to-edge routing:
    https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html)."""
    return Hop(
        step="vpc-peering",
        subject=target,
        ok=False,
        detail=f"{destination} is routed to VPC peering connection {target}: AWS does not "
        "forward traffic through a peer VPC's internet gateway, NAT gateway or gateway "
        "endpoint (no edge-to-edge routing), so it is dropped",
    )


_UNMODELLED: dict[TargetKind, tuple[UnknownReason, str]] = {
    TargetKind.VIRTUAL_PRIVATE_GATEWAY: (
        UnknownReason.BEYOND_AWS,
        "egress leaves AWS through {target} (VPN or Direct Connect); what happens there "
        "(an on-premises proxy or firewall) cannot be seen",
    ),
    TargetKind.LOCAL_GATEWAY: (
        UnknownReason.BEYOND_AWS,
        "egress leaves AWS through Outposts local gateway {target} to the on-premises "
        "network; what happens there cannot be seen",
    ),
    TargetKind.NETWORK_INTERFACE: (
        UnknownReason.APPLIANCE,
        "the route goes to network interface {target} (a NAT instance, proxy or firewall "
        "appliance): what the appliance forwards cannot be seen",
    ),
    TargetKind.INSTANCE: (
        UnknownReason.APPLIANCE,
        "the route goes to instance {target} (a NAT instance or appliance): what it forwards "
        "cannot be seen",
    ),
    TargetKind.VPC_ENDPOINT: (
        UnknownReason.APPLIANCE,
        "the route goes to endpoint {target} (a Gateway Load Balancer or firewall endpoint): "
        "the appliance behind it cannot be seen",
    ),
    TargetKind.CARRIER_GATEWAY: (
        UnknownReason.NOT_MODELLED,
        "the route goes to Wavelength carrier gateway {target}, which the evaluator does not model",
    ),
    TargetKind.CORE_NETWORK: (
        UnknownReason.NOT_MODELLED,
        "the route goes to Cloud WAN core network {target}, whose segments and egress are "
        "not evaluated",
    ),
    TargetKind.ODB_NETWORK: (
        UnknownReason.NOT_MODELLED,
        "the route goes to Oracle Database@AWS network {target}, which is not evaluated",
    ),
    TargetKind.ROUTE_SERVER_PEER: (
        UnknownReason.NOT_MODELLED,
        "the route's next hop is {target} (VPC Route Server), which is not evaluated",
    ),
    TargetKind.TRANSIT_GATEWAY: (
        UnknownReason.NOT_MODELLED,
        "the route goes to transit gateway {target}, whose route tables were not evaluated",
    ),
    TargetKind.LOCAL: (
        UnknownReason.NOT_MODELLED,
        "the route goes to the VPC's local router ({target}), not to any gateway",
    ),
    TargetKind.UNRECOGNISED: (
        UnknownReason.NOT_MODELLED,
        "the route's target {target} is of a kind the evaluator does not know",
    ),
}


def unmodelled_target_hop(kind: TargetKind, target: str) -> Hop:
    """UNKNOWN, naming the target and why: never PASS through what was not evaluated."""
    reason, template = _UNMODELLED.get(
        kind,
        (
            UnknownReason.NOT_MODELLED,
            "the route goes to {target} (" + str(kind) + "), which is not followed here",
        ),
    )
    return Hop(
        step="route-target",
        subject=target or "(no target)",
        ok=None,
        detail=template.format(target=target or "(no target)"),
        unknown_reason=reason,
    )
