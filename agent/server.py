"""The HTTP(S) endpoint: /metrics, /healthz.

prometheus-client's TLS server handshakes inside its accept loop without a timeout, so one client
that connects and never speaks stalls every scrape. Here the accept loop only accepts; the TLS
handshake runs in a worker thread under a deadline, and a connection cap bounds how many workers
idle or malicious clients can hold.

The HTTP/1.1 subset a scraper needs is parsed here rather than by ``http.server``: its header
parsing goes through the ``email`` package, which cost ~20 ms of imports at start-up and more CPU
per request than rendering the metrics. Workers are kept between connections because Prometheus
opens a new connection per scrape and a thread start per connection showed in the latency.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import socketserver
import ssl
import threading
import time
from typing import Any

from agent import __version__
from agent.config_file import ConfigError
from agent.encoder import Encoder, gzip_accepted, gzip_body, negotiate
from agent.scrape import Registry
from agent.webconfig import BasicAuth, TLSContextSource

LANDING = (
    b"<html><head><title>govcloud-agent</title></head>"
    b'<body><h1>govcloud-agent</h1><p><a href="/metrics">Metrics</a></p></body></html>\n'
)
IDLE_TIMEOUT_S = 30.0  # a connected client may stay silent this long before its worker is freed
_MAX_LINE = 8192
_MAX_HEADERS = 100
_MAX_DISCARDED_BODY = 65536
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    431: "Request Header Fields Too Large",
}
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TEXT = "text/plain; charset=utf-8"


class MetricsApp:
    """What the handler needs: the registry, an encoder and optional basic auth."""

    def __init__(self, registry: Registry, auth: BasicAuth | None = None) -> None:
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

    def respond(self, path: str, headers: dict[str, str]) -> tuple[int, bytes, str, str]:
        """(status, body, content type, extra header lines) for a GET of ``path``."""
        if path == "/healthz":  # unauthenticated on purpose: says nothing but "alive"
            return 200, b"ok\n", _TEXT, ""
        if self.auth is not None and not self.auth.check(headers.get("authorization")):
            return (
                401,
                b"Unauthorized\n",
                _TEXT,
                'WWW-Authenticate: Basic realm="govcloud-agent"\r\n',
            )
        if path == "/metrics":
            body, content_type, gzipped = self.render(
                headers.get("accept"), headers.get("accept-encoding")
            )
            return 200, body, content_type, "Content-Encoding: gzip\r\n" if gzipped else ""
        if path == "/":
            return 200, LANDING, "text/html; charset=utf-8", ""
        return 404, b"Not Found\n", _TEXT, ""


class _BadRequest(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


def _http_date() -> str:
    t = time.gmtime()
    return (
        f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT"
    )


def _read_request(rfile: Any) -> tuple[str, str, str, dict[str, str]] | None:
    """(method, path, version, lower-cased headers) of the next request; None at end of stream."""
    line = rfile.readline(_MAX_LINE + 1)
    while line in (b"\r\n", b"\n"):  # RFC 9112: ignore empty lines before a request
        line = rfile.readline(_MAX_LINE + 1)
    if not line:
        return None
    parts = line.decode("latin-1").split()
    if len(line) > _MAX_LINE or len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _BadRequest(400)
    headers: dict[str, str] = {}
    for _ in range(_MAX_HEADERS):
        raw = rfile.readline(_MAX_LINE + 1)
        if raw in (b"\r\n", b"\n", b""):
            return parts[0], parts[1].split("?", 1)[0], parts[2], headers
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep or len(raw) > _MAX_LINE:
            raise _BadRequest(400)
        headers.setdefault(name.strip().lower(), value.strip())
    raise _BadRequest(431)


def _keep_alive(version: str, headers: dict[str, str]) -> bool:
    connection = headers.get("connection", "").lower()
    if version == "HTTP/1.0":
        return connection == "keep-alive"
    return connection != "close"


def _response(status: int, body: bytes, content_type: str, extra: str, keep: bool) -> bytes:
    head = (
        f"HTTP/1.1 {status} {_REASONS[status]}\r\n"
        f"Server: govcloud-agent/{__version__}\r\nDate: {_http_date()}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n{extra}"
        f"{'' if keep else 'Connection: close' + chr(13) + chr(10)}\r\n"
    )
    return head.encode("latin-1") + body  # one write: no Nagle / delayed-ACK stall


def serve_connection(app: MetricsApp, sock: socket.socket) -> None:
    """Answer requests on one connection until the client closes, errs or idles out."""
    sock.settimeout(IDLE_TIMEOUT_S)
    rfile = sock.makefile("rb")
    try:
        while True:
            try:
                request = _read_request(rfile)
            except _BadRequest as bad:
                sock.sendall(_response(bad.status, b"Bad Request\n", _TEXT, "", False))
                return
            if request is None:
                return
            method, path, version, headers = request
            keep = _keep_alive(version, headers) and _discard_body(rfile, headers)
            if method != "GET":
                sock.sendall(_response(405, b"", _TEXT, "Allow: GET\r\n", keep))
            else:
                sock.sendall(_response(*app.respond(path, headers), keep))
            if not keep:
                return
    finally:
        rfile.close()


def _discard_body(rfile: Any, headers: dict[str, str]) -> bool:
    """Skip a (pointless) GET body; False when the connection cannot be reused afterwards."""
    if "transfer-encoding" in headers:
        return False
    length = headers.get("content-length", "0")
    if not length.isdigit() or int(length) > _MAX_DISCARDED_BODY:
        return False
    if int(length):
        rfile.read(int(length))
    return True


class _Workers:
    """Daemon threads that each serve one connection at a time and then wait for the next.

    At most ``limit`` connections are served at once; offers beyond that are refused so idle or
    malicious clients cannot queue up without bound.
    """

    def __init__(self, limit: int, serve: Any) -> None:
        self._jobs: queue.SimpleQueue[tuple[socket.socket, Any]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._limit = limit
        self._busy = 0
        self._idle = 0
        self._serve = serve

    def offer(self, sock: socket.socket, address: Any) -> bool:
        with self._lock:
            if self._busy >= self._limit:
                return False
            self._busy += 1
            if self._idle:
                self._idle -= 1
            else:
                threading.Thread(target=self._work, name="http", daemon=True).start()
        self._jobs.put((sock, address))
        return True

    def _work(self) -> None:
        while True:
            sock, address = self._jobs.get()
            try:
                self._serve(sock, address)
            finally:
                with self._lock:
                    self._busy -= 1
                    self._idle += 1


class AgentHTTPServer(socketserver.TCPServer):
    request_queue_size = 128
    allow_reuse_address = True

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
        self._workers = _Workers(max_connections, self._serve)
        super().__init__(address, socketserver.BaseRequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        # One response is one write, but the TLS handshake's last flight and a response right
        # after a request still meet delayed ACKs without TCP_NODELAY.
        with contextlib.suppress(OSError):
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if not self._workers.offer(request, client_address):
            self.shutdown_request(request)  # over the cap: drop rather than queue forever

    def _serve(self, request: socket.socket, client_address: Any) -> None:
        sock = request
        try:
            if self.tls is not None:
                request.settimeout(self.handshake_timeout_s)
                sock = self.tls.context().wrap_socket(request, server_side=True)
            serve_connection(self.app, sock)
        except (OSError, ssl.SSLError, ConfigError):
            pass  # resets, timeouts, failed handshakes: only this connection is affected
        finally:
            self._close(sock)

    @staticmethod
    def _close(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
        sock.close()

    def serve_until_stopped(self) -> None:
        """Serve without a poll interval so an idle agent uses no CPU (serve_forever wakes 2x/s)."""
        self.timeout = None
        while True:
            self.handle_request()
