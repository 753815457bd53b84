"""The whole pipeline on the demo estate: every check both passes and fails somewhere.

Two scans of both accounts through ``engine.scan_accounts``, with ``apply_changes`` in between,
as ``auditor scan --demo`` runs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from auditor.config import Settings
from auditor.demo import DemoMoto, apply_changes, seed_estate
from auditor.demo.coverage import COVERAGE
from auditor.demo.estate import ROLE_NAME, SECOND_ACCOUNT
from auditor.engine import scan_accounts
from auditor.store import repository
from auditor.store.database import Store, open_store
from checks import all_checks

ACCOUNTS = ["123456789012", SECOND_ACCOUNT]
REGIONS = ["us-east-1", "eu-west-1"]

Verdicts = set[tuple[str, str]]


def _verdicts(store: Store, scan_ids: Sequence[str]) -> Verdicts:
    with store.session() as session:
        return {(f.check_id, f.status) for f in repository.findings_of(session, scan_ids)}


def test_coverage_names_every_registered_check() -> None:
    assert set(COVERAGE) == {check.meta.id for check in all_checks()}


@pytest.mark.asyncio
async def test_every_check_passes_and_fails_over_the_two_demo_scans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    # Two attempts: moto answers CloudTrail LookupEvents with HTTP 500, which botocore retries.
    settings = Settings(max_attempts=2, concurrency=8, role_name=ROLE_NAME)
    with DemoMoto() as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
        estate = seed_estate(server.url)

        baseline = await scan_accounts(settings, ACCOUNTS, REGIONS, store=store)
        apply_changes(server.url, estate)
        second = await scan_accounts(settings, ACCOUNTS, REGIONS, store=store)

    assert sorted((o.account_id, o.status.value) for o in baseline + second) == sorted(
        [(account, "complete") for account in ACCOUNTS] * 2
    )
    before = _verdicts(store, [o.scan_id for o in baseline])
    after = _verdicts(store, [o.scan_id for o in second])
    missing = {
        (check_id, status)
        for check_id in COVERAGE
        for status in ("PASS", "FAIL")
        if (check_id, status) not in after
    }
    # Every check passes and fails in the second scan; stale DHCP options only show there.
    assert missing == set()
    assert {status for check_id, status in before if check_id == "stale-dhcp-options"} == {
        "UNKNOWN"
    }
    assert {check_id for check_id, status in before if status == "FAIL"} == set(COVERAGE) - {
        "stale-dhcp-options"
    }
