"""What a collector is: its declaration, and the context one run of it sees.

A collector is declared once: its name (checks refer to it), the IAM actions it needs, the
botocore service it talks to, the record classes it produces, whether it is optional, regional
or global, and which other collectors' records it reads. Its ``collect`` function fetches
(async, paginated, nothing else; see :mod:`collectors.calls`) and transforms (pure, see
:mod:`collectors.fields`) into those record classes.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from auditor.store.resources import ResourceMixin
from collectors.calls import Api

Record = ResourceMixin
RecordT = TypeVar("RecordT", bound=ResourceMixin)


class Scope(enum.StrEnum):
    REGIONAL = "regional"
    GLOBAL = "global"


@dataclass(frozen=True)
class Context:
    """What one collector run sees: where it runs, its API, and its inputs' records."""

    account_id: str
    region: str
    api: Api
    inputs: Mapping[str, list[Record]]
    # The inputs this collector awaits itself (Collector.awaited_needs), by name.
    later: Mapping[str, Callable[[], Awaitable[list[Record]]]] = field(default_factory=dict)

    def records(self, collector: str, kind: type[RecordT]) -> list[RecordT]:
        return [record for record in self.inputs[collector] if isinstance(record, kind)]

    async def records_later(self, collector: str, kind: type[RecordT]) -> list[RecordT]:
        """An awaited input's records once it has finished (none when it did not succeed)."""
        return [record for record in await self.later[collector]() if isinstance(record, kind)]


CollectFunction = Callable[[Context], Awaitable[list[Record]]]


@dataclass(frozen=True, kw_only=True)
class NeededWhen:
    """When a collector's records can matter: only if other collectors' records lead to them.

    ``inputs`` are the collectors whose records decide (they run first, in the same scope);
    ``test`` sees them in a :class:`Context` and says whether anything there can lead to this
    collector's resources. When every input succeeded (or was itself not needed) and the test
    says no, the collector is not run: its outcome is ``not_needed``, naming ``when``. When an
    input failed, nothing can be ruled out, and the collector runs.
    """

    inputs: tuple[str, ...]
    test: Callable[[Context], bool]
    when: str  # "a route targets a virtual private gateway (vgw-)": docs and outcomes


@dataclass(frozen=True, kw_only=True)
class Collector:
    name: str
    service: str  # botocore client name
    actions: tuple[str, ...]  # IAM actions, "service:Operation"
    collect: CollectFunction
    # The record classes (store tables) this collector produces; the registry derives the
    # store's table list and the inventory's fields from these.
    records: tuple[type[Record], ...]
    # Why the auditor needs these actions: one line for docs/iam-policy.md.
    purpose: str
    needs: tuple[str, ...] = ()  # collectors whose records this one reads
    # Inputs read when they succeeded; when one did not, this collector still runs, without
    # that input's records (the checks needing that input are UNKNOWN on its own outcome).
    optional_needs: tuple[str, ...] = ()
    # Optional inputs the collector awaits itself (Context.records_later), so that it starts,
    # and sends what does not depend on them, before they finish.
    awaited_needs: tuple[str, ...] = ()
    optional: bool = False  # a failure never makes the scan partial
    scope: Scope = Scope.REGIONAL
    # Fewer attempts than the account's retry budget, for data that must not hold a scan up.
    max_attempts: int | None = None
    # Run only when the inputs' records call for it (a route to a transit gateway, ...).
    needed_when: NeededWhen | None = None

    @property
    def inputs(self) -> tuple[str, ...]:
        """Every collector whose records this one reads or whose records decide whether it
        runs: all of them finish before it starts, except the awaited needs."""
        condition = self.needed_when.inputs if self.needed_when else ()
        return tuple(
            dict.fromkeys((*self.needs, *self.optional_needs, *self.awaited_needs, *condition))
        )
