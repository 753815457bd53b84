"""The Block Kit message about what changed, rendered from ``templates/slack_message.json.j2``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from auditor.history import Changes
from auditor.notify.mrkdwn import code, escape, plain
from auditor.report.causes import RootCause, RootCauses, worst_new
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


def _cause_section(cause: RootCause, top_n: int) -> str:
    """One root cause: what broke and whom it affects, then where and which services."""
    services = [w for w in cause.workloads if w.owner.startswith("service ")]
    names = ", ".join(code(w.owner.removeprefix("service "), 80) for w in services[:top_n])
    if len(services) > top_n:
        names += f" and {len(services) - top_n} more"
    where = f"{code(cause.account_id, 20)} {code(cause.region, 30)}"
    if cause.clusters:
        where += " cluster " + ", ".join(code(c, 80) for c in cause.clusters[:top_n])
    text = (
        f"*{plain(cause.brief)}*\n"
        f"{escape(cause.status)} · {escape(cause.severity)} · {where}"
        + (f"\nServices: {names}" if names else "")
    )
    if not services:
        text += "\n" + "\n".join(_item(f) for f in cause.findings[:3])
    return text


def _names(findings: Sequence[Finding], top_n: int) -> str:
    shown = ", ".join(
        f"{code(f.resource_name or f.resource_id, 80)} ({escape(f.check_id)})"
        for f in findings[:top_n]
    )
    more = len(findings) - top_n
    return shown + (f" and {more} more" if more > 0 else "")


def title_line(changes: Changes, causes: RootCauses) -> str:
    """The worst new root cause, else what changed in findings."""
    worst = worst_new(causes)
    if worst is None:
        return headline(changes)
    more = len(causes.new) - 1
    return worst.brief + (f" (+{plural(more, 'other new root cause')})" if more else "")


def account_line(part: Changes, top_n: int) -> str:
    """One account of a run: what changed against its own previous scan, new failures named."""
    scan = part.scans[0]
    counts = (
        f"{plural(len(part.new_failures), 'new failure')}, {len(part.resolved)} fixed, "
        f"{len(part.still_failing)} still failing, {len(part.new_unknown)} newly unknown"
    )
    since = "since its previous scan" if part.has_baseline else "in its first complete scan"
    line = (
        f"*Account {code(scan.account_id, 20)}* ({escape(scan.status)}, "
        f"{code(', '.join(scan.regions), 200)}): {counts} {since}"
    )
    if part.new_failures:
        line += f"\n      New: {_names(part.new_failures, top_n)}"
    if part.resolved:
        line += f"\n      Fixed: {_names(part.resolved, top_n)}"
    return line


def account_sections(parts: Sequence[Changes], top_n: int) -> list[str]:
    """Section texts of a run's accounts: those with changes one line each (several lines to
    a section, each section within Slack's limit), those without counted in one line."""
    quiet = [p for p in parts if p.is_empty]
    lines = [account_line(p, top_n) for p in parts if not p.is_empty]
    if quiet:
        names = ", ".join(code(p.scans[0].account_id, 20) for p in quiet[:top_n])
        more = f" and {len(quiet) - top_n} more" if len(quiet) > top_n else ""
        lines.append(f"Nothing changed in {plural(len(quiet), 'account')}: {names}{more}")
    sections: list[str] = []
    for line in lines:
        if sections and len(sections[-1]) + len(line) + 1 <= MAX_TEXT - 100:
            sections[-1] += "\n" + line
        else:
            sections.append(line)
    return sections


def slack_payload(
    changes: Changes,
    causes: RootCauses,
    *,
    top_n: int,
    report_hint: str,
    run_id: str | None = None,
    accounts: Sequence[Changes] = (),
) -> dict[str, Any]:
    """The webhook payload: new root causes (top N), fixed ones, what is still open; for a
    run (``run_id``), a section per account of ``accounts`` (each scan's own diff)."""
    line = title_line(changes, causes)
    scans = ", ".join(f"{scan.account_id} ({', '.join(scan.regions)})" for scan in changes.scans)
    counts = (
        f"{plural(len(causes.new), 'new root cause')}, {len(causes.open)} still open, "
        f"{len(causes.fixed)} fixed ({escape(headline(changes))})"
    )
    summary = f"*{counts}* since the previous scan of {code(scans, 500)}."
    if not changes.has_baseline:
        summary = f"*{counts}* in the first complete scan of {code(scans, 500)}."
    if run_id is not None:
        summary = (
            f"*{counts}* in run {code(run_id, 40)} of "
            f"{plural(len(changes.scans), 'account')}, each against its own previous scan."
        )
        line = f"run {run_id[:8]}: {line}"
    if changes.not_reevaluated:
        summary += (
            f"\n{plural(len(changes.not_reevaluated), 'earlier failure')} not evaluated "
            "again: the scan was partial."
        )
    resolved = ""
    if causes.fixed or changes.resolved:
        resolved = f"*Fixed: {plural(len(causes.fixed), 'root cause')}*" + "".join(
            f"\n• {plain(c.brief)}" for c in causes.fixed[:top_n]
        )
        if len(causes.fixed) > top_n:
            resolved += f"\nand {len(causes.fixed) - top_n} more"
        if changes.resolved:
            resolved += (
                f"\n{plural(len(changes.resolved), 'finding')} fixed: "
                f"{_names(changes.resolved, top_n)}"
            )
    unknown = (
        f"*Still open ({len(causes.open)})*: "
        + "; ".join(plain(c.brief) for c in causes.open[:3])
        + (f" and {len(causes.open) - 3} more" if len(causes.open) > 3 else "")
        if causes.open
        else ""
    )
    rendered = (
        environment()
        .get_template("slack_message.json.j2")
        .render(
            fallback=f"auditor: {line}",
            title=f"auditor: {line}"[:MAX_HEADER],
            summary=summary,
            account_sections=account_sections(accounts, top_n),
            new_groups=[_cause_section(c, top_n) for c in causes.new[:top_n]],
            more_new=max(0, len(causes.new) - top_n),
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
