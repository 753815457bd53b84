"""The diff between scans that the report, Slack and email share."""

from __future__ import annotations

from datetime import timedelta

import pytest
from report_factories import (
    ACCOUNT,
    OTHER_ACCOUNT,
    T0,
    finding_row,
    scan_row,
    task_arn,
)

from auditor.history import (
    ScanSelectionError,
    diff_over_period,
    diff_with_previous,
    finding_key,
    previous_complete_scan,
    scans_since,
    select_scans,
)
from auditor.store.database import Store


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

        assert previous_complete_scan(session, current) == wanted
        assert previous_complete_scan(session, wanted) is None


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
