"""The one way this project talks to AWS: sessions, clients, account access and call counting.

Every client comes from ``AwsAccount.client`` and so shares one botocore configuration. The
standard AWS environment applies unchanged: the default credential chain, ``AWS_PROFILE``,
``AWS_DEFAULT_REGION``/``AWS_REGION`` and ``AWS_ENDPOINT_URL`` (botocore resolves it for
every service, which is also how the tests aim at moto).

What does not depend on the account is built once per process and shared by every session:
the service-model loader, the client classes and the TLS context (see ``new_session``).
"""

from __future__ import annotations

import asyncio
import copy
import os
import re
import ssl
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, cast

import aiobotocore.httpsession
import aiohttp
import botocore.exceptions
import botocore.loaders
import botocore.regions
from aiobotocore.client import AioClientCreator
from aiobotocore.config import AioConfig
from aiobotocore.credentials import AioRefreshableCredentials
from aiobotocore.httpsession import AIOHTTPSession
from aiobotocore.session import AioSession, get_session
from botocore.credentials import CredentialProvider
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    NoRegionError,
    ProfileNotFound,
)
from botocore.hooks import EventAliaser
from botocore.parsers import ResponseParserError

from auditor import ecs_prefetch
from auditor.aws_calls import (
    CallCounter,
    add_counts,
    client_options,
    count_calls,
    environment_region,
)
from auditor.caller_prefetch import take_prefetched
from auditor.config import Settings
from collectors.prefetched import PrefetchedCalls

_ACCOUNT_ID = re.compile(r"\d{12}")
_EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})
_BAD_KEY_CODES = frozenset(
    {"InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException"}
)


# What a failed AWS call can raise (ResponseParserError is botocore's, not a BotoCoreError).
AWS_ERRORS = (BotoCoreError, ClientError, ResponseParserError, aiohttp.ClientError)


class AccountAccessError(Exception):
    """The account cannot be reached; the message is one line meant for a human.

    ``setup_problem`` is true when the local AWS setup is at fault (no credentials, a profile
    that does not exist, no region): a configuration error rather than an unreachable account.
    """

    def __init__(self, message: str, *, setup_problem: bool = False) -> None:
        super().__init__(message)
        self.setup_problem = setup_problem


# ------------------------------------------------------------------ shared per process
#
# Measured on 20 clients per account (5 services x 4 regions): a fresh botocore session per
# account re-parsed every service model (0.48 CPU-s per account); sharing the loader cut that
# to 0.15, caching the client classes to 0.08. aiobotocore also builds a TLS context per
# client, loading the CA bundle each time (about 40 ms), even for plain-HTTP endpoints.


@cache
def shared_loader() -> botocore.loaders.Loader:
    """One botocore loader per process (it caches what it parsed): every session reads the
    service models through it, so each JSON file is parsed once per process.

    Built as botocore's session builds it, from AWS_DATA_PATH, but without reading the
    profile: a profile that does not exist is reported where credentials are resolved, as
    one line, not raised here."""
    return botocore.loaders.create_loader(os.environ.get("AWS_DATA_PATH"))


# botocore renames every event it emits through a table of old names (EVENT_ALIASES): a
# loop over the table per event, about ten per request, cached per client only (each copy
# of the emitter starts empty). The answer depends on the event name alone, so one cache
# serves every session and client: about a tenth of a scan's CPU, by profile.
_alias_names: dict[str, str] = {}


def _aliaser_copy(self: EventAliaser) -> EventAliaser:
    this: Any = self
    copied: Any = EventAliaser(copy.copy(this._emitter), this._event_aliases)
    copied._alias_name_cache = this._alias_name_cache
    return cast(EventAliaser, copied)


setattr(EventAliaser, "__copy__", _aliaser_copy)  # noqa: B010


def new_session() -> AioSession:
    """A botocore session of its own (credentials, config) reading the shared loader."""
    session = get_session()
    session.register_component("data_loader", shared_loader())
    aliaser: Any = session.get_component("event_emitter")
    aliaser._alias_name_cache = _alias_names
    return session


def load_service_models(services: Iterable[str]) -> None:
    """Parse the service models (and endpoint rules) of ``services`` into the shared loader
    now, before clients need them: a process that freezes its heap out of garbage
    collection then leaves these large read-only trees out too."""
    loader = shared_loader()
    for service in sorted(services):
        loader.load_service_model(service, "service-2")
        with suppress(botocore.exceptions.DataNotFoundError):  # older models have none
            loader.load_service_model(service, "endpoint-rule-set-1")


_client_classes: dict[tuple[str, str], type] = {}
# Private to aiobotocore (the stubs do not name it); tests check that the class is shared.
_create_client_class = getattr(AioClientCreator, "_create_client_class")  # noqa: B009


async def _client_class_once(self: AioClientCreator, service_name: str, service_model: Any) -> Any:
    """aiobotocore builds a client class (a method per operation: 700 for EC2) for every
    client. It depends only on the service model and the handlers every session registers
    alike, so one class per service and API version serves the whole process."""
    key = (service_name, service_model.api_version)
    found = _client_classes.get(key)
    if found is None:
        found = _client_classes[key] = await _create_client_class(self, service_name, service_model)
    return found


setattr(AioClientCreator, "_create_client_class", _client_class_once)  # noqa: B010

_service_models: dict[tuple[str, str | None], Any] = {}
_load_service_model = getattr(AioClientCreator, "_load_service_model")  # noqa: B009


def _service_model_once(
    self: AioClientCreator, service_name: str, api_version: str | None = None
) -> Any:
    """botocore wraps the parsed JSON in a new ServiceModel per client, then rebuilds its
    operation models and scans every operation for endpoint discovery (5 ms per EC2
    client). The model is a read-only description: one per service and version serves all."""
    key = (service_name, api_version)
    found = _service_models.get(key)
    if found is None:
        found = _service_models[key] = _load_service_model(self, service_name, api_version)
    return found


setattr(AioClientCreator, "_load_service_model", _service_model_once)  # noqa: B010


# aiobotocore's connector (it hands a proxy its own TLS context); private, so not in the stubs.
_ProxySSLTCPConnector: Any = getattr(aiobotocore.httpsession, "_ProxySSLTCPConnector")  # noqa: B009

_tls_contexts: dict[tuple[Any, ...], tuple[ssl.SSLContext, ssl.SSLContext | None]] = {}
_tls_lock = threading.Lock()


# The connection pools of the run in progress (see shared_connections), by TLS setting.
_run_connectors: ContextVar[dict[tuple[Any, ...], aiohttp.TCPConnector] | None] = ContextVar(
    "auditor_run_connectors", default=None
)


@asynccontextmanager
async def shared_connections() -> AsyncIterator[None]:
    """Every client opened inside (in this task and the tasks it starts) shares one
    connection pool per TLS setting, instead of one pool per client: an account-region's
    clients, and the accounts after it, reuse the connections (and the DNS answers) the
    ones before opened. Connections carry no credentials (each request is signed), so
    accounts may share them. The calls in flight stay bounded per account (collectors'
    semaphore), not per pool. The pools close when the block ends."""
    connectors: dict[tuple[Any, ...], aiohttp.TCPConnector] = {}
    token = _run_connectors.set(connectors)
    try:
        yield
    finally:
        _run_connectors.reset(token)
        for connector in connectors.values():
            await connector.close()


class SharedTlsHttpSession(AIOHTTPSession):
    """aiobotocore's HTTP session, with the TLS contexts built once per process for each
    verify/client-certificate/proxy combination instead of once per client (a context is
    only read once built, so connections in every client may share it), and inside
    ``shared_connections`` the run's connection pool instead of a pool of its own."""

    def _tls_key(self, proxy_url: str | None) -> tuple[Any, ...]:
        this: Any = self  # private to aiobotocore (the stubs do not name it)
        return (this._verify, this._cert_file, this._key_file, proxy_url)

    def _build_ssl_contexts(self, proxy_url: str | None) -> Any:
        # Tests check the context is shared.
        key = self._tls_key(proxy_url)
        with _tls_lock:
            if key not in _tls_contexts:
                _tls_contexts[key] = AIOHTTPSession._build_ssl_contexts(self, proxy_url)  # type: ignore[attr-defined]
            return _tls_contexts[key]

    async def _create_connector(self, proxy_url: str | None) -> Any:
        key = self._tls_key(proxy_url)
        if key not in _tls_contexts:  # loading the CA bundle reads files: not on the loop
            await asyncio.to_thread(self._build_ssl_contexts, proxy_url)
        ssl_context, proxy_ssl_context = self._build_ssl_contexts(proxy_url)
        this: Any = self
        shared = _run_connectors.get()
        if shared is not None and key in shared:
            return shared[key]
        connector = _ProxySSLTCPConnector(
            # Shared, the pool is as large as the calls the run's accounts have in flight.
            limit=0 if shared is not None else this._max_pool_connections,
            ssl=ssl_context,
            proxy_ssl_context=proxy_ssl_context,
            **this._connector_args,
        )
        if shared is not None:
            shared[key] = connector
        return connector

    async def _get_session(self, proxy_url: str | None) -> aiohttp.ClientSession:
        # aiobotocore's, but a shared pool is not the client's to close.
        this: Any = self
        sessions: dict[str | None, aiohttp.ClientSession] = this._sessions
        if (session := sessions.get(proxy_url)) is None:
            async with this._sessions_lock:
                if (session := sessions.get(proxy_url)) is None:
                    connector = await self._create_connector(proxy_url)
                    session = await this._exit_stack.enter_async_context(
                        aiohttp.ClientSession(
                            connector=connector,
                            connector_owner=_run_connectors.get() is None,
                            timeout=this._timeout,
                            skip_auto_headers={"CONTENT-TYPE"},
                            auto_decompress=False,
                        )
                    )
                    sessions[proxy_url] = session
        return session


def client_config(
    settings: Settings, *, pool_size: int | None = None, max_attempts: int | None = None
) -> AioConfig:
    """The single botocore configuration of every client.

    Retries are botocore's standard mode and nothing else (plus ``extend_retries``).
    ``max_attempts`` defaults to 10 (Settings): an account scan issues hundreds of Describe
    calls in a burst against buckets as small as 40 tokens refilled at 10/s (ELBv2) or 50/10
    (unfiltered EC2 describes), so throttling is expected, not exceptional. Ten attempts with
    capped exponential backoff and jitter (up to 20 s each) outlast a drained bucket. Standard
    rather than adaptive mode, by measurement (bench/bench_scan.py): under 20% throttling plus
    5% 503s adaptive mode cut its own send rate at every throttle and climbed back slowly, so
    the scan took several times as long as a clean one; standard mode, retrying only the
    requests that failed, stays close to the clean time with identical verdicts. The chance of
    ten failures in a row at 25% per attempt is 0.25**10 ≈ 1e-6.
    A collector may ask for fewer attempts (``max_attempts``), never more.
    """
    options = client_options(settings, pool_size=pool_size, max_attempts=max_attempts)
    return AioConfig(**options, http_session_cls=SharedTlsHttpSession)


@asynccontextmanager
async def counted_client(
    session: AioSession,
    service: str,
    region: str,
    counter: CallCounter,
    config: AioConfig,
    *,
    count_region: str | None = None,
) -> AsyncIterator[Any]:
    creator: Any = session  # the stubs type create_client per literal service name
    async with creator.create_client(service, region_name=region, config=config) as client:
        count_calls(client, counter, count_region or region, service)
        yield client


@dataclass(eq=False)
class AwsAccount:
    """One account reached with working credentials, plus the counter of calls made in it."""

    account_id: str
    settings: Settings
    session: AioSession
    calls: CallCounter = field(default_factory=CallCounter)
    # "current" for the caller's own credentials, else the assumed role's ARN.
    access: str = "current"
    # Clients created through ``client``, by (counted region, service).
    clients_opened: Counter[tuple[str, str]] = field(default_factory=Counter)
    # Calls sent ahead for the collectors (auditor.ecs_prefetch), for the caller's own account.
    prefetched: PrefetchedCalls | None = None

    def client(
        self,
        service: str,
        region: str,
        *,
        pool_size: int | None = None,
        count_region: str | None = None,
        max_attempts: int | None = None,
    ) -> Any:  # an async context manager yielding an aiobotocore client
        """A client for ``service`` in ``region``; its requests are counted under
        ``count_region`` (default ``region``; global services pass "global")."""
        config = client_config(self.settings, pool_size=pool_size, max_attempts=max_attempts)
        return self._opened(
            counted_client(
                self.session, service, region, self.calls, config, count_region=count_region
            ),
            (count_region or region, service),
        )

    @asynccontextmanager
    async def _opened(self, client: Any, key: tuple[str, str]) -> AsyncIterator[Any]:
        """Count a client when it is opened (entered), not when it is merely described."""
        async with client as opened:
            self.clients_opened[key] += 1
            yield opened


class _FixedCredentialsProvider(CredentialProvider):
    """Hands a session credentials we built ourselves (the refreshing assumed-role ones)."""

    METHOD = "auditor-assume-role"
    CANONICAL_NAME = "auditor-assume-role"

    def __init__(self, credentials: AioRefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    async def load(self) -> AioRefreshableCredentials:
        return self._credentials


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


_SETUP_PROBLEMS: tuple[tuple[type[Exception], str], ...] = (
    (NoCredentialsError, "no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID)"),
    (ProfileNotFound, "the AWS profile named by AWS_PROFILE does not exist"),
    (NoRegionError, "no AWS region configured (set AWS_REGION or AWS_DEFAULT_REGION)"),
)


def access_error(error: Exception, doing: str) -> AccountAccessError:
    """The one-line AccountAccessError for a failed call made while reaching an account."""
    setup = isinstance(error, tuple(kind for kind, _ in _SETUP_PROBLEMS))
    return AccountAccessError(_describe_access_failure(error, doing), setup_problem=setup)


def _describe_access_failure(error: Exception, doing: str) -> str:
    if isinstance(error, ProfileNotFound):
        profile = error.kwargs.get("profile", "")
        return f"the AWS profile {profile!r} (AWS_PROFILE or --profile) does not exist"
    for kind, message in _SETUP_PROBLEMS:
        if isinstance(error, kind):
            return message
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        if code in _EXPIRED_CODES:
            return f"AWS credentials have expired ({code}); refresh them and retry"
        if code in _BAD_KEY_CODES:
            return f"AWS credentials were rejected ({code}); check the access key"
        return _one_line(f"{doing} failed: {code}: {message}")
    return _one_line(f"{doing} failed: {error}")


async def _caller_account(session: AioSession, counter: CallCounter, config: AioConfig) -> str:
    async with counted_client(session, "sts", environment_region(), counter, config) as sts:
        identity = await sts.get_caller_identity()
    return str(identity["Account"])


def _assume_role_refresher(
    base: AioSession, role_arn: str, settings: Settings, counter: CallCounter, config: AioConfig
) -> Any:
    """An async function returning fresh credentials metadata; botocore calls it on expiry."""

    async def refresh() -> dict[str, str]:
        kwargs: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": "auditor"}
        if settings.external_id is not None:
            kwargs["ExternalId"] = settings.external_id.get_secret_value()
        region = environment_region()
        async with counted_client(base, "sts", region, counter, config) as sts:
            response = await sts.assume_role(**kwargs)
        credentials = response["Credentials"]
        expiration: datetime = credentials["Expiration"]
        return {
            "access_key": credentials["AccessKeyId"],
            "secret_key": credentials["SecretAccessKey"],
            "token": credentials["SessionToken"],
            "expiry_time": expiration.isoformat(),
        }

    return refresh


async def caller_account_id(settings: Settings) -> str:
    """The account the current credentials belong to (one sts:GetCallerIdentity)."""
    config = client_config(settings, pool_size=1)
    try:
        return await _caller_account(new_session(), CallCounter(), config)
    except AWS_ERRORS as error:
        raise access_error(error, "sts:GetCallerIdentity") from None


class Caller:
    """The credentials a run starts from, shared by every account it opens: one session, and
    the caller's own account ID asked once (sts:GetCallerIdentity, counted in the account
    that asked), not once per account. A failed ask is not remembered: the next one retries."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.session = new_session()
        self._config = client_config(settings, pool_size=1)
        self._account_id: str | None = None
        self._lock = asyncio.Lock()

    async def account_id(self, counter: CallCounter) -> str:
        async with self._lock:
            prefetched = take_prefetched(self.settings) if self._account_id is None else None
            if prefetched is not None:
                # The prefetched calls count where they are used, failed or not; a failed
                # ask is asked again below, and that error is reported.
                answer = await asyncio.wrap_future(prefetched)
                add_counts(counter, answer.calls)
                self._account_id = answer.account_id
            if self._account_id is None:
                self._account_id = await _caller_account(self.session, counter, self._config)
            return self._account_id


async def open_account(
    account_id: str, settings: Settings, *, caller: Caller | None = None
) -> AwsAccount:
    """Reach ``account_id``: with the current credentials if they belong to it, else by role.

    ``caller``, shared by the accounts of a run, saves a session and an STS call per account.
    Raises AccountAccessError with a one-line message when that is not possible.
    """
    if not _ACCOUNT_ID.fullmatch(account_id):
        raise AccountAccessError(f"malformed account ID {account_id!r}: expected 12 digits")
    counter = CallCounter()
    caller = caller or Caller(settings)
    base = caller.session
    try:
        caller_id = await caller.account_id(counter)
    except AWS_ERRORS as error:
        raise access_error(error, "sts:GetCallerIdentity") from None
    if caller_id == account_id:
        return AwsAccount(
            account_id=account_id,
            settings=settings,
            session=base,
            calls=counter,
            prefetched=ecs_prefetch.take(settings, account_id),
        )

    role_arn = f"arn:aws:iam::{account_id}:role/{settings.role_name}"
    config = client_config(settings, pool_size=1)
    refresh = _assume_role_refresher(base, role_arn, settings, counter, config)
    try:
        metadata = await refresh()
    except AWS_ERRORS as error:
        raise access_error(error, f"sts:AssumeRole into {role_arn}") from None
    credentials = AioRefreshableCredentials.create_from_metadata(
        metadata, refresh_using=refresh, method="assume-role"
    )
    assumed = new_session()
    assumed.get_component("credential_provider").insert_before(
        "env", _FixedCredentialsProvider(credentials)
    )
    return AwsAccount(
        account_id=account_id, settings=settings, session=assumed, calls=counter, access=role_arn
    )


async def enabled_regions(account: AwsAccount) -> list[str]:
    """The regions enabled for the account (opt-in regions only once opted in)."""
    opted = {"Name": "opt-in-status", "Values": ["opt-in-not-required", "opted-in"]}
    try:
        async with account.client("ec2", environment_region()) as ec2:
            response = await ec2.describe_regions(Filters=[opted])
    except AWS_ERRORS as error:
        raise access_error(error, "ec2:DescribeRegions") from None
    return sorted(str(region["RegionName"]) for region in response["Regions"])
