"""`auditor serve`: the scheduler, /healthz, and a clean stop on SIGTERM within 30 s."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

import typer

from auditor.cli.errors import UsageError
from auditor.cli.options import (
    ConfigOption,
    OutputChoice,
    ProfileOption,
    log_level,
    output_options,
    use_profile,
)
from auditor.config import Settings, load_settings
from auditor.health import start_health_server
from auditor.logging_setup import configure_logging
from auditor.scheduler import AuditorService
from auditor.store.database import open_store
from auditor.validation import require_usable

log = logging.getLogger("auditor.serve")

# Time a running scan gets to finish after SIGTERM before it is cancelled (and marked failed);
# with the 5 s allowed for that, the process is gone well within ECS's and Kubernetes' 30 s.
STOP_GRACE = timedelta(seconds=20)
# The container's health check and load balancers' target checks must reach /healthz.
ALL_INTERFACES = "0.0.0.0"  # noqa: S104
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class HttpListener:
    """Where the report pages are served: ``port`` None means on the health listener."""

    host: str
    port: int | None


def http_listener(
    *, http_port: int | None, http_host: str | None, health_host: str, demo: bool
) -> HttpListener | None:
    """The report pages are served when asked for (``--http-port``), and by ``--demo``.

    They listen on 127.0.0.1 unless ``--http-host`` says otherwise. Without a port of their
    own they share the health listener, which is only allowed when that listener is on the
    same address: pages never appear on all interfaces just because /healthz does.
    """
    if http_port is not None:
        return HttpListener(host=http_host or LOOPBACK, port=http_port)
    if http_host is not None:
        if http_host != health_host:
            raise UsageError(
                f"--http-host {http_host} without --http-port shares the health listener, "
                f"which is on {health_host}: give --http-port, or the same --health-host"
            )
        return HttpListener(host=http_host, port=None)
    if demo:
        if health_host != LOOPBACK:
            raise UsageError(
                "serve --demo shows the report on the health port, which must then be on "
                f"127.0.0.1 (it is on {health_host}): give --http-port for a separate listener"
            )
        return HttpListener(host=LOOPBACK, port=None)
    return None


async def serve(
    settings: Settings,
    *,
    health_host: str,
    health_port: int,
    startup_jobs: Sequence[str] = (),
    stop_grace: timedelta = STOP_GRACE,
    http: HttpListener | None = None,
) -> None:
    """Run the scheduler until SIGTERM or SIGINT; ``startup_jobs`` run once, in order, first.

    ``http`` says where the report pages are served: on the health listener itself
    (``http.port`` None) or on their own listener.
    """
    store = await asyncio.to_thread(open_store, settings.database_url)
    service = AuditorService(settings, store)
    pages_on_health = http is not None and http.port is None
    runners = []
    try:
        runners.append(
            await start_health_server(
                service, health_host, health_port, with_reports=pages_on_health
            )
        )
        log.info("serving /healthz", extra={"host": health_host, "port": health_port})
        if http is not None and http.port is not None:
            from auditor.web import start_report_server

            runners.append(await start_report_server(store, http.host, http.port))
        if http is not None:
            host, port = (health_host, health_port) if http.port is None else (http.host, http.port)
            log.info(
                "serving the report at http://%s:%d/ (and /scans/ID, /history)",
                host,
                port,
                extra={"host": host, "port": port},
            )
    except OSError as error:
        for runner in runners:
            await runner.cleanup()
        await asyncio.to_thread(store.dispose)
        what = (
            f"the report on {http.host}:{http.port}"
            if runners and http
            else f"/healthz on {health_host}:{health_port}"
        )
        raise UsageError(f"cannot serve {what}: {error.strerror or error}") from None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    service.start()

    async def run_startup_jobs() -> None:
        for job in startup_jobs:
            if not service.stopping:
                await service.run(job)

    startup = asyncio.create_task(run_startup_jobs())
    try:
        await stop.wait()
        log.info("stopping: no new jobs; waiting for running ones")
    finally:
        await service.stop(stop_grace)
        if not startup.done():
            startup.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await startup
        for runner in runners:
            await runner.cleanup()
        await asyncio.to_thread(store.dispose)
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
    log.info("stopped")


@contextlib.contextmanager
def demo_estate(settings: Settings) -> Iterator[Settings]:
    """The demo moto server, seeded; yields the settings aimed at its accounts and regions,
    its own store, and its own loopback Slack webhook and SMTP server (never the real ones)."""
    # Imported only for --demo: moto is heavy and a production `serve` never needs it.
    from pydantic import SecretStr

    from auditor.demo.environment import demo_aws, demo_database_url, demo_folder
    from auditor.demo.receivers import LOOPBACK, demo_receivers

    with demo_aws() as demo, demo_receivers(demo_folder() / "messages") as receivers:
        estate = demo.estate
        log.info("demo estate seeded", extra={"endpoint": demo.url, "accounts": estate.accounts})
        database_url = demo_database_url()
        log.info(
            "demo: scans are stored in %s; the Slack alert and the weekly email go to loopback "
            "receivers that save them in %s (no real webhook or mail server is used)",
            database_url,
            receivers.folder,
            extra={"database_url": database_url, "messages": str(receivers.folder)},
        )
        accounts = settings.accounts.model_copy(
            update={"ids": list(estate.accounts), "organization": False, "exclude": []}
        )
        slack = settings.slack.model_copy(update={"webhook_url": SecretStr(receivers.webhook_url)})
        smtp = settings.smtp.model_copy(
            update={
                "host": LOOPBACK,
                "port": receivers.smtp_port,
                "starttls": False,
                "ssl": False,
                "username": None,
                "password": None,
            }
        )
        email = settings.email.model_copy(
            update={
                "from_": settings.email.from_ or "auditor-demo@localhost",
                "to": settings.email.to or "you@localhost",
            }
        )
        yield settings.model_copy(
            update={
                "accounts": accounts,
                "regions": list(estate.regions),
                "role_name": "auditor-readonly",
                "external_id": None,
                "database_url": database_url,
                "slack": slack,
                "smtp": smtp,
                "email": email,
            }
        )


def service_logging(choice: OutputChoice) -> None:
    """A service logs at INFO unless told otherwise (-q: warnings and errors only), as JSON
    lines (no colour ever) unless its output is a terminal."""
    if choice.no_color:
        os.environ["NO_COLOR"] = "1"
    chosen = log_level(quiet=choice.quiet, verbose=choice.verbose + 1, level=choice.level)
    configure_logging(logging.WARNING if choice.quiet and choice.level is None else chosen)


@output_options(service_logging)
def serve_command(
    *,
    config: ConfigOption = None,
    health_port: Annotated[
        int,
        typer.Option(envvar="AUDITOR_HEALTH_PORT", min=1, max=65535, help="Port of /healthz."),
    ] = 8080,
    health_host: Annotated[
        str | None,
        typer.Option(
            help="Address /healthz listens on (all interfaces by default; 127.0.0.1 with --demo)."
        ),
    ] = None,
    http_port: Annotated[
        int | None,
        typer.Option(
            envvar="AUDITOR_HTTP_PORT",
            min=1,
            max=65535,
            help="Serve the report (/, /scans/ID, /history; read-only, no login) on this port.",
        ),
    ] = None,
    http_host: Annotated[
        str | None,
        typer.Option(
            envvar="AUDITOR_HTTP_HOST",
            help="Address the report pages listen on (default 127.0.0.1; see docs/deploy.md "
            "for putting them behind an authenticating proxy).",
        ),
    ] = None,
    run_now: Annotated[
        bool, typer.Option(help="Scan every account once at startup, then follow the schedule.")
    ] = False,
    stop_grace: Annotated[
        float,
        typer.Option(
            min=0,
            max=25,
            help="Seconds a running scan gets to finish after SIGTERM before it is cancelled.",
        ),
    ] = STOP_GRACE.total_seconds(),
    demo: Annotated[
        bool,
        typer.Option(
            help="Serve the built-in demo estate on a local moto server: scan at startup, "
            "send the Slack alert and the weekly email, then follow the schedule."
        ),
    ] = False,
    profile: ProfileOption = None,
) -> None:
    """Run scans, alerts, the weekly email and pruning on their schedules until SIGTERM."""
    use_profile(profile)
    settings = load_settings(config)
    require_usable(settings)  # what `config check` rejects, serve refuses to start on
    health_host = health_host or (LOOPBACK if demo else ALL_INTERFACES)
    http = http_listener(
        http_port=http_port, http_host=http_host, health_host=health_host, demo=demo
    )
    with contextlib.ExitStack() as stack:
        startup: list[str] = ["scan"] if run_now else []
        if demo:
            settings = stack.enter_context(demo_estate(settings))
            startup = ["scan", "weekly_email"]
        asyncio.run(
            serve(
                settings,
                health_host=health_host,
                health_port=health_port,
                startup_jobs=startup,
                stop_grace=timedelta(seconds=stop_grace),
                http=http,
            )
        )


def register(app: typer.Typer) -> None:
    """Add the `serve` command to the root app."""
    app.command("serve")(serve_command)
