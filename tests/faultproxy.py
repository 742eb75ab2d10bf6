"""A fault-injecting HTTP proxy on 127.0.0.1, put in front of moto's server by the tests.

It forwards each request to the upstream unchanged, except that, drawn from a seeded random
sequence, it answers a share of them itself with SageMaker's throttling error (awsJson), a 5xx,
or a connection reset.
"""

from __future__ import annotations

import http.client
import random
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


class FaultProxy:
    """Forward to ``upstream``; throttle, fail or reset a seeded share of the requests."""

    def __init__(
        self,
        upstream: str,
        *,
        throttle: float = 0.0,
        server_error: float = 0.0,
        reset: float = 0.0,
        seed: int = 0,
    ) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.throttle, self.server_error, self.reset = throttle, server_error, reset
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.counts = {"forwarded": 0, "throttled": 0, "failed": 0, "reset": 0}
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:
                """Silent: never log requests (they carry signatures)."""

            def do_POST(self) -> None:
                proxy._handle(self)

            do_GET = do_POST

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The proxy's endpoint URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def _draw(self) -> str:
        with self._lock:
            x = self._rng.random()
        if x < self.reset:
            return "reset"
        if x < self.reset + self.server_error:
            return "failed"
        if x < self.reset + self.server_error + self.throttle:
            return "throttled"
        return "forwarded"

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        outcome = self._draw()
        with self._lock:
            self.counts[outcome] += 1
        if outcome == "reset":
            handler.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            handler.close_connection = True
            handler.connection.close()
            return
        if outcome in ("throttled", "failed"):
            code, status = (
                ("ThrottlingException", 400) if outcome == "throttled" else ("InternalFailure", 500)
            )
            payload = f'{{"__type": "{code}", "message": "injected by the test proxy"}}'.encode()
            self._reply(handler, status, {"Content-Type": "application/x-amz-json-1.1"}, payload)
            return
        upstream = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            headers = {k: v for k, v in handler.headers.items() if k.lower() != "host"}
            upstream.request(handler.command, handler.path, body=body, headers=headers)
            response = upstream.getresponse()
            data = response.read()
            passed = {
                k: v
                for k, v in response.getheaders()
                if k.lower() not in ("transfer-encoding", "connection", "content-length")
            }
            self._reply(handler, response.status, passed, data)
        finally:
            upstream.close()

    @staticmethod
    def _reply(
        handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes
    ) -> None:
        lines = [f"HTTP/1.1 {status} {http.client.responses.get(status, '')}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        lines += [f"Content-Length: {len(body)}", "", ""]
        # One write, so Nagle and delayed ACK cannot stall the response.
        handler.wfile.write("\r\n".join(lines).encode("latin-1") + body)
        handler.wfile.flush()
