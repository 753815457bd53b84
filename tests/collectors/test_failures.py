"""Denied and failed calls become outcomes with no records; dependents are skipped, not guessed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from auditor.store.resources import (
    Ec2NetworkInterface,
    EcsAccountSetting,
    EcsService,
    EcsTask,
    EcsTaskDefinition,
    Elbv2TargetGroup,
    IamRole,
)
from auditor.store.scans import OutcomeStatus
from collectors.errors import classify
from collectors.run import collect_account
from tests.collectors.collectors_estate import ACCOUNT_ID, REGION, open_moto_account, seed_estate
from tests.enforcing import enforcing_moto_server, restricted_user

DENIED_ACTIONS = [
    "ec2:DescribeNetworkInterfaces",
    "ecs:ListAccountSettings",
    "ecs:DescribeServices",
    "iam:GetRole",
]


@pytest.fixture
def enforcing_moto() -> Iterator[str]:
    with enforcing_moto_server() as url:
        yield url


@pytest.mark.asyncio
async def test_denied_calls_are_recorded_and_contribute_no_records(
    enforcing_moto: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = restricted_user(enforcing_moto, DENIED_ACTIONS)
    for name, value in keys.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", enforcing_moto)

    def make(service: str, region: str = REGION) -> Any:
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=enforcing_moto,
            aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
        )

    seed_estate(make)
    account = await open_moto_account()
    collected = await collect_account(account, [REGION], concurrency=4)
    outcomes = {o.collector: o for o in collected.outcomes}

    failed = {
        name: (o.status, o.error_code, o.optional)
        for name, o in outcomes.items()
        if o.status != OutcomeStatus.OK
    }
    assert failed == {
        "ec2.network_interfaces": (OutcomeStatus.DENIED, "AccessDenied", False),
        "ecs.account_settings": (OutcomeStatus.DENIED, "403", False),
        "ecs.services": (OutcomeStatus.DENIED, "403", False),
        "iam.service_linked_role": (OutcomeStatus.DENIED, "AccessDenied", False),
        "ecs.task_definitions": (OutcomeStatus.ERROR, None, False),
        "elbv2.target_groups": (OutcomeStatus.ERROR, None, False),
        "cloudtrail.dhcp_associations": (OutcomeStatus.ERROR, "500", True),
        # Skipped down the chain that starts at the task definitions.
        "efs.file_systems": (OutcomeStatus.ERROR, None, False),
        "efs.mount_targets": (OutcomeStatus.ERROR, None, False),
        "efs.access_points": (OutcomeStatus.ERROR, None, False),
        # No route leads to a Network Firewall endpoint: not needed, not failed.
        "network_firewall.firewalls": (OutcomeStatus.NOT_NEEDED, None, False),
        "network_firewall.firewall_policies": (OutcomeStatus.NOT_NEEDED, None, False),
        "network_firewall.rule_groups": (OutcomeStatus.NOT_NEEDED, None, False),
    }
    assert outcomes["ecs.task_definitions"].error == "skipped: needs ecs.services"
    assert outcomes["elbv2.target_groups"].error == "skipped: needs ecs.services"
    assert outcomes["efs.file_systems"].error == "skipped: needs ecs.task_definitions"
    assert outcomes["ec2.network_interfaces"].error is not None
    assert "DescribeNetworkInterfaces" in outcomes["ec2.network_interfaces"].error
    assert "\n" not in "".join(o.error or "" for o in collected.outcomes)
    kinds = {type(r) for r in collected.records}
    for kind in (
        Ec2NetworkInterface,
        EcsAccountSetting,
        EcsService,
        IamRole,
        EcsTaskDefinition,
        Elbv2TargetGroup,
    ):
        assert kind not in kinds
    # What was allowed was still collected.
    assert len([r for r in collected.records if isinstance(r, EcsTask)]) == 3
    assert all(r.account_id == ACCOUNT_ID for r in collected.records)


@pytest.mark.asyncio
async def test_cloudtrail_failure_is_optional_and_counted_with_its_retries(
    boto3_client: Any,
) -> None:
    account = await open_moto_account(max_attempts=3)
    collected = await collect_account(account, [REGION], concurrency=4)
    outcome = next(o for o in collected.outcomes if o.collector == "cloudtrail.dhcp_associations")
    assert (outcome.status, outcome.optional, outcome.error_code) == (
        OutcomeStatus.ERROR,
        True,
        "500",
    )
    assert outcome.error == "LookupEvents: 500: HTTP 500 with no AWS error document"
    # Every attempt is an HTTP request and is counted.
    assert collected.api_calls[(REGION, "cloudtrail", "LookupEvents")] == 3


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("AccessDenied", OutcomeStatus.DENIED),
        ("AccessDeniedException", OutcomeStatus.DENIED),
        ("UnauthorizedOperation", OutcomeStatus.DENIED),
        ("UnauthorizedAccess", OutcomeStatus.DENIED),
        ("AuthorizationError", OutcomeStatus.DENIED),
        ("403", OutcomeStatus.DENIED),
        ("ThrottlingException", OutcomeStatus.ERROR),
        ("InvalidParameterValue", OutcomeStatus.ERROR),
        ("ExpiredToken", OutcomeStatus.ERROR),
    ],
)
def test_classify_error_codes(code: str, status: OutcomeStatus) -> None:
    error = ClientError({"Error": {"Code": code, "Message": "line one\nline two"}}, "DescribeVpcs")
    failure = classify(error)
    assert (failure.status, failure.error_code) == (status, code)
    assert failure.error == f"DescribeVpcs: {code}: line one line two"
