"""The read-only report pages of `auditor serve`: ``/``, ``/scans/<id>`` and ``/history``.

Rendered from the store with the report's own templates on every request; nothing is
written, there is no login (put it behind an authenticating proxy, see docs/deploy.md), and
every page is sent with a Content-Security-Policy that allows only the report's own inline
script, so hostile text that escaping somehow missed still could not run.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web
from markupsafe import escape

from auditor.history import ScanSelectionError, select_scans
from auditor.report.history_page import render_history
from auditor.report.html import render_html
from auditor.report.model import load_report
from auditor.report.text import clean
from auditor.store import reads
from auditor.store.database import Store

log = logging.getLogger(__name__)

NAV = (("/", "Latest report"), ("/history", "History"))
_SCAN_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def security_headers(html: str) -> dict[str, str]:
    scripts = (
        " ".join(
            "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
            for body in _SCRIPT.findall(html)
        )
        or "'none'"
    )
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; style-src 'unsafe-inline'; script-src {scripts}; "
            "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def _page(html: str, status: int = 200) -> web.Response:
    return web.Response(
        text=html, status=status, content_type="text/html", headers=security_headers(html)
    )


def message_page(title: str, text: str) -> str:
    links = "".join(f'<a href="{href}">{label}</a> ' for href, label in NAV)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head><body><nav>{links}</nav>"
        f"<h1>{escape(title)}</h1><p>{escape(clean(text, 500))}</p></body></html>"
    )


def latest_html(store: Store) -> tuple[int, str]:
    with store.session() as session:
        try:
            scans = select_scans(session, "latest", [])
        except ScanSelectionError as error:
            return 200, message_page("No report yet", str(error))
        data = load_report(session, scans)
        return 200, render_html(data, generated_at=datetime.now(UTC), nav=NAV)


def scan_html(store: Store, scan_id: str) -> tuple[int, str]:
    if not _SCAN_ID.match(scan_id):
        return 404, message_page("No such scan", "That is not a scan ID.")
    with store.session() as session:
        scan = reads.get_scan(session, scan_id)
        if scan is None:
            return 404, message_page("No such scan", f"No scan with ID {scan_id} in the store.")
        data = load_report(session, [scan])
        return 200, render_html(data, generated_at=datetime.now(UTC), nav=NAV)


def history_html(store: Store) -> tuple[int, str]:
    with store.session() as session:
        return 200, render_history(session, generated_at=datetime.now(UTC), nav=list(NAV))


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _serving(render: Callable[[web.Request], tuple[int, str]]) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            status, html = await asyncio.to_thread(render, request)
        except Exception:
            log.exception("could not render %s", request.path)
            html = message_page("Internal error", "The page could not be rendered; see the log.")
            return _page(html, 500)
        return _page(html, status)

    return handle


def add_report_routes(app: web.Application, store: Store) -> None:
    """GET / (the latest scans), /scans/{id} (any stored scan) and /history."""
    app.router.add_get("/", _serving(lambda _request: latest_html(store)))
    app.router.add_get(
        "/scans/{scan_id}",
        _serving(lambda request: scan_html(store, request.match_info["scan_id"])),
    )
    app.router.add_get("/history", _serving(lambda _request: history_html(store)))


def report_app(store: Store) -> web.Application:
    app = web.Application()
    add_report_routes(app, store)
    return app


async def start_report_server(store: Store, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(report_app(store), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
