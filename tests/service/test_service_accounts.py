"""Which accounts a run scans: configured IDs, Organizations' ACTIVE accounts, excludes."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.accounts import AccountResolutionError, resolve_accounts
from auditor.config import AccountsSettings, Settings

MANAGEMENT = "123456789012"


def _settings(**accounts: Any) -> Settings:
    return Settings(accounts=AccountsSettings(**accounts), max_attempts=1)


def _organization(boto3_client: Any, members: int, closed: int = 0) -> list[str]:
    """An organization with ``members`` new accounts, the last ``closed`` of them closed."""
    organizations = boto3_client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    created = []
    for number in range(members):
        status = organizations.create_account(
            AccountName=f"member-{number}", Email=f"member-{number}@example.com"
        )["CreateAccountStatus"]
        created.append(status["AccountId"])
    for account_id in created[members - closed :]:
        organizations.close_account(AccountId=account_id)
    return created


@pytest.mark.asyncio
async def test_organization_lists_only_active_accounts(boto3_client: Any) -> None:
    members = _organization(boto3_client, members=3, closed=1)
    accounts = await resolve_accounts(_settings(organization=True))
    assert set(accounts) == {MANAGEMENT, members[0], members[1]}
    assert accounts == sorted(accounts)


@pytest.mark.asyncio
async def test_configured_ids_come_first_and_excludes_win(boto3_client: Any) -> None:
    members = _organization(boto3_client, members=2)
    accounts = await resolve_accounts(
        _settings(ids=["111111111111", members[0]], organization=True, exclude=[MANAGEMENT])
    )
    assert accounts == ["111111111111", members[0], members[1]]


@pytest.mark.asyncio
async def test_nothing_configured_means_the_callers_account(boto3_client: Any) -> None:
    assert await resolve_accounts(_settings()) == [MANAGEMENT]


@pytest.mark.asyncio
async def test_ids_without_organization_make_no_aws_call(monkeypatch: pytest.MonkeyPatch) -> None:
    # No moto server at all: an AWS call would fail, so none may happen.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    assert await resolve_accounts(_settings(ids=["222222222222", "111111111111"])) == [
        "222222222222",
        "111111111111",
    ]


@pytest.mark.asyncio
async def test_no_organization_is_an_error_not_an_empty_list(boto3_client: Any) -> None:
    with pytest.raises(AccountResolutionError) as caught:
        await resolve_accounts(_settings(organization=True))
    assert str(caught.value) == "AWS Organizations listed no ACTIVE account"


@pytest.mark.asyncio
async def test_failed_organizations_call_is_one_line_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    with pytest.raises(AccountResolutionError) as caught:
        await resolve_accounts(_settings(ids=["111111111111"], organization=True))
    message = str(caught.value)
    assert message.startswith("cannot list the organization's accounts: Could not connect")
    assert "\n" not in message


@pytest.mark.asyncio
async def test_everything_excluded_is_an_error(boto3_client: Any) -> None:
    with pytest.raises(AccountResolutionError, match="no account left to scan"):
        await resolve_accounts(_settings(ids=[MANAGEMENT], exclude=[MANAGEMENT]))
