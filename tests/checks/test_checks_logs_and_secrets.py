"""log-delivery-path and secrets-path: endpoint paths, other regions, legacy platforms."""

from __future__ import annotations

from checks_factories import ACCOUNT, Estate, https_from_group, statuses

from checks.base import Result, Status
from checks.paths import log_delivery_path, secrets_path

SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:db"
SECRET_EU = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:db"
PARAMETER = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/app/token"


def logs(estate: Estate) -> list[Result]:
    return list(log_delivery_path.evaluate(estate.inventory()))


def secrets(estate: Estate) -> list[Result]:
    return list(secrets_path.evaluate(estate.inventory()))


def endpoint_group(estate: Estate) -> None:
    estate.security_group(group_id="sg-endpoints", ingress=[https_from_group("sg-task")], egress=[])


def test_logs_endpoint_with_private_dns_passes(estate: Estate) -> None:
    estate.private_vpc()
    endpoint_group(estate)
    estate.endpoint("logs")
    task = estate.task(definition=estate.task_definition(awslogs=True))
    (result,) = logs(estate)
    assert statuses([result]) == {("log-delivery-path", task.task_arn, Status.PASS)}
    assert "via logs endpoint" in result.message


def test_logs_endpoint_that_is_pending_fails(estate: Estate) -> None:
    estate.private_vpc()
    endpoint_group(estate)
    estate.endpoint("logs", endpoint_id="vpce-logs", state="pendingAcceptance")
    estate.task(definition=estate.task_definition(awslogs=True))
    (result,) = logs(estate)
    assert result.status is Status.FAIL
    assert "endpoint vpce-logs (com.amazonaws.us-east-1.logs) is pendingAcceptance" in (
        result.message
    )


def test_log_group_in_another_region_ignores_local_endpoints(estate: Estate) -> None:
    estate.private_vpc()
    endpoint_group(estate)
    estate.endpoint("logs")
    estate.task(definition=estate.task_definition(awslogs=True, awslogs_region="eu-west-1"))
    (result,) = logs(estate)
    assert result.status is Status.FAIL
    assert "awslogs in eu-west-1" in result.message


def test_tasks_without_awslogs_are_out_of_scope(estate: Estate) -> None:
    estate.private_vpc()
    estate.task()
    assert logs(estate) == []


def test_each_secret_service_needs_its_own_endpoint(estate: Estate) -> None:
    estate.private_vpc()
    endpoint_group(estate)
    estate.endpoint("secretsmanager")
    task = estate.task(definition=estate.task_definition(secrets=[SECRET, PARAMETER]))
    (result,) = secrets(estate)
    assert statuses([result]) == {("secrets-path", task.task_arn, Status.FAIL)}
    assert "ssm in us-east-1" in result.message
    assert "vpc-1 has no com.amazonaws.us-east-1.ssm interface endpoint" in result.message
    estate.endpoint("ssm")
    assert [r.status for r in secrets(estate)] == [Status.PASS]


def test_registry_credentials_count_as_a_secret(estate: Estate) -> None:
    estate.private_vpc()
    task = estate.task(
        definition=estate.task_definition(
            image="registry.example.com/app:1", repository_credentials=SECRET
        )
    )
    (result,) = secrets(estate)
    assert (result.resource_id, result.status) == (task.task_arn, Status.FAIL)
    assert "registry credentials" in result.message


def test_secret_in_another_region_needs_the_internet(estate: Estate) -> None:
    estate.private_vpc()
    endpoint_group(estate)
    estate.endpoint("secretsmanager")
    estate.task(definition=estate.task_definition(secrets=[SECRET_EU]))
    (result,) = secrets(estate)
    assert result.status is Status.FAIL
    assert "secretsmanager in eu-west-1" in result.message


def test_legacy_platform_secrets_skip_security_groups(estate: Estate) -> None:
    # On 1.3.0 the fetch leaves through the Fargate-owned ENI: the endpoint's groups do not
    # see the task's group, so a group rule cannot be what breaks the path.
    estate.private_vpc()
    estate.security_group(group_id="sg-endpoints", ingress=[], egress=[])
    estate.endpoint("secretsmanager")
    estate.task(definition=estate.task_definition(secrets=[SECRET]), platform_version="1.3.0")
    assert [r.status for r in secrets(estate)] == [Status.PASS]


def test_task_without_secrets_is_out_of_scope(estate: Estate) -> None:
    estate.private_vpc()
    estate.task()
    assert secrets(estate) == []
