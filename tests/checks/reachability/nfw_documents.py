"""AWS Network Firewall responses shaped like the API reference's examples (DescribeFirewall,
DescribeFirewallPolicy, DescribeRuleGroup in
https://docs.aws.amazon.com/network-firewall/latest/APIReference/), for what moto lacks."""

from __future__ import annotations

from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"
ARN = f"arn:aws:network-firewall:{REGION}:{ACCOUNT}"
POLICY_ARN = f"{ARN}:firewall-policy/egress-policy"


def group_arn(name: str, kind: str = "stateful") -> str:
    return f"{ARN}:{kind}-rulegroup/{name}"


def describe_firewall(
    *,
    name: str = "egress",
    vpc_id: str = "vpc-1",
    subnet_id: str = "subnet-fw",
    endpoint_id: str = "vpce-fw",
    zone: str = "us-east-1a",
    status: str = "READY",
    endpoint_status: str = "READY",
    policy_arn: str = POLICY_ARN,
) -> dict[str, Any]:
    return {
        "UpdateToken": "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d",
        "Firewall": {
            "FirewallName": name,
            "FirewallArn": f"{ARN}:firewall/{name}",
            "FirewallPolicyArn": policy_arn,
            "VpcId": vpc_id,
            "SubnetMappings": [{"SubnetId": subnet_id, "IPAddressType": "IPV4"}],
            "DeleteProtection": False,
            "FirewallId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
        },
        "FirewallStatus": {
            "Status": status,
            "ConfigurationSyncStateSummary": "IN_SYNC",
            "SyncStates": {
                zone: {
                    "Attachment": {
                        "SubnetId": subnet_id,
                        "EndpointId": endpoint_id,
                        "Status": endpoint_status,
                    },
                    "Config": {POLICY_ARN: {"SyncStatus": "IN_SYNC", "UpdateToken": "x"}},
                }
            },
        },
    }


def describe_policy(
    *,
    stateless_default: str = "aws:forward_to_sfe",
    fragment_default: str = "aws:forward_to_sfe",
    stateless_groups: list[tuple[str, int]] = (),  # type: ignore[assignment]
    stateful_groups: list[tuple[str, int | None]] = (),  # type: ignore[assignment]
    rule_order: str | None = None,
    stateful_defaults: list[str] | None = None,
    home_net: list[str] | None = None,
) -> dict[str, Any]:
    policy: dict[str, Any] = {
        "StatelessDefaultActions": [stateless_default],
        "StatelessFragmentDefaultActions": [fragment_default],
        "StatelessRuleGroupReferences": [
            {"ResourceArn": arn, "Priority": priority} for arn, priority in stateless_groups
        ],
        "StatefulRuleGroupReferences": [
            {"ResourceArn": arn, **({"Priority": p} if p is not None else {})}
            for arn, p in stateful_groups
        ],
    }
    if rule_order is not None:
        policy["StatefulEngineOptions"] = {"RuleOrder": rule_order}
    if stateful_defaults is not None:
        policy["StatefulDefaultActions"] = stateful_defaults
    if home_net is not None:
        policy["PolicyVariables"] = {"RuleVariables": {"HOME_NET": {"Definition": home_net}}}
    return {
        "UpdateToken": "a1b2c3d4-5678-90ab-cdef-EXAMPLE22222",
        "FirewallPolicyResponse": {
            "FirewallPolicyName": "egress-policy",
            "FirewallPolicyArn": POLICY_ARN,
            "FirewallPolicyId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE33333",
            "FirewallPolicyStatus": "ACTIVE",
        },
        "FirewallPolicy": policy,
    }


def describe_domain_group(
    name: str,
    targets: list[str],
    *,
    kind: str = "ALLOWLIST",
    target_types: tuple[str, ...] = ("TLS_SNI", "HTTP_HOST"),
    rule_order: str | None = None,
) -> dict[str, Any]:
    group: dict[str, Any] = {
        "RulesSource": {
            "RulesSourceList": {
                "Targets": targets,
                "TargetTypes": list(target_types),
                "GeneratedRulesType": kind,
            }
        }
    }
    if rule_order is not None:
        group["StatefulRuleOptions"] = {"RuleOrder": rule_order}
    return _group_response(name, "STATEFUL", group)


def describe_suricata_group(name: str) -> dict[str, Any]:
    rules = 'drop tls $HOME_NET any -> $EXTERNAL_NET any (tls.sni; content:"evil.example"; sid:1;)'
    return _group_response(name, "STATEFUL", {"RulesSource": {"RulesString": rules}})


def describe_stateless_group(name: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    return _group_response(
        name,
        "STATELESS",
        {"RulesSource": {"StatelessRulesAndCustomActions": {"StatelessRules": rules}}},
        kind="stateless",
    )


def stateless_rule(
    priority: int,
    action: str,
    *,
    sources: list[str] = (),  # type: ignore[assignment]
    destinations: list[str] = (),  # type: ignore[assignment]
    destination_ports: list[tuple[int, int]] = (),  # type: ignore[assignment]
    protocols: list[int] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    match: dict[str, Any] = {
        "Sources": [{"AddressDefinition": a} for a in sources],
        "Destinations": [{"AddressDefinition": a} for a in destinations],
        "DestinationPorts": [{"FromPort": f, "ToPort": t} for f, t in destination_ports],
        "Protocols": list(protocols),
    }
    return {
        "Priority": priority,
        "RuleDefinition": {"MatchAttributes": match, "Actions": [action]},
    }


def _group_response(
    name: str, type_: str, group: dict[str, Any], *, kind: str = "stateful"
) -> dict[str, Any]:
    return {
        "UpdateToken": "a1b2c3d4-5678-90ab-cdef-EXAMPLE44444",
        "RuleGroup": group,
        "RuleGroupResponse": {
            "RuleGroupArn": group_arn(name, kind),
            "RuleGroupName": name,
            "RuleGroupId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE55555",
            "Type": type_,
            "Capacity": 100,
            "RuleGroupStatus": "ACTIVE",
        },
    }
