"""Property-based fuzz of the agent's HTTP request handling (issue 9, section 5, bad input).

Three levels: the pure request parser, a whole connection served in-process over a socket pair,
and a real agent process on 127.0.0.1. Whatever arrives (arbitrary bytes, odd methods, paths and
versions, hostile or huge headers, lying Content-Length): no exception escapes but the documented
ones, every answer is a well-formed HTTP/1.1 status line, nothing waits past the read deadline,
and the agent still serves a normal scrape afterwards.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.config import load_settings
from agent.main import build_agent
from agent.scrape import build_registry
from agent.server import (
    MetricsApp,
    Reader,
    SlowClient,
    _BadRequest,
    read_request,
    serve_connection,
)
from tests.agent.conftest import AgentProcess, run_agent
from tests.agent.fakes import FakeSystem
from tests.agent.test_process import get

# Shrunk examples can hold 100 KB headers; their repr is long by design, not a problem.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

READ_TIMEOUT_S = 1.0
STATUS_LINES = (b"HTTP/1.1 200 ", b"HTTP/1.1 400 ", b"HTTP/1.1 404 ", b"HTTP/1.1 405 ")
STATUS_LINES += (b"HTTP/1.1 431 ",)

methods = st.sampled_from(["GET", "HEAD", "POST", "PUT", "CONNECT", "PRI", "get", ""]) | st.text(
    max_size=12
)
paths = st.sampled_from(
    ["/metrics", "/healthz", "/", "*", "/metrics?x=1", "//", "/../etc/passwd", "/%00", "/\x1b[2J"]
) | st.text(max_size=80)
versions = st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.", "http/1.1", ""])
header_names = st.sampled_from(
    [
        *("Host", "Accept", "Accept-Encoding", "Authorization", "Connection", "Content-Length"),
        *("Transfer-Encoding", "Expect"),
    ]
) | st.text(max_size=20)
header_values = (
    st.sampled_from(
        [
            *("gzip", "close", "keep-alive", "-1", "99999999999999999999", "0", "5", "chunked"),
            *("application/openmetrics-text;version=1.0.0", "Basic !!!", "\u202eRTL", "\x00"),
        ]
    )
    | st.text(max_size=60)
    | st.integers(0, 20_000).map(lambda n: "A" * n)  # up to and past the 8 KiB line limit
)
line_ends = st.sampled_from(["\r\n", "\n", "\r"])


@st.composite
def requests(draw: st.DrawFn) -> bytes:
    """Something shaped like an HTTP request, with every part drawn from hostile values."""
    eol = draw(line_ends)
    head = f"{draw(methods)} {draw(paths)} {draw(versions)}{eol}"
    for _ in range(draw(st.integers(0, 8)) if draw(st.booleans()) else draw(st.integers(90, 110))):
        head += f"{draw(header_names)}: {draw(header_values)}{eol}"
    body = draw(st.binary(max_size=64))
    return (head + eol).encode("utf-8", "surrogatepass") + body


payloads = (
    requests()
    | st.binary(max_size=600)
    | st.integers(8_000, 120_000).map(lambda n: b"GET /" + b"a" * n + b" HTTP/1.1\r\n\r\n")
    | st.lists(requests(), min_size=2, max_size=4).map(b"".join)  # pipelined
)


class Chunks:
    """A socket stand-in returning ``data`` in the given chunk sizes, then end of stream."""

    def __init__(self, data: bytes, sizes: list[int]) -> None:
        self.data = data
        self.sizes = sizes

    def settimeout(self, value: float) -> None:
        pass

    def recv(self, size: int) -> bytes:
        step = min(size, self.sizes.pop(0) if self.sizes else size)
        chunk, self.data = self.data[:step], self.data[step:]
        return chunk


@settings(max_examples=300, deadline=None)
@given(payloads, st.lists(st.integers(1, 4096), max_size=20))
def test_request_parser_answers_every_input_with_a_request_or_a_status(
    data: bytes, sizes: list[int]
) -> None:
    reader = Reader(Chunks(data, sizes))
    for _ in range(8):  # pipelined requests; each must be parsed or refused
        try:
            request = read_request(reader)
        except _BadRequest as bad:
            status = bad.status
            break
        if request is None:
            return
        _, _, version, headers = request
        assert version.startswith("HTTP/1.")
        assert all(name == name.lower() for name in headers)
        assert len(headers) <= 100
    else:
        return  # eight pipelined requests parsed
    assert status in (400, 431)


@pytest.fixture(scope="module")
def app() -> Iterator[MetricsApp]:
    agent = build_agent(load_settings([]), FakeSystem())
    yield MetricsApp(build_registry(agent, False))
    agent.close()


def _serve_in_process(app: MetricsApp, data: bytes) -> tuple[bytes, BaseException | None]:
    """Serve one connection whose client sends ``data`` and half-closes; (response, error)."""
    server, client = socket.socketpair()
    error: list[BaseException] = []

    def serve() -> None:
        try:
            serve_connection(app, server, READ_TIMEOUT_S)
        except BaseException as exc:  # any escape is what this test looks for
            error.append(exc)
        finally:
            server.close()

    def send() -> None:
        try:
            client.sendall(data)
            client.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the agent answered 400 and closed before reading everything: fine

    threads = [threading.Thread(target=serve), threading.Thread(target=send)]
    for thread in threads:
        thread.start()
    client.settimeout(READ_TIMEOUT_S + 10)
    received = b""
    try:
        while chunk := client.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass  # closed with the rest of a refused request unread: the kernel resets, as on TCP
    finally:
        for thread in threads:
            thread.join(READ_TIMEOUT_S + 10)
        assert not any(t.is_alive() for t in threads), "the connection hung past its deadline"
        client.close()
    return received, error[0] if error else None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads)
def test_a_whole_connection_in_process_never_raises(app: MetricsApp, data: bytes) -> None:
    received, error = _serve_in_process(app, data)
    # A client that sent a Content-Length longer than its body is slow by definition.
    assert error is None or isinstance(error, SlowClient), repr(error)
    if received:
        assert received.startswith(STATUS_LINES), received[:80]


@pytest.fixture(scope="module")
def real_agent() -> Iterator[AgentProcess]:
    with run_agent("--web.read-timeout", f"{READ_TIMEOUT_S:g}s") as agent:
        yield agent
    assert "Traceback" not in agent.log


def _exchange(host_port: str, data: bytes) -> tuple[bytes, bool]:
    """(bytes received, closed by the agent?) after sending ``data`` without half-closing.

    Stops at end of stream, at 0.3 s of silence after an answer (a kept-alive connection), or at
    the read deadline plus a margin (a hang)."""
    host, port = host_port.rsplit(":", 1)
    received = b""
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        with contextlib.suppress(OSError):  # refused mid-send: the answer may still be there
            sock.sendall(data)
        give_up = time.monotonic() + READ_TIMEOUT_S + 4
        while time.monotonic() < give_up:
            sock.settimeout(0.3 if received else give_up - time.monotonic())
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                return received, False
            except ConnectionResetError:
                return received, True
            if not chunk:
                return received, True
            received += chunk
    return received, False


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(payloads)
def test_real_agent_answers_or_closes_within_the_deadline(
    real_agent: AgentProcess, data: bytes
) -> None:
    received, closed = _exchange(real_agent.host_port, data)
    assert closed or received, "neither an answer nor a close within the read deadline"
    if received:
        assert received.startswith(STATUS_LINES), received[:80]
    assert real_agent.proc.poll() is None
    assert get(real_agent.host_port, "/healthz")[0] == 200


def test_real_agent_serves_a_full_scrape_after_the_fuzz(real_agent: AgentProcess) -> None:
    status, _, body = get(real_agent.host_port)
    assert status == 200
    assert b"node_load1" in body
