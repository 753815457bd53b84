"""Transit gateway paths: a spoke's default route followed through the TGW to a central egress
VPC and out, and the return routes checked on the way back
(https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html).

Out: the spoke's attachment (available, a subnet in the task's AZ) -> the TGW route table
associated with it -> the longest-prefix route (not a blackhole) -> the egress VPC's attachment
-> its subnet in the same AZ -> that subnet's route table -> a NAT gateway -> its subnet's
route to an internet gateway. Back: the NAT subnet must route the task's subnet to the same
TGW, and the route table associated with the egress attachment must route it to the spoke's
attachment. Network ACLs are judged on every subnet boundary crossed.

A TGW, attachment or VPC of an account that was not scanned is UNKNOWN naming the account;
VPN and Direct Connect attachments are UNKNOWN ``beyond-aws``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from auditor.store.resources import (
    Ec2TransitGatewayAttachment,
    Ec2TransitGatewayRouteTable,
)
from checks.reachability.acl_hops import connection_hops, nat_subnet_hops, subnet_peers
from checks.reachability.model import Hop, Source, UnknownReason
from checks.reachability.nacls import PUBLIC_V4_INTERVALS, PUBLIC_V6, Peers
from checks.reachability.routes import Network, best_route, covers, describe_route, parse_network
from checks.reachability.targets import TargetKind, target_kind_of_id

if TYPE_CHECKING:
    from checks.reachability.network import NetworkView

TGW_STEP = "transit-gateway"
ATTACHMENT_STEP = "transit-gateway-attachment"
TGW_ROUTE_STEP = "transit-gateway-route"
RETURN_STEP = "return-route"

_BEYOND_AWS_ATTACHMENTS = {"vpn", "direct-connect-gateway", "vpn-concentrator"}


def _hop(step: str, subject: str, ok: bool | None, detail: str, **extra: Any) -> Hop:
    return Hop(step=step, subject=subject, ok=ok, detail=detail, **extra)


def best_tgw_route(
    routes: Sequence[dict[str, Any]],
    destination: Network,
    prefix_list_cidrs: Callable[[str], Sequence[str] | None],
) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
    """The TGW route a packet to ``destination`` takes: the longest prefix; on equal prefixes
    a static route, then a prefix-list route, then a propagated one
    (https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html#tgw-route-evaluation-overview).
    Returns the route and the prefix lists whose entries were not collected."""
    best: tuple[tuple[int, int], dict[str, Any]] | None = None
    unresolved: list[str] = []
    for route in routes:
        if route.get("state") in ("deleted", "deleting"):
            continue
        prefix_list = route.get("prefix_list_id")
        if prefix_list:
            cidrs = prefix_list_cidrs(str(prefix_list))
            if cidrs is None:
                unresolved.append(str(prefix_list))
                continue
            lengths = [
                n.prefixlen
                for n in (parse_network(c) for c in cidrs)
                if n is not None and covers(n, destination)
            ]
            if not lengths:
                continue
            rank = (max(lengths), 1)
        else:
            network = parse_network(route.get("destination"))
            if network is None or not covers(network, destination):
                continue
            rank = (network.prefixlen, 2 if route.get("type") == "static" else 0)
        if best is None or rank > best[0]:
            best = (rank, route)
    return (best[1] if best else None), tuple(sorted(set(unresolved)))


def _targets(route: dict[str, Any]) -> tuple[Any, ...]:
    return (
        route.get("state"),
        tuple(sorted(str(a.get("attachment_id")) for a in route.get("attachments") or [])),
    )


def _public_carve_outs(
    routes: Sequence[dict[str, Any]], chosen: dict[str, Any], destination: Network
) -> list[dict[str, Any]]:
    """Routes more specific than ``destination`` that take public addresses elsewhere than
    ``chosen`` (blackholing spoke CIDRs, a common design, concerns private ranges only)."""
    if destination.prefixlen != 0:
        return []
    found = []
    for route in routes:
        network = parse_network(route.get("destination"))
        if (
            network is None
            or network.version != destination.version
            or network.prefixlen == 0
            or route.get("state") in ("deleted", "deleting")
            or _targets(route) == _targets(chosen)
        ):
            continue
        low, high = int(network.network_address), int(network.broadcast_address)
        public = (
            PUBLIC_V4_INTERVALS
            if network.version == 4
            else ((int(PUBLIC_V6.network_address), int(PUBLIC_V6.broadcast_address)),)
        )
        if any(low <= p_high and high >= p_low for p_low, p_high in public):
            found.append(route)
    return found


def _route_problem(
    route: dict[str, Any],
    table: Ec2TransitGatewayRouteTable,
    destination: Network,
    *,
    step: str,
    what: str,
) -> Hop:
    """The hop of the route a packet takes: a blackhole, an inactive route, one naming no
    attachment or one public carve-outs contradict is not a working route."""
    table_id = table.transit_gateway_route_table_id
    described = _describe_tgw_route(route)
    if route.get("state") == "blackhole":
        return _hop(
            step,
            table_id,
            False,
            f"transit gateway route table {table_id} routes {what} to a blackhole "
            f"({described}): the traffic is dropped",
        )
    if route.get("state") != "active":
        return _hop(
            step, table_id, False, f"transit gateway route {described} in {table_id} is not active"
        )
    if not route.get("attachments"):
        return _hop(
            step,
            table_id,
            None,
            f"transit gateway route {described} in {table_id} names no attachment: where it "
            "goes is not known",
        )
    carved = _public_carve_outs(table.routes, route, destination)
    if carved:
        listed = "; ".join(map(_describe_tgw_route, carved))
        return _hop(
            step,
            table_id,
            None,
            f"transit gateway route table {table_id} routes {what} by {described}, but more "
            f"specific routes send part of the public address space elsewhere ({listed}): "
            "whether the service's addresses are in it is not known",
        )
    return _hop(
        step, table_id, True, f"transit gateway route table {table_id} routes {what}: {described}"
    )


def _describe_tgw_route(route: dict[str, Any]) -> str:
    targets = ", ".join(a.get("attachment_id") or "?" for a in route.get("attachments") or [])
    where = route.get("destination") or route.get("prefix_list_id")
    return f"{where} -> {targets or 'no attachment'} ({route.get('type')}, {route.get('state')})"


class _Walk:
    """One walk through a TGW for one source; collects hops in order."""

    def __init__(self, net: NetworkView, source: Source, tgw_id: str, destination: Network):
        self.net = net
        self.inv = net.inventory
        self.source = source
        self.tgw_id = tgw_id
        self.destination = destination
        self.hops: list[Hop] = []
        self.egress_name = ""

    def add(self, hop: Hop) -> bool:
        """Record a hop; False when the walk cannot go on past it."""
        self.hops.append(hop)
        return hop.ok is not False and hop.ok is not None

    # ------------------------------------------------------------------ out

    def tgw(self) -> bool:
        tgw = self.net.transit_gateway(self.tgw_id)
        if tgw is None:
            owner = self.net.tgw_owner_from_attachments(self.tgw_id)
            if owner is not None and owner != self.inv.account_id:
                return self.add(
                    _hop(
                        TGW_STEP,
                        self.tgw_id,
                        None,
                        f"transit gateway {self.tgw_id} belongs to account {owner}, which was "
                        "not scanned: its route tables cannot be followed (scan account "
                        f"{owner} (owner of {self.tgw_id}) too)",
                        unknown_reason=UnknownReason.ACCOUNT_NOT_SCANNED,
                    )
                )
            missing = self.net.tgw_data_missing(self.source.region)
            return self.add(
                _hop(
                    TGW_STEP,
                    self.tgw_id,
                    None,
                    f"transit gateway {self.tgw_id} is not in the inventory"
                    + (f" ({missing})" if missing else ""),
                )
            )
        if tgw.owner_id and tgw.owner_id != self.inv.holder_of(tgw).account_id:
            # Shared with us and its owner not scanned (in this run or recently): the owner's
            # route tables are not readable from here.
            return self.add(
                _hop(
                    TGW_STEP,
                    self.tgw_id,
                    None,
                    f"transit gateway {self.tgw_id} belongs to account {tgw.owner_id}, which "
                    "was not scanned: its route tables cannot be followed (scan account "
                    f"{tgw.owner_id} (owner of {self.tgw_id}) too)",
                    unknown_reason=UnknownReason.ACCOUNT_NOT_SCANNED,
                )
            )
        return self.add(
            _hop(
                TGW_STEP,
                self.tgw_id,
                tgw.state == "available",
                f"transit gateway {self.tgw_id} is {tgw.state}",
            )
        )

    def _attachment_hop(
        self, attachment: Ec2TransitGatewayAttachment, role: str
    ) -> tuple[bool, str | None]:
        """The attachment's state, and its subnet in the task's AZ (or any, with a note)."""
        available = attachment.state == "available"
        if not self.add(
            _hop(
                ATTACHMENT_STEP,
                attachment.transit_gateway_attachment_id,
                available,
                f"{role} attachment {attachment.transit_gateway_attachment_id} of "
                f"{attachment.resource_id} is {attachment.state}"
                + ("" if available else ": only an available attachment carries traffic"),
            )
        ):
            return False, None
        return True, None

    def _az_of(self, subnet_id: str) -> str | None:
        subnet = self.inv.subnet_by_id.get(subnet_id)
        return subnet.availability_zone if subnet else None

    def source_attachment(self) -> Ec2TransitGatewayAttachment | None:
        attachment = self.net.vpc_attachment(self.tgw_id, self.source.vpc_id)
        if attachment is None:
            self.add(
                _hop(
                    ATTACHMENT_STEP,
                    self.tgw_id,
                    False,
                    f"{self.source.vpc_id} has no attachment to transit gateway {self.tgw_id}: "
                    "the route has nowhere to go",
                )
            )
            return None
        ok, _ = self._attachment_hop(attachment, "spoke")
        if not ok:
            return None
        task_az = self._az_of(self.source.subnet_id)
        in_az = [s for s in attachment.subnet_ids if self._az_of(s) == task_az]
        if task_az is None or not in_az:
            self.add(
                _hop(
                    ATTACHMENT_STEP,
                    attachment.transit_gateway_attachment_id,
                    False if task_az is not None else None,
                    f"attachment {attachment.transit_gateway_attachment_id} has no subnet in "
                    f"{task_az or 'the task subnet AZ (unknown)'} (its subnets: "
                    f"{', '.join(attachment.subnet_ids) or 'none'}): traffic from that AZ "
                    "cannot enter the transit gateway",
                )
            )
            return None
        self.spoke_subnet = in_az[0]
        self.add(
            _hop(
                ATTACHMENT_STEP,
                attachment.transit_gateway_attachment_id,
                True,
                f"attachment {attachment.transit_gateway_attachment_id} has subnet "
                f"{in_az[0]} in {task_az}",
            )
        )
        return attachment

    def associated_table(
        self, attachment: Ec2TransitGatewayAttachment, role: str
    ) -> Ec2TransitGatewayRouteTable | None:
        table_id = attachment.association_route_table_id
        state = attachment.association_state
        if not table_id or state not in (None, "associated"):
            self.add(
                _hop(
                    TGW_ROUTE_STEP,
                    attachment.transit_gateway_attachment_id,
                    False,
                    f"{role} attachment {attachment.transit_gateway_attachment_id} is not "
                    f"associated with a transit gateway route table ({state or 'none'}): "
                    "the transit gateway drops its traffic",
                )
            )
            return None
        table = self.inv.tgw_route_table_by_id.get(table_id)
        if table is None:
            missing = self.net.tgw_data_missing(self.source.region)
            self.add(
                _hop(
                    TGW_ROUTE_STEP,
                    table_id,
                    None,
                    f"transit gateway route table {table_id} is not in the inventory"
                    + (f" ({missing})" if missing else ""),
                )
            )
            return None
        if not table.routes_complete:
            self.add(
                _hop(
                    TGW_ROUTE_STEP,
                    table_id,
                    None,
                    f"transit gateway route table {table_id} has more routes than one search "
                    "returns (AdditionalRoutesAvailable): the match is not proven",
                )
            )
            return None
        return table

    def route(
        self, table: Ec2TransitGatewayRouteTable, destination: Network, *, step: str, what: str
    ) -> dict[str, Any] | None:
        """The route to ``destination`` and its hop; None when it does not carry traffic."""
        route, unresolved = best_tgw_route(table.routes, destination, self.net.prefix_list_cidrs)
        table_id = table.transit_gateway_route_table_id
        if unresolved and (route is None or route.get("prefix_list_id") is None):
            self.add(
                _hop(
                    step,
                    table_id,
                    None,
                    f"{table_id}: prefix lists {', '.join(unresolved)} were not collected, so "
                    f"the route {what} is not proven",
                )
            )
            return None
        if route is None:
            self.add(
                _hop(
                    step,
                    table_id,
                    False,
                    f"transit gateway route table {table_id} has no route {what}",
                )
            )
            return None
        hop = _route_problem(route, table, destination, step=step, what=what)
        self.add(hop)
        return route if hop.ok else None

    def egress_attachment(self, route: dict[str, Any]) -> Ec2TransitGatewayAttachment | None:
        attachments = route.get("attachments") or []
        if len(attachments) > 1:
            self.add(
                _hop(
                    TGW_ROUTE_STEP,
                    ",".join(a.get("attachment_id") or "?" for a in attachments),
                    None,
                    "the route spreads traffic over several attachments (ECMP), which is not "
                    "followed",
                    unknown_reason=UnknownReason.NOT_MODELLED,
                )
            )
            return None
        target = attachments[0]
        attachment_id = str(target.get("attachment_id") or "")
        kind = str(target.get("resource_type") or "")
        if kind in _BEYOND_AWS_ATTACHMENTS:
            self.add(
                _hop(
                    ATTACHMENT_STEP,
                    attachment_id,
                    None,
                    f"egress leaves AWS through transit gateway attachment {attachment_id} "
                    f"({kind} {target.get('resource_id')}); what happens there cannot be seen",
                    unknown_reason=UnknownReason.BEYOND_AWS,
                )
            )
            return None
        if kind != "vpc":
            reason = (
                UnknownReason.APPLIANCE
                if kind in ("connect", "network-function")
                else UnknownReason.NOT_MODELLED
            )
            self.add(
                _hop(
                    ATTACHMENT_STEP,
                    attachment_id,
                    None,
                    f"the route goes to {kind or 'an'} attachment {attachment_id} "
                    f"({target.get('resource_id')}), which is not followed",
                    unknown_reason=reason,
                )
            )
            return None
        attachment = self.inv.tgw_attachment_by_id.get(attachment_id)
        if attachment is None:
            self.add(
                _hop(
                    ATTACHMENT_STEP,
                    attachment_id,
                    None,
                    f"attachment {attachment_id} is not in the inventory",
                )
            )
            return None
        ok, _ = self._attachment_hop(attachment, "egress")
        return attachment if ok else None

    def egress_vpc(self, attachment: Ec2TransitGatewayAttachment) -> bool:
        vpc_id = attachment.resource_id or "(unknown VPC)"
        if vpc_id not in self.inv.vpc_by_id:
            owner = attachment.resource_owner_id
            if owner and owner != self.inv.account_id:
                return self.add(
                    _hop(
                        ATTACHMENT_STEP,
                        vpc_id,
                        None,
                        f"egress VPC {vpc_id} belongs to account {owner}, which was not "
                        "scanned: its routes and NAT gateways cannot be followed (scan account "
                        f"{owner} (owner of {vpc_id}) too)",
                        unknown_reason=UnknownReason.ACCOUNT_NOT_SCANNED,
                    )
                )
            return self.add(
                _hop(ATTACHMENT_STEP, vpc_id, None, f"egress VPC {vpc_id} is not in the inventory")
            )
        task_az = self._az_of(self.source.subnet_id)
        same_az = [s for s in attachment.subnet_ids if self._az_of(s) == task_az]
        candidates = same_az or list(attachment.subnet_ids)
        subnet_id = candidates[0] if candidates else None
        appliance = (attachment.appliance_mode_support or "disable") == "enable"
        if subnet_id is None:
            return self.add(
                _hop(
                    ATTACHMENT_STEP,
                    attachment.transit_gateway_attachment_id,
                    False,
                    f"egress attachment {attachment.transit_gateway_attachment_id} has no subnet",
                )
            )
        self.egress_subnet = subnet_id
        note = (
            f"in the task's AZ {task_az}"
            if same_az
            else f"in another AZ than the task's {task_az} (traffic crosses AZs)"
        )
        mode = (
            "appliance mode on: a flow keeps one AZ both ways"
            if appliance
            else "appliance mode off: flows stay in their source AZ"
        )
        return self.add(
            _hop(
                ATTACHMENT_STEP,
                attachment.transit_gateway_attachment_id,
                True,
                f"egress attachment {attachment.transit_gateway_attachment_id} delivers to "
                f"subnet {subnet_id} of {vpc_id}, {note}; {mode}",
            )
        )

    def out_of_egress_vpc(self, attachment: Ec2TransitGatewayAttachment) -> str | None:
        """The egress VPC: its attachment subnet's default route to a NAT gateway and on.
        Returns the NAT gateway's subnet (for the return route), or None."""
        from checks.reachability.internet import (
            default_route_hop,
            nat_hops,
            other_target_hop,
            route_table_hop,
        )

        vpc_id = attachment.resource_id
        table, table_hop = route_table_hop(self.net, self.egress_subnet)
        if not self.add(_relabel(table_hop, "egress VPC attachment subnet")) or table is None:
            return None
        target, route_hop = default_route_hop(self.net, table, self.destination)
        if not self.add(_relabel(route_hop, "egress VPC attachment subnet")):
            return None
        kind = target_kind_of_id(target or "")
        if kind is TargetKind.NAT_GATEWAY and target:
            hops = nat_hops(self.net, target, vpc_id)
            for hop in hops:
                self.hops.append(hop)
            nat = self.inv.nat_gateway_by_id.get(target)
            self.egress_name = f"NAT gateway {target} in {vpc_id}"
            if any(h.ok is False for h in hops) or nat is None:
                return None
            return nat.subnet_id or ""
        if kind is TargetKind.INTERNET_GATEWAY:
            self.add(
                _hop(
                    "route-target",
                    target or "",
                    False,
                    f"the egress VPC's attachment subnet {self.egress_subnet} routes "
                    f"{self.destination} straight to {target}: the task's private address has "
                    "no public IP there, so the internet gateway drops it (a NAT gateway is "
                    "needed)",
                )
            )
            return None
        self.add(other_target_hop(target or "", self.destination))
        return None

    # ------------------------------------------------------------------ back

    def task_network(self) -> Network | None:
        subnet = self.inv.subnet_by_id.get(self.source.subnet_id)
        return parse_network(subnet.cidr_block) if subnet else None

    def return_in_egress_vpc(self, nat_subnet: str) -> bool:
        from checks.reachability.internet import route_table_hop

        task_net = self.task_network()
        if task_net is None:
            return self.add(
                _hop(
                    RETURN_STEP,
                    self.source.subnet_id,
                    None,
                    f"the CIDR of task subnet {self.source.subnet_id} is not known",
                )
            )
        if not nat_subnet:
            return True  # regional NAT gateway: its route table is not modelled separately
        table, table_hop = route_table_hop(self.net, nat_subnet)
        if table is None:
            return self.add(_relabel(table_hop, "NAT gateway subnet (return)"))
        match = best_route(table.routes, task_net, self.net.prefix_list_cidrs)
        route = match.route
        ok = route is not None and match.active and str(route.get("target_id") or "") == self.tgw_id
        detail = (
            f"{table.route_table_id} (NAT gateway subnet {nat_subnet}) routes the task subnet "
            f"{task_net} back: {describe_route(route)}"
        )
        if not ok:
            detail += (
                f"; it must go to {self.tgw_id}, or replies never reach the task (no return route)"
            )
        return self.add(_hop(RETURN_STEP, table.route_table_id, ok, detail))

    def return_in_tgw(
        self, egress: Ec2TransitGatewayAttachment, spoke: Ec2TransitGatewayAttachment
    ) -> bool:
        task_net = self.task_network()
        if task_net is None:
            return False
        table = self.associated_table(egress, "egress")
        if table is None:
            return False
        route, unresolved = best_tgw_route(table.routes, task_net, self.net.prefix_list_cidrs)
        table_id = table.transit_gateway_route_table_id
        spoke_id = spoke.transit_gateway_attachment_id
        if route is None and unresolved:
            return self.add(
                _hop(
                    RETURN_STEP,
                    table_id,
                    None,
                    f"{table_id}: prefix lists {', '.join(unresolved)} were not collected",
                )
            )
        ok = (
            route is not None
            and route.get("state") == "active"
            and any(a.get("attachment_id") == spoke_id for a in route.get("attachments") or [])
        )
        detail = (
            f"transit gateway route table {table_id} (associated with the egress attachment) "
            f"routes the task subnet {task_net} back: "
            + (_describe_tgw_route(route) if route else "no route")
        )
        if not ok:
            detail += f"; it must go to the spoke attachment {spoke_id} (asymmetric routing)"
        return self.add(_hop(RETURN_STEP, table_id, ok, detail))

    # ------------------------------------------------------------------ NACLs

    def acl_hops(self, nat_subnet: str | None) -> None:
        internet = Peers.internet()
        task_peers = subnet_peers(self.net, self.source.subnet_id)
        spoke = getattr(self, "spoke_subnet", None)
        if spoke and spoke != self.source.subnet_id and task_peers is not None:
            # Task -> TGW: the attachment subnet's inbound rules; TGW -> task: its outbound.
            self.hops.extend(
                connection_hops(self.net, spoke, task_peers, side="server", role="spoke attachment")
            )
        egress_subnet = getattr(self, "egress_subnet", None)
        if egress_subnet:
            # TGW -> egress VPC: the attachment subnet's outbound rules; replies: inbound.
            self.hops.extend(
                connection_hops(
                    self.net, egress_subnet, internet, side="client", role="egress attachment"
                )
            )
        if nat_subnet and nat_subnet != egress_subnet:
            self.hops.extend(nat_subnet_hops(self.net, nat_subnet, self.source.subnet_id))


def _relabel(hop: Hop, where: str) -> Hop:
    return Hop(
        step=hop.step,
        subject=hop.subject,
        ok=hop.ok,
        detail=f"{where}: {hop.detail}",
        unknown_reason=hop.unknown_reason,
    )


def transit_gateway_hops(
    net: NetworkView, source: Source, tgw_id: str, destination: Network
) -> tuple[str, list[Hop]]:
    """The hops of a default route to ``tgw_id`` (the task subnet's own route and NACL hops
    are the caller's); returns a path name and the hops. The walk stops at the first hop that
    fails or cannot be judged: what lies beyond it is not evaluated."""
    walk = _Walk(net, source, tgw_id, destination)
    name = f"transit gateway {tgw_id}"
    spoke = walk.source_attachment() if walk.tgw() else None
    table = walk.associated_table(spoke, "spoke") if spoke is not None else None
    route = (
        walk.route(table, destination, step=TGW_ROUTE_STEP, what=f"for {destination}")
        if table is not None
        else None
    )
    egress = walk.egress_attachment(route) if route is not None else None
    if spoke is None or egress is None or not walk.egress_vpc(egress):
        return name, walk.hops
    nat_subnet = walk.out_of_egress_vpc(egress)
    if walk.egress_name:
        name = f"transit gateway {tgw_id} to {walk.egress_name}"
    if nat_subnet is not None:
        walk.return_in_egress_vpc(nat_subnet)
        walk.return_in_tgw(egress, spoke)
        walk.acl_hops(nat_subnet)
    return name, walk.hops
