"""Build VPC networking in one account and region of the demo estate, through the EC2 API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Routes are given as (destination, target): the target's prefix picks the route field.
Route = tuple[str, str]

_TARGET_FIELDS = {
    "igw-": "GatewayId",
    "vgw-": "GatewayId",
    "nat-": "NatGatewayId",
    "eigw-": "EgressOnlyInternetGatewayId",
    "tgw-": "TransitGatewayId",
    "pcx-": "VpcPeeringConnectionId",
    "vpce-": "VpcEndpointId",  # Gateway Load Balancer and Network Firewall endpoints
}


def _tags(resource_type: str, name: str) -> list[dict[str, Any]]:
    return [{"ResourceType": resource_type, "Tags": [{"Key": "Name", "Value": name}]}]


def _route_arguments(destination: str, target: str) -> dict[str, str]:
    family_field = "DestinationIpv6CidrBlock" if ":" in destination else "DestinationCidrBlock"
    for prefix, target_field in _TARGET_FIELDS.items():
        if target.startswith(prefix):
            return {family_field: destination, target_field: target}
    raise ValueError(f"no route field for target {target!r}")


@dataclass
class Network:
    """EC2 building blocks for one account and region; every resource gets a Name tag."""

    ec2: Any
    logs: Any
    account_id: str
    region: str
    vpc_names: dict[str, str] = field(default_factory=dict)
    subnet_cidrs: dict[str, str] = field(default_factory=dict)

    def vpc(self, name: str, cidr: str, *, ipv6: bool = False) -> str:
        # DNS hostnames start on: moto's RunTask fails in a VPC without them. The estate turns
        # them off afterwards where the design says so (disable_dns_hostnames).
        vpc = self.ec2.create_vpc(
            CidrBlock=cidr,
            AmazonProvidedIpv6CidrBlock=ipv6,
            TagSpecifications=_tags("vpc", name),
        )["Vpc"]
        vpc_id: str = vpc["VpcId"]
        self.ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
        self.vpc_names[vpc_id] = name
        return vpc_id

    def vpc_ipv6_cidr(self, vpc_id: str) -> str:
        vpc = self.ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
        cidr: str = vpc["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
        return cidr

    def subnet_cidr(self, subnet_id: str) -> str:
        if subnet_id not in self.subnet_cidrs:
            subnet = self.ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]
            self.subnet_cidrs[subnet_id] = subnet["CidrBlock"]
        return self.subnet_cidrs[subnet_id]

    def interfaces_in(self, subnet_id: str) -> int:
        interfaces = self.ec2.describe_network_interfaces(
            Filters=[{"Name": "subnet-id", "Values": [subnet_id]}]
        )["NetworkInterfaces"]
        return len(interfaces)

    def disable_dns_hostnames(self, vpc_id: str) -> None:
        self.ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": False})

    def subnet(
        self, vpc_id: str, name: str, cidr: str, zone: str, *, ipv6_cidr: str | None = None
    ) -> str:
        arguments: dict[str, Any] = {
            "VpcId": vpc_id,
            "CidrBlock": cidr,
            "AvailabilityZone": f"{self.region}{zone}",
            "TagSpecifications": _tags("subnet", name),
        }
        if ipv6_cidr:
            arguments["Ipv6CidrBlock"] = ipv6_cidr
        subnet_id: str = self.ec2.create_subnet(**arguments)["Subnet"]["SubnetId"]
        self.subnet_cidrs[subnet_id] = cidr
        if ipv6_cidr:
            self.ec2.modify_subnet_attribute(
                SubnetId=subnet_id, AssignIpv6AddressOnCreation={"Value": True}
            )
        return subnet_id

    def internet_gateway(self, vpc_id: str, name: str) -> str:
        igw_id: str = self.ec2.create_internet_gateway(
            TagSpecifications=_tags("internet-gateway", name)
        )["InternetGateway"]["InternetGatewayId"]
        self.ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
        return igw_id

    def egress_only_internet_gateway(self, vpc_id: str, name: str) -> str:
        eigw_id: str = self.ec2.create_egress_only_internet_gateway(
            VpcId=vpc_id, TagSpecifications=_tags("egress-only-internet-gateway", name)
        )["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
        return eigw_id

    def nat_gateway(self, subnet_id: str, name: str) -> str:
        allocation = self.ec2.allocate_address(
            Domain="vpc", TagSpecifications=_tags("elastic-ip", f"{name}-eip")
        )
        nat_id: str = self.ec2.create_nat_gateway(
            SubnetId=subnet_id,
            AllocationId=allocation["AllocationId"],
            TagSpecifications=_tags("natgateway", name),
        )["NatGateway"]["NatGatewayId"]
        return nat_id

    def transit_gateway(self, name: str, vpc_id: str, subnet_ids: list[str]) -> str:
        tgw_id: str = self.ec2.create_transit_gateway(
            Description=name, TagSpecifications=_tags("transit-gateway", name)
        )["TransitGateway"]["TransitGatewayId"]
        self.ec2.create_transit_gateway_vpc_attachment(
            TransitGatewayId=tgw_id, VpcId=vpc_id, SubnetIds=subnet_ids
        )
        return tgw_id

    def hub(self, name: str) -> tuple[str, str]:
        """A transit gateway and its default route table (every attachment associates with
        it and propagates into it)."""
        tgw = self.ec2.create_transit_gateway(
            Description=name, TagSpecifications=_tags("transit-gateway", name)
        )["TransitGateway"]
        return tgw["TransitGatewayId"], tgw["Options"]["AssociationDefaultRouteTableId"]

    def attach(
        self, tgw_id: str, vpc_id: str, subnet_ids: list[str], *, appliance_mode: bool = False
    ) -> str:
        attachment_id: str = self.ec2.create_transit_gateway_vpc_attachment(
            TransitGatewayId=tgw_id,
            VpcId=vpc_id,
            SubnetIds=subnet_ids,
            Options={"ApplianceModeSupport": "enable" if appliance_mode else "disable"},
        )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
        return attachment_id

    def tgw_route(self, table_id: str, cidr: str, attachment_id: str) -> None:
        self.ec2.create_transit_gateway_route(
            TransitGatewayRouteTableId=table_id,
            DestinationCidrBlock=cidr,
            TransitGatewayAttachmentId=attachment_id,
        )

    def network_acl(
        self, vpc_id: str, name: str, subnet_ids: list[str], rules: list[dict[str, Any]]
    ) -> str:
        """A custom NACL on ``subnet_ids`` with ``rules`` (CreateNetworkAclEntry arguments);
        what they do not allow the * rule denies."""
        acl_id: str = self.ec2.create_network_acl(
            VpcId=vpc_id, TagSpecifications=_tags("network-acl", name)
        )["NetworkAcl"]["NetworkAclId"]
        for rule in rules:
            self.ec2.create_network_acl_entry(NetworkAclId=acl_id, **rule)
        current = self.ec2.describe_network_acls(
            Filters=[{"Name": "association.subnet-id", "Values": subnet_ids}]
        )["NetworkAcls"]
        for acl in current:
            for association in acl["Associations"]:
                if association["SubnetId"] in subnet_ids:
                    self.ec2.replace_network_acl_association(
                        AssociationId=association["NetworkAclAssociationId"], NetworkAclId=acl_id
                    )
        return acl_id

    def vpn_gateway(self, vpc_id: str, name: str) -> str:
        vgw_id: str = self.ec2.create_vpn_gateway(
            Type="ipsec.1", TagSpecifications=_tags("vpn-gateway", name)
        )["VpnGateway"]["VpnGatewayId"]
        self.ec2.attach_vpn_gateway(VpcId=vpc_id, VpnGatewayId=vgw_id)
        return vgw_id

    def route_table(
        self, vpc_id: str, name: str, subnet_ids: list[str], routes: list[Route]
    ) -> str:
        table_id: str = self.ec2.create_route_table(
            VpcId=vpc_id, TagSpecifications=_tags("route-table", name)
        )["RouteTable"]["RouteTableId"]
        for destination, target in routes:
            self.ec2.create_route(RouteTableId=table_id, **_route_arguments(destination, target))
        for subnet_id in subnet_ids:
            self.ec2.associate_route_table(RouteTableId=table_id, SubnetId=subnet_id)
        return table_id

    def security_group(self, vpc_id: str, name: str, *, https_from: list[str] | None = None) -> str:
        """A group with AWS's default allow-all egress, and HTTPS ingress from CIDRs if given."""
        group_id: str = self.ec2.create_security_group(
            VpcId=vpc_id,
            GroupName=name,
            Description=f"{name} (demo estate)",
            TagSpecifications=_tags("security-group", name),
        )["GroupId"]
        if https_from:
            self.ec2.authorize_security_group_ingress(
                GroupId=group_id,
                IpPermissions=[
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 443,
                        "ToPort": 443,
                        "IpRanges": [{"CidrIp": cidr} for cidr in https_from],
                    }
                ],
            )
        return group_id

    def interface_endpoints(
        self, vpc_id: str, services: list[str], subnet_ids: list[str], group_id: str
    ) -> list[str]:
        """Interface endpoints with private DNS on, one per short service name ("ecr.api")."""
        return [
            self.ec2.create_vpc_endpoint(
                VpcId=vpc_id,
                VpcEndpointType="Interface",
                ServiceName=f"com.amazonaws.{self.region}.{service}",
                SubnetIds=subnet_ids,
                SecurityGroupIds=[group_id],
                PrivateDnsEnabled=True,
                TagSpecifications=_tags("vpc-endpoint", f"{self.vpc_names[vpc_id]}-{service}"),
            )["VpcEndpoint"]["VpcEndpointId"]
            for service in services
        ]

    def s3_gateway_endpoint(self, vpc_id: str, route_table_ids: list[str]) -> str:
        endpoint_id: str = self.ec2.create_vpc_endpoint(
            VpcId=vpc_id,
            VpcEndpointType="Gateway",
            ServiceName=f"com.amazonaws.{self.region}.s3",
            RouteTableIds=route_table_ids,
            PrivateDnsEnabled=False,  # as AWS reports gateway endpoints; moto defaults to True
            TagSpecifications=_tags("vpc-endpoint", f"{self.vpc_names[vpc_id]}-s3"),
        )["VpcEndpoint"]["VpcEndpointId"]
        return endpoint_id

    def flow_log(self, resource_id: str, log_group: str, *, resource_type: str = "VPC") -> str:
        # The log group must exist first, or moto reports the delivery as FAILED.
        self.logs.create_log_group(logGroupName=log_group)
        flow_log_id: str = self.ec2.create_flow_logs(
            ResourceIds=[resource_id],
            ResourceType=resource_type,
            TrafficType="ALL",
            LogDestinationType="cloud-watch-logs",
            LogGroupName=log_group,
            DeliverLogsPermissionArn=f"arn:aws:iam::{self.account_id}:role/vpc-flow-logs-delivery",
        )["FlowLogIds"][0]
        return flow_log_id

    def dhcp_options(self, name: str, domain_name: str) -> str:
        options_id: str = self.ec2.create_dhcp_options(
            DhcpConfigurations=[
                {"Key": "domain-name", "Values": [domain_name]},
                {"Key": "domain-name-servers", "Values": ["AmazonProvidedDNS"]},
            ],
            TagSpecifications=_tags("dhcp-options", name),
        )["DhcpOptions"]["DhcpOptionsId"]
        return options_id

    def give_public_ip(self, eni_id: str, name: str) -> str:
        """Associate an Elastic IP with a task ENI (moto gives task ENIs no public IP)."""
        allocation = self.ec2.allocate_address(
            Domain="vpc", TagSpecifications=_tags("elastic-ip", name)
        )
        self.ec2.associate_address(
            AllocationId=allocation["AllocationId"], NetworkInterfaceId=eni_id
        )
        public_ip: str = allocation["PublicIp"]
        return public_ip

    def give_ipv6_address(self, eni_id: str) -> None:
        """Assign an IPv6 address to a task ENI (moto never assigns one itself)."""
        self.ec2.assign_ipv6_addresses(NetworkInterfaceId=eni_id, Ipv6AddressCount=1)
