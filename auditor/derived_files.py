"""The repository files derived from the declarations, so none of them is edited by hand.

    python3 scripts/dev.py generate     # rewrite them; a test fails while any is stale

- docs/checks.md: the check catalogue, from the checks' metadata (``auditor.checkdocs``);
- auditor/catalogue.json: the checks' titles and remediation for readers of findings;
- docs/schema.md: every table, from the SQLAlchemy declarations (``auditor.store.schemadoc``);
- docs/iam-policy.md: the policy JSON and the per-collector table, from the collectors;
- deploy/*.yaml: the ``AuditorReadOnly`` statement's action list, from the same policy.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from auditor import catalogue, checkdocs
from auditor.store import schemadoc
from checks import all_checks
from collectors.registry import COLLECTORS, iam_policy, required_actions

ROOT = Path(__file__).resolve().parent.parent

_POLICY_BLOCK = re.compile(r"(## The policy\n\n```json\n).*?(\n```\n)", re.DOTALL)
_ACTION_TABLE = re.compile(r"(\| Collector \| Actions \| Why \|\n\|---\|---\|---\|\n)(?:\|.*\n)*")
# The action list of the AuditorReadOnly statement: "Action:" then one "- action" per line.
_TEMPLATE_ACTIONS = re.compile(
    r"(- Sid: AuditorReadOnly\n(?P<indent> +)Effect: Allow\n(?P=indent)Action:\n)"
    r"(?:(?P=indent)  - .*\n)+"
)


def _replace_once(
    pattern: re.Pattern[str], text: str, replace: Callable[[re.Match[str]], str]
) -> str:
    result, count = pattern.subn(replace, text, count=1)
    if count != 1:
        raise ValueError(f"generated block not found: {pattern.pattern[:40]}")
    return result


def iam_policy_doc(current: str) -> str:
    policy = json.dumps(iam_policy(), indent=2)
    rows = "".join(
        f"| `{c.name}` | {', '.join(f'`{a}`' for a in c.actions)} | {c.purpose}"
        + (f"; called only when {c.needed_when.when}" if c.needed_when else "")
        + " |\n"
        for c in sorted(COLLECTORS, key=lambda c: c.name)
    )
    text = _replace_once(_POLICY_BLOCK, current, lambda m: m[1] + policy + m[2])
    return _replace_once(_ACTION_TABLE, text, lambda m: m[1] + rows)


def deploy_template(current: str) -> str:
    def actions(match: re.Match[str]) -> str:
        item = match["indent"] + "  - "
        return match[1] + "".join(f"{item}{action}\n" for action in required_actions())

    return _replace_once(_TEMPLATE_ACTIONS, current, actions)


DERIVED: dict[str, Callable[[str], str]] = {
    "docs/checks.md": lambda _current: checkdocs.render_catalogue(),
    "auditor/catalogue.json": lambda _current: catalogue.render(
        [check.meta for check in all_checks()]
    ),
    "docs/schema.md": lambda _current: schemadoc.render(),
    "docs/iam-policy.md": iam_policy_doc,
    "deploy/member-account-role.yaml": deploy_template,
    "deploy/ecs-auditor.yaml": deploy_template,
}


def rendered(root: Path = ROOT) -> dict[Path, str]:
    """Each derived file's path and the content it should have."""
    return {
        root / name: derive((root / name).read_text(encoding="utf-8"))
        for name, derive in DERIVED.items()
    }


def main() -> None:
    for path, content in rendered().items():
        if path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
            print(f"rewrote {path.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
