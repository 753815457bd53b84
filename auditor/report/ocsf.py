"""Findings as OCSF Detection Findings (class 2004), built with py-ocsf-models."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from py_ocsf_models.events.findings.activity_id import (
    ActivityID,
)
from py_ocsf_models.events.findings.detection_finding import (
    DetectionFinding,
)
from py_ocsf_models.events.findings.detection_finding_type_id import (
    DetectionFindingTypeID,
)
from py_ocsf_models.events.findings.severity_id import SeverityID
from py_ocsf_models.events.findings.status_id import StatusID
from py_ocsf_models.objects.account import Account, TypeID
from py_ocsf_models.objects.cloud import Cloud
from py_ocsf_models.objects.finding_info import (
    FindingInformation,
)
from py_ocsf_models.objects.metadata import Metadata
from py_ocsf_models.objects.product import Product
from py_ocsf_models.objects.remediation import Remediation
from py_ocsf_models.objects.resource_details import (
    ResourceDetails,
)

from auditor import __version__
from auditor.catalogue import check_meta
from auditor.findings import Status
from auditor.store.scans import Finding, Scan

SEVERITY_IDS = {
    "critical": SeverityID.Critical,
    "high": SeverityID.High,
    "medium": SeverityID.Medium,
    "low": SeverityID.Low,
    "info": SeverityID.Informational,
}
PRODUCT = Product(name="auditor", vendor_name="auditor", version=__version__)


def finding_uid(finding: Finding) -> str:
    """Stable across scans for the same verdict on the same resource."""
    key = "\x1f".join((finding.check_id, finding.account_id, finding.region, finding.resource_id))
    return f"auditor-{finding.check_id}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def detection_finding(finding: Finding, scan: Scan) -> dict[str, Any]:
    meta = check_meta(finding.check_id)
    moment = scan.finished_at or scan.started_at
    severity_id = SEVERITY_IDS.get(finding.severity, SeverityID.Unknown)
    muted = finding.status == Status.MUTED
    event = DetectionFinding(
        activity_id=ActivityID.Create,
        activity_name="Create",
        type_uid=DetectionFindingTypeID.Create,
        type_name="Detection Finding: Create",
        time=int(moment.timestamp() * 1000),
        time_dt=moment,
        severity_id=severity_id,
        severity=severity_id.name,
        status_id=StatusID.Suppressed if muted else StatusID.New,
        status="Suppressed" if muted else "New",
        status_code=finding.status,
        status_detail=finding.message,
        message=finding.message,
        metadata=Metadata(
            product=PRODUCT,
            event_code=finding.check_id,
            uid=f"{scan.id}/{finding_uid(finding)}",
            profiles=["cloud"],
        ),
        finding_info=FindingInformation(
            uid=finding_uid(finding),
            title=meta.title if meta else finding.check_id,
            desc=finding.message,
            types=[finding.check_id],
            first_seen_time_dt=finding.first_seen,
            first_seen_time=(
                int(finding.first_seen.timestamp() * 1000) if finding.first_seen else None
            ),
        ),
        cloud=Cloud(
            provider="AWS",
            region=finding.region,
            account=Account(
                name=finding.account_id,
                uid=finding.account_id,
                type_id=TypeID.AWS_Account,
                type="AWS Account",
            ),
        ),
        resources=[
            ResourceDetails(
                uid=finding.resource_id,
                name=finding.resource_name,
                type=finding.resource_type,
                region=finding.region,
                cloud_partition="aws",
                data={"evidence": finding.evidence},
            )
        ],
        remediation=Remediation(desc=meta.remediation, references=list(meta.references) or None)
        if meta
        else None,
        unmapped={"scan_id": scan.id, "check_id": finding.check_id, "status": finding.status},
    )
    document: dict[str, Any] = json.loads(event.model_dump_json(exclude_none=True))
    return document


def render_ocsf(findings: Iterable[Finding], scans: Iterable[Scan]) -> str:
    by_id = {scan.id: scan for scan in scans}
    events = [detection_finding(f, by_id[f.scan_id]) for f in findings]
    return json.dumps(events, indent=2, ensure_ascii=False) + "\n"
