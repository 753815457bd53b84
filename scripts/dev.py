#!/usr/bin/env python3
"""Developer entry point that needs nothing but Python 3.11+.

    python3 scripts/dev.py demo          # set up .venv from the lock file, run the demo scan
    python3 scripts/dev.py test [ARGS]   # set up .venv, run the test suite (pytest ARGS)
    python3 scripts/dev.py lint          # ruff, mypy and the import contracts (lint-imports)
    python3 scripts/dev.py lock          # re-lock uv.lock and export requirements/*.txt
    python3 scripts/dev.py generate      # rewrite the files derived from the declarations

The virtualenv is (re)installed whenever the lock file changed since it was built.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("AUDITOR_VENV", ROOT / ".venv"))
LOCK = ROOT / "requirements" / "dev.txt"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
# uv.lock is the lock file; requirements/*.txt are its pip-readable exports (a test compares).
EXPORT_FLAGS = ("--frozen", "--no-emit-project", "--no-header", "-q")
EXPORTS = {"requirements/runtime.txt": (), "requirements/dev.txt": ("--extra", "dev")}


def run(*args: str | Path) -> None:
    completed = subprocess.run([str(a) for a in args], cwd=ROOT, check=False)
    if completed.returncode:
        sys.exit(completed.returncode)


def setup() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036  (users may run an older python3)
        sys.exit("auditor needs Python 3.11 or newer")
    stamp = VENV / ".lock-sha256"
    digest = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"dev.py: installing the locked dependencies into {VENV}", file=sys.stderr)
    run(sys.executable, "-m", "venv", "--clear", VENV)
    run(BIN / "python", "-m", "pip", "install", "-q", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "-q", "--require-hashes", "-r", LOCK)
    run(BIN / "python", "-m", "pip", "install", "-q", "--no-deps", "-e", ".")
    stamp.write_text(digest)


def main() -> None:
    command, *rest = sys.argv[1:] or ["help"]
    if command == "demo":
        setup()
        run(BIN / "auditor", "scan", "--demo", *rest)
    elif command == "test":
        setup()
        run(BIN / "python", "-m", "pytest", *rest)
    elif command == "lint":
        setup()
        run(BIN / "ruff", "check", ".")
        run(BIN / "ruff", "format", "--check", ".")
        run(BIN / "mypy")
        run(BIN / "lint-imports", "--no-cache")
    elif command == "generate":
        setup()
        run(BIN / "python", "-m", "auditor.derived_files")
    elif command == "lock":
        setup()
        run(BIN / "uv", "lock", "-q")
        for target, extra in EXPORTS.items():
            run(BIN / "uv", "export", *EXPORT_FLAGS, *extra, "-o", target)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(0 if command == "help" else 2)


if __name__ == "__main__":
    main()
