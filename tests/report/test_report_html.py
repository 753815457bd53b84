"""The HTML report: structure, self-containment and hostile input, without a browser."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from auditor.report.render import ReportFormat, render
from auditor.store.database import Store
from tests.report.report_factories import SANDBOX_RULE, seed_week

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def html_of(store: Store, *, hostile: bool = True) -> str:
    with store.session() as session:
        scans = seed_week(session, hostile=hostile)
        return render(session, [s.id for s in scans], ReportFormat.HTML, now=NOW)


def test_report_html_is_self_contained(store: Store) -> None:
    html = html_of(store)

    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html
    assert "@import" not in html
    assert html.count("<script") == 1
    assert html.count("<style") == 1


def test_report_html_sections_come_in_reading_order(store: Store) -> None:
    html = html_of(store, hostile=False)

    order = [
        "filters",
        "causes",
        "summary",
        "changes",
        "checks",
        "resources",
        "unknown",
        "errors",
        "muted",
    ]
    positions = [html.index(f'id="{name}"') for name in order]
    assert positions == sorted(positions)
    assert "2 new high findings in 2 accounts, 2 fixed" in html
    summary = html[html.index('id="summary"') : html.index('id="changes"')]
    cards = {
        status: int(count)
        for count, status in re.findall(r"<strong>(\d+)</strong>(\w+)</div>", summary)
    }
    assert cards == {"FAIL": 4, "UNKNOWN": 2, "MUTED": 2, "PASS": 4}


def test_report_html_lists_muted_rule_and_reason_and_collection_errors(store: Store) -> None:
    html = html_of(store, hostile=False)

    muted = html[html.index('id="muted"') :]
    # The rule is named by its number in the rules file, as auditor.muting records it.
    assert f"<td>{SANDBOX_RULE.index}</td>" in muted
    assert "throwaway test VPC, expires 2027-01-31" in muted
    errors = html[html.index('id="errors"') : html.index('id="muted"')]
    assert errors.count("cloudtrail.dhcp_associations") == 2
    assert "ThrottlingException: Rate exceeded" in errors
    unknown = html[html.index('id="unknown"') : html.index('id="errors"')]
    assert "could not be read (AccessDenied)" in unknown


def test_report_html_filters_are_hidden_until_javascript_runs(store: Store) -> None:
    html = html_of(store, hostile=False)

    assert '<form id="filters" hidden' in html


def test_report_html_makes_hostile_text_inert(store: Store) -> None:
    html = html_of(store)

    assert "<script>window.__pwned" not in html
    assert "<img src=x" not in html
    assert 'onerror="window' not in html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    assert "\u202e" not in html
    assert "invoice[U+202E]gnp.exe" in html
    assert "A" * 10_000 not in html
    assert "more characters)" in html
