"""requirements/*.txt are exports of uv.lock; pip installs from them, the image from uv.lock."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from dev import EXPORT_FLAGS, EXPORTS  # noqa: E402


@pytest.mark.parametrize("target", sorted(EXPORTS))
def test_requirements_match_the_lock(target: str) -> None:
    uv = Path(sys.executable).parent / "uv"
    exported = subprocess.run(
        [str(uv), "export", *EXPORT_FLAGS, *EXPORTS[target]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert (ROOT / target).read_text() == exported, "run: python3 scripts/dev.py lock"
