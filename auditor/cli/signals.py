"""SIGTERM (what ECS StopTask and Kubernetes send) handled exactly like Ctrl-C.

The handler forwards to whatever handles SIGINT at that moment: inside ``asyncio.run`` that
cancels the main task, so a running scan is marked failed ("interrupted") on the way out;
elsewhere it raises KeyboardInterrupt. ``main`` then exits 143 (128 + SIGTERM) instead of 130.
"""

from __future__ import annotations

import signal
from types import FrameType

EXIT_SIGTERM = 128 + signal.SIGTERM
EXIT_SIGINT = 128 + signal.SIGINT


class _State:
    terminated = False


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    _State.terminated = True
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        handler(signal.SIGINT, frame)
    else:
        raise KeyboardInterrupt


def handle_sigterm_like_sigint() -> None:
    """Install the handler (main thread only; `serve` replaces it with its own)."""
    signal.signal(signal.SIGTERM, _on_sigterm)


def terminated() -> bool:
    """Whether the interruption being handled came from SIGTERM."""
    return _State.terminated
