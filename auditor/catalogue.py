"""What reports, notifications and muting know about the checks, without importing them.

``auditor/catalogue.json`` holds each check's ID, title, severity, remediation and references,
derived from the checks' metadata by ``python3 scripts/dev.py generate`` (a test fails while
it is stale). Readers of stored findings use it; only the engine imports the evaluators.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

CATALOGUE_FILE = "catalogue.json"


@dataclass(frozen=True, kw_only=True)
class CheckSummary:
    id: str
    title: str
    severity: str
    remediation: str
    references: tuple[str, ...] = ()


def render(metas: list[Any]) -> str:
    """The catalogue file for the given ``CheckMeta`` objects (the checks' metadata)."""
    entries = [
        {
            "id": meta.id,
            "title": meta.title,
            "severity": str(meta.severity),
            "remediation": meta.remediation,
            "references": list(meta.references),
        }
        for meta in sorted(metas, key=lambda m: m.id)
    ]
    return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"


@cache
def _catalogue() -> dict[str, CheckSummary]:
    text = resources.files("auditor").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    return {
        entry["id"]: CheckSummary(
            id=entry["id"],
            title=entry["title"],
            severity=entry["severity"],
            remediation=entry["remediation"],
            references=tuple(entry["references"]),
        )
        for entry in json.loads(text)
    }


def check_ids() -> frozenset[str]:
    return frozenset(_catalogue())


def check_meta(check_id: str) -> CheckSummary | None:
    """The summary of a check in the catalogue; None for an ID no longer in it."""
    return _catalogue().get(check_id)


def check_title(check_id: str) -> str:
    meta = check_meta(check_id)
    return meta.title if meta else check_id
