"""Private paths through VPC endpoints: interface endpoints and the S3 gateway endpoint.

An interface endpoint serves a task only when it is available in the task's VPC with private
DNS on, the VPC resolves names (DNS support and host names on), the task may send TCP 443 to
it and its own groups accept TCP 443 from the task (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html).
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from auditor.store.resources import Ec2RouteTable, Ec2VpcEndpoint
from checks.reachability.acl_hops import between_subnets, connection_hops, network_peers
from checks.reachability.destinations import EndpointService, service_name
from checks.reachability.model import Hop, Path, Source
from checks.reachability.nacls import HTTPS, Peers
from checks.reachability.routes import Network, parse_network
from checks.reachability.security_groups import Peer, check_rules
from checks.support import EC2_DHCP_OPTIONS

if TYPE_CHECKING:
    from checks.reachability.network import NetworkView


def _pick(candidates: list[Ec2VpcEndpoint]) -> Ec2VpcEndpoint | None:
    """The most usable of several endpoints for the same service (available, private DNS)."""
    if not candidates:
        return None
    return max(
        candidates,
        key=lambda e: ((e.state or "").lower() == "available", e.private_dns_enabled),
    )


def _candidates(
    net: NetworkView, source: Source, service: EndpointService, endpoint_type: str
) -> list[Ec2VpcEndpoint]:
    wanted = service_name(source.region, service)
    return [
        e
        for e in net.inventory.endpoints_by_vpc.get(source.vpc_id or "", [])
        if e.service_name == wanted and e.endpoint_type.lower() == endpoint_type
    ]


def _find(
    net: NetworkView, source: Source, service: EndpointService, endpoint_type: str
) -> Ec2VpcEndpoint | None:
    return _pick(_candidates(net, source, service, endpoint_type))


def _s3_route(table: Ec2RouteTable, endpoint_id: str) -> dict[str, Any] | None:
    return next(
        (
            r
            for r in table.routes
            if r.get("target_id") == endpoint_id and str(r.get("destination", "")).startswith("pl-")
        ),
        None,
    )


def _find_s3_gateway(
    net: NetworkView, source: Source, table: Ec2RouteTable | None
) -> Ec2VpcEndpoint | None:
    """Of every S3 gateway endpoint in the VPC, the one the subnet's table routes to (the
    most usable such one, an active route first); else the most usable endpoint."""
    candidates = _candidates(net, source, EndpointService.S3, "gateway")
    if table is not None:
        routed = [(e, route) for e in candidates if (route := _s3_route(table, e.vpc_endpoint_id))]
        if routed:
            return max(
                routed,
                key=lambda pair: (
                    (pair[0].state or "").lower() == "available",
                    pair[1].get("state") == "active",
                ),
            )[0]
    return _pick(candidates)


def _state_hop(endpoint: Ec2VpcEndpoint) -> Hop:
    state = endpoint.state or "unknown"
    return Hop(
        step="endpoint-state",
        subject=endpoint.vpc_endpoint_id,
        ok=state.lower() == "available",
        detail=f"endpoint {endpoint.vpc_endpoint_id} ({endpoint.service_name}) is {state}",
    )


def vpc_dns_hop(net: NetworkView, vpc_id: str | None) -> Hop:
    vpc = net.inventory.vpc_by_id.get(vpc_id or "")
    if vpc is None:
        return Hop(
            step="vpc-dns", subject=str(vpc_id), ok=None, detail=f"{vpc_id} is not in the inventory"
        )
    support, hostnames = vpc.enable_dns_support, vpc.enable_dns_hostnames
    if support is None or hostnames is None:
        return Hop(
            step="vpc-dns",
            subject=vpc.vpc_id,
            ok=None,
            detail=f"the DNS attributes of {vpc.vpc_id} were not read",
        )
    ok = support and hostnames
    return Hop(
        step="vpc-dns",
        subject=vpc.vpc_id,
        ok=ok,
        detail=f"{vpc.vpc_id} enableDnsSupport={str(support).lower()}, "
        f"enableDnsHostnames={str(hostnames).lower()}"
        + ("" if ok else ": endpoint private DNS names do not resolve"),
    )


_AMAZON_DNS = "amazonprovideddns"


def dhcp_dns_hop(net: NetworkView, vpc_id: str | None) -> Hop:
    """Endpoint private DNS names resolve only through the Route 53 Resolver
    (AmazonProvidedDNS); a custom DNS server needs conditional forwarding to it, which the
    scanner cannot see ("DNS" considerations in
    https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html)."""
    vpc = net.inventory.vpc_by_id.get(vpc_id or "")
    if vpc is None:
        return Hop(
            step="dhcp-dns",
            subject=str(vpc_id),
            ok=None,
            detail=f"{vpc_id} is not in the inventory",
        )
    options_id = vpc.dhcp_options_id
    if not options_id or options_id == "default":
        return Hop(
            step="dhcp-dns",
            subject=vpc.vpc_id,
            ok=True,
            detail=f"{vpc.vpc_id} has no DHCP option set: it uses AmazonProvidedDNS",
        )
    options = net.inventory.dhcp_options_by_id.get(options_id)
    if options is None:
        why = (
            "was not collected"
            if net.inventory.missing(vpc.region, [EC2_DHCP_OPTIONS])
            else "is not in the inventory"
        )
        return Hop(
            step="dhcp-dns",
            subject=options_id,
            ok=None,
            detail=f"DHCP option set {options_id} of {vpc.vpc_id} {why}: its DNS servers are "
            "unknown",
        )
    raw_servers = options.configurations.get("domain-name-servers")
    servers = [str(s) for s in raw_servers] if isinstance(raw_servers, list) else [str(raw_servers)]
    if raw_servers is None or any(s.lower() == _AMAZON_DNS for s in servers):
        return Hop(
            step="dhcp-dns",
            subject=options_id,
            ok=True,
            detail=f"DHCP option set {options_id} of {vpc.vpc_id} uses AmazonProvidedDNS",
        )
    return Hop(
        step="dhcp-dns",
        subject=options_id,
        ok=None,
        detail=f"DHCP option set {options_id} of {vpc.vpc_id} gives custom DNS servers "
        f"({', '.join(servers)}); conditional forwarding to the Resolver cannot be verified",
    )


def _source_networks(net: NetworkView, source: Source) -> tuple[Network, ...]:
    if source.private_ipv4:
        try:
            return (ipaddress.ip_network(f"{source.private_ipv4}/32"),)
        except ValueError:
            pass
    subnet = net.inventory.subnet_by_id.get(source.subnet_id)
    parsed = parse_network(subnet.cidr_block) if subnet else None
    return (parsed,) if parsed is not None else ()


def _endpoint_networks(net: NetworkView, endpoint: Ec2VpcEndpoint) -> tuple[Network, ...]:
    nets: list[Network] = []
    for subnet_id in endpoint.subnet_ids:
        subnet = net.inventory.subnet_by_id.get(subnet_id)
        parsed = parse_network(subnet.cidr_block) if subnet else None
        if parsed is not None:
            nets.append(parsed)
    return tuple(nets)


def _security_hops(
    net: NetworkView, source: Source, endpoint: Ec2VpcEndpoint
) -> tuple[list[Hop], bool]:
    """The two group hops, and whether they depend on the task's own address (not only on
    its groups), which decides whether other tasks with the same groups can share them."""
    groups = net.inventory.security_group_by_id
    egress = check_rules(
        source.security_group_ids,
        groups,
        Peer(
            group_ids=tuple(endpoint.security_group_ids),
            networks=_endpoint_networks(net, endpoint),
        ),
        direction="egress",
    )
    ingress = check_rules(
        tuple(endpoint.security_group_ids),
        groups,
        Peer(group_ids=source.security_group_ids),
        direction="ingress",
    )
    by_address = ingress.allowed is not True
    if by_address:
        ingress = check_rules(
            tuple(endpoint.security_group_ids),
            groups,
            Peer(group_ids=source.security_group_ids, networks=_source_networks(net, source)),
            direction="ingress",
        )
    return [
        Hop(
            step="security-group-egress",
            subject=",".join(source.security_group_ids) or "(no security group)",
            ok=egress.allowed,
            detail=f"task to {endpoint.vpc_endpoint_id}: {egress.detail}",
        ),
        Hop(
            step="endpoint-security-group-ingress",
            subject=",".join(endpoint.security_group_ids) or endpoint.vpc_endpoint_id,
            ok=ingress.allowed,
            detail=f"{endpoint.vpc_endpoint_id} from the task: {ingress.detail}",
        ),
    ], by_address


def interface_endpoint_path(
    net: NetworkView, source: Source, service: EndpointService, *, check_groups: bool = True
) -> tuple[Path, bool]:
    """The path through the VPC's interface endpoint for ``service``, and whether it depends
    on the source's address (see :func:`_security_hops`)."""
    name = f"{service} endpoint"
    endpoint = _find(net, source, service, "interface")
    if endpoint is None and (
        owner_hop := net.unscanned_owner_hop("endpoint", source.vpc_id, "the endpoints")
    ):
        return Path(name=name, hops=(owner_hop,)), False
    if endpoint is None:
        missing = Hop(
            step="endpoint",
            subject=service_name(source.region, service),
            ok=False,
            detail=f"{source.vpc_id} has no {service_name(source.region, service)} "
            "interface endpoint",
        )
        return Path(name=name, hops=(missing,)), False
    hops = [
        Hop(
            step="endpoint",
            subject=endpoint.vpc_endpoint_id,
            ok=True,
            detail=f"interface endpoint {endpoint.vpc_endpoint_id} for {endpoint.service_name} "
            f"in {endpoint.vpc_id}",
        ),
        _state_hop(endpoint),
        Hop(
            step="endpoint-private-dns",
            subject=endpoint.vpc_endpoint_id,
            ok=endpoint.private_dns_enabled,
            detail=f"private DNS is {'on' if endpoint.private_dns_enabled else 'off'} for "
            f"{endpoint.vpc_endpoint_id}"
            + (
                ""
                if endpoint.private_dns_enabled
                else ": the public name still resolves to public addresses"
            ),
        ),
        vpc_dns_hop(net, source.vpc_id),
        dhcp_dns_hop(net, source.vpc_id),
    ]
    by_address = False
    if check_groups:
        group_hops, by_address = _security_hops(net, source, endpoint)
        hops.extend(group_hops)
    # Which endpoint ENI a client picks is not documented: every endpoint subnet must admit
    # the task through both network ACLs (none applies within the task's own subnet).
    for subnet_id in endpoint.subnet_ids:
        hops.extend(
            between_subnets(
                net,
                source.subnet_id,
                subnet_id,
                port=HTTPS,
                server_role=f"endpoint {endpoint.vpc_endpoint_id}",
            )
        )
    return Path(name=name, hops=tuple(hops)), by_address


def _s3_acl_hops(net: NetworkView, source: Source, prefix_list: str) -> list[Hop]:
    """The task subnet's NACL toward S3: NACL entries hold CIDRs only, so the prefix list's
    entries are what must be allowed
    (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html)."""
    cidrs = net.prefix_list_cidrs(prefix_list)
    networks = [n for n in (parse_network(c) for c in cidrs or []) if n is not None]
    networks = [n for n in networks if n.version == 4]
    if not networks:
        # S3's addresses are public: rules deciding every public address alike decide them;
        # rules splitting the public space leave the hop open.
        peers = Peers(
            version=4,
            intervals=Peers.internet().intervals,
            label=f"S3 ({prefix_list}, whose entries were not collected: any public address)",
        )
        return connection_hops(net, source.subnet_id, peers, side="client", role="task")
    peers = network_peers(networks, f"S3 ({prefix_list})")
    return connection_hops(net, source.subnet_id, peers, side="client", role="task")


def s3_gateway_path(net: NetworkView, source: Source, *, check_groups: bool = True) -> Path:
    name = "s3 gateway endpoint"
    table, how = net.inventory.effective_route_table(source.subnet_id)
    endpoint = _find_s3_gateway(net, source, table)
    if endpoint is None and (
        owner_hop := net.unscanned_owner_hop("endpoint", source.vpc_id, "the endpoints")
    ):
        return Path(name=name, hops=(owner_hop,))
    if endpoint is None:
        return Path(
            name=name,
            hops=(
                Hop(
                    step="endpoint",
                    subject=service_name(source.region, EndpointService.S3),
                    ok=False,
                    detail=f"{source.vpc_id} has no "
                    f"{service_name(source.region, EndpointService.S3)} gateway endpoint "
                    "(image layers are served from S3)",
                ),
            ),
        )
    hops = [
        Hop(
            step="endpoint",
            subject=endpoint.vpc_endpoint_id,
            ok=True,
            detail=f"gateway endpoint {endpoint.vpc_endpoint_id} for {endpoint.service_name}",
        ),
        _state_hop(endpoint),
    ]
    prefix_list: str | None = None
    if table is None:
        hops.append(
            Hop(
                step="route",
                subject=source.subnet_id,
                # Every VPC has a main table: none found means it was not collected.
                ok=None,
                detail=f"the route table of subnet {source.subnet_id} is not in the inventory "
                "(it would carry the S3 route)",
            )
        )
    else:
        route = _s3_route(table, endpoint.vpc_endpoint_id)
        if route is None:
            hops.append(
                Hop(
                    step="route",
                    subject=table.route_table_id,
                    ok=False,
                    detail=f"{table.route_table_id} ({how} table of {source.subnet_id}) has no "
                    f"prefix-list route to {endpoint.vpc_endpoint_id}: associate the endpoint "
                    "with this route table",
                )
            )
        else:
            prefix_list = str(route["destination"])
            active = route.get("state") == "active"
            hops.append(
                Hop(
                    step="route",
                    subject=table.route_table_id,
                    ok=active,
                    detail=f"{table.route_table_id} routes {prefix_list} to "
                    f"{endpoint.vpc_endpoint_id} ({route.get('state')})",
                )
            )
    if prefix_list is not None:
        hops.extend(_s3_acl_hops(net, source, prefix_list))
    if check_groups and prefix_list is not None:
        cidrs = net.prefix_list_cidrs(prefix_list)
        record = net.inventory.prefix_list_by_id.get(prefix_list)
        family = ((record.address_family if record is not None else None) or "IPv4").lower()
        check = check_rules(
            source.security_group_ids,
            net.inventory.security_group_by_id,
            Peer(
                prefix_list_id=prefix_list,
                prefix_list_cidrs=tuple(cidrs) if cidrs is not None else None,
                prefix_list_version=6 if family == "ipv6" else 4,
            ),
            direction="egress",
        )
        hops.append(
            Hop(
                step="security-group-egress",
                subject=",".join(source.security_group_ids) or source.label,
                ok=check.allowed,
                detail=f"task to S3 ({prefix_list}): {check.detail}",
            )
        )
    return Path(name=name, hops=tuple(hops))
