"""The diff between scans that the report, Slack and email share."""

from __future__ import annotations

from datetime import timedelta

import pytest

from auditor.history import (
    ScanSelectionError,
    diff_over_period,
    diff_with_previous,
    finding_key,
    select_scans,
)
from auditor.store.database import Store
from auditor.store.reads import first_seen_by_key, previous_scan, scans_since
from tests.report.report_factories import (
    ACCOUNT,
    OTHER_ACCOUNT,
    T0,
    finding_row,
    scan_row,
    task_arn,
)


def keys(findings: list) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {(f.check_id, f.resource_id.rsplit("/", 1)[-1]) for f in findings}


def test_report_diff_sorts_each_finding_into_new_resolved_still_and_unknown(store: Store) -> None:
    with store.session() as session:
        before = scan_row(session, started_at=T0)
        finding_row(session, scan=before, resource_id=task_arn("fixed"))
        finding_row(session, scan=before, resource_id=task_arn("still"), first_seen=T0)
        finding_row(session, scan=before, resource_id=task_arn("deleted"))
        finding_row(session, scan=before, resource_id=task_arn("now-unknown"), status="PASS")
        finding_row(session, scan=before, resource_id=task_arn("was-pass"), status="PASS")
        now = scan_row(session, started_at=T0 + timedelta(days=1))
        finding_row(session, scan=now, resource_id=task_arn("fixed"), status="PASS")
        finding_row(session, scan=now, resource_id=task_arn("still"), first_seen=T0)
        finding_row(session, scan=now, resource_id=task_arn("now-unknown"), status="UNKNOWN")
        finding_row(session, scan=now, resource_id=task_arn("was-pass"))
        finding_row(session, scan=now, resource_id=task_arn("brand-new"))

        changes = diff_with_previous(session, [now])

        assert changes.baselines == [before]
        assert keys(changes.new_failures) == {
            ("image-pull-path", "was-pass"),
            ("image-pull-path", "brand-new"),
        }
        assert keys(changes.resolved) == {
            ("image-pull-path", "fixed"),
            ("image-pull-path", "deleted"),
        }
        assert keys(changes.still_failing) == {("image-pull-path", "still")}
        assert changes.still_failing[0].first_seen == T0
        assert keys(changes.new_unknown) == {("image-pull-path", "now-unknown")}
        assert changes.not_reevaluated == []


def test_report_diff_of_a_partial_scan_does_not_call_missing_failures_fixed(store: Store) -> None:
    with store.session() as session:
        before = scan_row(session, started_at=T0)
        finding_row(session, scan=before, resource_id=task_arn("unseen"))
        now = scan_row(session, started_at=T0 + timedelta(days=1), status="partial")

        changes = diff_with_previous(session, [now])

        assert changes.resolved == []
        assert keys(changes.not_reevaluated) == {("image-pull-path", "unseen")}


def test_report_previous_scan_is_complete_same_account_and_same_regions(store: Store) -> None:
    with store.session() as session:
        wanted = scan_row(session, started_at=T0, regions=["eu-west-1", "us-east-1"])
        scan_row(
            session,
            started_at=T0 + timedelta(hours=1),
            status="partial",
            regions=["us-east-1", "eu-west-1"],
        )
        scan_row(session, started_at=T0 + timedelta(hours=2), regions=["us-east-1"])
        scan_row(
            session,
            started_at=T0 + timedelta(hours=3),
            account_id=OTHER_ACCOUNT,
            regions=["us-east-1", "eu-west-1"],
        )
        current = scan_row(
            session, started_at=T0 + timedelta(days=1), regions=["us-east-1", "eu-west-1"]
        )
        scan_row(session, started_at=T0 + timedelta(days=2), regions=["us-east-1", "eu-west-1"])

        assert previous_scan(session, current) == wanted
        assert previous_scan(session, wanted) is None


def test_report_without_a_baseline_every_fail_is_new(store: Store) -> None:
    with store.session() as session:
        only = scan_row(session)
        finding_row(session, scan=only, resource_id=task_arn("a"))
        finding_row(session, scan=only, resource_id=task_arn("b"), status="UNKNOWN")
        finding_row(session, scan=only, resource_id=task_arn("c"), status="PASS")

        changes = diff_with_previous(session, [only])

        assert not changes.has_baseline
        assert keys(changes.new_failures) == {("image-pull-path", "a")}
        assert keys(changes.new_unknown) == {("image-pull-path", "b")}


def test_report_select_latest_scan_per_account_and_by_id(store: Store) -> None:
    with store.session() as session:
        scan_row(session, scan_id="old", started_at=T0)
        newest = scan_row(session, scan_id="new", started_at=T0 + timedelta(days=1))
        scan_row(session, scan_id="running", started_at=T0 + timedelta(days=2), status="running")
        other = scan_row(session, scan_id="other", account_id=OTHER_ACCOUNT, started_at=T0)

        assert select_scans(session, "latest", []) == [newest, other]
        assert select_scans(session, "latest", [ACCOUNT]) == [newest]
        assert [s.id for s in select_scans(session, "old", [])] == ["old"]
        with pytest.raises(ScanSelectionError, match="no scan with id 'nope'"):
            select_scans(session, "nope", [])
        with pytest.raises(ScanSelectionError, match="333333333333"):
            select_scans(session, "latest", ["333333333333"])


def test_report_period_diff_compares_newest_scan_with_last_one_before_the_period(
    store: Store,
) -> None:
    with store.session() as session:
        last_week = scan_row(session, started_at=T0)
        finding_row(session, scan=last_week, resource_id=task_arn("fixed-midweek"))
        monday = scan_row(session, started_at=T0 + timedelta(days=3))
        finding_row(session, scan=monday, resource_id=task_arn("flapped"))
        friday = scan_row(session, started_at=T0 + timedelta(days=6))
        finding_row(session, scan=friday, resource_id=task_arn("new-friday"))

        week = scans_since(session, T0 + timedelta(days=1), [])
        changes = diff_over_period(session, week)

        assert week == [monday, friday]
        assert changes.baselines == [last_week]
        assert keys(changes.new_failures) == {("image-pull-path", "new-friday")}
        assert keys(changes.resolved) == {("image-pull-path", "fixed-midweek")}
        assert {finding_key(f)[3] for f in changes.new_failures} == {task_arn("new-friday")}


def _new_in_slack_and_first_seen_now(session: object, scan: object) -> tuple[set[str], set[str]]:
    """FAILs of ``scan`` that Slack calls new, and FAILs whose first_seen starts at ``scan``."""
    from auditor.store.scans import Finding, Scan

    assert isinstance(scan, Scan)
    changes = diff_with_previous(session, [scan])  # type: ignore[arg-type]
    carried = first_seen_by_key(session, scan)  # type: ignore[arg-type]
    fails = [f for f in changes.new_failures + changes.still_failing if isinstance(f, Finding)]
    starts_now = {f.resource_id for f in fails if carried.get(finding_key(f)) is None}
    return {f.resource_id for f in changes.new_failures}, starts_now


def test_a_fail_is_new_in_slack_exactly_when_its_first_seen_starts_at_this_scan(
    store: Store,
) -> None:
    """Slack's "new" and first_seen share one baseline (they used to differ in both cases).

    1. A scan of more regions after a scan of fewer: first_seen used to carry over from the
       overlapping scan while Slack, comparing same regions only, called the FAIL new.
    2. A partial scan in between: first_seen used to carry over from the partial scan while
       Slack, comparing with complete scans only, called the FAIL new.
    """
    wide = ["us-east-1", "eu-west-1"]
    with store.session() as session:
        narrow = scan_row(session, started_at=T0, regions=["us-east-1"])
        finding_row(session, scan=narrow, resource_id=task_arn("a"), first_seen=T0)
        widened = scan_row(session, started_at=T0 + timedelta(days=1), regions=wide)
        finding_row(session, scan=widened, resource_id=task_arn("a"), region="us-east-1")

        assert previous_scan(session, widened) is None
        new, starts_now = _new_in_slack_and_first_seen_now(session, widened)
        assert new == starts_now == {task_arn("a")}

        passing = scan_row(session, started_at=T0 + timedelta(days=2), regions=wide)
        finding_row(session, scan=passing, resource_id=task_arn("b"), status="PASS")
        partial = scan_row(
            session, started_at=T0 + timedelta(days=3), regions=wide, status="partial"
        )
        finding_row(session, scan=partial, resource_id=task_arn("b"), first_seen=T0)
        current = scan_row(session, started_at=T0 + timedelta(days=4), regions=wide)
        finding_row(session, scan=current, resource_id=task_arn("b"))

        assert previous_scan(session, current) == passing
        new, starts_now = _new_in_slack_and_first_seen_now(session, current)
        assert new == starts_now == {task_arn("b")}
