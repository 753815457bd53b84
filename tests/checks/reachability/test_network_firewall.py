"""AWS Network Firewall on the internet path: the endpoint is followed into the firewall subnet
(its NACL and route onward), and the policy is judged against the host names each pull needs.
Records come from AWS-shaped responses passed through the collectors' own transforms."""

from __future__ import annotations

from typing import Any

import pytest

from checks.base import Result, Status
from checks.paths import image_pull_path, log_delivery_path
from checks.reachability.firewall import domain_matches
from collectors.network_firewall.firewalls import (
    transform_firewall,
    transform_policy,
    transform_rule_group,
)
from tests.checks.checks_factories import ACCOUNT, REGION, InventoryEstate, acl_entry, route
from tests.checks.reachability.nfw_documents import (
    describe_domain_group,
    describe_firewall,
    describe_policy,
    describe_stateless_group,
    describe_suricata_group,
    group_arn,
    stateless_rule,
)

ECR_HOSTS = [
    f".dkr.ecr.{REGION}.amazonaws.com",
    f"api.ecr.{REGION}.amazonaws.com",
    f"prod-{REGION}-starport-layer-bucket.s3.{REGION}.amazonaws.com",
]


def firewalled(
    estate: InventoryEstate,
    *,
    policy: dict[str, Any] | None = None,
    groups: list[dict[str, Any]] = (),  # type: ignore[assignment]
    onward: list[dict[str, Any]] | None = None,
    image: str | None = None,
    awslogs: bool = False,
    return_route: bool = True,
    **firewall: Any,
) -> None:
    """subnet-1 -> vpce-fw (firewall in subnet-fw) -> nat-1 (subnet-pub) -> igw-1; with
    ``return_route`` the NAT subnet sends replies to subnet-1 back through vpce-fw."""
    estate.vpc()
    estate.subnet()
    estate.subnet(subnet_id="subnet-fw", cidr="10.0.3.0/24")
    estate.subnet(subnet_id="subnet-pub", cidr="10.0.0.0/24")
    estate.igw()
    estate.nat()
    back = [route("10.0.1.0/24", "vpce-fw")] if return_route else []
    estate.route_table(
        route_table_id="rtb-pub",
        subnets=["subnet-pub"],
        routes=[route("0.0.0.0/0", "igw-1"), *back],
    )
    estate.route_table(
        route_table_id="rtb-fw",
        subnets=["subnet-fw"],
        routes=onward if onward is not None else [route("0.0.0.0/0", "nat-1")],
    )
    estate.route_table(subnets=["subnet-1"], routes=[route("0.0.0.0/0", "vpce-fw")])
    estate.security_group()
    estate.records["network_firewalls"] = [
        transform_firewall(describe_firewall(**firewall), ACCOUNT, REGION)
    ]
    if policy is not None:
        estate.records["firewall_policies"] = [transform_policy(policy, ACCOUNT, REGION)]
    estate.records["firewall_rule_groups"] = [
        transform_rule_group(g, ACCOUNT, REGION) for g in groups
    ]
    definition = estate.task_definition(awslogs=awslogs, **({"image": image} if image else {}))
    estate.task(definition=definition)


def only(estate: InventoryEstate) -> Result:
    (result,) = image_pull_path.evaluate(estate.inventory())
    return result


def hops(result: Result) -> list[dict[str, Any]]:
    return [
        hop
        for source in result.evidence["sources"]
        for leg in source["legs"]
        for path in leg["paths"]
        for hop in path["hops"]
    ]


def allowlist(*targets: str) -> dict[str, Any]:
    return describe_domain_group("egress-allow", list(targets))


def with_groups(*groups: dict[str, Any], **options: Any) -> dict[str, Any]:
    return describe_policy(
        stateful_groups=[(g["RuleGroupResponse"]["RuleGroupArn"], None) for g in groups],
        **options,
    )


def test_leading_dot_matches_the_domain_and_its_subdomains() -> None:
    assert domain_matches(".docker.io", "docker.io")
    assert domain_matches(".docker.io", "registry-1.docker.io")
    assert not domain_matches(".docker.io", "evildocker.io")
    assert domain_matches("auth.docker.io", "AUTH.docker.io")
    assert not domain_matches("docker.io", "auth.docker.io")


def test_allowlist_covering_every_ecr_host_passes_with_the_hops_in_evidence(
    estate: InventoryEstate,
) -> None:
    group = allowlist(*ECR_HOSTS)
    firewalled(estate, policy=with_groups(group), groups=[group])
    result = only(estate)
    assert result.status is Status.PASS, result.message
    evidence = hops(result)
    steps = {h["step"] for h in evidence}
    assert {"network-firewall", "network-firewall-rules", "inspection-subnet-route"} <= steps
    assert "nat-gateway" in steps
    # The firewall subnet's NACL is crossed both ways.
    assert any("of firewall subnet subnet-fw" in h["detail"] for h in evidence)
    allowed = {h["id"] for h in evidence if h["step"] == "network-firewall-rules" and h["ok"]}
    assert f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com" in allowed


def test_allowlist_missing_the_layer_host_fails_naming_group_and_host(
    estate: InventoryEstate,
) -> None:
    group = allowlist(*ECR_HOSTS[:2])
    firewalled(estate, policy=with_groups(group), groups=[group])
    result = only(estate)
    assert result.status is Status.FAIL
    host = f"prod-{REGION}-starport-layer-bucket.s3.{REGION}.amazonaws.com"
    assert f"rule group egress-allow (ALLOWLIST) does not list, so drops, {host}" in (
        result.message
    )


def test_denylist_naming_a_host_fails(estate: InventoryEstate) -> None:
    group = describe_domain_group("deny", [".amazonaws.com"], kind="DENYLIST")
    firewalled(estate, policy=with_groups(group), groups=[group])
    result = only(estate)
    assert result.status is Status.FAIL
    assert "rule group deny (DENYLIST) denies" in result.message


def test_http_host_only_list_does_not_filter_https(estate: InventoryEstate) -> None:
    group = describe_domain_group("http-only", ["example.com"], target_types=("HTTP_HOST",))
    firewalled(estate, policy=with_groups(group), groups=[group])
    assert only(estate).status is Status.PASS


def test_docker_hub_cdn_host_missing_is_unknown_not_fail(estate: InventoryEstate) -> None:
    group = allowlist(".docker.io", "production.cloudflare.docker.com")
    firewalled(estate, policy=with_groups(group), groups=[group], image="nginx:1.27")
    result = only(estate)
    assert result.status is Status.UNKNOWN
    assert "r2.cloudflarestorage.com" in result.message


def test_docker_hub_registry_denied_fails(estate: InventoryEstate) -> None:
    group = allowlist("production.cloudflare.docker.com")
    firewalled(estate, policy=with_groups(group), groups=[group], image="nginx:1.27")
    result = only(estate)
    assert result.status is Status.FAIL
    assert "registry-1.docker.io" in result.message


def test_strict_order_allowlist_with_drop_established_passes_listed_and_drops_others(
    estate: InventoryEstate,
) -> None:
    group = describe_domain_group("strict-allow", ECR_HOSTS[:2], rule_order="STRICT_ORDER")
    arn = group["RuleGroupResponse"]["RuleGroupArn"]
    policy = describe_policy(
        stateful_groups=[(arn, 10)],
        rule_order="STRICT_ORDER",
        stateful_defaults=["aws:drop_established"],
    )
    firewalled(estate, policy=policy, groups=[group])
    result = only(estate)
    assert result.status is Status.FAIL
    assert "stateful default action aws:drop_established drops it" in result.message
    # With every host listed, the same policy passes.
    estate2 = InventoryEstate()
    group = describe_domain_group("strict-allow", ECR_HOSTS, rule_order="STRICT_ORDER")
    firewalled(estate2, policy=policy, groups=[group])
    assert only(estate2).status is Status.PASS


def test_strict_order_drop_strict_breaks_even_listed_hosts(estate: InventoryEstate) -> None:
    group = describe_domain_group("strict-allow", ECR_HOSTS, rule_order="STRICT_ORDER")
    policy = describe_policy(
        stateful_groups=[(group["RuleGroupResponse"]["RuleGroupArn"], 10)],
        rule_order="STRICT_ORDER",
        stateful_defaults=["aws:drop_strict"],
    )
    firewalled(estate, policy=policy, groups=[group])
    result = only(estate)
    assert result.status is Status.FAIL
    assert "drops the TCP handshake" in result.message


def test_strict_order_without_default_actions_passes_unlisted(estate: InventoryEstate) -> None:
    group = describe_domain_group("strict-allow", ["example.com"], rule_order="STRICT_ORDER")
    policy = describe_policy(
        stateful_groups=[(group["RuleGroupResponse"]["RuleGroupArn"], 10)],
        rule_order="STRICT_ORDER",
    )
    firewalled(estate, policy=policy, groups=[group])
    assert only(estate).status is Status.PASS


@pytest.mark.parametrize("default", ["aws:drop", "aws:pass"])
def test_stateless_default_actions(estate: InventoryEstate, default: str) -> None:
    group = allowlist("example.com")  # would drop every ECR host if the stateful engine ran
    firewalled(estate, policy=with_groups(group, stateless_default=default), groups=[group])
    result = only(estate)
    if default == "aws:drop":
        assert result.status is Status.FAIL
        assert "stateless default action aws:drop" in result.message
    else:
        assert result.status is Status.PASS


def test_stateless_rule_forwarding_443_before_a_drop_default(estate: InventoryEstate) -> None:
    stateless = describe_stateless_group(
        "fwd",
        [
            stateless_rule(1, "aws:forward_to_sfe", destination_ports=[(443, 443)], protocols=[6]),
            stateless_rule(2, "aws:forward_to_sfe", sources=["0.0.0.0/0"], protocols=[6]),
        ],
    )
    arn = stateless["RuleGroupResponse"]["RuleGroupArn"]
    group = allowlist(*ECR_HOSTS)
    policy = describe_policy(
        stateless_default="aws:drop",
        stateless_groups=[(arn, 1)],
        stateful_groups=[(group["RuleGroupResponse"]["RuleGroupArn"], None)],
    )
    firewalled(estate, policy=policy, groups=[stateless, group])
    assert only(estate).status is Status.PASS


def test_stateless_rule_that_may_match_is_unknown(estate: InventoryEstate) -> None:
    stateless = describe_stateless_group(
        "partial", [stateless_rule(1, "aws:drop", destinations=["52.0.0.0/8"])]
    )
    policy = describe_policy(stateless_groups=[(stateless["RuleGroupResponse"]["RuleGroupArn"], 1)])
    firewalled(estate, policy=policy, groups=[stateless])
    result = only(estate)
    assert result.status is Status.UNKNOWN
    assert "stateless rule group partial rule priority 1 (aws:drop) may match" in result.message


def test_suricata_rules_are_unknown_naming_the_group(estate: InventoryEstate) -> None:
    group = describe_suricata_group("suricata")
    firewalled(estate, policy=with_groups(group), groups=[group])
    result = only(estate)
    assert result.status is Status.UNKNOWN
    assert "rule group suricata holds Suricata rules (RulesString)" in result.message
    assert result.evidence["unknown_reason"] == "appliance"


def test_a_pass_listed_host_wins_over_an_unreadable_group_in_action_order(
    estate: InventoryEstate,
) -> None:
    allow = allowlist(*ECR_HOSTS)
    suricata = describe_suricata_group("suricata")
    firewalled(estate, policy=with_groups(allow, suricata), groups=[allow, suricata])
    assert only(estate).status is Status.PASS


def test_policy_not_collected_is_unknown(estate: InventoryEstate) -> None:
    firewalled(estate, policy=None)
    estate.fail("network_firewall.firewall_policies")
    result = only(estate)
    assert result.status is Status.UNKNOWN
    assert "egress-policy of Network Firewall egress was not collected" in result.message


def test_rule_group_not_collected_is_unknown(estate: InventoryEstate) -> None:
    group = allowlist(*ECR_HOSTS)
    firewalled(estate, policy=with_groups(group), groups=[])
    estate.fail("network_firewall.rule_groups")
    result = only(estate)
    assert result.status is Status.UNKNOWN
    assert f"rule group {group_arn('egress-allow')} was not collected" in result.message


def test_spoke_outside_home_net_falls_to_the_defaults(estate: InventoryEstate) -> None:
    group = allowlist("example.com")
    firewalled(estate, policy=with_groups(group, home_net=["192.168.0.0/16"]), groups=[group])
    # The task's subnet is outside HOME_NET: the allowlist's drops never match it.
    assert only(estate).status is Status.PASS


def test_broken_route_after_the_firewall_fails(estate: InventoryEstate) -> None:
    group = allowlist(*ECR_HOSTS)
    firewalled(estate, policy=with_groups(group), groups=[group], onward=[])
    result = only(estate)
    assert result.status is Status.FAIL
    assert "inspection subnet subnet-fw: rtb-fw has no route for 0.0.0.0/0" in result.message


def test_firewall_subnet_nacl_denying_fails(estate: InventoryEstate) -> None:
    group = allowlist(*ECR_HOSTS)
    firewalled(estate, policy=with_groups(group), groups=[group])
    estate.network_acl(
        acl_id="acl-fw",
        subnets=["subnet-fw"],
        entries=[acl_entry(100, "allow", egress=False)],
    )
    result = only(estate)
    assert result.status is Status.FAIL
    assert "acl-fw of firewall subnet subnet-fw" in result.message


def test_endpoint_not_ready_fails(estate: InventoryEstate) -> None:
    group = allowlist(*ECR_HOSTS)
    firewalled(estate, policy=with_groups(group), groups=[group], endpoint_status="FAILED")
    result = only(estate)
    assert result.status is Status.FAIL
    assert "its endpoint vpce-fw in us-east-1a (subnet subnet-fw) is FAILED" in result.message


def test_vpce_route_with_firewalls_not_collected_says_so(estate: InventoryEstate) -> None:
    firewalled(estate, policy=None)
    estate.records["network_firewalls"] = []
    estate.fail("network_firewall.firewalls")
    result = only(estate)
    assert result.status is Status.UNKNOWN
    assert "Network Firewall firewalls were not collected" in result.message


def test_log_delivery_is_judged_on_the_logs_host(estate: InventoryEstate) -> None:
    group = allowlist(*ECR_HOSTS)
    firewalled(estate, policy=with_groups(group), groups=[group], awslogs=True)
    results = list(log_delivery_path.evaluate(estate.inventory()))
    assert [r.status for r in results] == [Status.FAIL]
    assert f"logs.{REGION}.amazonaws.com" in results[0].message


def nat_then_firewall(
    estate: InventoryEstate,
    group: dict[str, Any],
    *,
    edge_routes: list[dict[str, Any]] | None = None,
) -> None:
    """subnet-1 -> nat-1 (subnet-pub) -> vpce-fw (firewall in subnet-fw) -> igw-1; igw-1's
    edge route table sends replies to subnet-pub back through vpce-fw (``edge_routes`` []
    means no edge table)."""
    estate.vpc()
    estate.subnet()
    estate.subnet(subnet_id="subnet-fw", cidr="10.0.3.0/24")
    estate.subnet(subnet_id="subnet-pub", cidr="10.0.0.0/24")
    estate.igw()
    estate.nat()
    estate.route_table(subnets=["subnet-1"], routes=[route("0.0.0.0/0", "nat-1")])
    estate.route_table(
        route_table_id="rtb-pub", subnets=["subnet-pub"], routes=[route("0.0.0.0/0", "vpce-fw")]
    )
    estate.route_table(
        route_table_id="rtb-fw", subnets=["subnet-fw"], routes=[route("0.0.0.0/0", "igw-1")]
    )
    edge = [route("10.0.0.0/24", "vpce-fw")] if edge_routes is None else edge_routes
    if edge:
        estate.route_table(route_table_id="rtb-edge", gateways=["igw-1"], routes=edge)
    estate.security_group()
    estate.records["network_firewalls"] = [transform_firewall(describe_firewall(), ACCOUNT, REGION)]
    estate.records["firewall_policies"] = [transform_policy(with_groups(group), ACCOUNT, REGION)]
    estate.records["firewall_rule_groups"] = [transform_rule_group(group, ACCOUNT, REGION)]
    estate.task(definition=estate.task_definition())


def test_firewall_after_the_nat_gateway_is_judged_too(estate: InventoryEstate) -> None:
    nat_then_firewall(estate, allowlist(*ECR_HOSTS))
    result = only(estate)
    assert result.status is Status.PASS, result.message
    steps = [h["step"] for h in hops(result)]
    assert steps.index("nat-gateway") < steps.index("network-firewall")
    assert "internet-gateway" in steps
    broken = InventoryEstate()
    nat_then_firewall(broken, allowlist(*ECR_HOSTS[:1]))
    result = only(broken)
    assert result.status is Status.FAIL
    assert f"does not list, so drops, api.ecr.{REGION}.amazonaws.com" in result.message


def test_drop_to_alert_override_drops_nothing_but_other_groups_still_do(
    estate: InventoryEstate,
) -> None:
    alerting = describe_domain_group("alert-only", ["example.com"])
    policy = with_groups(alerting)
    policy["FirewallPolicy"]["StatefulRuleGroupReferences"][0]["Override"] = {
        "Action": "DROP_TO_ALERT"
    }
    firewalled(estate, policy=policy, groups=[alerting])
    assert only(estate).status is Status.PASS
    both = InventoryEstate()
    strict = describe_domain_group("strict-list", ["example.com"], rule_order=None)
    policy = with_groups(alerting, strict)
    policy["FirewallPolicy"]["StatefulRuleGroupReferences"][0]["Override"] = {
        "Action": "DROP_TO_ALERT"
    }
    firewalled(both, policy=policy, groups=[alerting, strict])
    result = only(both)
    assert result.status is Status.FAIL
    assert "rule group strict-list (ALLOWLIST) does not list" in result.message


def return_hop(result: Result) -> dict[str, Any]:
    (hop,) = [h for h in hops(result) if h["step"] == "network-firewall-return-route"]
    return hop


def test_replies_that_bypass_the_firewall_before_the_nat_gateway_are_unknown(
    estate: InventoryEstate,
) -> None:
    group = allowlist(*ECR_HOSTS)
    firewalled(estate, policy=with_groups(group), groups=[group], return_route=False)
    result = only(estate)
    assert result.status is Status.UNKNOWN, result.message
    hop = return_hop(result)
    assert hop["ok"] is None
    assert hop["unknown_reason"] == "appliance"
    assert "replies to 10.0.1.0/24 take 10.0.0.0/16 -> local" in hop["detail"]
    assert "asymmetric routing" in hop["detail"]


def test_replies_back_through_the_endpoint_are_in_the_evidence(estate: InventoryEstate) -> None:
    group = allowlist(*ECR_HOSTS)
    firewalled(estate, policy=with_groups(group), groups=[group])
    hop = return_hop(only(estate))
    assert hop["ok"] is True
    assert "replies to 10.0.1.0/24 come back through firewall endpoint vpce-fw" in hop["detail"]


def test_firewall_before_the_internet_gateway_needs_its_edge_route_table() -> None:
    group = allowlist(*ECR_HOSTS)
    without_edge = InventoryEstate()
    nat_then_firewall(without_edge, group, edge_routes=[])
    result = only(without_edge)
    assert result.status is Status.UNKNOWN, result.message
    assert "internet gateway igw-1 has no edge route table" in return_hop(result)["detail"]
    elsewhere = InventoryEstate()
    nat_then_firewall(elsewhere, group, edge_routes=[route("10.0.3.0/24", "vpce-fw")])
    result = only(elsewhere)
    assert result.status is Status.UNKNOWN, result.message
    assert "the edge route table of internet gateway igw-1" in return_hop(result)["detail"]


def test_a_split_route_onward_is_the_target_whose_replies_are_judged() -> None:
    """0.0.0.0/1 and 128.0.0.0/1 to the NAT gateway carry the traffic like one default route:
    the NAT subnet's return route is judged, whichever way it goes."""
    group = allowlist(*ECR_HOSTS)
    split = [route("0.0.0.0/1", "nat-1"), route("128.0.0.0/1", "nat-1")]
    back = InventoryEstate()
    firewalled(back, policy=with_groups(group), groups=[group], onward=split)
    result = only(back)
    assert result.status is Status.PASS, result.message
    assert "come back through firewall endpoint vpce-fw" in return_hop(result)["detail"]
    bypass = InventoryEstate()
    firewalled(bypass, policy=with_groups(group), groups=[group], onward=split, return_route=False)
    result = only(bypass)
    assert result.status is Status.UNKNOWN, result.message
    assert "asymmetric routing" in return_hop(result)["detail"]
