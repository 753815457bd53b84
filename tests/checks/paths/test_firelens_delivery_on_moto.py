"""firelens-delivery end to end on moto: seed FireLens tasks with boto3, collect, evaluate.

A FireLens task without a task role and its healthy twin, an isolated subnet, FireLens through
the firehose and S3 endpoints, a missing kinesis endpoint, an unmodelled output and a custom
config file.
"""

from __future__ import annotations

from typing import Any

import pytest

from checks.base import Status
from checks.paths import firelens_delivery
from tests.moto_seeding import (
    ECR_IMAGE,
    REGION,
    TASK_ROLE,
    Boto3Factory,
    Seeder,
    collect_inventory,
)


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
    seed = Seeder(boto3_client)
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
async def test_firelens_endpoints_and_config_files_on_moto(boto3_client: Boto3Factory) -> None:
    seed = Seeder(boto3_client)
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
