"""Internet paths: the subnet's default route to an internet gateway or a public NAT gateway.

A route's ``active`` state is necessary but never trusted alone: moto and AWS both leave routes
to deleted NAT gateways behind, so the target itself is always looked up and judged.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from auditor.store.resources import Ec2NatGateway, Ec2RouteTable, NetworkFirewallFirewall
from checks.reachability.acl_hops import connection_hops, nat_subnet_hops
from checks.reachability.firewall import endpoint_hops, firewall_subnet, rules_placeholder
from checks.reachability.model import Hop, Path, Source, UnknownReason
from checks.reachability.nacls import Peers
from checks.reachability.routes import (
    INTERNET_V4,
    INTERNET_V6,
    NAT64_PREFIX,
    Network,
    RouteMatch,
    best_route,
    describe_route,
    parse_network,
    split_routes,
)
from checks.reachability.security_groups import Peer, check_rules
from checks.reachability.targets import (
    TargetKind,
    peering_hop,
    target_kind_of_id,
    unmodelled_target_hop,
)
from checks.reachability.transit import transit_gateway_hops
from checks.support import EC2_VPN_GATEWAYS, NETWORK_FIREWALL_FIREWALLS

if TYPE_CHECKING:
    from checks.reachability.network import NetworkView

_ATTACHED = ("available", "attached")
_NAT64_PEERS = Peers.of([NAT64_PREFIX], label="NAT64 addresses (64:ff9b::/96)")


def route_table_hop(net: NetworkView, subnet_id: str) -> tuple[Ec2RouteTable | None, Hop]:
    table, how = net.inventory.effective_route_table(subnet_id)
    if table is not None:
        detail = (
            f"subnet {subnet_id} is explicitly associated with {table.route_table_id}"
            if how == "explicit"
            else f"subnet {subnet_id} has no explicit association: the main table "
            f"{table.route_table_id} of {table.vpc_id} applies"
        )
        return table, Hop(step="route-table", subject=table.route_table_id, ok=True, detail=detail)
    if how == "owner-not-scanned":
        subnet = net.inventory.subnet_by_id.get(subnet_id)
        vpc_id = subnet.vpc_id if subnet is not None else None
        owner_hop = net.unscanned_owner_hop("route-table", vpc_id, "the route tables")
        if owner_hop is not None:
            return None, dataclasses.replace(owner_hop, subject=subnet_id)
    if how == "unknown-subnet":
        return None, Hop(
            step="route-table",
            subject=subnet_id,
            ok=None,
            detail=f"subnet {subnet_id} is not in the inventory",
        )
    # Every VPC has a main route table: not finding one means the table was not collected.
    return None, Hop(
        step="route-table",
        subject=subnet_id,
        ok=None,
        detail=f"subnet {subnet_id} has no explicit route table and the main table of its VPC "
        "is not in the inventory",
    )


def default_route_hop(
    net: NetworkView, table: Ec2RouteTable, destination: Network
) -> tuple[str | None, Hop]:
    """The route ``destination`` takes and whether it is usable; returns its target ID."""
    match = best_route(table.routes, destination, net.prefix_list_cidrs)
    route = match.route
    if route is None:
        pieces = split_routes(table.routes, destination, net.prefix_list_cidrs)
        if pieces:
            return _split_route_hop(table, destination, pieces)
        return None, Hop(
            step="route",
            subject=table.route_table_id,
            ok=False,
            detail=f"{table.route_table_id} has no route for {destination}",
        )
    target = str(route.get("target_id") or "")
    if not match.active:
        return target, Hop(
            step="route",
            subject=table.route_table_id,
            ok=False,
            detail=f"{table.route_table_id} route {describe_route(route)} is not active",
        )
    return target, Hop(
        step="route",
        subject=table.route_table_id,
        ok=True,
        detail=f"{table.route_table_id} routes {destination} to {target} "
        f"({route.get('target_type')}, {route.get('state')})",
    )


def split_targets(net: NetworkView, table: Ec2RouteTable, destination: Network) -> list[str]:
    """The targets of routes that together stand in for a missing ``destination`` route
    (e.g. 0.0.0.0/1 and 128.0.0.0/1), in route order; empty when there is no such split."""
    if best_route(table.routes, destination, net.prefix_list_cidrs).route is not None:
        return []
    pieces = split_routes(table.routes, destination, net.prefix_list_cidrs) or []
    targets = [str(m.route.get("target_id") or "") for _, m in pieces if m.route is not None]
    return list(dict.fromkeys(targets))


def _split_route_hop(
    table: Ec2RouteTable, destination: Network, pieces: list[tuple[Network, RouteMatch]]
) -> tuple[str | None, Hop]:
    """No single route covers ``destination`` but several more specific ones do together."""
    routes = [m.route for _, m in pieces if m.route is not None]
    listing = "; ".join(f"{piece} by {describe_route(m.route)}" for piece, m in pieces)
    targets = list(dict.fromkeys(str(r.get("target_id") or "") for r in routes))
    inactive = [r for r in routes if r.get("state") != "active"]
    single = targets[0] if len(targets) == 1 else None
    if inactive:
        return single, Hop(
            step="route",
            subject=table.route_table_id,
            ok=False,
            detail=f"{table.route_table_id} covers {destination} only with several routes "
            f"({listing}), and {describe_route(inactive[0])} is not active",
        )
    if single is None:
        # Only the IPv4 internet path judges each target (see _mixed_targets_hop); elsewhere
        # a split over several targets is left open.
        return None, Hop(
            step="route",
            subject=table.route_table_id,
            ok=None,
            detail=f"{table.route_table_id} splits {destination} over several targets: {listing}",
        )
    return single, Hop(
        step="route",
        subject=table.route_table_id,
        ok=True,
        detail=f"{table.route_table_id} routes all of {destination} to {single} through "
        f"{len(routes)} routes: {listing}",
    )


def igw_hop(net: NetworkView, igw_id: str, vpc_id: str | None) -> Hop:
    gateway = net.inventory.internet_gateway_by_id.get(igw_id)
    if gateway is None:
        return Hop(
            step="internet-gateway",
            subject=igw_id,
            ok=None,
            detail=f"internet gateway {igw_id} is not in the inventory",
        )
    attached = any(
        a.get("vpc_id") == vpc_id and str(a.get("state", "")).lower() in _ATTACHED
        for a in gateway.attachments
    )
    if attached:
        return Hop(
            step="internet-gateway",
            subject=igw_id,
            ok=True,
            detail=f"internet gateway {igw_id} is attached to {vpc_id}",
        )
    return Hop(
        step="internet-gateway",
        subject=igw_id,
        ok=False,
        detail=f"internet gateway {igw_id} is not attached to {vpc_id}",
    )


def eigw_hop(net: NetworkView, eigw_id: str, vpc_id: str | None) -> Hop:
    gateway = net.inventory.egress_only_gateway_by_id.get(eigw_id)
    if gateway is None:
        return Hop(
            step="egress-only-internet-gateway",
            subject=eigw_id,
            ok=None,
            detail=f"egress-only internet gateway {eigw_id} is not in the inventory",
        )
    attached = any(
        a.get("vpc_id") == vpc_id and str(a.get("state", "")).lower() in _ATTACHED
        for a in gateway.attachments
    )
    return Hop(
        step="egress-only-internet-gateway",
        subject=eigw_id,
        ok=attached,
        detail=f"egress-only internet gateway {eigw_id} is "
        + ("attached to " if attached else "not attached to ")
        + str(vpc_id),
    )


def vpc_igw_hop(net: NetworkView, vpc_id: str | None) -> Hop:
    """For regional NAT gateways: the VPC itself must have an attached internet gateway."""
    igw_id = net.attached_internet_gateway(vpc_id)
    if igw_id is not None:
        return igw_hop(net, igw_id, vpc_id)
    return Hop(
        step="internet-gateway",
        subject=str(vpc_id),
        ok=False,
        detail=f"{vpc_id} has no attached internet gateway for its regional NAT gateway",
    )


# Targets after a NAT gateway that can never carry its traffic to the internet.
_NEVER_PAST_NAT = frozenset(
    {
        TargetKind.NAT_GATEWAY,
        TargetKind.EGRESS_ONLY_INTERNET_GATEWAY,
        TargetKind.LOCAL,
        TargetKind.VPC_PEERING,
    }
)


def _nat_state_hops(nat: Ec2NatGateway, vpc_id: str | None) -> list[Hop]:
    hops: list[Hop] = []
    state = nat.state.lower()
    hops.append(
        Hop(
            step="nat-gateway",
            subject=nat.nat_gateway_id,
            ok=state == "available",
            detail=f"NAT gateway {nat.nat_gateway_id} is {nat.state}",
        )
    )
    connectivity = (nat.connectivity_type or "public").lower()
    hops.append(
        Hop(
            step="nat-gateway",
            subject=nat.nat_gateway_id,
            ok=connectivity == "public",
            detail=f"NAT gateway {nat.nat_gateway_id} connectivity is {connectivity}"
            + (
                ""
                if connectivity == "public"
                else ": a private NAT gateway never reaches the internet"
            ),
        )
    )
    if nat.vpc_id is not None and vpc_id is not None and nat.vpc_id != vpc_id:
        hops.append(
            Hop(
                step="nat-gateway",
                subject=nat.nat_gateway_id,
                ok=False,
                detail=f"NAT gateway {nat.nat_gateway_id} is in {nat.vpc_id}, not {vpc_id}",
            )
        )
    return hops


def nat_hops(
    net: NetworkView,
    nat_id: str,
    vpc_id: str | None,
    *,
    task_subnet: str | None = None,
    task_version: int = 4,
) -> list[Hop]:
    """The NAT gateway, its subnet's route to an internet gateway and, given the task's
    subnet, the NAT subnet's network ACL for both legs."""
    hops = _nat_hops(net, nat_id, vpc_id)
    nat = net.inventory.nat_gateway_by_id.get(nat_id)
    if task_subnet is not None and nat is not None and nat.subnet_id:
        hops.extend(nat_subnet_hops(net, nat.subnet_id, task_subnet, version=task_version))
    return hops


def _nat_hops(net: NetworkView, nat_id: str, vpc_id: str | None) -> list[Hop]:
    nat = net.inventory.nat_gateway_by_id.get(nat_id)
    if nat is None:
        return [
            Hop(
                step="nat-gateway",
                subject=nat_id,
                ok=False,
                detail=f"NAT gateway {nat_id} no longer exists (the route is left over)",
            )
        ]
    hops = _nat_state_hops(nat, vpc_id)
    if (nat.availability_mode or "").lower() == "regional" or nat.subnet_id is None:
        hops.append(vpc_igw_hop(net, nat.vpc_id or vpc_id))
        return hops
    table, table_hop = route_table_hop(net, nat.subnet_id)
    hops.append(
        Hop(
            step="nat-subnet-route-table",
            subject=table_hop.subject,
            ok=table_hop.ok,
            detail=f"NAT gateway subnet: {table_hop.detail}",
        )
    )
    if table is None:
        return hops
    target, route_hop = default_route_hop(net, table, INTERNET_V4)
    hops.append(
        Hop(
            step="nat-subnet-route",
            subject=route_hop.subject,
            ok=route_hop.ok,
            detail=f"NAT gateway subnet: {route_hop.detail}",
        )
    )
    kind = target_kind_of_id(target or "")
    if route_hop.ok and kind is TargetKind.INTERNET_GATEWAY and target:
        hops.append(igw_hop(net, target, nat.vpc_id or vpc_id))
    elif route_hop.ok and kind in _NEVER_PAST_NAT:
        hops.append(
            Hop(
                step="nat-subnet-route",
                subject=target or table.route_table_id,
                ok=False,
                detail=f"NAT gateway {nat_id} sits in subnet {nat.subnet_id}, whose default "
                f"route goes to {target} ({kind}), not an internet gateway",
            )
        )
    elif route_hop.ok and target and target in net.inventory.firewall_by_endpoint:
        # NAT gateway, then Network Firewall, then the internet gateway.
        hops.extend(
            firewall_path_hops(
                net,
                net.inventory.firewall_by_endpoint[target],
                target,
                vpc_id=nat.vpc_id or vpc_id,
                from_subnet=nat.subnet_id,
                from_network=_nat_network(net, nat),
                source=None,
            )
        )
    elif route_hop.ok:
        # An appliance or transit gateway between the NAT gateway and the internet: judged
        # by kind, never assumed to work.
        hops.append(other_target_hop(target or "", INTERNET_V4))
    return hops


def _nat_network(net: NetworkView, nat: Ec2NatGateway) -> str | None:
    """The address the NAT gateway's traffic has at a firewall after it: its private IP, else
    its subnet's CIDR."""
    private = next(
        (
            a.get("PrivateIp")
            for a in nat.raw.get("NatGatewayAddresses") or []
            if a.get("PrivateIp")
        ),
        None,
    )
    if private:
        return f"{private}/32"
    subnet = net.inventory.subnet_by_id.get(nat.subnet_id or "")
    return subnet.cidr_block if subnet is not None else None


def inspection_hops(net: NetworkView, source: Source, endpoint_id: str) -> list[Hop]:
    """A default route to an inspection endpoint: a Network Firewall endpoint (its rules are
    judged per destination, see checks.reachability.firewall) or a Gateway Load Balancer
    endpoint (the appliance is UNKNOWN: its rules cannot be read). Either way the inspection
    subnet's network ACL and its route onward are followed to a NAT gateway or internet
    gateway, so a broken path beyond the inspection still FAILs."""
    firewall = net.inventory.firewall_by_endpoint.get(endpoint_id)
    if firewall is not None:
        subnet = net.inventory.subnet_by_id.get(source.subnet_id)
        return firewall_path_hops(
            net,
            firewall,
            endpoint_id,
            vpc_id=source.vpc_id,
            from_subnet=source.subnet_id,
            from_network=subnet.cidr_block if subnet is not None else None,
            source=source,
        )
    endpoint = next(
        (
            e
            for e in net.inventory.endpoints_by_vpc.get(source.vpc_id or "", [])
            if e.vpc_endpoint_id == endpoint_id
        ),
        None,
    )
    if endpoint is None or endpoint.endpoint_type.lower() != "gatewayloadbalancer":
        return [_unknown_endpoint_hop(net, source.region, endpoint_id)]
    state = (endpoint.state or "unknown").lower()
    hops = [
        Hop(
            step="inspection-endpoint",
            subject=endpoint_id,
            ok=state == "available",
            detail=f"Gateway Load Balancer endpoint {endpoint_id} ({endpoint.service_name}) is "
            f"{endpoint.state}",
        ),
        Hop(
            step="inspection-appliance",
            subject=endpoint.service_name,
            ok=None,
            detail=f"traffic is inspected by the appliance behind {endpoint_id} "
            f"({endpoint.service_name}): what its rules allow cannot be seen",
            unknown_reason=UnknownReason.APPLIANCE,
        ),
    ]
    if not endpoint.subnet_ids:
        return hops
    subnet_id = endpoint.subnet_ids[0]
    hops.extend(nat_subnet_hops(net, subnet_id, source.subnet_id, role="inspection"))
    onward, _ = _onward_hops(net, source, subnet_id, from_subnet=None)
    hops.extend(onward)
    return hops


def _unknown_endpoint_hop(net: NetworkView, region: str, endpoint_id: str) -> Hop:
    """A vpce- route target that is neither a known firewall endpoint nor a GWLB endpoint:
    UNKNOWN, saying when the firewalls were not collected."""
    hop = unmodelled_target_hop(TargetKind.VPC_ENDPOINT, endpoint_id)
    if net.inventory.missing(region, (NETWORK_FIREWALL_FIREWALLS,)):
        gap = net.inventory.describe_missing(region, (NETWORK_FIREWALL_FIREWALLS,))
        return dataclasses.replace(
            hop, detail=f"{hop.detail}; Network Firewall firewalls were not collected ({gap})"
        )
    return hop


def firewall_path_hops(
    net: NetworkView,
    firewall: NetworkFirewallFirewall,
    endpoint_id: str,
    *,
    vpc_id: str | None,
    from_subnet: str,
    from_network: str | None,
    source: Source | None,
) -> list[Hop]:
    """Through a Network Firewall endpoint: the firewall and endpoint state, its rules (a
    placeholder judged per destination), and its subnet's NACL and route onward.

    ``from_subnet`` and ``from_network`` are where the traffic reaches the firewall from (the
    task's subnet, or a NAT gateway's); ``source`` is the task when it reaches the firewall
    directly (an internet gateway after the firewall then needs the task's public IPv4)."""
    hops = endpoint_hops(firewall, endpoint_id)
    hops.append(rules_placeholder(firewall, parse_network(from_network)))
    subnet_id = firewall_subnet(firewall, endpoint_id)
    if subnet_id is None:
        hops.append(
            Hop(
                step="inspection-subnet-route-table",
                subject=endpoint_id,
                ok=None,
                detail=f"the subnet of firewall endpoint {endpoint_id} is not in the "
                "firewall's SyncStates",
            )
        )
        return hops
    hops.extend(nat_subnet_hops(net, subnet_id, from_subnet, role="firewall", version=4))
    onward, target = _onward_hops(net, source, subnet_id, from_subnet=from_subnet, vpc_id=vpc_id)
    hops.extend(onward)
    if all(hop.ok is not False for hop in hops):
        hops.append(firewall_return_hop(net, endpoint_id, target, from_network))
    return hops


FIREWALL_RETURN_STEP = "network-firewall-return-route"


def firewall_return_hop(
    net: NetworkView, endpoint_id: str, onward: str | None, from_network: str | None
) -> Hop:
    """Replies must come back through the same firewall endpoint: a stateful firewall that
    sees one direction of a connection (asymmetric routing) may drop it or pass it, which is
    not evaluated, so that is UNKNOWN, never PASS
    (https://docs.aws.amazon.com/network-firewall/latest/developerguide/vpc-config-route-tables.html).

    The replies come from ``onward``, what the firewall subnet routes onward to (see
    :func:`_onward_hops`): a NAT gateway, whose subnet's route table must send
    ``from_network`` back to the endpoint (a route more specific than the VPC's local
    route), or an internet gateway, whose edge route table (ingress routing) must."""
    network = parse_network(from_network)
    target = onward or ""
    kind = target_kind_of_id(target)
    replies: Ec2RouteTable | None = None
    where = ""
    if kind is TargetKind.NAT_GATEWAY:
        nat = net.inventory.nat_gateway_by_id.get(target)
        if nat is not None and nat.subnet_id:
            replies, _ = net.inventory.effective_route_table(nat.subnet_id)
            where = f"the subnet {nat.subnet_id} of NAT gateway {target}"
    elif kind is TargetKind.INTERNET_GATEWAY:
        replies = net.inventory.gateway_route_table(target)
        where = f"the edge route table of internet gateway {target}"
        if replies is None and network is not None:
            return Hop(
                step=FIREWALL_RETURN_STEP,
                subject=target,
                ok=None,
                detail=f"internet gateway {target} has no edge route table (ingress routing), "
                f"so replies to {network} bypass firewall endpoint {endpoint_id}: the "
                "firewall sees one direction of each connection, and what its stateful "
                "engine does then is not evaluated",
                unknown_reason=UnknownReason.APPLIANCE,
            )
    if network is None or replies is None:
        return Hop(
            step=FIREWALL_RETURN_STEP,
            subject=endpoint_id,
            ok=None,
            detail=f"the route replies take back through firewall endpoint {endpoint_id} "
            f"could not be told ({target or 'no onward target'} after the firewall)",
        )
    back = best_route(replies.routes, network, net.prefix_list_cidrs)
    back_target = str(back.route.get("target_id") or "") if back.route else ""
    if back.active and back_target == endpoint_id:
        return Hop(
            step=FIREWALL_RETURN_STEP,
            subject=replies.route_table_id,
            ok=True,
            detail=f"replies to {network} come back through firewall endpoint {endpoint_id} "
            f"({replies.route_table_id}, {where})",
        )
    return Hop(
        step=FIREWALL_RETURN_STEP,
        subject=replies.route_table_id,
        ok=None,
        detail=f"replies to {network} take {describe_route(back.route)} in "
        f"{replies.route_table_id} ({where}), not firewall endpoint {endpoint_id}: the "
        "firewall sees one direction of each connection (asymmetric routing), and what its "
        "stateful engine does then is not evaluated",
        unknown_reason=UnknownReason.APPLIANCE,
    )


def _onward_hops(
    net: NetworkView,
    source: Source | None,
    subnet_id: str,
    *,
    from_subnet: str | None,
    vpc_id: str | None = None,
) -> tuple[list[Hop], str | None]:
    """The inspection subnet's route onward: to a NAT gateway (followed) or an internet
    gateway (with the task's public IPv4 when the task reached the inspection directly).
    Returns the hops and the target the route onward names (None when there is none)."""
    vpc_id = vpc_id or (source.vpc_id if source is not None else None)
    hops: list[Hop] = []
    table, table_hop = route_table_hop(net, subnet_id)
    hops.append(
        Hop(
            step="inspection-subnet-route-table",
            subject=table_hop.subject,
            ok=table_hop.ok,
            detail=f"inspection subnet {subnet_id}: {table_hop.detail}",
        )
    )
    if table is None:
        return hops, None
    target, route_hop = default_route_hop(net, table, INTERNET_V4)
    hops.append(
        Hop(
            step="inspection-subnet-route",
            subject=route_hop.subject,
            ok=route_hop.ok,
            detail=f"inspection subnet {subnet_id}: {route_hop.detail}",
        )
    )
    if not route_hop.ok:
        return hops, target
    kind = target_kind_of_id(target or "")
    if kind is TargetKind.NAT_GATEWAY and target and source is not None:
        hops.extend(nat_hops(net, target, vpc_id, task_subnet=source.subnet_id))
    elif kind is TargetKind.NAT_GATEWAY and target:
        hops.append(
            Hop(
                step="inspection-subnet-route",
                subject=target,
                ok=False,
                detail=f"inspection subnet {subnet_id} sends the NAT gateway's traffic to "
                f"another NAT gateway {target}, which never reaches the internet",
            )
        )
    elif kind is TargetKind.INTERNET_GATEWAY and target:
        hops.append(igw_hop(net, target, vpc_id))
        if source is not None:
            hops.append(public_ipv4_hop(source))
    else:
        hops.append(other_target_hop(target or "", INTERNET_V4))
    return hops, target


def vgw_hop(net: NetworkView, vgw_id: str, vpc_id: str | None) -> Hop:
    """A virtual private gateway: detached or gone is a FAIL; attached, the traffic leaves
    AWS, which is UNKNOWN of class beyond-aws."""
    beyond = unmodelled_target_hop(TargetKind.VIRTUAL_PRIVATE_GATEWAY, vgw_id)
    gateway = net.inventory.vpn_gateway_by_id.get(vgw_id)
    region = net.inventory.vpc_by_id[vpc_id].region if vpc_id in net.inventory.vpc_by_id else None
    if gateway is None:
        if region is not None and not net.inventory.missing(region, (EC2_VPN_GATEWAYS,)):
            return Hop(
                step="virtual-private-gateway",
                subject=vgw_id,
                ok=False,
                detail=f"virtual private gateway {vgw_id} no longer exists (the route is "
                "left over)",
            )
        return beyond
    attached = gateway.state == "available" and any(
        a.get("vpc_id") == vpc_id and a.get("state") == "attached" for a in gateway.attachments
    )
    if not attached:
        return Hop(
            step="virtual-private-gateway",
            subject=vgw_id,
            ok=False,
            detail=f"virtual private gateway {vgw_id} is {gateway.state} and not attached to "
            f"{vpc_id}: the route goes nowhere",
        )
    return beyond


def other_target_hop(target: str, destination: Network) -> Hop:
    """A target the internet paths do not follow: a peering connection never reaches the
    internet (FAIL); every other kind is UNKNOWN, named (see checks.reachability.targets)."""
    kind = target_kind_of_id(target)
    if kind is TargetKind.VPC_PEERING:
        return peering_hop(target, str(destination))
    return unmodelled_target_hop(kind, target)


PUBLIC_IPV4_STEP = "public-ipv4"


def public_ipv4_hop(source: Source) -> Hop:
    """The only hop of an internet path that depends on the task rather than its subnet."""
    return Hop(
        step=PUBLIC_IPV4_STEP,
        subject=source.label,
        ok=source.public_ipv4,
        detail=source.public_ipv4_detail,
    )


def _egress_hop(net: NetworkView, source: Source, destination: Network) -> Hop:
    check = check_rules(
        source.security_group_ids,
        net.inventory.security_group_by_id,
        Peer(networks=(destination,)),
        direction="egress",
    )
    return Hop(
        step="security-group-egress",
        subject=",".join(source.security_group_ids) or "(no security group)",
        ok=check.allowed,
        detail=check.detail,
    )


def _mixed_targets_hop(net: NetworkView, source: Source, targets: list[str]) -> Hop:
    """The default route is split over several targets: each is judged on its own; all
    working is a path, none working is none, anything else is UNKNOWN (which half holds the
    destination's addresses is not known)."""
    verdicts: list[tuple[str, bool | None, str]] = []
    for target in targets:
        if target.startswith("igw-"):
            # The task's public IPv4 is judged per task, not here: an internet gateway half
            # can at best leave the verdict open.
            hop = igw_hop(net, target, source.vpc_id)
            ok: bool | None = None if hop.ok else hop.ok
            verdicts.append(
                (target, ok, hop.detail + "; the task also needs a public IPv4 for this half")
            )
        elif target.startswith("nat-"):
            path = Path(
                name=target,
                hops=tuple(nat_hops(net, target, source.vpc_id, task_subnet=source.subnet_id)),
            )
            problem = path.first_problem
            verdicts.append(
                (target, path.ok, problem.detail if problem else f"NAT gateway {target} works")
            )
        else:
            hop = other_target_hop(target, INTERNET_V4)
            verdicts.append((target, hop.ok, hop.detail))
    oks = [ok for _, ok, _ in verdicts]
    overall: bool | None
    if all(ok is True for ok in oks):
        overall = True
    elif all(ok is False for ok in oks):
        overall = False
    else:
        overall = None
    return Hop(
        step="route-target",
        subject=",".join(targets),
        ok=overall,
        detail="the default route is split over several targets: "
        + "; ".join(f"{t}: {detail}" for t, _, detail in verdicts),
    )


def ipv4_internet_path(net: NetworkView, source: Source, *, check_groups: bool = True) -> Path:
    table, table_hop = route_table_hop(net, source.subnet_id)
    hops = [table_hop]
    name = "internet"
    if table is not None:
        target, route_hop = default_route_hop(net, table, INTERNET_V4)
        hops.append(route_hop)
        targets = split_targets(net, table, INTERNET_V4) if target is None else []
        if len(targets) > 1:
            name = f"split default route via {', '.join(targets)}"
            if route_hop.ok is None:
                hops[-1] = dataclasses.replace(route_hop, ok=True)
                hops.append(_mixed_targets_hop(net, source, targets))
        elif target and target.startswith("igw-"):
            name = f"internet gateway {target}"
            if route_hop.ok:
                hops.append(igw_hop(net, target, source.vpc_id))
            hops.append(public_ipv4_hop(source))
        elif target and target.startswith("nat-"):
            name = f"NAT gateway {target}"
            hops.extend(nat_hops(net, target, source.vpc_id, task_subnet=source.subnet_id))
        elif route_hop.ok and target and target.startswith("tgw-"):
            name, tgw_hops = transit_gateway_hops(net, source, target, INTERNET_V4)
            hops.extend(tgw_hops)
        elif route_hop.ok and target and target.startswith("vpce-"):
            name = f"inspection via {target}"
            hops.extend(inspection_hops(net, source, target))
        elif route_hop.ok and target and target.startswith("vgw-"):
            name = f"virtual private gateway {target}"
            hops.append(vgw_hop(net, target, source.vpc_id))
        elif route_hop.ok:
            # Any other target, or a route whose target was not recognised at all: judged
            # by kind, UNKNOWN unless it is known to fail (never PASS by default).
            hop = other_target_hop(target or "", INTERNET_V4)
            name = f"{target_kind_of_id(target or '')} {target}".strip()
            hops.append(hop)
    if check_groups:
        hops.append(_egress_hop(net, source, INTERNET_V4))
    if table is not None:
        hops.extend(
            connection_hops(net, source.subnet_id, Peers.internet(), side="client", role="task")
        )
    return Path(name=name, hops=tuple(hops))


def dns64_hop(net: NetworkView, subnet_id: str) -> Hop:
    """NAT64 only helps when the subnet's resolver synthesises 64:ff9b::/96 addresses."""
    subnet = net.inventory.subnet_by_id.get(subnet_id)
    value = subnet.raw.get("EnableDns64") if subnet is not None else None
    if not isinstance(value, bool):
        return Hop(
            step="dns64",
            subject=subnet_id,
            ok=None,
            detail=f"whether DNS64 is on for subnet {subnet_id} was not read (EnableDns64)",
        )
    return Hop(
        step="dns64",
        subject=subnet_id,
        ok=value,
        detail=f"DNS64 is {'on' if value else 'off'} for subnet {subnet_id}"
        + ("" if value else ": IPv4-only names get no 64:ff9b::/96 address, so NAT64 is unused"),
    )


def _ipv4_only_hop(subnet_id: str) -> Hop:
    return Hop(
        step="ipv6-destination",
        subject=subnet_id,
        ok=False,
        detail=f"subnet {subnet_id} is IPv6-only and the destination needs IPv4 (standard ECR "
        "URIs, ECR authentication, CloudWatch Logs, Secrets Manager, SSM): direct IPv6 egress "
        "does not reach it; only DNS64 + NAT64 does",
    )


def _registry_auth_hop(subnet_id: str) -> Hop:
    return Hop(
        step="ipv6-destination",
        subject=subnet_id,
        ok=None,
        detail="the image uses an ECR dual-stack URI, reachable over IPv6, but Fargate has been "
        "reported to fetch registry credentials from the IPv4-only api.ecr endpoint "
        "(containers-roadmap #2792): without a working NAT64 path this is not proven",
    )


def ipv6_only_paths(
    net: NetworkView,
    source: Source,
    *,
    ipv6_destination: bool = False,
    check_groups: bool = True,
) -> list[Path]:
    """An IPv6-only subnet: DNS64 + NAT64 through a NAT gateway, or IPv6 egress directly.

    The direct IPv6 path counts only for destinations known to be IPv6-capable
    (``ipv6_destination``: ECR dual-stack image URIs, see "Using a VPC in IPv6-only mode" in
    the Fargate task networking guide); every other
    destination needs IPv4, so an IPv6-only task reaches it only through DNS64 + NAT64.
    """
    table, table_hop = route_table_hop(net, source.subnet_id)
    if table is None:
        return [Path(name="IPv6 internet", hops=(table_hop,))]
    nat64_target, nat64_route = default_route_hop(net, table, NAT64_PREFIX)
    nat64_hops = [table_hop, nat64_route]
    if nat64_target and nat64_target.startswith("nat-"):
        nat64_hops.extend(
            nat_hops(net, nat64_target, source.vpc_id, task_subnet=source.subnet_id, task_version=6)
        )
    elif nat64_target and nat64_route.ok and nat64_target.startswith(("igw-", "eigw-")):
        nat64_hops.append(
            Hop(
                step="route-target",
                subject=nat64_target,
                ok=False,
                detail=f"{NAT64_PREFIX} goes to {nat64_target}, not a NAT gateway: nothing "
                "translates it to IPv4 (NAT64 needs a route 64:ff9b::/96 -> nat-)",
            )
        )
    elif nat64_route.ok:
        nat64_hops.append(other_target_hop(nat64_target or "", NAT64_PREFIX))
    nat64_hops.append(dns64_hop(net, source.subnet_id))
    if check_groups:
        nat64_hops.append(_egress_hop(net, source, NAT64_PREFIX))
    nat64_hops.extend(
        connection_hops(net, source.subnet_id, _NAT64_PEERS, side="client", role="task")
    )

    v6_target, v6_route = default_route_hop(net, table, INTERNET_V6)
    v6_hops = [table_hop]
    if not ipv6_destination:
        v6_hops.append(_ipv4_only_hop(source.subnet_id))
    v6_hops.append(v6_route)
    if v6_target and v6_route.ok and v6_target.startswith("igw-"):
        v6_hops.append(igw_hop(net, v6_target, source.vpc_id))
    elif v6_target and v6_route.ok and v6_target.startswith("eigw-"):
        v6_hops.append(eigw_hop(net, v6_target, source.vpc_id))
    elif v6_route.ok:
        v6_hops.append(other_target_hop(v6_target or "", INTERNET_V6))
    if ipv6_destination:
        v6_hops.append(_registry_auth_hop(source.subnet_id))
    if check_groups:
        v6_hops.append(_egress_hop(net, source, INTERNET_V6))
    v6_hops.extend(
        connection_hops(net, source.subnet_id, Peers.internet(6), side="client", role="task")
    )
    return [
        Path(name=f"NAT64 via {nat64_target or 'no route'}", hops=tuple(nat64_hops)),
        Path(name=f"IPv6 via {v6_target or 'no route'}", hops=tuple(v6_hops)),
    ]
