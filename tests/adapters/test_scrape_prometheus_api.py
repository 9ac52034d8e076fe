"""The Prometheus HTTP API adapter against a server that answers badly."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from govcloud.adapters.prometheus_api import PrometheusApi, PrometheusError
from govcloud.core.errors import UsageError


@pytest.fixture
def answer() -> Iterator[tuple[list[tuple[int, bytes]], str]]:
    replies: list[tuple[int, bytes]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            code, body = replies.pop(0)
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield replies, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("code", "body", "message"),
    [
        (400, b'{"status":"error","error":"parse error at char 3"}', "HTTP 400: parse error"),
        (200, b"<html>proxy login</html>", "not JSON"),
        (200, b'{"status":"success","data":{"resultType":"matrix","result":[]}}', "not return"),
        (200, b'{"status":"success","data":{"resultType":"vector","result":[{}]}}', "malformed"),
        (200, b'{"status":"error","error":"timeout"}', "timeout"),
    ],
)
def test_bad_answers_are_prometheus_errors(
    answer: tuple[list[tuple[int, bytes]], str], code: int, body: bytes, message: str
) -> None:
    replies, url = answer
    replies.append((code, body))
    with pytest.raises(PrometheusError, match=message):
        PrometheusApi(url, timeout_s=5).query("up", 0.0)


def test_values_and_labels_are_read(answer: tuple[list[tuple[int, bytes]], str]) -> None:
    replies, url = answer
    replies.append(
        (
            200,
            b'{"status":"success","data":{"resultType":"vector","result":'
            b'[{"metric":{"instance":"a:1"},"value":[1,"12.5"]},'
            b'{"metric":{"instance":"b:1"},"value":[1,"NaN"]}]}}',
        )
    )
    got = PrometheusApi(url).query("x", 1.0)
    assert got[0] == ({"instance": "a:1"}, 12.5)
    assert got[1][1] != got[1][1]  # NaN


def test_only_http_urls() -> None:
    with pytest.raises(UsageError, match="not a Prometheus URL"):
        PrometheusApi("file:///etc/passwd")
