"""A real agent process on 127.0.0.1: HTTP, promtool, TLS, mTLS, basic auth, slow clients."""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import bcrypt
import pytest

from tests.agent import certs
from tests.agent.conftest import REPO, run_agent

OPENMETRICS = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
# node_exporter's meminfo names are CamelCase on purpose (kernel field names); promtool's lint
# flags them on node_exporter too. Every other lint finding is a failure.
_ALLOWED_LINT = "metric names should be written in 'snake_case' not 'camelCase'"


def get(
    host_port: str,
    path: str = "/metrics",
    headers: dict[str, str] | None = None,
    context: ssl.SSLContext | None = None,
) -> tuple[int, dict[str, str], bytes]:
    host, port = host_port.rsplit(":", 1)
    conn: http.client.HTTPConnection
    if context is None:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
    else:
        conn = http.client.HTTPSConnection(host, int(port), timeout=10, context=context)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_scrape_healthz_gzip_and_openmetrics() -> None:
    with run_agent() as agent:
        status, headers, body = get(agent.host_port)
        assert status == 200
        assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
        assert b"node_cpu_seconds_total{" in body
        assert b"govcloud_agent_info{" in body
        assert get(agent.host_port, "/healthz")[2] == b"ok\n"
        assert get(agent.host_port, "/nope")[0] == 404
        status, headers, body = get(
            agent.host_port, headers={"Accept": OPENMETRICS, "Accept-Encoding": "gzip"}
        )
        assert headers["Content-Encoding"] == "gzip"
        assert headers["Content-Type"].startswith("application/openmetrics-text")
        assert gzip.decompress(body).endswith(b"# EOF\n")


def test_promtool_accepts_the_real_output() -> None:
    from tests.agent.conftest import require_tool

    promtool = require_tool("promtool")
    with run_agent() as agent:
        body = get(agent.host_port)[2]
    result = subprocess.run(
        [promtool, "check", "metrics"], input=body, capture_output=True, timeout=30
    )
    findings = [
        line
        for line in (result.stdout + result.stderr).decode().splitlines()
        if line.strip() and _ALLOWED_LINT not in line
    ]
    assert findings == []
    assert b"node_memory_MemTotal_bytes" in body  # the allowed lint really was about these


def test_collector_flags_on_the_real_process() -> None:
    with run_agent("--no-collector.network", "--collector.process") as agent:
        body = get(agent.host_port)[2]
    assert b"node_network_" not in body
    assert b"process_resident_memory_bytes" in body


def test_empty_host_is_refused_by_the_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "agent.main", "--web.listen-address", ":0"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "explicit host" in result.stderr


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return certs.write_pki(tmp_path_factory.mktemp("pki"), "agent", "prometheus")


def web_config(tmp_path: Path, pki: dict[str, Path], mtls: bool, users: bool = False) -> str:
    tls = {"cert_file": str(pki["server.crt"]), "key_file": str(pki["server.key"])}
    if mtls:
        tls |= {
            "client_ca_file": str(pki["ca.crt"]),
            "client_auth_type": "RequireAndVerifyClientCert",
        }
    data: dict[str, object] = {"tls_server_config": tls}
    if users:
        data["basic_auth_users"] = {"prom": bcrypt.hashpw(b"pw", bcrypt.gensalt(rounds=4)).decode()}
    path = tmp_path / "web.json"
    path.write_text(json.dumps(data))
    return str(path)


def client_context(pki: dict[str, Path], cert: str | None) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(pki["ca.crt"]))
    if cert:
        ctx.load_cert_chain(str(pki[f"{cert}.crt"]), str(pki[f"{cert}.key"]))
    return ctx


@pytest.fixture
def mtls_agent(tmp_path: Path, pki: dict[str, Path]) -> Iterator[str]:
    config = web_config(tmp_path, pki, mtls=True)
    with run_agent("--web.config.file", config, "--web.handshake-timeout", "2s") as agent:
        yield agent.host_port


def test_tls_serves_https(tmp_path: Path, pki: dict[str, Path]) -> None:
    with run_agent("--web.config.file", web_config(tmp_path, pki, mtls=False)) as agent:
        assert agent.url.startswith("https://")
        assert get(agent.host_port, context=client_context(pki, None))[0] == 200
        with pytest.raises(ConnectionError):
            get(agent.host_port)  # plain HTTP to a TLS port gets nothing


def test_mtls_accepts_trusted_client_and_rejects_others(
    mtls_agent: str, pki: dict[str, Path]
) -> None:
    assert get(mtls_agent, context=client_context(pki, "client"))[0] == 200
    for cert in (None, "rogue"):
        with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
            get(mtls_agent, context=client_context(pki, cert))


def test_idle_tls_client_does_not_stall_other_scrapes(
    mtls_agent: str, pki: dict[str, Path]
) -> None:
    host, port = mtls_agent.rsplit(":", 1)
    idle = [socket.create_connection((host, int(port))) for _ in range(3)]  # never handshake
    try:
        start = time.monotonic()
        assert get(mtls_agent, context=client_context(pki, "client"))[0] == 200
        assert time.monotonic() - start < 1.0
    finally:
        for sock in idle:
            sock.close()


def test_basic_auth_over_tls(tmp_path: Path, pki: dict[str, Path]) -> None:
    import base64

    config = web_config(tmp_path, pki, mtls=False, users=True)
    ctx = client_context(pki, None)
    good = "Basic " + base64.b64encode(b"prom:pw").decode()
    bad = "Basic " + base64.b64encode(b"prom:nope").decode()
    with run_agent("--web.config.file", config) as agent:
        assert get(agent.host_port, context=ctx)[0] == 401
        assert get(agent.host_port, headers={"Authorization": bad}, context=ctx)[0] == 401
        status, _, body = get(agent.host_port, headers={"Authorization": good}, context=ctx)
        assert status == 200
        assert b"node_load1" in body
        assert get(agent.host_port, "/healthz", context=ctx)[0] == 200
    assert "answered 401 to a scrape: no credentials" in agent.log
    assert "wrong user or password" in agent.log
    for secret in ("nope", good[6:], bad[6:], "$2b$"):  # no password, header or hash logged
        assert secret not in agent.log


def test_spool_mode_writes_records(tmp_path: Path) -> None:
    from agent.spool import read_spool

    spool = tmp_path / "spool"
    records: list[dict[str, object]] = []
    with run_agent("--spool.dir", str(spool), "--spool.interval", "1s"):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(records) < 2:
            time.sleep(0.1)
            files = sorted(spool.glob("spool-*.jsonl"))
            records = list(read_spool(files[0].read_bytes().splitlines())) if files else []
    assert len(records) >= 2
    assert any(s[0] == "node_cpu_seconds_total" for s in records[0]["samples"])
