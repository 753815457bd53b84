"""The files derived from the declarations are current, and the declarations agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.derived_files import ROOT, rendered
from auditor.inventory import RECORD_FIELDS
from auditor.store.base import Base
from auditor.store.resources import ResourceMixin
from collectors.registry import COLLECTORS, RESOURCE_TABLES


@pytest.mark.parametrize("path", sorted(rendered()), ids=lambda p: str(p.relative_to(ROOT)))
def test_derived_file_is_current(path: Path) -> None:
    assert path.read_text(encoding="utf-8") == rendered()[path], (
        "run: python3 scripts/dev.py generate"
    )


def test_every_resource_table_is_produced_by_exactly_one_collector() -> None:
    mapped = {
        mapper.class_
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, ResourceMixin)
    }
    produced = [record for collector in COLLECTORS for record in collector.records]
    assert sorted(produced, key=str) == sorted(set(produced), key=str), "produced twice"
    assert set(RESOURCE_TABLES) == mapped, "a record class no collector declares, or vice versa"


def test_inventory_has_one_typed_field_per_resource_table() -> None:
    assert set(RECORD_FIELDS) == set(RESOURCE_TABLES)
    assert len(set(RECORD_FIELDS.values())) == len(RECORD_FIELDS)
