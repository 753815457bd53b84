"""AWS Network Firewall: what a firewall's policy does to a task's HTTPS connections.

A firewall judges each packet twice. The stateless engine goes first: its rule groups by
priority, their rules by priority, then the policy's stateless default action (``aws:pass``
lets the packet out uninspected, ``aws:drop`` drops it, ``aws:forward_to_sfe`` hands it to
the stateful engine); it sees the request and the reply as separate packets. The stateful
engine then runs the stateful rule groups, in one of two orders
(https://docs.aws.amazon.com/network-firewall/latest/developerguide/suricata-rule-evaluation-order.html):

- ``DEFAULT_ACTION_ORDER``: every pass rule before any drop. A domain ``ALLOWLIST`` passes its
  names and drops every other name of its protocol; a ``DENYLIST`` (``REJECTLIST``) drops its
  names; traffic no rule drops passes (no stateful default action applies);
- ``STRICT_ORDER``: rule groups by priority, the first rule that matches decides; a domain
  allowlist only passes its names, and what nothing matched meets the policy's stateful
  default actions (``aws:drop_established`` and the ``_app_layer`` kinds drop after the
  handshake; ``aws:drop_strict`` drops the handshake too, before any name is seen).

Domain lists are read exactly: a name matches itself, and a leading dot matches the domain
and every subdomain; only ``TLS_SNI`` targets apply to the HTTPS traffic a task sends. They
match only traffic from ``HOME_NET`` (the firewall VPC's CIDRs unless the group or policy
overrides it). Suricata rule strings and 5-tuple stateful rules are not evaluated: a group
holding them gives UNKNOWN, naming it. So does anything not collected.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditor.store.resources import (
    NetworkFirewallFirewall,
    NetworkFirewallPolicy,
    NetworkFirewallRuleGroup,
)
from checks.reachability.destinations import HostNeed
from checks.reachability.model import Hop, UnknownReason
from checks.reachability.nacls import EPHEMERAL, HTTPS, TCP
from checks.reachability.routes import Network, covers, parse_network
from checks.support import (
    NETWORK_FIREWALL_FIREWALLS,
    NETWORK_FIREWALL_POLICIES,
    NETWORK_FIREWALL_RULE_GROUPS,
)

if TYPE_CHECKING:
    from checks.reachability.network import NetworkView

FIREWALL_STEP = "network-firewall"
# The hop a cached internet path carries until the hosts of one destination fill it in.
FIREWALL_RULES_STEP = "network-firewall-rules"

ACTION_PASS = "aws:pass"  # noqa: S105 (an action name)
ACTION_DROP = "aws:drop"
ACTION_FORWARD = "aws:forward_to_sfe"
_STANDARD = (ACTION_PASS, ACTION_DROP, ACTION_FORWARD)
_WORKING_ENDPOINT = ("READY", "SCALING")
# Stateful default actions (STRICT_ORDER) that drop what no rule passed.
_DROP_ESTABLISHED = (
    "aws:drop_established",
    "aws:drop_established_app_layer",
    "aws:drop_established_app_layer_to_server",
)
_DROP_STRICT = "aws:drop_strict"
_ALERTS = (
    "aws:alert_strict",
    "aws:alert_established",
    "aws:alert_established_app_layer",
    "aws:alert_established_app_layer_to_server",
)
_DENYING_LISTS = ("DENYLIST", "REJECTLIST")
_DROP_TO_ALERT = "DROP_TO_ALERT"
_INTERNET = ipaddress.ip_network("0.0.0.0/0")


def group_label(group: NetworkFirewallRuleGroup | None, arn: str) -> str:
    return f"rule group {group.rule_group_name if group and group.rule_group_name else arn}"


def firewall_label(firewall: NetworkFirewallFirewall) -> str:
    return f"Network Firewall {firewall.firewall_name or firewall.firewall_arn}"


# ------------------------------------------------------------------------- the firewall


def endpoint_hops(firewall: NetworkFirewallFirewall, endpoint_id: str) -> list[Hop]:
    """The firewall and the endpoint the route uses must both be working."""
    endpoint = next((e for e in firewall.endpoints if e.get("endpoint_id") == endpoint_id), {})
    status = str(firewall.status or "unknown")
    endpoint_status = str(endpoint.get("status") or "unknown")
    ok = status == "READY" and endpoint_status in _WORKING_ENDPOINT
    hops = [
        Hop(
            step=FIREWALL_STEP,
            subject=endpoint_id,
            ok=ok,
            detail=f"{firewall_label(firewall)} is {status}; its endpoint {endpoint_id} in "
            f"{endpoint.get('availability_zone') or 'its AZ'} (subnet "
            f"{endpoint.get('subnet_id') or '?'}) is {endpoint_status}",
        )
    ]
    if firewall.no_source_preservation:
        hops.append(
            Hop(
                step=FIREWALL_STEP,
                subject=firewall.firewall_arn,
                ok=None,
                detail=f"{firewall_label(firewall)} runs in proxy mode (NoSourcePreservation): "
                "whether Fargate's pulls go through its proxy cannot be seen",
                unknown_reason=UnknownReason.APPLIANCE,
            )
        )
    return hops


def firewall_subnet(firewall: NetworkFirewallFirewall, endpoint_id: str) -> str | None:
    endpoint = next((e for e in firewall.endpoints if e.get("endpoint_id") == endpoint_id), {})
    subnet = endpoint.get("subnet_id")
    return str(subnet) if subnet else None


def rules_placeholder(firewall: NetworkFirewallFirewall, source: Network | None) -> Hop:
    """Stands in the cached path for the rules' verdict on one destination's host names."""
    return Hop(
        step=FIREWALL_RULES_STEP,
        subject=firewall.firewall_arn,
        ok=None,
        detail=f"{firewall_label(firewall)} inspects this traffic"
        + (f" from {source}" if source is not None else "")
        + ": which host names it needs is not known here, so its rules are not proven",
        unknown_reason=UnknownReason.APPLIANCE,
        inspect=(firewall.firewall_arn, str(source) if source is not None else None),
    )


# ---------------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Verdict:
    """What one engine does to the traffic: ``action`` pass / drop / forward, or None when
    it cannot be told; ``detail`` says which rule or default decided."""

    action: str | None
    detail: str
    reason: UnknownReason | None = None


def _within(networks: Sequence[Network], source: Network) -> bool | None:
    """True if ``source`` lies inside ``networks``, False if outside, None if in part."""
    if any(covers(n, source) for n in networks):
        return True
    if any(n.version == source.version and n.overlaps(source) for n in networks):
        return None
    return False


def _address_match(definitions: Sequence[str], side: Network) -> bool | None:
    """Whether a rule's address list (empty: any) matches a packet side of ``side``."""
    if not definitions:
        return True
    networks = [n for n in (parse_network(d) for d in definitions) if n is not None]
    if len(networks) != len(definitions):
        return None
    return _within(networks, side)


def _port_match(ranges: Sequence[Sequence[int]], ports: tuple[int, int]) -> bool | None:
    if not ranges:
        return True
    low, high = ports
    if any(r[0] <= low and high <= r[1] for r in ranges):
        return True
    if any(r[0] <= high and low <= r[1] for r in ranges):
        return None
    return False


def _stateless_match(rule: dict[str, Any], packet: _Packet) -> bool | None:
    protocols = rule.get("protocols") or []
    if protocols and TCP not in protocols:
        return False
    parts = [
        _address_match(rule.get("sources") or [], packet.source),
        _address_match(rule.get("destinations") or [], packet.destination),
        _port_match(rule.get("source_ports") or [], packet.source_ports),
        _port_match(rule.get("destination_ports") or [], packet.destination_ports),
    ]
    if False in parts:
        return False
    if None in parts or rule.get("tcp_flags"):
        # A TCP flags condition matches some packets of the connection and not others.
        return None
    return True


def _standard_action(actions: Sequence[str]) -> str | None:
    return next((a for a in actions if a in _STANDARD), None)


@dataclass(frozen=True)
class _Packet:
    label: str
    source: Network
    destination: Network
    source_ports: tuple[int, int]
    destination_ports: tuple[int, int]


def stateless_verdict(  # noqa: PLR0911 (one return per way the engine decides)
    net: NetworkView, policy: NetworkFirewallPolicy, packet: _Packet, region: str
) -> Verdict:
    """The stateless engine on one packet: the first rule that surely matches decides; a rule
    that may match ahead of it with another action leaves the verdict open."""
    open_rule: str | None = None
    references = sorted(policy.stateless_rule_groups, key=lambda r: r.get("priority") or 0)
    for reference in references:
        arn = str(reference["arn"])
        group = net.inventory.rule_group_by_arn.get(arn)
        if group is None:
            return Verdict(None, _group_missing(net, arn, region))
        for rule in sorted(group.stateless_rules, key=lambda r: int(r.get("priority") or 0)):
            action = _standard_action(rule.get("actions") or [])
            matched = _stateless_match(rule, packet)
            if matched is False:
                continue
            where = f"stateless {group_label(group, arn)} rule priority {rule.get('priority')}"
            if action is None:
                return Verdict(None, f"{where} has no standard action")
            if matched is None:
                open_rule = open_rule or f"{where} ({action}) may match {packet.label}"
                continue
            if open_rule is not None:
                return Verdict(None, f"{open_rule}, ahead of {where} ({action})")
            return Verdict(action, f"{where} takes {action} for {packet.label}")
    default = _standard_action(policy.stateless_default_actions)
    where = f"the stateless default action {default or policy.stateless_default_actions}"
    if open_rule is not None:
        return Verdict(None, f"{open_rule}, ahead of {where}")
    if default is None:
        return Verdict(None, f"{where} names no standard action")
    return Verdict(default, f"{where} applies to {packet.label}")


def _group_missing(net: NetworkView, arn: str, region: str) -> str:
    missing = net.inventory.missing(region, (NETWORK_FIREWALL_RULE_GROUPS,))
    if missing:
        reason = net.inventory.describe_missing(region, (NETWORK_FIREWALL_RULE_GROUPS,))
        return f"rule group {arn} was not collected ({reason})"
    return f"rule group {arn} is not in the inventory"


# ----------------------------------------------------------------------- domain lists


def domain_matches(target: str, host: str) -> bool:
    """A domain-list target against a host: exact, or a leading dot for the domain and all
    its subdomains (``.example.com`` matches example.com and a.example.com)."""
    target, host = target.lower().rstrip("."), host.lower().rstrip(".")
    if target.startswith("."):
        return host == target[1:] or host.endswith(target)
    return host == target


@dataclass(frozen=True)
class _Group:
    arn: str
    record: NetworkFirewallRuleGroup | None
    priority: int
    override: str | None


def _home_net(
    net: NetworkView,
    firewall: NetworkFirewallFirewall,
    policy: NetworkFirewallPolicy,
    group: NetworkFirewallRuleGroup,
) -> tuple[list[Network] | None, str]:
    definitions = group.home_net or policy.home_net
    if definitions is not None:
        where = "the rule group's" if group.home_net else "the policy's"
        networks = [n for n in (parse_network(d) for d in definitions) if n is not None]
        return networks, f"{where} HOME_NET ({', '.join(definitions)})"
    vpc = net.inventory.vpc_by_id.get(firewall.vpc_id)
    if vpc is None:
        return None, f"HOME_NET is the CIDR of {firewall.vpc_id}, which is not in the inventory"
    # Every IPv4 CIDR of the VPC (secondary ones are in CidrBlockAssociationSet).
    texts = [str(c.get("CidrBlock")) for c in vpc.raw.get("CidrBlockAssociationSet") or []]
    texts = texts or [vpc.cidr_block or ""]
    networks = [n for n in (parse_network(t) for t in texts if t) if n is not None]
    return networks, f"HOME_NET (the CIDRs of {firewall.vpc_id}: {', '.join(map(str, networks))})"


@dataclass(frozen=True)
class HostVerdict:
    need: HostNeed
    ok: bool | None
    detail: str
    reason: UnknownReason | None = None


class StatefulEngine:
    """The stateful rule groups of one policy, read once, judged per host name."""

    def __init__(
        self,
        net: NetworkView,
        firewall: NetworkFirewallFirewall,
        policy: NetworkFirewallPolicy,
        source: Network,
    ) -> None:
        self.strict = (policy.rule_order or "DEFAULT_ACTION_ORDER") == "STRICT_ORDER"
        self.policy = policy
        self.label = firewall_label(firewall)
        # (group, its verdict on the source's traffic): None for a group that applies, else
        # why it does not (outside HOME_NET) or why it cannot be read.
        self.groups: list[tuple[_Group, str | None, bool | None]] = []
        references = sorted(
            policy.stateful_rule_groups,
            key=lambda r: (r.get("priority") or 0) if self.strict else 0,
        )
        for reference in references:
            arn = str(reference["arn"])
            record = net.inventory.rule_group_by_arn.get(arn)
            group = _Group(
                arn, record, int(reference.get("priority") or 0), reference.get("override")
            )
            if record is None:
                self.groups.append((group, _group_missing(net, arn, firewall.region), None))
                continue
            readable = self._unreadable(record)
            if readable is not None:
                self.groups.append((group, readable, None))
                continue
            home, where = _home_net(net, firewall, policy, record)
            if home is None:
                self.groups.append((group, where, None))
                continue
            inside = _within(home, source)
            if inside is None:
                self.groups.append(
                    (group, f"{source} is only partly inside {where}, which its rules match", None)
                )
            else:
                self.groups.append((group, None if inside else where, inside))

    @staticmethod
    def _unreadable(group: NetworkFirewallRuleGroup) -> str | None:
        label = group_label(group, group.rule_group_arn)
        if group.has_rules_string:
            return f"{label} holds Suricata rules (RulesString), which are not evaluated"
        if group.stateful_rules:
            return f"{label} holds 5-tuple stateful rules, which are not evaluated"
        if group.domain_list is None:
            return f"{label} has no rules the evaluator reads"
        types = set(group.domain_list.get("target_types") or [])
        if types - {"TLS_SNI", "HTTP_HOST"}:
            return f"{label} matches {sorted(types)}, which is not evaluated"
        return None

    def judge(self, need: HostNeed) -> HostVerdict:
        if need.host is None:
            return self._unnamed(need)
        host = need.host
        if self.strict:
            return self._strict(need, host)
        return self._action_order(need, host)

    def _applying(self) -> list[tuple[_Group, NetworkFirewallRuleGroup, dict[str, Any]]]:
        found = []
        for group, _, inside in self.groups:
            record = group.record
            if (
                inside
                and record is not None
                and record.domain_list is not None
                and "TLS_SNI" in (record.domain_list.get("target_types") or [])
            ):
                found.append((group, record, record.domain_list))
        return found

    def _open(self) -> list[str]:
        return [why for _, why, inside in self.groups if inside is None and why is not None]

    def _listed(self, domain_list: dict[str, Any], host: str) -> str | None:
        return next(
            (t for t in domain_list.get("targets") or [] if domain_matches(str(t), host)), None
        )

    def _deny(self, need: HostNeed, group: _Group, why: str) -> HostVerdict:
        group_name = group_label(group.record, group.arn)
        detail = f"{self.label}: {group_name} {why} {need.host} ({need.purpose})"
        if not need.certain:
            return HostVerdict(
                need,
                None,
                detail + "; it is one of several hosts this service may use, so the pull "
                "may or may not need it",
            )
        return HostVerdict(need, False, detail)

    def _action_order(self, need: HostNeed, host: str) -> HostVerdict:
        applying = self._applying()
        allow = [(g, r, d) for g, r, d in applying if d.get("generated_rules_type") == "ALLOWLIST"]
        for group, _, domain_list in allow:
            target = self._listed(domain_list, host)
            if target is not None:
                return HostVerdict(
                    need,
                    True,
                    f"{self.label}: {group_label(group.record, group.arn)} allows {host} "
                    f"({need.purpose}) by {target} (pass rules come first in default action "
                    "order)",
                )
        opened = self._open()
        if opened:
            return HostVerdict(need, None, f"{self.label}: {opened[0]}", UnknownReason.APPLIANCE)
        # A group whose drops the policy turns into alerts (DROP_TO_ALERT) drops nothing.
        dropping = [(g, r, d) for g, r, d in applying if g.override != _DROP_TO_ALERT]
        for group, _, domain_list in dropping:
            kind = domain_list.get("generated_rules_type")
            if kind in _DENYING_LISTS and self._listed(domain_list, host) is not None:
                return self._deny(need, group, f"({kind}) denies")
        for group, _, domain_list in dropping:
            if domain_list.get("generated_rules_type") == "ALLOWLIST":
                return self._deny(need, group, "(ALLOWLIST) does not list, so drops,")
        return HostVerdict(
            need, True, f"{self.label}: no stateful rule drops {host} ({need.purpose})"
        )

    def _strict(self, need: HostNeed, host: str) -> HostVerdict:
        for group, why, inside in self.groups:
            if inside is None:
                return HostVerdict(need, None, f"{self.label}: {why}", UnknownReason.APPLIANCE)
            if not inside:
                continue
            record = group.record
            domain_list = record.domain_list if record is not None else None
            if domain_list is None or "TLS_SNI" not in (domain_list.get("target_types") or []):
                continue
            target = self._listed(domain_list, host)
            if target is None:
                continue
            kind = domain_list.get("generated_rules_type")
            if kind == "ALLOWLIST":
                return self._strict_pass(need, group, target)
            if kind in _DENYING_LISTS and group.override != _DROP_TO_ALERT:
                return self._deny(need, group, f"({kind}, strict order) denies")
            # An alert (a drop turned into one) does not end strict-order evaluation.
        return self._strict_default(need, host)

    def _strict_pass(self, need: HostNeed, group: _Group, target: str) -> HostVerdict:
        detail = (
            f"{self.label}: {group_label(group.record, group.arn)} passes {need.host} "
            f"({need.purpose}) by {target}"
        )
        if _DROP_STRICT in self.policy.stateful_default_actions:
            return HostVerdict(
                need,
                False,
                detail + f", but the stateful default action {_DROP_STRICT} drops the TCP "
                "handshake before the name is seen, and no rule read here passes it",
            )
        return HostVerdict(need, True, detail + " (strict order)")

    def _strict_default(self, need: HostNeed, host: str) -> HostVerdict:
        defaults = self.policy.stateful_default_actions
        unknown = [a for a in defaults if a not in (*_DROP_ESTABLISHED, _DROP_STRICT, *_ALERTS)]
        if unknown:
            return HostVerdict(
                need, None, f"{self.label}: stateful default action {unknown[0]} is not known"
            )
        drops = [a for a in defaults if a in (*_DROP_ESTABLISHED, _DROP_STRICT)]
        if drops:
            detail = (
                f"{self.label}: no rule group passes {host} ({need.purpose}) and the "
                f"stateful default action {drops[0]} drops it (strict order)"
            )
            if not need.certain:
                return HostVerdict(
                    need, None, detail + "; it is one of several hosts this service may use"
                )
            return HostVerdict(need, False, detail)
        return HostVerdict(
            need,
            True,
            f"{self.label}: no rule matches {host} ({need.purpose}) and the stateful default "
            f"actions ({', '.join(defaults) or 'none'}) let it through (strict order)",
        )

    def _unnamed(self, need: HostNeed) -> HostVerdict:
        filters = bool(self._applying()) or any(
            a in (*_DROP_ESTABLISHED, _DROP_STRICT) for a in self.policy.stateful_default_actions
        )
        if not filters and not self._open():
            return HostVerdict(need, True, f"{self.label}: no stateful rule filters host names")
        return HostVerdict(
            need,
            None,
            f"{self.label} filters by host name, and {need.purpose} cannot be named",
            UnknownReason.APPLIANCE,
        )


# ------------------------------------------------------------------------- the verdict


def _policy_of(
    net: NetworkView, firewall: NetworkFirewallFirewall
) -> tuple[NetworkFirewallPolicy | None, str]:
    policy = net.inventory.firewall_policy_by_arn.get(firewall.firewall_policy_arn)
    if policy is not None:
        return policy, ""
    region = firewall.region
    names = (NETWORK_FIREWALL_FIREWALLS, NETWORK_FIREWALL_POLICIES)
    if net.inventory.missing(region, names):
        return None, (
            f"policy {firewall.firewall_policy_arn} of {firewall_label(firewall)} was not "
            f"collected ({net.inventory.describe_missing(region, names)})"
        )
    return None, (
        f"policy {firewall.firewall_policy_arn} of {firewall_label(firewall)} is not in the "
        "inventory"
    )


def rules_hops(
    net: NetworkView,
    firewall: NetworkFirewallFirewall,
    source: Network | None,
    needs: Sequence[HostNeed],
) -> list[Hop]:
    """The firewall's policy on HTTPS from ``source`` to each of ``needs``."""
    label = firewall_label(firewall)
    subject = firewall.firewall_arn
    policy, problem = _policy_of(net, firewall)
    if policy is None:
        return [Hop(step=FIREWALL_RULES_STEP, subject=subject, ok=None, detail=problem)]
    if source is None:
        return [
            Hop(
                step=FIREWALL_RULES_STEP,
                subject=subject,
                ok=None,
                detail=f"{label}: the address the traffic arrives from is not known",
            )
        ]
    request = _Packet(
        f"the request (TCP {HTTPS} from {source})", source, _INTERNET, EPHEMERAL, (HTTPS, HTTPS)
    )
    reply = _Packet(
        f"the reply (TCP from port {HTTPS} to {source})",
        _INTERNET,
        source,
        (HTTPS, HTTPS),
        EPHEMERAL,
    )
    hops: list[Hop] = []
    stateful_needed = False
    for packet in (request, reply):
        verdict = stateless_verdict(net, policy, packet, firewall.region)
        ok = None if verdict.action is None else verdict.action != ACTION_DROP
        hops.append(
            Hop(
                step=FIREWALL_RULES_STEP,
                subject=policy.firewall_policy_arn,
                ok=ok,
                detail=f"{label} stateless engine: {verdict.detail}",
            )
        )
        stateful_needed = stateful_needed or verdict.action == ACTION_FORWARD
    fragments = _standard_action(policy.stateless_fragment_default_actions)
    hops.append(
        Hop(
            step=FIREWALL_RULES_STEP,
            subject=policy.firewall_policy_arn,
            ok=True,
            detail=f"{label}: fragmented packets meet {fragments or 'no standard action'} "
            "(StatelessFragmentDefaultActions); TCP 443 is sent unfragmented (path MTU "
            "discovery), so that does not decide this path",
        )
    )
    if any(h.ok is not True for h in hops) or not stateful_needed:
        if not stateful_needed and all(h.ok for h in hops):
            hops.append(
                Hop(
                    step=FIREWALL_RULES_STEP,
                    subject=policy.firewall_policy_arn,
                    ok=True,
                    detail=f"{label}: the stateless engine passes the traffic without "
                    "stateful inspection, so no domain list applies",
                )
            )
        return hops
    engine = StatefulEngine(net, firewall, policy, source)
    for need in needs:
        judged = engine.judge(need)
        hops.append(
            Hop(
                step=FIREWALL_RULES_STEP,
                subject=judged.need.host or policy.firewall_policy_arn,
                ok=judged.ok,
                detail=judged.detail,
                unknown_reason=judged.reason if judged.ok is None else None,
            )
        )
    if not needs:
        hops.append(
            Hop(
                step=FIREWALL_RULES_STEP,
                subject=policy.firewall_policy_arn,
                ok=None,
                detail=f"{label}: which host names this traffic needs is not modelled, so "
                "its stateful rules are not proven",
                unknown_reason=UnknownReason.APPLIANCE,
            )
        )
    return hops
