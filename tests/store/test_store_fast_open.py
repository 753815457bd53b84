"""Opening an up-to-date store does not load Alembic; the head it compares with is Alembic's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from auditor.store.database import alembic_config, migration_heads, open_store


def test_the_heads_read_from_the_scripts_are_alembics(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    scripts = ScriptDirectory.from_config(alembic_config(store.engine))
    assert migration_heads() == frozenset(scripts.get_heads())
    store.dispose()


def test_an_up_to_date_store_opens_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    open_store(url).dispose()  # creates and migrates it
    probe = (
        "import sys; from auditor.store.database import open_store; "
        f"open_store({url!r}).dispose(); print('alembic' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "False"
