"""The Block Kit message about what changed, rendered from ``templates/slack_message.json.j2``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from auditor.history import Changes
from auditor.notify.mrkdwn import code, escape
from auditor.report.catalogue import check_title
from auditor.report.headline import headline
from auditor.report.templating import environment, plural
from auditor.store.scans import Finding

# Slack's limits (https://api.slack.com/reference/block-kit/blocks).
MAX_BLOCKS = 50
MAX_TEXT = 3000
MAX_HEADER = 150


def _item(finding: Finding) -> str:
    name = code(finding.resource_name or finding.resource_id, 120)
    where = f"{code(finding.account_id, 20)} {code(finding.region, 30)}"
    return f"• {name} in {where}\n      {code(finding.message, 300)}"


def _new_failure_groups(findings: Sequence[Finding]) -> list[str]:
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.check_id, []).append(finding)
    return [
        f"*{escape(check_title(check_id))}* ({escape(items[0].severity)}, "
        f"{plural(len(items), 'new failure')})\n" + "\n".join(_item(f) for f in items)
        for check_id, items in groups.items()
    ]


def _names(findings: Sequence[Finding], top_n: int) -> str:
    shown = ", ".join(
        f"{code(f.resource_name or f.resource_id, 80)} ({escape(f.check_id)})"
        for f in findings[:top_n]
    )
    more = len(findings) - top_n
    return shown + (f" and {more} more" if more > 0 else "")


def slack_payload(changes: Changes, *, top_n: int, report_hint: str) -> dict[str, Any]:
    """The webhook payload: new FAILs by check (top N), fixed ones, new UNKNOWNs, the report."""
    line = headline(changes)
    scans = ", ".join(f"{scan.account_id} ({', '.join(scan.regions)})" for scan in changes.scans)
    summary = f"*{escape(line)}* since the previous scan of {code(scans, 500)}."
    if not changes.has_baseline:
        summary = f"*{escape(line)}* in the first complete scan of {code(scans, 500)}."
    if changes.not_reevaluated:
        summary += (
            f"\n{plural(len(changes.not_reevaluated), 'earlier failure')} not evaluated "
            "again: the scan was partial."
        )
    resolved = (
        f"*Fixed ({len(changes.resolved)})*: {_names(changes.resolved, top_n)}"
        if changes.resolved
        else ""
    )
    unknown = (
        f"*Newly unknown ({len(changes.new_unknown)})*, could not be evaluated:\n"
        + "\n".join(_item(f) for f in changes.new_unknown[:top_n])
        + (
            f"\nand {len(changes.new_unknown) - top_n} more"
            if len(changes.new_unknown) > top_n
            else ""
        )
        if changes.new_unknown
        else ""
    )
    rendered = (
        environment()
        .get_template("slack_message.json.j2")
        .render(
            fallback=f"auditor: {line}",
            title=f"auditor: {line}"[:MAX_HEADER],
            summary=summary,
            new_groups=_new_failure_groups(changes.new_failures[:top_n]),
            more_new=max(0, len(changes.new_failures) - top_n),
            resolved=resolved,
            unknown=unknown,
            where=report_hint,
        )
    )
    payload: dict[str, Any] = json.loads(rendered)
    return within_limits(payload)


def _shorten(text: str) -> str:
    if len(text) <= MAX_TEXT:
        return text
    cut = text.rfind("\n", 0, MAX_TEXT - 40)
    return text[: cut if cut > 0 else MAX_TEXT - 40] + "\n… (shortened, see the full report)"


def within_limits(payload: dict[str, Any]) -> dict[str, Any]:
    """Cap every text at 3,000 characters and the message at 50 blocks (keeping the last)."""
    payload["text"] = _shorten(payload["text"])
    blocks: list[dict[str, Any]] = payload["blocks"]
    if len(blocks) > MAX_BLOCKS:
        blocks[:] = [*blocks[: MAX_BLOCKS - 1], blocks[-1]]
    for block in blocks:
        for holder in [block.get("text"), *block.get("elements", [])]:
            if isinstance(holder, dict) and "text" in holder:
                holder["text"] = _shorten(holder["text"])
    return payload
