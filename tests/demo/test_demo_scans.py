"""The whole pipeline on the demo estate: every check both passes and fails somewhere.

Two scans of both accounts through ``engine.scan_accounts``, with ``apply_changes`` in between,
as ``auditor scan --demo`` runs them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest

from auditor.demo import apply_changes, cloudtrail
from auditor.demo.coverage import COVERAGE
from auditor.demo.estate import SECOND_ACCOUNT
from auditor.engine import scan_accounts, stored_evidence
from auditor.store import reads
from auditor.store.database import Store
from auditor.store.scans import Scan
from checks import all_checks, evaluate_all
from checks.reachability.model import Hop
from tests.demo.demo_scanning import demo_scanning

ACCOUNTS = ["123456789012", SECOND_ACCOUNT]
REGIONS = ["us-east-1", "eu-west-1"]

Verdicts = set[tuple[str, str]]


def _verdicts(store: Store, scan_ids: Sequence[str]) -> Verdicts:
    with store.session() as session:
        return {(f.check_id, f.status) for f in reads.findings_of(session, scan_ids)}


def test_coverage_names_every_registered_check() -> None:
    assert set(COVERAGE) == {check.meta.id for check in all_checks()}


@pytest.mark.asyncio
async def test_every_check_passes_and_fails_over_the_two_demo_scans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with demo_scanning(tmp_path, monkeypatch) as demo:
        store, settings, estate = demo.store, demo.settings, demo.estate
        baseline = await scan_accounts(settings, ACCOUNTS, REGIONS, store=store)
        apply_changes(demo.url, estate)
        second = await scan_accounts(settings, ACCOUNTS, REGIONS, store=store)
        vpc = estate.dhcp_vpc
        (dhcp_event,) = cloudtrail.recorded_events(vpc.account_id, vpc.region)

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
    # Every check passes and fails in the second scan; stale DHCP options only fail there.
    assert missing == set()
    # The demo server answers CloudTrail LookupEvents: no DHCP change in the last 90 days.
    assert {status for check_id, status in before if check_id == "stale-dhcp-options"} == {"PASS"}
    assert {check_id for check_id, status in before if status == "FAIL"} == set(COVERAGE) - {
        "stale-dhcp-options"
    }

    # The optional CloudTrail collector worked in every account and region of both scans.
    with store.session() as session:
        cloudtrail_outcomes = {
            (o.account_id, o.region, o.status)
            for scan in baseline + second
            for o in reads.outcomes_of(session, scan.scan_id)
            if o.collector == "cloudtrail.dhcp_associations"
        }
        stale = [
            f
            for f in reads.findings_of(session, [o.scan_id for o in second])
            if f.check_id == "stale-dhcp-options" and f.evidence.get("vpc_id") == vpc.vpc_id
        ]
    assert cloudtrail_outcomes == {
        (account, region, "ok") for account in ACCOUNTS for region in REGIONS
    }
    # In the changed VPC every verdict is dated by the recorded AssociateDhcpOptions event:
    # the tasks started before it fail, the one started after it passes.
    assert stale
    assert {f.evidence["source"] for f in stale} == {"cloudtrail"}
    assert {f.evidence["event_id"] for f in stale} == {dhcp_event.event_id}
    assert {f.evidence["associated_at"] for f in stale} == {dhcp_event.event_time.isoformat()}
    statuses = sorted(
        (f.status, datetime.fromisoformat(f.evidence["task_started_at"]) < dhcp_event.event_time)
        for f in stale
    )
    assert statuses[0] == ("FAIL", True)
    assert statuses[-1] == ("PASS", False)
    assert [status for status, _ in statuses].count("PASS") == 1
    assert all((status == "FAIL") == before_change for status, before_change in statuses)

    # Verdicts were evaluated from the records in memory; the stored inventory, read back,
    # gives exactly the same findings (the database stays the source of truth).
    for outcome in baseline + second:
        assert _stored_verdicts(store, outcome.scan_id) == _reevaluated(store, outcome.scan_id)

    # Hops build their evidence once, shared by every finding crossing them: building it
    # anew for each finding gives the same findings.
    with monkeypatch.context() as fresh:
        fresh.setattr(Hop, "as_evidence", Hop.build_evidence)
        for outcome in baseline + second:
            assert _stored_verdicts(store, outcome.scan_id) == _reevaluated(store, outcome.scan_id)


Verdict = tuple[str, str, str, str, str, str]


def _verdict(
    check_id: str, region: str, resource_id: str, status: str, message: str, evidence: object
) -> Verdict:
    return (check_id, region, resource_id, status, message, json.dumps(evidence, sort_keys=True))


def _stored_verdicts(store: Store, scan_id: str) -> list[Verdict]:
    with store.session() as session:
        findings = reads.findings_of(session, [scan_id])
        return sorted(
            _verdict(f.check_id, f.region, f.resource_id, f.status, f.message, f.evidence)
            for f in findings
        )


def _reevaluated(store: Store, scan_id: str) -> list[Verdict]:
    with store.session() as session:
        scan = session.get_one(Scan, scan_id)
        inventory = reads.load_inventory(session, scan)
        return sorted(
            _verdict(
                r.check_id, r.region, r.resource_id, r.status.value, r.message, stored_evidence(r)
            )
            for r in evaluate_all(inventory)
        )
