"""network_firewall.firewalls, .firewall_policies, .rule_groups: what a route to a firewall
endpoint leads through.

Network Firewall has no batch describe: DescribeFirewall, DescribeFirewallPolicy and
DescribeRuleGroup each take one name or ARN, and ListFirewalls returns only names and ARNs
(the botocore network-firewall 2020-11-12 model). So nothing is described that no route
uses:

- a firewall endpoint is routed to as ``GatewayId`` ``vpce-...`` with a CIDR destination
  (gateway endpoints are routed by prefix list), so only VPCs with such a route are listed,
  with ListFirewalls' ``VpcIds`` filter, 100 a page; a region without one does not run the
  collectors at all (``needed_when``: their outcome is ``not_needed``);
- each firewall listed there is described (its endpoints are only in DescribeFirewall's
  ``SyncStates``);
- a policy is described only when one of its firewalls' endpoints is a route target, and a
  rule group only when such a policy references it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from auditor.store.resources import (
    Ec2RouteTable,
    NetworkFirewallFirewall,
    NetworkFirewallPolicy,
    NetworkFirewallRuleGroup,
)
from collectors.calls import Api, Item, unique
from collectors.declaration import Collector, Context, NeededWhen, Record
from collectors.fields import jsonable, text

SERVICE = "network-firewall"
ROUTE_TABLES = "ec2.route_tables"


def endpoint_route_targets(tables: list[Ec2RouteTable]) -> dict[str, set[str]]:
    """VPC → the ``vpce-`` IDs its routes to CIDRs point at (GWLB or firewall endpoints)."""
    found: dict[str, set[str]] = {}
    for table in tables:
        for route in table.routes:
            target = str(route.get("target_id") or "")
            if target.startswith("vpce-") and route.get("family") in ("ipv4", "ipv6"):
                found.setdefault(table.vpc_id, set()).add(target)
    return found


# --------------------------------------------------------------------------- firewalls


async def fetch_firewalls(api: Api, vpc_ids: list[str] | None) -> list[Item]:
    """DescribeFirewall responses of every firewall in ``vpc_ids`` (None: in every VPC)."""
    if vpc_ids is not None and not vpc_ids:
        return []
    where = {"VpcIds": vpc_ids} if vpc_ids is not None else {}
    listed = await api.items("list_firewalls", "Firewalls", MaxResults=100, **where)
    arns = unique(item.get("FirewallArn") for item in listed)
    return list(await asyncio.gather(*(api.call("describe_firewall", FirewallArn=a) for a in arns)))


def transform_firewall(response: Item, account_id: str, region: str) -> NetworkFirewallFirewall:
    """One DescribeFirewall response ({Firewall, FirewallStatus, UpdateToken})."""
    firewall = response["Firewall"]
    status = response.get("FirewallStatus") or {}
    endpoints = []
    for zone, state in sorted((status.get("SyncStates") or {}).items()):
        attachment = (state or {}).get("Attachment") or {}
        endpoints.append(
            {
                "availability_zone": zone,
                "subnet_id": text(attachment.get("SubnetId")),
                "endpoint_id": text(attachment.get("EndpointId")),
                "status": text(attachment.get("Status")),
            }
        )
    return NetworkFirewallFirewall(
        account_id=account_id,
        region=region,
        raw=jsonable(response),
        firewall_arn=firewall.get("FirewallArn") or firewall["FirewallId"],
        firewall_name=text(firewall.get("FirewallName")),
        vpc_id=firewall["VpcId"],
        firewall_policy_arn=firewall["FirewallPolicyArn"],
        status=text(status.get("Status")),
        sync_state=text(status.get("ConfigurationSyncStateSummary")),
        subnet_ids=[m["SubnetId"] for m in firewall["SubnetMappings"]],
        endpoints=endpoints,
        no_source_preservation=bool(firewall.get("NoSourcePreservation", False)),
    )


async def collect_firewalls(ctx: Context) -> list[Record]:
    # Run without route tables only when their collection failed (needed_when rules out a
    # region whose tables route to no endpoint): then nothing can be ruled out.
    tables = ctx.records(ROUTE_TABLES, Ec2RouteTable)
    vpc_ids = sorted(endpoint_route_targets(tables)) if tables else None
    responses = await fetch_firewalls(ctx.api, vpc_ids)
    return [transform_firewall(r, ctx.account_id, ctx.region) for r in responses]


def routed_firewalls(
    firewalls: list[NetworkFirewallFirewall], tables: list[Ec2RouteTable]
) -> list[NetworkFirewallFirewall]:
    """The firewalls one of whose endpoints some route points at."""
    targets = {t for found in endpoint_route_targets(tables).values() for t in found}
    return [f for f in firewalls if any(e.get("endpoint_id") in targets for e in f.endpoints)]


# ---------------------------------------------------------------------------- policies


def _references(references: list[Item], *, stateful: bool) -> list[dict[str, Any]]:
    normalised = []
    for reference in references:
        entry: dict[str, Any] = {
            "arn": reference["ResourceArn"],
            "priority": reference.get("Priority"),
        }
        if stateful:
            entry["override"] = text((reference.get("Override") or {}).get("Action"))
        normalised.append(entry)
    return normalised


def _home_net(ip_sets: Item | None) -> list[str] | None:
    home = (ip_sets or {}).get("HOME_NET")
    return list(home["Definition"]) if home else None


def transform_policy(response: Item, account_id: str, region: str) -> NetworkFirewallPolicy:
    """One DescribeFirewallPolicy response ({FirewallPolicyResponse, FirewallPolicy})."""
    meta = response["FirewallPolicyResponse"]
    policy = response.get("FirewallPolicy") or {}
    engine = policy.get("StatefulEngineOptions") or {}
    return NetworkFirewallPolicy(
        account_id=account_id,
        region=region,
        raw=jsonable(response),
        firewall_policy_arn=meta["FirewallPolicyArn"],
        firewall_policy_name=text(meta.get("FirewallPolicyName")),
        status=text(meta.get("FirewallPolicyStatus")),
        stateless_default_actions=list(policy.get("StatelessDefaultActions") or []),
        stateless_fragment_default_actions=list(
            policy.get("StatelessFragmentDefaultActions") or []
        ),
        stateless_rule_groups=_references(
            policy.get("StatelessRuleGroupReferences") or [], stateful=False
        ),
        stateful_rule_groups=_references(
            policy.get("StatefulRuleGroupReferences") or [], stateful=True
        ),
        stateful_default_actions=list(policy.get("StatefulDefaultActions") or []),
        rule_order=text(engine.get("RuleOrder")),
        stream_exception_policy=text(engine.get("StreamExceptionPolicy")),
        home_net=_home_net((policy.get("PolicyVariables") or {}).get("RuleVariables")),
        tls_inspection_configuration_arn=text(policy.get("TLSInspectionConfigurationArn")),
    )


async def fetch_policies(api: Api, arns: list[str]) -> list[Item]:
    return list(
        await asyncio.gather(
            *(api.call("describe_firewall_policy", FirewallPolicyArn=a) for a in arns)
        )
    )


async def collect_policies(ctx: Context) -> list[Record]:
    firewalls = ctx.records(FIREWALLS.name, NetworkFirewallFirewall)
    tables = ctx.records(ROUTE_TABLES, Ec2RouteTable)
    used = routed_firewalls(firewalls, tables) if tables else firewalls
    arns = unique(f.firewall_policy_arn for f in used)
    return [
        transform_policy(r, ctx.account_id, ctx.region) for r in await fetch_policies(ctx.api, arns)
    ]


# --------------------------------------------------------------------------- rule groups


def _addresses(addresses: list[Item] | None) -> list[str]:
    return [a["AddressDefinition"] for a in addresses or []]


def _ports(ranges: list[Item] | None) -> list[list[int]]:
    return [[int(r["FromPort"]), int(r["ToPort"])] for r in ranges or []]


def normalise_stateless_rule(rule: Item) -> dict[str, Any]:
    definition = rule["RuleDefinition"]
    match = definition["MatchAttributes"]
    return {
        "priority": int(rule["Priority"]),
        "actions": list(definition["Actions"]),
        "sources": _addresses(match.get("Sources")),
        "destinations": _addresses(match.get("Destinations")),
        "source_ports": _ports(match.get("SourcePorts")),
        "destination_ports": _ports(match.get("DestinationPorts")),
        "protocols": [int(p) for p in match.get("Protocols") or []],
        "tcp_flags": bool(match.get("TCPFlags")),
    }


def transform_rule_group(response: Item, account_id: str, region: str) -> NetworkFirewallRuleGroup:
    """One DescribeRuleGroup response ({RuleGroupResponse, RuleGroup})."""
    meta = response["RuleGroupResponse"]
    group = response.get("RuleGroup") or {}
    source = group.get("RulesSource") or {}
    domains = source.get("RulesSourceList")
    stateless = (source.get("StatelessRulesAndCustomActions") or {}).get("StatelessRules") or []
    return NetworkFirewallRuleGroup(
        account_id=account_id,
        region=region,
        raw=jsonable(response),
        rule_group_arn=meta["RuleGroupArn"],
        rule_group_name=text(meta.get("RuleGroupName")),
        type=text(meta.get("Type")),
        rule_order=text((group.get("StatefulRuleOptions") or {}).get("RuleOrder")),
        domain_list=(
            {
                "targets": list(domains["Targets"]),
                "target_types": list(domains["TargetTypes"]),
                "generated_rules_type": domains["GeneratedRulesType"],
            }
            if domains
            else None
        ),
        stateless_rules=[normalise_stateless_rule(rule) for rule in stateless],
        stateful_rules=jsonable(list(source.get("StatefulRules") or [])),
        has_rules_string=bool(source.get("RulesString")),
        home_net=_home_net((group.get("RuleVariables") or {}).get("IPSets")),
    )


async def fetch_rule_groups(api: Api, arns: list[str]) -> list[Item]:
    return list(
        await asyncio.gather(*(api.call("describe_rule_group", RuleGroupArn=a) for a in arns))
    )


async def collect_rule_groups(ctx: Context) -> list[Record]:
    policies = ctx.records(FIREWALL_POLICIES.name, NetworkFirewallPolicy)
    arns = unique(
        reference["arn"]
        for policy in policies
        for reference in (*policy.stateless_rule_groups, *policy.stateful_rule_groups)
    )
    responses = await fetch_rule_groups(ctx.api, arns)
    return [transform_rule_group(r, ctx.account_id, ctx.region) for r in responses]


def _routes_to_endpoints(ctx: Context) -> bool:
    return bool(endpoint_route_targets(ctx.records(ROUTE_TABLES, Ec2RouteTable)))


def _routed_firewall(ctx: Context) -> bool:
    firewalls = ctx.records(FIREWALLS.name, NetworkFirewallFirewall)
    return bool(routed_firewalls(firewalls, ctx.records(ROUTE_TABLES, Ec2RouteTable)))


def _referenced_groups(ctx: Context) -> bool:
    return any(
        policy.stateless_rule_groups or policy.stateful_rule_groups
        for policy in ctx.records(FIREWALL_POLICIES.name, NetworkFirewallPolicy)
    )


FIREWALLS = Collector(
    name="network_firewall.firewalls",
    records=(NetworkFirewallFirewall,),
    purpose="Network Firewall firewalls in VPCs whose routes point at endpoints: their "
    "endpoints per AZ and policy",
    service=SERVICE,
    actions=("network-firewall:ListFirewalls", "network-firewall:DescribeFirewall"),
    collect=collect_firewalls,
    optional_needs=(ROUTE_TABLES,),
    needed_when=NeededWhen(
        inputs=(ROUTE_TABLES,),
        test=_routes_to_endpoints,
        when="a route to a CIDR targets a VPC endpoint (vpce-), as firewall endpoints are",
    ),
)

FIREWALL_POLICIES = Collector(
    name="network_firewall.firewall_policies",
    records=(NetworkFirewallPolicy,),
    purpose="the policies of routed firewalls: default actions, rule order, rule groups",
    service=SERVICE,
    actions=("network-firewall:DescribeFirewallPolicy",),
    collect=collect_policies,
    needs=(FIREWALLS.name,),
    optional_needs=(ROUTE_TABLES,),
    needed_when=NeededWhen(
        inputs=(FIREWALLS.name, ROUTE_TABLES),
        test=_routed_firewall,
        when="a route targets a Network Firewall endpoint",
    ),
)

RULE_GROUPS = Collector(
    name="network_firewall.rule_groups",
    records=(NetworkFirewallRuleGroup,),
    purpose="the rule groups of those policies: domain lists and stateless rules",
    service=SERVICE,
    actions=("network-firewall:DescribeRuleGroup",),
    collect=collect_rule_groups,
    needs=(FIREWALL_POLICIES.name,),
    needed_when=NeededWhen(
        inputs=(FIREWALL_POLICIES.name,),
        test=_referenced_groups,
        when="a routed firewall's policy references rule groups",
    ),
)
