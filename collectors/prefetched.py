"""Answers to calls sent before the collectors ran, handed to them when they ask.

A one-account scan sends its first ECS calls from the start-up thread
(``auditor.ecs_prefetch``) while the rest of the process loads. Each call it sends is
registered here first, by region, service, operation and parameters; a collector's
:class:`~collectors.calls.Api` asking the very same call takes that answer (or error)
instead of sending it again. When the account's collection starts, registration closes
(a call the collectors may send themselves is never sent twice) and each call registered
and not yet answered holds one place of the account's concurrency bound until it is
(``collectors.run``): the calls in flight stay within the bound. Calls registered are sent
and finished even if no collector takes them, and all are counted.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable, Mapping
from typing import Any

from auditor.aws_calls import CallCounter

Key = tuple[str, str, str, str, Any]  # region, service, kind ("call" or "pages"), operation, params


class PrefetchClosedError(Exception):
    """The collectors have started asking: a call not registered by now is theirs to send."""


class PrefetchAbandonedError(Exception):
    """A registered call was never answered (the sending thread ended): send it again."""


def call_key(scope: tuple[str, str], kind: str, operation: str, params: Mapping[str, Any]) -> Key:
    return (*scope, kind, operation, _frozen(params))


def _frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    return value


class PrefetchedCalls:
    """The calls sent ahead for one account: their answers as futures, and their count."""

    def __init__(self) -> None:
        self.calls = CallCounter()  # the requests, throttles and retries the calls made
        self.finished = threading.Event()  # set when nothing more will be sent or answered
        self._taken = False  # a scan took these calls: it holds its account's lock, collects
        self._when_taken: list[Callable[[], object]] = []
        self._answers: dict[Key, concurrent.futures.Future[Any]] = {}
        self._registered: list[concurrent.futures.Future[Any]] = []
        self._open = True
        self._lock = threading.Lock()

    def mark_taken(self) -> None:
        """A scan has taken these calls; what waits for that (``when_taken``) goes on."""
        with self._lock:
            self._taken = True
            waiting, self._when_taken = self._when_taken, []
        for callback in waiting:
            callback()

    def when_taken(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` once a scan has taken these calls (now, if one has)."""
        with self._lock:
            if not self._taken:
                self._when_taken.append(callback)
                return
        callback()

    def register(self, key: Key) -> concurrent.futures.Future[Any]:
        """A future for the answer to a call about to be sent; raises PrefetchClosedError
        once the collectors have started asking."""
        with self._lock:
            if not self._open:
                raise PrefetchClosedError
            future: concurrent.futures.Future[Any] = concurrent.futures.Future()
            self._answers[key] = future
            self._registered.append(future)
            return future

    def claim(self, key: Key) -> concurrent.futures.Future[Any] | None:
        """The answer to this call if it was sent ahead (once: it is handed over). A claim
        closes registration (if the collection has not already)."""
        with self._lock:
            self._open = False
            return self._answers.pop(key, None)

    def close(self) -> None:
        with self._lock:
            self._open = False

    def end(self) -> None:
        """Nothing more will be sent: close, fail what was registered and never answered
        (``PrefetchAbandonedError``: whoever waits for it sends it), mark finished."""
        self.close()
        for future in self._registered:
            if not future.done():
                future.set_exception(PrefetchAbandonedError())
        self.finished.set()

    def unanswered(self) -> list[concurrent.futures.Future[Any]]:
        """The calls registered and not answered yet (in flight, or about to be sent)."""
        with self._lock:
            return [future for future in self._registered if not future.done()]

    @property
    def sent(self) -> int:
        """Calls registered and not claimed (for tests: sent for nobody)."""
        with self._lock:
            return len(self._answers)
