"""Benchmark one `auditor scan` of an organisation: N accounts x R regions, against a baseline.

One command, everything measured in this run, on moto behind a proxy adding a fixed latency
per request (bench/rig.py, shared with bench_scan.py):
  - seeds N member accounts x R regions through assumed roles (threads): a VPC, a subnet, a
    security group, a cluster, a task definition and ``--tasks`` running Fargate tasks in
    each account-region, and the ECS service-linked role in each account;
  - runs ONE `auditor scan` over every account and region as a subprocess, sampling the
    resident memory of its whole process tree (the scan worker processes included);
  - runs the baseline: the minimal calls for the data the scan stored (largest pages and
    batches, one AssumeRole per account), through the same proxy, at the same concurrency
    (calls per account, accounts at once, processes), as a subprocess of its own.
Prints wall time, CPU-seconds per account-region, peak RSS of the tree, API calls per
account-region, scans complete/partial/failed, wall time / baseline, and the machine's load.

Usage: .venv/bin/python bench/bench_org.py [--accounts 50] [--regions 4] [--tasks 5]
       [--latency 0.05] [--concurrency 8] [--account-concurrency N] [--workers N]
The goal: --accounts 1000 --regions 4 within 15 minutes, peak RSS under 1 GB.
(the machine is shared: develop with --accounts 20)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rig
from bench_collection import minimal_calls  # a sibling script, not a package

REGIONS = (
    "us-east-1",
    "eu-west-1",
    "us-west-2",
    "ap-southeast-2",
    "eu-central-1",
    "ap-northeast-1",
    "us-east-2",
    "sa-east-1",
)
FIRST_ACCOUNT = 100_000_000_000  # member accounts: 100000000000, 100000000001, ...
ROLE = "auditor-readonly"
Call = tuple[str, str, str, dict[str, Any]]  # (region, service, operation, params)


def account_ids(count: int) -> list[str]:
    return [str(FIRST_ACCOUNT + number) for number in range(count)]


# ------------------------------------------------------------------------------ the estate


# One moto process is one core at most: at 1,000 accounts a single one was the bound.
MOTO_SERVERS = 2
SEED_PROCESSES = 3  # moto, on one core, is the bottleneck once three processes feed it
SEED_THREADS = 8  # per seeding process


def seed(urls: list[str], accounts: Sequence[str], regions: Sequence[str], tasks: int) -> None:
    """Every account-region seeded alike, through a role assumed into the account, by a few
    processes of a few threads each: one process of 16 threads spent its time holding the
    GIL and collecting garbage (about 40% of its CPU), not waiting for moto."""
    shares = [list(accounts[n::SEED_PROCESSES]) for n in range(SEED_PROCESSES)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(SEED_PROCESSES, mp_context=context) as pool:
        jobs = [pool.submit(_seed_share, urls, share, list(regions), tasks) for share in shares]
        for job in jobs:
            job.result()


def _seed_share(urls: list[str], accounts: list[str], regions: list[str], tasks: int) -> None:
    import boto3

    # boto3's service models and client classes live as long as the process: loaded, then
    # left out of garbage collection, whose full passes over them were 40% of the CPU.
    warm = boto3.session.Session()
    for service in ("sts", "iam", "ec2", "ecs"):
        warm.client(service, region_name=regions[0], endpoint_url=urls[0])
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    local = threading.local()

    def session() -> Any:
        # One session per thread (boto3 sessions are not thread-safe), each account's
        # credentials passed to its clients: a session per account would parse every
        # service model again.
        if not hasattr(local, "session"):
            local.session = boto3.session.Session()
        return local.session

    def one(account_id: str) -> None:
        url = rig.shard_url(urls, account_id)  # the moto server that holds the account
        role = f"arn:aws:iam::{account_id}:role/{ROLE}"
        sts = session().client("sts", endpoint_url=url)
        keys = sts.assume_role(RoleArn=role, RoleSessionName="seed")["Credentials"]
        credentials = {
            "aws_access_key_id": keys["AccessKeyId"],
            "aws_secret_access_key": keys["SecretAccessKey"],
            "aws_session_token": keys["SessionToken"],
            "endpoint_url": url,
        }

        def client(service: str, region: str | None = None) -> Any:
            made = session().client(service, region_name=region, **credentials)
            made.meta.events.register("before-sign", name_account)
            return made

        def name_account(request: Any, **_: Any) -> None:
            request.headers[rig.ACCOUNT_HEADER] = account_id  # as rig.FleetProxy does

        rig.create_ecs_service_role(client("iam"))
        for region in regions:
            ec2 = client("ec2", region)
            ecs = client("ecs", region)
            _, subnet, group = rig.task_network(ec2)
            cluster = ecs.create_cluster(clusterName="bench")["cluster"]["clusterArn"]
            definition = rig.register_task_definition(ecs)
            network = {"subnets": [subnet], "securityGroups": [group]}
            for start in range(0, tasks, 10):
                ecs.run_task(
                    cluster=cluster,
                    taskDefinition=definition,
                    launchType="FARGATE",
                    networkConfiguration={"awsvpcConfiguration": network},
                    count=min(10, tasks - start),
                )

    with ThreadPoolExecutor(SEED_THREADS) as threads:
        list(threads.map(one, accounts))


# ------------------------------------------------------------------------ the measurement


@dataclass
class Measured:
    wall: float
    cpu: float
    peak_rss_mb: float
    requests: int
    # What the test rig itself spent meanwhile, on the same cores: moto, and this process
    # (the latency proxy, the memory sampler).
    moto_cpu: float = 0.0
    rig_cpu: float = 0.0


def moto_cpu(fleet: rig.MotoFleet) -> float:
    return sum(process_cpu(server.pid) for server in fleet.servers)


def process_cpu(pid: int) -> float:
    """CPU-seconds a running process has used so far (user + system)."""
    with Path(f"/proc/{pid}/stat").open() as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class TreeMemory:
    """Samples the resident memory of a process and all its descendants (from /proc)."""

    def __init__(self, pid: int, every: float = 0.5) -> None:
        self.pid, self.every = pid, every
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._page = os.sysconf("SC_PAGE_SIZE")

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak_bytes = max(self.peak_bytes, self.sample())

    def sample(self) -> int:
        parents: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    with Path(f"/proc/{entry.name}/stat").open() as stat:
                        fields = stat.read().rpartition(")")[2].split()
                    parents[int(entry.name)] = int(fields[1])
                except (OSError, IndexError, ValueError):
                    continue
        tree, grew = {self.pid}, True
        while grew:
            more = {pid for pid, parent in parents.items() if parent in tree} - tree
            grew = bool(more)
            tree |= more
        total = 0
        for pid in tree:
            try:
                with Path(f"/proc/{pid}/statm").open() as statm:
                    total += int(statm.read().split()[1]) * self._page
            except (OSError, IndexError, ValueError):
                continue
        return total


def measure(
    argv: Sequence[str], env: dict[str, str], proxy: rig.BenchProxy, fleet: rig.MotoFleet
) -> Measured:
    """Run a command to completion: wall time, CPU of its tree, peak RSS of its tree."""
    proxy.phase()
    moto_before, rig_before = moto_cpu(fleet), time.process_time()
    started = time.perf_counter()
    child = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=rig.ROOT
    )
    assert child.stderr is not None
    with TreeMemory(child.pid) as memory:
        stderr = child.stderr.read()
        # The rusage of a reaped child includes the descendants it reaped (its workers).
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1, 3):  # 1: FAILs found; 3: some scan not complete (reported below)
        raise SystemExit(f"{argv[:3]} exited {code}: {stderr.decode()[-3000:]}")
    return Measured(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=memory.peak_bytes / 1e6,
        requests=proxy.requests_seen,
        moto_cpu=moto_cpu(fleet) - moto_before,
        rig_cpu=time.process_time() - rig_before,
    )


def scan_statuses(database: Path, tasks_seeded: int) -> Counter[str]:
    """The scans' statuses; exits unless the scans stored every task seeded (a rig that
    seeded or routed an account wrongly would time scans of nothing)."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT status, COUNT(*) FROM scans GROUP BY 1").fetchall()
        (tasks,) = connection.execute("SELECT COUNT(*) FROM ecs_tasks").fetchone()
    if tasks != tasks_seeded:
        raise SystemExit(f"the scans stored {tasks} tasks of the {tasks_seeded} seeded")
    return Counter(dict(rows))


# --------------------------------------------------------------------------- the baseline


def baseline_calls(database: Path) -> dict[str, list[Call]]:
    """For each account, the minimal calls returning what its scan stored, region by region
    (IAM once per account, not once per region)."""
    from auditor.store import reads
    from auditor.store.database import open_store
    from auditor.store.resources import GLOBAL_REGION

    store = open_store(f"sqlite:///{database}", upgrade=False)
    plan: dict[str, list[Call]] = {}
    with store.session() as session:
        for scan in reads.latest_scans(session):
            records = reads.load_records(session, scan.id)
            calls: list[Call] = []
            for region in scan.regions:
                mine = [r for r in records if r.region in (region, GLOBAL_REGION)]
                for service, operation, params in minimal_calls(mine):
                    if service != "iam":
                        calls.append((region, service, operation, params))
            calls.append((scan.regions[0], "iam", "get_role", {"RoleName": "AWSServiceRoleForECS"}))
            plan[scan.account_id] = calls
    store.dispose()
    return plan


async def issue_for_accounts(plan: dict[str, list[Call]], concurrency: int, lanes: int) -> None:
    """Each account: assume its role, then send its calls ``concurrency`` at a time;
    ``lanes`` accounts at once, one client per account, region and service."""
    from contextlib import AsyncExitStack

    from auditor.aws import Caller, open_account
    from auditor.config import Settings

    settings = Settings(concurrency=concurrency, role_name=ROLE)
    caller = Caller(settings)
    queue = list(plan)

    async def account_calls(account_id: str) -> None:
        account = await open_account(account_id, settings, caller=caller)
        limit = asyncio.Semaphore(concurrency)
        calls = plan[account_id]
        async with AsyncExitStack() as stack:
            clients = {
                key: await stack.enter_async_context(
                    account.client(key[1], key[0], pool_size=concurrency)
                )
                for key in {(region, service) for region, service, _, _ in calls}
            }

            async def one(region: str, service: str, operation: str, params: Any) -> None:
                async with limit:
                    await getattr(clients[(region, service)], operation)(**params)

            await asyncio.gather(*(one(*call) for call in calls))

    async def lane() -> None:
        while queue:
            await account_calls(queue.pop())

    await asyncio.gather(*(lane() for _ in range(lanes)))


def _baseline_worker(plan: dict[str, list[Call]], concurrency: int, lanes: int) -> None:
    asyncio.run(issue_for_accounts(plan, concurrency, lanes))


def run_baseline(path: Path) -> None:
    """The baseline process: the plan's accounts split over the scan's number of processes."""
    job = json.loads(path.read_text())
    plan = {a: [tuple(c) for c in calls] for a, calls in job["plan"].items()}
    workers, concurrency = job["workers"], job["concurrency"]
    lanes = max(1, -(-job["account_concurrency"] // workers))
    if workers <= 1:
        _baseline_worker(plan, concurrency, lanes)  # type: ignore[arg-type]
        return
    accounts = sorted(plan)
    shares = [{a: plan[a] for a in accounts[n::workers]} for n in range(workers)]
    with ProcessPoolExecutor(workers) as pool:
        for done in [pool.submit(_baseline_worker, s, concurrency, lanes) for s in shares]:
            done.result()


# ------------------------------------------------------------------------------- the runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50, help="member accounts")
    parser.add_argument("--regions", type=int, default=4, help=f"regions (up to {len(REGIONS)})")
    parser.add_argument("--tasks", type=int, default=5, help="Fargate tasks per account-region")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added per request")
    parser.add_argument("--concurrency", type=int, default=8, help="calls in flight per account")
    parser.add_argument(
        "--account-concurrency", type=int, help="accounts at once (default: auditor's)"
    )
    parser.add_argument("--workers", type=int, help="scan processes (default: auditor's)")
    parser.add_argument(
        "--moto-servers", type=int, default=MOTO_SERVERS, help="moto processes, accounts spread"
    )
    parser.add_argument("--profile", help="write a cProfile of the scan (its main process)")
    parser.add_argument("--baseline", type=Path, help=argparse.SUPPRESS)  # the baseline child
    args = parser.parse_args()
    if args.baseline:
        run_baseline(args.baseline)
        return

    from auditor.config import Settings
    from auditor.scan_pool import worker_count

    defaults = Settings()
    account_concurrency = args.account_concurrency or defaults.account_concurrency
    workers = worker_count(
        args.workers if args.workers is not None else defaults.scan_workers, args.accounts
    )
    accounts = account_ids(args.accounts)
    regions = list(REGIONS[: args.regions])
    load_before = os.getloadavg()

    workdir = Path(tempfile.mkdtemp(prefix="bench-org-"))
    with rig.moto_fleet(args.moto_servers, lean=True) as fleet, _removed(workdir):
        started = time.perf_counter()
        seed(fleet.urls, accounts, regions, args.tasks)
        print(
            f"seeded {len(accounts)} accounts x {len(regions)} regions ({args.tasks} tasks "
            f"each) in {time.perf_counter() - started:.0f} s; latency "
            f"{args.latency * 1000:.0f} ms, {args.concurrency} calls per account, "
            f"{account_concurrency} accounts at once, {workers} process(es), "
            f"{len(fleet.urls)} moto server(s)",
            flush=True,  # a long run's progress shows in a redirected file as it happens
        )
        with rig.ProxyThread(rig.FleetProxy(fleet, args.latency)) as proxy:
            env = {
                **os.environ,
                "AWS_ENDPOINT_URL": proxy.url,
                "AUDITOR_DATABASE_URL": f"sqlite:///{workdir / 'org.db'}",
                "AUDITOR_ROLE_NAME": ROLE,
                "AUDITOR_CONCURRENCY": str(args.concurrency),
                "AUDITOR_ACCOUNT_CONCURRENCY": str(account_concurrency),
                "AUDITOR_SCAN_WORKERS": str(workers),
            }
            argv = [*rig.auditor_command(args.profile), "scan", "--no-progress"]
            argv += ["--fail-on", "none"]
            for account_id in accounts:
                argv += ["--account", account_id]
            for region in regions:
                argv += ["--region", region]
            scan = measure(argv, env, proxy, fleet)
            seeded = args.tasks * len(accounts) * len(regions)
            statuses = scan_statuses(workdir / "org.db", seeded)
            print(
                f"scanned in {scan.wall:.1f} s ({scan.cpu:.0f} CPU-s, peak {scan.peak_rss_mb:.0f}"
                f" MB, {dict(statuses)}); now the baseline",
                flush=True,
            )

            job = workdir / "baseline.json"
            plan = baseline_calls(workdir / "org.db")
            job.write_text(
                json.dumps(
                    {
                        "plan": plan,
                        "workers": workers,
                        "concurrency": args.concurrency,
                        "account_concurrency": account_concurrency,
                    }
                )
            )
            base = measure([sys.executable, __file__, "--baseline", str(job)], env, proxy, fleet)
    report(args, scan, base, statuses, load_before, len(accounts) * len(regions))


@contextmanager
def _removed(workdir: Path) -> Iterator[None]:
    """The run's store and baseline plan are deleted when it ends (1,000 x 4: hundreds of MB)."""
    try:
        yield
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def report(
    args: argparse.Namespace,
    scan: Measured,
    base: Measured,
    statuses: Counter[str],
    load_before: tuple[float, float, float],
    account_regions: int,
) -> None:
    load_after = os.getloadavg()
    goal_scale = 1000 * 4 / account_regions
    print("results")
    line("auditor scan", f"{scan.wall:.1f} s wall, {scan.cpu:.0f} CPU-s")
    line("  CPU-seconds per account-region", f"{scan.cpu / account_regions:.3f}")
    line("  peak RSS, whole process tree", f"{scan.peak_rss_mb:.0f} MB", "goal < 1000 MB")
    line("  API calls per account-region", f"{scan.requests / account_regions:.1f}")
    line(
        "  scans complete / partial / failed",
        f"{statuses['complete']} / {statuses['partial']} / {statuses['failed']}",
    )
    line(
        "  meanwhile: moto / proxy+sampler",
        f"{scan.moto_cpu:.0f} / {scan.rig_cpu:.0f} CPU-s",
    )
    line("baseline (minimal calls)", f"{base.wall:.1f} s wall, {base.cpu:.0f} CPU-s")
    line("  API calls per account-region", f"{base.requests / account_regions:.1f}")
    line(
        "auditor scan / baseline",
        f"{scan.wall / base.wall:.2f} wall, {scan.requests / max(1, base.requests):.2f} calls",
    )
    line(
        "extrapolated to 1000 x 4 (linear)",
        f"{scan.wall * goal_scale / 60:.1f} min",
        "goal <= 15 min",
    )
    line("load average before / after", f"{_load(load_before)} / {_load(load_after)}")


def _load(load: tuple[float, float, float]) -> str:
    return " ".join(f"{value:.2f}" for value in load)


def line(label: str, value: str, goal: str = "") -> None:
    print(f"  {label:<40} {value:<32} {goal}")


if __name__ == "__main__":
    main()
