"""Account access: validation, caller vs assumed role, one-line errors, region names."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import boto3
import pytest
from aiobotocore.credentials import AioRefreshableCredentials
from botocore.exceptions import ClientError, NoCredentialsError

from auditor import aws, caller_prefetch
from auditor.aws import (
    AccountAccessError,
    _describe_access_failure,
    client_config,
    open_account,
)
from auditor.aws_calls import UnknownRegionError, validate_regions
from auditor.store.resources import EcsCluster
from collectors.run import collect_account
from tests.collectors.collectors_estate import ACCOUNT_ID, REGION, Boto3Factory, make_settings
from tests.loopback import loopback_sts

OTHER_ACCOUNT = "111111111111"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "account_id", ["12345678901", "1234567890123", "abcdefghijkl", "", "12345678901 "]
)
async def test_malformed_account_ids_are_refused_before_any_call(account_id: str) -> None:
    with pytest.raises(AccountAccessError, match="malformed account ID") as raised:
        await open_account(account_id, make_settings())
    assert "\n" not in str(raised.value)


@pytest.mark.asyncio
async def test_own_account_uses_current_credentials(boto3_client: Boto3Factory) -> None:
    account = await open_account(ACCOUNT_ID, make_settings())
    assert (account.account_id, account.access) == (ACCOUNT_ID, "current")
    assert account.calls == {(REGION, "sts", "GetCallerIdentity"): 1}


@pytest.mark.asyncio
async def test_assume_role_into_another_account_returns_its_data(
    boto3_client: Boto3Factory, moto: Any
) -> None:
    boto3_client("ecs").create_cluster(clusterName="caller-cluster")
    sts = boto3_client("sts")
    role = f"arn:aws:iam::{OTHER_ACCOUNT}:role/auditor-readonly"
    credentials = sts.assume_role(RoleArn=role, RoleSessionName="seed")["Credentials"]
    other_ecs = boto3.client(
        "ecs",
        region_name=REGION,
        endpoint_url=moto.url,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    theirs = other_ecs.create_cluster(clusterName="their-cluster")["cluster"]["clusterArn"]

    account = await open_account(OTHER_ACCOUNT, make_settings(external_id="shared-secret"))
    assert (account.account_id, account.access) == (OTHER_ACCOUNT, role)
    assert account.calls[(REGION, "sts", "AssumeRole")] == 1
    assert isinstance(await account.session.get_credentials(), AioRefreshableCredentials)

    collected = await collect_account(account, [REGION], concurrency=4)
    assert {
        (c.account_id, c.cluster_arn) for c in collected.records if isinstance(c, EcsCluster)
    } == {(OTHER_ACCOUNT, theirs)}


@pytest.mark.asyncio
async def test_missing_credentials_give_one_line(
    monkeypatch: pytest.MonkeyPatch, moto: Any
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(AccountAccessError, match=r"^no AWS credentials found"):
        await open_account(ACCOUNT_ID, make_settings())


@pytest.mark.asyncio
async def test_unknown_profile_gives_one_line(monkeypatch: pytest.MonkeyPatch, moto: Any) -> None:
    monkeypatch.setenv("AWS_PROFILE", "nope")
    with pytest.raises(AccountAccessError, match="AWS profile"):
        await open_account(ACCOUNT_ID, make_settings())


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (NoCredentialsError(), "no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID)"),
        (
            ClientError({"Error": {"Code": "ExpiredToken", "Message": "x"}}, "GetCallerIdentity"),
            "AWS credentials have expired (ExpiredToken); refresh them and retry",
        ),
        (
            ClientError(
                {"Error": {"Code": "InvalidClientTokenId", "Message": "x"}}, "GetCallerIdentity"
            ),
            "AWS credentials were rejected (InvalidClientTokenId); check the access key",
        ),
        (
            ClientError(
                {"Error": {"Code": "AccessDenied", "Message": "not\nallowed"}}, "AssumeRole"
            ),
            "sts:AssumeRole into arn:r failed: AccessDenied: not allowed",
        ),
    ],
)
def test_access_failures_read_as_one_line(error: Exception, expected: str) -> None:
    assert _describe_access_failure(error, "sts:AssumeRole into arn:r") == expected


def test_known_regions_pass_and_unknown_ones_are_named() -> None:
    validate_regions(["us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1"])
    with pytest.raises(UnknownRegionError, match=r"^unknown AWS region\(s\): mars-1, us-east-9$"):
        validate_regions(["us-east-1", "us-east-9", "mars-1"])


def test_client_config_is_the_single_retry_layer() -> None:
    config = client_config(make_settings(max_attempts=7, concurrency=5))
    assert vars(config)["retries"] == {"mode": "standard", "total_max_attempts": 7}
    assert vars(config)["max_pool_connections"] == 5
    assert vars(config)["user_agent_extra"].startswith("auditor/")


@pytest.mark.asyncio
async def test_assumed_credentials_refresh_when_they_near_expiry(
    boto3_client: Boto3Factory,
) -> None:
    from datetime import UTC, datetime, timedelta

    account = await open_account(OTHER_ACCOUNT, make_settings())
    credentials = await account.session.get_credentials()
    first = await credentials.get_frozen_credentials()
    assert account.calls[(REGION, "sts", "AssumeRole")] == 1
    # Pretend the clock is 5 minutes before the expiry: inside botocore's mandatory refresh
    # window, so the next use must assume the role again.
    credentials._time_fetcher = lambda: datetime.now(UTC) + timedelta(minutes=55)
    second = await credentials.get_frozen_credentials()
    assert account.calls[(REGION, "sts", "AssumeRole")] == 2
    assert second.access_key != first.access_key


_IDENTITY = (
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    "<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/t</Arn>"
    "<UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
    "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
)


def test_prefetch_returns_once_its_request_left_and_the_caller_takes_the_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The main thread waits for the request to be sent (not for the answer), so the thread
    sending it is not starved of the interpreter lock by the imports that follow."""
    arrived, release = threading.Event(), threading.Event()

    def withhold(_: bytes) -> tuple[int, str]:
        arrived.set()
        release.wait(30)
        return 200, _IDENTITY

    monkeypatch.setattr(caller_prefetch, "PREFETCH_SEND_WAIT_SECONDS", 60.0)
    settings = make_settings()
    with loopback_sts(withhold) as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        try:
            sent = caller_prefetch.prefetch_caller(settings)
            assert sent.is_set()  # returned because the request left, not because time ran out
            assert arrived.wait(30)
            (prefetched,) = [f for owner, f in caller_prefetch._prefetched if owner is settings]
            assert not prefetched.done()  # the answer is still withheld: nobody waited for it
            release.set()
            caller = aws.Caller(settings)
            counter = aws.CallCounter()
            assert asyncio.run(caller.account_id(counter)) == ACCOUNT_ID
            assert counter == {(REGION, "sts", "GetCallerIdentity"): 1}  # counted, asked once
        finally:
            release.set()
