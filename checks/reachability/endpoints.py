"""Private paths through VPC endpoints: interface endpoints and the S3 gateway endpoint.

An interface endpoint serves a task only when it is available in the task's VPC with private
DNS on, the VPC resolves names (DNS support and host names on), the task may send TCP 443 to
it and its own groups accept TCP 443 from the task (FACTS §1.3).
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from auditor.store.resources import Ec2VpcEndpoint
from checks.reachability.destinations import EndpointService, service_name
from checks.reachability.model import Hop, Path, Source
from checks.reachability.routes import Network, parse_network
from checks.reachability.security_groups import Peer, check_rules

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


def _find(
    net: NetworkView, source: Source, service: EndpointService, endpoint_type: str
) -> Ec2VpcEndpoint | None:
    wanted = service_name(source.region, service)
    return _pick(
        [
            e
            for e in net.inventory.endpoints_by_vpc.get(source.vpc_id or "", [])
            if e.service_name == wanted and e.endpoint_type.lower() == endpoint_type
        ]
    )


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
    ]
    by_address = False
    if check_groups:
        group_hops, by_address = _security_hops(net, source, endpoint)
        hops.extend(group_hops)
    return Path(name=name, hops=tuple(hops)), by_address


def s3_gateway_path(net: NetworkView, source: Source, *, check_groups: bool = True) -> Path:
    name = "s3 gateway endpoint"
    endpoint = _find(net, source, EndpointService.S3, "gateway")
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
    table, how = net.inventory.effective_route_table(source.subnet_id)
    prefix_list: str | None = None
    if table is None:
        hops.append(
            Hop(
                step="route",
                subject=source.subnet_id,
                ok=None if how == "unknown-subnet" else False,
                detail=f"subnet {source.subnet_id} has no route table to carry the S3 route",
            )
        )
    else:
        route = next(
            (
                r
                for r in table.routes
                if r.get("target_id") == endpoint.vpc_endpoint_id
                and str(r.get("destination", "")).startswith("pl-")
            ),
            None,
        )
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
    if check_groups and prefix_list is not None:
        cidrs = net.prefix_list_cidrs(prefix_list)
        check = check_rules(
            source.security_group_ids,
            net.inventory.security_group_by_id,
            Peer(
                prefix_list_id=prefix_list,
                prefix_list_cidrs=tuple(cidrs) if cidrs is not None else None,
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
