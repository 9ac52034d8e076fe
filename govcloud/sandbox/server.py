"""A threaded HTTP/1.1 server with keep-alive: openstacksdk reuses its connections."""

from __future__ import annotations

import socket
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from govcloud.sandbox.app import App
from govcloud.sandbox.faults import ResetConnection
from govcloud.sandbox.wire import Request


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    app: App
    base_url: str

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that goes away mid-request (killed, timed out) is no sandbox error: no
        traceback on stderr for it."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle keep-alive connection frees its thread after this
    server: _Server

    def setup(self) -> None:
        super().setup()
        # headers and body go out in one write, but small responses must not wait for Nagle
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        path, _, query = self.path.partition("?")
        req = Request(
            method=self.command,
            path=path,
            query=tuple(parse_qsl(query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            base_url=self.server.base_url,
        )
        try:
            resp = self.server.app.dispatch(req)
        except ResetConnection:
            self._reset()
            return
        head = [f"HTTP/1.1 {resp.status} {resp.reason}"]
        if resp.status != 204:
            head.append(f"Content-Type: {resp.content_type}")
            head.append(f"Content-Length: {len(resp.body)}")
        head.extend(f"{k}: {v}" for k, v in resp.headers)
        if self.close_connection:
            head.append("Connection: close")
        payload = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        if self.command != "HEAD" and resp.status != 204:
            payload += resp.body
        self.wfile.write(payload)

    def _reset(self) -> None:
        """Half a response (headers promising a body, a few bytes of it), then a TCP RST: a
        load balancer or a dying API worker cutting the connection mid-answer."""
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 4096\r\n\r\n{\"servers\": [")  # fmt: skip
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _serve

    def log_message(self, format: str, *args: object) -> None:
        """Silence the per-request stderr lines: tests and the demo own stderr."""


class HttpServer:
    """Binds at construction (so the port is known before the app is built), serves on start."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), _Handler)
        self.port = self._server.server_address[1]
        self._server.base_url = f"http://{host}:{self.port}"
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return self._server.base_url

    def set_app(self, app: App) -> None:
        self._server.app = app

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="govcloud-sandbox", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
