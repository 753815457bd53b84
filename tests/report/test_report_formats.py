"""CSV and OCSF renderings of stored findings."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from auditor.report.csv_export import COLUMNS
from auditor.report.render import ReportFormat, render
from auditor.store.database import Store
from tests.report.report_factories import HOSTILE, finding_row, scan_row, seed_week, task_arn

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_report_csv_has_one_row_per_finding_and_defuses_formulas(store: Store) -> None:
    with store.session() as session:
        scan = scan_row(session)
        finding_row(session, scan=scan, resource_id=task_arn("a"), resource_name="=HYPERLINK(1)")
        finding_row(
            session,
            scan=scan,
            resource_id=task_arn("b"),
            status="PASS",
            message="@SUM(A1)",
            evidence={"hops": [1, 2]},
        )
        session.flush()
        text = render(session, [scan.id], ReportFormat.CSV)

    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS
    assert {(r["resource_id"].rsplit("/", 1)[-1], r["status"]) for r in rows} == {
        ("a", "FAIL"),
        ("b", "PASS"),
    }
    by_id = {r["resource_id"].rsplit("/", 1)[-1]: r for r in rows}
    assert by_id["a"]["resource_name"] == "'=HYPERLINK(1)"
    assert by_id["b"]["message"] == "'@SUM(A1)"
    assert json.loads(by_id["b"]["evidence"]) == {"hops": [1, 2]}
    assert by_id["a"]["first_seen"] == "2026-11-19T06:00:00Z"


def test_report_ocsf_maps_each_finding_to_a_detection_finding(store: Store) -> None:
    with store.session() as session:
        scans = seed_week(session, hostile=True)
        text = render(session, [s.id for s in scans], ReportFormat.OCSF)

    events = json.loads(text)
    assert len(events) == 13
    assert {e["class_uid"] for e in events} == {2004}
    assert {e["type_uid"] for e in events} == {200401}
    assert {e["category_uid"] for e in events} == {2}
    assert {(e["status_code"], e["status_id"]) for e in events} == {
        ("FAIL", 1),
        ("PASS", 1),
        ("UNKNOWN", 1),
        ("MUTED", 3),
    }
    hostile = next(e for e in events if e["resources"][0]["uid"] == HOSTILE["img"])
    assert hostile["severity_id"] == 4 and hostile["severity"] == "High"
    assert hostile["cloud"] == {
        "provider": "AWS",
        "region": "eu-west-1",
        "account": {
            "name": "111111111111",
            "uid": "111111111111",
            "type_id": 10,
            "type": "AWS Account",
        },
    }
    assert hostile["metadata"]["product"]["name"] == "auditor"
    assert hostile["metadata"]["version"].startswith("1.")
    assert hostile["finding_info"]["types"] == ["image-pull-path"]
    assert hostile["resources"][0]["data"]["evidence"]["tag"] == HOSTILE["channel"]
    uids = [e["finding_info"]["uid"] for e in events]
    assert len(set(uids)) == len(uids)
