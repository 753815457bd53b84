"""The first AWS call of a scan, sent before the rest of the process has loaded.

sts:GetCallerIdentity is asked in a thread with a plain (synchronous) botocore client: the
scan's own clients are aiobotocore's, and importing aiobotocore and aiohttp (which builds TLS
contexts at import) took longer than everything else that precedes the call. The client has
the configuration of every other (``auditor.aws_calls.client_options``: the same credential
chain, profile, region, endpoint and one retry layer, botocore's standard mode with the same
attempts), and its requests, throttles and retries are counted the same way. The run's
``auditor.aws.Caller`` takes the answer and the count; when the ask failed it still takes the
count, then asks again and reports that error.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditor.aws_calls import CallCounter, client_options, count_calls, environment_region

if TYPE_CHECKING:
    from auditor.config import Settings


@dataclass(frozen=True)
class Prefetched:
    """What the prefetch brought: the account ID, or the error; the calls it made either way."""

    account_id: str | None
    calls: CallCounter
    error: BaseException | None = None


logger = logging.getLogger(__name__)

_prefetched: list[tuple[Settings, concurrent.futures.Future[Prefetched]]] = []

# How long prefetch_caller waits for its request to leave before the process goes on loading.
# The thread shares the interpreter lock with the main thread, which is importing: thousands
# of short file reads, each handing the lock over, and a thread that loads models and opens
# a connection meanwhile got almost no turn (bench_scan at load 9: the call left after the
# imports and the migrations were done, 18 s later, and both threads ran slower for it).
PREFETCH_SEND_WAIT_SECONDS = 1.0
PREFETCH_SWITCH_INTERVAL_SECONDS = 0.001


def sync_client(
    settings: Settings, service: str, region: str, *, pool_size: int = 1, session: Any = None
) -> Any:
    """A synchronous botocore client configured as every client of a scan is; from
    ``session`` (see :func:`sync_session`), else from a new one."""
    import botocore.config

    config = botocore.config.Config(**client_options(settings, pool_size=pool_size))
    creator: Any = session or sync_session()
    return creator.create_client(service, region_name=region, config=config)


def sync_session() -> Any:
    """A botocore session for :func:`sync_client`. Its clients share what it loaded (the
    endpoint data, 1.2 MB of JSON, took a third of a second at start-up for a second one)."""
    import botocore.loaders
    import botocore.session

    session = botocore.session.Session()
    # As auditor.aws.shared_loader: a profile that does not exist fails the call, not this.
    session.register_component(
        "data_loader", botocore.loaders.create_loader(os.environ.get("AWS_DATA_PATH"))
    )
    return session


def ask_caller_identity(
    settings: Settings,
    counter: CallCounter,
    *,
    on_send: Callable[[], None] | None = None,
    session: Any = None,
) -> str:
    """sts:GetCallerIdentity with a synchronous botocore client; the account ID."""
    region = environment_region()
    sts = sync_client(settings, "sts", region, session=session)
    try:
        count_calls(sts, counter, region, "sts")
        if on_send is not None:
            sts.meta.events.register("before-send", _calling(on_send))
        identity = sts.get_caller_identity()
    finally:
        sts.close()
    return str(identity["Account"])


def _calling(callback: Callable[[], None]) -> Callable[..., None]:
    def handler(**_: Any) -> None:  # None: botocore goes on to send the request
        callback()

    return handler


def prefetch_caller(
    settings: Settings, then: Callable[[str, Any], Callable[[], None] | None] | None = None
) -> threading.Event:
    """Ask sts:GetCallerIdentity now, in a thread, and return once the request has left
    (or after PREFETCH_SEND_WAIT_SECONDS): the first AWS call of a scan leaves at once, and
    its answer comes back while the process goes on starting (aiobotocore, the store, the
    collectors and checks are imported and opened meanwhile). The run's Caller for these
    same settings takes the answer and its call count (see ``take_prefetched``). Returns the
    event set when the request was sent (or the ask ended).

    ``then``, given the caller's account ID and the botocore session that asked, prepares
    what to send next and returns it (or None): it is prepared before the answer is handed
    over, and sent after, in this thread (``auditor.ecs_prefetch``)."""
    future: concurrent.futures.Future[Prefetched] = concurrent.futures.Future()
    sent = threading.Event()

    def ask() -> None:
        counter = CallCounter()
        session = sync_session()
        try:
            account = ask_caller_identity(settings, counter, on_send=sent.set, session=session)
        except BaseException as error:  # handed over: the Caller asks again
            future.set_result(Prefetched(None, counter, error))
            sent.set()
            return
        follow_up = None
        try:
            follow_up = then(account, session) if then is not None else None
        except Exception:  # a bug in preparing it must not keep the answer from the run
            logger.exception("could not prepare the calls to send ahead")
        future.set_result(Prefetched(account, counter))
        sent.set()
        if follow_up is not None:
            follow_up()

    def ask_then_restore() -> None:
        try:
            ask()
        finally:
            sys.setswitchinterval(interval)

    # The main thread goes on importing, holding the interpreter lock for a switch interval
    # at a time; each step of the prefetch (an answer parsed, the next request sent) waited
    # up to that long for its turn. Shorter turns while it runs: bench_scan's sent-ahead
    # DescribeTasks left 0.3 s earlier at 1 ms than at the default 5 ms.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(PREFETCH_SWITCH_INTERVAL_SECONDS)
    _prefetched.append((settings, future))
    threading.Thread(target=ask_then_restore, name="caller-prefetch", daemon=True).start()
    sent.wait(PREFETCH_SEND_WAIT_SECONDS)
    return sent


def take_prefetched(settings: Settings) -> concurrent.futures.Future[Prefetched] | None:
    """The prefetch started for these very settings (once: it is handed over), if any."""
    for position, (prefetched_for, future) in enumerate(_prefetched):
        if prefetched_for is settings:
            del _prefetched[position]
            return future
    return None
