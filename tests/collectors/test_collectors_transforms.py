"""Transforms on literal AWS items, including shapes moto never returns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from collectors.cloudtrail.dhcp_associations import transform_event
from collectors.ec2.internet_gateways import transform_internet_gateway
from collectors.ec2.nat_gateways import transform_nat_gateway
from collectors.ec2.network_interfaces import transform_network_interface
from collectors.ec2.prefix_lists import transform_prefix_list
from collectors.ec2.route_tables import transform_route_table
from collectors.ec2.vpcs import transform_vpc
from collectors.ecs.account_settings import transform_account_setting
from collectors.ecs.services import transform_service
from collectors.ecs.task_definitions import transform_task_definition
from collectors.ecs.tasks import transform_task

ACCOUNT = "123456789012"
REGION = "eu-west-1"


def test_task_eni_comes_from_the_eni_attachment_not_index_0() -> None:
    started = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=9)))
    item = {
        "taskArn": "arn:aws:ecs:eu-west-1:123456789012:task/prod/abc",
        "clusterArn": "arn:aws:ecs:eu-west-1:123456789012:cluster/prod",
        "taskDefinitionArn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3",
        "lastStatus": "RUNNING",
        "desiredStatus": "RUNNING",
        "launchType": "",
        "capacityProviderName": "FARGATE_SPOT",
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "startedAt": started,
        "stopCode": "SomeFutureStopCode",
        "attachments": [
            {"id": "sc", "type": "ServiceConnect", "details": [{"name": "x", "value": "y"}]},
            {
                "id": "eni-attachment",
                "type": "ElasticNetworkInterface",
                "status": "ATTACHED",
                "details": [
                    {"name": "subnetId", "value": "subnet-1"},
                    {"name": "networkInterfaceId", "value": "eni-1"},
                    {"name": "macAddress", "value": "0a:00"},
                    {"name": "privateIPv4Address", "value": "10.0.1.7"},
                ],
            },
        ],
    }
    task = transform_task(item, ACCOUNT, REGION)
    assert (task.eni_id, task.subnet_id, task.private_ipv4) == ("eni-1", "subnet-1", "10.0.1.7")
    assert task.launch_type is None  # "" is not a value
    assert task.is_fargate
    assert task.started_at == datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    assert task.started_at.tzinfo is UTC
    assert task.created_at is None
    assert task.stop_code == "SomeFutureStopCode"
    assert task.raw["startedAt"] == "2026-03-01T03:00:00+00:00"
    assert task.raw["attachments"][0]["type"] == "ServiceConnect"


def test_task_without_eni_attachment_has_no_eni() -> None:
    item = {
        "taskArn": "arn:t",
        "clusterArn": "arn:c",
        "taskDefinitionArn": "arn:td",
        "attachments": [{"id": "x", "type": "eni", "details": []}],
    }
    task = transform_task(item, ACCOUNT, REGION)
    assert (task.eni_id, task.subnet_id, task.private_ipv4) == (None, None, None)


def test_task_missing_a_required_field_fails_loudly() -> None:
    with pytest.raises(KeyError):
        transform_task({"taskArn": "arn:t", "clusterArn": "arn:c"}, ACCOUNT, REGION)


def test_service_reads_awsvpc_capacity_providers_and_load_balancers() -> None:
    item = {
        "serviceArn": "arn:s",
        "serviceName": "web",
        "clusterArn": "arn:c",
        "status": "ACTIVE",
        "capacityProviderStrategy": [
            {"capacityProvider": "FARGATE_SPOT", "weight": 3},
            {"capacityProvider": "FARGATE", "base": 1},
        ],
        "platformVersion": "LATEST",
        "taskDefinition": "arn:td",
        "desiredCount": 2,
        "runningCount": 1,
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": ["subnet-1", "subnet-2"],
                "securityGroups": ["sg-1"],
                "assignPublicIp": "ENABLED",
            }
        },
        "loadBalancers": [
            {"targetGroupArn": "arn:tg", "containerName": "app", "containerPort": 80}
        ],
    }
    service = transform_service(item, ACCOUNT, REGION)
    assert service.capacity_providers == ["FARGATE_SPOT", "FARGATE"]
    assert service.is_fargate
    assert service.launch_type is None
    assert service.subnet_ids == ["subnet-1", "subnet-2"]
    assert service.security_group_ids == ["sg-1"]
    assert service.assign_public_ip == "ENABLED"
    assert service.load_balancers == item["loadBalancers"]


def test_service_without_network_configuration() -> None:
    service = transform_service(
        {"serviceArn": "arn:s", "serviceName": "web", "clusterArn": "arn:c"}, ACCOUNT, REGION
    )
    assert (service.subnet_ids, service.assign_public_ip, service.platform_version) == (
        [],
        None,
        None,
    )


def test_task_definition_fields() -> None:
    item = {
        "taskDefinitionArn": "arn:td:7",
        "family": "web",
        "revision": 7,
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "runtimePlatform": {"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"},
        "containerDefinitions": [{"name": "app", "image": "nginx", "secrets": []}],
    }
    definition = transform_task_definition(item, ACCOUNT, REGION)
    assert (definition.family, definition.revision, definition.os_family) == (
        "web",
        7,
        "WINDOWS_SERVER_2022_CORE",
    )
    assert definition.execution_role_arn is None
    assert definition.container_definitions == item["containerDefinitions"]


def test_account_setting_keeps_names_outside_the_model_enum() -> None:
    item = {
        "name": "dualStackIPv6",
        "value": "enabled",
        "principalArn": "arn:aws:iam::123456789012:root",
        "type": "user",
    }
    setting = transform_account_setting(item, ACCOUNT, REGION)
    assert (setting.name, setting.value, setting.principal_arn, setting.setting_type) == (
        "dualStackIPv6",
        "enabled",
        "arn:aws:iam::123456789012:root",
        "user",
    )


def test_regional_nat_gateway_has_no_subnet() -> None:
    item = {
        "NatGatewayId": "nat-1",
        "VpcId": "vpc-1",
        "State": "available",
        "ConnectivityType": "public",
        "AvailabilityMode": "regional",
        "RouteTableId": "rtb-1",
        "NatGatewayAddresses": [
            {"AllocationId": "eipalloc-1", "PublicIp": "3.3.3.3"},
            {"Status": "x"},
        ],
    }
    nat = transform_nat_gateway(item, ACCOUNT, REGION)
    assert (nat.subnet_id, nat.availability_mode, nat.public_ips) == (None, "regional", ["3.3.3.3"])


def test_network_interface_with_public_ip_owner_and_ipv6() -> None:
    item = {
        "NetworkInterfaceId": "eni-1",
        "SubnetId": "subnet-1",
        "VpcId": "vpc-1",
        "InterfaceType": "nat_gateway",
        "Status": "in-use",
        "PrivateIpAddress": "10.0.1.7",
        "Association": {"PublicIp": "54.1.2.3", "IpOwnerId": "amazon"},
        "Ipv6Addresses": [
            {"Ipv6Address": "2600:1f18::7", "IsPrimaryIpv6": True},
            {"Ipv6Address": "2600:1f18::8"},
        ],
        "Groups": [{"GroupId": "sg-1", "GroupName": "task"}],
        "RequesterManaged": True,
        "Description": "arn:aws:ecs:eu-west-1:123456789012:attachment/uuid",
    }
    eni = transform_network_interface(item, ACCOUNT, REGION)
    assert (eni.public_ip, eni.public_ip_owner) == ("54.1.2.3", "amazon")
    assert eni.ipv6_addresses == ["2600:1f18::7", "2600:1f18::8"]
    assert eni.interface_type == "nat_gateway"
    assert eni.security_group_ids == ["sg-1"]
    assert eni.requester_managed is True


def test_network_interface_without_association() -> None:
    eni = transform_network_interface({"NetworkInterfaceId": "eni-2"}, ACCOUNT, REGION)
    assert (eni.public_ip, eni.public_ip_owner, eni.ipv6_addresses, eni.requester_managed) == (
        None,
        None,
        [],
        False,
    )


def test_route_table_routes_and_associations_are_normalised() -> None:
    item = {
        "RouteTableId": "rtb-1",
        "VpcId": "vpc-1",
        "Routes": [
            {
                "DestinationCidrBlock": "10.0.0.0/16",
                "GatewayId": "local",
                "State": "active",
                "Origin": "CreateRouteTable",
            },
            {
                "DestinationCidrBlock": "0.0.0.0/0",
                "NatGatewayId": "nat-1",
                "State": "blackhole",
                "Origin": "CreateRoute",
            },
            {
                "DestinationIpv6CidrBlock": "::/0",
                "EgressOnlyInternetGatewayId": "eigw-1",
                "State": "active",
            },
            {"DestinationPrefixListId": "pl-1", "GatewayId": "vpce-1", "State": "active"},
            {
                "DestinationCidrBlock": "10.9.0.0/16",
                "InstanceId": "i-1",
                "NetworkInterfaceId": "eni-9",
                "State": "active",
            },
            {
                "DestinationCidrBlock": "10.8.0.0/16",
                "SomeFutureTargetId": "x-1",
                "State": "filtered",
            },
        ],
        "Associations": [
            {
                "Main": True,
                "RouteTableAssociationId": "a-1",
                "AssociationState": {"State": "associated"},
            },
            {"SubnetId": "subnet-1", "AssociationState": {"State": "disassociated"}},
            {"GatewayId": "igw-1", "AssociationState": {"State": "associated"}},
        ],
    }
    table = transform_route_table(item, ACCOUNT, REGION)
    assert [
        (r["destination"], r["family"], r["target_type"], r["target_id"], r["state"])
        for r in table.routes
    ] == [
        ("10.0.0.0/16", "ipv4", "gateway", "local", "active"),
        ("0.0.0.0/0", "ipv4", "nat-gateway", "nat-1", "blackhole"),
        ("::/0", "ipv6", "egress-only-internet-gateway", "eigw-1", "active"),
        ("pl-1", "prefix-list", "gateway", "vpce-1", "active"),
        ("10.9.0.0/16", "ipv4", "instance", "i-1", "active"),
        ("10.8.0.0/16", "ipv4", None, None, "filtered"),
    ]
    assert table.associations == [
        {"subnet_id": None, "gateway_id": None, "main": True, "state": "associated"},
        {"subnet_id": "subnet-1", "gateway_id": None, "main": False, "state": "disassociated"},
        {"subnet_id": None, "gateway_id": "igw-1", "main": False, "state": "associated"},
    ]


def test_vpc_ipv6_blocks_and_dns_attributes() -> None:
    item = {
        "VpcId": "vpc-1",
        "CidrBlock": "10.0.0.0/16",
        "DhcpOptionsId": "dopt-1",
        "IsDefault": False,
        "Ipv6CidrBlockAssociationSet": [
            {"Ipv6CidrBlock": "2600:1f18::/56", "Ipv6CidrBlockState": {"State": "associated"}},
            {"Ipv6CidrBlock": "2600:1f19::/56", "Ipv6CidrBlockState": {"State": "disassociated"}},
        ],
    }
    vpc = transform_vpc(
        item, {"enableDnsSupport": True, "enableDnsHostnames": False}, ACCOUNT, REGION
    )
    assert vpc.ipv6_cidr_blocks == ["2600:1f18::/56"]
    assert (vpc.enable_dns_support, vpc.enable_dns_hostnames) == (True, False)
    assert vpc.raw["Attributes"] == {"enableDnsSupport": True, "enableDnsHostnames": False}


def test_internet_gateway_attachment_state_kept_as_aws_says() -> None:
    igw = transform_internet_gateway(
        {"InternetGatewayId": "igw-1", "Attachments": [{"VpcId": "vpc-1", "State": "available"}]},
        ACCOUNT,
        REGION,
    )
    assert igw.attachments == [{"vpc_id": "vpc-1", "state": "available"}]


def test_prefix_list_cidrs_from_entries() -> None:
    prefix_list = transform_prefix_list(
        {
            "PrefixListId": "pl-1",
            "PrefixListName": "com.amazonaws.eu-west-1.s3",
            "AddressFamily": "IPv4",
        },
        [{"Cidr": "52.218.0.0/17"}, {"Cidr": "3.5.64.0/21", "Description": "x"}],
        ACCOUNT,
        REGION,
    )
    assert prefix_list.cidrs == ["52.218.0.0/17", "3.5.64.0/21"]
    assert prefix_list.raw["Entries"][1]["Description"] == "x"


def test_cloudtrail_event_parameters_come_from_the_event_document() -> None:
    document = (
        '{"eventName": "AssociateDhcpOptions", "errorCode": "Client.InvalidDhcpOptionsID.NotFound",'
        ' "errorMessage": "no such set",'
        ' "requestParameters": {"dhcpOptionsId": "dopt-9", "vpcId": "vpc-1"}}'
    )
    item = {
        "EventId": "e-1",
        "EventName": "AssociateDhcpOptions",
        "EventTime": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "CloudTrailEvent": document,
    }
    event = transform_event(item, ACCOUNT, REGION)
    assert (event.vpc_id, event.dhcp_options_id, event.error_code, event.details) == (
        "vpc-1",
        "dopt-9",
        "Client.InvalidDhcpOptionsID.NotFound",
        "no such set",
    )
    assert event.event_time == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_cloudtrail_event_with_unreadable_document() -> None:
    item = {
        "EventId": "e-2",
        "EventTime": datetime(2026, 1, 2, tzinfo=UTC),
        "CloudTrailEvent": "{not json",
    }
    event = transform_event(item, ACCOUNT, REGION)
    assert (event.vpc_id, event.dhcp_options_id, event.error_code) == (None, None, None)
