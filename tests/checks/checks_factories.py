"""Inventories for check tests without AWS: ``InventoryEstate`` and raw-item builders.

The builders write items shaped like the AWS API reference's responses (``route``,
``acl_entry``, ``tgw_route``, security group permissions, ...) and every ``InventoryEstate``
method passes its item through the collector's own transform, so a check test sees exactly
the records a collection would store. Every collector succeeds unless a test calls
``estate.fail(...)``.
"""

from __future__ import annotations

import json
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
from checks.paths import image_pull_path
from checks.support import IAM_SERVICE_LINKED_ROLE, KNOWN_COLLECTORS
from collectors.cloudtrail.dhcp_associations import transform_event
from collectors.ec2.dhcp_options import transform_dhcp_options
from collectors.ec2.flow_logs import transform_flow_log
from collectors.ec2.internet_gateways import (
    transform_egress_only_internet_gateway,
    transform_internet_gateway,
)
from collectors.ec2.nat_gateways import transform_nat_gateway
from collectors.ec2.network_acls import transform_network_acl
from collectors.ec2.network_interfaces import transform_network_interface
from collectors.ec2.prefix_lists import transform_prefix_list
from collectors.ec2.route_tables import normalise_route, transform_route_table
from collectors.ec2.security_groups import transform_security_group
from collectors.ec2.subnets import transform_subnet
from collectors.ec2.transit_gateways import (
    transform_attachment,
    transform_transit_gateway,
)
from collectors.ec2.transit_gateways import transform_route_table as transform_tgw_route_table
from collectors.ec2.vpc_endpoints import transform_vpc_endpoint
from collectors.ec2.vpc_peering_connections import transform_peering_connection
from collectors.ec2.vpcs import transform_vpc
from collectors.ec2.vpn_gateways import transform_vpn_gateway
from collectors.ecs.account_settings import transform_account_setting
from collectors.ecs.clusters import transform_cluster
from collectors.ecs.services import transform_service
from collectors.ecs.task_definitions import transform_task_definition
from collectors.ecs.tasks import transform_task
from collectors.efs.access_points import transform_access_point
from collectors.efs.file_systems import transform_file_system
from collectors.efs.mount_targets import transform_mount_target
from collectors.elbv2.target_groups import transform_target_group
from collectors.iam.service_linked_role import transform_role

ACCOUNT = "123456789012"
REGION = "us-east-1"
CLUSTER = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod"
ECR_IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:1"
DOCKER_HUB = "nginx:1.27"  # an image outside ECR: only the internet reaches it
S3_PREFIX_LIST = "pl-63a5400a"
S3_CIDRS = ["52.216.0.0/15", "3.5.0.0/19"]

ALL_TRAFFIC = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


def route(
    destination: str, target: str, *, state: str = "active", origin: str = "CreateRoute"
) -> dict[str, Any]:
    """A ``Route`` as DescribeRouteTables returns it (EC2 API reference, ``Route``): the
    destination field by its form (``pl-``, IPv6 or IPv4), the target field by the ID's prefix
    (``local``, ``igw-``, ``vgw-`` and ``vpce-`` are all ``GatewayId``)."""
    if destination.startswith("pl-"):
        where = "DestinationPrefixListId"
    elif ":" in destination:
        where = "DestinationIpv6CidrBlock"
    else:
        where = "DestinationCidrBlock"
    fields = {
        "nat-": "NatGatewayId",
        "eigw-": "EgressOnlyInternetGatewayId",
        "tgw-": "TransitGatewayId",
        "pcx-": "VpcPeeringConnectionId",
        "eni-": "NetworkInterfaceId",
        "i-": "InstanceId",
    }
    field = next((f for prefix, f in fields.items() if target.startswith(prefix)), "GatewayId")
    return {where: destination, field: target, "State": state, "Origin": origin}


def normalised_route(destination: str, target: str, **options: Any) -> dict[str, Any]:
    """``route(...)`` as the ec2.route_tables collector records it (its own normaliser)."""
    return normalise_route(route(destination, target, **options))


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
    """A ``TransitGatewayRoute`` as SearchTransitGatewayRoutes returns it; a blackhole route
    (no ``attachment_id``) has no attachments."""
    attachment: dict[str, Any] = {
        "TransitGatewayAttachmentId": attachment_id,
        "ResourceType": resource_type,
    }
    if resource_id:
        attachment["ResourceId"] = resource_id
    return {
        "DestinationCidrBlock": destination,
        "Type": route_type,
        "State": state,
        "TransitGatewayAttachments": [attachment] if attachment_id else [],
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
    """A ``NetworkAclEntry`` as DescribeNetworkAcls returns it (protocol "-1" all, "6" TCP)."""
    entry: dict[str, Any] = {
        "RuleNumber": number,
        "Protocol": protocol,
        "RuleAction": action,
        "Egress": egress,
    }
    if ipv6:
        entry["Ipv6CidrBlock"] = ipv6
    else:
        entry["CidrBlock"] = cidr
    if ports:
        entry["PortRange"] = {"From": ports[0], "To": ports[1]}
    return entry


def closing_acl_entries() -> list[dict[str, Any]]:
    """The * rules every network ACL ends with (32767 for IPv4, 32768 for IPv6), both ways."""
    return [
        *(acl_entry(32767, "deny", egress=egress) for egress in (True, False)),
        *(acl_entry(32768, "deny", egress=egress, ipv6="::/0") for egress in (True, False)),
    ]


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


def network_acl(
    entries: Iterable[dict[str, Any]],
    *,
    acl_id: str = "acl-1",
    vpc_id: str = "vpc-1",
    subnets: Iterable[str] = (),
    default: bool = False,
    account_id: str = ACCOUNT,
    region: str = REGION,
) -> Ec2NetworkAcl:
    """A ``NetworkAcl`` item with these entries and subnet associations, through the
    ec2.network_acls collector's transform."""
    item = {
        "NetworkAclId": acl_id,
        "VpcId": vpc_id,
        "OwnerId": account_id,
        "IsDefault": default,
        "Associations": [
            {
                "NetworkAclAssociationId": f"aclassoc-{acl_id}-{subnet}",
                "NetworkAclId": acl_id,
                "SubnetId": subnet,
            }
            for subnet in subnets
        ],
        "Entries": list(entries),
    }
    return transform_network_acl(item, account_id, region)


class InventoryEstate:
    """One account's resources in one scan, held as records in memory (no AWS, no moto):
    each builder writes the item AWS would return and passes it through the collector's own
    transform; ``inventory()`` freezes the records into an Inventory."""

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

    def _where(self, region: str | None) -> str:
        return region or self.regions[0]

    def fail(
        self,
        collector: str,
        *,
        region: str | None = None,
        status: str = "denied",
        error: str = "AccessDenied",
    ) -> None:
        where = "global" if collector == IAM_SERVICE_LINKED_ROLE else self._where(region)
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
            network_firewalls=r.get("network_firewalls", []),
            firewall_policies=r.get("firewall_policies", []),
            firewall_rule_groups=r.get("firewall_rule_groups", []),
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
                network_acl(
                    DEFAULT_ACL_ENTRIES,
                    acl_id=f"acl-default-{vpc_id}",
                    vpc_id=vpc_id,
                    subnets=subnet_ids,
                    default=True,
                    account_id=self.account_id,
                    region=region,
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
        item = {
            "VpnGatewayId": vgw_id,
            "State": state,
            "Type": "ipsec.1",
            "VpcAttachments": [{"VpcId": vpc_id, "State": attachment_state}] if vpc_id else [],
        }
        return self._add(
            "vpn_gateways", transform_vpn_gateway(item, self.account_id, self._where(region))
        )

    def tgw(
        self,
        *,
        tgw_id: str = "tgw-1",
        owner_id: str | None = None,
        state: str = "available",
        region: str | None = None,
    ) -> Ec2TransitGateway:
        where = self._where(region)
        owner = owner_id or self.account_id
        item = {
            "TransitGatewayId": tgw_id,
            "TransitGatewayArn": f"arn:aws:ec2:{where}:{owner}:transit-gateway/{tgw_id}",
            "State": state,
            "OwnerId": owner,
        }
        return self._add(
            "transit_gateways", transform_transit_gateway(item, self.account_id, where)
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
        """A DescribeTransitGatewayAttachments item; for a VPC attachment also the
        DescribeTransitGatewayVpcAttachments item that brings its subnets and options."""
        item: dict[str, Any] = {
            "TransitGatewayAttachmentId": attachment_id,
            "TransitGatewayId": tgw_id,
            "TransitGatewayOwnerId": tgw_owner_id or self.account_id,
            "ResourceOwnerId": resource_owner_id or self.account_id,
            "ResourceType": resource_type,
            "ResourceId": vpc_id,
            "State": state,
        }
        if route_table_id:
            item["Association"] = {
                "TransitGatewayRouteTableId": route_table_id,
                "State": "associated",
            }
        vpc_item = (
            {
                "TransitGatewayAttachmentId": attachment_id,
                "TransitGatewayId": tgw_id,
                "VpcId": vpc_id,
                "VpcOwnerId": resource_owner_id or self.account_id,
                "State": state,
                "SubnetIds": list(subnets),
                "Options": {"ApplianceModeSupport": appliance_mode},
            }
            if resource_type == "vpc"
            else None
        )
        return self._add(
            "transit_gateway_attachments",
            transform_attachment(item, vpc_item, self.account_id, self._where(region)),
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
        """``routes``: ``tgw_route(...)`` items, as SearchTransitGatewayRoutes returns them."""
        item = {
            "TransitGatewayRouteTableId": route_table_id,
            "TransitGatewayId": tgw_id,
            "State": "available",
            "DefaultAssociationRouteTable": False,
            "DefaultPropagationRouteTable": False,
        }
        return self._add(
            "transit_gateway_route_tables",
            transform_tgw_route_table(
                item, list(routes), complete, self.account_id, self._where(region)
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
        item = {
            "VpcPeeringConnectionId": peering_id,
            "Status": {"Code": status, "Message": status.capitalize()},
            "RequesterVpcInfo": {"VpcId": "vpc-1", "Region": requester_region},
            "AccepterVpcInfo": {"VpcId": "vpc-peer", "Region": accepter_region},
        }
        return self._add(
            "vpc_peering_connections",
            transform_peering_connection(item, self.account_id, self._where(region)),
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
        """A custom NACL (``acl_entry(...)`` items); ``closing`` adds the * deny entries AWS
        always lists."""
        rules = list(entries)
        if closing:
            rules.extend(closing_acl_entries())
        return self._add(
            "network_acls",
            network_acl(
                rules,
                acl_id=acl_id,
                vpc_id=vpc_id,
                subnets=subnets,
                account_id=self.account_id,
                region=self._where(region),
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
        """``dns_support``/``dns_hostnames`` None: DescribeVpcAttribute did not answer."""
        where = self._where(region)
        known = {
            d.dhcp_options_id for d in self.records.get("dhcp_options", []) if d.region == where
        }
        if dhcp_options_id is not None and dhcp_options_id not in known:
            # The option set a VPC names exists; dhcp_options() replaces it when called.
            self.dhcp_options(dhcp_options_id=dhcp_options_id, region=region)
        item: dict[str, Any] = {
            "VpcId": vpc_id,
            "OwnerId": self.account_id,
            "State": "available",
            "CidrBlock": cidr,
            "IsDefault": False,
            "Ipv6CidrBlockAssociationSet": [
                {
                    "AssociationId": f"vpc-cidr-assoc-{vpc_id}-{index}",
                    "Ipv6CidrBlock": block,
                    "Ipv6CidrBlockState": {"State": "associated"},
                }
                for index, block in enumerate(ipv6_cidrs)
            ],
        }
        if dhcp_options_id is not None:
            item["DhcpOptionsId"] = dhcp_options_id
        if name:
            item["Tags"] = [{"Key": "Name", "Value": name}]
        dns = {
            key: value
            for key, value in (
                ("enableDnsSupport", dns_support),
                ("enableDnsHostnames", dns_hostnames),
            )
            if value is not None
        }
        return self._add("vpcs", transform_vpc(item, dns, self.account_id, where))

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
        """``dns64`` None leaves EnableDns64 out of the item (the check must not guess it)."""
        item: dict[str, Any] = {
            "SubnetId": subnet_id,
            "VpcId": vpc_id,
            "OwnerId": self.account_id,
            "State": "available",
            "AvailabilityZone": zone,
            "Ipv6CidrBlockAssociationSet": [
                {
                    "AssociationId": f"subnet-cidr-assoc-{subnet_id}-{index}",
                    "Ipv6CidrBlock": block,
                    "Ipv6CidrBlockState": {"State": "associated"},
                }
                for index, block in enumerate(ipv6_cidrs)
            ],
            "AssignIpv6AddressOnCreation": assign_ipv6,
            "Ipv6Native": ipv6_native,
            "MapPublicIpOnLaunch": False,
        }
        if cidr is not None:
            item["CidrBlock"] = cidr
        if dns64 is not None:
            item["EnableDns64"] = dns64
        return self._add("subnets", transform_subnet(item, self.account_id, self._where(region)))

    def route_table(
        self,
        *,
        route_table_id: str = "rtb-1",
        vpc_id: str = "vpc-1",
        routes: Iterable[dict[str, Any]] = (),
        subnets: Iterable[str] = (),
        main: bool = False,
        gateways: Iterable[str] = (),
        vpc_cidr: str = "10.0.0.0/16",
        region: str | None = None,
    ) -> Ec2RouteTable:
        """``routes``: ``route(...)`` items; the VPC's local route comes first, as in AWS.
        ``gateways``: internet or virtual private gateways it is the edge table of."""
        associations: list[dict[str, Any]] = [
            {
                "RouteTableAssociationId": f"rtbassoc-{route_table_id}-{subnet}",
                "RouteTableId": route_table_id,
                "SubnetId": subnet,
                "Main": False,
                "AssociationState": {"State": "associated"},
            }
            for subnet in subnets
        ]
        associations += [
            {
                "RouteTableAssociationId": f"rtbassoc-{route_table_id}-{gateway}",
                "RouteTableId": route_table_id,
                "GatewayId": gateway,
                "Main": False,
                "AssociationState": {"State": "associated"},
            }
            for gateway in gateways
        ]
        if main:
            associations.append(
                {
                    "RouteTableAssociationId": f"rtbassoc-{route_table_id}-main",
                    "RouteTableId": route_table_id,
                    "Main": True,
                    "AssociationState": {"State": "associated"},
                }
            )
        item = {
            "RouteTableId": route_table_id,
            "VpcId": vpc_id,
            "OwnerId": self.account_id,
            "Routes": [route(vpc_cidr, "local", origin="CreateRouteTable"), *routes],
            "Associations": associations,
        }
        return self._add(
            "route_tables", transform_route_table(item, self.account_id, self._where(region))
        )

    def igw(
        self,
        *,
        igw_id: str = "igw-1",
        vpc_id: str | None = "vpc-1",
        state: str = "available",
        region: str | None = None,
    ) -> Ec2InternetGateway:
        item = {
            "InternetGatewayId": igw_id,
            "OwnerId": self.account_id,
            # An attached internet gateway reports "available", not "attached".
            "Attachments": [{"VpcId": vpc_id, "State": state}] if vpc_id else [],
        }
        return self._add(
            "internet_gateways",
            transform_internet_gateway(item, self.account_id, self._where(region)),
        )

    def eigw(
        self, *, eigw_id: str = "eigw-1", vpc_id: str = "vpc-1", region: str | None = None
    ) -> Ec2EgressOnlyInternetGateway:
        item = {
            "EgressOnlyInternetGatewayId": eigw_id,
            "Attachments": [{"VpcId": vpc_id, "State": "attached"}],
        }
        return self._add(
            "egress_only_internet_gateways",
            transform_egress_only_internet_gateway(item, self.account_id, self._where(region)),
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
        """``subnet_id`` None: a regional NAT gateway (no subnet of its own)."""
        item: dict[str, Any] = {
            "NatGatewayId": nat_id,
            "VpcId": vpc_id,
            "State": state,
            "NatGatewayAddresses": (
                [
                    {
                        "AllocationId": f"eipalloc-{nat_id}",
                        "NetworkInterfaceId": f"eni-{nat_id}",
                        "PrivateIp": "10.0.0.9",
                        "PublicIp": "54.0.0.1",
                    }
                ]
                if connectivity == "public"
                else []
            ),
        }
        if subnet_id is not None:
            item["SubnetId"] = subnet_id
        if connectivity is not None:
            item["ConnectivityType"] = connectivity
        if mode is not None:
            item["AvailabilityMode"] = mode
        return self._add(
            "nat_gateways", transform_nat_gateway(item, self.account_id, self._where(region))
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
        """Interface endpoints sit in subnets with groups; other types have neither."""
        where = self._where(region)
        interface = endpoint_type == "Interface"
        item = {
            "VpcEndpointId": endpoint_id or self._next("vpce-"),
            "VpcEndpointType": endpoint_type,
            "VpcId": vpc_id,
            "OwnerId": self.account_id,
            "ServiceName": f"com.amazonaws.{where}.{service}",
            "State": state,
            "PrivateDnsEnabled": private_dns,
            "SubnetIds": list(subnets) if interface else [],
            "RouteTableIds": list(route_tables),
            "Groups": [{"GroupId": g, "GroupName": g} for g in groups] if interface else [],
        }
        return self._add("vpc_endpoints", transform_vpc_endpoint(item, self.account_id, where))

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
        """``ingress``/``egress``: ``IpPermission`` items as DescribeSecurityGroups has them."""
        item = {
            "GroupId": group_id,
            "GroupName": name or group_id,
            "Description": name or group_id,
            "VpcId": vpc_id,
            "OwnerId": self.account_id,
            "IpPermissions": list(ingress),
            "IpPermissionsEgress": list(egress),
        }
        return self._add(
            "security_groups",
            transform_security_group(item, self.account_id, self._where(region)),
        )

    def prefix_list(
        self,
        *,
        prefix_list_id: str = S3_PREFIX_LIST,
        cidrs: Iterable[str] = S3_CIDRS,
        region: str | None = None,
    ) -> Ec2ManagedPrefixList:
        """An AWS-managed prefix list (DescribeManagedPrefixLists) and its entries
        (GetManagedPrefixListEntries)."""
        item = {
            "PrefixListId": prefix_list_id,
            "PrefixListName": "com.amazonaws.us-east-1.s3",
            "AddressFamily": "IPv4",
            "State": "create-complete",
            "OwnerId": "AWS",
        }
        entries = [{"Cidr": cidr} for cidr in cidrs]
        return self._add(
            "prefix_lists",
            transform_prefix_list(item, entries, self.account_id, self._where(region)),
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
        """A requester-managed interface (Fargate's, a mount target's)."""
        item: dict[str, Any] = {
            "NetworkInterfaceId": eni_id,
            "SubnetId": subnet_id,
            "VpcId": vpc_id,
            "OwnerId": self.account_id,
            "InterfaceType": "interface",
            "Status": "in-use",
            "PrivateIpAddress": private_ip,
            "Ipv6Addresses": [{"Ipv6Address": address} for address in ipv6],
            "Groups": [{"GroupId": g, "GroupName": g} for g in groups],
            "RequesterManaged": True,
        }
        if public_ip:
            item["Association"] = {"PublicIp": public_ip, "IpOwnerId": "amazon"}
        return self._add(
            "network_interfaces",
            transform_network_interface(item, self.account_id, self._where(region)),
        )

    def flow_log(
        self,
        *,
        resource_id: str = "vpc-1",
        status: str = "ACTIVE",
        delivery: str | None = "SUCCESS",
        region: str | None = None,
    ) -> Ec2FlowLog:
        item: dict[str, Any] = {
            "FlowLogId": self._next("fl-"),
            "ResourceId": resource_id,
            "FlowLogStatus": status,
            "TrafficType": "ALL",
            "LogDestinationType": "cloud-watch-logs",
            "LogGroupName": "flow",
        }
        if delivery is not None:
            item["DeliverLogsStatus"] = delivery
        return self._add(
            "flow_logs", transform_flow_log(item, self.account_id, self._where(region))
        )

    def dhcp_options(
        self,
        *,
        dhcp_options_id: str = "dopt-1",
        servers: Iterable[str] = ("AmazonProvidedDNS",),
        region: str | None = None,
    ) -> Ec2DhcpOptions:
        where = self._where(region)
        self.records["dhcp_options"] = [
            d
            for d in self.records.get("dhcp_options", [])
            if (d.dhcp_options_id, d.region) != (dhcp_options_id, where)
        ]
        item = {
            "DhcpOptionsId": dhcp_options_id,
            "OwnerId": self.account_id,
            "DhcpConfigurations": [
                {
                    "Key": "domain-name-servers",
                    "Values": [{"Value": server} for server in servers],
                }
            ],
        }
        return self._add("dhcp_options", transform_dhcp_options(item, self.account_id, where))

    def dhcp_event(
        self,
        *,
        vpc_id: str = "vpc-1",
        dhcp_options_id: str = "dopt-1",
        at: datetime,
        error_code: str | None = None,
        region: str | None = None,
    ) -> DhcpOptionsAssociationEvent:
        """A LookupEvents item for AssociateDhcpOptions, its CloudTrail event as a JSON text."""
        event: dict[str, Any] = {
            "eventName": "AssociateDhcpOptions",
            "eventSource": "ec2.amazonaws.com",
            "requestParameters": {"dhcpOptionsId": dhcp_options_id, "vpcId": vpc_id},
        }
        if error_code:
            event["errorCode"] = error_code
        item = {
            "EventId": self._next("evt-"),
            "EventName": "AssociateDhcpOptions",
            "EventSource": "ec2.amazonaws.com",
            "EventTime": at,
            "CloudTrailEvent": json.dumps(event),
        }
        return self._add(
            "dhcp_association_events", transform_event(item, self.account_id, self._where(region))
        )

    # ------------------------------------------------------------------ ECS

    def cluster(self, *, name: str = "prod", region: str | None = None) -> EcsCluster:
        where = self._where(region)
        item = {
            "clusterArn": f"arn:aws:ecs:{where}:{self.account_id}:cluster/{name}",
            "clusterName": name,
            "status": "ACTIVE",
        }
        return self._add("clusters", transform_cluster(item, self.account_id, where))

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
        where = self._where(region)
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
        item: dict[str, Any] = {
            "taskDefinitionArn": (
                f"arn:aws:ecs:{where}:{self.account_id}:task-definition/{family}:{revision}"
            ),
            "family": family,
            "revision": revision,
            "status": "ACTIVE",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "256",
            "memory": "512",
            "containerDefinitions": containers,
            "volumes": list(volumes),
        }
        if execution_role is not None:
            item["executionRoleArn"] = execution_role
        if task_role is not None:
            item["taskRoleArn"] = task_role
        if os_family is not None:
            item["runtimePlatform"] = {"operatingSystemFamily": os_family}
        return self._add(
            "task_definitions", transform_task_definition(item, self.account_id, where)
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
        """A DescribeTasks item with its ENI attachment; ``eni`` False leaves the interface
        itself out of the inventory (the attachment still names it)."""
        where = self._where(region)
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
        item: dict[str, Any] = {
            "taskArn": f"arn:aws:ecs:{where}:{self.account_id}:task/prod/{task_id}",
            "clusterArn": f"arn:aws:ecs:{where}:{self.account_id}:cluster/prod",
            "taskDefinitionArn": definition.task_definition_arn,
            "lastStatus": status,
            "desiredStatus": status,
            "group": f"service:{service}" if service else "family:web",
            "attachments": [
                {
                    "id": f"attachment-{task_id}",
                    "type": "ElasticNetworkInterface",
                    "status": "ATTACHED",
                    "details": [
                        {"name": "subnetId", "value": subnet_id},
                        {"name": "networkInterfaceId", "value": eni_id},
                        {"name": "privateIPv4Address", "value": "10.0.1.10"},
                    ],
                }
            ],
            "containers": [
                {"name": f"c{i}", "reason": reason} for i, reason in enumerate(container_reasons)
            ],
        }
        optional = {
            "launchType": launch_type,
            "capacityProviderName": capacity_provider,
            "platformVersion": platform_version,
            "platformFamily": platform_family,
            "startedAt": started_at,
            "stoppedReason": stopped_reason,
        }
        item.update({key: value for key, value in optional.items() if value is not None})
        return self._add("tasks", transform_task(item, self.account_id, where))

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
        where = self._where(region)
        definition = definition or self.task_definition(region=region)
        awsvpc: dict[str, Any] = {"subnets": list(subnets), "securityGroups": list(groups)}
        if assign_public_ip is not None:
            awsvpc["assignPublicIp"] = assign_public_ip
        item: dict[str, Any] = {
            "serviceArn": f"arn:aws:ecs:{where}:{self.account_id}:service/prod/{name}",
            "serviceName": name,
            "clusterArn": f"arn:aws:ecs:{where}:{self.account_id}:cluster/prod",
            "status": status,
            "capacityProviderStrategy": [
                {"capacityProvider": provider, "weight": 1} for provider in capacity_providers
            ],
            "taskDefinition": definition.task_definition_arn,
            "desiredCount": 1,
            "runningCount": 1,
            "networkConfiguration": {"awsvpcConfiguration": awsvpc},
            "loadBalancers": list(load_balancers),
        }
        if launch_type is not None:
            item["launchType"] = launch_type
        if platform_version is not None:
            item["platformVersion"] = platform_version
        return self._add("services", transform_service(item, self.account_id, where))

    def setting(
        self, *, name: str = "dualStackIPv6", value: str = "enabled", region: str | None = None
    ) -> EcsAccountSetting:
        item = {
            "name": name,
            "value": value,
            "principalArn": f"arn:aws:iam::{self.account_id}:root",
            "type": "user",
        }
        return self._add(
            "account_settings",
            transform_account_setting(item, self.account_id, self._where(region)),
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
        """``one_zone``: the zone of a One Zone file system (None: Regional)."""
        where = self._where(region)
        item: dict[str, Any] = {
            "OwnerId": self.account_id,
            "CreationToken": file_system_id,
            "FileSystemId": file_system_id,
            "FileSystemArn": (
                f"arn:aws:elasticfilesystem:{where}:{self.account_id}:file-system/{file_system_id}"
            ),
            "LifeCycleState": state,
            "NumberOfMountTargets": 1,
            "SizeInBytes": {"Value": 6144},
            "PerformanceMode": "generalPurpose",
            "Encrypted": True,
        }
        if one_zone:
            item["AvailabilityZoneName"] = one_zone
        return self._add("file_systems", transform_file_system(item, self.account_id, where))

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
        """``eni`` False leaves the mount target's interface out of the inventory."""
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
        item = {
            "OwnerId": self.account_id,
            "MountTargetId": target_id,
            "FileSystemId": file_system_id,
            "SubnetId": subnet_id,
            "VpcId": vpc_id,
            "LifeCycleState": state,
            "AvailabilityZoneName": zone,
            "IpAddress": ip,
            "NetworkInterfaceId": eni_id,
        }
        return self._add(
            "mount_targets", transform_mount_target(item, self.account_id, self._where(region))
        )

    def access_point(
        self,
        *,
        access_point_id: str = "fsap-1",
        file_system_id: str = "fs-1",
        state: str = "available",
        region: str | None = None,
    ) -> EfsAccessPoint:
        where = self._where(region)
        item = {
            "AccessPointId": access_point_id,
            "AccessPointArn": (
                f"arn:aws:elasticfilesystem:{where}:{self.account_id}:access-point/"
                f"{access_point_id}"
            ),
            "FileSystemId": file_system_id,
            "OwnerId": self.account_id,
            "LifeCycleState": state,
        }
        return self._add("access_points", transform_access_point(item, self.account_id, where))

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
        where = self._where(region)
        item = {
            "TargetGroupArn": (
                f"arn:aws:elasticloadbalancing:{where}:{self.account_id}:targetgroup/{name}/1"
            ),
            "TargetGroupName": name,
            "Protocol": "HTTP",
            "Port": 80,
            "VpcId": "vpc-1",
            "TargetType": target_type,
            "LoadBalancerArns": [],
        }
        return self._add("target_groups", transform_target_group(item, self.account_id, where))

    def role(self, *, name: str = "AWSServiceRoleForECS") -> IamRole:
        path = "/aws-service-role/ecs.amazonaws.com/"
        item = {
            "Path": path,
            "RoleName": name,
            "RoleId": "AROA0000000000000ECS",
            "Arn": f"arn:aws:iam::{self.account_id}:role{path}{name}",
        }
        return self._add("iam_roles", transform_role(item, self.account_id, "global"))

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

    def endpoint_group(self) -> Ec2SecurityGroup:
        """sg-endpoints: the interface endpoints' group, accepting HTTPS from sg-task."""
        return self.security_group(
            group_id="sg-endpoints", ingress=[https_from_group("sg-task")], egress=[]
        )

    def ecr_endpoints(self, *, skip: Iterable[str] = (), private_dns: bool = True) -> None:
        """ecr.dkr, ecr.api and the S3 gateway (on rtb-1) with an endpoint group that
        accepts sg-task; ``skip`` leaves some out."""
        skipped = set(skip)
        self.endpoint_group()
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
            table.routes.append(normalised_route(S3_PREFIX_LIST, "vpce-s3"))


def only(results: Iterable[Result]) -> Result:
    """The one result a check gave; fails the test, showing them, if there were more or none."""
    found = list(results)
    assert len(found) == 1, found
    return found[0]


def image_pull(estate: InventoryEstate) -> Result:
    """The one image-pull-path result of an estate with one task or service."""
    return only(image_pull_path.evaluate(estate.inventory()))


def all_hops(result: Result) -> list[dict[str, Any]]:
    """Every hop of every path of a path check's evidence, in order."""
    return [
        hop
        for source in result.evidence["sources"]
        for leg in source["legs"]
        for path in leg["paths"]
        for hop in path["hops"]
    ]


def first_failing_step(result: Result) -> str:
    """The step of the first hop that failed (``ok`` False) in a path check's evidence."""
    for hop in all_hops(result):
        if hop["ok"] is False:
            return str(hop["step"])
    raise AssertionError("no failing hop")


def statuses(results: Iterable[Result]) -> set[tuple[str, str, Status]]:
    """``{(check_id, resource_id, status)}``: what tests compare exactly."""
    return {(r.check_id, r.resource_id, r.status) for r in results}
