"""The path a finding's traffic takes, as an inline SVG drawn by the report itself.

Read top to bottom: the task or service, its subnet, then every hop the evaluator looked
at (route table, route, NAT gateway / transit gateway / endpoint, internet gateway,
security group...) and the destination. The decisive hop is marked and labelled with its
evidence; hops after it are drawn faded (traffic never gets there). Colours and marks are
presentation attributes, so the drawing needs neither the stylesheet nor JavaScript, and
every piece of text is escaped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from auditor.report.causes import kind_name
from auditor.report.text import clean

WIDTH = 360
ROW = 40
DETAIL_LINE = 14
ID_CHARS = 46
DETAIL_CHARS = 50
DETAIL_LINES = 4
# Inherited by every mark and text of a drawing (and through <use>, of a shared one).
ROOT = (
    'font-size="11" fill="#1d2330" stroke-width="2" '
    'font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif"'
)
COLOURS = {True: "#1e6b3a", False: "#b3261e", None: "#8a5a00", "dim": "#9aa3b2"}


@dataclass(frozen=True, kw_only=True)
class Node:
    kind: str
    label: str
    ok: bool | None
    detail: str = ""
    decisive: bool = False


@dataclass(frozen=True, kw_only=True)
class Located:
    """The source, leg and path of an evidence document that hold a decisive hop."""

    source: Mapping[str, Any]
    leg: Mapping[str, Any]
    path: Mapping[str, Any]
    hop_index: int


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def locate(evidence: Mapping[str, Any], kind: str, resource_id: str) -> Located | None:
    """Where in a path check's evidence (sources → legs → paths → hops) the hop is."""
    for source in _dicts(evidence.get("sources")):
        for leg in _dicts(source.get("legs")):
            if leg.get("reachable") is True:
                continue
            for path in _dicts(leg.get("paths")):
                for index, hop in enumerate(_dicts(path.get("hops"))):
                    if (
                        hop.get("step") == kind
                        and str(hop.get("id")) == resource_id
                        and hop.get("ok") is not True
                    ):
                        return Located(source=source, leg=leg, path=path, hop_index=index)
    return None


def nodes_of(located: Located, source_label: str) -> list[Node]:
    source = located.source
    nodes = [
        Node(kind="source", label=source_label, ok=True),
        Node(kind="subnet", label=str(source.get("subnet_id") or "unknown subnet"), ok=True),
    ]
    hops = [
        Node(
            kind=str(hop.get("step", "hop")),
            label=str(hop.get("id", "")),
            ok=hop.get("ok") if isinstance(hop.get("ok"), bool) else None,
            detail=str(hop.get("detail", "")),
            decisive=index == located.hop_index,
        )
        for index, hop in enumerate(_dicts(located.path.get("hops")))
    ]
    before = _merge_repeats(hops[: located.hop_index + 1])
    nodes.extend(before)
    nodes.extend(_not_reached(hops[located.hop_index + 1 :]))
    reachable = located.leg.get("reachable")
    nodes.append(
        Node(
            kind="destination",
            label=str(located.leg.get("destination", "destination")),
            ok=reachable if isinstance(reachable, bool) else None,
            detail=str(located.leg.get("purpose", "")),
        )
    )
    return nodes


def _merge_repeats(nodes: Sequence[Node]) -> list[Node]:
    """One node for consecutive passing hops on the same resource (a network ACL's inbound
    and outbound rules, say): the drawing stays short, the tooltip keeps every detail."""
    merged: list[Node] = []
    for node in nodes:
        last = merged[-1] if merged else None
        if (
            last is not None
            and node.ok is True
            and last.ok is True
            and (last.kind, last.label) == (node.kind, node.label)
        ):
            merged[-1] = Node(
                kind=last.kind, label=last.label, ok=True, detail=f"{last.detail}; {node.detail}"
            )
        else:
            merged.append(node)
    return merged


def _not_reached(nodes: Sequence[Node]) -> list[Node]:
    """The hops after the decisive one as one faded node: traffic never gets there."""
    if len(nodes) <= 1:
        return list(nodes)
    kinds = list(dict.fromkeys(kind_name(n.kind) for n in nodes))
    return [
        Node(
            kind="not-reached",
            label=f"{len(nodes)} more hops: {', '.join(kinds)}",
            ok=True,
            detail="; ".join(f"{kind_name(n.kind)} {n.label}: {n.detail}" for n in nodes),
        )
    ]


def _wrap(text: str, width: int, lines: int) -> list[str]:
    words = clean(" ".join(text.split()), 1000).split(" ")
    out: list[str] = []
    line = ""
    for whole in words:
        word = whole
        while len(word) > width:  # unbroken names: cut them, the tooltip has them whole
            if line:
                out.append(line)
                line = ""
            out.append(word[:width])
            word = word[width:]
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return out


def _short(text: str, limit: int) -> str:
    text = clean(" ".join(text.split()), 2000)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _title(kind: str) -> str:
    names = {"source": "from", "subnet": "subnet", "destination": "to", "not-reached": "then"}
    return names.get(kind, kind_name(kind))


def _marker(ok: bool | None, centre: int, colour: str) -> str:
    """A cross on a broken hop, a question mark on one that cannot be judged, else a ring."""
    if ok is False:
        return (
            f'<circle cx="14" cy="{centre}" r="7" fill="{colour}"/>'
            f'<path d="M10 {centre - 4}l8 8M18 {centre - 4}l-8 8" stroke="#fff"/>'
        )
    if ok is None:
        return (
            f'<circle cx="14" cy="{centre}" r="7" fill="{colour}"/>'
            f'<text x="14" y="{centre + 4}" text-anchor="middle" fill="#fff" '
            'font-weight="700">?</text>'
        )
    return f'<circle cx="14" cy="{centre}" r="6" fill="#fff" stroke="{colour}"/>'


def svg(nodes: Sequence[Node], *, symbol_id: str | None = None) -> Markup:
    """The drawing; with ``symbol_id`` a ``<symbol>`` to be shown with :func:`use`."""
    parts: list[str] = []
    y = 8
    past_break = False
    previous_bottom: int | None = None
    for node in nodes:
        state: bool | str | None = "dim" if past_break else node.ok
        if node.kind == "destination" and node.ok is not True:
            state = node.ok
        colour = COLOURS[state]
        centre = y + 8
        if previous_bottom is not None:
            dash = ' stroke-dasharray="3 3"' if past_break else ""
            parts.append(
                f'<line x1="14" y1="{previous_bottom}" x2="14" y2="{centre - 7}" '
                f'stroke="{COLOURS["dim"] if past_break else "#5b6475"}"{dash}/>'
            )
        # A tooltip where the drawing shows less than there is (and on the broken hop).
        cut = len(node.label) > ID_CHARS or len(node.detail) > DETAIL_CHARS * DETAIL_LINES
        titled = cut or node.decisive or node.kind == "destination"
        if titled:
            full = f"{_title(node.kind)} {node.label}" + (f": {node.detail}" if node.detail else "")
            parts.append(f"<g><title>{escape(clean(full, 4000))}</title>")
        parts.append(_marker(node.ok, centre, colour))
        mark = ""
        if node.decisive:
            mark = " — broken here" if node.ok is False else " — cannot tell"
        elif node.kind == "destination" and node.ok is not True:
            mark = " — unreachable" if node.ok is False else " — unknown"
        weight = ' font-weight="700"' if node.decisive or node.kind == "destination" else ""
        parts.append(
            f'<text x="30" y="{y + 11}" font-size="12" fill="{colour}"{weight}>'
            f"{escape(_short(_title(node.kind) + mark, DETAIL_CHARS))}</text>"
            f'<text x="30" y="{y + 25}" font-family="monospace"'
            f"{' fill=' + chr(34) + COLOURS['dim'] + chr(34) if past_break else ''}>"
            f"{escape(_short(node.label, ID_CHARS))}</text>"
        )
        bottom = y + 30
        if node.decisive and node.detail:
            for index, line in enumerate(_wrap(node.detail, DETAIL_CHARS, DETAIL_LINES)):
                parts.append(
                    f'<text x="30" y="{y + 40 + index * DETAIL_LINE}" fill="{colour}">'
                    f"{escape(line)}</text>"
                )
                bottom = y + 44 + index * DETAIL_LINE
        if titled:
            parts.append("</g>")
        previous_bottom = bottom - 4
        y = bottom + (ROW - 30)
        if node.decisive:
            past_break = True
    height = y
    body = "".join(parts)
    view = f'viewBox="0 0 {WIDTH} {height}"'
    if symbol_id:
        return Markup(f'<symbol id="{symbol_id}" {view}>{body}</symbol>')  # noqa: S704
    return Markup(  # noqa: S704  (every text above is escaped)
        f'<svg class="pathd" {view} width="{WIDTH}" height="{height}" {ROOT} role="img" '
        f'aria-label="{escape(_aria(nodes))}" xmlns="http://www.w3.org/2000/svg">{body}</svg>'
    )


def _aria(nodes: Sequence[Node], limit: int = 2000) -> str:
    """What the drawing says, for screen readers: the broken hop first, then the path."""
    steps = " → ".join(_short(f"{_title(n.kind)} {n.label}", 80) for n in nodes)
    broken = next((n for n in nodes if n.decisive), None)
    if broken is not None:
        steps = f"Broken at {_title(broken.kind)}: {_short(broken.detail, 300)}. Path: {steps}"
    return _short(steps, limit)


def height_of(symbol: Markup) -> int:
    marker = 'viewBox="0 0 '
    start = symbol.index(marker) + len(marker)
    return int(symbol[start:].split('"', 1)[0].split()[1])


class SymbolSheet:
    """Per-finding diagrams drawn once each and shown with ``<use>`` wherever repeated.

    The sheet stops growing at ``budget`` characters (a report of many findings on many
    distinct paths stays small): :meth:`use` then returns None and the finding points to its
    root cause's diagram instead.
    """

    def __init__(self, budget: int = 1_000_000) -> None:
        self._symbols: dict[str, Markup] = {}
        self._budget = budget
        self._size = 0

    def use(self, nodes: Sequence[Node]) -> Markup | None:
        drawn = svg(nodes, symbol_id="SYMBOL")
        symbol_id = "p-" + hashlib.sha256(drawn.encode()).hexdigest()[:12]
        if symbol_id not in self._symbols:
            if self._size + len(drawn) > self._budget:
                return None
            self._size += len(drawn)
            self._symbols[symbol_id] = Markup(drawn.replace('id="SYMBOL"', f'id="{symbol_id}"', 1))  # noqa: S704
        height = height_of(self._symbols[symbol_id])
        return Markup(  # noqa: S704  (ids are hex, labels escaped)
            f'<svg class="pathd" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
            f'height="{height}" {ROOT} role="img" aria-label="{escape(_aria(nodes, 120))}">'
            f'<use href="#{symbol_id}"/></svg>'
        )

    def sheet(self) -> Markup:
        body = "".join(self._symbols.values())
        return Markup(  # noqa: S704
            f'<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0" '
            f'style="position:absolute" aria-hidden="true">{body}</svg>'
        )


def source_label(resource_type: str, resource_name: str | None, resource_id: str) -> str:
    return resource_name or resource_id or resource_type
