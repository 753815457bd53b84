"""What a check is: one metadata object and one pure ``evaluate(inventory)``.

The values a check produces (``Result``, ``Status``, ...) are defined in ``auditor.findings``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from auditor.findings import ResourceType, Result, RootCause, Severity, Status
from auditor.inventory import Inventory

# The finding vocabulary lives in auditor.findings; checks keep importing it from here.
__all__ = [
    "Check",
    "CheckMeta",
    "Evaluate",
    "ResourceType",
    "Result",
    "RootCause",
    "Severity",
    "Status",
    "register",
    "registered",
]


@dataclass(frozen=True, kw_only=True)
class CheckMeta:
    id: str
    title: str
    severity: Severity
    scope: str
    # The seed sentence the check rests on, quoted in Japanese, and its English rendering.
    seed_quote: str
    seed_english: str
    rationale: str
    remediation: str
    # Collector names (see collectors.registry) whose data the check reads.
    needs: tuple[str, ...]
    references: tuple[str, ...] = ()
    # Collectors that only add precision: their absence never makes a result UNKNOWN by itself.
    optional_needs: tuple[str, ...] = ()
    # The resource types the check's results use (an UNKNOWN for a whole region uses
    # ``account-region`` in addition).
    resource_types: tuple[ResourceType, ...] = ()
    # Console and CLI steps, one per line, rendered as a list in the docs.
    console_steps: tuple[str, ...] = ()
    cli_steps: tuple[str, ...] = ()
    # What the check does not see, so a reader knows where a PASS stops vouching.
    limitations: tuple[str, ...] = ()


Evaluate = Callable[[Inventory], Iterator[Result]]


@dataclass(frozen=True)
class Check:
    meta: CheckMeta
    evaluate: Evaluate


_REGISTRY: dict[str, Check] = {}


def register(meta: CheckMeta) -> Callable[[Evaluate], Evaluate]:
    """Decorator: ``@register(META)`` above ``def evaluate(inventory)`` adds a check."""

    def wrap(fn: Evaluate) -> Evaluate:
        if meta.id in _REGISTRY:
            raise ValueError(f"check {meta.id} registered twice")
        _REGISTRY[meta.id] = Check(meta, fn)
        return fn

    return wrap


def registered() -> dict[str, Check]:
    return dict(_REGISTRY)
