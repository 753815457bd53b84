"""Helpers for the collector tests: a small estate seeded on moto, an account opened on it, and
one collection of that estate shared by the per-collector tests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from auditor.aws import AwsAccount, open_account
from auditor.config import Settings
from auditor.demo import network_firewall
from auditor.store.resources import ResourceMixin
from collectors.results import Collected
from collectors.run import collect_account

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
FIREWALL_POLICY_ARN = (
    f"arn:aws:network-firewall:{REGION}:{ACCOUNT_ID}:firewall-policy/egress-policy"
)

Boto3Factory = Callable[..., Any]


def make_settings(**overrides: Any) -> Settings:
    # Two attempts: moto answers unimplemented calls with HTTP 500, which botocore retries.
    values: dict[str, Any] = {"max_attempts": 2, "concurrency": 8}
    values.update(overrides)
    return Settings(**values)


async def open_moto_account(**overrides: Any) -> AwsAccount:
    return await open_account(ACCOUNT_ID, make_settings(**overrides))


@dataclass
class SeededMotoEstate:
    """The IDs of what ``seed_estate`` created on the moto server, for tests to compare with."""

    vpc_id: str
    public_subnet: str
    private_subnet: str
    igw_id: str
    eigw_id: str
    nat_id: str
    route_table_id: str
    main_route_table_id: str
    s3_endpoint_id: str
    ecr_endpoint_id: str
    s3_prefix_list: str
    task_sg: str
    default_sg: str
    dhcp_options_id: str
    flow_log_id: str
    vgw_id: str
    peering_id: str
    cluster_arn: str
    task_definition_arn: str
    unused_task_definition_arn: str
    service_arn: str
    target_group_arn: str
    fargate_task: str
    spot_task: str
    stopped_task: str
    task_enis: dict[str, str]
    file_system_id: str
    mount_target_id: str
    mount_target_eni: str
    access_point_id: str


def seed_network(make: Boto3Factory, region: str = REGION) -> dict[str, str]:
    ec2 = make("ec2", region)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    # moto's run_task needs DNS hostnames on for awsvpc tasks.
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    eigw = ec2.create_egress_only_internet_gateway(VpcId=vpc)["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"
    ]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=allocation)["NatGateway"][
        "NatGatewayId"
    ]
    main_rt = ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"][0]["RouteTableId"]
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.create_route(
        RouteTableId=rt, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw
    )
    ec2.associate_route_table(RouteTableId=rt, SubnetId=public)
    # A VGW and a peering connection (to the default VPC) that routes target: without a
    # route to them their collectors are not needed and their calls are never sent.
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw)
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="192.168.0.0/16", GatewayId=vgw)
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][
        0
    ]["VpcId"]
    peering = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=default_vpc)[
        "VpcPeeringConnection"
    ]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=peering)
    ec2.create_route(
        RouteTableId=rt, DestinationCidrBlock="172.31.0.0/16", VpcPeeringConnectionId=peering
    )
    # A transit gateway (moto gives it a default route table) so its route search is sent.
    ec2.create_transit_gateway(Description="hub")
    ec2.create_route(RouteTableId=main_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    s3 = ec2.create_vpc_endpoint(
        VpcId=vpc,
        ServiceName=f"com.amazonaws.{region}.s3",
        VpcEndpointType="Gateway",
        RouteTableIds=[main_rt],
    )["VpcEndpoint"]["VpcEndpointId"]
    prefix_lists = ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": [f"com.amazonaws.{region}.s3"]}]
    )["PrefixLists"]
    s3_pl = prefix_lists[0]["PrefixListId"]
    sg = ec2.create_security_group(GroupName="task", Description="task", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_egress(
        GroupId=sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "PrefixListIds": [{"PrefixListId": s3_pl}],
            }
        ],
    )
    ecr = ec2.create_vpc_endpoint(
        VpcId=vpc,
        ServiceName=f"com.amazonaws.{region}.ecr.dkr",
        VpcEndpointType="Interface",
        SubnetIds=[private],
        SecurityGroupIds=[sg],
        PrivateDnsEnabled=True,
    )["VpcEndpoint"]["VpcEndpointId"]
    default_sg = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    dhcp = ec2.create_dhcp_options(
        DhcpConfigurations=[{"Key": "domain-name-servers", "Values": ["10.0.0.2", "10.0.0.3"]}]
    )["DhcpOptions"]["DhcpOptionsId"]
    ec2.associate_dhcp_options(DhcpOptionsId=dhcp, VpcId=vpc)
    logs = make("logs", region)
    logs.create_log_group(logGroupName="flow")
    flow = ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogGroupName="flow",
        DeliverLogsPermissionArn=f"arn:aws:iam::{ACCOUNT_ID}:role/flow",
    )["FlowLogIds"][0]
    return {
        "vpc_id": vpc,
        "public_subnet": public,
        "private_subnet": private,
        "igw_id": igw,
        "eigw_id": eigw,
        "nat_id": nat,
        "route_table_id": rt,
        "main_route_table_id": main_rt,
        "s3_endpoint_id": s3,
        "ecr_endpoint_id": ecr,
        "s3_prefix_list": s3_pl,
        "task_sg": sg,
        "default_sg": default_sg,
        "dhcp_options_id": dhcp,
        "flow_log_id": flow,
        "vgw_id": vgw,
        "peering_id": peering,
    }


def register_task_definition(
    ecs: Any, family: str, volumes: list[dict[str, Any]] | None = None
) -> str:
    return str(
        ecs.register_task_definition(
            family=family,
            volumes=volumes or [],
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            executionRoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/exec",
            runtimePlatform={"operatingSystemFamily": "LINUX"},
            containerDefinitions=[
                {"name": "app", "image": "public.ecr.aws/nginx/nginx:latest", "memory": 512}
            ],
        )["taskDefinition"]["taskDefinitionArn"]
    )


def seed_estate(make: Boto3Factory, region: str = REGION) -> SeededMotoEstate:
    net = seed_network(make, region)
    ecs = make("ecs", region)
    cluster = ecs.create_cluster(clusterName="prod")["cluster"]["clusterArn"]
    efs = make("efs", region)
    file_system = efs.create_file_system(CreationToken="web")["FileSystemId"]
    mount_target = efs.create_mount_target(
        FileSystemId=file_system, SubnetId=net["private_subnet"], SecurityGroups=[net["task_sg"]]
    )
    access_point = efs.create_access_point(FileSystemId=file_system)["AccessPointId"]
    efs.create_file_system(CreationToken="not-mounted")
    volume = {
        "name": "data",
        "efsVolumeConfiguration": {
            "fileSystemId": file_system,
            "transitEncryption": "ENABLED",
            "authorizationConfig": {"accessPointId": access_point, "iam": "DISABLED"},
        },
    }
    task_def = register_task_definition(ecs, "web", [volume])
    unused = register_task_definition(ecs, "unused")
    elbv2 = make("elbv2", region)
    tg = elbv2.create_target_group(
        Name="web", Protocol="HTTP", Port=80, VpcId=net["vpc_id"], TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    elbv2.create_target_group(
        Name="other", Protocol="HTTP", Port=80, VpcId=net["vpc_id"], TargetType="ip"
    )
    awsvpc = {
        "awsvpcConfiguration": {
            "subnets": [net["private_subnet"]],
            "securityGroups": [net["task_sg"]],
            "assignPublicIp": "DISABLED",
        }
    }
    service = ecs.create_service(
        cluster=cluster,
        serviceName="web",
        taskDefinition=task_def,
        desiredCount=0,
        launchType="FARGATE",
        platformVersion="1.4.0",
        networkConfiguration=awsvpc,
        loadBalancers=[{"targetGroupArn": tg, "containerName": "app", "containerPort": 80}],
    )["service"]["serviceArn"]
    fargate = ecs.run_task(
        cluster=cluster,
        taskDefinition=task_def,
        launchType="FARGATE",
        platformVersion="1.4.0",
        networkConfiguration=awsvpc,
    )["tasks"][0]
    spot = ecs.run_task(
        cluster=cluster,
        taskDefinition=task_def,
        capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
        networkConfiguration=awsvpc,
    )["tasks"][0]
    stopped = ecs.run_task(
        cluster=cluster, taskDefinition=task_def, launchType="FARGATE", networkConfiguration=awsvpc
    )["tasks"][0]
    ecs.stop_task(cluster=cluster, task=stopped["taskArn"], reason="CannotPullContainerError: x")
    ecs.put_account_setting(name="dualStackIPv6", value="enabled")

    def eni_of(task: dict[str, Any]) -> str:
        for attachment in task["attachments"]:
            if attachment["type"] == "ElasticNetworkInterface":
                for detail in attachment["details"]:
                    if detail["name"] == "networkInterfaceId":
                        return str(detail["value"])
        raise AssertionError("moto task without ENI")

    return SeededMotoEstate(
        **net,
        cluster_arn=cluster,
        task_definition_arn=task_def,
        unused_task_definition_arn=unused,
        service_arn=service,
        target_group_arn=tg,
        fargate_task=fargate["taskArn"],
        spot_task=spot["taskArn"],
        stopped_task=stopped["taskArn"],
        task_enis={t["taskArn"]: eni_of(t) for t in (fargate, spot, stopped)},
        file_system_id=file_system,
        mount_target_id=mount_target["MountTargetId"],
        mount_target_eni=mount_target["NetworkInterfaceId"],
        access_point_id=access_point,
    )


def seed_service_linked_role(make: Boto3Factory) -> None:
    make("iam").create_role(
        RoleName="AWSServiceRoleForECS",
        Path="/aws-service-role/ecs.amazonaws.com/",
        AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}',
    )


Record = TypeVar("Record", bound=ResourceMixin)


@dataclass(frozen=True)
class SeededCollection:
    """One collection of the seeded estate, and what moto itself lists, taken right after it."""

    estate: SeededMotoEstate
    collected: Collected
    default_vpc_id: str
    subnet_ids: set[str]
    security_group_ids: set[str]
    s3_prefix_list_cidrs: set[str]

    def records(self, kind: type[Record]) -> list[Record]:
        return [r for r in self.collected.records if type(r) is kind]


async def collect_seeded_estate(make: Boto3Factory) -> SeededCollection:
    """Seed the estate (with the ECS service-linked role), collect it, and note moto's view."""
    estate = seed_estate(make)
    seed_service_linked_role(make)
    account = await open_moto_account()
    collected = await collect_account(account, [REGION], concurrency=4)
    ec2 = make("ec2", REGION)
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])
    entries = ec2.get_managed_prefix_list_entries(PrefixListId=estate.s3_prefix_list)
    return SeededCollection(
        estate=estate,
        collected=collected,
        default_vpc_id=default_vpc["Vpcs"][0]["VpcId"],
        subnet_ids={s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]},
        security_group_ids={g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]},
        s3_prefix_list_cidrs={e["Cidr"] for e in entries["Entries"]},
    )


def records_by_kind(collected: Collected) -> dict[type[ResourceMixin], list[Any]]:
    kinds: dict[type[ResourceMixin], list[Any]] = defaultdict(list)
    for record in collected.records:
        kinds[type(record)].append(record)
    return kinds


def seed_firewall(
    make: Boto3Factory, *, routed: bool = True, with_firewall: bool = True
) -> dict[str, str]:
    """A VPC whose private subnet routes 0.0.0.0/0 to a firewall endpoint (a GWLB-type
    endpoint, as Network Firewall's are), with the firewall moto creates."""
    ec2 = make("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.8.3.0/24", AvailabilityZone="us-east-1a")[
        "Subnet"
    ]["SubnetId"]
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc,
        ServiceName="com.amazonaws.vpce.us-east-1.vpce-svc-0firewall",
        VpcEndpointType="GatewayLoadBalancer",
        SubnetIds=[subnet],
    )["VpcEndpoint"]["VpcEndpointId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    if routed:
        ec2.create_route(
            RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", VpcEndpointId=endpoint
        )
    if not with_firewall:
        return {"vpc": vpc, "subnet": subnet, "endpoint": endpoint}
    firewall = make("network-firewall").create_firewall(
        FirewallName="egress",
        FirewallPolicyArn=FIREWALL_POLICY_ARN,
        VpcId=vpc,
        SubnetMappings=[{"SubnetId": subnet}],
    )["Firewall"]["FirewallArn"]
    network_firewall.place_endpoints(
        ACCOUNT_ID, REGION, firewall, {"us-east-1a": (subnet, endpoint)}
    )
    return {"vpc": vpc, "subnet": subnet, "endpoint": endpoint, "firewall": firewall}
