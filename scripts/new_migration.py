"""Autogenerate a migration: python scripts/new_migration.py "what changed".

Runs against a scratch SQLite file migrated to head, so the diff is exactly the model change.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from auditor.store.database import alembic_config, make_engine


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit('usage: python scripts/new_migration.py "message"')
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'scratch.db'}")
        config = alembic_config(engine)
        command.upgrade(config, "head")
        script = command.revision(config, message=sys.argv[1], autogenerate=True)
        engine.dispose()
    for revision in script if isinstance(script, list) else [script]:
        if revision is None:
            continue
        path = Path(revision.path)
        # Alembic renders JSONB's text type unqualified; the template imports sqlalchemy as sa.
        path.write_text(path.read_text().replace("astext_type=Text()", "astext_type=sa.Text()"))


if __name__ == "__main__":
    main()
