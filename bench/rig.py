"""What the benchmarks stand on: moto in a process of its own, the environment pointing boto at
it, a proxy adding a fixed latency per request (on an event loop of its own), the installed
`auditor` command, and the pieces every seeded estate has alike.

A sibling module of the benchmark scripts (each is run as ``python bench/<name>.py``, so this
folder is first on ``sys.path``), not a package.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.collectors.collectors_fault_proxy import FaultProxy  # noqa: E402

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"

# The installed entry point, run by this interpreter (so cProfile can wrap it).
AUDITOR = [sys.executable, str(Path(sys.executable).with_name("auditor"))]


def auditor_command(profile: str | None = None) -> list[str]:
    """The `auditor` command, under cProfile writing to ``profile`` when one is given."""
    auditor = [*AUDITOR]
    if profile:  # cProfile around the whole process, for finding where the time goes
        auditor[1:1] = ["-m", "cProfile", "-o", str(Path(profile).resolve())]
    return auditor


# ------------------------------------------------------------------------------------ moto


def prepare_environment() -> None:
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION=REGION,
        AWS_EC2_METADATA_DISABLED="true",
        MOTO_EC2_LOAD_DEFAULT_AMIS="false",
    )
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_moto(*, lean: bool = False) -> tuple[subprocess.Popen[bytes], str]:
    """moto in its own process, so its CPU time does not compete with the collector's;
    ``lean``: without werkzeug's access log and garbage-collector passes over moto's modules
    (bench/moto_server.py), for benchmarks where moto shares the cores with the scan."""
    port = free_port()
    launcher = [str(Path(__file__).with_name("moto_server.py"))] if lean else ["-m", "moto.server"]
    # BENCH_MOTO_LOG=FILE keeps what moto says (its errors) instead of dropping it.
    with Path(os.environ.get("BENCH_MOTO_LOG", os.devnull)).open("ab") as log:
        server = subprocess.Popen(
            [sys.executable, *launcher, "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=1) as response:
                response.read()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise SystemExit("moto server did not start") from None
            time.sleep(0.2)
    transition = {
        "model_name": "ecs::task",
        "transition": {"progression": "manual", "times": 1_000_000_000},
    }
    request = urllib.request.Request(
        f"{url}/moto-api/state-manager/set-transition",
        data=json.dumps(transition).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
    return server, url


@contextmanager
def moto(*, lean: bool = False) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """The benchmark environment and a moto server (its process and URL), stopped on exit."""
    with moto_fleet(1, lean=lean) as fleet:
        yield fleet.servers[0], fleet.urls[0]


# The header by which moto is told whose request it is (moto's own name for it).
ACCOUNT_HEADER = "x-moto-account-id"


def shard_url(urls: Sequence[str], account_id: str) -> str:
    """The moto server of a fleet that holds ``account_id``: accounts are spread by ID."""
    return urls[int(account_id) % len(urls)]


class MotoFleet:
    """Several moto servers, each holding some accounts. One moto process is one core at
    most (one interpreter), and at 1,000 accounts it was the bound of bench_org."""

    def __init__(self, servers: Sequence[tuple[subprocess.Popen[bytes], str]]) -> None:
        self.servers = [server for server, _ in servers]
        self.urls = [url for _, url in servers]

    def url_for(self, account_id: str) -> str:
        return shard_url(self.urls, account_id)


@contextmanager
def moto_fleet(count: int, *, lean: bool = False) -> Iterator[MotoFleet]:
    """The benchmark environment and ``count`` moto servers, stopped on exit."""
    prepare_environment()
    started: list[tuple[subprocess.Popen[bytes], str]] = []
    try:
        for _ in range(count):
            started.append(start_moto(lean=lean))
        yield MotoFleet(started)
    finally:
        for server, _ in started:
            server.terminate()
        for server, _ in started:
            server.wait(timeout=60)


# ------------------------------------------------------------------------------- the proxy


class BenchProxy(FaultProxy):
    """The fault proxy plus a fixed latency per request, counting requests per phase."""

    def __init__(self, upstream: str, latency: float) -> None:
        super().__init__(upstream)
        self.latency = latency
        self.requests_seen = 0
        self.first_request_at: float | None = None
        self.last_answer_at = 0.0

    def phase(self, *, throttle_rate: float = 0.0, unavailable_rate: float = 0.0) -> None:
        self.throttle_rate, self.unavailable_rate = throttle_rate, unavailable_rate
        self.requests_seen = 0
        self.first_request_at = None
        self.injected.clear()

    async def handle(self, request: web.Request) -> web.Response:
        self.requests_seen += 1
        if self.first_request_at is None:
            self.first_request_at = time.perf_counter()
        await asyncio.sleep(self.latency)
        try:
            return await super().handle(request)
        finally:
            self.last_answer_at = time.perf_counter()


_ACCESS_KEY = re.compile(r"Credential=([^/]+)/")
# In a query-protocol form or a JSON body.
_ROLE_ACCOUNT = re.compile(
    rb"RoleArn=arn%3Aaws%3Aiam%3A%3A(\d{12})%3A|\"RoleArn\": ?\"arn:aws:iam::(\d{12}):"
)
_ISSUED_KEY = re.compile(rb"<AccessKeyId>([^<]+)</AccessKeyId>|\"AccessKeyId\": ?\"([^\"]+)\"")


class FleetProxy(BenchProxy):
    """The bench proxy in front of a fleet of moto servers. Each request goes to the server
    that holds its account, and carries the account's ID, as AWS knows whose credentials
    it was given. moto finds the account of assumed-role credentials by searching every
    account it holds, on every request (1.4 ms at the 500th of 1,000 accounts): a cost of
    the emulator, not of AWS, that would grow with the organisation benchmarked."""

    def __init__(self, fleet: MotoFleet, latency: float) -> None:
        super().__init__(fleet.urls[0], latency)
        self.fleet = fleet
        self.accounts: dict[str, str] = {}  # access key ID -> account, from AssumeRole answers

    def route(self, request: web.Request, body: bytes) -> tuple[str, dict[str, str]]:
        key = _ACCESS_KEY.search(request.headers.get("Authorization", ""))
        account = self.accounts.get(key.group(1)) if key else None
        if account is not None:
            return self.fleet.url_for(account), {ACCOUNT_HEADER: account}
        role = _assumed_account(request, body)
        # An AssumeRole goes where the role's account lives: its credentials are kept there.
        return self.fleet.url_for(role or ACCOUNT_ID), {}

    def answered(self, request: web.Request, body: bytes, payload: bytes) -> None:
        role = _assumed_account(request, body)
        issued = _ISSUED_KEY.search(payload) if role else None
        if role and issued:
            self.accounts[(issued.group(1) or issued.group(2)).decode()] = role


def _assumed_account(request: web.Request, body: bytes) -> str | None:
    """The account of the role an sts:AssumeRole request assumes (None: not one)."""
    if b"Action=AssumeRole&" not in body and not request.headers.get("X-Amz-Target", "").endswith(
        ".AssumeRole"
    ):
        return None
    match = _ROLE_ACCOUNT.search(body)
    return (match.group(1) or match.group(2)).decode() if match else None


class ProxyThread:
    """Runs the proxy on an event loop of its own while the main thread runs subprocesses."""

    def __init__(self, proxy: BenchProxy) -> None:
        self.proxy = proxy
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> BenchProxy:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.proxy.start(), self.loop).result(timeout=30)
        return self.proxy

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self.proxy.stop(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=30)

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()


# ------------------------------------------------------------------------------ the estate


def create_ecs_service_role(iam: Any) -> None:
    """The ECS service-linked role, which the account checks look for (boto3 IAM client)."""
    iam.create_role(
        RoleName="AWSServiceRoleForECS",
        Path="/aws-service-role/ecs.amazonaws.com/",
        AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}',
    )


def task_network(ec2: Any, number: int = 0) -> tuple[str, str, str]:
    """A VPC 10.<number>.0.0/16 with DNS host names, a /18 subnet and a security group:
    their IDs (boto3 EC2 client)."""
    vpc = ec2.create_vpc(CidrBlock=f"10.{number}.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{number}.0.0/18")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="task", Description="task", VpcId=vpc)["GroupId"]
    return vpc, subnet, group


def register_task_definition(ecs: Any) -> str:
    """The one Fargate task definition every benchmark runs (boto3 ECS client); its ARN."""
    definition = ecs.register_task_definition(
        family="bench",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": "nginx", "memory": 512}],
    )
    return str(definition["taskDefinition"]["taskDefinitionArn"])


def awsvpc(subnet: str, group: str) -> dict[str, Any]:
    """The ``networkConfiguration`` of a Fargate task or service in ``subnet``."""
    return {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}}


def create_load_balanced_service(
    ecs: Any,
    elbv2: Any,
    *,
    cluster: str,
    definition: str,
    number: int,
    vpc: str,
    network: dict[str, Any],
) -> None:
    """Service ``svc-<number>`` (no tasks of its own) behind target group ``tg-<number>``."""
    target_group = elbv2.create_target_group(
        Name=f"tg-{number}", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    ecs.create_service(
        cluster=cluster,
        serviceName=f"svc-{number}",
        taskDefinition=definition,
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=network,
        loadBalancers=[
            {"targetGroupArn": target_group, "containerName": "app", "containerPort": 80}
        ],
    )
