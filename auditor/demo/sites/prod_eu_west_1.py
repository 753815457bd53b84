"""acme-prod, eu-west-1: endpoint-only VPCs, one complete, one without ecr.api and
secretsmanager, one without the S3 gateway endpoint."""

from __future__ import annotations

from auditor.demo.site import Site
from auditor.demo.sites.refs import TaskLaunch, VpcRef
from auditor.demo.workloads import ContainerSpec, Placement

INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm"]


def prod_eu_west_1(site: Site) -> tuple[VpcRef, TaskLaunch]:
    """Endpoint-only VPCs: one complete, one without ecr.api, one without the S3 gateway."""
    net, apps = site.net, site.apps

    vpc = net.vpc("internal-services", "10.30.0.0/16")
    subnet_a = net.subnet(vpc, "internal-services-a", "10.30.10.0/24", "a")
    subnet_b = net.subnet(vpc, "internal-services-b", "10.30.11.0/24", "b")
    table = net.route_table(vpc, "internal-services-private", [subnet_a, subnet_b], [])
    net.s3_gateway_endpoint(vpc, [table])
    endpoints_sg = net.security_group(
        vpc, "internal-services-endpoints", https_from=["10.30.0.0/16"]
    )
    net.interface_endpoints(vpc, INTERFACE_ENDPOINTS, [subnet_a, subnet_b], endpoints_sg)
    net.flow_log(vpc, "/vpc/flow-logs/internal-services")
    tasks_sg = net.security_group(vpc, "internal-services-tasks")
    placement = Placement(subnet_ids=[subnet_a, subnet_b], security_group_ids=[tasks_sg])

    cluster = "ledger"
    apps.cluster(cluster)
    core = apps.task_definition(
        "ledger-core",
        ContainerSpec(
            image=apps.ecr_image("ledger-core", "4.12.0"),
            secrets={
                "DB_PASSWORD": apps.secret_arn("ledger/db-password"),
                "FEATURE_FLAGS": apps.parameter_arn("ledger/feature-flags"),
            },
        ),
    )
    site.service(cluster, "ledger-core", core, placement, count=4)
    fx_rates = apps.task_definition(
        "fx-rates", ContainerSpec(image=apps.ecr_image("fx-rates", "1.9.2", region="us-east-1"))
    )
    site.service(cluster, "fx-rates", fx_rates, placement, count=2)

    _reporting(site)
    _analytics_sandbox(site)
    return (
        VpcRef(site.account_id, site.region, vpc, "internal-services"),
        TaskLaunch(cluster, "ledger-core", core, placement),
    )


def _reporting(site: Site) -> None:
    """Endpoint-only, but ecr.api and secretsmanager were forgotten; flow log on one subnet."""
    net, apps = site.net, site.apps
    vpc = net.vpc("reporting", "10.40.0.0/16")
    subnet_a = net.subnet(vpc, "reporting-a", "10.40.10.0/24", "a")
    subnet_b = net.subnet(vpc, "reporting-b", "10.40.11.0/24", "b")
    table = net.route_table(vpc, "reporting-private", [subnet_a, subnet_b], [])
    net.s3_gateway_endpoint(vpc, [table])
    endpoints_sg = net.security_group(vpc, "reporting-endpoints", https_from=["10.40.0.0/16"])
    net.interface_endpoints(vpc, ["ecr.dkr", "logs"], [subnet_a, subnet_b], endpoints_sg)
    net.flow_log(subnet_a, "/vpc/flow-logs/reporting-a", resource_type="Subnet")
    tasks_sg = net.security_group(vpc, "reporting-tasks")
    placement = Placement(subnet_ids=[subnet_a, subnet_b], security_group_ids=[tasks_sg])

    cluster = "reporting"
    apps.cluster(cluster)
    api = apps.task_definition(
        "reporting-api",
        ContainerSpec(
            image=apps.ecr_image("reporting-api", "2.0.0"),
            secrets={"WAREHOUSE_PASSWORD": apps.secret_arn("reporting/warehouse-password")},
        ),
    )
    site.service(cluster, "reporting-api", api, placement, count=2)
    site.stopped_task(
        cluster,
        api,
        placement,
        group="service:reporting-api",
        stop_code="TaskFailedToStart",
        reason="ResourceInitializationError: unable to pull secrets or registry auth: execution "
        "resource retrieval failed: unable to retrieve ecr registry auth: service call has been "
        "retried 3 time(s): RequestError: send request failed caused by: Post "
        '"https://api.ecr.eu-west-1.amazonaws.com/": dial tcp 52.95.120.47:443: i/o timeout',
        hours_ago=2,
    )
    export = apps.task_definition(
        "reporting-export", ContainerSpec(image=apps.ecr_image("reporting-export", "1.1.0"))
    )
    site.run(
        cluster,
        export,
        Placement(subnet_ids=[subnet_a], security_group_ids=[tasks_sg], platform_version="1.3.0"),
        count=1,
    )


def _analytics_sandbox(site: Site) -> None:
    """Endpoint-only without the S3 gateway endpoint or a logs endpoint, and no flow log."""
    net, apps = site.net, site.apps
    vpc = net.vpc("analytics-sandbox", "10.45.0.0/16")
    subnet_a = net.subnet(vpc, "analytics-sandbox-a", "10.45.10.0/24", "a")
    net.route_table(vpc, "analytics-sandbox-private", [subnet_a], [])
    endpoints_sg = net.security_group(vpc, "analytics-endpoints", https_from=["10.45.0.0/16"])
    net.interface_endpoints(vpc, ["ecr.api", "ecr.dkr"], [subnet_a], endpoints_sg)
    tasks_sg = net.security_group(vpc, "analytics-tasks")

    cluster = "analytics"
    apps.cluster(cluster)
    runner = apps.task_definition(
        "notebook-runner", ContainerSpec(image=apps.ecr_image("notebook-runner", "0.9.4"))
    )
    placement = Placement(subnet_ids=[subnet_a], security_group_ids=[tasks_sg])
    site.service(cluster, "notebook-runner", runner, placement, count=2)
