"""The findings document (`--format json`, docs/output.md): a public interface, schema_version 1."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy.orm import Session

from auditor import json_codec
from auditor.report.causes import cause_item, finding_cause
from auditor.report.filters import FindingFilter
from auditor.report.model import ReportData, load_report
from auditor.store import reads
from auditor.store.scans import CollectionOutcome, Finding, OutcomeStatus, Scan

SCHEMA_VERSION = 1


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def collection_error(outcome: CollectionOutcome) -> dict[str, Any]:
    return {
        "collector": outcome.collector,
        "region": outcome.region,
        "error": outcome.error or outcome.status,
        "status": outcome.status,
        # Optional collectors (CloudTrail) only add precision: their failure is a warning.
        "severity": "warning" if outcome.optional else "error",
    }


def scan_block(scan: Scan, outcomes: Sequence[CollectionOutcome]) -> dict[str, Any]:
    block: dict[str, Any] = {
        "id": scan.id,
        "account_id": scan.account_id,
        "regions": list(scan.regions),
        "started_at": iso(scan.started_at),
        "finished_at": iso(scan.finished_at),
        "status": scan.status,
        "run_id": scan.run_id,
        "api_calls": scan.api_calls,
        "collection_errors": [
            collection_error(o) for o in outcomes if OutcomeStatus(o.status).failed
        ],
    }
    if scan.error:
        block["error"] = scan.error
    return block


def finding_item(finding: Finding) -> dict[str, Any]:
    return {
        "check_id": finding.check_id,
        "status": finding.status,
        "severity": finding.severity,
        "account_id": finding.account_id,
        "region": finding.region,
        "resource_type": finding.resource_type,
        "resource_id": finding.resource_id,
        "resource_name": finding.resource_name,
        "message": finding.message,
        "evidence": finding.evidence,
        "first_seen": iso(finding.first_seen),
        "unknown_reason": unknown_reason_of(finding.status, finding.evidence),
        "root_cause": finding_cause(finding),
    }


def unknown_reason_of(status: str, evidence: dict[str, Any] | None) -> str | None:
    """The class of an UNKNOWN ("beyond-aws", "appliance", ...) that users can mute as one;
    None for other statuses and for UNKNOWNs caused by missing data."""
    if status != "UNKNOWN" or not isinstance(evidence, dict):
        return None
    reason = evidence.get("unknown_reason")
    return str(reason) if reason else None


def run_block(data: ReportData) -> dict[str, Any]:
    """The run and, per account, what changed against that account's own previous scan."""
    return {
        "id": data.run_id,
        "accounts": [
            {
                "account_id": part.account_id,
                "scan_id": part.scan.id,
                "status": part.scan.status,
                "baseline_scan_id": part.baseline.id if part.baseline else None,
                "new_failures": len(part.changes.new_failures),
                "resolved": len(part.changes.resolved),
                "still_failing": len(part.changes.still_failing),
                "new_unknown": len(part.changes.new_unknown),
                "not_reevaluated": len(part.changes.not_reevaluated),
            }
            for part in data.by_account
        ],
    }


def document_of(session: Session, data: ReportData) -> dict[str, Any]:
    """The document of report data already loaded (findings read and diffed once, for every
    output): one scan gives a ``scan`` block, several a ``scans`` list (docs/output.md), a
    run (``report --run``) a ``run`` block too.

    ``findings`` is a generator, in the store's order (account, region, check, resource):
    :func:`dump_document` encodes each finding as it writes it."""
    blocks = [scan_block(s, reads.outcomes_of(session, s.id)) for s in data.scans]
    document: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    if len(blocks) == 1:
        document["scan"] = blocks[0]
    else:
        document["scans"] = blocks
    if data.run_id is not None:  # `report --run`: findings are in account order already
        document["run"] = run_block(data)
    listed = sorted(data.findings, key=store_order)
    document["findings"] = (finding_item(f) for f in listed)
    causes = data.causes
    document["root_causes"] = [cause_item(c, iso) for c in [*causes.current, *causes.fixed]]
    return document


def store_order(finding: Finding) -> tuple[str, str, str, str, int]:
    return (
        finding.account_id,
        finding.region,
        finding.check_id,
        finding.resource_id,
        finding.id or 0,
    )


def findings_document(
    session: Session, scan_ids: Sequence[str], *, only: FindingFilter | None = None
) -> dict[str, Any]:
    """The document of stored scans, every list built (``only`` narrows the findings listed
    and the root causes drawn from them)."""
    scans = [reads.get_scan(session, scan_id) for scan_id in scan_ids]
    missing = [scan_id for scan_id, scan in zip(scan_ids, scans, strict=True) if scan is None]
    if missing:
        raise LookupError(f"no scan with id {missing[0]}")
    document = document_of(session, load_report(session, [s for s in scans if s], only=only))
    document["findings"] = list(document["findings"])
    return document


def dump_document(document: Mapping[str, Any], stream: TextIO) -> None:
    """Write the document one list item per line, each encoded on its own
    (``auditor.json_codec``): written as it goes (lists or generators), never the whole
    document as one string, and none of ``json.dump(indent=2)``'s pure-Python encoder
    (seconds for thousands of findings).
    """
    encode = json_codec.dumps
    stream.write("{")
    for position, (key, value) in enumerate(document.items()):
        stream.write(",\n" if position else "\n")
        stream.write(f"  {encode(key)}: ")
        if isinstance(value, list | Iterator):
            empty = True
            for item in value:
                stream.write("[\n    " if empty else ",\n    ")
                stream.write(encode(item))
                empty = False
            stream.write("[]" if empty else "\n  ]")
        else:
            stream.write(encode(value))
    stream.write("\n}\n")


def write_document(session: Session, data: ReportData, stream: TextIO) -> None:
    """Stream the document of loaded report data to ``stream`` (a file, stdout)."""
    dump_document(document_of(session, data), stream)


def render_document(
    session: Session, scan_ids: Sequence[str], *, only: FindingFilter | None = None
) -> str:
    buffer = io.StringIO()
    dump_document(findings_document(session, scan_ids, only=only), buffer)
    return buffer.getvalue()
