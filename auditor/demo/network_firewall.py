"""AWS Network Firewall for a moto server of this process: what moto leaves out.

moto creates firewalls but gives them no endpoints (``FirewallStatus.SyncStates``) and does
not implement DescribeFirewallPolicy or DescribeRuleGroup. The demo (and the tests that go
through the collectors end to end) record AWS-shaped documents here: :func:`place_endpoints`
writes SyncStates into moto's firewall of this process, and :func:`install` teaches moto's
Network Firewall responses to answer the two Describe calls with the recorded policies and
rule groups, on the ports given only; any other moto server in the process still fails them
as moto does. Collectors and checks only see the ordinary AWS API.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

# Recorded documents live on moto's backend, so /moto-api/reset forgets them too.
_DOCUMENTS_ATTRIBUTE = "auditor_demo_documents"
_ACTIONS = {
    "describe_firewall_policy": ("FirewallPolicyArn", "FirewallPolicyResponse"),
    "describe_rule_group": ("RuleGroupArn", "RuleGroupResponse"),
}
JSON_CONTENT_TYPE = "application/x-amz-json-1.0"


def _backend(account_id: str, region: str) -> Any:
    # Imported late: moto reads its settings from the environment when first imported.
    from moto.networkfirewall.models import networkfirewall_backends

    return networkfirewall_backends[account_id][region]


def _documents(account_id: str, region: str) -> dict[str, dict[str, Any]]:
    backend = _backend(account_id, region)
    documents: dict[str, dict[str, Any]] | None = getattr(backend, _DOCUMENTS_ATTRIBUTE, None)
    if documents is None:
        documents = {}
        setattr(backend, _DOCUMENTS_ATTRIBUTE, documents)
    return documents


def record(account_id: str, region: str, document: Mapping[str, Any]) -> str:
    """Serve a DescribeFirewallPolicy or DescribeRuleGroup response; returns its ARN."""
    meta = document.get("FirewallPolicyResponse") or document.get("RuleGroupResponse") or {}
    arn = str(meta.get("FirewallPolicyArn") or meta.get("RuleGroupArn") or "")
    if not arn:
        raise ValueError("not a DescribeFirewallPolicy or DescribeRuleGroup response")
    _documents(account_id, region)[arn] = dict(document)
    return arn


def place_endpoints(
    account_id: str, region: str, firewall_arn: str, endpoints: Mapping[str, tuple[str, str]]
) -> None:
    """Give a moto firewall its per-AZ endpoints: ``{zone: (subnet_id, endpoint_id)}``."""
    firewall = _backend(account_id, region).firewalls[firewall_arn]
    firewall.firewall_status = {
        **firewall.firewall_status,
        "SyncStates": {
            zone: {
                "Attachment": {"SubnetId": subnet, "EndpointId": endpoint, "Status": "READY"},
                "Config": {},
            }
            for zone, (subnet, endpoint) in endpoints.items()
        },
    }


_lock = threading.Lock()
_ports: set[int] = set()


def _port_of(host: str | None) -> int | None:
    if not host or ":" not in host:
        return None
    try:
        return int(host.rsplit(":", 1)[1])
    except ValueError:
        return None


def _handler(action: str) -> Any:
    key, _ = _ACTIONS[action]

    def handle(response: Any) -> tuple[str, dict[str, str]]:
        if _port_of(response.headers.get("Host")) not in _ports:
            raise NotImplementedError(f"The {action} action has not been implemented")
        from moto.core.exceptions import JsonRESTError

        params = json.loads(response.body or "{}")
        arn = str(params.get(key) or "")
        document = _documents(response.current_account, response.region).get(arn)
        if document is None:
            raise JsonRESTError("ResourceNotFoundException", f"{arn} not found")
        return json.dumps(document), {"Content-Type": JSON_CONTENT_TYPE}

    handle.auditor_handler = True  # type: ignore[attr-defined]
    return handle


def _response_class() -> Any:
    from moto.networkfirewall.responses import NetworkFirewallResponse

    return NetworkFirewallResponse


def install(port: int) -> None:
    """Answer the two Describe calls for requests to the moto server on ``port``."""
    with _lock:
        cls = _response_class()
        for action in _ACTIONS:
            existing = cls.__dict__.get(action)
            if existing is not None and not getattr(existing, "auditor_handler", False):
                raise RuntimeError(
                    f"moto's Network Firewall now implements {action}: drop this module's handler"
                )
            if existing is None:
                setattr(cls, action, _handler(action))
        _ports.add(port)


def uninstall(port: int) -> None:
    with _lock:
        _ports.discard(port)
        cls = _response_class()
        if not _ports:
            for action in _ACTIONS:
                if getattr(cls.__dict__.get(action), "auditor_handler", False):
                    delattr(cls, action)


# --------------------------------------------------------------------------------------
# Documents shaped like the API reference's DescribeFirewallPolicy and DescribeRuleGroup
# responses (https://docs.aws.amazon.com/network-firewall/latest/APIReference/).


def domain_allowlist(account_id: str, region: str, name: str, targets: list[str]) -> dict[str, Any]:
    """A stateful domain-list rule group allowing ``targets`` by TLS SNI and HTTP Host."""
    return {
        "UpdateToken": "a1b2c3d4-5678-90ab-cdef-EXAMPLE44444",
        "RuleGroup": {
            "RulesSource": {
                "RulesSourceList": {
                    "Targets": targets,
                    "TargetTypes": ["TLS_SNI", "HTTP_HOST"],
                    "GeneratedRulesType": "ALLOWLIST",
                }
            }
        },
        "RuleGroupResponse": {
            "RuleGroupArn": (
                f"arn:aws:network-firewall:{region}:{account_id}:stateful-rulegroup/{name}"
            ),
            "RuleGroupName": name,
            "RuleGroupId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE55555",
            "Type": "STATEFUL",
            "Capacity": 100,
            "RuleGroupStatus": "ACTIVE",
        },
    }


def forwarding_policy(
    account_id: str, region: str, name: str, stateful_group_arns: list[str]
) -> dict[str, Any]:
    """A policy that forwards everything to the stateful engine (default action order)."""
    return {
        "UpdateToken": "a1b2c3d4-5678-90ab-cdef-EXAMPLE22222",
        "FirewallPolicyResponse": {
            "FirewallPolicyName": name,
            "FirewallPolicyArn": (
                f"arn:aws:network-firewall:{region}:{account_id}:firewall-policy/{name}"
            ),
            "FirewallPolicyId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE33333",
            "FirewallPolicyStatus": "ACTIVE",
        },
        "FirewallPolicy": {
            "StatelessDefaultActions": ["aws:forward_to_sfe"],
            "StatelessFragmentDefaultActions": ["aws:forward_to_sfe"],
            "StatefulRuleGroupReferences": [{"ResourceArn": a} for a in stateful_group_arns],
        },
    }
