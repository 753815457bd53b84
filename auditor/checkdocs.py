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

## Network paths: the hops and their limits

The path checks (`image-pull-path`, `log-delivery-path`, `secrets-path` and the checks built
on the same evaluator) judge a path hop by hop; every hop is in the evidence as
`{step, id, ok, detail}`, and the first failing one is the finding's root cause.

- `route-table`, `route`: the subnet's effective route table and the longest-prefix route.
  Each target kind of EC2's `Route` shape is judged by kind: internet, NAT and egress-only
  gateways and transit gateways are followed; a VPC peering connection never reaches the
  internet (FAIL); every other kind (`route-target`) is UNKNOWN naming it, never PASS.
- `network-acl`: every subnet boundary crossed (the task's subnet, the NAT gateway's subnet
  both ways, interface endpoint subnets, transit gateway attachment subnets, the S3 prefix
  list's addresses), statelessly in rule-number order: the request on TCP 443 and the
  replies on 1024-65535 (32768-61000 alone passes with a caveat: Fargate's range is not
  documented). IPv4 and IPv6 entries are separate; the `*` rule denies what no rule decides.
  Rules that allow only part of the internet are UNKNOWN.
- `transit-gateway`, `transit-gateway-attachment`, `transit-gateway-route`, `return-route`:
  the spoke attachment (available, a subnet in the task's AZ), the TGW route table
  associated with it (longest prefix, blackholes FAIL), the egress attachment and its subnet
  in the same AZ (appliance mode noted), that subnet's route to a NAT gateway and on to an
  internet gateway; back, the NAT subnet's route for the task's subnet to the TGW and the
  egress attachment's TGW route to the spoke. Propagations are read from the `propagated`
  routes they install. Not followed (UNKNOWN): TGWs and VPCs of accounts not scanned
  (`account-not-scanned`), ECMP, policy tables, Connect, peering and network-function
  attachments, VPN and Direct Connect attachments (`beyond-aws`).
- `virtual-private-gateway`: gone or detached is a FAIL; attached, egress leaves AWS
  (`beyond-aws`).
- `inspection-endpoint`, `inspection-appliance`, `inspection-subnet-route`: a default route
  to a Gateway Load Balancer endpoint is followed into the endpoint's subnet (its network ACL
  both ways) and onward (NAT gateway, internet gateway), so a break after the appliance is a
  FAIL; the appliance itself is UNKNOWN (`appliance`).
- `network-firewall`, `network-firewall-rules`: a route (from the task's subnet, or from a NAT
  gateway's subnet) to an AWS Network Firewall endpoint, matched against the firewall's
  `SyncStates` endpoint IDs, is followed through the firewall (READY, its endpoint READY),
  the firewall subnet's network ACL both ways, and the firewall subnet's route onward (NAT
  gateway, internet gateway). The policy is then judged against the host names the path
  really needs: the private ECR registry (`ACCOUNT.dkr.ecr.REGION.amazonaws.com`), API
  (`api.ecr.REGION.amazonaws.com`) and layer bucket
  (`prod-REGION-starport-layer-bucket.s3.REGION.amazonaws.com`); Docker Hub
  (`registry-1.docker.io`, `auth.docker.io`, and its layer CDNs); ECR Public (`public.ecr.aws`
  and its layer CDNs); `logs.`, `secretsmanager.` and `ssm.REGION.amazonaws.com`.
  - Stateless engine, for the request (TCP 443 out) and the reply (from 443 to ports
    1024-65535) apart: rule groups and rules by priority; a rule decides only when its 5-tuple
    surely matches (sources, destinations, ports, protocols), one that may match (part of the
    internet, TCP flags) ahead of the decision is UNKNOWN; then the stateless default action
    (`aws:pass` skips the stateful engine, `aws:drop` is a FAIL, `aws:forward_to_sfe` goes
    on). The fragment default action is shown; TCP 443 is not fragmented.
  - Stateful domain lists (`RulesSourceList`): a name matches itself, a leading dot the domain
    and every subdomain; only `TLS_SNI` targets apply to HTTPS. In `DEFAULT_ACTION_ORDER` an
    `ALLOWLIST` passes its names (pass rules come first) and drops every other TLS name, a
    `DENYLIST` or `REJECTLIST` drops its names, and nothing else drops. In `STRICT_ORDER` the
    groups are read by priority, the first list naming the host decides, and what none
    names meets the policy's `StatefulDefaultActions` (`aws:drop_established` and the
    `_app_layer` kinds drop it; `aws:drop_strict` drops even listed hosts, whose handshake it
    drops before the name is seen; the alert kinds let it through). A list applies only to
    traffic from `HOME_NET` (the group's or the policy's `HOME_NET`, else the firewall VPC's
    CIDRs). A denied host is a FAIL naming the rule group and the host; a denied host that is
    one of several a service may use (Docker Hub's and ECR Public's CDNs) is UNKNOWN.
  - UNKNOWN, naming the firewall or rule group (`appliance`): Suricata rule strings
    (`RulesString`), 5-tuple stateful rules, other target types, proxy mode
    (`NoSourcePreservation`), layer hosts of other registries that cannot be named, and
    paths whose host names are not modelled (FireLens destinations). UNKNOWN for missing
    data: a firewall, policy or rule group that was not collected.
  - `network-firewall-return-route`: replies must come back through the same endpoint, or
    the stateful engine sees one direction of each connection. Behind a NAT gateway that is
    the NAT subnet's route back to the source (more specific than the local route); before
    an internet gateway, the gateway's edge route table (ingress routing). Replies that
    bypass the endpoint are UNKNOWN (`appliance`): what a stateful firewall does with
    asymmetric traffic is not evaluated.
  - Not checked: TLS inspection configurations, firewalls in other VPCs used through VPC endpoint
    associations, and firewalls on a transit gateway's egress VPC (a route there to a
    firewall endpoint is UNKNOWN).
  - Collection: Network Firewall has no batch describe, and ListFirewalls returns names only,
    so the calls are per resource, and only for what routes use: one ListFirewalls per region,
    filtered by the VPCs whose routes point at an endpoint with a CIDR destination (none: no
    call at all), one DescribeFirewall per listed firewall, one DescribeFirewallPolicy per
    policy of a firewall whose endpoint is a route target, one DescribeRuleGroup per rule
    group those policies reference.

Some UNKNOWNs are UNKNOWN by design, not for missing data: their findings carry an
`unknown_reason` (`beyond-aws`: egress leaves AWS through a virtual private gateway or Outposts
local gateway; `appliance`: a NAT instance, proxy, Gateway Load Balancer appliance or a
Network Firewall rule the evaluator cannot read decides; `account-not-scanned`: a resource
on the path belongs to an account that was not scanned;
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
