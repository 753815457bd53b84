"""Hand-built inventories for check tests: an ``Estate`` builder with keyword-only factories.

Every collector succeeds unless a test calls ``estate.fail(...)``. Nothing here talks to AWS.
The module name is unique on purpose: test directories have no ``__init__.py``, so a plain
``factories`` module could clash with another area's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from auditor.inventory import Inventory
from auditor.store.resources import (
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
)
from auditor.store.scans import CollectionOutcome, Scan
from checks.base import Result, Status
from checks.support import IAM_SERVICE_LINKED_ROLE, KNOWN_COLLECTORS

ACCOUNT = "123456789012"
REGION = "us-east-1"
CLUSTER = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod"
ECR_IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:1"
S3_PREFIX_LIST = "pl-63a5400a"
S3_CIDRS = ["52.216.0.0/15", "3.5.0.0/19"]

ALL_TRAFFIC = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


def route(
    destination: str, target: str, *, state: str = "active", origin: str = "CreateRoute"
) -> dict[str, Any]:
    """A normalised route, its family and target type inferred from the IDs."""
    if destination.startswith("pl-"):
        family = "prefix-list"
    elif ":" in destination:
        family = "ipv6"
    else:
        family = "ipv4"
    prefixes = {
        "nat-": "nat-gateway",
        "eigw-": "egress-only-internet-gateway",
        "tgw-": "transit-gateway",
        "pcx-": "vpc-peering-connection",
        "eni-": "network-interface",
        "i-": "instance",
    }
    target_type = next((t for p, t in prefixes.items() if target.startswith(p)), "gateway")
    return {
        "destination": destination,
        "family": family,
        "target_type": target_type,
        "target_id": target,
        "state": state,
        "origin": origin,
    }


def https_from_group(group_id: str) -> dict[str, Any]:
    return {
        "IpProtocol": "tcp",
        "FromPort": 443,
        "ToPort": 443,
        "UserIdGroupPairs": [{"GroupId": group_id}],
    }


def nfs_from_group(group_id: str) -> dict[str, Any]:
    return {
        "IpProtocol": "tcp",
        "FromPort": 2049,
        "ToPort": 2049,
        "UserIdGroupPairs": [{"GroupId": group_id}],
    }


def efs_volume(
    file_system_id: str = "fs-1",
    *,
    name: str = "data",
    access_point: str | None = None,
    iam: bool = False,
) -> dict[str, Any]:
    config: dict[str, Any] = {"fileSystemId": file_system_id, "rootDirectory": "/"}
    if access_point or iam:
        config["transitEncryption"] = "ENABLED"
        config["authorizationConfig"] = {
            **({"accessPointId": access_point} if access_point else {}),
            "iam": "ENABLED" if iam else "DISABLED",
        }
    return {"name": name, "efsVolumeConfiguration": config}


def https_to_cidr(cidr: str) -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": cidr}]}


def tgw_route(
    destination: str,
    attachment_id: str | None,
    *,
    state: str = "active",
    route_type: str = "static",
    resource_type: str = "vpc",
    resource_id: str | None = None,
) -> dict[str, Any]:
    """A normalised transit gateway route (collectors/ec2/transit_gateways.py)."""
    return {
        "destination": destination,
        "prefix_list_id": None,
        "type": route_type,
        "state": state,
        "attachments": [
            {
                "attachment_id": attachment_id,
                "resource_id": resource_id,
                "resource_type": resource_type,
            }
        ]
        if attachment_id
        else [],
    }


def acl_entry(
    number: int,
    action: str,
    *,
    egress: bool,
    cidr: str = "0.0.0.0/0",
    ipv6: str | None = None,
    protocol: str = "-1",
    ports: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """A normalised NACL entry, as collectors/ec2/network_acls.py records it."""
    return {
        "rule_number": number,
        "egress": egress,
        "protocol": protocol,
        "rule_action": action,
        "cidr_block": None if ipv6 else cidr,
        "ipv6_cidr_block": ipv6,
        "port_from": ports[0] if ports else None,
        "port_to": ports[1] if ports else None,
        "icmp_type": None,
        "icmp_code": None,
    }


# The default NACL of a VPC with IPv6: rule 100 (IPv4) and 101 (IPv6) allow all, then *.
DEFAULT_ACL_ENTRIES: list[dict[str, Any]] = [
    rule
    for egress in (True, False)
    for rule in (
        acl_entry(100, "allow", egress=egress),
        acl_entry(101, "allow", egress=egress, ipv6="::/0"),
        acl_entry(32767, "deny", egress=egress),
        acl_entry(32768, "deny", egress=egress, ipv6="::/0"),
    )
]


class Estate:
    """One account's resources in one scan; ``inventory()`` freezes them into an Inventory."""

    def __init__(
        self,
        *,
        account_id: str = ACCOUNT,
        regions: Iterable[str] = (REGION,),
        scan_id: str = "scan-1",
        started_at: datetime | None = None,
    ) -> None:
        self.account_id = account_id
        self.regions = list(regions)
        self.scan_id = scan_id
        self.started_at = started_at or datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
        self.records: dict[str, list[Any]] = {}
        self.failures: dict[tuple[str, str], tuple[str, str]] = {}
        self._counter = 0

    # ------------------------------------------------------------------ plumbing

    def _add(self, kind: str, record: Any) -> Any:
        self.records.setdefault(kind, []).append(record)
        return record

    def _next(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter:08x}"

    def _common(self, region: str | None, raw: dict[str, Any] | None = None) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "region": region or self.regions[0],
            "raw": raw or {},
        }

    def fail(
        self,
        collector: str,
        *,
        region: str | None = None,
        status: str = "denied",
        error: str = "AccessDenied",
    ) -> None:
        where = "global" if collector == IAM_SERVICE_LINKED_ROLE else (region or self.regions[0])
        self.failures[(where, collector)] = (status, error)

    def outcomes(self) -> list[CollectionOutcome]:
        result = []
        for collector in sorted(KNOWN_COLLECTORS):
            regions = ["global"] if collector == IAM_SERVICE_LINKED_ROLE else self.regions
            for region in regions:
                status, error = self.failures.get((region, collector), ("ok", None))
                result.append(
                    CollectionOutcome(
                        collector=collector,
                        account_id=self.account_id,
                        region=region,
                        status=status,
                        error=error,
                        optional=collector == "cloudtrail.dhcp_associations",
                    )
                )
        return result

    def inventory(self, *, previous: Inventory | None = None) -> Inventory:
        scan = Scan(
            id=self.scan_id,
            account_id=self.account_id,
            regions=self.regions,
            started_at=self.started_at,
            status="complete",
        )
        r = self.records
        return Inventory(
            scan=scan,
            outcomes=self.outcomes(),
            previous=previous,
            clusters=r.get("clusters", []),
            services=r.get("services", []),
            tasks=r.get("tasks", []),
            task_definitions=r.get("task_definitions", []),
            account_settings=r.get("account_settings", []),
            vpcs=r.get("vpcs", []),
            dhcp_options=r.get("dhcp_options", []),
            subnets=r.get("subnets", []),
            route_tables=r.get("route_tables", []),
            internet_gateways=r.get("internet_gateways", []),
            egress_only_internet_gateways=r.get("egress_only_internet_gateways", []),
            nat_gateways=r.get("nat_gateways", []),
            vpc_endpoints=r.get("vpc_endpoints", []),
            network_interfaces=r.get("network_interfaces", []),
            security_groups=r.get("security_groups", []),
            flow_logs=r.get("flow_logs", []),
            prefix_lists=r.get("prefix_lists", []),
            network_acls=self._network_acls(),
            file_systems=r.get("file_systems", []),
            mount_targets=r.get("mount_targets", []),
            access_points=r.get("access_points", []),
            transit_gateways=r.get("transit_gateways", []),
            transit_gateway_attachments=r.get("transit_gateway_attachments", []),
            transit_gateway_route_tables=r.get("transit_gateway_route_tables", []),
            vpc_peering_connections=r.get("vpc_peering_connections", []),
            vpn_gateways=r.get("vpn_gateways", []),
            target_groups=r.get("target_groups", []),
            iam_roles=r.get("iam_roles", []),
            dhcp_association_events=r.get("dhcp_association_events", []),
        )

    def _network_acls(self) -> list[Ec2NetworkAcl]:
        """The NACLs given, plus an open default NACL per VPC for every other subnet: as in
        AWS, every subnet has one."""
        acls: list[Ec2NetworkAcl] = list(self.records.get("network_acls", []))
        covered = {s for acl in acls for s in acl.subnet_ids}
        loose: dict[tuple[str, str], list[str]] = {}
        for subnet in self.records.get("subnets", []):
            if subnet.subnet_id not in covered:
                loose.setdefault((subnet.region, subnet.vpc_id), []).append(subnet.subnet_id)
        for (region, vpc_id), subnet_ids in sorted(loose.items()):
            acls.append(
                Ec2NetworkAcl(
                    **self._common(region),
                    network_acl_id=f"acl-default-{vpc_id}",
                    vpc_id=vpc_id,
                    owner_id=self.account_id,
                    is_default=True,
                    subnet_ids=subnet_ids,
                    entries=DEFAULT_ACL_ENTRIES,
                )
            )
        return acls

    # ------------------------------------------------------------------ EC2

    def vgw(
        self,
        *,
        vgw_id: str = "vgw-1",
        vpc_id: str | None = "vpc-1",
        state: str = "available",
        attachment_state: str = "attached",
        region: str | None = None,
    ) -> Ec2VpnGateway:
        attachments = [{"vpc_id": vpc_id, "state": attachment_state}] if vpc_id else []
        return self._add(
            "vpn_gateways",
            Ec2VpnGateway(
                **self._common(region), vpn_gateway_id=vgw_id, state=state, attachments=attachments
            ),
        )

    def tgw(
        self,
        *,
        tgw_id: str = "tgw-1",
        owner_id: str | None = None,
        state: str = "available",
        region: str | None = None,
    ) -> Ec2TransitGateway:
        return self._add(
            "transit_gateways",
            Ec2TransitGateway(
                **self._common(region),
                transit_gateway_id=tgw_id,
                owner_id=owner_id or self.account_id,
                state=state,
            ),
        )

    def tgw_attachment(
        self,
        *,
        attachment_id: str,
        vpc_id: str,
        subnets: Iterable[str],
        route_table_id: str | None,
        tgw_id: str = "tgw-1",
        resource_type: str = "vpc",
        state: str = "available",
        appliance_mode: str = "disable",
        tgw_owner_id: str | None = None,
        resource_owner_id: str | None = None,
        region: str | None = None,
    ) -> Ec2TransitGatewayAttachment:
        return self._add(
            "transit_gateway_attachments",
            Ec2TransitGatewayAttachment(
                **self._common(region),
                transit_gateway_attachment_id=attachment_id,
                transit_gateway_id=tgw_id,
                transit_gateway_owner_id=tgw_owner_id or self.account_id,
                resource_type=resource_type,
                resource_id=vpc_id,
                resource_owner_id=resource_owner_id or self.account_id,
                state=state,
                association_route_table_id=route_table_id,
                association_state="associated" if route_table_id else None,
                subnet_ids=list(subnets),
                appliance_mode_support=appliance_mode,
            ),
        )

    def tgw_route_table(
        self,
        *,
        route_table_id: str,
        routes: Iterable[dict[str, Any]],
        tgw_id: str = "tgw-1",
        complete: bool = True,
        region: str | None = None,
    ) -> Ec2TransitGatewayRouteTable:
        return self._add(
            "transit_gateway_route_tables",
            Ec2TransitGatewayRouteTable(
                **self._common(region),
                transit_gateway_route_table_id=route_table_id,
                transit_gateway_id=tgw_id,
                state="available",
                routes=list(routes),
                routes_complete=complete,
            ),
        )

    def peering(
        self,
        *,
        peering_id: str = "pcx-1",
        requester_region: str = "us-east-1",
        accepter_region: str = "us-east-1",
        status: str = "active",
        region: str | None = None,
    ) -> Ec2VpcPeeringConnection:
        return self._add(
            "vpc_peering_connections",
            Ec2VpcPeeringConnection(
                **self._common(region),
                vpc_peering_connection_id=peering_id,
                status=status,
                requester={"vpc_id": "vpc-1", "region": requester_region, "cidrs": []},
                accepter={"vpc_id": "vpc-peer", "region": accepter_region, "cidrs": []},
            ),
        )

    def network_acl(
        self,
        *,
        acl_id: str = "acl-1",
        vpc_id: str = "vpc-1",
        subnets: Iterable[str] = ("subnet-1",),
        entries: Iterable[dict[str, Any]] = (),
        closing: bool = True,
        region: str | None = None,
    ) -> Ec2NetworkAcl:
        """A custom NACL; ``closing`` adds the * deny entries AWS always lists."""
        rules = list(entries)
        if closing:
            rules.extend(acl_entry(32767, "deny", egress=e) for e in (True, False))
            rules.extend(acl_entry(32768, "deny", egress=e, ipv6="::/0") for e in (True, False))
        return self._add(
            "network_acls",
            Ec2NetworkAcl(
                **self._common(region),
                network_acl_id=acl_id,
                vpc_id=vpc_id,
                owner_id=self.account_id,
                is_default=False,
                subnet_ids=list(subnets),
                entries=rules,
            ),
        )

    def vpc(
        self,
        *,
        vpc_id: str = "vpc-1",
        cidr: str = "10.0.0.0/16",
        ipv6_cidrs: Iterable[str] = (),
        dhcp_options_id: str | None = "dopt-1",
        dns_support: bool | None = True,
        dns_hostnames: bool | None = True,
        name: str | None = None,
        region: str | None = None,
    ) -> Ec2Vpc:
        raw = {"Tags": [{"Key": "Name", "Value": name}]} if name else {}
        where = region or self.regions[0]
        known = {
            d.dhcp_options_id for d in self.records.get("dhcp_options", []) if d.region == where
        }
        if dhcp_options_id is not None and dhcp_options_id not in known:
            # The option set a VPC names exists; dhcp_options() replaces it when called.
            self.dhcp_options(dhcp_options_id=dhcp_options_id, region=region)
        return self._add(
            "vpcs",
            Ec2Vpc(
                **self._common(region, raw),
                vpc_id=vpc_id,
                cidr_block=cidr,
                ipv6_cidr_blocks=list(ipv6_cidrs),
                dhcp_options_id=dhcp_options_id,
                enable_dns_support=dns_support,
                enable_dns_hostnames=dns_hostnames,
            ),
        )

    def subnet(
        self,
        *,
        subnet_id: str = "subnet-1",
        vpc_id: str = "vpc-1",
        cidr: str | None = "10.0.1.0/24",
        ipv6_cidrs: Iterable[str] = (),
        assign_ipv6: bool = False,
        ipv6_native: bool = False,
        dns64: bool | None = None,
        zone: str = "us-east-1a",
        region: str | None = None,
    ) -> Ec2Subnet:
        """``dns64`` None leaves EnableDns64 out of the raw record (not read)."""
        return self._add(
            "subnets",
            Ec2Subnet(
                **self._common(region, {} if dns64 is None else {"EnableDns64": dns64}),
                subnet_id=subnet_id,
                vpc_id=vpc_id,
                cidr_block=cidr,
                ipv6_cidr_blocks=list(ipv6_cidrs),
                assign_ipv6_address_on_creation=assign_ipv6,
                ipv6_native=ipv6_native,
                availability_zone=zone,
            ),
        )

    def route_table(
        self,
        *,
        route_table_id: str = "rtb-1",
        vpc_id: str = "vpc-1",
        routes: Iterable[dict[str, Any]] = (),
        subnets: Iterable[str] = (),
        main: bool = False,
        vpc_cidr: str = "10.0.0.0/16",
        region: str | None = None,
    ) -> Ec2RouteTable:
        associations: list[dict[str, Any]] = [
            {"subnet_id": s, "gateway_id": None, "main": False, "state": "associated"}
            for s in subnets
        ]
        if main:
            associations.append(
                {"subnet_id": None, "gateway_id": None, "main": True, "state": "associated"}
            )
        all_routes = [route(vpc_cidr, "local", origin="CreateRouteTable"), *routes]
        return self._add(
            "route_tables",
            Ec2RouteTable(
                **self._common(region),
                route_table_id=route_table_id,
                vpc_id=vpc_id,
                routes=all_routes,
                associations=associations,
            ),
        )

    def igw(
        self,
        *,
        igw_id: str = "igw-1",
        vpc_id: str | None = "vpc-1",
        state: str = "available",
        region: str | None = None,
    ) -> Ec2InternetGateway:
        attachments = [{"vpc_id": vpc_id, "state": state}] if vpc_id else []
        return self._add(
            "internet_gateways",
            Ec2InternetGateway(
                **self._common(region), internet_gateway_id=igw_id, attachments=attachments
            ),
        )

    def eigw(
        self, *, eigw_id: str = "eigw-1", vpc_id: str = "vpc-1", region: str | None = None
    ) -> Ec2EgressOnlyInternetGateway:
        return self._add(
            "egress_only_internet_gateways",
            Ec2EgressOnlyInternetGateway(
                **self._common(region),
                egress_only_internet_gateway_id=eigw_id,
                attachments=[{"vpc_id": vpc_id, "state": "attached"}],
            ),
        )

    def nat(
        self,
        *,
        nat_id: str = "nat-1",
        vpc_id: str = "vpc-1",
        subnet_id: str | None = "subnet-pub",
        state: str = "available",
        connectivity: str | None = "public",
        mode: str | None = "zonal",
        region: str | None = None,
    ) -> Ec2NatGateway:
        return self._add(
            "nat_gateways",
            Ec2NatGateway(
                **self._common(region),
                nat_gateway_id=nat_id,
                vpc_id=vpc_id,
                subnet_id=subnet_id,
                state=state,
                connectivity_type=connectivity,
                availability_mode=mode,
                public_ips=["54.0.0.1"] if connectivity == "public" else [],
            ),
        )

    def endpoint(
        self,
        service: str,
        *,
        endpoint_id: str | None = None,
        vpc_id: str = "vpc-1",
        endpoint_type: str = "Interface",
        state: str = "available",
        private_dns: bool = True,
        subnets: Iterable[str] = ("subnet-1",),
        route_tables: Iterable[str] = (),
        groups: Iterable[str] = ("sg-endpoints",),
        region: str | None = None,
    ) -> Ec2VpcEndpoint:
        where = region or self.regions[0]
        return self._add(
            "vpc_endpoints",
            Ec2VpcEndpoint(
                **self._common(region),
                vpc_endpoint_id=endpoint_id or self._next("vpce-"),
                vpc_id=vpc_id,
                service_name=f"com.amazonaws.{where}.{service}",
                endpoint_type=endpoint_type,
                state=state,
                private_dns_enabled=private_dns,
                subnet_ids=list(subnets) if endpoint_type == "Interface" else [],
                route_table_ids=list(route_tables),
                security_group_ids=list(groups) if endpoint_type == "Interface" else [],
            ),
        )

    def security_group(
        self,
        *,
        group_id: str = "sg-task",
        vpc_id: str = "vpc-1",
        name: str | None = None,
        ingress: Iterable[dict[str, Any]] = (),
        egress: Iterable[dict[str, Any]] = (ALL_TRAFFIC,),
        region: str | None = None,
    ) -> Ec2SecurityGroup:
        return self._add(
            "security_groups",
            Ec2SecurityGroup(
                **self._common(region),
                group_id=group_id,
                group_name=name or group_id,
                vpc_id=vpc_id,
                ingress=list(ingress),
                egress=list(egress),
            ),
        )

    def prefix_list(
        self,
        *,
        prefix_list_id: str = S3_PREFIX_LIST,
        cidrs: Iterable[str] = S3_CIDRS,
        region: str | None = None,
    ) -> Ec2ManagedPrefixList:
        return self._add(
            "prefix_lists",
            Ec2ManagedPrefixList(
                **self._common(region),
                prefix_list_id=prefix_list_id,
                prefix_list_name="com.amazonaws.us-east-1.s3",
                address_family="IPv4",
                cidrs=list(cidrs),
            ),
        )

    def eni(
        self,
        *,
        eni_id: str,
        subnet_id: str = "subnet-1",
        vpc_id: str = "vpc-1",
        public_ip: str | None = None,
        private_ip: str = "10.0.1.10",
        ipv6: Iterable[str] = (),
        groups: Iterable[str] = ("sg-task",),
        region: str | None = None,
    ) -> Ec2NetworkInterface:
        return self._add(
            "network_interfaces",
            Ec2NetworkInterface(
                **self._common(region),
                network_interface_id=eni_id,
                subnet_id=subnet_id,
                vpc_id=vpc_id,
                interface_type="interface",
                status="in-use",
                private_ip=private_ip,
                public_ip=public_ip,
                public_ip_owner="amazon" if public_ip else None,
                ipv6_addresses=list(ipv6),
                security_group_ids=list(groups),
                requester_managed=True,
            ),
        )

    def flow_log(
        self,
        *,
        resource_id: str = "vpc-1",
        status: str = "ACTIVE",
        delivery: str | None = "SUCCESS",
        region: str | None = None,
    ) -> Ec2FlowLog:
        return self._add(
            "flow_logs",
            Ec2FlowLog(
                **self._common(region),
                flow_log_id=self._next("fl-"),
                resource_id=resource_id,
                flow_log_status=status,
                deliver_logs_status=delivery,
                traffic_type="ALL",
                log_destination_type="cloud-watch-logs",
            ),
        )

    def dhcp_options(
        self,
        *,
        dhcp_options_id: str = "dopt-1",
        servers: Iterable[str] = ("AmazonProvidedDNS",),
        region: str | None = None,
    ) -> Ec2DhcpOptions:
        where = region or self.regions[0]
        self.records["dhcp_options"] = [
            d
            for d in self.records.get("dhcp_options", [])
            if (d.dhcp_options_id, d.region) != (dhcp_options_id, where)
        ]
        return self._add(
            "dhcp_options",
            Ec2DhcpOptions(
                **self._common(region),
                dhcp_options_id=dhcp_options_id,
                configurations={"domain-name-servers": list(servers)},
            ),
        )

    def dhcp_event(
        self,
        *,
        vpc_id: str = "vpc-1",
        dhcp_options_id: str = "dopt-1",
        at: datetime,
        error_code: str | None = None,
        region: str | None = None,
    ) -> DhcpOptionsAssociationEvent:
        return self._add(
            "dhcp_association_events",
            DhcpOptionsAssociationEvent(
                **self._common(region),
                event_id=self._next("evt-"),
                vpc_id=vpc_id,
                dhcp_options_id=dhcp_options_id,
                event_time=at,
                error_code=error_code,
            ),
        )

    # ------------------------------------------------------------------ ECS

    def cluster(self, *, name: str = "prod", region: str | None = None) -> EcsCluster:
        where = region or self.regions[0]
        return self._add(
            "clusters",
            EcsCluster(
                **self._common(region),
                cluster_arn=f"arn:aws:ecs:{where}:{self.account_id}:cluster/{name}",
                cluster_name=name,
                status="ACTIVE",
            ),
        )

    def task_definition(
        self,
        *,
        family: str = "web",
        revision: int | None = None,
        image: str | Iterable[str] = ECR_IMAGE,
        awslogs: bool = False,
        awslogs_region: str | None = None,
        secrets: Iterable[str] = (),
        repository_credentials: str | None = None,
        execution_role: str | None = "arn:aws:iam::123456789012:role/exec",
        task_role: str | None = None,
        os_family: str | None = "LINUX",
        volumes: Iterable[dict[str, Any]] = (),
        firelens: dict[str, str] | None = None,
        firelens_config_file: str | None = None,
        region: str | None = None,
    ) -> EcsTaskDefinition:
        """``firelens`` gives the app containers the awsfirelens driver with these options and
        adds a log router container (``firelens_config_file``: its custom config file)."""
        where = region or self.regions[0]
        if revision is None:
            revision = (
                sum(1 for d in self.records.get("task_definitions", []) if d.family == family) + 1
            )
        images = [image] if isinstance(image, str) else list(image)
        containers: list[dict[str, Any]] = []
        for index, img in enumerate(images):
            container: dict[str, Any] = {"name": f"c{index}", "image": img, "essential": True}
            if awslogs:
                options = {"awslogs-group": "/ecs/web", "awslogs-region": awslogs_region or where}
                container["logConfiguration"] = {"logDriver": "awslogs", "options": options}
            if secrets:
                container["secrets"] = [
                    {"name": f"S{i}", "valueFrom": v} for i, v in enumerate(secrets)
                ]
            if repository_credentials:
                container["repositoryCredentials"] = {
                    "credentialsParameter": repository_credentials
                }
            if firelens is not None:
                container["logConfiguration"] = {"logDriver": "awsfirelens", "options": firelens}
            containers.append(container)
        if firelens is not None:
            router: dict[str, Any] = {
                "name": "log_router",
                "image": f"{ECR_IMAGE.split('/', maxsplit=1)[0]}/aws-for-fluent-bit:stable",
                "essential": True,
                "firelensConfiguration": {"type": "fluentbit"},
            }
            if firelens_config_file:
                router["firelensConfiguration"]["options"] = {
                    "config-file-type": "file",
                    "config-file-value": firelens_config_file,
                }
            containers.append(router)
        return self._add(
            "task_definitions",
            EcsTaskDefinition(
                **self._common(region),
                task_definition_arn=(
                    f"arn:aws:ecs:{where}:{self.account_id}:task-definition/{family}:{revision}"
                ),
                family=family,
                revision=revision,
                network_mode="awsvpc",
                requires_compatibilities=["FARGATE"],
                execution_role_arn=execution_role,
                task_role_arn=task_role,
                os_family=os_family,
                container_definitions=containers,
                volumes=list(volumes),
            ),
        )

    def task(
        self,
        *,
        definition: EcsTaskDefinition | None = None,
        task_id: str | None = None,
        subnet_id: str = "subnet-1",
        vpc_id: str = "vpc-1",
        eni: bool = True,
        public_ip: str | None = None,
        ipv6: Iterable[str] = (),
        groups: Iterable[str] = ("sg-task",),
        status: str = "RUNNING",
        platform_version: str | None = "1.4.0",
        platform_family: str | None = "Linux",
        launch_type: str | None = "FARGATE",
        capacity_provider: str | None = None,
        service: str | None = "web",
        started_at: datetime | None = None,
        stopped_reason: str | None = None,
        container_reasons: Iterable[str] = (),
        region: str | None = None,
    ) -> EcsTask:
        where = region or self.regions[0]
        definition = definition or self.task_definition(region=region)
        task_id = task_id or self._next("t")
        eni_id = f"eni-{task_id}"
        if eni:
            self.eni(
                eni_id=eni_id,
                subnet_id=subnet_id,
                vpc_id=vpc_id,
                public_ip=public_ip,
                ipv6=ipv6,
                groups=groups,
                region=region,
            )
        raw: dict[str, Any] = {
            "containers": [{"name": f"c{i}", "reason": r} for i, r in enumerate(container_reasons)]
        }
        return self._add(
            "tasks",
            EcsTask(
                **self._common(region, raw),
                task_arn=f"arn:aws:ecs:{where}:{self.account_id}:task/prod/{task_id}",
                cluster_arn=f"arn:aws:ecs:{where}:{self.account_id}:cluster/prod",
                task_definition_arn=definition.task_definition_arn,
                last_status=status,
                desired_status=status,
                group=f"service:{service}" if service else "family:web",
                launch_type=launch_type,
                capacity_provider_name=capacity_provider,
                platform_version=platform_version,
                platform_family=platform_family,
                started_at=started_at,
                stopped_reason=stopped_reason,
                eni_id=eni_id,
                subnet_id=subnet_id,
                private_ipv4="10.0.1.10",
            ),
        )

    def service(
        self,
        *,
        name: str = "web",
        definition: EcsTaskDefinition | None = None,
        subnets: Iterable[str] = ("subnet-1",),
        groups: Iterable[str] = ("sg-task",),
        assign_public_ip: str | None = "DISABLED",
        platform_version: str | None = "LATEST",
        launch_type: str | None = "FARGATE",
        capacity_providers: Iterable[str] = (),
        load_balancers: Iterable[dict[str, Any]] = (),
        status: str = "ACTIVE",
        region: str | None = None,
    ) -> EcsService:
        where = region or self.regions[0]
        definition = definition or self.task_definition(region=region)
        return self._add(
            "services",
            EcsService(
                **self._common(region),
                service_arn=f"arn:aws:ecs:{where}:{self.account_id}:service/prod/{name}",
                service_name=name,
                cluster_arn=f"arn:aws:ecs:{where}:{self.account_id}:cluster/prod",
                status=status,
                launch_type=launch_type,
                capacity_providers=list(capacity_providers),
                platform_version=platform_version,
                task_definition_arn=definition.task_definition_arn,
                desired_count=1,
                running_count=1,
                subnet_ids=list(subnets),
                security_group_ids=list(groups),
                assign_public_ip=assign_public_ip,
                load_balancers=list(load_balancers),
            ),
        )

    def setting(
        self, *, name: str = "dualStackIPv6", value: str = "enabled", region: str | None = None
    ) -> EcsAccountSetting:
        return self._add(
            "account_settings",
            EcsAccountSetting(
                **self._common(region),
                name=name,
                value=value,
                principal_arn=f"arn:aws:iam::{self.account_id}:root",
                setting_type="user",
            ),
        )

    # ------------------------------------------------------------------ EFS

    def file_system(
        self,
        *,
        file_system_id: str = "fs-1",
        state: str = "available",
        one_zone: str | None = None,
        region: str | None = None,
    ) -> EfsFileSystem:
        where = region or self.regions[0]
        return self._add(
            "file_systems",
            EfsFileSystem(
                **self._common(region),
                file_system_id=file_system_id,
                file_system_arn=(
                    f"arn:aws:elasticfilesystem:{where}:{self.account_id}:file-system/"
                    f"{file_system_id}"
                ),
                life_cycle_state=state,
                availability_zone_name=one_zone,
            ),
        )

    def mount_target(
        self,
        *,
        file_system_id: str = "fs-1",
        subnet_id: str = "subnet-1",
        vpc_id: str = "vpc-1",
        zone: str = "us-east-1a",
        state: str = "available",
        ip: str = "10.0.1.50",
        groups: Iterable[str] = ("sg-efs",),
        eni: bool = True,
        region: str | None = None,
    ) -> EfsMountTarget:
        target_id = self._next("fsmt-")
        eni_id = f"eni-{target_id}"
        if eni:
            self.eni(
                eni_id=eni_id,
                subnet_id=subnet_id,
                vpc_id=vpc_id,
                private_ip=ip,
                groups=groups,
                region=region,
            )
        return self._add(
            "mount_targets",
            EfsMountTarget(
                **self._common(region),
                mount_target_id=target_id,
                file_system_id=file_system_id,
                subnet_id=subnet_id,
                vpc_id=vpc_id,
                life_cycle_state=state,
                availability_zone_name=zone,
                ip_address=ip,
                network_interface_id=eni_id,
            ),
        )

    def access_point(
        self,
        *,
        access_point_id: str = "fsap-1",
        file_system_id: str = "fs-1",
        state: str = "available",
        region: str | None = None,
    ) -> EfsAccessPoint:
        return self._add(
            "access_points",
            EfsAccessPoint(
                **self._common(region),
                access_point_id=access_point_id,
                file_system_id=file_system_id,
                life_cycle_state=state,
            ),
        )

    def efs_estate(self, *, mount_target_ingress: bool = True) -> None:
        """vpc-1/subnet-1 (us-east-1a) with fs-1 and its mount target there; sg-efs accepts
        NFS from sg-task unless ``mount_target_ingress`` is False."""
        self.private_vpc()
        self.security_group(
            group_id="sg-efs",
            ingress=[nfs_from_group("sg-task")] if mount_target_ingress else [],
            egress=[],
        )
        self.file_system()
        self.mount_target()

    # ------------------------------------------------------------------ elsewhere

    def target_group(
        self, *, name: str = "web", target_type: str = "ip", region: str | None = None
    ) -> Elbv2TargetGroup:
        where = region or self.regions[0]
        return self._add(
            "target_groups",
            Elbv2TargetGroup(
                **self._common(region),
                target_group_arn=(
                    f"arn:aws:elasticloadbalancing:{where}:{self.account_id}:targetgroup/{name}/1"
                ),
                target_group_name=name,
                target_type=target_type,
                vpc_id="vpc-1",
                protocol="HTTP",
                port=80,
            ),
        )

    def role(self, *, name: str = "AWSServiceRoleForECS") -> IamRole:
        return self._add(
            "iam_roles",
            IamRole(
                account_id=self.account_id,
                region="global",
                role_name=name,
                arn=f"arn:aws:iam::{self.account_id}:role/aws-service-role/ecs.amazonaws.com/{name}",
                path="/aws-service-role/ecs.amazonaws.com/",
            ),
        )

    # ------------------------------------------------------------------ ready-made networks

    def private_vpc(self, *, dns: bool = True) -> None:
        """vpc-1 with a private subnet-1 (rtb-1, local route only) and a permissive sg-task."""
        self.vpc(dns_support=dns, dns_hostnames=dns)
        self.subnet()
        self.route_table(subnets=["subnet-1"])
        self.security_group()

    def public_vpc(self) -> None:
        """vpc-1 with subnet-1 routed to an attached igw-1, and a permissive sg-task."""
        self.vpc()
        self.subnet()
        self.igw()
        self.route_table(subnets=["subnet-1"], routes=[route("0.0.0.0/0", "igw-1")])
        self.security_group()

    def nat_vpc(self, **nat: Any) -> None:
        """vpc-1: private subnet-1 -> nat-1 in public subnet-pub -> igw-1."""
        self.vpc()
        self.subnet()
        self.subnet(subnet_id="subnet-pub", cidr="10.0.0.0/24")
        self.igw()
        self.nat(**nat)
        self.route_table(
            route_table_id="rtb-pub", subnets=["subnet-pub"], routes=[route("0.0.0.0/0", "igw-1")]
        )
        self.route_table(subnets=["subnet-1"], routes=[route("0.0.0.0/0", "nat-1")])
        self.security_group()

    def ecr_endpoints(self, *, skip: Iterable[str] = (), private_dns: bool = True) -> None:
        """ecr.dkr, ecr.api and the S3 gateway (on rtb-1) with an endpoint group that
        accepts sg-task; ``skip`` leaves some out."""
        skipped = set(skip)
        self.security_group(
            group_id="sg-endpoints", ingress=[https_from_group("sg-task")], egress=[]
        )
        for service in ("ecr.dkr", "ecr.api"):
            if service not in skipped:
                self.endpoint(
                    service, endpoint_id=f"vpce-{service.replace('.', '')}", private_dns=private_dns
                )
        if "s3" not in skipped:
            self.endpoint(
                "s3", endpoint_id="vpce-s3", endpoint_type="Gateway", route_tables=["rtb-1"]
            )
            self.prefix_list()
            table = next(t for t in self.records["route_tables"] if t.route_table_id == "rtb-1")
            table.routes.append(route(S3_PREFIX_LIST, "vpce-s3"))


def statuses(results: Iterable[Result]) -> set[tuple[str, str, Status]]:
    """``{(check_id, resource_id, status)}``: what tests compare exactly."""
    return {(r.check_id, r.resource_id, r.status) for r in results}
