"""Benchmark the whole `auditor scan` process against the minimal calls for the same data.

One command, everything measured in this run, on moto behind a proxy adding a fixed latency:
  - the minimal-calls baseline: the fewest paginated, batched requests that return what the
    scan collects, sent at the same concurrency through the same proxy;
  - `auditor scan --format json` as a subprocess (start-up, collection, storage, evaluation,
    output), clean and then through 20% throttling plus 5% non-AWS 503s;
  - optionally Prowler (`--prowler PATH`) on the same estate.
Prints the wall-time and API-call ratios against the baseline, the throttled/clean ratio,
start-up times, peak RSS, output size per 1,000 findings and the HTML/CSV renderer times.

Usage: .venv/bin/python bench/bench_scan.py [--tasks 2000] [--vpcs 8] [--services 100]
       [--latency 0.05] [--concurrency 16] [--prowler PATH]
(the machine is shared: develop with --tasks 200 --services 10)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rig
from bench_collection import issue_all, minimal_calls  # sibling scripts, not packages
from rig import ACCOUNT_ID, AUDITOR, REGION, ROOT, BenchProxy, ProxyThread

# ------------------------------------------------------------------------------ the estate


def seed(url: str, tasks: int, vpcs: int, services: int) -> None:
    """``vpcs`` VPCs, one cluster, ``services`` services with target groups, ``tasks`` tasks."""
    import boto3

    def client(service: str) -> Any:
        return boto3.client(service, region_name=REGION, endpoint_url=url)

    ec2, ecs, elbv2 = client("ec2"), client("ecs"), client("elbv2")
    rig.create_ecs_service_role(client("iam"))
    networks = [rig.task_network(ec2, number) for number in range(vpcs)]
    cluster = ecs.create_cluster(clusterName="bench")["cluster"]["clusterArn"]
    definition = rig.register_task_definition(ecs)

    def awsvpc(number: int) -> dict[str, Any]:
        _, subnet, group = networks[number % vpcs]
        return rig.awsvpc(subnet, group)

    for number in range(services):
        rig.create_load_balanced_service(
            ecs,
            elbv2,
            cluster=cluster,
            definition=definition,
            number=number,
            vpc=networks[number % vpcs][0],
            network=awsvpc(number),
        )
    started = 0
    while started < tasks:
        number = (started // 10) % services
        count = min(10, tasks - started)
        ecs.run_task(
            cluster=cluster,
            taskDefinition=definition,
            launchType="FARGATE",
            networkConfiguration=awsvpc(number),
            count=count,
            group=f"service:svc-{number}",
        )
        started += count


# ------------------------------------------------------------------------------- the runs


@dataclass
class Run:
    wall: float
    requests: int
    peak_rss_mb: float = 0.0
    first_call_after: float | None = None
    last_answer_after: float = 0.0
    injected: Counter[str] = field(default_factory=Counter)
    output: Path | None = None


def run_process(
    argv: Sequence[str], env: dict[str, str], proxy: BenchProxy, succeeded: Sequence[int] = (0, 1)
) -> Run:
    """Run a command to completion; wall time, its own peak RSS, requests the proxy saw."""
    started = time.perf_counter()
    child = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT
    )
    assert child.stderr is not None
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in succeeded:  # auditor 1 / Prowler 3: FAILs found
        raise SystemExit(f"{argv[-1]} exited {child.returncode}: {stderr.decode()[-2000:]}")
    first = proxy.first_request_at
    return Run(
        wall=wall,
        requests=proxy.requests_seen,
        peak_rss_mb=usage.ru_maxrss / 1024,
        first_call_after=None if first is None else first - started,
        last_answer_after=proxy.last_answer_at - started,
        injected=Counter(proxy.injected),
    )


def scan(
    env: dict[str, str], proxy: BenchProxy, workdir: Path, name: str, profile: str | None = None
) -> Run:
    output = workdir / f"{name}.json"
    env = {**env, "AUDITOR_DATABASE_URL": f"sqlite:///{workdir / name}.db"}
    argv = [*rig.auditor_command(profile), "scan", "--account", ACCOUNT_ID, "--region", REGION]
    argv += ["--format", "json", "-o", str(output), "--no-progress", "--fail-on", "none"]
    result = run_process(argv, env, proxy)
    result.output = output
    return result


def verdicts(document: Path) -> list[tuple[str, str, str]]:
    findings = json.loads(document.read_text())["findings"]
    return sorted((f["check_id"], f["resource_id"], f["status"]) for f in findings)


def startup(argv: Sequence[str], repeat: int = 5) -> float:
    """The fastest of a few runs: the machine is shared, the minimum is the least disturbed."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        best = min(best, time.perf_counter() - started)
    return best


def renderer_times(database: Path) -> dict[str, float]:
    """Seconds to render the stored scan as HTML and as CSV, in this process."""
    from auditor.report.render import ReportFormat, render
    from auditor.store import reads
    from auditor.store.database import open_store

    store = open_store(f"sqlite:///{database}")
    times = {}
    with store.session() as session:
        (latest,) = reads.latest_scans(session)
        for fmt in (ReportFormat.HTML, ReportFormat.CSV):
            started = time.perf_counter()
            render(session, [latest.id], fmt)
            times[fmt.value] = time.perf_counter() - started
    store.dispose()
    return times


async def baseline(concurrency: int) -> tuple[float, int, Counter[str]]:
    """Collect once (not timed) to learn the data, then time its minimal calls."""
    from auditor.aws import open_account
    from auditor.config import Settings
    from collectors.run import collect_account

    account = await open_account(ACCOUNT_ID, Settings(concurrency=concurrency))
    collected = await collect_account(account, [REGION], concurrency=concurrency)
    calls = minimal_calls(collected.records)
    calls.insert(0, ("sts", "get_caller_identity", {}))  # every scan first learns who it is
    wall = await issue_all(account, calls, concurrency)
    return wall, len(calls), Counter(f"{s}:{o}" for s, o, _ in calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=2000, help="running Fargate tasks")
    parser.add_argument("--vpcs", type=int, default=8, help="VPCs the tasks spread over")
    parser.add_argument("--services", type=int, default=100, help="ECS services")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added per request")
    parser.add_argument("--concurrency", type=int, default=16, help="calls in flight at once")
    parser.add_argument(
        "--prowler",
        default=shutil.which("prowler"),
        help="path of a prowler executable to compare with (default: prowler on PATH, if any)",
    )
    parser.add_argument("--profile", help="write a cProfile of the clean scan to this file")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-scan-"))
    with rig.moto() as (_, moto_url):
        started = time.perf_counter()
        seed(moto_url, args.tasks, args.vpcs, args.services)
        print(
            f"seeded {args.tasks} tasks, {args.vpcs} VPCs, {args.services} services "
            f"in {time.perf_counter() - started:.1f}s; latency {args.latency * 1000:.0f} ms, "
            f"concurrency {args.concurrency}"
        )
        with ProxyThread(BenchProxy(moto_url, args.latency)) as proxy:
            os.environ["AWS_ENDPOINT_URL"] = proxy.url
            env = {**os.environ, "AUDITOR_CONCURRENCY": str(args.concurrency)}
            env.pop("AUDITOR_DATABASE_URL", None)
            report(args, proxy, env, workdir)


def report(args: argparse.Namespace, proxy: BenchProxy, env: dict[str, str], workdir: Path) -> None:
    thread_loop = asyncio.new_event_loop()
    proxy.phase()
    base_wall, base_calls, base_ops = thread_loop.run_until_complete(baseline(args.concurrency))
    thread_loop.close()

    proxy.phase()
    clean = scan(env, proxy, workdir, "clean", args.profile)
    proxy.phase(throttle_rate=0.20, unavailable_rate=0.05)
    throttled = scan(env, proxy, workdir, "throttled")
    proxy.phase()
    assert clean.output is not None and throttled.output is not None
    same = verdicts(clean.output) == verdicts(throttled.output)
    findings = len(verdicts(clean.output))
    version = startup([*AUDITOR, "--version"])
    help_time = startup([*AUDITOR, "--help"])
    renders = renderer_times(workdir / "clean.db")
    scan_calls = json.loads(clean.output.read_text())["scan"]["api_calls"]

    print("results")
    line("minimal-calls baseline", f"{base_wall:.2f} s, {base_calls} calls")
    line("auditor scan (clean)", f"{clean.wall:.2f} s, {clean.requests} calls")
    first_call = clean.first_call_after or 0.0
    line(
        "  start-up / collection / after the last call",
        f"{first_call:.2f} / {clean.last_answer_after - first_call:.2f} / "
        f"{clean.wall - clean.last_answer_after:.2f} s",
    )
    line("  wall time / baseline", f"{clean.wall / base_wall:.2f}", "goal <= 1.5")
    # moto answers ListTasks in one page whatever maxResults says; AWS pages it by 100. The
    # AWS-equivalent count replaces the scan's ListTasks by the pages AWS would return.
    operations = scan_operations(workdir / "clean.db")
    list_tasks = operations["ecs:list_tasks"]
    aws_calls = clean.requests - list_tasks + max(list_tasks, base_ops["ecs:list_tasks"])
    line(
        "  API calls / baseline",
        f"{clean.requests / base_calls:.2f} (AWS-equivalent {aws_calls / base_calls:.2f})",
        "goal <= 1.05",
    )
    line(
        "auditor scan (20% throttled + 5% 503)",
        f"{throttled.wall:.2f} s, {throttled.requests} requests",
    )
    line("  throttled / clean", f"{throttled.wall / clean.wall:.2f}", "goal <= 2.0")
    line("  verdicts identical", "yes" if same else "NO", f"({findings} findings)")
    line("  faults injected", ", ".join(f"{k} {v}" for k, v in sorted(throttled.injected.items())))
    line("auditor --version", f"{version:.3f} s", "goal <= 0.3")
    line("auditor --help", f"{help_time:.3f} s", "goal <= 0.3")
    first = clean.first_call_after
    line("scan: first AWS call after start", f"{first:.3f} s" if first else "-", "goal <= 0.8")
    line("scan: peak RSS", f"{clean.peak_rss_mb:.0f} MB")
    size = clean.output.stat().st_size
    line("JSON output", f"{size / 1e6:.1f} MB, {size / findings * 1000 / 1e6:.2f} MB/1000 findings")
    line("HTML renderer", f"{renders['html']:.2f} s")
    line("CSV renderer", f"{renders['csv']:.2f} s")
    if args.prowler:
        compare_prowler(args.prowler, env, proxy, workdir, clean)
    else:
        line("prowler --service ecs vpc", "not run: no prowler on PATH (--prowler PATH)")
    print(f"  (the scan counted {scan_calls} calls itself)")
    print_operations(operations, base_ops)


def line(label: str, value: str, goal: str = "") -> None:
    print(f"  {label:<44} {value:<28} {goal}")


def compare_prowler(
    executable: str, env: dict[str, str], proxy: BenchProxy, workdir: Path, clean: Run
) -> None:
    argv = [executable, "aws", "--service", "ecs", "vpc", "-f", REGION]
    argv += ["--output-directory", str(workdir / "prowler")]
    prowler = run_process(argv, env, proxy, succeeded=(0, 3))  # 3: failed checks found
    line("prowler --service ecs vpc", f"{prowler.wall:.2f} s, {prowler.requests} calls")
    line("  prowler / auditor wall", f"{prowler.wall / clean.wall:.2f}", "goal >= 4")
    line("  auditor / prowler calls", f"{clean.requests / prowler.requests:.2f}", "goal <= 0.5")


def print_operations(scan_ops: Counter[str], base_ops: Counter[str]) -> None:
    print("calls by operation, scan (baseline):")
    for operation in sorted(set(scan_ops) | set(base_ops)):
        print(f"  {operation:<48} {scan_ops[operation]:>5} ({base_ops[operation]})")


def scan_operations(database: Path) -> Counter[str]:
    import sqlite3

    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT service, operation, SUM(count) FROM api_call_counts GROUP BY 1, 2"
        ).fetchall()
    return Counter({f"{service}:{_snake(operation)}": count for service, operation, count in rows})


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


if __name__ == "__main__":
    main()
