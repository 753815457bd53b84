"""Which accounts a run scans: configured IDs, AWS Organizations' ACTIVE accounts, minus excludes.

With nothing configured, the caller's own account. A failed Organizations or STS call is an
error, never an empty list: scanning nothing would look like a clean bill of health.
"""

from __future__ import annotations

from collections.abc import Mapping

from botocore.exceptions import BotoCoreError, ClientError

from auditor.aws import (
    AccountAccessError,
    caller_account_id,
    client_config,
    new_session,
)
from auditor.aws_calls import extend_retries
from auditor.config import Settings

# Organizations answers from one global endpoint, which lives in us-east-1.
ORGANIZATIONS_REGION = "us-east-1"


class AccountResolutionError(Exception):
    """The list of accounts could not be built; the message is one human line."""


def _describe(error: Exception) -> str:
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "Unknown")
        message = error.response.get("Error", {}).get("Message", "")
        return f"{code}: {message}".rstrip(": ")
    return str(error)


def _is_active(account: Mapping[str, object]) -> bool:
    # AWS is replacing "Status" with "State"; read both so neither API version breaks us.
    state = account.get("State") or account.get("Status")
    return state == "ACTIVE"


async def list_organization_accounts(settings: Settings) -> list[str]:
    """IDs of every ACTIVE account in the caller's organization, sorted."""
    session = new_session()
    try:
        async with session.create_client(
            "organizations", region_name=ORGANIZATIONS_REGION, config=client_config(settings)
        ) as client:
            extend_retries(client)
            accounts: list[str] = []
            async for page in client.get_paginator("list_accounts").paginate():
                accounts.extend(item["Id"] for item in page["Accounts"] if _is_active(item))
    except (ClientError, BotoCoreError) as error:
        raise AccountResolutionError(
            f"cannot list the organization's accounts: {_describe(error)}"
        ) from None
    if not accounts:
        # An organization always holds at least its management account.
        raise AccountResolutionError("AWS Organizations listed no ACTIVE account")
    return sorted(accounts)


async def resolve_accounts(settings: Settings) -> list[str]:
    """The accounts to scan, in a stable order: configured IDs first, then the organization's."""
    configured = settings.accounts
    candidates = list(configured.ids)
    if configured.organization:
        candidates.extend(await list_organization_accounts(settings))
    if not configured.ids and not configured.organization:
        try:
            candidates.append(await caller_account_id(settings))
        except AccountAccessError as error:
            raise AccountResolutionError(
                f"cannot tell which AWS account the credentials belong to: {error}"
            ) from None
    excluded = set(configured.exclude)
    selected = [account for account in dict.fromkeys(candidates) if account not in excluded]
    if not selected:
        raise AccountResolutionError("no account left to scan once exclusions are applied")
    return selected
