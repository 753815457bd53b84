"""secrets-path: one endpoint per secret service, other regions, legacy platforms."""

from __future__ import annotations

from checks.base import Result, Status
from checks.paths import secrets_path
from tests.checks.checks_factories import (
    ACCOUNT,
    InventoryEstate,
    all_hops,
    https_to_cidr,
    only,
    statuses,
)

SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:db"


SECRET_EU = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:db"


PARAMETER = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/app/token"


def secrets(estate: InventoryEstate) -> list[Result]:
    return list(secrets_path.evaluate(estate.inventory()))


def test_each_secret_service_needs_its_own_endpoint(estate: InventoryEstate) -> None:
    estate.private_vpc()
    estate.endpoint_group()
    estate.endpoint("secretsmanager")
    task = estate.task(definition=estate.task_definition(secrets=[SECRET, PARAMETER]))
    (result,) = secrets(estate)
    assert statuses([result]) == {("secrets-path", task.task_arn, Status.FAIL)}
    assert "ssm in us-east-1" in result.message
    assert "vpc-1 has no com.amazonaws.us-east-1.ssm interface endpoint" in result.message
    estate.endpoint("ssm")
    assert [r.status for r in secrets(estate)] == [Status.PASS]


def test_registry_credentials_count_as_a_secret(estate: InventoryEstate) -> None:
    estate.private_vpc()
    task = estate.task(
        definition=estate.task_definition(
            image="registry.example.com/app:1", repository_credentials=SECRET
        )
    )
    (result,) = secrets(estate)
    assert (result.resource_id, result.status) == (task.task_arn, Status.FAIL)
    assert "registry credentials" in result.message


def test_secret_in_another_region_needs_the_internet(estate: InventoryEstate) -> None:
    estate.private_vpc()
    estate.endpoint_group()
    estate.endpoint("secretsmanager")
    estate.task(definition=estate.task_definition(secrets=[SECRET_EU]))
    (result,) = secrets(estate)
    assert result.status is Status.FAIL
    assert "secretsmanager in eu-west-1" in result.message


def test_legacy_platform_secrets_skip_security_groups(estate: InventoryEstate) -> None:
    # On 1.3.0 the fetch leaves through the Fargate-owned ENI: the endpoint's groups do not
    # see the task's group, so a group rule cannot be what breaks the path.
    estate.private_vpc()
    estate.security_group(group_id="sg-endpoints", ingress=[], egress=[])
    estate.endpoint("secretsmanager")
    estate.task(definition=estate.task_definition(secrets=[SECRET]), platform_version="1.3.0")
    assert [r.status for r in secrets(estate)] == [Status.PASS]


def test_task_without_secrets_is_out_of_scope(estate: InventoryEstate) -> None:
    estate.private_vpc()
    estate.task()
    assert secrets(estate) == []


def test_legacy_platform_secrets_ignore_the_task_security_group_on_the_nat_path(
    estate: InventoryEstate,
) -> None:
    estate.nat_vpc()
    estate.records["security_groups"].clear()
    estate.security_group(egress=[https_to_cidr("10.0.0.0/16")])
    estate.task(definition=estate.task_definition(secrets=[SECRET]), platform_version="1.3.0")
    result = only(secrets_path.evaluate(estate.inventory()))
    assert result.status is Status.PASS
    assert not [h for h in all_hops(result) if h["step"] == "security-group-egress"]
    assert result.evidence["security_groups_checked"] is False
    assert "Fargate-owned ENI" in result.evidence["fargate_owned_eni"]


def test_platform_1_4_secrets_still_need_the_task_security_group(estate: InventoryEstate) -> None:
    estate.nat_vpc()
    estate.records["security_groups"].clear()
    estate.security_group(egress=[https_to_cidr("10.0.0.0/16")])
    estate.task(definition=estate.task_definition(secrets=[SECRET]), platform_version="1.4.0")
    assert only(secrets_path.evaluate(estate.inventory())).status is Status.FAIL
