"""`govcloud metrics collect|show|import` through the real entry point."""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.runner import govcloud

UUID_A = "11111111-2222-3333-4444-555555555555"


class Exporter:
    """A node_exporter-like target whose counters the test sets."""

    def __init__(self, uuid: str | None = UUID_A) -> None:
        self.idle, self.busy, self.rx, self.uuid = 0.0, 0.0, 0.0, uuid
        exporter = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = exporter.body().encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/metrics"

    def body(self) -> str:
        info = (
            f'govcloud_agent_info{{instance_uuid="{self.uuid}",hostname="vm-a",version="1"}} 1\n'
            if self.uuid
            else ""
        )
        return (
            "# TYPE node_cpu_seconds_total counter\n"
            f'node_cpu_seconds_total{{cpu="0",mode="idle"}} {self.idle}\n'
            f'node_cpu_seconds_total{{cpu="0",mode="user"}} {self.busy}\n'
            f'node_network_receive_bytes_total{{device="eth0"}} {self.rx}\n'
            "node_memory_MemTotal_bytes 1000\nnode_memory_MemAvailable_bytes 400\n"
            "node_load1 0.5\n" + info
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "store.db"
    monkeypatch.setenv("GOVCLOUD_DB", str(path))
    monkeypatch.setenv("GOVCLOUD_LANG", "en")
    assert govcloud("init").exit_code == 0
    return path


@pytest.fixture
def exporter() -> Iterator[Exporter]:
    e = Exporter()
    yield e
    e.close()


def targets_file(tmp_path: Path, *urls: str, extra: str = "") -> str:
    path = tmp_path / "targets.yaml"
    path.write_text("".join(f"- url: {u}\n  name: t{i}\n" for i, u in enumerate(urls)) + extra)
    return str(path)


def test_two_one_shot_collects_give_rates_and_show_reads_them(
    db: Path, tmp_path: Path, exporter: Exporter
) -> None:
    targets = targets_file(tmp_path, exporter.url)
    exporter.idle, exporter.busy = 1000.0, 1000.0
    first = govcloud("-o", "json", "metrics", "collect", "--targets", targets)
    assert first.exit_code == 0, first.stdout
    assert first.json()[0]["points"] == 2  # mem + load; rates need a second scrape
    exporter.idle, exporter.busy = 1090.0, 1010.0  # 10% busy since then
    second = govcloud("-o", "json", "metrics", "collect", "--targets", targets)
    assert second.exit_code == 0
    assert second.stderr == ""
    assert second.json()[0]["target"] == UUID_A
    shown = govcloud("-o", "json", "metrics", "show", "--metric", "cpu_pct", "--vm", "t0")
    assert shown.exit_code == 0, shown.stderr
    (row,) = shown.json()
    assert row["p95"] == pytest.approx(10.0, abs=1e-4)
    assert row["points"] == 1
    mem = govcloud("-o", "json", "metrics", "show", "--metric", "mem_used_pct").json()
    assert mem[0]["max"] == pytest.approx(60.0)
    assert mem[0]["expected_points"] == 4032


def test_counter_reset_between_runs_gives_a_sane_rate(
    db: Path, tmp_path: Path, exporter: Exporter
) -> None:
    targets = targets_file(tmp_path, exporter.url)
    exporter.idle, exporter.busy, exporter.rx = 5e6, 5e6, 9e12
    assert govcloud("metrics", "collect", "--targets", targets).exit_code == 0
    exporter.idle, exporter.busy, exporter.rx = 3.0, 1.0, 100.0  # the VM rebooted
    assert govcloud("metrics", "collect", "--targets", targets).exit_code == 0
    cpu = govcloud("-o", "json", "metrics", "show", "--vm", UUID_A).json()[0]
    assert cpu["max"] == pytest.approx(25.0, abs=1e-4)
    net = govcloud("-o", "json", "metrics", "show", "--metric", "net_rx_bps").json()[0]
    assert 0 <= net["max"] < 1e6  # the increase since the reboot, not -9e12 or 9e12


def test_failures_are_per_target_and_end_in_a_summary(
    db: Path, tmp_path: Path, exporter: Exporter
) -> None:
    targets = targets_file(tmp_path, exporter.url, "http://127.0.0.1:9/metrics")
    result = govcloud("metrics", "collect", "--targets", targets, "--timeout", "2s")
    assert result.exit_code == 1
    assert "error: 1 of 2 targets failed" in result.stderr
    assert "connection refused" in result.stdout
    as_json = govcloud("-o", "json", "metrics", "collect", "--targets", targets)
    assert as_json.exit_code == 1
    assert as_json.stderr == ""
    assert [r["status"] for r in as_json.json()] == ["ok", "error"]


def test_duplicate_instance_uuids_fail_both_targets(db: Path, tmp_path: Path) -> None:
    a, b = Exporter(uuid="dup-uuid"), Exporter(uuid="dup-uuid")
    try:
        result = govcloud(
            "-o", "json", "metrics", "collect", "--targets", targets_file(tmp_path, a.url, b.url)
        )
    finally:
        a.close()
        b.close()
    assert result.exit_code == 1
    rows = result.json()
    assert [r["status"] for r in rows] == ["error", "error"]
    assert "reports instance dup-uuid like" in rows[0]["error"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- url: http://h/\n- url: ftp://x/\n", "targets.yaml:2 ([1]): target url 'ftp://x/'"),
        ("- url: [unclosed\n", "targets.yaml:2: malformed YAML"),
        (
            "- url: 'http://[::1/metrics'\n",
            "targets.yaml:1 ([0]): target url 'http://[::1/metrics'",
        ),
        ("- url: !!python/object:os.system {}\n", "targets.yaml:1: malformed YAML"),
        ("- {url: 'http://h/', port: 1}\n", "unknown key 'port'"),
    ],
)
def test_bad_targets_file_is_a_usage_error(
    db: Path, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(content)
    result = govcloud("metrics", "collect", "--targets", str(path))
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_no_targets_at_all(db: Path) -> None:
    result = govcloud("metrics", "collect")
    assert result.exit_code == 2
    assert "no scrape targets" in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--metric", "cpu"), 2, "unknown metric 'cpu'"),
        (("--window", "soon"), 2, "--window: not a duration"),
        (("--source", "prometheus"), 2, "needs a URL"),
        (("--source", "graphite"), 2, "unknown --source"),
        (("--vm", "nope"), 1, "no VM or metrics target 'nope'"),
        (("--source", "http://127.0.0.1:9"), 1, "http://127.0.0.1:9"),
    ],
)
def test_show_errors(db: Path, args: tuple[str, ...], code: int, message: str) -> None:
    result = govcloud("metrics", "show", *args)
    assert (result.exit_code, message in result.stderr) == (code, True), result.stderr


def spool_line(ts: float, idle: float, busy: float, uuid: str = UUID_A) -> str:
    samples = [
        ["node_cpu_seconds_total", {"cpu": "0", "mode": "idle"}, idle],
        ["node_cpu_seconds_total", {"cpu": "0", "mode": "system"}, busy],
        ["node_memory_MemTotal_bytes", {}, 2000],
        ["node_memory_MemAvailable_bytes", {}, 1500],
    ]
    record = {"v": 1, "ts": ts, "instance_uuid": uuid, "hostname": "legacy-1", "samples": samples}
    return json.dumps(record) + "\n"


def test_import_spool_skips_and_reports_torn_lines(db: Path, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    now = time.time() - 3600
    lines = [spool_line(now + i * 60, 100.0 + i * 45, 50.0 + i * 15) for i in range(6)]
    (spool / "spool-20250101T000000Z.jsonl").write_text("".join(lines[:3]) + '{"v":1,"ts":')
    (spool / "spool-20250101T010000Z.jsonl").write_text(
        "".join(lines[3:]) + '{"v":2,"samples":[]}\n' + lines[-1][:40]
    )
    (spool / "unrelated.txt").write_text("not a spool")
    result = govcloud("metrics", "import", str(spool))
    assert result.exit_code == 0, result.stderr
    assert "6 records from 2 file(s); 3 line(s) skipped" in result.stderr
    assert "spool-20250101T000000Z.jsonl:4: torn line" in result.stderr
    assert "spool-20250101T010000Z.jsonl:4: spool version 2" in result.stderr
    cpu = govcloud("-o", "json", "metrics", "show", "--vm", "legacy-1").json()[0]
    assert cpu["p50"] == pytest.approx(25.0, abs=1e-4)
    assert cpu["points"] >= 1
    again = govcloud("-o", "json", "metrics", "import", str(spool))  # idempotent means
    assert again.exit_code == 0
    assert govcloud("-o", "json", "metrics", "show", "--vm", UUID_A).json()[0]["p50"] == cpu["p50"]


def test_import_of_nothing(db: Path, tmp_path: Path) -> None:
    result = govcloud("metrics", "import", str(tmp_path / "missing"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    result = govcloud("metrics", "import", str(tmp_path))
    assert result.exit_code == 2
    assert "no spool files" in result.stderr


def test_every_runs_until_sigterm(db: Path, tmp_path: Path, exporter: Exporter) -> None:
    targets = targets_file(tmp_path, exporter.url)
    code = "import sys; from govcloud.cli.main import main; sys.argv[0] = 'govcloud'; main()"
    argv = ["-o", "json", "metrics", "collect", "--targets", targets, "--every", "0.2s"]
    with subprocess.Popen(
        [sys.executable, "-c", code, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    ) as proc:
        try:
            assert proc.stdout is not None
            assert proc.stderr is not None
            first = json.loads(proc.stdout.readline())
            assert first == {"targets": 1, "failed": 0, "chunks_written": 2}
            second = json.loads(proc.stdout.readline())
            assert second["chunks_written"] >= 2
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == 0
            assert proc.stderr.read() == ""
        finally:
            if proc.poll() is None:
                proc.kill()
