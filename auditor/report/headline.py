"""One line that says what changed, for the report's summary, the email subject and Slack."""

from __future__ import annotations

from auditor.history import Changes, severity_rank
from auditor.report.templating import plural


def headline(changes: Changes) -> str:
    """E.g. "3 new high findings in 2 accounts (+4 lower), 2 fixed"."""
    new = changes.new_failures
    fixed = f"{len(changes.resolved)} fixed" if changes.resolved else ""
    if new:
        top = min(new, key=lambda f: severity_rank(f.severity)).severity
        worst = [f for f in new if f.severity == top]
        accounts = plural(len({f.account_id for f in worst}), "account")
        text = f"{plural(len(worst), f'new {top} finding')} in {accounts}"
        if len(new) > len(worst):
            text += f" (+{len(new) - len(worst)} lower)"
        return f"{text}, {fixed}" if fixed else text
    accounts = plural(len(changes.accounts), "account")
    text = f"No new findings in {accounts}"
    if changes.new_unknown:
        text += f", {plural(len(changes.new_unknown), 'check')} newly unknown"
    return f"{text}, {fixed}" if fixed else text
