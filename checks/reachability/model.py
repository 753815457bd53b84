"""The evaluator's vocabulary: where traffic starts, each hop looked at, and the verdict."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Source:
    """A task ENI, or one subnet of a service's network configuration."""

    label: str
    region: str
    vpc_id: str | None
    subnet_id: str
    security_group_ids: tuple[str, ...]
    # True/False when known; None when it cannot be read.
    public_ipv4: bool | None
    public_ipv4_detail: str
    private_ipv4: str | None = None


class UnknownReason(enum.StrEnum):
    """Why a hop cannot be judged, as a class users can mute (``unknown_reason`` in the JSON).

    Hops that are UNKNOWN because data is missing (a denied call, a resource not in the
    inventory) carry no class: those are fixed by granting access, not muted.
    """

    # The path leaves AWS (VPN, Direct Connect, Outposts): nothing beyond can be seen.
    BEYOND_AWS = "beyond-aws"
    # An appliance decides (NAT instance, proxy, GWLB appliance, Suricata rules).
    APPLIANCE = "appliance"
    # A resource on the path belongs to an account that was not scanned.
    ACCOUNT_NOT_SCANNED = "account-not-scanned"
    # A hop kind the evaluator does not model.
    NOT_MODELLED = "not-modelled"


@dataclass(frozen=True, kw_only=True)
class Hop:
    """One thing looked at; ``ok`` None means the data to judge it is missing."""

    step: str
    subject: str
    ok: bool | None
    detail: str
    unknown_reason: UnknownReason | None = None
    # The account owning the hop's resource, and the scan it was read from when that scan
    # is not one of this run's (an owner's latest complete scan); set by ``NetworkView``.
    account: str | None = None
    scan: str | None = None
    # A Network Firewall's rules on this path, to be judged against each destination's host
    # names: (firewall ARN, the CIDR the traffic reaches it from). Not part of the evidence.
    inspect: tuple[str, str | None] | None = field(default=None, compare=False)

    def as_evidence(self) -> dict[str, Any]:
        """The hop in a finding's evidence. Built once per hop: thousands of tasks share the
        hops of their subnet's cached paths, and their findings share this dict (nothing
        changes evidence once built; the store and the outputs only read it)."""
        return self._evidence

    @cached_property
    def _evidence(self) -> dict[str, Any]:
        return self.build_evidence()

    def build_evidence(self) -> dict[str, Any]:
        """A new evidence dict of the hop (``as_evidence`` builds it once)."""
        evidence: dict[str, Any] = {
            "step": self.step,
            "id": self.subject,
            "ok": self.ok,
            "detail": self.detail,
        }
        if self.unknown_reason is not None and self.ok is None:
            evidence["unknown_reason"] = str(self.unknown_reason)
        if self.account is not None:
            evidence["account"] = self.account
        if self.scan is not None:
            evidence["scan"] = self.scan
        return evidence


@dataclass(frozen=True, kw_only=True)
class Path:
    """One way to the destination (via an internet gateway, a NAT gateway, endpoints...)."""

    name: str
    hops: tuple[Hop, ...]

    @cached_property
    def ok(self) -> bool | None:
        if any(h.ok is False for h in self.hops):
            return False
        if any(h.ok is None for h in self.hops):
            return None
        return True

    @property
    def first_problem(self) -> Hop | None:
        for hop in self.hops:
            if hop.ok is False:
                return hop
        for hop in self.hops:
            if hop.ok is None:
                return hop
        return None

    def as_evidence(self) -> dict[str, Any]:
        return {"path": self.name, "ok": self.ok, "hops": [h.as_evidence() for h in self.hops]}


@dataclass(frozen=True, kw_only=True)
class Reachability:
    """Whether a destination can be reached: by the first working path, or why not."""

    destination: str
    paths: tuple[Path, ...] = field(default_factory=tuple)

    @cached_property
    def reachable(self) -> bool | None:
        oks = [p.ok for p in self.paths]
        if True in oks:
            return True
        if None in oks:
            return None
        return False

    @property
    def via(self) -> Path | None:
        return next((p for p in self.paths if p.ok is True), None)

    @property
    def unknown_reason(self) -> UnknownReason | None:
        """The one class every open hop of the undecided paths shares, if they share one
        (and none is open for missing data), so a user can mute the finding as a class."""
        if self.reachable is not None:
            return None
        reasons = {
            h.unknown_reason for p in self.paths if p.ok is None for h in p.hops if h.ok is None
        }
        return reasons.pop() if len(reasons) == 1 and None not in reasons else None

    def problems(self) -> list[str]:
        """One phrase per path that does not work: the first hop that broke it."""
        found: list[str] = []
        for path in self.paths:
            hop = path.first_problem
            if path.ok is not True and hop is not None:
                found.append(f"{path.name}: {hop.detail}")
        return found

    def as_evidence(self) -> dict[str, Any]:
        via = self.via
        return {
            "destination": self.destination,
            "reachable": self.reachable,
            "via": via.name if via else None,
            "paths": [p.as_evidence() for p in self.paths],
        }


def combine(name: str, parts: Iterable[Path]) -> Path:
    """One path made of several legs that must all work (e.g. ecr.dkr + ecr.api + S3)."""
    hops: list[Hop] = []
    for part in parts:
        hops.extend(part.hops)
    return Path(name=name, hops=tuple(hops))


def decisive_hop(reach: Reachability) -> Hop | None:
    """The hop that decides why ``reach`` is not reachable (or not known): among the paths
    with the destination's verdict, the first problem of the one that got furthest (the way
    the subnet was meant to go, e.g. its NAT gateway rather than an endpoint it never had);
    ties go to the first path. None when the destination is reachable."""
    wanted = reach.reachable
    if wanted is True:
        return None
    best: Hop | None = None
    best_at = -1
    for path in reach.paths:
        hop = path.first_problem
        if path.ok is not wanted or hop is None:
            continue
        at = path.hops.index(hop)
        if at > best_at:
            best, best_at = hop, at
    return best
