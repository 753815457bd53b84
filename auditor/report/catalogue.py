"""Check metadata (titles, remediation) for renderers, read from the check catalogue."""

from __future__ import annotations

from functools import cache

from checks import all_checks
from checks.base import CheckMeta


@cache
def _catalogue() -> dict[str, CheckMeta]:
    return {check.meta.id: check.meta for check in all_checks()}


def check_meta(check_id: str) -> CheckMeta | None:
    """The metadata of a registered check; None for an ID no longer in the catalogue."""
    return _catalogue().get(check_id)


def check_title(check_id: str) -> str:
    meta = check_meta(check_id)
    return meta.title if meta else check_id
