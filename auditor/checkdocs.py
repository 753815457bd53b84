"""Renders the check catalogue (docs/checks.md) and one check's page from the checks' metadata.

Regenerate the file with ``python -m auditor.checkdocs``; a test fails when it is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from checks import all_checks
from checks.base import CheckMeta

DOCS_PATH = Path(__file__).resolve().parent.parent / "docs" / "checks.md"
SEED = "seeds/000_d9ec1ff19514a6b3.txt"

_HEADER = f"""# Checks

<!-- Generated from the checks' metadata by `python -m auditor.checkdocs`; do not edit. -->

Every check gives each resource in its scope exactly one result per scan: `PASS`, `FAIL`,
`UNKNOWN` (the data needed to decide was not collected: the message names what is missing) or
`MUTED` (a FAIL covered by a suppression rule). Each check rests on a sentence of the seed page
(`{SEED}`, the Japanese "Fargate task networking" page of the Amazon ECS guide), quoted with
an English rendering; quotes from the page's traffic table join its cells with " / ".

| Check | Severity | Scope |
| --- | --- | --- |
"""


_MUTING = """
## Muting findings

Point `suppressions_file` (`AUDITOR_SUPPRESSIONS_FILE`) at a TOML or YAML file with a `rules`
list. A FAIL that a rule matches becomes MUTED and carries the rule in its evidence; MUTED and
UNKNOWN never trip `--fail-on`. Every rule needs a `reason` and at least one matcher; globs
(`*`, `?`) work in `check`, `region`, `resource` and tag values. After `expires` (the last day
the rule mutes) the rule stops muting and the scan reports it.

```toml
[[rules]]
check = "vpc-flow-logs"
account = "123456789012"
region = "eu-west-1"
resource = "vpc-0abc*"
tags = { team = "data" }
reason = "Flow logs go to the organisation trail bucket"
expires = 2027-03-31
```

Some UNKNOWNs are UNKNOWN by design, not for missing data: their findings carry an
`unknown_reason` (`beyond-aws`: egress leaves AWS through a virtual private gateway or Outposts
local gateway; `appliance`: a NAT instance, proxy or Gateway Load Balancer appliance decides;
`account-not-scanned`: a resource on the path belongs to an account that was not scanned;
`not-modelled`: a hop kind the evaluator does not follow). A rule with `unknown_reason` mutes
the UNKNOWNs of that class (and never a FAIL, nor an UNKNOWN caused by missing data):

```toml
[[rules]]
unknown_reason = "beyond-aws"
reason = "Egress goes on-premises through the corporate proxy"
```
"""


def _bullets(lines: tuple[str, ...]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def _code(lines: tuple[str, ...]) -> str:
    return "```sh\n" + "\n".join(lines) + "\n```"


def render_check(meta: CheckMeta, *, level: int = 2) -> str:
    """The Markdown documentation of one check (also what ``auditor explain`` prints)."""
    heading = "#" * level
    sub = "#" * (level + 1)
    parts = [
        f"{heading} `{meta.id}`: {meta.title}",
        f"**Severity:** {meta.severity.value}  \n**Scope:** {meta.scope}  \n"
        f"**Resource types:** {', '.join(f'`{t.value}`' for t in meta.resource_types)}",
        f"{sub} Seed\n\n> {meta.seed_quote}\n\n{meta.seed_english}",
        f"{sub} Why\n\n{meta.rationale}",
        f"{sub} Fix\n\n{meta.remediation}",
    ]
    if meta.console_steps:
        parts.append(f"Console:\n\n{_bullets(meta.console_steps)}")
    if meta.cli_steps:
        parts.append(f"CLI:\n\n{_code(meta.cli_steps)}")
    if meta.limitations:
        parts.append(f"{sub} Limits\n\n{_bullets(meta.limitations)}")
    data = f"{sub} Data\n\nCollectors: {', '.join(f'`{n}`' for n in meta.needs)}."
    if meta.optional_needs:
        data += (
            f" Optional (only add precision): {', '.join(f'`{n}`' for n in meta.optional_needs)}."
        )
    parts.append(data)
    if meta.references:
        parts.append(f"{sub} References\n\n{_bullets(meta.references)}")
    return "\n\n".join(parts) + "\n"


def render_catalogue() -> str:
    checks = all_checks()
    rows = "".join(
        f"| [`{c.meta.id}`](#{c.meta.id}) | {c.meta.severity.value} | {c.meta.scope} |\n"
        for c in checks
    )
    pages = "\n".join(f'<a id="{c.meta.id}"></a>\n\n{render_check(c.meta)}' for c in checks)
    return f"{_HEADER}{rows}{_MUTING}\n{pages}"


def main() -> int:
    DOCS_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOCS_PATH.write_text(render_catalogue(), encoding="utf-8")
    sys.stdout.write(f"wrote {DOCS_PATH}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
