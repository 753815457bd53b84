"""Seeding on moto for the end-to-end tests: boto3 calls that build VPCs, routes, network
ACLs, transit gateways, EFS file systems and Fargate tasks, and the collection of the seeded
account into the checks' inventory.

The network ACL and transit gateway builders take a plain EC2 client, so the collector tests
seed with the same calls as the checks' tests without the ECS cluster a ``Seeder`` creates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from auditor.aws import open_account
from auditor.config import Settings
from auditor.inventory import RECORD_FIELDS, Inventory
from auditor.store.scans import Scan
from collectors.run import collect_account

ACCOUNT = "123456789012"
REGION = "us-east-1"
ECR_IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:1"
TASK_ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
Boto3Factory = Callable[..., Any]


async def collect_inventory() -> Inventory:
    """Collect the seeded account with the real collectors and build the checks' inventory."""
    account = await open_account(ACCOUNT, Settings(max_attempts=2, concurrency=4))
    collected = await collect_account(account, [REGION], concurrency=4)
    fields: dict[str, list[Any]] = defaultdict(list)
    for record in collected.records:
        fields[RECORD_FIELDS[type(record)]].append(record)
    scan = Scan(id="e2e", account_id=ACCOUNT, regions=[REGION], started_at=datetime.now(UTC))
    return Inventory(scan=scan, outcomes=collected.outcomes, **fields)


def efs_volume(fs: str, **authorization: str) -> list[dict[str, Any]]:
    """A task definition's ``volumes`` with one EFS volume (TLS on when IAM or an access point)."""
    config: dict[str, Any] = {"fileSystemId": fs}
    if authorization:
        config["transitEncryption"] = "ENABLED"
        config["authorizationConfig"] = authorization
    return [{"name": "data", "efsVolumeConfiguration": config}]


def custom_network_acl(
    ec2: Any, vpc_id: str, subnets: Iterable[str], entries: Iterable[dict[str, Any]]
) -> str:
    """A custom NACL with these entries (``acl_entry(...)`` items: the fields of
    CreateNetworkAclEntry), associated with ``subnets`` in place of their current NACL."""
    acl_id: str = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    for entry in entries:
        ec2.create_network_acl_entry(NetworkAclId=acl_id, **entry)
    for subnet_id in subnets:
        current = ec2.describe_network_acls(
            Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}]
        )["NetworkAcls"][0]
        association = next(
            a["NetworkAclAssociationId"]
            for a in current["Associations"]
            if a["SubnetId"] == subnet_id
        )
        ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl_id)
    return acl_id


def transit_gateway(ec2: Any) -> tuple[str, str]:
    """A transit gateway and its default route table (moto associates every attachment)."""
    gateway = ec2.create_transit_gateway()["TransitGateway"]
    return gateway["TransitGatewayId"], gateway["Options"]["AssociationDefaultRouteTableId"]


def tgw_vpc_attachment(
    ec2: Any, tgw_id: str, vpc_id: str, subnets: Iterable[str], *, appliance_mode: bool = False
) -> str:
    options = {"Options": {"ApplianceModeSupport": "enable"}} if appliance_mode else {}
    attachment: str = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw_id, VpcId=vpc_id, SubnetIds=list(subnets), **options
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    return attachment


def tgw_route(ec2: Any, table_id: str, destination: str, attachment_id: str | None) -> None:
    """A static route to ``attachment_id``, or a blackhole route without one."""
    target = {"TransitGatewayAttachmentId": attachment_id} if attachment_id else {"Blackhole": True}
    ec2.create_transit_gateway_route(
        TransitGatewayRouteTableId=table_id, DestinationCidrBlock=destination, **target
    )


class Seeder:
    """Plain boto3 calls that build an estate on the moto server, one resource at a time."""

    def __init__(self, boto3_client: Boto3Factory) -> None:
        self.ec2 = boto3_client("ec2", REGION)
        self.ecs = boto3_client("ecs", REGION)
        self.efs = boto3_client("efs", REGION)
        self.ecs.create_cluster(clusterName="prod", capacityProviders=["FARGATE", "FARGATE_SPOT"])
        self.definitions: dict[str, str] = {}
        self.families = 0

    # ------------------------------------------------------------------------------ network

    def vpc(self, cidr: str) -> str:
        vpc_id: str = self.ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        # moto's run_task needs DNS host names on.
        self.ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
        self.ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": True})
        return vpc_id

    def subnet(
        self,
        vpc_id: str,
        cidr: str,
        *,
        routes: dict[str, str] | None = None,
        zone: str = f"{REGION}a",
    ) -> str:
        subnet_id: str = self.ec2.create_subnet(
            VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone
        )["Subnet"]["SubnetId"]
        if routes is not None:
            table = self.ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
            self.ec2.associate_route_table(RouteTableId=table, SubnetId=subnet_id)
            for destination, target in routes.items():
                self.route(table, destination, target)
        return subnet_id

    def zoned_subnet(self, vpc_id: str, cidr: str, zone: str) -> str:
        return self.subnet(vpc_id, cidr, zone=zone)

    def route(self, table: str, destination: str, target: str) -> None:
        key = {
            "nat-": "NatGatewayId",
            "tgw-": "TransitGatewayId",
            "pcx-": "VpcPeeringConnectionId",
        }.get(target[: target.index("-") + 1], "GatewayId")
        self.ec2.create_route(RouteTableId=table, DestinationCidrBlock=destination, **{key: target})

    def main_table(self, vpc_id: str) -> str:
        tables = self.ec2.describe_route_tables(
            Filters=[
                {"Name": "vpc-id", "Values": [vpc_id]},
                {"Name": "association.main", "Values": ["true"]},
            ]
        )["RouteTables"]
        return str(tables[0]["RouteTableId"])

    def igw(self, vpc_id: str) -> str:
        igw_id: str = self.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        self.ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
        return igw_id

    def nat(self, subnet_id: str) -> str:
        allocation = self.ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat_id: str = self.ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=allocation)[
            "NatGateway"
        ]["NatGatewayId"]
        return nat_id

    def group(self, vpc_id: str, name: str, *, egress: bool = True) -> str:
        group_id: str = self.ec2.create_security_group(
            VpcId=vpc_id, GroupName=name, Description=name
        )["GroupId"]
        if not egress:
            self.ec2.revoke_security_group_egress(
                GroupId=group_id,
                IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            )
        return group_id

    def nfs_ingress(self, group_id: str, from_group: str) -> None:
        self.ec2.authorize_security_group_ingress(
            GroupId=group_id,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 2049,
                    "ToPort": 2049,
                    "UserIdGroupPairs": [{"GroupId": from_group}],
                }
            ],
        )

    def network_acl(
        self, vpc_id: str, subnets: Iterable[str], entries: Iterable[dict[str, Any]]
    ) -> str:
        return custom_network_acl(self.ec2, vpc_id, subnets, entries)

    # ---------------------------------------------------------------------------------- EFS

    def file_system(self, *subnets_and_group: tuple[str, str], one_zone: str | None = None) -> str:
        arguments: dict[str, Any] = {
            "CreationToken": f"fs-{self.families}-{len(subnets_and_group)}"
        }
        if one_zone:
            arguments["AvailabilityZoneName"] = one_zone
        self.families += 1
        fs: str = self.efs.create_file_system(**arguments)["FileSystemId"]
        for subnet, group in subnets_and_group:
            self.efs.create_mount_target(FileSystemId=fs, SubnetId=subnet, SecurityGroups=[group])
        return fs

    # ------------------------------------------------------------------------------ ECS

    def register(
        self,
        *,
        image: str = ECR_IMAGE,
        volumes: list[dict[str, Any]] | None = None,
        containers: list[dict[str, Any]] | None = None,
        **extra: Any,
    ) -> str:
        """Register a Fargate task definition (one container of ``image`` unless given)."""
        self.families += 1
        arn: str = self.ecs.register_task_definition(
            family=f"app{self.families}",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="1024",
            executionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/exec",
            containerDefinitions=containers or [{"name": "app", "image": image, "memory": 512}],
            volumes=volumes or [],
            **extra,
        )["taskDefinition"]["taskDefinitionArn"]
        return arn

    def definition(self, image: str) -> str:
        """One task definition per image, registered the first time it is asked for."""
        if image not in self.definitions:
            self.definitions[image] = self.register(image=image)
        return self.definitions[image]

    def task(
        self,
        subnet_id: str,
        group_id: str,
        *,
        image: str = ECR_IMAGE,
        definition: str | None = None,
        platform: str = "1.4.0",
        public_ip: bool = False,
        spot: bool = False,
    ) -> str:
        launch: dict[str, Any] = (
            {"capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]}
            if spot
            else {"launchType": "FARGATE"}
        )
        task = self.ecs.run_task(
            cluster="prod",
            taskDefinition=definition or self.definition(image),
            platformVersion=platform,
            networkConfiguration={
                "awsvpcConfiguration": {
                    "subnets": [subnet_id],
                    "securityGroups": [group_id],
                    "assignPublicIp": "ENABLED" if public_ip else "DISABLED",
                }
            },
            **launch,
        )["tasks"][0]
        if public_ip:
            # moto gives task ENIs no public IP: an Elastic IP models one.
            eni = next(
                d["value"]
                for a in task["attachments"]
                for d in a["details"]
                if d["name"] == "networkInterfaceId"
            )
            allocation = self.ec2.allocate_address(Domain="vpc")["AllocationId"]
            self.ec2.associate_address(AllocationId=allocation, NetworkInterfaceId=eni)
        return str(task["taskArn"])

    def run(
        self, definition: str, subnet_id: str, group_id: str, *, platform: str = "1.4.0"
    ) -> str:
        """Run one task of ``definition`` (a registered task definition's ARN)."""
        return self.task(subnet_id, group_id, definition=definition, platform=platform)
