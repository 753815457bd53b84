"""Root causes from stored findings: one cause per broken hop, new / still open / fixed."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from sqlalchemy.orm import Session

from auditor.report.causes import Change, root_causes
from auditor.report.json_document import findings_document, render_document
from auditor.report.model import load_report
from auditor.store.database import Store
from auditor.store.reads import findings_of
from auditor.store.scans import Finding
from tests.report.report_factories import ACCOUNT, finding_row, scan_row, seed_outage

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "findings.schema.json"


def test_one_deleted_nat_for_many_tasks_is_one_new_cause_and_the_old_one_is_fixed(
    store: Store,
) -> None:
    with store.session() as session:
        _, now = seed_outage(session)
        data = load_report(session, [now])
    causes = data.causes
    nat = [c for c in causes.new if c.kind == "nat-gateway"]
    assert len(nat) == 1
    cause = nat[0]
    assert cause.resource_id == "nat-0payments"
    assert cause.change is Change.NEW
    assert cause.task_count == 10
    assert len(cause.workloads) == 4
    assert cause.purposes == ["image pull", "log delivery", "secrets"]
    assert cause.headline == (
        "NAT gateway nat-0payments is deleted → image pull, log delivery and secrets fail "
        "for 4 services (10 tasks) in cluster payments, us-east-1"
    )
    # The service line rolls its tasks up: one line with a count.
    checkout = next(w for w in cause.workloads if w.owner == "service checkout-api")
    assert checkout.tasks == 3
    assert checkout.service_itself is True

    assert [(c.kind, c.resource_id) for c in causes.fixed] == [("route", "rtb-0ledger")]
    # The flow-log finding is not a path check: one cause per check, still open.
    assert [(c.kind, c.resource_id) for c in causes.open] == [("check", "vpc-flow-logs")]
    assert causes.by_severity() == {
        "high": {"new": 1, "open": 0, "fixed": 1},
        "medium": {"new": 0, "open": 1, "fixed": 0},
    }


def test_different_broken_hops_are_different_causes(store: Store) -> None:
    with store.session() as session:
        scan = scan_row(session)
        for index, (kind, resource) in enumerate(
            [("nat-gateway", "nat-1"), ("nat-gateway", "nat-1"), ("route", "rtb-2")]
        ):
            finding = finding_row(session, scan=scan, resource_id=f"task-{index}")
            finding.root_cause_kind, finding.root_cause_id = kind, resource
        other_region = finding_row(session, scan=scan, resource_id="task-9", region="eu-west-1")
        other_region.root_cause_kind, other_region.root_cause_id = "nat-gateway", "nat-1"
        session.flush()
        causes = root_causes(list(scan_findings(session, scan.id)), None)
    keys = sorted((c.region, c.kind, c.resource_id, len(c.findings)) for c in causes.new)
    assert keys == [
        ("eu-west-1", "nat-gateway", "nat-1", 1),
        ("us-east-1", "nat-gateway", "nat-1", 2),
        ("us-east-1", "route", "rtb-2", 1),
    ]
    assert causes.open == [] and causes.fixed == []


def test_a_partial_scan_never_lists_a_cause_as_fixed(store: Store) -> None:
    with store.session() as session:
        last = scan_row(session)
        now = scan_row(session, status="partial")
        finding = finding_row(session, scan=last)
        finding.root_cause_kind, finding.root_cause_id = "nat-gateway", "nat-1"
        session.flush()
        before = scan_findings(session, last.id)
        causes = root_causes([], before, fixable_accounts=[])
        assert causes.fixed == []
        causes = root_causes([], before, fixable_accounts=[now.account_id])
        assert [c.resource_id for c in causes.fixed] == ["nat-1"]


def scan_findings(session: Session, scan_id: str) -> list[Finding]:
    return findings_of(session, [scan_id])


def test_the_json_document_lists_root_causes_and_matches_its_schema(store: Store) -> None:
    with store.session() as session:
        _, now = seed_outage(session)
        document = findings_document(session, [now.id])
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    causes = {c["key"]: c for c in document["root_causes"]}
    nat = causes[f"{ACCOUNT}|us-east-1|nat-gateway|nat-0payments"]
    assert (nat["change"], nat["tasks"], nat["status"]) == ("new", 10, "FAIL")
    assert sorted(nat["services"]) == ["cart", "checkout-api", "payments-worker", "receipts"]
    assert causes[f"{ACCOUNT}|us-east-1|route|rtb-0ledger"]["change"] == "fixed"
    failing = [f for f in document["findings"] if f["status"] == "FAIL"]
    assert all(f["root_cause"]["key"] in causes for f in failing)
    assert all(f["root_cause"] is None for f in document["findings"] if f["status"] == "PASS")


def test_the_streamed_document_is_the_same_document(store: Store) -> None:
    """dump_document writes what findings_document holds, one finding per line."""
    with store.session() as session:
        _, now = seed_outage(session)
        document = findings_document(session, [now.id])
        text = render_document(session, [now.id])
    assert json.loads(text) == document
    assert len(text.splitlines()) >= len(document["findings"]) + len(document["root_causes"])
