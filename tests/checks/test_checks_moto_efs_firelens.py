"""End to end on moto: seed EFS and FireLens tasks with boto3, collect, evaluate.

The estates of the issue's "done when": an EFS volume whose only mount target is in another
AZ, a mount target group without NFS ingress, a FireLens task without a task role, and their
healthy twins; plus a missing access point, IAM authorization without a task role, a legacy
platform, a One Zone file system elsewhere, VPC DNS support off, task egress without 2049, a
NACL denying NFS on the mount target's subnet, custom DHCP DNS servers and EFS denied
(UNKNOWN); FireLens through the firehose and S3 endpoints, a missing kinesis endpoint, an
unmodelled output and a custom config file.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from test_checks_moto_paths import (
    ACCOUNT,
    ECR_IMAGE,
    REGION,
    Boto3Factory,
    Seeder,
    collect_inventory,
)

from checks.base import Status
from checks.paths import efs_mount_path, firelens_delivery
from tests.enforcing import enforcing_moto_server, restricted_user

TASK_ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"


class EfsSeeder(Seeder):
    def __init__(self, boto3_client: Boto3Factory) -> None:
        super().__init__(boto3_client)
        self.efs = boto3_client("efs", REGION)
        self.families = 0

    def zoned_subnet(self, vpc_id: str, cidr: str, zone: str) -> str:
        subnet_id: str = self.ec2.create_subnet(
            VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone
        )["Subnet"]["SubnetId"]
        return subnet_id

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

    def register(self, *, volumes: list[dict[str, Any]] | None = None, **extra: Any) -> str:
        self.families += 1
        containers = extra.pop("containers", None) or [
            {"name": "app", "image": ECR_IMAGE, "memory": 512}
        ]
        arn: str = self.ecs.register_task_definition(
            family=f"efs{self.families}",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="1024",
            executionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/exec",
            containerDefinitions=containers,
            volumes=volumes or [],
            **extra,
        )["taskDefinition"]["taskDefinitionArn"]
        return arn

    def run(self, definition: str, subnet: str, group: str, *, platform: str = "1.4.0") -> str:
        task = self.ecs.run_task(
            cluster="prod",
            taskDefinition=definition,
            launchType="FARGATE",
            platformVersion=platform,
            networkConfiguration={
                "awsvpcConfiguration": {
                    "subnets": [subnet],
                    "securityGroups": [group],
                    "assignPublicIp": "DISABLED",
                }
            },
        )["tasks"][0]
        return str(task["taskArn"])


def volume(fs: str, **authorization: str) -> list[dict[str, Any]]:
    config: dict[str, Any] = {"fileSystemId": fs}
    if authorization:
        config["transitEncryption"] = "ENABLED"
        config["authorizationConfig"] = authorization
    return [{"name": "data", "efsVolumeConfiguration": config}]


@pytest.mark.asyncio
async def test_efs_mount_paths_on_moto(boto3_client: Boto3Factory) -> None:
    seed = EfsSeeder(boto3_client)
    vpc = seed.vpc("10.0.0.0/16")
    zone_a = seed.zoned_subnet(vpc, "10.0.1.0/24", "us-east-1a")
    zone_b = seed.zoned_subnet(vpc, "10.0.2.0/24", "us-east-1b")
    tasks = seed.group(vpc, "tasks")
    efs_open = seed.group(vpc, "efs-open", egress=False)
    seed.nfs_ingress(efs_open, tasks)
    efs_closed = seed.group(vpc, "efs-closed", egress=False)

    healthy_fs = seed.file_system((zone_a, efs_open), (zone_b, efs_open))
    only_b = seed.file_system((zone_b, efs_open))
    closed_fs = seed.file_system((zone_a, efs_closed))
    one_zone_b = seed.file_system((zone_b, efs_open), one_zone="us-east-1b")
    access_point = seed.efs.create_access_point(FileSystemId=healthy_fs)["AccessPointId"]

    healthy = seed.register(volumes=volume(healthy_fs))
    missing_zone = seed.register(volumes=volume(only_b))
    closed = seed.register(volumes=volume(closed_fs))
    one_zone = seed.register(volumes=volume(one_zone_b))
    with_point = seed.register(
        volumes=volume(healthy_fs, accessPointId=access_point, iam="DISABLED")
    )
    gone_point = seed.register(volumes=volume(healthy_fs, accessPointId="fsap-0123456789abcdef0"))
    iam_no_role = seed.register(volumes=volume(healthy_fs, iam="ENABLED"))
    iam_role = seed.register(volumes=volume(healthy_fs, iam="ENABLED"), taskRoleArn=TASK_ROLE)
    no_efs = seed.register()

    expected = {
        seed.run(healthy, zone_a, tasks): Status.PASS,
        seed.run(healthy, zone_b, tasks): Status.PASS,
        seed.run(missing_zone, zone_a, tasks): Status.FAIL,
        seed.run(missing_zone, zone_b, tasks): Status.PASS,
        seed.run(closed, zone_a, tasks): Status.FAIL,
        seed.run(one_zone, zone_a, tasks): Status.FAIL,
        seed.run(with_point, zone_a, tasks): Status.PASS,
        seed.run(gone_point, zone_a, tasks): Status.FAIL,
        seed.run(iam_no_role, zone_a, tasks): Status.FAIL,
        seed.run(iam_role, zone_a, tasks): Status.PASS,
        seed.run(healthy, zone_a, tasks, platform="1.3.0"): Status.FAIL,
    }
    seed.run(no_efs, zone_a, tasks)  # out of scope: no verdict
    inventory = await collect_inventory()
    results = {r.resource_id: r for r in efs_mount_path.evaluate(inventory)}
    assert {arn: r.status for arn, r in results.items()} == expected

    by_definition: dict[str, list[str]] = {}
    for task in inventory.tasks:
        by_definition.setdefault(task.task_definition_arn, []).append(task.task_arn)
    missing_a = next(a for a in by_definition[missing_zone] if results[a].status is Status.FAIL)
    assert (
        "no mount target in us-east-1a, the task's Availability Zone" in results[missing_a].message
    )
    assert "only in us-east-1b" in results[missing_a].message
    (closed_task,) = by_definition[closed]
    root = results[closed_task].root_cause
    assert root is not None and root.kind == "mount-target-security-group-ingress"
    assert f"no ingress rule of {efs_closed} allows TCP 2049" in results[closed_task].message
    (gone_task,) = by_definition[gone_point]
    assert "fsap-0123456789abcdef0 does not exist" in results[gone_task].message


@pytest.mark.asyncio
async def test_efs_dns_support_off_fails_on_moto(boto3_client: Boto3Factory) -> None:
    seed = EfsSeeder(boto3_client)
    vpc = seed.vpc("10.0.0.0/16")
    subnet = seed.zoned_subnet(vpc, "10.0.1.0/24", "us-east-1a")
    tasks = seed.group(vpc, "tasks")
    efs_sg = seed.group(vpc, "efs", egress=False)
    seed.nfs_ingress(efs_sg, tasks)
    fs = seed.file_system((subnet, efs_sg))
    arn = seed.run(seed.register(volumes=volume(fs)), subnet, tasks)
    seed.ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": False})
    inventory = await collect_inventory()
    (result,) = efs_mount_path.evaluate(inventory)
    assert (result.resource_id, result.status) == (arn, Status.FAIL)
    assert "enableDnsSupport=false" in result.message


@pytest.mark.asyncio
async def test_efs_denied_is_unknown_on_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    with enforcing_moto_server() as url:
        keys = restricted_user(url, ["elasticfilesystem:DescribeFileSystems"])
        for name, value in {**keys, "AWS_ENDPOINT_URL": url}.items():
            monkeypatch.setenv(name, value)

        def make(service: str, region: str = REGION) -> Any:
            return boto3.client(
                service,
                region_name=region,
                endpoint_url=url,
                aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
            )

        seed = EfsSeeder(make)
        vpc = seed.vpc("10.0.0.0/16")
        subnet = seed.zoned_subnet(vpc, "10.0.1.0/24", "us-east-1a")
        tasks = seed.group(vpc, "tasks")
        fs = seed.file_system((subnet, tasks))
        arn = seed.run(seed.register(volumes=volume(fs)), subnet, tasks)
        inventory = await collect_inventory()
    outcome = inventory.outcome(REGION, "efs.file_systems")
    assert outcome is not None and outcome.status == "denied"
    (result,) = efs_mount_path.evaluate(inventory)
    assert (result.resource_id, result.status) == (arn, Status.UNKNOWN)
    assert "efs.file_systems (denied" in result.message


def firelens_containers(options: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "name": "app",
            "image": ECR_IMAGE,
            "memory": 512,
            "logConfiguration": {"logDriver": "awsfirelens", "options": options},
        },
        {
            "name": "log_router",
            "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
            "memory": 128,
            "firelensConfiguration": {"type": "fluentbit"},
        },
    ]


@pytest.mark.asyncio
async def test_firelens_delivery_on_moto(boto3_client: Boto3Factory) -> None:
    seed = EfsSeeder(boto3_client)
    vpc = seed.vpc("10.0.0.0/16")
    igw = seed.igw(vpc)
    public = seed.subnet(vpc, "10.0.0.0/24", routes={"0.0.0.0/0": igw})
    nat = seed.nat(public)
    private = seed.subnet(vpc, "10.0.1.0/24", routes={"0.0.0.0/0": nat})
    isolated = seed.subnet(vpc, "10.0.2.0/24", routes={})
    tasks = seed.group(vpc, "tasks")
    cloudwatch = {"Name": "cloudwatch_logs", "region": REGION, "log_group_name": "/ecs/app"}

    with_role = seed.register(containers=firelens_containers(cloudwatch), taskRoleArn=TASK_ROLE)
    without_role = seed.register(containers=firelens_containers(cloudwatch))
    splunk = seed.register(
        containers=firelens_containers({"Name": "splunk", "Host": "splunk.example.com"}),
        taskRoleArn=TASK_ROLE,
    )
    expected = {
        seed.run(with_role, private, tasks): Status.PASS,
        seed.run(without_role, private, tasks): Status.FAIL,
        seed.run(with_role, isolated, tasks): Status.FAIL,
        seed.run(splunk, private, tasks): Status.UNKNOWN,
    }
    inventory = await collect_inventory()
    results = {r.resource_id: r for r in firelens_delivery.evaluate(inventory)}
    assert {arn: r.status for arn, r in results.items()} == expected
    no_role = next(r for r in results.values() if r.evidence["task_role_arn"] is None)
    assert "no task role" in no_role.message
    assert no_role.root_cause is not None and no_role.root_cause.kind == "task-role"


@pytest.mark.asyncio
async def test_efs_groups_acls_and_dns_servers_on_moto(boto3_client: Boto3Factory) -> None:
    """Task egress without 2049, a mount target subnet whose NACL denies NFS, and a VPC whose
    DHCP option set names custom DNS servers, each against a healthy twin."""
    seed = EfsSeeder(boto3_client)
    vpc = seed.vpc("10.0.0.0/16")
    tasks_subnet = seed.zoned_subnet(vpc, "10.0.1.0/24", "us-east-1a")
    open_subnet = seed.zoned_subnet(vpc, "10.0.2.0/24", "us-east-1a")
    tasks = seed.group(vpc, "tasks")
    https_only = seed.group(vpc, "https-only", egress=False)
    seed.ec2.authorize_security_group_egress(
        GroupId=https_only,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    efs_sg = seed.group(vpc, "efs", egress=False)
    seed.nfs_ingress(efs_sg, tasks)
    seed.nfs_ingress(efs_sg, https_only)
    # A file system whose only mount target sits in a subnet behind a NACL denying NFS in.
    guarded_subnet = seed.zoned_subnet(vpc, "10.0.3.0/24", "us-east-1b")
    guarded_fs = seed.file_system((guarded_subnet, efs_sg))
    acl = seed.ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for egress in (False, True):
        seed.ec2.create_network_acl_entry(
            NetworkAclId=acl,
            RuleNumber=100,
            Protocol="-1",
            RuleAction="allow",
            Egress=egress,
            CidrBlock="0.0.0.0/0",
        )
    seed.ec2.create_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=90,
        Protocol="6",
        RuleAction="deny",
        Egress=False,
        CidrBlock="0.0.0.0/0",
        PortRange={"From": 2049, "To": 2049},
    )
    association = next(
        a["NetworkAclAssociationId"]
        for entry in seed.ec2.describe_network_acls(
            Filters=[{"Name": "association.subnet-id", "Values": [guarded_subnet]}]
        )["NetworkAcls"]
        for a in entry["Associations"]
        if a["SubnetId"] == guarded_subnet
    )
    seed.ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)
    # The same layout without the NACL: the mount target in another subnet of the task's AZ.
    open_fs = seed.file_system((open_subnet, efs_sg))
    guarded_b_task_subnet = seed.zoned_subnet(vpc, "10.0.4.0/24", "us-east-1b")

    open_definition = seed.register(volumes=volume(open_fs))
    guarded_definition = seed.register(volumes=volume(guarded_fs))
    expected = {
        seed.run(open_definition, tasks_subnet, tasks): Status.PASS,
        seed.run(open_definition, tasks_subnet, https_only): Status.FAIL,
        seed.run(guarded_definition, guarded_b_task_subnet, tasks): Status.FAIL,
    }
    # Custom DNS servers in a second VPC: the DNS hop cannot be proven.
    other = seed.vpc("10.9.0.0/16")
    other_subnet = seed.zoned_subnet(other, "10.9.1.0/24", "us-east-1a")
    other_tasks = seed.group(other, "tasks")
    other_efs = seed.group(other, "efs", egress=False)
    seed.nfs_ingress(other_efs, other_tasks)
    dhcp = seed.ec2.create_dhcp_options(
        DhcpConfigurations=[{"Key": "domain-name-servers", "Values": ["10.9.0.10"]}]
    )["DhcpOptions"]["DhcpOptionsId"]
    seed.ec2.associate_dhcp_options(DhcpOptionsId=dhcp, VpcId=other)
    custom_dns = seed.register(volumes=volume(seed.file_system((other_subnet, other_efs))))
    expected[seed.run(custom_dns, other_subnet, other_tasks)] = Status.UNKNOWN

    inventory = await collect_inventory()
    results = {r.resource_id: r for r in efs_mount_path.evaluate(inventory)}
    assert {arn: r.status for arn, r in results.items()} == expected
    causes = {arn: r.root_cause.kind for arn, r in results.items() if r.root_cause is not None}
    assert sorted(causes.values()) == ["dhcp-dns", "network-acl", "security-group-egress"]
    guarded = next(
        r for r in results.values() if r.root_cause and r.root_cause.kind == "network-acl"
    )
    assert guarded.root_cause is not None and guarded.root_cause.resource_id == acl


@pytest.mark.asyncio
async def test_firelens_endpoints_and_config_files_on_moto(boto3_client: Boto3Factory) -> None:
    seed = EfsSeeder(boto3_client)
    vpc = seed.vpc("10.0.0.0/16")
    table = seed.ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    subnet = seed.zoned_subnet(vpc, "10.0.1.0/24", "us-east-1a")
    seed.ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    tasks = seed.group(vpc, "tasks")
    endpoints = seed.group(vpc, "endpoints")
    seed.ec2.authorize_security_group_ingress(
        GroupId=endpoints,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "UserIdGroupPairs": [{"GroupId": tasks}],
            }
        ],
    )
    seed.ec2.create_vpc_endpoint(
        VpcId=vpc,
        VpcEndpointType="Interface",
        ServiceName=f"com.amazonaws.{REGION}.kinesis-firehose",
        SubnetIds=[subnet],
        SecurityGroupIds=[endpoints],
        PrivateDnsEnabled=True,
    )
    seed.ec2.create_vpc_endpoint(
        VpcId=vpc,
        VpcEndpointType="Gateway",
        ServiceName=f"com.amazonaws.{REGION}.s3",
        RouteTableIds=[table],
    )
    firehose = {"Name": "kinesis_firehose", "region": REGION, "delivery_stream": "logs"}
    with_config = firelens_containers(firehose)
    with_config[1]["firelensConfiguration"]["options"] = {
        "config-file-type": "file",
        "config-file-value": "/fluent-bit/etc/extra.conf",
    }
    definitions = {
        "firehose": seed.register(containers=firelens_containers(firehose), taskRoleArn=TASK_ROLE),
        "s3": seed.register(
            containers=firelens_containers({"Name": "s3", "bucket": "logs", "region": REGION}),
            taskRoleArn=TASK_ROLE,
        ),
        "kinesis": seed.register(
            containers=firelens_containers({"Name": "kinesis_streams", "region": REGION}),
            taskRoleArn=TASK_ROLE,
        ),
        "config": seed.register(containers=with_config, taskRoleArn=TASK_ROLE),
    }
    expected = {
        seed.run(definitions["firehose"], subnet, tasks): Status.PASS,
        seed.run(definitions["s3"], subnet, tasks): Status.PASS,
        seed.run(definitions["kinesis"], subnet, tasks): Status.FAIL,
        seed.run(definitions["config"], subnet, tasks): Status.UNKNOWN,
    }
    inventory = await collect_inventory()
    results = {r.resource_id: r for r in firelens_delivery.evaluate(inventory)}
    assert {arn: r.status for arn, r in results.items()} == expected
    messages = " ".join(r.message for r in results.values())
    assert "kinesis-firehose endpoint" in messages
    assert "s3 gateway endpoint" in messages
    assert "custom configuration file (file /fluent-bit/etc/extra.conf)" in messages
