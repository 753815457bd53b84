"""CLI scans take the same per-account locks as `auditor serve` (auditor.store.locks).

A second scan of an account already being scanned, by another CLI run or by serve, waits up
to ``--lock-wait`` seconds for it and otherwise stops with a message naming the account.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress

from auditor.store.database import Store
from auditor.store.locks import DEFAULT_TTL, Locks, open_locks

POLL_SECONDS = 1.0
# Well inside the lock rows' time to live, as serve does.
REFRESH_SECONDS = min(60.0, DEFAULT_TTL.total_seconds() / 4)


class AccountBusyError(Exception):
    """An account is locked by another scan; the message is one line for the user."""


@contextmanager
def account_locks(store: Store, accounts: Sequence[str], wait_seconds: float) -> Iterator[None]:
    """Hold the lock of every account for the duration of the block, or raise AccountBusyError."""
    locks = open_locks(store.engine)
    try:
        _acquire_all(locks, accounts, wait_seconds)
    except BaseException:
        locks.close()
        raise
    stop = threading.Event()
    refresher = threading.Thread(target=_refresh, args=(locks, stop), daemon=True)
    refresher.start()
    try:
        yield
    finally:
        stop.set()
        refresher.join()
        locks.close()


def _acquire_all(locks: Locks, accounts: Sequence[str], wait_seconds: float) -> None:
    deadline = time.monotonic() + wait_seconds
    while True:
        locks.acquire(accounts)
        busy = [account for account in accounts if account not in locks.held]
        if not busy:
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            waited = f" after waiting {wait_seconds:g} s" if wait_seconds else ""
            raise AccountBusyError(
                f"account {', '.join(busy)} is being scanned by another auditor process"
                f"{waited}; not scanned (--lock-wait SECONDS waits for it)"
            )
        time.sleep(min(POLL_SECONDS, remaining))


def _refresh(locks: Locks, stop: threading.Event) -> None:
    while not stop.wait(REFRESH_SECONDS):
        # A database gone for a moment must not kill the refresher; the scan itself
        # reports a lost database.
        with suppress(Exception):
            locks.refresh()
