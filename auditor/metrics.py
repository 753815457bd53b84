"""``GET /metrics`` for ``auditor serve``: Prometheus text format, read from the store.

Every figure comes from the database at scrape time, so all replicas sharing a store report
the same numbers and a restart loses nothing. Per-account figures describe each account's
newest finished scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session

from auditor.store import reads
from auditor.store.database import Store
from auditor.store.scans import Scan, ScanStatus

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _timestamp(moment: datetime) -> float:
    # SQLite hands back naive datetimes; they are UTC.
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


class StoreCollector(Collector):
    """Scans by status, durations, API calls with their throttles and retries, findings, and
    the last complete scan per account."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def collect(self) -> Iterable[Metric]:
        with self._store.session() as session:
            yield from self._scans_by_status(session)
            latest = reads.latest_scans(session)
            yield from self._durations(latest)
            yield from self._api_calls(session, latest)
            yield from self._findings(session, latest)
            yield from self._last_complete(session)

    @staticmethod
    def _scans_by_status(session: Session) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "auditor_scans", "Scans in the store by status.", labels=["status"]
        )
        counted = reads.scan_counts_by_status(session)
        for status in ScanStatus:
            family.add_metric([str(status)], counted.get(status, 0))
        yield family

    @staticmethod
    def _durations(latest: list[Scan]) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "auditor_scan_duration_seconds",
            "Duration of each account's newest finished scan.",
            labels=["account_id", "status"],
        )
        for scan in latest:
            if scan.finished_at is not None:
                seconds = (scan.finished_at - scan.started_at).total_seconds()
                family.add_metric([scan.account_id, str(scan.status)], seconds)
        yield family

    @staticmethod
    def _api_calls(session: Session, latest: list[Scan]) -> Iterator[Metric]:
        """Requests, and what botocore's retry layer saw of them, per service and operation."""
        labels = ["account_id", "service", "operation"]
        calls = GaugeMetricFamily(
            "auditor_api_calls",
            "AWS API requests (retries included) of each account's newest finished scan.",
            labels=labels,
        )
        throttles = GaugeMetricFamily(
            "auditor_api_throttles",
            "Throttling answers (botocore's standard retry mode backs off and retries them) "
            "in each account's newest finished scan.",
            labels=labels,
        )
        retries = GaugeMetricFamily(
            "auditor_api_retries",
            "Attempts after the first that botocore's retry layer made in each account's "
            "newest finished scan (throttles, 5xx, connection errors).",
            labels=labels,
        )
        by_scan = {scan.id: scan.account_id for scan in latest}
        for row in reads.call_counts(session, list(by_scan)):
            key = [by_scan[row.scan_id], row.service, row.operation]
            calls.add_metric(key, row.requests)
            throttles.add_metric(key, row.throttles)
            retries.add_metric(key, row.retries)
        yield from (calls, throttles, retries)

    @staticmethod
    def _findings(session: Session, latest: list[Scan]) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "auditor_findings",
            "Findings of each account's newest finished scan, by severity and status.",
            labels=["account_id", "severity", "status"],
        )
        by_scan = {scan.id: scan.account_id for scan in latest}
        for scan_id, severity, status, count in reads.finding_counts(session, list(by_scan)):
            family.add_metric([by_scan[scan_id], severity, status], count)
        yield family

    @staticmethod
    def _last_complete(session: Session) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "auditor_last_complete_scan_timestamp_seconds",
            "When each account's newest complete scan finished (Unix time).",
            labels=["account_id"],
        )
        for account_id, finished in reads.last_complete_finish(session).items():
            if finished is not None:
                family.add_metric([account_id], _timestamp(finished))
        yield family


def render_metrics(store: Store) -> bytes:
    """The Prometheus text exposition of the store's figures."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(store))
    return generate_latest(registry)
