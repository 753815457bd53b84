"""Suppression rules: a FAIL that a rule covers becomes MUTED, with the rule in its evidence.

The file is TOML or YAML (by extension) with a ``rules`` list::

    [[rules]]
    check = "vpc-flow-logs"          # a check ID, or a glob such as "*-path"
    account = "123456789012"
    region = "eu-west-1"
    resource = "vpc-0abc*"           # glob on the resource ID
    tags = { team = "data" }         # every tag must match (values may be globs)
    reason = "Flow logs go to the org trail bucket instead"   # required
    expires = 2027-03-31             # optional; the last day the rule mutes

    [[rules]]
    unknown_reason = "beyond-aws"    # mutes UNKNOWNs of this class (see docs/output.md)
    reason = "Egress goes on-premises through the corporate proxy"

A rule needs a reason and at least one matcher. Rules mute FAILs; a rule with
``unknown_reason`` mutes instead the UNKNOWNs of that class (egress beyond AWS, appliances...),
never a FAIL, and never an UNKNOWN caused by missing data. After its expiry date a rule stops
muting and is reported, so a forgotten exception resurfaces instead of hiding a finding for ever.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from auditor.catalogue import check_ids as catalogue_ids
from auditor.findings import Result, Status
from auditor.inventory import Inventory

_KEYS = frozenset(
    {"check", "account", "region", "resource", "tags", "reason", "expires", "unknown_reason"}
)
_MATCHERS = ("check", "account", "region", "resource", "tags", "unknown_reason")
UNKNOWN_REASONS = ("beyond-aws", "appliance", "account-not-scanned", "not-modelled")
_ACCOUNT = re.compile(r"^\d{12}$")

TagsOf = Callable[[Result], Mapping[str, str]]


class SuppressionFileError(ValueError):
    """The suppression file cannot be used; the message is one line naming file and key."""


@dataclass(frozen=True, kw_only=True)
class Rule:
    index: int
    reason: str
    check: str | None = None
    account: str | None = None
    region: str | None = None
    resource: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    expires: dt.date | None = None
    unknown_reason: str | None = None
    source: str = ""

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and today > self.expires

    def covers_status(self, result: Result) -> bool:
        """Plain rules cover FAILs; ``unknown_reason`` rules the UNKNOWNs of their class."""
        if self.unknown_reason is None:
            return result.status is Status.FAIL
        return (
            result.status is Status.UNKNOWN
            and result.evidence.get("unknown_reason") == self.unknown_reason
        )

    def matches(self, result: Result, tags_of: TagsOf | None) -> bool:
        if not self.covers_status(result) or (
            self.check is not None and not fnmatchcase(result.check_id, self.check)
        ):
            return False
        if self.account is not None and result.account_id != self.account:
            return False
        if self.region is not None and not fnmatchcase(result.region, self.region):
            return False
        if self.resource is not None and not fnmatchcase(result.resource_id, self.resource):
            return False
        if self.tags:
            tags = tags_of(result) if tags_of is not None else {}
            return all(
                key in tags and fnmatchcase(str(tags[key]), value)
                for key, value in self.tags.items()
            )
        return True

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {"rule": self.index, "reason": self.reason}
        for name in _MATCHERS:
            value = getattr(self, name)
            if value:
                described[name] = dict(value) if name == "tags" else value
        if self.expires is not None:
            described["expires"] = self.expires.isoformat()
        if self.source:
            described["file"] = self.source
        return described


@dataclass(frozen=True, kw_only=True)
class ExpiredRule:
    """A rule past its expiry date, and how many FAILs it would otherwise have muted."""

    rule: Rule
    unmuted: int

    def message(self) -> str:
        expires = self.rule.expires.isoformat() if self.rule.expires else "?"
        return (
            f"suppression rule {self.rule.index} ({self.rule.reason!r}) expired on {expires} "
            f"and no longer mutes {self.unmuted} finding(s)"
        )


@dataclass(frozen=True, kw_only=True)
class MutedResults:
    """The check results with the mutelist applied, and the rules that have expired."""

    results: list[Result]
    expired: list[ExpiredRule]


# ------------------------------------------------------------------------------ loading


def _read(path: Path) -> Any:
    suffix = path.suffix.lower()
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise SuppressionFileError(f"{path}: suppression file not found") from None
    except OSError as error:
        raise SuppressionFileError(f"{path}: cannot read: {error.strerror}") from None
    try:
        if suffix == ".toml":
            return tomllib.loads(text.decode("utf-8"))
        if suffix in (".yaml", ".yml"):
            # BaseLoader keeps every scalar a string: an unquoted account ID such as
            # 012345670123 would otherwise be read as an octal number.
            return yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506  (BaseLoader is safe)
    except (tomllib.TOMLDecodeError, yaml.YAMLError, UnicodeDecodeError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else "syntax"
        kind = suffix[1:].upper()
        raise SuppressionFileError(f"{path}: not valid {kind}: {first_line}") from None
    raise SuppressionFileError(f"{path}: use a .toml, .yaml or .yml suppression file")


def _text(path: Path, where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SuppressionFileError(f"{path}: {where}: expected a non-empty string")
    return value.strip()


def _account(path: Path, where: str, value: Any) -> str:
    text = _text(path, where, value)
    if not _ACCOUNT.match(text):
        raise SuppressionFileError(f"{path}: {where}: account IDs are 12 digits, got {text!r}")
    return text


def _expiry(path: Path, where: str, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise SuppressionFileError(f"{path}: {where}: expected a date such as 2027-03-31")


def _unknown_reason(path: Path, where: str, value: Any) -> str:
    text = _text(path, where, value)
    if text not in UNKNOWN_REASONS:
        raise SuppressionFileError(
            f"{path}: {where}: expected one of {', '.join(UNKNOWN_REASONS)}, got {text!r}"
        )
    return text


def _tags(path: Path, where: str, value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or not value:
        raise SuppressionFileError(f"{path}: {where}: expected a table of tag = value")
    return {str(k): _text(path, f"{where}.{k}", v) for k, v in value.items()}


def _rule(path: Path, index: int, entry: Any, check_ids: Set[str]) -> Rule:
    where = f"rules[{index}]"
    if not isinstance(entry, Mapping):
        raise SuppressionFileError(f"{path}: {where}: expected a table of rule keys")
    unknown = sorted(set(map(str, entry)) - _KEYS)
    if unknown:
        raise SuppressionFileError(f"{path}: {where}.{unknown[0]}: unknown key")
    if "reason" not in entry:
        raise SuppressionFileError(f"{path}: {where}.reason: required (say why it is muted)")
    if not any(name in entry for name in _MATCHERS):
        raise SuppressionFileError(f"{path}: {where}: give at least one of {', '.join(_MATCHERS)}")
    check = _text(path, f"{where}.check", entry["check"]) if "check" in entry else None
    if check is not None and not any(fnmatchcase(c, check) for c in check_ids):
        raise SuppressionFileError(f"{path}: {where}.check: no check matches {check!r}")
    return Rule(
        index=index,
        reason=_text(path, f"{where}.reason", entry["reason"]),
        check=check,
        account=_account(path, f"{where}.account", entry["account"])
        if "account" in entry
        else None,
        region=_text(path, f"{where}.region", entry["region"]) if "region" in entry else None,
        resource=_text(path, f"{where}.resource", entry["resource"])
        if "resource" in entry
        else None,
        tags=_tags(path, f"{where}.tags", entry["tags"]) if "tags" in entry else {},
        expires=_expiry(path, f"{where}.expires", entry["expires"]) if "expires" in entry else None,
        unknown_reason=_unknown_reason(path, f"{where}.unknown_reason", entry["unknown_reason"])
        if "unknown_reason" in entry
        else None,
        source=str(path),
    )


def load_rules(path: str | Path) -> list[Rule]:
    """Rules from a TOML or YAML file; raises :class:`SuppressionFileError` (one line)."""
    path = Path(path)
    data = _read(path)
    if data is None:
        return []
    if not isinstance(data, Mapping):
        raise SuppressionFileError(f"{path}: expected a top-level table with a 'rules' list")
    extra = sorted(set(map(str, data)) - {"rules"})
    if extra:
        raise SuppressionFileError(f"{path}: {extra[0]}: unknown key (expected 'rules')")
    entries = data.get("rules") or []
    if not isinstance(entries, list):
        raise SuppressionFileError(f"{path}: rules: expected a list of rules")
    check_ids = catalogue_ids()
    return [_rule(path, index, entry, check_ids) for index, entry in enumerate(entries)]


# ------------------------------------------------------------------------------ tags


def _tags_of_raw(raw: Mapping[str, Any]) -> dict[str, str]:
    """Tags as EC2 (``Tags: [{Key, Value}]``) or ECS (``tags: [{key, value}]``) return them."""
    tags: dict[str, str] = {}
    for entry in raw.get("Tags") or []:
        if isinstance(entry, Mapping) and "Key" in entry:
            tags[str(entry["Key"])] = str(entry.get("Value", ""))
    for entry in raw.get("tags") or []:
        if isinstance(entry, Mapping) and "key" in entry:
            tags[str(entry["key"])] = str(entry.get("value", ""))
    return tags


def tags_from_inventory(inventory: Inventory) -> TagsOf:
    """A ``tags_of`` for :func:`apply`: the tags of each result's resource, from the raw
    items of the scan (tasks, services, task definitions, VPCs)."""
    index: dict[str, dict[str, str]] = {}
    for task in inventory.tasks:
        index[task.task_arn] = _tags_of_raw(task.raw)
    for service in inventory.services:
        index[service.service_arn] = _tags_of_raw(service.raw)
    for definition in inventory.task_definitions:
        index[definition.task_definition_arn] = _tags_of_raw(definition.raw)
    for vpc in inventory.vpcs:
        index[vpc.vpc_id] = _tags_of_raw(vpc.raw)
    return lambda result: index.get(result.resource_id, {})


# ------------------------------------------------------------------------------ applying


def apply(
    results: Iterable[Result],
    rules: Sequence[Rule],
    *,
    today: dt.date,
    tags_of: TagsOf | None = None,
) -> tuple[list[Result], list[str]]:
    """The results with covered FAILs MUTED, and one line per expired rule.

    See :func:`apply_detailed` for the expired rules as objects.
    """
    muted = apply_detailed(results, rules, today=today, tags_of=tags_of)
    return muted.results, [e.message() for e in muted.expired]


def apply_detailed(
    results: Iterable[Result],
    rules: Sequence[Rule],
    *,
    today: dt.date,
    tags_of: TagsOf | None = None,
) -> MutedResults:
    """MUTE the FAILs a live rule covers (and the classed UNKNOWNs an ``unknown_reason`` rule
    covers); report every expired rule.

    ``tags_of`` gives a result's resource tags (rules with ``tags`` never match without it).
    The first live rule that matches is the one recorded in the evidence.
    """
    live = [r for r in rules if not r.expired(today)]
    expired = [r for r in rules if r.expired(today)]
    unmuted = dict.fromkeys((r.index for r in expired), 0)
    out: list[Result] = []
    for result in results:
        if result.status not in (Status.FAIL, Status.UNKNOWN):
            out.append(result)
            continue
        rule = next((r for r in live if r.matches(result, tags_of)), None)
        for old in expired:
            if old.matches(result, tags_of):
                unmuted[old.index] += 1
        if rule is None:
            out.append(result)
            continue
        out.append(
            replace(
                result,
                status=Status.MUTED,
                evidence={**result.evidence, "muted_by": rule.describe()},
            )
        )
    return MutedResults(
        results=out,
        expired=[ExpiredRule(rule=r, unmuted=unmuted[r.index]) for r in expired],
    )
