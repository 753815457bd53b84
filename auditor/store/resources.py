"""One table per collected resource kind.

Each row belongs to one scan, carries the typed columns the checks filter on, and keeps the
item exactly as the AWS API returned it in ``raw``. These classes are also the records the
collectors' transform steps produce: the schema is declared once, here, and each collector
names the classes it produces (``collectors.registry.RESOURCE_TABLES`` lists them all).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, String, Text, text
from sqlalchemy.orm import Mapped, MappedAsDataclass, mapped_column

from auditor.store.base import Base

# The region of account-wide records (IAM) and of their collection outcomes.
GLOBAL_REGION = "global"


class ResourceMixin(MappedAsDataclass, kw_only=True):
    """Columns every resource table shares."""

    # The column holding the AWS identifier of the resource (used by the docs and the store).
    id_column: ClassVar[str]

    id: Mapped[int] = mapped_column(primary_key=True, init=False, repr=False)
    scan_id: Mapped[str] = mapped_column(
        ForeignKey("scans.id", ondelete="CASCADE"), index=True, init=False, repr=False
    )
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    raw: Mapped[dict[str, Any]] = mapped_column(default_factory=dict, repr=False)

    @classmethod
    def table_name(cls) -> str:
        """The table of a concrete resource class (each declares its own ``__tablename__``)."""
        return str(vars(cls)["__tablename__"])


# --------------------------------------------------------------------------------------- ECS


class EcsCluster(ResourceMixin, Base):
    """An ECS cluster (ListClusters + DescribeClusters)."""

    __tablename__ = "ecs_clusters"
    id_column = "cluster_arn"

    cluster_arn: Mapped[str] = mapped_column(String(2048))
    cluster_name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str | None] = mapped_column(String(32), default=None)


class EcsService(ResourceMixin, Base):
    """An ECS service with its awsvpc configuration and load balancers (DescribeServices)."""

    __tablename__ = "ecs_services"
    id_column = "service_arn"

    service_arn: Mapped[str] = mapped_column(String(2048))
    service_name: Mapped[str] = mapped_column(String(255))
    cluster_arn: Mapped[str] = mapped_column(String(2048))
    status: Mapped[str | None] = mapped_column(String(32), default=None)
    launch_type: Mapped[str | None] = mapped_column(String(32), default=None)
    # Capacity provider names from capacityProviderStrategy, e.g. ["FARGATE_SPOT", "FARGATE"].
    capacity_providers: Mapped[list[str]] = mapped_column(default_factory=list)
    platform_version: Mapped[str | None] = mapped_column(String(32), default=None)
    platform_family: Mapped[str | None] = mapped_column(String(64), default=None)
    task_definition_arn: Mapped[str | None] = mapped_column(String(2048), default=None)
    desired_count: Mapped[int | None] = mapped_column(default=None)
    running_count: Mapped[int | None] = mapped_column(default=None)
    subnet_ids: Mapped[list[str]] = mapped_column(default_factory=list)
    security_group_ids: Mapped[list[str]] = mapped_column(default_factory=list)
    # "ENABLED" / "DISABLED" as AWS returns it; None when the service has no awsvpc config.
    assign_public_ip: Mapped[str | None] = mapped_column(String(16), default=None)
    # [{"targetGroupArn": ..., "loadBalancerName": ..., "containerName": ..., "containerPort": ...}]
    load_balancers: Mapped[list[dict[str, Any]]] = mapped_column(default_factory=list)

    @property
    def is_fargate(self) -> bool:
        return self.launch_type == "FARGATE" or any(
            cp in ("FARGATE", "FARGATE_SPOT") for cp in self.capacity_providers
        )


class EcsTask(ResourceMixin, Base):
    """A RUNNING or STOPPED ECS task (ListTasks + DescribeTasks), joined to its ENI by `eni_id`."""

    __tablename__ = "ecs_tasks"
    id_column = "task_arn"

    task_arn: Mapped[str] = mapped_column(String(2048))
    cluster_arn: Mapped[str] = mapped_column(String(2048))
    task_definition_arn: Mapped[str] = mapped_column(String(2048))
    last_status: Mapped[str | None] = mapped_column(String(32), default=None)
    desired_status: Mapped[str | None] = mapped_column(String(32), default=None)
    # "service:NAME" for tasks a service started, "family:NAME" for RunTask.
    group: Mapped[str | None] = mapped_column(String(512), default=None)
    launch_type: Mapped[str | None] = mapped_column(String(32), default=None)
    capacity_provider_name: Mapped[str | None] = mapped_column(String(255), default=None)
    # As AWS reports it: normally the resolved number ("1.4.0"); None or "LATEST" from some APIs.
    platform_version: Mapped[str | None] = mapped_column(String(32), default=None)
    platform_family: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    stopped_at: Mapped[datetime | None] = mapped_column(default=None)
    stop_code: Mapped[str | None] = mapped_column(String(64), default=None)
    stopped_reason: Mapped[str | None] = mapped_column(Text, default=None)
    # From the attachment whose type is "ElasticNetworkInterface" (never assume index 0).
    eni_id: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    subnet_id: Mapped[str | None] = mapped_column(String(64), default=None)
    private_ipv4: Mapped[str | None] = mapped_column(String(64), default=None)

    @property
    def is_fargate(self) -> bool:
        return self.launch_type == "FARGATE" or self.capacity_provider_name in (
            "FARGATE",
            "FARGATE_SPOT",
        )

    @property
    def service_name(self) -> str | None:
        if self.group and self.group.startswith("service:"):
            return self.group.removeprefix("service:")
        return None

    @property
    def short_id(self) -> str:
        return self.task_arn.rsplit("/", 1)[-1]


class EcsTaskDefinition(ResourceMixin, Base):
    """A task definition that collected tasks or services use; nothing else is described."""

    __tablename__ = "ecs_task_definitions"
    id_column = "task_definition_arn"

    task_definition_arn: Mapped[str] = mapped_column(String(2048))
    family: Mapped[str] = mapped_column(String(255))
    revision: Mapped[int]
    network_mode: Mapped[str | None] = mapped_column(String(32), default=None)
    requires_compatibilities: Mapped[list[str]] = mapped_column(default_factory=list)
    execution_role_arn: Mapped[str | None] = mapped_column(String(2048), default=None)
    task_role_arn: Mapped[str | None] = mapped_column(String(2048), default=None)
    # runtimePlatform.operatingSystemFamily ("LINUX", "WINDOWS_SERVER_2022_CORE", ...).
    os_family: Mapped[str | None] = mapped_column(String(64), default=None)
    # containerDefinitions exactly as returned (image, logConfiguration, secrets, ...).
    container_definitions: Mapped[list[dict[str, Any]]] = mapped_column(default_factory=list)
    # volumes exactly as returned (efsVolumeConfiguration, ...); the server default is the
    # migration's, which gave the rows of earlier scans "no volumes".
    volumes: Mapped[list[dict[str, Any]]] = mapped_column(
        default_factory=list, server_default=text("'[]'")
    )


class EcsAccountSetting(ResourceMixin, Base):
    """One effective ECS account setting (ListAccountSettings with effectiveSettings=true).

    A setting AWS did not return has no row: absence is recorded, never a guessed value.
    """

    __tablename__ = "ecs_account_settings"
    id_column = "name"

    name: Mapped[str] = mapped_column(String(128))
    value: Mapped[str] = mapped_column(String(128))
    principal_arn: Mapped[str | None] = mapped_column(String(2048), default=None)
    setting_type: Mapped[str | None] = mapped_column(String(32), default=None)


# --------------------------------------------------------------------------------------- EC2


class Ec2Vpc(ResourceMixin, Base):
    """A VPC with its DNS attributes (DescribeVpcs + DescribeVpcAttribute) and DHCP option set."""

    __tablename__ = "ec2_vpcs"
    id_column = "vpc_id"

    vpc_id: Mapped[str] = mapped_column(String(64))
    # The account that owns it (OwnerId): another account for a resource shared through RAM.
    owner_id: Mapped[str | None] = mapped_column(String(12), default=None)
    cidr_block: Mapped[str | None] = mapped_column(String(64), default=None)
    ipv6_cidr_blocks: Mapped[list[str]] = mapped_column(default_factory=list)
    dhcp_options_id: Mapped[str | None] = mapped_column(String(64), default=None)
    is_default: Mapped[bool] = mapped_column(default=False)
    # None when DescribeVpcAttribute was not answered for this VPC.
    enable_dns_support: Mapped[bool | None] = mapped_column(default=None)
    enable_dns_hostnames: Mapped[bool | None] = mapped_column(default=None)


class Ec2DhcpOptions(ResourceMixin, Base):
    """A DHCP option set (DescribeDhcpOptions)."""

    __tablename__ = "ec2_dhcp_options"
    id_column = "dhcp_options_id"

    dhcp_options_id: Mapped[str] = mapped_column(String(64))
    # {"domain-name-servers": ["AmazonProvidedDNS"], "domain-name": ["ec2.internal"]}
    configurations: Mapped[dict[str, Any]] = mapped_column(default_factory=dict)


class Ec2Subnet(ResourceMixin, Base):
    """A subnet with its IPv4 and IPv6 CIDRs (DescribeSubnets)."""

    __tablename__ = "ec2_subnets"
    id_column = "subnet_id"

    subnet_id: Mapped[str] = mapped_column(String(64))
    vpc_id: Mapped[str] = mapped_column(String(64))
    # The account that owns it (OwnerId): another account for a resource shared through RAM.
    owner_id: Mapped[str | None] = mapped_column(String(12), default=None)
    availability_zone: Mapped[str | None] = mapped_column(String(64), default=None)
    cidr_block: Mapped[str | None] = mapped_column(String(64), default=None)
    ipv6_cidr_blocks: Mapped[list[str]] = mapped_column(default_factory=list)
    assign_ipv6_address_on_creation: Mapped[bool] = mapped_column(default=False)
    ipv6_native: Mapped[bool] = mapped_column(default=False)
    map_public_ip_on_launch: Mapped[bool] = mapped_column(default=False)


class Ec2RouteTable(ResourceMixin, Base):
    """A route table with normalised routes and associations (DescribeRouteTables)."""

    __tablename__ = "ec2_route_tables"
    id_column = "route_table_id"

    route_table_id: Mapped[str] = mapped_column(String(64))
    vpc_id: Mapped[str] = mapped_column(String(64))
    # The account that owns it (OwnerId): another account for a resource shared through RAM.
    owner_id: Mapped[str | None] = mapped_column(String(12), default=None)
    # Normalised routes, one per AWS route:
    # {"destination": "0.0.0.0/0" | "::/0" | "pl-...", "family": "ipv4" | "ipv6" | "prefix-list",
    #  "target_type": "gateway" | "nat-gateway" | "egress-only-internet-gateway" |
    #                 "transit-gateway" | "vpc-peering-connection" | "network-interface" |
    #                 "instance" | "carrier-gateway" | "local-gateway" | "core-network" | ...,
    #  "target_id": "igw-..." | "local" | ..., "state": "active" | "blackhole" | ...,
    #  "origin": "CreateRoute" | ...}
    routes: Mapped[list[dict[str, Any]]] = mapped_column(default_factory=list)
    # {"subnet_id": str | None, "gateway_id": str | None, "main": bool, "state": str | None}
    associations: Mapped[list[dict[str, Any]]] = mapped_column(default_factory=list)


class Ec2InternetGateway(ResourceMixin, Base):
    """An internet gateway and the VPCs it is attached to."""

    __tablename__ = "ec2_internet_gateways"
    id_column = "internet_gateway_id"

    internet_gateway_id: Mapped[str] = mapped_column(String(64))
    # The account that owns it (OwnerId): another account for a resource shared through RAM.
    owner_id: Mapped[str | None] = mapped_column(String(12), default=None)
    # [{"vpc_id": "vpc-...", "state": "available"}]
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(default_factory=list)


class Ec2EgressOnlyInternetGateway(ResourceMixin, Base):
    """An egress-only internet gateway (IPv6) and its attachments."""

    __tablename__ = "ec2_egress_only_internet_gateways"
    id_column = "egress_only_internet_gateway_id"

    egress_only_internet_gateway_id: Mapped[str] = mapped_column(String(64))
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(default_factory=list)


class Ec2NatGateway(ResourceMixin, Base):
    """A NAT gateway: state, connectivity type, zonal or regional, public IPs."""

    __tablename__ = "ec2_nat_gateways"
    id_column = "nat_gateway_id"

    nat_gateway_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(32))
    vpc_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # None for regional NAT gateways.
    subnet_id: Mapped[str | None] = mapped_column(String(64), default=None)
    connectivity_type: Mapped[str | None] = mapped_column(String(16), default=None)
    availability_mode: Mapped[str | None] = mapped_column(String(16), default=None)
    public_ips: Mapped[list[str]] = mapped_column(default_factory=list)


class Ec2VpcEndpoint(ResourceMixin, Base):
    """A VPC endpoint (interface, gateway, ...) with its subnets, route tables and groups."""

    __tablename__ = "ec2_vpc_endpoints"
    id_column = "vpc_endpoint_id"

    vpc_endpoint_id: Mapped[str] = mapped_column(String(64))
    vpc_id: Mapped[str] = mapped_column(String(64))
    service_name: Mapped[str] = mapped_column(String(255))
    endpoint_type: Mapped[str] = mapped_column(String(32))
    # The account that owns it (OwnerId): another account for a resource shared through RAM.
    owner_id: Mapped[str | None] = mapped_column(String(12), default=None)
    state: Mapped[str | None] = mapped_column(String(32), default=None)
    private_dns_enabled: Mapped[bool] = mapped_column(default=False)
    subnet_ids: Mapped[list[str]] = mapped_column(default_factory=list)
    route_table_ids: Mapped[list[str]] = mapped_column(default_factory=list)
    security_group_ids: Mapped[list[str]] = mapped_column(default_factory=list)


class Ec2NetworkInterface(ResourceMixin, Base):
    """An ENI that a collected task names (DescribeNetworkInterfaces, managed ones included)."""

    __tablename__ = "ec2_network_interfaces"
    id_column = "network_interface_id"

    network_interface_id: Mapped[str] = mapped_column(String(64))
    # The account that owns it (OwnerId): another account for a resource shared through RAM.
    owner_id: Mapped[str | None] = mapped_column(String(12), default=None)
    subnet_id: Mapped[str | None] = mapped_column(String(64), default=None)
    vpc_id: Mapped[str | None] = mapped_column(String(64), default=None)
    interface_type: Mapped[str | None] = mapped_column(String(64), default=None)
    status: Mapped[str | None] = mapped_column(String(32), default=None)
    private_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    public_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    public_ip_owner: Mapped[str | None] = mapped_column(String(64), default=None)
    ipv6_addresses: Mapped[list[str]] = mapped_column(default_factory=list)
    security_group_ids: Mapped[list[str]] = mapped_column(default_factory=list)
    requester_managed: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str | None] = mapped_column(Text, default=None)


class Ec2SecurityGroup(ResourceMixin, Base):
    """A security group with its ingress and egress rules as EC2 returns them."""

    __tablename__ = "ec2_security_groups"
    id_column = "group_id"

    group_id: Mapped[str] = mapped_column(String(64))
    # The account that owns it (OwnerId): another account for a resource shared through RAM.
    owner_id: Mapped[str | None] = mapped_column(String(12), default=None)
    group_name: Mapped[str | None] = mapped_column(String(255), default=None)
    vpc_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # IpPermissions / IpPermissionsEgress exactly as EC2 returns them.
    ingress: Mapped[list[dict[str, Any]]] = mapped_column(default_factory=list)
    egress: Mapped[list[dict[str, Any]]] = mapped_column(default_factory=list)


class Ec2FlowLog(ResourceMixin, Base):
    """A VPC, subnet or ENI flow log (DescribeFlowLogs)."""

    __tablename__ = "ec2_flow_logs"
    id_column = "flow_log_id"

    flow_log_id: Mapped[str] = mapped_column(String(64))
    # The VPC, subnet or ENI the flow log watches.
    resource_id: Mapped[str] = mapped_column(String(64))
    flow_log_status: Mapped[str | None] = mapped_column(String(32), default=None)
    deliver_logs_status: Mapped[str | None] = mapped_column(String(32), default=None)
    traffic_type: Mapped[str | None] = mapped_column(String(16), default=None)
    log_destination_type: Mapped[str | None] = mapped_column(String(32), default=None)


class Ec2ManagedPrefixList(ResourceMixin, Base):
    """A prefix list that routes or gateway endpoints use, with its CIDRs."""

    __tablename__ = "ec2_managed_prefix_lists"
    id_column = "prefix_list_id"

    prefix_list_id: Mapped[str] = mapped_column(String(64))
    prefix_list_name: Mapped[str | None] = mapped_column(String(255), default=None)
    address_family: Mapped[str | None] = mapped_column(String(16), default=None)
    cidrs: Mapped[list[str]] = mapped_column(default_factory=list)


class Ec2NetworkAcl(ResourceMixin, Base):
    """A network ACL with its subnets and normalised rules (DescribeNetworkAcls)."""

    __tablename__ = "ec2_network_acls"
    id_column = "network_acl_id"

    network_acl_id: Mapped[str] = mapped_column(String(64))
    vpc_id: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[str | None] = mapped_column(String(12), default=None)
    is_default: Mapped[bool] = mapped_column(default=False)
    # From Associations[].SubnetId: the subnets this ACL filters.
    subnet_ids: Mapped[list[str]] = mapped_column(default_factory=list)
    # Normalised entries, one per AWS entry:
    # {"rule_number": int, "egress": bool, "protocol": "-1" | "6" | "17" | "1" | "58" | ...,
    #  "rule_action": "allow" | "deny", "cidr_block": str | None, "ipv6_cidr_block": str | None,
    #  "port_from": int | None, "port_to": int | None,
    #  "icmp_type": int | None, "icmp_code": int | None}
    entries: Mapped[list[dict[str, Any]]] = mapped_column(default_factory=list)


# --------------------------------------------------------------------------------------- EFS


class EfsFileSystem(ResourceMixin, Base):
    """An EFS file system that a collected task definition mounts (DescribeFileSystems)."""

    __tablename__ = "efs_file_systems"
    id_column = "file_system_id"

    file_system_id: Mapped[str] = mapped_column(String(64))
    file_system_arn: Mapped[str | None] = mapped_column(String(2048), default=None)
    life_cycle_state: Mapped[str | None] = mapped_column(String(32), default=None)
    # Set only for One Zone file systems: the one AZ that holds the data and the mount target.
    availability_zone_name: Mapped[str | None] = mapped_column(String(64), default=None)
    availability_zone_id: Mapped[str | None] = mapped_column(String(64), default=None)
    name: Mapped[str | None] = mapped_column(String(255), default=None)


class EfsMountTarget(ResourceMixin, Base):
    """A mount target of a collected file system (DescribeMountTargets); groups are on its ENI."""

    __tablename__ = "efs_mount_targets"
    id_column = "mount_target_id"

    mount_target_id: Mapped[str] = mapped_column(String(64))
    file_system_id: Mapped[str] = mapped_column(String(64))
    subnet_id: Mapped[str] = mapped_column(String(64))
    vpc_id: Mapped[str | None] = mapped_column(String(64), default=None)
    life_cycle_state: Mapped[str | None] = mapped_column(String(32), default=None)
    availability_zone_name: Mapped[str | None] = mapped_column(String(64), default=None)
    availability_zone_id: Mapped[str | None] = mapped_column(String(64), default=None)
    ip_address: Mapped[str | None] = mapped_column(String(64), default=None)
    network_interface_id: Mapped[str | None] = mapped_column(String(64), default=None)


class EfsAccessPoint(ResourceMixin, Base):
    """An access point of a collected file system (DescribeAccessPoints)."""

    __tablename__ = "efs_access_points"
    id_column = "access_point_id"

    access_point_id: Mapped[str] = mapped_column(String(64))
    file_system_id: Mapped[str] = mapped_column(String(64))
    access_point_arn: Mapped[str | None] = mapped_column(String(2048), default=None)
    life_cycle_state: Mapped[str | None] = mapped_column(String(32), default=None)


class Ec2TransitGateway(ResourceMixin, Base):
    """A transit gateway this account owns or shares (DescribeTransitGateways)."""

    __tablename__ = "ec2_transit_gateways"
    id_column = "transit_gateway_id"

    transit_gateway_id: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[str | None] = mapped_column(String(12), default=None)
    state: Mapped[str | None] = mapped_column(String(32), default=None)
    # Options.AssociationDefaultRouteTableId / PropagationDefaultRouteTableId, when enabled.
    association_default_route_table_id: Mapped[str | None] = mapped_column(String(64), default=None)
    propagation_default_route_table_id: Mapped[str | None] = mapped_column(String(64), default=None)


class Ec2TransitGatewayAttachment(ResourceMixin, Base):
    """A transit gateway attachment with its association and, for VPCs, its subnets
    (DescribeTransitGatewayAttachments joined with DescribeTransitGatewayVpcAttachments)."""

    __tablename__ = "ec2_transit_gateway_attachments"
    id_column = "transit_gateway_attachment_id"

    transit_gateway_attachment_id: Mapped[str] = mapped_column(String(64))
    transit_gateway_id: Mapped[str] = mapped_column(String(64))
    transit_gateway_owner_id: Mapped[str | None] = mapped_column(String(12), default=None)
    # vpc | vpn | direct-connect-gateway | connect | peering | network-function | ...
    resource_type: Mapped[str | None] = mapped_column(String(64), default=None)
    resource_id: Mapped[str | None] = mapped_column(String(255), default=None)
    resource_owner_id: Mapped[str | None] = mapped_column(String(12), default=None)
    state: Mapped[str | None] = mapped_column(String(32), default=None)
    # Association.TransitGatewayRouteTableId and Association.State (associated, ...).
    association_route_table_id: Mapped[str | None] = mapped_column(String(64), default=None)
    association_state: Mapped[str | None] = mapped_column(String(32), default=None)
    # VPC attachments only: one subnet per AZ, and Options.ApplianceModeSupport.
    subnet_ids: Mapped[list[str]] = mapped_column(default_factory=list)
    appliance_mode_support: Mapped[str | None] = mapped_column(String(16), default=None)


class Ec2TransitGatewayRouteTable(ResourceMixin, Base):
    """A transit gateway route table with its routes (DescribeTransitGatewayRouteTables plus
    one SearchTransitGatewayRoutes per table, static and propagated)."""

    __tablename__ = "ec2_transit_gateway_route_tables"
    id_column = "transit_gateway_route_table_id"

    transit_gateway_route_table_id: Mapped[str] = mapped_column(String(64))
    transit_gateway_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str | None] = mapped_column(String(32), default=None)
    default_association: Mapped[bool] = mapped_column(default=False)
    default_propagation: Mapped[bool] = mapped_column(default=False)
    # Normalised routes:
    # {"destination": str | None, "prefix_list_id": str | None, "type": "static" | "propagated",
    #  "state": "active" | "blackhole" | ..., "attachments": [{"attachment_id": str,
    #  "resource_id": str | None, "resource_type": str | None}]}
    routes: Mapped[list[dict[str, Any]]] = mapped_column(default_factory=list)
    # False when AWS said more routes matched than it returned (AdditionalRoutesAvailable).
    routes_complete: Mapped[bool] = mapped_column(default=True)


class Ec2VpcPeeringConnection(ResourceMixin, Base):
    """A VPC peering connection: status and both sides (DescribeVpcPeeringConnections)."""

    __tablename__ = "ec2_vpc_peering_connections"
    id_column = "vpc_peering_connection_id"

    vpc_peering_connection_id: Mapped[str] = mapped_column(String(64))
    # Status.Code: active | pending-acceptance | deleted | ...
    status: Mapped[str | None] = mapped_column(String(32), default=None)
    # {"vpc_id": str | None, "owner_id": str | None, "region": str | None, "cidrs": [str]}
    requester: Mapped[dict[str, Any]] = mapped_column(default_factory=dict)
    accepter: Mapped[dict[str, Any]] = mapped_column(default_factory=dict)


class Ec2VpnGateway(ResourceMixin, Base):
    """A virtual private gateway and the VPCs it is attached to (DescribeVpnGateways)."""

    __tablename__ = "ec2_vpn_gateways"
    id_column = "vpn_gateway_id"

    vpn_gateway_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str | None] = mapped_column(String(32), default=None)
    # [{"vpc_id": "vpc-...", "state": "attached" | "detached" | ...}]
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(default_factory=list)


# ---------------------------------------------------------------------- Network Firewall


class NetworkFirewallFirewall(ResourceMixin, Base):
    """An AWS Network Firewall whose endpoints a route may point to (ListFirewalls filtered
    by the VPCs with routes to endpoints, then DescribeFirewall)."""

    __tablename__ = "network_firewall_firewalls"
    id_column = "firewall_arn"

    firewall_arn: Mapped[str] = mapped_column(String(2048))
    vpc_id: Mapped[str] = mapped_column(String(64))
    firewall_policy_arn: Mapped[str] = mapped_column(String(2048))
    firewall_name: Mapped[str | None] = mapped_column(String(128), default=None)
    # FirewallStatus.Status (PROVISIONING | DELETING | READY) and
    # ConfigurationSyncStateSummary (PENDING | IN_SYNC | CAPACITY_CONSTRAINED).
    status: Mapped[str | None] = mapped_column(String(32), default=None)
    sync_state: Mapped[str | None] = mapped_column(String(32), default=None)
    # SubnetMappings[].SubnetId: the firewall subnets, one per AZ.
    subnet_ids: Mapped[list[str]] = mapped_column(default_factory=list)
    # One per FirewallStatus.SyncStates entry:
    # {"availability_zone": str, "subnet_id": str | None, "endpoint_id": "vpce-..." | None,
    #  "status": "READY" | "CREATING" | ... | None}
    endpoints: Mapped[list[dict[str, Any]]] = mapped_column(default_factory=list)
    # Proxy mode (NoSourcePreservation): clients must be configured for it.
    no_source_preservation: Mapped[bool] = mapped_column(default=False)


class NetworkFirewallPolicy(ResourceMixin, Base):
    """A firewall policy a collected firewall uses (DescribeFirewallPolicy)."""

    __tablename__ = "network_firewall_policies"
    id_column = "firewall_policy_arn"

    firewall_policy_arn: Mapped[str] = mapped_column(String(2048))
    firewall_policy_name: Mapped[str | None] = mapped_column(String(128), default=None)
    status: Mapped[str | None] = mapped_column(String(32), default=None)
    # aws:pass | aws:drop | aws:forward_to_sfe, plus custom action names.
    stateless_default_actions: Mapped[list[str]] = mapped_column(default_factory=list)
    stateless_fragment_default_actions: Mapped[list[str]] = mapped_column(default_factory=list)
    # [{"arn": str, "priority": int | None}] for each list; stateful ones add
    # {"override": "DROP_TO_ALERT" | None}.
    stateless_rule_groups: Mapped[list[dict[str, Any]]] = mapped_column(default_factory=list)
    stateful_rule_groups: Mapped[list[dict[str, Any]]] = mapped_column(default_factory=list)
    # aws:drop_strict, aws:drop_established, aws:alert_*... (STRICT_ORDER only).
    stateful_default_actions: Mapped[list[str]] = mapped_column(default_factory=list)
    # StatefulEngineOptions.RuleOrder: DEFAULT_ACTION_ORDER (AWS's default) | STRICT_ORDER.
    rule_order: Mapped[str | None] = mapped_column(String(32), default=None)
    stream_exception_policy: Mapped[str | None] = mapped_column(String(16), default=None)
    # PolicyVariables.RuleVariables.HOME_NET.Definition, when the policy overrides HOME_NET.
    home_net: Mapped[list[str] | None] = mapped_column(default=None)
    tls_inspection_configuration_arn: Mapped[str | None] = mapped_column(String(2048), default=None)


class NetworkFirewallRuleGroup(ResourceMixin, Base):
    """A rule group a collected firewall policy references (DescribeRuleGroup)."""

    __tablename__ = "network_firewall_rule_groups"
    id_column = "rule_group_arn"

    rule_group_arn: Mapped[str] = mapped_column(String(2048))
    rule_group_name: Mapped[str | None] = mapped_column(String(128), default=None)
    # STATELESS | STATEFUL | STATEFUL_DOMAIN
    type: Mapped[str | None] = mapped_column(String(32), default=None)
    # StatefulRuleOptions.RuleOrder
    rule_order: Mapped[str | None] = mapped_column(String(32), default=None)
    # RulesSource.RulesSourceList: {"targets": [str], "target_types": ["TLS_SNI" |
    # "HTTP_HOST" | ...], "generated_rules_type": "ALLOWLIST" | "DENYLIST" | ...}
    domain_list: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # RulesSource.StatelessRulesAndCustomActions.StatelessRules, normalised:
    # {"priority": int, "actions": [str], "sources": [cidr], "destinations": [cidr],
    #  "source_ports": [[from, to]], "destination_ports": [[from, to]], "protocols": [int],
    #  "tcp_flags": bool}
    stateless_rules: Mapped[list[dict[str, Any]]] = mapped_column(default_factory=list)
    # RulesSource.StatefulRules as AWS returns them (5-tuple rules).
    stateful_rules: Mapped[list[dict[str, Any]]] = mapped_column(default_factory=list)
    # Whether RulesSource.RulesString (Suricata text) is set; the text itself is in raw.
    has_rules_string: Mapped[bool] = mapped_column(default=False)
    # RuleVariables.IPSets.HOME_NET.Definition, when the group overrides HOME_NET.
    home_net: Mapped[list[str] | None] = mapped_column(default=None)


# ----------------------------------------------------------------------------- Elsewhere


class Elbv2TargetGroup(ResourceMixin, Base):
    """An ELBv2 target group that a collected service references."""

    __tablename__ = "elbv2_target_groups"
    id_column = "target_group_arn"

    target_group_arn: Mapped[str] = mapped_column(String(2048))
    target_group_name: Mapped[str | None] = mapped_column(String(255), default=None)
    target_type: Mapped[str | None] = mapped_column(String(16), default=None)
    vpc_id: Mapped[str | None] = mapped_column(String(64), default=None)
    protocol: Mapped[str | None] = mapped_column(String(16), default=None)
    port: Mapped[int | None] = mapped_column(default=None)
    load_balancer_arns: Mapped[list[str]] = mapped_column(default_factory=list)


class IamRole(ResourceMixin, Base):
    """IAM roles the checks need (the ECS service-linked role); region is "global"."""

    __tablename__ = "iam_roles"
    id_column = "role_name"

    role_name: Mapped[str] = mapped_column(String(255))
    arn: Mapped[str] = mapped_column(String(2048))
    path: Mapped[str | None] = mapped_column(String(512), default=None)


class DhcpOptionsAssociationEvent(ResourceMixin, Base):
    """A CloudTrail AssociateDhcpOptions event of the last 90 days."""

    __tablename__ = "cloudtrail_dhcp_associations"
    id_column = "event_id"

    event_id: Mapped[str] = mapped_column(String(128))
    event_time: Mapped[datetime]
    vpc_id: Mapped[str | None] = mapped_column(String(64), default=None)
    dhcp_options_id: Mapped[str | None] = mapped_column(String(64), default=None)
    error_code: Mapped[str | None] = mapped_column(String(128), default=None)
    details: Mapped[str | None] = mapped_column(Text, default=None)


RESOURCE_TABLES: tuple[type[ResourceMixin], ...] = (
    EcsCluster,
    EcsService,
    EcsTask,
    EcsTaskDefinition,
    EcsAccountSetting,
    Ec2Vpc,
    Ec2DhcpOptions,
    Ec2Subnet,
    Ec2RouteTable,
    Ec2InternetGateway,
    Ec2EgressOnlyInternetGateway,
    Ec2NatGateway,
    Ec2VpcEndpoint,
    Ec2NetworkInterface,
    Ec2SecurityGroup,
    Ec2FlowLog,
    Ec2ManagedPrefixList,
    EfsFileSystem,
    EfsMountTarget,
    EfsAccessPoint,
    Elbv2TargetGroup,
    IamRole,
    DhcpOptionsAssociationEvent,
)
