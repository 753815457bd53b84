"""What a collection run hands back to the engine: records, per-collector outcomes, call counts,
and the progress events it reports on the way.

The engine owns the store; collectors only fetch, transform and hand records over.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from auditor.store.resources import ResourceMixin
from auditor.store.scans import CollectionOutcome, OutcomeStatus


@dataclass(frozen=True, kw_only=True)
class ProgressEvent:
    account_id: str
    region: str
    collector: str
    status: OutcomeStatus
    # The account's running totals: API calls made so far (not a per-event increment),
    # regions whose collectors have all finished, out of the regions being scanned.
    api_calls: int
    regions_done: int = 0
    regions: int = 0


ProgressCallback = Callable[[ProgressEvent], None]


@dataclass(kw_only=True)
class Collected:
    """Everything one account's collection produced."""

    account_id: str
    regions: list[str]
    records: list[ResourceMixin] = field(default_factory=list)
    # How each collector fared in each region ("global" for IAM); the store sets scan_id.
    outcomes: list[CollectionOutcome] = field(default_factory=list)
    # (region, service, operation) -> number of HTTP requests actually sent, retries included.
    api_calls: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    # What botocore's retry layer saw of them, by the same key: throttling answers, retries.
    throttles: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    retries: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    @property
    def total_api_calls(self) -> int:
        return sum(self.api_calls.values())
