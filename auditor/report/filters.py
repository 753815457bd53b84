"""Which findings a reader asked to see (``--check``, ``--severity``, ``--status``...).

A filter narrows what is shown, never what is stored or compared: diffs are computed on every
finding first, so hiding a check never makes its FAILs look fixed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol


class FindingLike(Protocol):
    @property
    def check_id(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def status(self) -> str: ...


@dataclass(frozen=True)
class FindingFilter:
    """Empty sets mean "any"; ``exclude_checks`` wins over ``checks``."""

    checks: frozenset[str] = field(default_factory=frozenset)
    exclude_checks: frozenset[str] = field(default_factory=frozenset)
    severities: frozenset[str] = field(default_factory=frozenset)
    statuses: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls,
        *,
        checks: Iterable[str] = (),
        exclude_checks: Iterable[str] = (),
        severities: Iterable[str] = (),
        statuses: Iterable[str] = (),
    ) -> FindingFilter:
        return cls(
            frozenset(checks),
            frozenset(exclude_checks),
            frozenset(s.lower() for s in severities),
            frozenset(s.upper() for s in statuses),
        )

    @property
    def is_empty(self) -> bool:
        return not (self.checks or self.exclude_checks or self.severities or self.statuses)

    def keeps(self, finding: FindingLike) -> bool:
        if finding.check_id in self.exclude_checks:
            return False
        if self.checks and finding.check_id not in self.checks:
            return False
        if self.severities and finding.severity.lower() not in self.severities:
            return False
        return not self.statuses or finding.status.upper() in self.statuses
