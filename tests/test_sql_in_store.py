"""All SQL is under auditor/store/: writes in repository.py, reads in reads.py.

A module outside the store that imports a query construct from SQLAlchemy (``select``,
``func``, ``delete``, ``text``, ...) or runs a statement on a session (``session.execute``,
``session.get``, ``session.add``, ...) fails here. What the rest may import from SQLAlchemy
is the ``Session`` type it passes to the store, its exceptions, and ``make_url`` (to check a
database URL without connecting). tests/, bench/ and migrations/ are exempt.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("auditor", "collectors", "checks")
STORE = ROOT / "auditor" / "store"
ALLOWED = {
    "sqlalchemy.orm": {"Session"},
    "sqlalchemy.engine": {"make_url"},
    "sqlalchemy.exc": None,  # any exception class
}
SESSION_METHODS = {
    "add",
    "add_all",
    "delete",
    "execute",
    "flush",
    "get",
    "get_one",
    "merge",
    "query",
    "scalar",
    "scalars",
}


def sql_outside_the_store(source: str) -> list[str]:
    """Each SQLAlchemy import or session statement in ``source``, as "line: what"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [
                f"{node.lineno}: import {alias.name}"
                for alias in node.names
                if alias.name.split(".")[0] == "sqlalchemy"
            ]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            allowed = ALLOWED.get(node.module or "", set())
            found += [
                f"{node.lineno}: from {node.module} import {alias.name}"
                for alias in node.names
                if allowed is not None and alias.name not in allowed
            ]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SESSION_METHODS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id.endswith("session")
        ):
            found.append(f"{node.lineno}: {node.func.value.id}.{node.func.attr}(...)")
    return found


def modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if STORE not in path.parents
    )


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sql_outside_the_store(path: Path) -> None:
    assert sql_outside_the_store(path.read_text(encoding="utf-8")) == [], (
        "move the query into auditor/store/reads.py (or the write into repository.py)"
    )


def test_the_store_is_where_the_sql_is() -> None:
    # The sweep above sees these files; they must be the ones that hold the SQL.
    assert sql_outside_the_store((STORE / "reads.py").read_text(encoding="utf-8"))
    assert sql_outside_the_store((STORE / "repository.py").read_text(encoding="utf-8"))
    assert len(modules()) > 50


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from sqlalchemy import select\n", ["1: from sqlalchemy import select"]),
        ("import sqlalchemy as sa\n", ["1: import sqlalchemy"]),
        (
            "from sqlalchemy.orm import Session, aliased\n",
            ["1: from sqlalchemy.orm import aliased"],
        ),
        ("def f(session):\n    return session.get(Scan, 'x')\n", ["2: session.get(...)"]),
        ("def f(db_session):\n    db_session.execute(q)\n", ["2: db_session.execute(...)"]),
        ("from sqlalchemy.orm import Session\nfrom sqlalchemy.exc import DBAPIError\n", []),
        ("def f(session):\n    return reads.get_scan(session, 'x')\n", []),
        ("settings.get('x')\n", []),
    ],
)
def test_what_counts_as_sql(source: str, expected: list[str]) -> None:
    assert sql_outside_the_store(source) == expected


def test_the_store_never_probes_processes() -> None:
    # Whether a scan's or a lock's owner ("host:pid") is alive is auditor/processes.py's
    # question; the store is handed the answer (fail_abandoned_scans(owner_is_gone=...)).
    for path in STORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            (node.module or "").split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
        }
        assert not imported & {"os", "signal", "socket", "psutil"}, path
