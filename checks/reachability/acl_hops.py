"""Network ACL hops: which subnet boundaries a path crosses, in which direction, and the verdict.

A TCP connection from a client to a server crosses each subnet boundary twice: the request
(to the server's port) and the reply (to the client's ephemeral port), and NACLs, being
stateless, judge both (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html).
Traffic that stays inside one subnet crosses no NACL. The functions here name every crossing
of a path as one hop (step ``network-acl``, the NACL as subject), for any protocol and port,
so other checks (EFS on TCP 2049) reuse them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from checks.reachability.model import Hop
from checks.reachability.nacls import (
    EPHEMERAL,
    HTTPS,
    TCP,
    Crossing,
    Peers,
    evaluate_acl,
    evaluate_return,
)
from checks.reachability.routes import Network, parse_network

if TYPE_CHECKING:
    from checks.reachability.network import NetworkView

ACL_STEP = "network-acl"


def subnet_peers(net: NetworkView, subnet_id: str, version: int = 4) -> Peers | None:
    """A subnet's addresses in one IP family (its CIDR or IPv6 CIDRs), or None if unknown."""
    subnet = net.inventory.subnet_by_id.get(subnet_id)
    if subnet is None:
        return None
    texts = [subnet.cidr_block] if version == 4 else list(subnet.ipv6_cidr_blocks)
    networks = [n for n in (parse_network(t) for t in texts) if n is not None]
    networks = [n for n in networks if n.version == version]
    if not networks:
        return None
    return Peers.of(networks, label=f"subnet {subnet_id} ({', '.join(map(str, networks))})")


def network_peers(networks: Sequence[Network], label: str) -> Peers:
    return Peers.of(list(networks), label=label)


def acl_hop(
    net: NetworkView,
    subnet_id: str,
    crossing: Crossing,
    *,
    role: str,
    task_return: bool = False,
) -> Hop:
    """One crossing of ``subnet_id``'s boundary. ``task_return`` marks replies to the task's
    own ephemeral port (the Linux range is accepted with a caveat, see evaluate_return)."""
    acl, problem = net.network_acl_of(subnet_id)
    if acl is None:
        return Hop(
            step=ACL_STEP,
            subject=subnet_id,
            ok=None,
            detail=f"{role} subnet {subnet_id}: {problem}; {crossing.describe()} is not proven",
        )
    verdict = evaluate_return(acl, crossing) if task_return else evaluate_acl(acl, crossing)
    which = "default network ACL" if acl.is_default else "network ACL"
    return Hop(
        step=ACL_STEP,
        subject=acl.network_acl_id,
        ok=verdict.allowed,
        detail=f"{which} {acl.network_acl_id} of {role} subnet {subnet_id}: {verdict.detail}",
    )


def _unknown_peer_hop(subnet_id: str, role: str, what: str) -> Hop:
    return Hop(
        step=ACL_STEP,
        subject=subnet_id,
        ok=None,
        detail=f"{role} subnet {subnet_id}: the addresses of {what} are not known, so its "
        "network ACL cannot be evaluated for this traffic",
    )


def connection_hops(
    net: NetworkView,
    subnet_id: str,
    remote: Peers,
    *,
    side: Literal["client", "server"],
    role: str,
    port: int = HTTPS,
    protocol: int = TCP,
    task_is_client: bool = True,
) -> list[Hop]:
    """One end of a connection at ``subnet_id``'s boundary: the request (to ``port``) and the
    reply (to the client's ephemeral ports). ``side`` is what the subnet holds: the client
    (the request out to ``remote``, the reply back in) or the server (the request in from
    ``remote``, the reply out to it)."""
    request_out = side == "client"
    return [
        acl_hop(
            net,
            subnet_id,
            Crossing(egress=request_out, peers=remote, ports=(port, port), protocol=protocol),
            role=role,
        ),
        acl_hop(
            net,
            subnet_id,
            Crossing(egress=not request_out, peers=remote, ports=EPHEMERAL, protocol=protocol),
            role=role,
            task_return=task_is_client,
        ),
    ]


def between_subnets(
    net: NetworkView,
    client_subnet: str,
    server_subnet: str,
    *,
    port: int,
    protocol: int = TCP,
    client_role: str = "task",
    server_role: str = "server",
    version: int = 4,
) -> list[Hop]:
    """Every NACL crossing of a connection between two subnets of one VPC (both directions,
    both subnets); none when they are the same subnet (NACLs apply only at its boundary)."""
    if client_subnet == server_subnet:
        return []
    client_peers = subnet_peers(net, client_subnet, version)
    server_peers = subnet_peers(net, server_subnet, version)
    hops: list[Hop] = []
    if server_peers is None:
        hops.append(_unknown_peer_hop(client_subnet, client_role, f"subnet {server_subnet}"))
    else:
        hops.extend(
            connection_hops(
                net,
                client_subnet,
                server_peers,
                side="client",
                role=client_role,
                port=port,
                protocol=protocol,
            )
        )
    if client_peers is None:
        hops.append(_unknown_peer_hop(server_subnet, server_role, f"subnet {client_subnet}"))
    else:
        hops.extend(
            connection_hops(
                net,
                server_subnet,
                client_peers,
                side="server",
                role=server_role,
                port=port,
                protocol=protocol,
            )
        )
    return hops


def nat_subnet_hops(
    net: NetworkView,
    nat_subnet: str,
    task_subnet: str,
    *,
    version: int = 4,
    role: str = "NAT gateway",
) -> list[Hop]:
    """The subnet of a hop in the middle (a NAT gateway's, a firewall's), both legs: from the
    task in and to the internet out, the internet's replies in (to ports 1024-65535) and back
    out to the task."""
    internet = Peers.internet()
    if nat_subnet == task_subnet:
        # Task and NAT share a subnet: only the internet side crosses its NACL (the task's
        # own hops cover the request out).
        return [
            acl_hop(
                net,
                nat_subnet,
                Crossing(egress=False, peers=internet, ports=EPHEMERAL),
                role=role,
            )
        ]
    hops: list[Hop] = []
    task_peers = subnet_peers(net, task_subnet, version)
    if task_peers is None:
        hops.append(_unknown_peer_hop(nat_subnet, role, f"subnet {task_subnet}"))
    else:
        hops.append(
            acl_hop(
                net,
                nat_subnet,
                Crossing(egress=False, peers=task_peers, ports=(HTTPS, HTTPS)),
                role=role,
            )
        )
    hops.append(
        acl_hop(
            net,
            nat_subnet,
            Crossing(egress=True, peers=internet, ports=(HTTPS, HTTPS)),
            role=role,
        )
    )
    hops.append(
        acl_hop(
            net,
            nat_subnet,
            Crossing(egress=False, peers=internet, ports=EPHEMERAL),
            role=role,
        )
    )
    if task_peers is not None:
        hops.append(
            acl_hop(
                net,
                nat_subnet,
                Crossing(egress=True, peers=task_peers, ports=EPHEMERAL),
                role=role,
                task_return=True,
            )
        )
    return hops
