"""acme-data (reached by AssumeRole): a data pipeline in us-east-1 and a dual-stack edge in
eu-west-1 whose account-region has dualStackIPv6 disabled."""

from __future__ import annotations

from typing import Any

from auditor.demo import moto_gaps, network_firewall
from auditor.demo.site import Site
from auditor.demo.sites.refs import TaskRef
from auditor.demo.workloads import ContainerSpec, Placement


def data_us_east_1(site: Site) -> TaskRef:
    """A data pipeline: NAT, a VPN route to on-premises, DNS hostnames off, no flow log."""
    net, apps = site.net, site.apps
    vpc = net.vpc("data-pipeline", "10.50.0.0/16")
    public_a = net.subnet(vpc, "data-pipeline-public-a", "10.50.0.0/24", "a")
    private_a = net.subnet(vpc, "data-pipeline-private-a", "10.50.10.0/24", "a")
    private_b = net.subnet(vpc, "data-pipeline-private-b", "10.50.11.0/24", "b")
    igw = net.internet_gateway(vpc, "data-pipeline-igw")
    net.route_table(vpc, "data-pipeline-public", [public_a], [("0.0.0.0/0", igw)])
    nat = net.nat_gateway(public_a, "data-pipeline-nat-a")
    vgw = net.vpn_gateway(vpc, "warehouse-vpn")
    net.route_table(
        vpc,
        "data-pipeline-private",
        [private_a, private_b],
        [("0.0.0.0/0", nat), ("172.16.0.0/12", vgw)],
    )
    tasks_sg = net.security_group(vpc, "data-pipeline-tasks")

    cluster = "data-pipeline"
    apps.cluster(cluster)
    ingest = apps.task_definition(
        "ingest-worker", ContainerSpec(image=apps.ecr_image("ingest-worker", "7.3.0"))
    )
    spot = Placement(
        subnet_ids=[private_a, private_b],
        security_group_ids=[tasks_sg],
        capacity_provider="FARGATE_SPOT",
    )
    ingest_tasks = site.service(cluster, "ingest-worker", ingest, spot, count=4)
    scheduler = apps.task_definition(
        "etl-scheduler", ContainerSpec(image="apache/airflow:2.10.3"), execution_role=False
    )
    placement = Placement(subnet_ids=[private_a, private_b], security_group_ids=[tasks_sg])
    site.service(cluster, "etl-scheduler", scheduler, placement, count=2)
    site.stopped_task(
        cluster,
        scheduler,
        placement,
        group="service:etl-scheduler",
        stop_code="EssentialContainerExited",
        reason="Essential container in task exited",
        hours_ago=5,
    )
    net.disable_dns_hostnames(vpc)
    _central_egress(site)
    _inspected_egress(site)
    return TaskRef(site.account_id, site.region, cluster, ingest_tasks[0].arn, "ingest-worker")


def _https_and_replies(cidr: str, number: int) -> list[dict[str, Any]]:
    """NACL entries: HTTPS out to ``cidr`` and the replies (1024-65535) back in."""
    return [
        {
            "RuleNumber": number,
            "Protocol": "6",
            "RuleAction": "allow",
            "Egress": egress,
            "CidrBlock": cidr,
            "PortRange": {"From": low, "To": high},
        }
        for egress, (low, high) in ((True, (443, 443)), (False, (1024, 65535)))
    ]


def _central_egress(site: Site) -> None:
    """Central egress: spokes send 0.0.0.0/0 to the analytics-hub transit gateway, which sends
    it to a shared egress VPC with a NAT gateway. analytics-reports works (and has a custom
    network ACL allowing HTTPS and its replies); analytics-batch has no return route in the
    hub's route table (asymmetric routing), so its tasks cannot pull their images."""
    net, apps = site.net, site.apps
    egress = net.vpc("shared-egress", "10.70.0.0/16")
    public = net.subnet(egress, "shared-egress-public-a", "10.70.0.0/24", "a")
    attachment_subnet = net.subnet(egress, "shared-egress-tgw-a", "10.70.255.0/28", "a")
    igw = net.internet_gateway(egress, "shared-egress-igw")
    nat = net.nat_gateway(public, "shared-egress-nat-a")
    tgw, hub_table = net.hub("analytics-hub")
    net.route_table(
        egress,
        "shared-egress-public",
        [public],
        [("0.0.0.0/0", igw), ("10.71.0.0/16", tgw), ("10.72.0.0/16", tgw)],
    )
    net.route_table(egress, "shared-egress-tgw", [attachment_subnet], [("0.0.0.0/0", nat)])
    egress_attachment = net.attach(tgw, egress, [attachment_subnet], appliance_mode=True)
    net.tgw_route(hub_table, "0.0.0.0/0", egress_attachment)

    cluster = "analytics"
    apps.cluster(cluster)
    for name, cidr, returns in (
        ("analytics-reports", "10.71.0.0/16", True),
        ("analytics-batch", "10.72.0.0/16", False),
    ):
        vpc = net.vpc(name, cidr)
        tasks = net.subnet(vpc, f"{name}-a", cidr.replace("0.0/16", "1.0/24"), "a")
        net.route_table(vpc, f"{name}-tasks", [tasks], [("0.0.0.0/0", tgw)])
        attachment = net.attach(tgw, vpc, [tasks])
        if returns:
            # The route propagation would install (moto propagates nothing: seeded static).
            net.tgw_route(hub_table, cidr, attachment)
            net.network_acl(
                vpc,
                f"{name}-tasks",
                [tasks],
                [
                    *_https_and_replies("0.0.0.0/0", 100),
                    {
                        "RuleNumber": 90,
                        "Protocol": "-1",
                        "RuleAction": "allow",
                        "Egress": False,
                        "CidrBlock": cidr,
                    },
                ],
            )
        group = net.security_group(vpc, f"{name}-tasks")
        image = apps.ecr_image(name.removeprefix("analytics-"), "1.0.0")
        definition = apps.task_definition(f"{name}-job", ContainerSpec(image=image))
        placement = Placement(subnet_ids=[tasks], security_group_ids=[group])
        site.service(cluster, f"{name}-job", definition, placement, count=1)
    moto_gaps.list_tgw_route_attachments(site.account_id, site.region)


def data_eu_west_1(site: Site) -> None:
    """A dual-stack edge whose account-region has the dualStackIPv6 setting disabled."""
    net, apps = site.net, site.apps
    site.set_dualstack_ipv6(False)
    vpc = net.vpc("edge", "10.60.0.0/16", ipv6=True)
    public_a = net.subnet(vpc, "edge-public-a", "10.60.0.0/24", "a")
    app_a = site.dualstack_subnet(vpc, "edge-app-a", "10.60.10.0/24", "a", 1)
    app_b = site.dualstack_subnet(vpc, "edge-app-b", "10.60.11.0/24", "b", 2)
    igw = net.internet_gateway(vpc, "edge-igw")
    eigw = net.egress_only_internet_gateway(vpc, "edge-eigw")
    net.route_table(vpc, "edge-public", [public_a], [("0.0.0.0/0", igw), ("::/0", igw)])
    nat = net.nat_gateway(public_a, "edge-nat-a")
    net.route_table(vpc, "edge-app", [app_a, app_b], [("0.0.0.0/0", nat), ("::/0", eigw)])
    net.flow_log(vpc, "/vpc/flow-logs/edge")
    tasks_sg = net.security_group(vpc, "edge-tasks")

    cluster = "edge"
    apps.cluster(cluster)
    proxy = apps.task_definition(
        "edge-proxy", ContainerSpec(image="public.ecr.aws/nginx/nginx:1.27", port=80)
    )
    placement = Placement(subnet_ids=[app_a, app_b], security_group_ids=[tasks_sg])
    site.service(cluster, "edge-proxy", proxy, placement, count=3)


def _inspected_egress(site: Site) -> None:
    """Distributed inspection: the tasks' 0.0.0.0/0 goes to an AWS Network Firewall endpoint,
    the firewall subnet's to a NAT gateway. The policy's domain allowlist names the private
    ECR hosts (registry, API, the layer bucket's S3 host) and CloudWatch Logs: inventory-sync
    (a private ECR image) pulls; geo-enricher (a Docker Hub image) is denied
    registry-1.docker.io. moto has no firewall endpoints, policies or rule groups: the
    endpoint is a Gateway Load Balancer endpoint (as Network Firewall's are), and the policy
    and rule group are AWS-shaped documents served by auditor.demo.network_firewall."""
    net, apps = site.net, site.apps
    account, region = site.account_id, site.region
    vpc = net.vpc("inspected-egress", "10.80.0.0/16")
    public = net.subnet(vpc, "inspected-egress-public-a", "10.80.0.0/24", "a")
    firewall_subnet = net.subnet(vpc, "inspected-egress-firewall-a", "10.80.1.0/28", "a")
    tasks = net.subnet(vpc, "inspected-egress-tasks-a", "10.80.10.0/24", "a")
    igw = net.internet_gateway(vpc, "inspected-egress-igw")
    nat = net.nat_gateway(public, "inspected-egress-nat-a")
    endpoint: str = net.ec2.create_vpc_endpoint(
        VpcId=vpc,
        VpcEndpointType="GatewayLoadBalancer",
        ServiceName=f"com.amazonaws.vpce.{region}.vpce-svc-0inspectedegress",
        SubnetIds=[firewall_subnet],
    )["VpcEndpoint"]["VpcEndpointId"]
    # Replies from the NAT gateway to the tasks go back through the firewall endpoint (a
    # route more specific than local), so the stateful engine sees both directions.
    net.route_table(
        vpc,
        "inspected-egress-public",
        [public],
        [("0.0.0.0/0", igw), ("10.80.10.0/24", endpoint)],
    )
    net.route_table(vpc, "inspected-egress-firewall", [firewall_subnet], [("0.0.0.0/0", nat)])
    net.route_table(vpc, "inspected-egress-tasks", [tasks], [("0.0.0.0/0", endpoint)])

    allow = network_firewall.domain_allowlist(
        account,
        region,
        "inspected-egress-allow",
        [
            f".dkr.ecr.{region}.amazonaws.com",
            f"api.ecr.{region}.amazonaws.com",
            f".s3.{region}.amazonaws.com",
            f"logs.{region}.amazonaws.com",
        ],
    )
    group_arn = network_firewall.record(account, region, allow)
    policy_arn = network_firewall.record(
        account,
        region,
        network_firewall.forwarding_policy(account, region, "inspected-egress", [group_arn]),
    )
    firewall = site.clients.client("network-firewall", region).create_firewall(
        FirewallName="inspected-egress",
        FirewallPolicyArn=policy_arn,
        VpcId=vpc,
        SubnetMappings=[{"SubnetId": firewall_subnet}],
    )["Firewall"]["FirewallArn"]
    network_firewall.place_endpoints(
        account, region, firewall, {f"{region}a": (firewall_subnet, endpoint)}
    )

    cluster = "inspected"
    apps.cluster(cluster)
    group = net.security_group(vpc, "inspected-egress-tasks")
    placement = Placement(subnet_ids=[tasks], security_group_ids=[group])
    for name, image in (
        ("inventory-sync", apps.ecr_image("inventory-sync", "3.2.0")),
        ("geo-enricher", "redis:7.4"),
    ):
        definition = apps.task_definition(name, ContainerSpec(image=image))
        site.service(cluster, name, definition, placement, count=1)
