"""What does not depend on the account is built once per process: the service-model loader,
the client classes, the TLS context and the caller's identity; clients are opened once per
account, region and service."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.aws import Caller, open_account, shared_connections, shared_loader
from collectors.registry import account_wide, regional
from collectors.run import collect_account
from tests.collectors.collectors_estate import ACCOUNT_ID, REGION, Boto3Factory, make_settings

OTHER_ACCOUNT = "111111111111"
SECOND_REGION = "eu-west-1"


def _tls_context(client: Any) -> Any:
    """The TLS context of the connector a client's requests went through."""
    http_session = client._endpoint.http_session
    (aiohttp_session,) = http_session._sessions.values()
    return aiohttp_session.connector._ssl


@pytest.mark.asyncio
async def test_accounts_of_one_run_share_the_caller_loader_and_classes(
    boto3_client: Boto3Factory,
) -> None:
    settings = make_settings()
    caller = Caller(settings)
    own = await open_account(ACCOUNT_ID, settings, caller=caller)
    other = await open_account(OTHER_ACCOUNT, settings, caller=caller)
    # The caller's identity is asked once for the run, by the first account opened.
    assert own.calls[(REGION, "sts", "GetCallerIdentity")] == 1
    assert (REGION, "sts", "GetCallerIdentity") not in other.calls
    assert other.calls[(REGION, "sts", "AssumeRole")] == 1
    assert own.session is not other.session
    for session in (own.session, other.session):
        assert session.get_component("data_loader") is shared_loader()

    async with own.client("ec2", REGION) as mine, other.client("ec2", REGION) as theirs:
        await mine.describe_vpcs()
        await theirs.describe_vpcs()
        assert type(mine) is type(theirs)
        assert mine.meta.service_model is theirs.meta.service_model
        assert mine.meta.events._alias_name_cache is theirs.meta.events._alias_name_cache
        assert "before-send.ec2.DescribeVpcs" in mine.meta.events._alias_name_cache
        assert _tls_context(mine) is _tls_context(theirs)
    # Credentials stay each account's own: the other account sees its own default VPC.
    async with other.client("sts", REGION) as sts:
        assert (await sts.get_caller_identity())["Account"] == OTHER_ACCOUNT


@pytest.mark.asyncio
async def test_one_client_per_account_region_and_service(boto3_client: Boto3Factory) -> None:
    account = await open_account(ACCOUNT_ID, make_settings())
    await collect_account(account, [REGION, SECOND_REGION], concurrency=4)
    # Opened on first use: once for every region and service that sent a request, none for
    # the others (this empty account has no firewall to describe, no file system).
    used = {(region, service) for region, service, _ in account.calls if service != "sts"}
    assert set(account.clients_opened) == used
    assert set(account.clients_opened.values()) == {1}
    services = {c.service for c in (*regional(), *account_wide())}
    assert {service for _, service in used} < services
    assert ("global", "iam") in used and (SECOND_REGION, "ec2") in used


def _connector(client: Any) -> Any:
    (aiohttp_session,) = client._endpoint.http_session._sessions.values()
    return aiohttp_session.connector


@pytest.mark.asyncio
async def test_clients_of_a_run_share_one_connection_pool(boto3_client: Boto3Factory) -> None:
    settings = make_settings()
    caller = Caller(settings)
    own = await open_account(ACCOUNT_ID, settings, caller=caller)
    other = await open_account(OTHER_ACCOUNT, settings, caller=caller)
    async with shared_connections():
        async with own.client("ec2", REGION) as mine, other.client("ecs", SECOND_REGION) as theirs:
            await mine.describe_vpcs()
            await theirs.list_clusters()
            pool = _connector(mine)
            assert _connector(theirs) is pool and pool.limit == 0  # bounded per account
        # Closing a client leaves the run's pool open for the clients after it.
        async with own.client("ec2", SECOND_REGION) as later:
            await later.describe_vpcs()
            assert _connector(later) is pool and not pool.closed
    assert pool.closed
    # Outside a run, a client keeps a pool of its own, closed with it.
    async with own.client("ec2", REGION) as alone:
        await alone.describe_vpcs()
        own_pool = _connector(alone)
        assert own_pool is not pool and own_pool.limit == settings.concurrency
    assert own_pool.closed
