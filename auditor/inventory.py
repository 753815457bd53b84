"""A read model of one scan: the tables of one scan, indexed the way the checks look things up.

Checks receive an ``Inventory`` and never touch the database or AWS.
"""

from __future__ import annotations

import typing
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields

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
    ResourceMixin,
)
from auditor.store.scans import CollectionOutcome, OutcomeStatus, Scan


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
    target_groups: Sequence[Elbv2TargetGroup] = ()
    iam_roles: Sequence[IamRole] = ()
    dhcp_association_events: Sequence[DhcpOptionsAssociationEvent] = ()
    # The previous scan (repository.previous_scan: complete, same account and regions), if any.
    previous: Inventory | None = None

    _outcome_index: dict[tuple[str, str], CollectionOutcome] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._outcome_index = {(o.region, o.collector): o for o in self.outcomes}
        self.vpc_by_id = {v.vpc_id: v for v in self.vpcs}
        self.subnet_by_id = {s.subnet_id: s for s in self.subnets}
        self.route_table_by_id = {r.route_table_id: r for r in self.route_tables}
        self.eni_by_id = {e.network_interface_id: e for e in self.network_interfaces}
        self.security_group_by_id = {g.group_id: g for g in self.security_groups}
        self.nat_gateway_by_id = {n.nat_gateway_id: n for n in self.nat_gateways}
        self.transit_gateway_by_id = {t.transit_gateway_id: t for t in self.transit_gateways}
        self.tgw_attachment_by_id = {
            a.transit_gateway_attachment_id: a for a in self.transit_gateway_attachments
        }
        self.tgw_route_table_by_id = {
            t.transit_gateway_route_table_id: t for t in self.transit_gateway_route_tables
        }
        self.peering_connection_by_id = {
            p.vpc_peering_connection_id: p for p in self.vpc_peering_connections
        }
        self.vpn_gateway_by_id = {g.vpn_gateway_id: g for g in self.vpn_gateways}
        self.internet_gateway_by_id = {g.internet_gateway_id: g for g in self.internet_gateways}
        self.egress_only_gateway_by_id = {
            g.egress_only_internet_gateway_id: g for g in self.egress_only_internet_gateways
        }
        self.prefix_list_by_id = {p.prefix_list_id: p for p in self.prefix_lists}
        self.network_acl_by_id = {a.network_acl_id: a for a in self.network_acls}
        self.target_group_by_arn = {t.target_group_arn: t for t in self.target_groups}
        self.task_definition_by_arn = {d.task_definition_arn: d for d in self.task_definitions}
        self.dhcp_options_by_id = {d.dhcp_options_id: d for d in self.dhcp_options}
        self.role_by_name = {r.role_name: r for r in self.iam_roles}
        self.file_system_by_id = {f.file_system_id: f for f in self.file_systems}
        self.access_point_by_id = {a.access_point_id: a for a in self.access_points}
        self.mount_targets_by_file_system: dict[str, list[EfsMountTarget]] = defaultdict(list)
        for target in self.mount_targets:
            self.mount_targets_by_file_system[target.file_system_id].append(target)

        self._explicit_table: dict[str, Ec2RouteTable] = {}
        self._main_table: dict[str, Ec2RouteTable] = {}
        for table in self.route_tables:
            for assoc in table.associations:
                if assoc.get("state") not in (None, "associated"):
                    continue
                if assoc.get("main"):
                    self._main_table[table.vpc_id] = table
                elif assoc.get("subnet_id"):
                    self._explicit_table[assoc["subnet_id"]] = table

        self.endpoints_by_vpc: dict[str, list[Ec2VpcEndpoint]] = defaultdict(list)
        for endpoint in self.vpc_endpoints:
            self.endpoints_by_vpc[endpoint.vpc_id].append(endpoint)
        self.flow_logs_by_resource: dict[str, list[Ec2FlowLog]] = defaultdict(list)
        for flow_log in self.flow_logs:
            self.flow_logs_by_resource[flow_log.resource_id].append(flow_log)
        self.settings_by_region: dict[str, dict[str, EcsAccountSetting]] = defaultdict(dict)
        for setting in self.account_settings:
            self.settings_by_region[setting.region][setting.name] = setting
        self.dhcp_events_by_vpc: dict[str, list[DhcpOptionsAssociationEvent]] = defaultdict(list)
        for event in sorted(self.dhcp_association_events, key=lambda e: e.event_time):
            if event.vpc_id:
                self.dhcp_events_by_vpc[event.vpc_id].append(event)

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
        not run at all counts as missing: no outcome is never read as "no resources".
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
            else:
                parts.append(f"{name} ({outcome.status}: {outcome.error or 'no detail'})")
        return "; ".join(parts)

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
        return main, "main" if main is not None else "none"

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
