"""`auditor serve --http-port`: the report pages over real HTTP on loopback, and in Chromium."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.cli.errors import UsageError
from auditor.cli.serve_cmd import HttpListener, http_listener
from auditor.store.database import open_store
from tests.report.chromium_cdp import chromium_binary, open_page
from tests.report.report_factories import HOSTILE, finding_row, seed_outage
from tests.service.service_support import SERVE, free_port, wait_for, write_config

ACCOUNT = "111111111111"


def get(url: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


class Served:
    def __init__(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'auditor.db'}"
        store = open_store(url)
        with store.session() as session:
            _, now = seed_outage(session)
            self.scan_id = now.id
            finding = finding_row(
                session,
                scan=now,
                resource_id=HOSTILE["img"],
                resource_name=HOSTILE["script"] + HOSTILE["long"],
                message=HOSTILE["script"],
            )
            finding.root_cause_kind = "nat-gateway"
            finding.root_cause_id = HOSTILE["img"]
            finding.root_cause_detail = HOSTILE["script"] + HOSTILE["channel"]
        store.dispose()
        config = write_config(tmp_path / "auditor.toml", url, [ACCOUNT])
        self.health, self.http = free_port(), free_port()
        self.log = (tmp_path / "serve.log").open("wb")
        command = [sys.executable, "-c", SERVE, "--config", str(config)]
        command += ["--health-host", "127.0.0.1", "--health-port", str(self.health)]
        command += ["--http-port", str(self.http)]
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.http}"
        wait_for(self._up, timeout=60, what="the report pages")

    def _up(self) -> bool:
        try:
            return get(f"{self.base}/history")[0] == 200
        except OSError:
            return False

    def stop(self) -> int:
        self.process.terminate()
        code = self.process.wait(timeout=60)
        self.log.close()
        return code


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    server = Served(tmp_path)
    yield server
    assert server.stop() == 0, (tmp_path / "serve.log").read_text()


@pytest.mark.slow
def test_served_pages_over_http(served: Served) -> None:
    status, headers, html = get(f"{served.base}/")
    assert status == 200
    assert "What broke" in html and 'class="pathd"' in html
    assert "NAT gateway nat-0payments is deleted" in html
    assert "script-src 'sha256-" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    # Hostile names are escaped text, never markup.
    assert HOSTILE["script"] not in html and "&lt;script&gt;window.__pwned" in html
    assert "<img src=x onerror" not in html

    status, _, html = get(f"{served.base}/scans/{served.scan_id}")
    assert status == 200 and served.scan_id in html

    for missing in ("no-such-scan", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "..%2F..%2Fetc"):
        status, headers, html = get(f"{served.base}/scans/{missing}")
        assert status == 404, missing
        assert "Traceback" not in html and "<script>" not in html
        assert headers["Content-Type"].startswith("text/html")

    status, _, html = get(f"{served.base}/history")
    assert status == 200
    assert 'class="chart"' in html and "rtb-0ledger routes 0.0.0.0/0 to a blackhole" in html
    assert "still open" in html
    assert HOSTILE["script"] not in html and "&lt;script&gt;window.__pwned" in html

    # Read-only: nothing but GET (and HEAD).
    assert get(f"{served.base}/", method="POST")[0] == 405
    # With a port of their own, the pages are not on the health port.
    assert get(f"http://127.0.0.1:{served.health}/")[0] == 404
    assert get(f"http://127.0.0.1:{served.health}/healthz")[0] in (200, 503)


@pytest.mark.slow
@pytest.mark.chromium
@pytest.mark.asyncio
async def test_served_pages_render_diagrams_without_console_errors(
    served: Served, tmp_path: Path
) -> None:
    binary = chromium_binary()
    if binary is None:
        pytest.skip("headless Chromium is not installed")
    async with open_page(binary) as page:
        for path in ("/", f"/scans/{served.scan_id}", "/history"):
            await page.goto(served.base + path)
            drawn = await page.evaluate(
                "[...document.querySelectorAll('svg.pathd, svg.chart')]"
                ".filter(s => s.getBoundingClientRect().height > 20).length"
            )
            assert drawn > 0, path
            assert await page.evaluate("window.__pwned === undefined")
            # The report's own script ran under the CSP (its hash is allowed).
            if path != "/history":
                assert await page.evaluate("document.getElementById('filters').hidden") is False
        assert page.errors == []


def test_report_pages_listen_on_loopback_unless_told_otherwise() -> None:
    assert http_listener(
        http_port=8081, http_host=None, health_host="0.0.0.0", demo=False
    ) == HttpListener(host="127.0.0.1", port=8081)
    assert http_listener(http_port=None, http_host=None, health_host="0.0.0.0", demo=False) is None
    assert http_listener(
        http_port=None, http_host=None, health_host="127.0.0.1", demo=True
    ) == HttpListener(host="127.0.0.1", port=None)
    with pytest.raises(UsageError):
        http_listener(http_port=None, http_host=None, health_host="0.0.0.0", demo=True)
    with pytest.raises(UsageError):
        http_listener(http_port=None, http_host="0.0.0.0", health_host="127.0.0.1", demo=False)
