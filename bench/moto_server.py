"""moto's server for bench_org, without the per-request costs that are the rig's and not
AWS's: werkzeug's access-log line (formatted for every request, then dropped: 14% of moto's
CPU by py-spy during a bench_org scan) and the garbage collector's full passes over moto's
own modules. moto answers the same requests the same way.

Usage: python bench/moto_server.py -H 127.0.0.1 -p PORT  (moto.server's arguments)
"""

from __future__ import annotations

import gc
import sys

from moto import server
from werkzeug.serving import WSGIRequestHandler


def _no_access_log(self: WSGIRequestHandler, code: int | str = "-", size: int | str = "-") -> None:
    """werkzeug's log_request, which formats a line per request for a log nobody reads."""


if __name__ == "__main__":
    WSGIRequestHandler.log_request = _no_access_log  # type: ignore[method-assign]
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    server.main(sys.argv[1:])
