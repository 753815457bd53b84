"""``GET /healthz`` for ``auditor serve``: 200 while the scheduler works, 503 otherwise.

Unhealthy means: the scheduler is stopped or stopping, a job is overdue (the scheduler is
stuck), the last scan job could not start, or every account's latest scan failed. The server
runs on the scheduler's own event loop, so a blocked loop shows as no answer at all.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from auditor.scheduler import AuditorService
from auditor.store import reads
from auditor.store.scans import ScanStatus

# How late a job may be before the scheduler counts as stuck (a busy loop delays a little).
OVERDUE_TOLERANCE = timedelta(minutes=5)


@dataclass
class Health:
    healthy: bool
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def http_status(self) -> int:
        return 200 if self.healthy else 503


def _latest_scans(service: AuditorService) -> list[dict[str, Any]]:
    with service.store.session() as session:
        return [
            {
                "scan_id": scan.id,
                "account_id": scan.account_id,
                "status": scan.status,
                "started_at": scan.started_at.isoformat(),
                "finished_at": scan.finished_at.isoformat() if scan.finished_at else None,
            }
            for scan in reads.latest_scans(session)
        ]


async def check_health(service: AuditorService, now: datetime | None = None) -> Health:
    moment = now or datetime.now(UTC)
    problems: list[str] = []
    if service.stopping or not service.scheduler.running:
        problems.append("scheduler is not running")
    overdue = service.overdue_jobs(moment, OVERDUE_TOLERANCE)
    if overdue:
        problems.append(f"jobs overdue (scheduler stuck): {', '.join(overdue)}")
    run = service.last_scan
    if run is not None and run.error:
        problems.append(f"last scan could not start: {run.error}")
    scans = await asyncio.to_thread(_latest_scans, service)
    if scans and all(scan["status"] == ScanStatus.FAILED for scan in scans):
        problems.append("the latest scan of every account failed")
    latest = max(scans, key=lambda scan: str(scan["started_at"])) if scans else None
    body: dict[str, Any] = {
        "status": "unhealthy" if problems else "ok",
        "role": "leader" if service.is_leader else "standby",
        "problems": problems,
        "last_scan_at": latest["started_at"] if latest else None,
        "last_scan_status": latest["status"] if latest else None,
        "scans": scans,
        "next_runs": service.next_runs() if service.scheduler.running else {},
    }
    return Health(healthy=not problems, body=body)


def health_app(service: AuditorService, *, with_reports: bool = False) -> web.Application:
    """/healthz; with ``with_reports`` also the report pages (see auditor.web)."""

    async def healthz(_request: web.Request) -> web.Response:
        health = await check_health(service)
        return web.json_response(health.body, status=health.http_status)

    async def metrics(_request: web.Request) -> web.Response:
        from auditor.metrics import CONTENT_TYPE, render_metrics

        body = await asyncio.to_thread(render_metrics, service.store)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    if with_reports:
        from auditor.web import add_report_routes

        add_report_routes(app, service.store)
    return app


async def start_health_server(
    service: AuditorService, host: str, port: int, *, with_reports: bool = False
) -> web.AppRunner:
    """Serve /healthz (and the report pages) until the returned runner is cleaned up."""
    runner = web.AppRunner(health_app(service, with_reports=with_reports), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
