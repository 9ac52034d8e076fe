"""The HTTP(S) endpoint: /metrics, /healthz.

prometheus-client's TLS server handshakes inside its accept loop without a timeout, so one client
that connects and never speaks stalls every scrape. Here the accept loop only accepts; the TLS
handshake runs in a worker thread under a deadline, and a connection cap bounds how many workers
idle or malicious clients can hold.

A per-read socket timeout is not a deadline: a client sending a header line every few seconds
restarts it with every line and holds its worker for ever (70 such clients once denied every
scrape for 45 s). So the request headers must arrive within one deadline counted from the start
of the request, and when the cap is reached a new connection evicts the connection that has been
waiting longest for its request (handshake, headers or keep-alive idle), never one being answered:
a scraper that sends its request at once is served even while slow clients hold every worker.
Both are logged, rate-limited so an attack cannot flood the log.

The HTTP/1.1 subset a scraper needs is parsed here rather than by ``http.server``: its header
parsing goes through the ``email`` package, which cost ~20 ms of imports at start-up and more CPU
per request than rendering the metrics. Workers are kept between connections because Prometheus
opens a new connection per scrape and a thread start per connection showed in the latency.
"""

import contextlib
import logging
import math
import queue
import socket
import socketserver
import ssl
import threading
import time
from typing import Any, Dict, Optional, Tuple

from agent import __version__
from agent.config_file import ConfigError
from agent.encoder import Encoder, gzip_accepted, gzip_body, negotiate
from agent.scrape import Registry
from agent.webconfig import BasicAuth, TLSContextSource

LANDING = (
    b"<html><head><title>govcloud-agent</title></head>"
    b'<body><h1>govcloud-agent</h1><p><a href="/metrics">Metrics</a></p></body></html>\n'
)
IDLE_TIMEOUT_S = 30.0  # a keep-alive client may stay silent this long between requests
WRITE_TIMEOUT_S = 30.0  # a client that does not read its response is dropped after this long
LOG_EVERY_S = 10.0  # at most one line per kind of client misbehaviour in this interval
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

log = logging.getLogger("govcloud_agent")


class RateLimitedLog:
    """One warning per ``every`` seconds for a recurring event, with the count of those unlogged.

    Slow or failing clients must leave a trace, but a thousand of them must not leave a thousand
    lines: the first event is logged at once, the rest are summed into the next line.
    """

    def __init__(self, every: float = LOG_EVERY_S, clock: Any = time.monotonic) -> None:
        self._every = every
        self._clock = clock
        self._last = -math.inf
        self._suppressed = 0
        self._lock = threading.Lock()

    def warning(self, message: str, *args: Any) -> None:
        with self._lock:
            now = self._clock()
            if now - self._last < self._every:
                self._suppressed += 1
                return
            suppressed, self._suppressed, self._last = self._suppressed, 0, now
        more = (
            f" (and {suppressed} more like it in the last {self._every:g}s)" if suppressed else ""
        )
        log.warning(message + more, *args)


class MetricsApp:
    """What the handler needs: the registry, an encoder and optional basic auth."""

    def __init__(self, registry: Registry, auth: Optional[BasicAuth] = None) -> None:
        self.registry = registry
        self.auth = auth
        self._encoder = Encoder()
        self._lock = threading.Lock()
        self._no_credentials = RateLimitedLog()
        self._bad_credentials = RateLimitedLog()

    def render(
        self, accept: Optional[str], accept_encoding: Optional[str]
    ) -> Tuple[bytes, str, bool]:
        """(body, content type, gzipped?) for one scrape."""
        openmetrics, content_type = negotiate(accept)
        with self._lock:  # the encoder's caches are shared; scrapes are serialised anyway
            body = self._encoder.encode(self.registry.collect(), openmetrics)
        if gzip_accepted(accept_encoding):
            return gzip_body(body), content_type, True
        return body, content_type, False

    def respond(self, path: str, headers: Dict[str, str]) -> Tuple[int, bytes, str, str]:
        """(status, body, content type, extra header lines) for a GET of ``path``."""
        if path == "/healthz":  # unauthenticated on purpose: says nothing but "alive"
            return 200, b"ok\n", _TEXT, ""
        if self.auth is not None and not self.auth.check(headers.get("authorization")):
            if headers.get("authorization"):
                self._bad_credentials.warning("answered 401 to a scrape: wrong user or password")
            else:
                self._no_credentials.warning("answered 401 to a scrape: no credentials")
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


class SlowClient(Exception):
    """The client did not send its request (or read its response) before the deadline."""


class Reader:
    """Buffered reads from a socket under one deadline for the whole request.

    ``deadline`` is a ``time.monotonic()`` value; every ``recv`` waits at most until then, so a
    client that trickles bytes cannot stretch the request beyond it.
    """

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self._buf = bytearray()
        self.deadline = math.inf

    def _fill(self) -> bool:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise SlowClient
        self._sock.settimeout(remaining)
        try:
            chunk = self._sock.recv(65536)
        except socket.timeout:  # not TimeoutError before Python 3.10
            raise SlowClient from None
        self._buf += chunk
        return bool(chunk)

    def wait(self, timeout_s: float) -> bool:
        """True once a byte is buffered; False at end of stream or after ``timeout_s`` of
        silence (an idle keep-alive connection closed: normal, not worth a log line)."""
        if self._buf:
            return True
        self.deadline = time.monotonic() + timeout_s
        try:
            return self._fill()
        except SlowClient:
            return False

    def readline(self, limit: int) -> bytes:
        """Up to and including the next newline, at most ``limit`` bytes; b"" at end of stream."""
        while True:
            end = self._buf.find(b"\n", 0, limit)
            if end >= 0 or len(self._buf) >= limit:
                size = end + 1 if end >= 0 else limit
                line = bytes(self._buf[:size])
                del self._buf[:size]
                return line
            if not self._fill():
                line = bytes(self._buf)
                self._buf.clear()
                return line

    def read(self, size: int) -> bytes:
        while len(self._buf) < size and self._fill():
            pass
        data = bytes(self._buf[:size])
        del self._buf[:size]
        return data


def _http_date() -> str:
    t = time.gmtime()
    return (
        f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT"
    )


def read_request(rfile: Any) -> Optional[Tuple[str, str, str, Dict[str, str]]]:
    """(method, path, version, lower-cased headers) of the next request; None at end of stream.

    ``rfile`` needs only ``readline(limit)``; raises _BadRequest for what is not HTTP/1.x."""
    line = rfile.readline(_MAX_LINE + 1)
    while line in (b"\r\n", b"\n"):  # RFC 9112: ignore empty lines before a request
        line = rfile.readline(_MAX_LINE + 1)
    if not line:
        return None
    parts = line.decode("latin-1").split()
    if len(line) > _MAX_LINE or len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _BadRequest(400)
    headers: Dict[str, str] = {}
    for _ in range(_MAX_HEADERS):
        raw = rfile.readline(_MAX_LINE + 1)
        if raw in (b"\r\n", b"\n", b""):
            return parts[0], parts[1].split("?", 1)[0], parts[2], headers
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep or len(raw) > _MAX_LINE:
            raise _BadRequest(400)
        headers.setdefault(name.strip().lower(), value.strip())
    raise _BadRequest(431)


def _keep_alive(version: str, headers: Dict[str, str]) -> bool:
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


class Phase:
    """What a connection is doing; the connection cap evicts only those waiting on their client."""

    WAITING = "waiting"  # TLS handshake, request headers or keep-alive idle: the client's turn
    ANSWERING = "answering"


def serve_connection(
    app: MetricsApp,
    sock: socket.socket,
    read_timeout_s: float = 5.0,
    phase: Any = None,
) -> None:
    """Answer requests on one connection until the client closes, errs, idles out or is slow.

    The first request's headers must arrive within ``read_timeout_s`` of the call (the TLS
    handshake has its own deadline before it); later requests on a kept-alive connection may come
    after up to IDLE_TIMEOUT_S of silence, and then have ``read_timeout_s`` from their first byte.
    ``phase(Phase.X)`` is called as the connection changes between waiting and answering.
    """
    mark = phase or (lambda _: None)
    reader = Reader(sock)
    reader.deadline = time.monotonic() + read_timeout_s
    first = True
    while True:
        mark(Phase.WAITING)
        if not first:
            if not reader.wait(IDLE_TIMEOUT_S):
                return
            reader.deadline = time.monotonic() + read_timeout_s
        first = False
        try:
            request = read_request(reader)
        except _BadRequest as bad:
            mark(Phase.ANSWERING)
            _send(sock, _response(bad.status, b"Bad Request\n", _TEXT, "", False))
            return
        if request is None:
            return
        method, path, version, headers = request
        keep = _keep_alive(version, headers) and _discard_body(reader, headers)
        mark(Phase.ANSWERING)
        if method != "GET":
            _send(sock, _response(405, b"", _TEXT, "Allow: GET\r\n", keep))
        else:
            _send(sock, _response(*app.respond(path, headers), keep))
        if not keep:
            return


def _send(sock: socket.socket, data: bytes) -> None:
    sock.settimeout(WRITE_TIMEOUT_S)  # since Python 3.5 the bound of the whole sendall
    try:
        sock.sendall(data)
    except socket.timeout:
        raise SlowClient from None


def _discard_body(rfile: Any, headers: Dict[str, str]) -> bool:
    """Skip a (pointless) GET body; False when the connection cannot be reused afterwards."""
    if "transfer-encoding" in headers:
        return False
    length = headers.get("content-length", "0")
    if not length.isdigit() or int(length) > _MAX_DISCARDED_BODY:
        return False
    if int(length):
        rfile.read(int(length))
    return True


class _Connection:
    """One served connection as the cap sees it."""

    __slots__ = ("address", "evicted", "phase", "since", "sock")

    def __init__(self, sock: socket.socket, address: Any) -> None:
        self.sock = sock
        self.address = address
        self.phase = Phase.WAITING
        self.since = time.monotonic()
        self.evicted = False


class _Workers:
    """Daemon threads that each serve one connection at a time and then wait for the next.

    At most ``limit`` connections are served at once. At the cap, a new connection evicts the one
    that has waited longest on its client (shut down, so its blocked read returns at once); only
    when every connection is being answered is the new one refused. Evicted connections may
    briefly overlap their replacements, so there are never more than 2 x ``limit`` threads.
    """

    def __init__(self, limit: int, serve: Any) -> None:
        self._jobs: queue.Queue[_Connection] = queue.Queue()  # novermin  (never evaluated)
        self._lock = threading.Lock()
        self._limit = limit
        self._live: Dict[int, _Connection] = {}
        self._evicted = 0  # evicted connections whose worker has not finished yet
        self._idle = 0
        self._serve = serve
        self._evictions = RateLimitedLog()
        self._refusals = RateLimitedLog()

    def offer(self, sock: socket.socket, address: Any) -> bool:
        conn = _Connection(sock, address)
        with self._lock:
            if len(self._live) - self._evicted >= self._limit and not self._evict():
                self._refusals.warning(
                    "connection cap (%d) reached and every connection is being answered: "
                    "refused %s",
                    self._limit,
                    _peer(address),
                )
                return False
            self._live[id(conn)] = conn
            if self._idle:
                self._idle -= 1
            else:
                threading.Thread(target=self._work, name="http", daemon=True).start()
        self._jobs.put(conn)
        return True

    def _evict(self) -> bool:
        """Shut down the connection waiting longest on its client; called under the lock."""
        waiting = [c for c in self._live.values() if c.phase == Phase.WAITING and not c.evicted]
        if not waiting or self._evicted >= self._limit:
            return False
        victim = min(waiting, key=lambda c: c.since)
        victim.evicted = True
        self._evicted += 1
        with contextlib.suppress(OSError):
            victim.sock.shutdown(socket.SHUT_RDWR)
        self._evictions.warning(
            "connection cap (%d) reached: closed %s, silent or slow for %.1fs, to serve a new one",
            self._limit,
            _peer(victim.address),
            time.monotonic() - victim.since,
        )
        return True

    def set_phase(self, conn: _Connection, phase: str) -> None:
        with self._lock:
            if conn.phase != phase:
                conn.phase = phase
                conn.since = time.monotonic()
        if conn.evicted and phase == Phase.WAITING:
            raise SlowClient  # shut down while answering a moment ago: do not wait on it

    def _work(self) -> None:
        while True:
            conn = self._jobs.get()
            try:
                self._serve(conn, lambda phase, c=conn: self.set_phase(c, phase))
            finally:
                with self._lock:
                    del self._live[id(conn)]
                    if conn.evicted:
                        self._evicted -= 1
                    self._idle += 1


def _peer(address: Any) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    return str(address)


class AgentHTTPServer(socketserver.TCPServer):
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(
        self,
        address: Tuple[str, int],
        app: MetricsApp,
        tls: Optional[TLSContextSource] = None,
        handshake_timeout_s: float = 5.0,
        max_connections: int = 64,
        read_timeout_s: float = 5.0,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.app = app
        self.tls = tls
        self.handshake_timeout_s = handshake_timeout_s
        self.read_timeout_s = read_timeout_s
        self._workers = _Workers(max_connections, self._serve)
        self._slow = RateLimitedLog()
        super().__init__(address, socketserver.BaseRequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        # One response is one write, but the TLS handshake's last flight and a response right
        # after a request still meet delayed ACKs without TCP_NODELAY.
        with contextlib.suppress(OSError):
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if not self._workers.offer(request, client_address):
            self.shutdown_request(request)  # over the cap: drop rather than queue forever

    def _serve(self, conn: _Connection, phase: Any) -> None:
        request = sock = conn.sock
        try:
            if self.tls is not None:
                request.settimeout(self.handshake_timeout_s)
                sock = self.tls.context().wrap_socket(request, server_side=True)
            serve_connection(self.app, sock, self.read_timeout_s, phase)
        except SlowClient:
            if not conn.evicted:
                self._slow.warning(
                    "closed %s: request not received within %gs (or response not read)",
                    _peer(conn.address),
                    self.read_timeout_s,
                )
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
