"""HTTP servers on loopback for tests: any handler class, and an endpoint standing in for
STS in the first-call tests (each POST read, then answered as the test says, or not at all)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# (HTTP status, XML body) to send, or None to send nothing.
Answer = Callable[[bytes], tuple[int, str] | None]


@contextmanager
def loopback_sts(answer: Answer) -> Iterator[str]:
    """Serve POSTs on 127.0.0.1 until the block ends; ``answer`` gets each request's body.
    Yields the endpoint URL (for AWS_ENDPOINT_URL)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            reply = answer(self.rfile.read(int(self.headers["Content-Length"])))
            if reply is None:
                return
            status, text = reply
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    with serving(Handler) as url:
        yield url


@contextmanager
def serving(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on 127.0.0.1 (a thread per request) until the block ends; yields
    the server's URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
