"""acme-data (reached by AssumeRole): a data pipeline in us-east-1 and a dual-stack edge in
eu-west-1 whose account-region has dualStackIPv6 disabled."""

from __future__ import annotations

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
    return TaskRef(site.account_id, site.region, cluster, ingest_tasks[0].arn, "ingest-worker")


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
