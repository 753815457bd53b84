"""A read model of one scan: the tables of one scan, indexed the way the checks look things up.

Checks receive an ``Inventory`` and never touch the database or AWS.
"""

from __future__ import annotations

import typing
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import TypeVar

from auditor.store.resources import (
    GLOBAL_REGION,
    DhcpOptionsAssociationEvent,
    Ec2DhcpOptions,
    Ec2EgressOnlyInternetGateway,
    Ec2FlowLog,
    Ec2InternetGateway,
    Ec2ManagedPrefixList,
    Ec2NatGateway,
    Ec2NetworkAcl,
    Ec2NetworkInterface,
    Ec2RouteTable,
    Ec2SecurityGroup,
    Ec2Subnet,
    Ec2TransitGateway,
    Ec2TransitGatewayAttachment,
    Ec2TransitGatewayRouteTable,
    Ec2Vpc,
    Ec2VpcEndpoint,
    Ec2VpcPeeringConnection,
    Ec2VpnGateway,
    EcsAccountSetting,
    EcsCluster,
    EcsService,
    EcsTask,
    EcsTaskDefinition,
    EfsAccessPoint,
    EfsFileSystem,
    EfsMountTarget,
    Elbv2TargetGroup,
    IamRole,
    NetworkFirewallFirewall,
    NetworkFirewallPolicy,
    NetworkFirewallRuleGroup,
    ResourceMixin,
)
from auditor.store.scans import CollectionOutcome, OutcomeStatus, Scan

R = TypeVar("R", bound=ResourceMixin)


@dataclass
class Inventory:
    """Everything one scan collected in one account, across its regions."""

    scan: Scan
    outcomes: Sequence[CollectionOutcome] = ()
    clusters: Sequence[EcsCluster] = ()
    services: Sequence[EcsService] = ()
    tasks: Sequence[EcsTask] = ()
    task_definitions: Sequence[EcsTaskDefinition] = ()
    account_settings: Sequence[EcsAccountSetting] = ()
    vpcs: Sequence[Ec2Vpc] = ()
    dhcp_options: Sequence[Ec2DhcpOptions] = ()
    subnets: Sequence[Ec2Subnet] = ()
    route_tables: Sequence[Ec2RouteTable] = ()
    internet_gateways: Sequence[Ec2InternetGateway] = ()
    egress_only_internet_gateways: Sequence[Ec2EgressOnlyInternetGateway] = ()
    nat_gateways: Sequence[Ec2NatGateway] = ()
    vpc_endpoints: Sequence[Ec2VpcEndpoint] = ()
    network_interfaces: Sequence[Ec2NetworkInterface] = ()
    security_groups: Sequence[Ec2SecurityGroup] = ()
    flow_logs: Sequence[Ec2FlowLog] = ()
    prefix_lists: Sequence[Ec2ManagedPrefixList] = ()
    network_acls: Sequence[Ec2NetworkAcl] = ()
    file_systems: Sequence[EfsFileSystem] = ()
    mount_targets: Sequence[EfsMountTarget] = ()
    access_points: Sequence[EfsAccessPoint] = ()
    transit_gateways: Sequence[Ec2TransitGateway] = ()
    transit_gateway_attachments: Sequence[Ec2TransitGatewayAttachment] = ()
    transit_gateway_route_tables: Sequence[Ec2TransitGatewayRouteTable] = ()
    vpc_peering_connections: Sequence[Ec2VpcPeeringConnection] = ()
    vpn_gateways: Sequence[Ec2VpnGateway] = ()
    network_firewalls: Sequence[NetworkFirewallFirewall] = ()
    firewall_policies: Sequence[NetworkFirewallPolicy] = ()
    firewall_rule_groups: Sequence[NetworkFirewallRuleGroup] = ()
    target_groups: Sequence[Elbv2TargetGroup] = ()
    iam_roles: Sequence[IamRole] = ()
    dhcp_association_events: Sequence[DhcpOptionsAssociationEvent] = ()
    # The previous scan (reads.previous_scan: complete, same account and regions), if any.
    previous: Inventory | None = None
    # Other accounts whose network records this account's paths cross: the accounts that
    # own its shared VPCs and subnets, from the same run or from their latest complete scan
    # (``RunView.peers`` in auditor/engine.py). Checks never iterate them: they
    # reach them through the ID lookups below, joined by owner.
    peers: Sequence[Inventory] = ()

    _outcome_index: dict[tuple[str, str], CollectionOutcome] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._outcome_index = {(o.region, o.collector): o for o in self.outcomes}
        self._index_network()
        self.target_group_by_arn = {t.target_group_arn: t for t in self.target_groups}
        self.task_definition_by_arn = {d.task_definition_arn: d for d in self.task_definitions}
        self.role_by_name = {r.role_name: r for r in self.iam_roles}
        self.file_system_by_id = {f.file_system_id: f for f in self.file_systems}
        self.access_point_by_id = {a.access_point_id: a for a in self.access_points}
        self.firewall_policy_by_arn = {p.firewall_policy_arn: p for p in self.firewall_policies}
        self.rule_group_by_arn = {g.rule_group_arn: g for g in self.firewall_rule_groups}
        # A firewall endpoint (vpce-) → its firewall, as the firewall's SyncStates name it.
        self.firewall_by_endpoint: dict[str, NetworkFirewallFirewall] = {
            str(e["endpoint_id"]): f
            for f in self.network_firewalls
            for e in f.endpoints
            if e.get("endpoint_id")
        }
        self.mount_targets_by_file_system: dict[str, list[EfsMountTarget]] = defaultdict(list)
        for target in self.mount_targets:
            self.mount_targets_by_file_system[target.file_system_id].append(target)

        # The owner of a shared VPC creates its flow logs: they are looked up across peers too.
        self.flow_logs_by_resource: dict[str, list[Ec2FlowLog]] = defaultdict(list)
        for flow_log in self._joined("flow_logs", "flow_log_id", Ec2FlowLog).values():
            self.flow_logs_by_resource[flow_log.resource_id].append(flow_log)
        self.settings_by_region: dict[str, dict[str, EcsAccountSetting]] = defaultdict(dict)
        for setting in self.account_settings:
            self.settings_by_region[setting.region][setting.name] = setting
        self.dhcp_events_by_vpc: dict[str, list[DhcpOptionsAssociationEvent]] = defaultdict(list)
        for event in sorted(self.dhcp_association_events, key=lambda e: e.event_time):
            if event.vpc_id:
                self.dhcp_events_by_vpc[event.vpc_id].append(event)

    def _index_network(self) -> None:
        # Network records are looked up across this account and its peers (VPC sharing):
        # IDs are the same in every account that sees a resource, and the copy in the
        # owner's own scan wins.
        self.vpc_by_id = self._joined("vpcs", "vpc_id", Ec2Vpc)
        self.subnet_by_id = self._joined("subnets", "subnet_id", Ec2Subnet)
        self.route_table_by_id = self._joined("route_tables", "route_table_id", Ec2RouteTable)
        self.eni_by_id = self._joined(
            "network_interfaces", "network_interface_id", Ec2NetworkInterface
        )
        self.security_group_by_id = self._joined("security_groups", "group_id", Ec2SecurityGroup)
        self.nat_gateway_by_id = self._joined("nat_gateways", "nat_gateway_id", Ec2NatGateway)
        self.transit_gateway_by_id = self._joined(
            "transit_gateways", "transit_gateway_id", Ec2TransitGateway
        )
        self.tgw_attachment_by_id = self._joined(
            "transit_gateway_attachments",
            "transit_gateway_attachment_id",
            Ec2TransitGatewayAttachment,
        )
        self.tgw_route_table_by_id = self._joined(
            "transit_gateway_route_tables",
            "transit_gateway_route_table_id",
            Ec2TransitGatewayRouteTable,
        )
        self.peering_connection_by_id = self._joined(
            "vpc_peering_connections", "vpc_peering_connection_id", Ec2VpcPeeringConnection
        )
        self.vpn_gateway_by_id = self._joined("vpn_gateways", "vpn_gateway_id", Ec2VpnGateway)
        self.internet_gateway_by_id = self._joined(
            "internet_gateways", "internet_gateway_id", Ec2InternetGateway
        )
        self.egress_only_gateway_by_id = self._joined(
            "egress_only_internet_gateways",
            "egress_only_internet_gateway_id",
            Ec2EgressOnlyInternetGateway,
        )
        self.prefix_list_by_id = self._joined(
            "prefix_lists", "prefix_list_id", Ec2ManagedPrefixList
        )
        self.network_acl_by_id = self._joined("network_acls", "network_acl_id", Ec2NetworkAcl)
        self.vpc_endpoint_by_id = self._joined("vpc_endpoints", "vpc_endpoint_id", Ec2VpcEndpoint)
        self.dhcp_options_by_id = self._joined("dhcp_options", "dhcp_options_id", Ec2DhcpOptions)
        self._holder_of_record: dict[int, Inventory] = {
            id(record): peer
            for peer in self.peers
            for name in NETWORK_FIELDS
            for record in getattr(peer, name)
        }
        scanned = {self.account_id, *(peer.account_id for peer in self.peers)}
        # Owners named by this account's VPCs and subnets whose records are in no scan:
        # owner account -> the first VPC of theirs a record here names.
        self.unscanned_owners: dict[str, str] = {}
        self._unscanned_vpc_owner: dict[str, str] = {}
        named = [(v.owner_id, v.vpc_id) for v in self.vpcs]
        named += [(s.owner_id, s.vpc_id) for s in self.subnets]
        # A shared transit gateway, and the VPCs attached to it by other accounts (an egress
        # VPC): named by the TGW's OwnerId and the attachments' owner fields.
        named += [(t.owner_id, t.transit_gateway_id) for t in self.transit_gateways]
        for attachment in self.transit_gateway_attachments:
            named.append((attachment.transit_gateway_owner_id, attachment.transit_gateway_id))
            if attachment.resource_type == "vpc" and attachment.resource_id:
                named.append((attachment.resource_owner_id, attachment.resource_id))
        for owner, vpc_id in named:
            if owner and owner not in scanned:
                self.unscanned_owners.setdefault(owner, vpc_id)
                self._unscanned_vpc_owner.setdefault(vpc_id, owner)
        self._explicit_table: dict[str, Ec2RouteTable] = {}
        self._main_table: dict[str, Ec2RouteTable] = {}
        self._gateway_table: dict[str, Ec2RouteTable] = {}
        for table in self.route_table_by_id.values():
            for assoc in table.associations:
                if assoc.get("state") not in (None, "associated"):
                    continue
                if assoc.get("main"):
                    self._main_table[table.vpc_id] = table
                elif assoc.get("subnet_id"):
                    self._explicit_table[assoc["subnet_id"]] = table
                elif assoc.get("gateway_id"):
                    self._gateway_table[assoc["gateway_id"]] = table

        self.endpoints_by_vpc: dict[str, list[Ec2VpcEndpoint]] = defaultdict(list)
        for endpoint in self.vpc_endpoint_by_id.values():
            self.endpoints_by_vpc[endpoint.vpc_id].append(endpoint)

    # ------------------------------------------------------------------ collection outcomes

    @property
    def account_id(self) -> str:
        return self.scan.account_id

    @property
    def regions(self) -> list[str]:
        return list(self.scan.regions)

    def outcome(self, region: str, collector: str) -> CollectionOutcome | None:
        return self._outcome_index.get((region, collector))

    def missing(self, region: str, collectors: Iterable[str]) -> list[str]:
        """The collectors among ``collectors`` whose data is not there for ``region``.

        Global collectors (IAM) are looked up under the "global" region. A collector that did
        not run at all counts as missing: no outcome is never read as "no resources". So does
        one that was not needed (nothing in this account and region led to its resources):
        a path that reaches for its data anyway, from a record of another account, gets
        UNKNOWN, never an empty list read as "gone".
        """
        gaps: list[str] = []
        for name in collectors:
            outcome = self.outcome(region, name) or self.outcome(GLOBAL_REGION, name)
            if outcome is None or outcome.status != OutcomeStatus.OK:
                gaps.append(name)
        return gaps

    def describe_missing(self, region: str, collectors: Iterable[str]) -> str:
        """A human sentence fragment naming what could not be collected and why."""
        parts = []
        for name in self.missing(region, collectors):
            outcome = self.outcome(region, name) or self.outcome(GLOBAL_REGION, name)
            if outcome is None:
                parts.append(f"{name} (not collected)")
            elif outcome.status == OutcomeStatus.NOT_NEEDED:
                parts.append(f"{name} ({outcome.error or 'not needed'})")
            else:
                parts.append(f"{name} ({outcome.status}: {outcome.error or 'no detail'})")
        return "; ".join(parts)

    # ------------------------------------------------------------------ owners

    def _joined(self, name: str, key: str, kind: type[R]) -> dict[str, R]:
        """One network record kind by ID over this account and its peers; where several
        accounts see the same resource, the copy from its owner's own scan is kept."""
        found: dict[str, R] = {}
        for holder in (self, *self.peers):
            for record in getattr(holder, name):
                resource_id = getattr(record, key)
                held = found.get(resource_id)
                if held is None or (
                    owner_of(held) != held.account_id and owner_of(record) == record.account_id
                ):
                    found[resource_id] = record
        return found

    @cached_property
    def _record_by_resource_id(self) -> dict[str, ResourceMixin]:
        found: dict[str, ResourceMixin] = {}
        for index in _INDEX_OF.values():
            found.update(getattr(self, index))
        return found

    def record_of_resource(self, resource_id: str) -> ResourceMixin | None:
        """The network record with this ID, from this account or a peer, or None."""
        return self._record_by_resource_id.get(resource_id)

    def holder_of(self, record: ResourceMixin) -> Inventory:
        """The inventory (this one or a peer's) whose scan collected ``record``."""
        return self._holder_of_record.get(id(record), self)

    def unscanned_owner(self, vpc_id: str | None) -> str | None:
        """The owner of ``vpc_id`` when it is another account that no scan here covers."""
        return self._unscanned_vpc_owner.get(vpc_id or "")

    def scan_hint(self, vpc_id: str | None) -> str | None:
        """The hint "scan account X (owner of vpc-...) too", or None."""
        owner = self.unscanned_owner(vpc_id)
        return f"scan account {owner} (owner of {vpc_id}) too" if owner else None

    # ------------------------------------------------------------------ network lookups

    def effective_route_table(self, subnet_id: str) -> tuple[Ec2RouteTable | None, str]:
        """The table routing a subnet's egress and how it was chosen: "explicit" or "main".

        The main-table fallback only ever uses the main table of the subnet's own VPC.
        """
        explicit = self._explicit_table.get(subnet_id)
        if explicit is not None:
            return explicit, "explicit"
        subnet = self.subnet_by_id.get(subnet_id)
        if subnet is None:
            return None, "unknown-subnet"
        main = self._main_table.get(subnet.vpc_id)
        if main is None and self.unscanned_owner(subnet.vpc_id):
            return None, "owner-not-scanned"
        return main, "main" if main is not None else "none"

    def gateway_route_table(self, gateway_id: str) -> Ec2RouteTable | None:
        """The edge route table of an internet or virtual private gateway (ingress routing:
        it routes what enters the VPC through the gateway), or None when it has none."""
        return self._gateway_table.get(gateway_id)

    def eni_for_task(self, task: EcsTask) -> Ec2NetworkInterface | None:
        return self.eni_by_id.get(task.eni_id) if task.eni_id else None

    def vpc_of_subnet(self, subnet_id: str | None) -> Ec2Vpc | None:
        subnet = self.subnet_by_id.get(subnet_id) if subnet_id else None
        return self.vpc_by_id.get(subnet.vpc_id) if subnet else None

    def task_definition_of(self, arn: str | None) -> EcsTaskDefinition | None:
        return self.task_definition_by_arn.get(arn) if arn else None

    # ------------------------------------------------------------------ scope helpers

    def running_fargate_tasks(self) -> list[EcsTask]:
        return [t for t in self.tasks if t.is_fargate and t.last_status == "RUNNING"]

    def stopped_fargate_tasks(self) -> list[EcsTask]:
        return [t for t in self.tasks if t.is_fargate and t.last_status == "STOPPED"]

    def fargate_services(self) -> list[EcsService]:
        return [s for s in self.services if s.is_fargate]


def owner_of(record: ResourceMixin) -> str:
    """The account owning a record: its OwnerId where AWS gives one, else the scanned one."""
    return getattr(record, "owner_id", None) or record.account_id


# Network record kinds joined across accounts, with the attribute holding each one's ID.
NETWORK_KEYS: tuple[tuple[str, str], ...] = (
    ("vpcs", "vpc_id"),
    ("subnets", "subnet_id"),
    ("route_tables", "route_table_id"),
    ("network_interfaces", "network_interface_id"),
    ("security_groups", "group_id"),
    ("nat_gateways", "nat_gateway_id"),
    ("internet_gateways", "internet_gateway_id"),
    ("egress_only_internet_gateways", "egress_only_internet_gateway_id"),
    ("prefix_lists", "prefix_list_id"),
    ("network_acls", "network_acl_id"),
    ("vpc_endpoints", "vpc_endpoint_id"),
    ("dhcp_options", "dhcp_options_id"),
    ("transit_gateways", "transit_gateway_id"),
    ("transit_gateway_attachments", "transit_gateway_attachment_id"),
    ("transit_gateway_route_tables", "transit_gateway_route_table_id"),
    ("vpc_peering_connections", "vpc_peering_connection_id"),
    ("vpn_gateways", "vpn_gateway_id"),
)
NETWORK_FIELDS: tuple[str, ...] = tuple(name for name, _ in NETWORK_KEYS)
# What another account's evaluation reads of a peer: its network records, and the flow logs
# the owner of a shared VPC creates.
PEER_FIELDS: tuple[str, ...] = (*NETWORK_FIELDS, "flow_logs")
_INDEX_OF = {
    "vpcs": "vpc_by_id",
    "subnets": "subnet_by_id",
    "route_tables": "route_table_by_id",
    "network_interfaces": "eni_by_id",
    "security_groups": "security_group_by_id",
    "nat_gateways": "nat_gateway_by_id",
    "internet_gateways": "internet_gateway_by_id",
    "egress_only_internet_gateways": "egress_only_gateway_by_id",
    "prefix_lists": "prefix_list_by_id",
    "network_acls": "network_acl_by_id",
    "vpc_endpoints": "vpc_endpoint_by_id",
    "dhcp_options": "dhcp_options_by_id",
    "transit_gateways": "transit_gateway_by_id",
    "transit_gateway_attachments": "tgw_attachment_by_id",
    "transit_gateway_route_tables": "tgw_route_table_by_id",
    "vpc_peering_connections": "peering_connection_by_id",
    "vpn_gateways": "vpn_gateway_by_id",
}


def _record_fields() -> dict[type[ResourceMixin], str]:
    """The attribute holding each record class, read from the typed fields above.

    A test checks these against the record classes the collectors declare, so a collector
    whose records have no field here (or a field no collector fills) fails the suite.
    """
    hints = typing.get_type_hints(Inventory)
    found: dict[type[ResourceMixin], str] = {}
    for item in fields(Inventory):
        args = typing.get_args(hints[item.name])
        kind = args[0] if len(args) == 1 else None
        if isinstance(kind, type) and issubclass(kind, ResourceMixin):
            found[kind] = item.name
    return found


# Inventory attribute for each record class, e.g. Ec2Subnet -> "subnets".
RECORD_FIELDS: dict[type[ResourceMixin], str] = _record_fields()
