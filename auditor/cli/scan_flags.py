"""What `auditor scan` is asked, checked before anything heavy is imported: --fail-on,
--shard and the account IDs (auditor.cli.scanning runs the scan)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from auditor.cli.errors import UsageError

ACCOUNT_ID = re.compile(r"\d{12}")


class FailOn(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"
    NONE = "none"


def validate_account_ids(account_ids: Sequence[str]) -> list[str]:
    for account_id in account_ids:
        if not ACCOUNT_ID.fullmatch(account_id):
            raise UsageError(f"invalid AWS account ID {account_id!r}: expected 12 digits")
    return list(dict.fromkeys(account_ids))


SHARD = re.compile(r"(\d+)/(\d+)")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (1-based): the accounts whose ID modulo ``count`` is
    ``index - 1``. The split depends on nothing but the account IDs, so every replica of a
    scheduled job agrees on it without talking to the others."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = SHARD.fullmatch(text.strip())
        if match is None:
            raise UsageError(f"invalid --shard {text!r}: expected i/n, e.g. 1/4")
        index, count = int(match[1]), int(match[2])
        if not 1 <= index <= count:
            raise UsageError(f"invalid --shard {text!r}: i must be between 1 and n ({count})")
        return cls(index, count)

    def accounts(self, account_ids: Sequence[str]) -> list[str]:
        return [a for a in account_ids if int(a) % self.count == self.index - 1]
