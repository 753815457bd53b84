"""Which process runs a scan or holds a lock ("host:pid"), and whether it is still alive."""

from __future__ import annotations

import os
import socket


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def is_gone(owner: str | None) -> bool:
    """True when ``owner`` ran on this host and its process no longer exists.

    An owner on another host, or one we may not signal, is never taken for dead.
    """
    if not owner or ":" not in owner:
        return False
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
