"""Tables about scans themselves: the scan, each collector's outcome, API call counts, findings."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from auditor.store.base import Base


class ScanStatus(enum.StrEnum):
    RUNNING = "running"
    COMPLETE = "complete"
    PARTIAL = "partial"
    FAILED = "failed"


class OutcomeStatus(enum.StrEnum):
    OK = "ok"
    DENIED = "denied"
    ERROR = "error"
    # Not run: the records that could lead to its resources (routes, mostly) showed none.
    NOT_NEEDED = "not_needed"

    @property
    def failed(self) -> bool:
        """Whether data that was wanted did not come (not_needed is not a failure)."""
        return self in (OutcomeStatus.DENIED, OutcomeStatus.ERROR)


class Scan(Base):
    """One account, one or more regions, one point in time."""

    __tablename__ = "scans"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), index=True)
    regions: Mapped[list[str]]
    started_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), default=ScanStatus.RUNNING)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    api_calls: Mapped[int] = mapped_column(Integer, default=0)
    trigger: Mapped[str] = mapped_column(String(16), default="cli")
    error: Mapped[str | None] = mapped_column(Text, default=None)
    auditor_version: Mapped[str] = mapped_column(String(32), default="")
    # True once retention has deleted this scan's resource rows (findings are kept).
    inventory_pruned: Mapped[bool] = mapped_column(default=False)
    # "host:pid" of the process running the scan, and when it last said it was alive: a
    # running scan whose owner is gone is marked failed by the next process that starts.
    owner: Mapped[str | None] = mapped_column(String(255), default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    # The run this scan was part of: one invocation over many accounts is one run, and its
    # accounts' network records are evaluated together (auditor/organization.py).
    run_id: Mapped[str | None] = mapped_column(String(36), index=True, default=None)


# The one outcome type of a collection: collectors/run.py makes them, the engine stores them
# (setting scan_id, as for resource records), the inventory, JSON document and report read
# them back. ``status`` holds an OutcomeStatus value.
class CollectionOutcome(Base):
    """How one collector fared in one account and region of a scan."""

    __tablename__ = "collection_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True, init=False)
    scan_id: Mapped[str] = mapped_column(
        ForeignKey("scans.id", ondelete="CASCADE"), index=True, init=False
    )
    collector: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    optional: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    error_code: Mapped[str | None] = mapped_column(String(128), default=None)


class ApiCallCount(Base):
    """Number of AWS API calls a scan made, by region, service and operation, and what
    botocore's retry layer saw of them: throttling answers, and retried attempts."""

    __tablename__ = "api_call_counts"

    id: Mapped[int] = mapped_column(primary_key=True, init=False)
    scan_id: Mapped[str] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    region: Mapped[str] = mapped_column(String(32))
    service: Mapped[str] = mapped_column(String(64))
    operation: Mapped[str] = mapped_column(String(128))
    count: Mapped[int] = mapped_column(Integer)
    throttles: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    retries: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class Finding(Base):
    """One check's verdict on one resource in one scan. Kept when retention prunes inventory."""

    __tablename__ = "findings"
    __table_args__ = (
        Index("ix_findings_check_resource", "check_id", "account_id", "region", "resource_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, init=False)
    scan_id: Mapped[str] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    check_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    resource_type: Mapped[str] = mapped_column(String(32))
    resource_id: Mapped[str] = mapped_column(String(2048))
    resource_name: Mapped[str | None] = mapped_column(String(1024), default=None)
    message: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[dict[str, Any]] = mapped_column(default_factory=dict)
    first_seen: Mapped[datetime | None] = mapped_column(default=None)
    # The decisive hop of a path check's FAIL or UNKNOWN (checks.base.RootCause): findings
    # of a scan with the same account, region, kind and resource share one root cause.
    root_cause_kind: Mapped[str | None] = mapped_column(String(64), default=None)
    root_cause_id: Mapped[str | None] = mapped_column(String(2048), default=None)
    root_cause_detail: Mapped[str | None] = mapped_column(Text, default=None)
