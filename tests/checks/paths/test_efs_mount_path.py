"""efs-mount-path over hand-built inventories, one condition at a time."""

from __future__ import annotations

from typing import Any

from checks.base import Result, Status
from checks.paths import efs_mount_path
from tests.checks.checks_factories import (
    InventoryEstate,
    acl_entry,
    efs_volume,
    first_failing_step,
    https_from_group,
    nfs_from_group,
    only,
)

TASK_ROLE = "arn:aws:iam::123456789012:role/app"


def efs_result(estate: InventoryEstate) -> Result:
    return only(list(efs_mount_path.evaluate(estate.inventory())))


def efs_task(estate: InventoryEstate, *volumes: dict[str, Any], **definition: Any) -> str:
    chosen = volumes or (efs_volume(),)
    return estate.task(definition=estate.task_definition(volumes=chosen, **definition)).task_arn


def test_healthy_efs_volume_passes() -> None:
    estate = InventoryEstate()
    estate.efs_estate()
    arn = efs_task(estate)
    result = efs_result(estate)
    assert (result.resource_id, result.status) == (arn, Status.PASS)
    assert "mount target fsmt-" in result.message
    assert result.evidence["availability_zone"] == "us-east-1a"


def test_tasks_without_efs_volumes_are_out_of_scope() -> None:
    estate = InventoryEstate()
    estate.efs_estate()
    estate.task()
    assert list(efs_mount_path.evaluate(estate.inventory())) == []


def test_mount_target_only_in_another_zone_fails_naming_the_zone() -> None:
    estate = InventoryEstate()
    estate.private_vpc()
    estate.subnet(subnet_id="subnet-b", cidr="10.0.2.0/24", zone="us-east-1b")
    estate.security_group(group_id="sg-efs", ingress=[nfs_from_group("sg-task")], egress=[])
    estate.file_system()
    estate.mount_target(subnet_id="subnet-b", zone="us-east-1b", ip="10.0.2.50")
    efs_task(estate)
    result = efs_result(estate)
    assert result.status is Status.FAIL
    assert "no mount target in us-east-1a, the task's Availability Zone" in result.message
    assert "only in us-east-1b" in result.message
    assert "fix: create a mount target in the task's Availability Zone." in result.message
    assert first_failing_step(result) == "mount-target"
    assert result.root_cause is not None
    assert (result.root_cause.kind, result.root_cause.resource_id) == ("mount-target", "fs-1")


def test_mount_target_not_available_fails() -> None:
    estate = InventoryEstate()
    estate.private_vpc()
    estate.security_group(group_id="sg-efs", ingress=[nfs_from_group("sg-task")], egress=[])
    estate.file_system()
    estate.mount_target(state="deleting")
    efs_task(estate)
    result = efs_result(estate)
    assert result.status is Status.FAIL
    assert "is deleting" in result.message


def test_one_zone_file_system_in_another_zone_fails() -> None:
    estate = InventoryEstate()
    estate.private_vpc()
    estate.file_system(one_zone="us-east-1b")
    estate.mount_target(zone="us-east-1b", subnet_id="subnet-b")
    efs_task(estate)
    result = efs_result(estate)
    assert result.status is Status.FAIL
    assert "lives in us-east-1b, not in us-east-1a" in result.message
    assert first_failing_step(result) == "file-system-zone"


def test_mount_target_group_without_nfs_ingress_fails() -> None:
    estate = InventoryEstate()
    estate.efs_estate(mount_target_ingress=False)
    efs_task(estate)
    result = efs_result(estate)
    assert result.status is Status.FAIL
    assert "no ingress rule of sg-efs allows TCP 2049" in result.message
    assert result.message.endswith(
        "fix: allow TCP 2049 from the task's security group on the mount target's security group."
    )
    assert first_failing_step(result) == "mount-target-security-group-ingress"


def test_https_only_ingress_is_not_nfs() -> None:
    estate = InventoryEstate()
    estate.private_vpc()
    estate.security_group(group_id="sg-efs", ingress=[https_from_group("sg-task")], egress=[])
    estate.file_system()
    estate.mount_target()
    efs_task(estate)
    assert efs_result(estate).status is Status.FAIL


def test_task_group_without_nfs_egress_fails() -> None:
    estate = InventoryEstate()
    estate.vpc()
    estate.subnet()
    estate.security_group(egress=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}])
    estate.security_group(group_id="sg-efs", ingress=[nfs_from_group("sg-task")], egress=[])
    estate.file_system()
    estate.mount_target()
    efs_task(estate)
    result = efs_result(estate)
    assert result.status is Status.FAIL
    assert first_failing_step(result) == "security-group-egress"


def test_legacy_platform_fails() -> None:
    estate = InventoryEstate()
    estate.efs_estate()
    definition = estate.task_definition(volumes=[efs_volume()])
    estate.task(definition=definition, platform_version="1.3.0")
    result = efs_result(estate)
    assert result.status is Status.FAIL
    assert "does not support EFS volumes" in result.message


def test_dns_support_off_fails() -> None:
    estate = InventoryEstate()
    estate.efs_estate()
    estate.records["vpcs"][0].enable_dns_support = False
    efs_task(estate)
    result = efs_result(estate)
    assert result.status is Status.FAIL
    assert "enableDnsSupport=false" in result.message


def test_custom_dns_servers_make_it_unknown() -> None:
    estate = InventoryEstate()
    estate.efs_estate()
    estate.dhcp_options(servers=["10.0.0.2"])
    efs_task(estate)
    result = efs_result(estate)
    assert result.status is Status.UNKNOWN
    assert "custom DNS servers" in result.message


def test_iam_authorization_without_task_role_fails_and_with_one_passes() -> None:
    estate = InventoryEstate()
    estate.efs_estate()
    without = efs_task(estate, efs_volume(iam=True))
    with_role = efs_task(estate, efs_volume(iam=True), family="api", task_role=TASK_ROLE)
    results = {r.resource_id: r for r in efs_mount_path.evaluate(estate.inventory())}
    assert results[without].status is Status.FAIL
    assert "no task role" in results[without].message
    assert results[with_role].status is Status.PASS


def test_missing_access_point_fails() -> None:
    estate = InventoryEstate()
    estate.efs_estate()
    estate.access_point(access_point_id="fsap-1")
    good = efs_task(estate, efs_volume(access_point="fsap-1"))
    gone = efs_task(estate, efs_volume(access_point="fsap-gone"), family="api")
    results = {r.resource_id: r for r in efs_mount_path.evaluate(estate.inventory())}
    assert results[good].status is Status.PASS
    assert results[gone].status is Status.FAIL
    assert "access point fsap-gone does not exist" in results[gone].message


def test_access_points_not_collected_is_unknown_only_where_named() -> None:
    estate = InventoryEstate()
    estate.efs_estate()
    plain = efs_task(estate)
    named = efs_task(estate, efs_volume(access_point="fsap-1"), family="api")
    estate.fail("efs.access_points")
    results = {r.resource_id: r.status for r in efs_mount_path.evaluate(estate.inventory())}
    assert results == {plain: Status.PASS, named: Status.UNKNOWN}


def test_file_system_not_found_is_unknown() -> None:
    estate = InventoryEstate()
    estate.efs_estate()
    efs_task(estate, efs_volume("fs-elsewhere"))
    result = efs_result(estate)
    assert result.status is Status.UNKNOWN
    assert "owned by another account" in result.message


def test_mount_target_interface_missing_is_unknown() -> None:
    estate = InventoryEstate()
    estate.private_vpc()
    estate.file_system()
    estate.mount_target(eni=False)
    efs_task(estate)
    result = efs_result(estate)
    assert result.status is Status.UNKNOWN
    assert "security groups are unknown" in result.message


def test_mount_target_in_another_vpc_is_unknown() -> None:
    estate = InventoryEstate()
    estate.private_vpc()
    estate.security_group(group_id="sg-efs", ingress=[nfs_from_group("sg-task")], egress=[])
    estate.file_system()
    estate.mount_target(vpc_id="vpc-2", subnet_id="subnet-x")
    efs_task(estate)
    assert efs_result(estate).status is Status.UNKNOWN


def test_efs_collectors_denied_make_it_unknown() -> None:
    estate = InventoryEstate()
    estate.efs_estate()
    arn = efs_task(estate)
    estate.fail("efs.mount_targets")
    result = efs_result(estate)
    assert (result.resource_id, result.status) == (arn, Status.UNKNOWN)
    assert "efs.mount_targets" in result.message


def test_one_failing_volume_of_two_fails_the_task() -> None:
    estate = InventoryEstate()
    estate.efs_estate()
    estate.file_system(file_system_id="fs-2")
    efs_task(estate, efs_volume(), efs_volume("fs-2", name="cache"))
    result = efs_result(estate)
    assert result.status is Status.FAIL
    assert "EFS volume cache" in result.message


ALLOW_ALL = [acl_entry(100, "allow", egress=False), acl_entry(100, "allow", egress=True)]


def _two_subnet_estate(mount_target_acl: list[dict[str, Any]]) -> InventoryEstate:
    """The task in subnet-1, the mount target in subnet-2 (same AZ), with ACLs on both."""
    estate = InventoryEstate()
    estate.private_vpc()
    estate.subnet(subnet_id="subnet-2", cidr="10.0.2.0/24")
    estate.security_group(group_id="sg-efs", ingress=[nfs_from_group("sg-task")], egress=[])
    estate.file_system()
    estate.mount_target(subnet_id="subnet-2", ip="10.0.2.50")
    estate.network_acl(acl_id="acl-task", subnets=["subnet-1"], entries=ALLOW_ALL)
    estate.network_acl(acl_id="acl-efs", subnets=["subnet-2"], entries=mount_target_acl)
    efs_task(estate)
    return estate


def test_network_acls_allowing_nfs_pass() -> None:
    result = efs_result(_two_subnet_estate(ALLOW_ALL))
    assert result.status is Status.PASS
    steps = [hop["step"] for hop in result.evidence["sources"][0]["legs"][0]["paths"][0]["hops"]]
    assert steps.count("network-acl") == 4


def test_mount_target_acl_denying_nfs_fails() -> None:
    estate = _two_subnet_estate(
        [acl_entry(90, "deny", egress=False, protocol="6", ports=(2049, 2049)), *ALLOW_ALL]
    )
    result = efs_result(estate)
    assert result.status is Status.FAIL
    assert "network ACL acl-efs of mount target subnet subnet-2" in result.message
    assert result.root_cause is not None
    assert (result.root_cause.kind, result.root_cause.resource_id) == ("network-acl", "acl-efs")


def test_mount_target_acl_without_replies_fails() -> None:
    estate = _two_subnet_estate(
        [
            acl_entry(100, "allow", egress=False),
            acl_entry(100, "allow", egress=True, protocol="6", ports=(443, 443)),
        ]
    )
    assert efs_result(estate).status is Status.FAIL


def test_network_acls_do_not_apply_inside_one_subnet() -> None:
    estate = InventoryEstate()
    estate.efs_estate()
    estate.network_acl(entries=[])  # only the closing deny rules, on subnet-1
    efs_task(estate)
    assert efs_result(estate).status is Status.PASS


def test_network_acls_not_collected_make_only_the_two_subnet_case_unknown() -> None:
    estate = _two_subnet_estate(ALLOW_ALL)
    same_subnet = efs_task(estate, efs_volume("fs-2"), family="api")
    estate.file_system(file_system_id="fs-2")
    estate.mount_target(file_system_id="fs-2")
    estate.fail("ec2.network_acls")
    results = {r.resource_id: r for r in efs_mount_path.evaluate(estate.inventory())}
    assert results[same_subnet].status is Status.PASS
    (other,) = (r for arn, r in results.items() if arn != same_subnet)
    assert other.status is Status.UNKNOWN
    assert "network ACLs were not collected" in other.message


def test_ipv6_only_subnet_is_unknown() -> None:
    estate = InventoryEstate()
    estate.vpc(ipv6_cidrs=["2600:1f18::/56"])
    estate.subnet(cidr=None, ipv6_cidrs=["2600:1f18::/64"], ipv6_native=True)
    estate.route_table(subnets=["subnet-1"])
    estate.security_group()
    estate.security_group(group_id="sg-efs", ingress=[nfs_from_group("sg-task")], egress=[])
    estate.file_system()
    estate.mount_target()
    efs_task(estate)
    result = efs_result(estate)
    assert result.status is Status.UNKNOWN
    assert "IPv6-only" in result.message


def test_two_failing_volumes_get_both_fixes() -> None:
    estate = InventoryEstate()
    estate.efs_estate(mount_target_ingress=False)
    estate.file_system(file_system_id="fs-2", one_zone="us-east-1b")
    efs_task(estate, efs_volume(), efs_volume("fs-2", name="cache"))
    message = efs_result(estate).message
    assert "allow TCP 2049 from the task's security group" in message
    assert "run the tasks in the One Zone file system's Availability Zone" in message
