"""The HTTP(S) endpoint: /metrics, /healthz.

prometheus-client's TLS server handshakes inside its accept loop without a timeout, so one client
that connects and never speaks stalls every scrape. Here the accept loop only accepts; the TLS
handshake runs in the per-connection worker thread under a deadline, and a connection cap bounds
how many threads idle or malicious clients can hold.
"""

from __future__ import annotations

import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client.core import CollectorRegistry

from agent import __version__
from agent.config_file import ConfigError
from agent.encoder import Encoder, gzip_accepted, gzip_body, negotiate
from agent.webconfig import BasicAuth, TLSContextSource

LANDING = (
    b"<html><head><title>govcloud-agent</title></head>"
    b'<body><h1>govcloud-agent</h1><p><a href="/metrics">Metrics</a></p></body></html>\n'
)


class MetricsApp:
    """What the handler needs: the registry, an encoder and optional basic auth."""

    def __init__(self, registry: CollectorRegistry, auth: BasicAuth | None = None) -> None:
        self.registry = registry
        self.auth = auth
        self._encoder = Encoder()
        self._lock = threading.Lock()

    def render(self, accept: str | None, accept_encoding: str | None) -> tuple[bytes, str, bool]:
        """(body, content type, gzipped?) for one scrape."""
        openmetrics, content_type = negotiate(accept)
        with self._lock:  # the encoder's caches are shared; scrapes are serialised anyway
            body = self._encoder.encode(self.registry.collect(), openmetrics)
        if gzip_accepted(accept_encoding):
            return gzip_body(body), content_type, True
        return body, content_type, False


class AgentHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Prometheus reuses connections
    server_version = f"govcloud-agent/{__version__}"
    sys_version = ""
    timeout = 30  # seconds a connected client may stay silent before its thread is freed
    # Headers and body leave in one write: two small writes meet Nagle plus delayed ACK and
    # cost ~40 ms per TLS scrape.
    wbufsize = 256 * 1024
    disable_nagle_algorithm = True
    server: AgentHTTPServer

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/healthz":  # unauthenticated on purpose: says nothing but "alive"
            self._send(200, b"ok\n", "text/plain; charset=utf-8")
            return
        app = self.server.app
        if app.auth is not None and not app.auth.check(self.headers.get("Authorization")):
            self._send(
                401,
                b"Unauthorized\n",
                "text/plain; charset=utf-8",
                {"WWW-Authenticate": 'Basic realm="govcloud-agent"'},
            )
            return
        if path == "/metrics":
            body, content_type, gzipped = app.render(
                self.headers.get("Accept"), self.headers.get("Accept-Encoding")
            )
            self._send(200, body, content_type, {"Content-Encoding": "gzip"} if gzipped else None)
        elif path == "/":
            self._send(200, LANDING, "text/html; charset=utf-8")
        else:
            self._send(404, b"Not Found\n", "text/plain; charset=utf-8")

    def _send(
        self, code: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # per-request logs would cost more CPU than the scrape and fill journald


class AgentHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        app: MetricsApp,
        tls: TLSContextSource | None = None,
        handshake_timeout_s: float = 5.0,
        max_connections: int = 64,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.app = app
        self.tls = tls
        self.handshake_timeout_s = handshake_timeout_s
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__(address, AgentHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)  # over the cap: drop rather than queue forever
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(self.handshake_timeout_s)
        try:
            tls_sock = self.tls.context().wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError, ConfigError):
            return  # failed or too slow handshake: only this connection is affected
        try:
            self.RequestHandlerClass(tls_sock, client_address, self)  # type: ignore[arg-type]
        finally:
            tls_sock.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # client resets and timeouts are routine; do not print tracebacks for them

    def serve_until_stopped(self) -> None:
        """Serve without a poll interval so an idle agent uses no CPU (serve_forever wakes 2x/s)."""
        self.timeout = None
        while True:
            self.handle_request()
