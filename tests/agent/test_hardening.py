"""What a careless operator or a hostile client did to the agent, each now refused or bounded.

Start-up refusals run the real process: the point is the exit status and the one line on stderr,
not only the exception. Slow clients run against a real process too: the bug was in how its
threads, sockets and deadlines interact.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from agent.server import Reader, SlowClient
from tests.agent.conftest import REPO, run_agent
from tests.agent.test_process import get


def refuse(*args: str) -> str:
    """stderr of an agent that must refuse to start with exit status 2 and one line."""
    result = subprocess.run(
        [sys.executable, "-m", "agent.main", "--web.listen-address", "127.0.0.1:0", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("govcloud-agent: error: ")
    return result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--web.max-connections", "0"], "--web.max-connections must be at least 1, got 0"),
        (["--web.max-connections", "-3"], "must be at least 1"),
        (["--web.read-timeout", "0s"], "--web.read-timeout must be more than 0s"),
        (["--web.handshake-timeout", "0ms"], "--web.handshake-timeout must be more than 0s"),
        (["--spool.dir", "{tmp}/spool", "--spool.interval", "0s"], "at least 1s, got 0s"),
        (["--spool.dir", "{tmp}/spool", "--spool.interval", "999ms"], "at least 1s"),
        (["--log.level", "nope"], "--log.level 'nope' is not a log level"),
        (["--collector.disk.device-exclude", "("], "device-exclude: invalid regular expression"),
        (["--collector.filesystem.mount-points-exclude", "[a-"], "invalid regular expression"),
    ],
)
def test_bad_flags_are_refused_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    stderr = refuse(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert message in stderr
    assert not (tmp_path / "spool").exists()  # refused before anything was created


def test_bad_values_in_the_config_file_are_refused_too(tmp_path: Path) -> None:
    config = tmp_path / "agent.json"
    config.write_text(json.dumps({"spool.dir": str(tmp_path), "spool.interval": 0}))
    assert "at least 1s" in refuse("--config.file", str(config))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tls_server_config:\n", "tls_server_config is empty"),
        ("tls_server_config: {}\n", "tls_server_config is empty"),
        ("basic_auth_users:\n", "basic_auth_users is empty"),
        (
            "basic_auth_users:\n  prometheus: hunter2-plaintext\n",
            "the password of user 'prometheus' is not a bcrypt hash",
        ),
        ("http_server_config:\n  http2: false\n", "http_server_config is not supported"),
    ],
)
def test_web_configs_that_would_mislead_are_refused(
    tmp_path: Path, text: str, message: str
) -> None:
    config = tmp_path / "web.yml"
    config.write_text(text)
    stderr = refuse("--web.config.file", str(config))
    assert message in stderr
    assert "hunter2" not in stderr  # the would-be password is never echoed


def test_log_level_names_are_accepted_in_any_case() -> None:
    with run_agent("--log.level", "Info") as agent:  # WARNING would hide the listening line
        assert get(agent.host_port, "/healthz")[0] == 200


# --- slow clients --------------------------------------------------------------------------------


@contextmanager
def slow_clients(host_port: str, count: int, every_s: float) -> Iterator[list[socket.socket]]:
    """``count`` connections that start a request and then send one header line per ``every_s``
    (the attack that once denied every scrape); closed on exit."""
    host, port = host_port.rsplit(":", 1)
    socks = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)), timeout=5)
        sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        socks.append(sock)
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(every_s):
            for sock in socks:
                with contextlib.suppress(OSError):  # closed by the agent: the deadline's job
                    sock.sendall(b"X-Slow: 1\r\n")

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        yield socks
    finally:
        stop.set()
        thread.join()
        for sock in socks:
            sock.close()


def closed_by_peer(sock: socket.socket, within_s: float) -> bool:
    """True when the agent closed (or reset) the connection within ``within_s``."""
    sock.settimeout(within_s)
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return True
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_slow_clients_at_the_cap_do_not_deny_scrapes() -> None:
    # A read deadline far beyond the test: only evicting slow clients can serve the scrape.
    with run_agent("--web.read-timeout", "120s") as agent, slow_clients(agent.host_port, 70, 1.0):
        time.sleep(0.5)  # all 70 accepted: more than the 64 workers
        for _ in range(3):
            start = time.monotonic()
            status, _, body = get(agent.host_port)
            assert status == 200
            assert b"node_load1" in body
            assert time.monotonic() - start < 3.0
    assert "connection cap (64) reached: closed 127.0.0.1:" in agent.log
    assert agent.log.count("connection cap") < 10  # rate-limited, not one line per client


def test_a_request_trickled_past_the_read_deadline_is_closed_and_logged() -> None:
    with run_agent("--web.read-timeout", "1s") as agent:
        with slow_clients(agent.host_port, 3, every_s=0.2) as socks:
            # Each line arrives well within the old per-read timeout; the request never ends.
            assert all(closed_by_peer(sock, within_s=5.0) for sock in socks)
        assert get(agent.host_port)[0] == 200
    assert "request not received within 1s" in agent.log


def test_a_silent_new_connection_is_closed_after_the_read_deadline() -> None:
    with run_agent("--web.read-timeout", "1s") as agent:
        host, port = agent.host_port.rsplit(":", 1)
        with socket.create_connection((host, int(port))) as sock:
            assert closed_by_peer(sock, within_s=5.0)


# --- the reader under a deadline, in-process -----------------------------------------------------


class Trickle:
    """A socket stand-in that returns one byte per recv and counts the calls."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.calls = 0

    def settimeout(self, value: float) -> None:
        assert value > 0

    def recv(self, size: int) -> bytes:
        self.calls += 1
        chunk, self.data = self.data[:1], self.data[1:]
        return chunk


def test_reader_refuses_to_read_past_its_deadline() -> None:
    sock = Trickle(b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 1000)
    reader = Reader(sock)
    reader.deadline = time.monotonic() + 3600
    assert reader.readline(100) == b"GET / HTTP/1.1\r\n"
    reader.deadline = time.monotonic() - 1  # the deadline passed between two bytes
    with pytest.raises(SlowClient):
        reader.readline(100)
    assert sock.calls == len(b"GET / HTTP/1.1\r\n")  # no recv once past the deadline


def test_reader_lines_are_bounded_and_end_of_stream_returns_the_rest() -> None:
    reader = Reader(Trickle(b"abcdefgh\nij"))
    assert reader.readline(4) == b"abcd"
    assert reader.readline(100) == b"efgh\n"
    assert reader.readline(100) == b"ij"
    assert reader.readline(100) == b""


# --- in-process pieces ---------------------------------------------------------------------------


def test_every_bcrypt_variant_htpasswd_and_bcrypt_write_is_accepted() -> None:
    import bcrypt

    from agent.webconfig import parse_web_config

    hashed = bcrypt.hashpw(b"pw", bcrypt.gensalt(rounds=4)).decode()  # $2b$
    for prefix in ("$2a$", "$2b$", "$2y$"):  # $2y$: htpasswd -B
        users = {"prom": prefix + hashed[4:]}
        assert parse_web_config({"basic_auth_users": users}).basic_auth_users == users


def test_rate_limited_log_writes_the_first_event_and_counts_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from agent.server import RateLimitedLog

    now = [100.0]
    limited = RateLimitedLog(every=10.0, clock=lambda: now[0])
    with caplog.at_level("WARNING", logger="govcloud_agent"):
        for _ in range(5):
            limited.warning("closed %s", "a")
        now[0] += 10.0
        limited.warning("closed %s", "b")
    assert [r.getMessage() for r in caplog.records] == [
        "closed a",
        "closed b (and 4 more like it in the last 10s)",
    ]
