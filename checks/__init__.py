"""The check catalogue: one module per check under ``checks/<area>/``, found by import.

``all_checks()`` imports every module of the package (registering each check through its
``@register`` decorator) and returns the checks sorted by ID.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import TYPE_CHECKING

from checks.base import Check, Result, Severity, Status, registered

if TYPE_CHECKING:
    from auditor.inventory import Inventory


@cache
def _import_all() -> None:
    for module in pkgutil.walk_packages(__path__, prefix=f"{__name__}."):
        importlib.import_module(module.name)


def all_checks() -> list[Check]:
    _import_all()
    return [check for _, check in sorted(registered().items())]


def get_check(check_id: str) -> Check | None:
    return next((c for c in all_checks() if c.meta.id == check_id), None)


def evaluate_all(inventory: Inventory) -> list[Result]:
    """Every check's results on one inventory; a check that raises is a bug and propagates."""
    results: list[Result] = []
    for check in all_checks():
        results.extend(check.evaluate(inventory))
    return results


def failing(results: list[Result], threshold: Severity) -> list[Result]:
    """The FAIL results at or above ``threshold`` that make ``--fail-on`` exit 1.

    MUTED and UNKNOWN never count.
    """
    return [r for r in results if r.status is Status.FAIL and r.severity.at_least(threshold)]
