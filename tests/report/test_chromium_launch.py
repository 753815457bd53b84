"""The Chromium driver relaunches a browser that hangs before opening its DevTools port."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.report.chromium_cdp import LAUNCH_ATTEMPTS, _launch


def fake_browser(tmp_path: Path, hangs: int) -> Path:
    """A stand-in that hangs on its first ``hangs`` launches, then announces a port."""
    script = tmp_path / "chromium"
    counter = tmp_path / "launches"
    script.write_text(
        "#!/bin/sh\n"
        f'echo launched >> "{counter}"\n'
        f'if [ "$(wc -l < "{counter}")" -le {hangs} ]; then echo starting >&2; exec sleep 60; fi\n'
        'echo "DevTools listening on ws://127.0.0.1:9/devtools/browser/x" >&2\n'
        "exec sleep 60\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@pytest.mark.asyncio
async def test_a_hung_launch_is_killed_and_tried_again(tmp_path: Path) -> None:
    process, url, _profile = await _launch(str(fake_browser(tmp_path, hangs=2)), patience=0.5)
    process.kill()
    await process.wait()
    assert url == "ws://127.0.0.1:9/devtools/browser/x"
    assert (tmp_path / "launches").read_text().count("launched") == 3


@pytest.mark.asyncio
async def test_a_browser_that_always_hangs_fails_with_its_last_words(tmp_path: Path) -> None:
    browser = fake_browser(tmp_path, hangs=LAUNCH_ATTEMPTS)
    with pytest.raises(RuntimeError, match=r"no DevTools port in 3 launches(.|\n)*starting"):
        await _launch(str(browser), patience=0.5)
    assert (tmp_path / "launches").read_text().count("launched") == LAUNCH_ATTEMPTS
