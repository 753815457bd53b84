"""Neutralising user text, and the headline every channel shares."""

from __future__ import annotations

from datetime import timedelta

from auditor.history import diff_with_previous
from auditor.notify.mrkdwn import code, escape
from auditor.report.evidence import evidence_html
from auditor.report.headline import headline
from auditor.report.text import clean, one_line
from auditor.store.database import Store
from tests.report.report_factories import OTHER_ACCOUNT, T0, finding_row, scan_row, task_arn


def test_report_clean_shows_control_characters_and_caps_length() -> None:
    assert clean("abc\u202edef\u2066x\x07") == "abc[U+202E]def[U+2066]x[U+0007]"
    assert clean("line\nnext\ttab") == "line\nnext\ttab"
    assert clean("x" * 12, limit=10) == "xxxxxxxxxx… (2 more characters)"
    assert one_line("a\n  b\r\nc") == "a b c"


def test_report_slack_code_cannot_break_out_or_mention() -> None:
    assert escape("<!channel> & <http://x|y>") == "&lt;!channel&gt; &amp; &lt;http://x|y&gt;"
    assert code("*bold* `tick` <!here>") == "`*bold* ˋtickˋ &lt;!here&gt;`"
    assert code("") == "` `"


def test_report_evidence_is_escaped_at_every_depth() -> None:
    html = str(
        evidence_html(
            {"<b>": [{"k<": "<script>", "n": None}], "deep": {"a": {"b": [1, 2]}}, "x": "\u202e"}
        )
    )

    assert html == (
        '<dl class="ev"><dt>&lt;b&gt;</dt><dd><ol><li><i>k&lt;</i> &lt;script&gt; · '
        "<i>n</i> <i>none</i></li></ol></dd><dt>deep</dt><dd><i>a</i> <i>b</i> "
        "<ol><li>1</li><li>2</li></ol></dd><dt>x</dt><dd>[U+202E]</dd></dl>"
    )


def test_report_headline_names_the_worst_new_severity(store: Store) -> None:
    with store.session() as session:
        before = scan_row(session, started_at=T0)
        finding_row(session, scan=before, resource_id=task_arn("fixed"))
        now = scan_row(session, started_at=T0 + timedelta(days=1))
        finding_row(session, scan=now, resource_id=task_arn("a"))
        finding_row(session, scan=now, resource_id=task_arn("b"))
        finding_row(session, scan=now, resource_id=task_arn("c"), severity="low")
        other = scan_row(session, account_id=OTHER_ACCOUNT, started_at=T0)
        finding_row(session, scan=other, resource_id=task_arn("d"), severity="medium")
        quiet = scan_row(session, account_id=OTHER_ACCOUNT, started_at=T0 + timedelta(days=1))

        assert headline(diff_with_previous(session, [now, other])) == (
            "2 new high findings in 1 account (+2 lower), 1 fixed"
        )
        assert headline(diff_with_previous(session, [quiet])) == (
            "No new findings in 1 account, 1 fixed"
        )
