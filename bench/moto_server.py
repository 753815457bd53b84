"""moto's server for bench_org, without the per-request costs that are the rig's and not
AWS's, each found by py-spy during a bench_org scan:
  - werkzeug's development server closes every connection after one answer and starts a
    thread for each new one, and formats an access-log line nobody reads (14% of moto's CPU):
    moto's own WSGI application is served by cheroot instead, which keeps connections open
    and answers from a fixed pool of threads;
  - the garbage collector's full passes over moto's own modules;
  - work moto redoes for every request with the same answer each time: listing its package
    folder (a directory read and 200 stat calls) and matching hundreds of URL patterns to find
    a host's service, and inspecting a response class for its method names (12% together).
moto answers the same requests the same way: 4.9 ms of moto's CPU a request under
``python -m moto.server``, 2.5 ms here (EC2 and ECS describe calls, 8 at a time).

Usage: python bench/moto_server.py -H 127.0.0.1 -p PORT  (moto.server's arguments)
"""

from __future__ import annotations

import argparse
import functools
import gc
from typing import Any

from cheroot import wsgi
from moto import backends
from moto.core import responses
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

THREADS = 16  # the requests one server answers at once (its clients send 8-16 at a time)
# cheroot answers a request it has not read whole within its timeout (10 s by default) with
# an empty 408, which botocore cannot parse; seeding 1,000 accounts at load 9 once failed on
# an empty error answer of that shape. A loaded rig is slow, not gone.
TIMEOUT = 300


def _remember_answers() -> None:
    """What moto works out again per request, worked out once (the inputs never change)."""
    modules = frozenset(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules  # type: ignore[assignment,return-value]
    backend_for_host = functools.lru_cache(maxsize=None)(
        DomainDispatcherApplication.get_backend_for_host
    )

    def remembered(self: DomainDispatcherApplication, host: str | None) -> Any:
        return backend_for_host(self, host)

    DomainDispatcherApplication.get_backend_for_host = remembered  # type: ignore[method-assign]
    responses.method_names_from_class = functools.lru_cache(maxsize=None)(  # type: ignore[assignment]
        responses.method_names_from_class
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    _remember_answers()
    app = DomainDispatcherApplication(create_backend_app)
    server = wsgi.Server((args.host, args.port), app, numthreads=THREADS, timeout=TIMEOUT)
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    server.safe_start()


if __name__ == "__main__":
    main()
