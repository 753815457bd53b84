"""acme-prod, us-east-1: payments (public and private subnets, a NAT gateway per AZ, a transit
gateway to the corporate network, EFS-backed services, FireLens log shipping) and a dual-stack
identity VPC."""

from __future__ import annotations

from auditor.demo.site import Site
from auditor.demo.sites.refs import NatRef
from auditor.demo.workloads import ContainerSpec, EfsMount, Placement


def prod_us_east_1(site: Site) -> NatRef:
    """Payments (public + private subnets, NAT per AZ, TGW to corp) and dual-stack identity."""
    net, apps = site.net, site.apps
    site.set_dualstack_ipv6(True)

    vpc = net.vpc("payments", "10.10.0.0/16")
    public_a = net.subnet(vpc, "payments-public-a", "10.10.0.0/24", "a")
    public_b = net.subnet(vpc, "payments-public-b", "10.10.1.0/24", "b")
    app_a = net.subnet(vpc, "payments-app-a", "10.10.10.0/24", "a")
    app_b = net.subnet(vpc, "payments-app-b", "10.10.11.0/24", "b")
    igw = net.internet_gateway(vpc, "payments-igw")
    net.route_table(vpc, "payments-public", [public_a, public_b], [("0.0.0.0/0", igw)])
    nat_a = net.nat_gateway(public_a, "payments-nat-a")
    nat_b = net.nat_gateway(public_b, "payments-nat-b")
    tgw = net.transit_gateway("corp-transit", vpc, [app_a, app_b])
    net.route_table(vpc, "payments-app-a", [app_a], [("0.0.0.0/0", nat_a), ("10.200.0.0/16", tgw)])
    net.route_table(vpc, "payments-app-b", [app_b], [("0.0.0.0/0", nat_b), ("10.200.0.0/16", tgw)])
    net.flow_log(vpc, "/vpc/flow-logs/payments")
    tasks_sg = net.security_group(vpc, "payments-tasks")
    private = Placement(subnet_ids=[app_a, app_b], security_group_ids=[tasks_sg])
    public = Placement(subnet_ids=[public_a, public_b], security_group_ids=[tasks_sg])

    cluster = "payments"
    apps.cluster(cluster)
    api = apps.task_definition(
        "payments-api",
        ContainerSpec(
            image=apps.ecr_image("payments-api", "2026.11.3"),
            secrets={
                "DB_PASSWORD": apps.secret_arn("payments/db-password"),
                "STRIPE_API_KEY": apps.parameter_arn("payments/stripe-api-key"),
            },
        ),
    )
    api_tg = apps.target_group("payments-api", vpc, target_type="ip", port=8080)
    site.service(
        cluster,
        "payments-api",
        api,
        private,
        count=6,
        load_balancers=[
            {"targetGroupArn": api_tg, "containerName": "payments-api", "containerPort": 8080}
        ],
    )
    site.stopped_task(
        cluster,
        api,
        private,
        group="service:payments-api",
        stop_code="ServiceSchedulerInitiated",
        reason="Scaling activity initiated by (deployment ecs-svc/5830193349201348211)",
        hours_ago=3,
    )

    web = apps.task_definition("storefront-web", ContainerSpec(image="nginx:1.27-alpine", port=80))
    web_tg = apps.target_group("storefront-web", vpc, target_type="ip", port=80)
    site.service(
        cluster,
        "storefront-web",
        web,
        Placement(subnet_ids=[public_a, public_b], security_group_ids=[tasks_sg], public_ip=True),
        count=4,
        load_balancers=[
            {"targetGroupArn": web_tg, "containerName": "storefront-web", "containerPort": 80}
        ],
    )

    promo = apps.task_definition(
        "promo-banner", ContainerSpec(image="public.ecr.aws/acme/promo-banner:1.4", port=80)
    )
    site.service(cluster, "promo-banner", promo, public, count=2)
    site.stopped_task(
        cluster,
        promo,
        public,
        group="service:promo-banner",
        stop_code="TaskFailedToStart",
        reason="CannotPullContainerError: pull image manifest has been retried 5 time(s): "
        "failed to resolve ref public.ecr.aws/acme/promo-banner:1.4: failed to do request: Head "
        '"https://public.ecr.aws/v2/acme/promo-banner/manifests/1.4": '
        "dial tcp 99.83.145.10:443: i/o timeout",
        hours_ago=1,
    )

    checkout = apps.task_definition(
        "checkout-worker", ContainerSpec(image=apps.ecr_image("checkout-worker", "5.1.0"))
    )
    checkout_tg = apps.target_group("checkout-worker", vpc, target_type="instance", port=8080)
    site.service(
        cluster,
        "checkout-worker",
        checkout,
        Placement(
            subnet_ids=[app_a, app_b], security_group_ids=[tasks_sg], platform_version="1.3.0"
        ),
        count=3,
        load_balancers=[
            {
                "targetGroupArn": checkout_tg,
                "containerName": "checkout-worker",
                "containerPort": 8080,
            }
        ],
    )

    ledger = apps.task_definition(
        "ledger-sync", ContainerSpec(image=apps.ecr_image("ledger-sync", "3.2.0"))
    )
    site.service(
        cluster,
        "ledger-sync",
        ledger,
        Placement(
            subnet_ids=[app_a, app_b],
            security_group_ids=[tasks_sg],
            capacity_provider="FARGATE_SPOT",
        ),
        count=2,
        load_balancers=[
            {
                "loadBalancerName": "ledger-sync-classic",
                "containerName": "ledger-sync",
                "containerPort": 8080,
            }
        ],
    )

    fraud = apps.task_definition(
        "fraud-model",
        ContainerSpec(
            image="ghcr.io/acme/fraud-model:2.3",
            repository_credentials=apps.secret_arn("ghcr-pull-credentials"),
        ),
    )
    site.service(cluster, "fraud-model", fraud, private, count=2)

    _documents(site, vpc, [app_a, app_b], tasks_sg)
    _log_shipping(site, private)
    _identity(site)
    return NatRef(site.account_id, site.region, nat_b, "payments-nat-b")


def _documents(site: Site, vpc: str, subnets: list[str], tasks_sg: str) -> None:
    """Two EFS-backed services: document-store's file system has a mount target in both app
    subnets' AZs; statement-renderer's only in us-east-1a, so its task in us-east-1b cannot
    mount it."""
    apps, storage = site.apps, site.storage
    efs_sg = site.net.security_group(vpc, "payments-efs")
    storage.allow_nfs(efs_sg, tasks_sg)
    documents = storage.file_system("payments-documents")
    for subnet in subnets:
        storage.mount_target(documents, subnet, efs_sg)
    uploads = storage.access_point(documents, "document-store-uploads", "/uploads")
    statements = storage.file_system("payments-statements")
    storage.mount_target(statements, subnets[0], efs_sg)
    placement = Placement(subnet_ids=subnets, security_group_ids=[tasks_sg])
    store = apps.task_definition(
        "document-store",
        ContainerSpec(
            image=apps.ecr_image("document-store", "1.9.0"),
            efs=(
                EfsMount(
                    volume="uploads",
                    file_system_id=documents,
                    path="/srv/uploads",
                    access_point_id=uploads,
                    iam=True,
                ),
            ),
        ),
    )
    site.service("payments", "document-store", store, placement, count=2)
    renderer = apps.task_definition(
        "statement-renderer",
        ContainerSpec(
            image=apps.ecr_image("statement-renderer", "4.2.1"),
            efs=(EfsMount(volume="statements", file_system_id=statements, path="/statements"),),
        ),
    )
    site.service("payments", "statement-renderer", renderer, placement, count=2)


def _log_shipping(site: Site, private: Placement) -> None:
    """FireLens to CloudWatch Logs over the NAT gateways: event-forwarder has a task role,
    audit-shipper has none (FireLens signs with the task role, so its logs are refused)."""
    apps = site.apps
    for family, task_role in (("event-forwarder", True), ("audit-shipper", False)):
        definition = apps.task_definition(
            family,
            ContainerSpec(
                image=apps.ecr_image(family, "2.0.3"),
                firelens={
                    "Name": "cloudwatch_logs",
                    "region": site.region,
                    "log_group_name": f"/ecs/{family}",
                    "log_stream_prefix": "app-",
                    "auto_create_group": "false",
                },
            ),
            task_role=task_role,
        )
        site.service("payments", family, definition, private, count=1)


def _identity(site: Site) -> None:
    """A dual-stack VPC: NAT for IPv4, an egress-only gateway for IPv6."""
    net, apps = site.net, site.apps
    vpc = net.vpc("identity", "10.20.0.0/16", ipv6=True)
    public_a = net.subnet(vpc, "identity-public-a", "10.20.0.0/24", "a")
    app_a = site.dualstack_subnet(vpc, "identity-app-a", "10.20.10.0/24", "a", 1)
    app_b = site.dualstack_subnet(vpc, "identity-app-b", "10.20.11.0/24", "b", 2)
    igw = net.internet_gateway(vpc, "identity-igw")
    eigw = net.egress_only_internet_gateway(vpc, "identity-eigw")
    net.route_table(vpc, "identity-public", [public_a], [("0.0.0.0/0", igw), ("::/0", igw)])
    nat = net.nat_gateway(public_a, "identity-nat-a")
    net.route_table(vpc, "identity-app", [app_a, app_b], [("0.0.0.0/0", nat), ("::/0", eigw)])
    net.flow_log(vpc, "/vpc/flow-logs/identity")
    tasks_sg = net.security_group(vpc, "identity-tasks")

    cluster = "identity"
    apps.cluster(cluster)
    api = apps.task_definition(
        "identity-api",
        ContainerSpec(
            image=apps.ecr_image("identity-api", "8.0.1"),
            secrets={"JWT_SIGNING_KEY": apps.parameter_arn("identity/jwt-signing-key")},
        ),
    )
    placement = Placement(subnet_ids=[app_a, app_b], security_group_ids=[tasks_sg])
    site.service(cluster, "identity-api", api, placement, count=3)
    cleanup = apps.task_definition(
        "identity-session-cleanup",
        ContainerSpec(image=apps.ecr_image("identity-session-cleanup", "1.0.7")),
    )
    site.run(
        cluster,
        cleanup,
        Placement(subnet_ids=[app_a], security_group_ids=[tasks_sg], platform_version="1.3.0"),
        count=1,
    )
