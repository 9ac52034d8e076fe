"""The scraper against misbehaving exporters: every failure is that target's error, in time,
in bounded memory, and never stops the sweep."""

from __future__ import annotations

import contextlib
import gzip
import resource
import socket
import socketserver
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from govcloud.adapters.scrape import ScrapeLimits, scrape_sweep

GOLDEN = (Path(__file__).parent.parent / "agent" / "golden" / "metrics.txt").read_bytes()
Behaviour = Callable[[socket.socket], None]


def send_ok(body: bytes, extra: str = "") -> Behaviour:
    def run(sock: socket.socket) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
        sock.sendall(head.encode() + body)

    return run


def slow_loris(sock: socket.socket) -> None:
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
    for _ in range(60):  # one byte a second, each one "progress" for a per-read timeout
        sock.sendall(b"#")
        time.sleep(1)


def slow_headers(sock: socket.socket) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 60:
        sock.sendall(bytes([byte]))
        time.sleep(1)


def endless(sock: socket.socket, chunked: bool = False) -> None:
    """100 MB of valid-looking exposition, without Content-Length."""
    piece = b"node_load1 1\n" * 5000
    head = "Transfer-Encoding: chunked\r\n" if chunked else ""
    sock.sendall(f"HTTP/1.1 200 OK\r\n{head}\r\n".encode())
    for _ in range(100_000_000 // len(piece)):
        sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)


def declared_huge(sock: socket.socket) -> None:
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 104857600\r\n\r\n")


def gzip_bomb() -> bytes:
    """About 100 KB of gzip that inflates to 200 MB of zeros."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    return b"".join([*(packer.compress(block) for _ in range(200)), packer.flush()])


def reset(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")


def http_status(code: int) -> Behaviour:
    return lambda sock: sock.sendall(f"HTTP/1.1 {code} Nope\r\nContent-Length: 0\r\n\r\n".encode())


class Farm:
    """One listening socket per behaviour on 127.0.0.1; behaviours run in daemon threads."""

    def __init__(self) -> None:
        self.servers: list[socketserver.ThreadingTCPServer] = []

    def url(self, behaviour: Behaviour) -> str:
        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.settimeout(70)
                data = b""
                while b"\r\n\r\n" not in data:
                    got = self.request.recv(4096)
                    if not got:
                        return
                    data += got
                with contextlib.suppress(OSError):  # the scraper hung up: that is the point
                    behaviour(self.request)

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/metrics"

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


@pytest.fixture
def farm() -> Iterator[Farm]:
    f = Farm()
    yield f
    f.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


LIMITS = ScrapeLimits(timeout_s=2.0)


def test_a_sweep_survives_every_kind_of_bad_target(farm: Farm) -> None:
    good = farm.url(send_ok(GOLDEN))
    bad = {
        "refused": f"http://127.0.0.1:{closed_port()}/metrics",
        "slow_loris": farm.url(slow_loris),
        "slow_headers": farm.url(slow_headers),
        "endless": farm.url(endless),
        "endless_chunked": farm.url(lambda s: endless(s, chunked=True)),
        "declared_huge": farm.url(declared_huge),
        "gzip_bomb": farm.url(send_ok(gzip_bomb(), "Content-Encoding: gzip\r\n")),
        "reset": farm.url(reset),
        "http_500": farm.url(http_status(500)),
        "not_http": farm.url(lambda s: s.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")),
        "empty_200": farm.url(send_ok(b"")),
        "foreign_200": farm.url(send_ok(b"# HELP up Up.\n# TYPE up gauge\nup 1\n")),
    }
    started = time.monotonic()
    results = scrape_sweep([good, *bad.values()], LIMITS, concurrency=4)
    elapsed = time.monotonic() - started
    assert results[0].ok
    assert results[0].raw is not None
    assert results[0].raw.instance_uuid == "5a1c7d3e-0f8b-4c2a-9e61-2b7d4f0a9c11"
    errors = dict(zip(bad, (r.error for r in results[1:]), strict=True))
    assert all(errors.values()), errors
    assert errors["refused"] == "connection refused"
    assert errors["slow_loris"] == errors["slow_headers"] == "no complete response within 2s"
    assert "10 MiB limit" in (errors["endless"] or "")
    assert "10 MiB limit" in (errors["endless_chunked"] or "")
    assert "over the limit" in (errors["declared_huge"] or "")
    assert "after decompression" in (errors["gzip_bomb"] or "")
    assert errors["http_500"] == "HTTP 500 Nope"
    assert errors["not_http"] == "not an HTTP response"
    assert errors["empty_200"] == "no utilization metrics in the response (empty body)"
    assert "is this a govcloud-agent?" in (errors["foreign_200"] or "")
    # 13 targets, 4 at a time, 2 s deadline each: the hanging ones cannot stretch the sweep
    assert elapsed < 8
    assert all(r.duration_s < LIMITS.timeout_s + 0.5 for r in results)


def test_memory_stays_bounded_while_cutting_big_bodies(farm: Farm) -> None:
    urls = [farm.url(endless) for _ in range(4)]
    urls += [farm.url(send_ok(gzip_bomb(), "Content-Encoding: gzip\r\n")) for _ in range(4)]
    before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    results = scrape_sweep(urls, LIMITS, concurrency=8)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_kib) / 1024
    assert not any(r.ok for r in results)
    # 8 bodies of 100-200 MB offered at once; each is cut at 10 MiB
    assert grown_mib < 150, f"peak RSS grew by {grown_mib:.0f} MiB"


def test_gzip_bodies_within_the_limit_are_read(farm: Farm) -> None:
    url = farm.url(send_ok(gzip.compress(GOLDEN), "Content-Encoding: gzip\r\n"))
    (result,) = scrape_sweep([url], LIMITS)
    assert result.ok
    assert result.raw is not None
    assert result.raw.gauges["node_load1"] == 0.63


def test_chunked_bodies_are_read(farm: Farm) -> None:
    def chunked(sock: socket.socket) -> None:
        sock.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for i in range(0, len(GOLDEN), 1000):
            piece = GOLDEN[i : i + 1000]
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        sock.sendall(b"0\r\n\r\n")

    (result,) = scrape_sweep([farm.url(chunked)], LIMITS)
    assert result.ok, result.error


def test_unsupported_encoding_and_truncated_gzip(farm: Farm) -> None:
    br = farm.url(send_ok(b"xx", "Content-Encoding: br\r\n"))
    cut = farm.url(send_ok(gzip.compress(GOLDEN)[:100], "Content-Encoding: gzip\r\n"))
    first, second = scrape_sweep([br, cut], LIMITS)
    assert first.error == "unsupported Content-Encoding 'br'"
    assert second.error == "truncated gzip body"
