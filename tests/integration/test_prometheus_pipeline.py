"""A real Prometheus and the embedded collector read the same real agent; `metrics show` from
either source must agree.

The agent (agent/, unmodified) reads a fake procfs whose CPU counters the test advances at a
constant 30% busy and whose memory is fixed at 62.5% used, so the expected figures are known.
Tolerance: both sources compute CPU as a ratio of counter increases (idle / all modes) over the
same counters, so scrape timing cancels out; what remains is the rounding of /proc/stat ticks
(advanced at 10,000 per second here, < 0.01%) and float32 storage (7 digits). 0.5 percentage
points is far above both and far below any real disagreement (a wrong mode set, a missing
rate, a unit error would all be off by 10 points or more).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.runner import govcloud

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "playbooks" / "prometheus" / "govcloud-rules.yml"
UUID = "0f0e0d0c-0b0a-4909-8807-060504030201"
TICKS_PER_S = 10_000
BUSY = 0.30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


class FakeProc:
    """A procfs directory with CPU counters advancing at BUSY utilization in real time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "net").mkdir(parents=True)
        (root / "self").mkdir()
        write_atomic(root / "meminfo", "MemTotal: 8000000 kB\nMemAvailable: 3000000 kB\n")
        write_atomic(root / "loadavg", "0.40 0.30 0.20 1/100 4242\n")
        write_atomic(root / "diskstats", "")
        write_atomic(root / "self" / "mounts", "")
        write_atomic(
            root / "net" / "dev",
            "Inter-| Receive | Transmit\n face |bytes packets|bytes packets\n"
            "  eth0: 1000 1 0 0 0 0 0 0 2000 2 0 0 0 0 0 0\n",
        )
        self.start = time.monotonic()
        self.stop = threading.Event()
        self.update()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def update(self) -> None:
        ticks = int((time.monotonic() - self.start) * TICKS_PER_S) + 1_000_000
        busy, idle = int(ticks * BUSY), ticks - int(ticks * BUSY)
        write_atomic(
            self.root / "stat",
            f"cpu  {busy} 0 0 {idle} 0 0 0 0 0 0\ncpu0 {busy} 0 0 {idle} 0 0 0 0 0 0\n"
            "btime 1700000000\n",
        )

    def run(self) -> None:
        while not self.stop.wait(0.05):
            self.update()


def wait_http(url: str, proc: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not come up in {seconds}s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def agent_url(tmp_path: Path) -> Iterator[str]:
    fake = FakeProc(tmp_path / "proc")
    port = free_port()
    cmd = [
        sys.executable, "-m", "agent.main",
        "--web.listen-address", f"127.0.0.1:{port}",
        "--path.procfs", str(fake.root),
        "--instance-uuid", UUID,
        "--identity.uuid-files", str(tmp_path / "no-such-uuid-file"),
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/metrics"
        wait_http(url, proc)
        yield url
    finally:
        stop(proc)
        fake.stop.set()
        fake.thread.join()


@pytest.fixture
def prometheus_url(prometheus_bin: Path, agent_url: str, tmp_path: Path) -> Iterator[str]:
    rules = tmp_path / "govcloud-rules.yml"
    # The shipped rules evaluate every 5m; a test cannot wait that long for points.
    rules.write_text(RULES.read_text().replace("interval: 5m", "interval: 1s"))
    config = tmp_path / "prometheus.yml"
    target = agent_url.split("//")[1].split("/")[0]
    config.write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 900ms}\n"
        f"rule_files: [{json.dumps(str(rules))}]\n"
        f"scrape_configs: [{{job_name: agent, static_configs: [{{targets: ['{target}']}}]}}]\n"
    )
    port = free_port()
    cmd = [
        str(prometheus_bin),
        f"--config.file={config}",
        f"--storage.tsdb.path={tmp_path / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--log.level=warn",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/-/ready", proc)
        yield url
    finally:
        stop(proc)


def recorded_points(url: str) -> int:
    query = urllib.parse.urlencode(
        {"query": "count_over_time(instance:govcloud_cpu_used:pct5m[1h])"}
    )
    with urllib.request.urlopen(f"{url}/api/v1/query?{query}", timeout=5) as r:
        result = json.load(r)["data"]["result"]
    return int(result[0]["value"][1]) if result else 0


def show(source: str, metric: str) -> dict[str, object]:
    args = ["-o", "json", "metrics", "show", "--metric", metric, "--window", "1h"]
    result = govcloud(*args, "--source", source, "--prometheus-step", "1s")
    assert result.exit_code == 0, result.stdout + result.stderr
    rows = [r for r in result.json() if r["target"] == UUID]
    assert len(rows) == 1, result.stdout
    return dict(rows[0])


def test_embedded_and_prometheus_agree(
    prometheus_url: str, agent_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVCLOUD_DB", str(tmp_path / "store.db"))
    assert govcloud("init").exit_code == 0
    targets = tmp_path / "targets.yaml"
    targets.write_text(f"- url: {agent_url}\n")
    for _ in range(4):
        result = govcloud("metrics", "collect", "--targets", str(targets))
        assert result.exit_code == 0, result.stdout + result.stderr
        time.sleep(1.5)
    deadline = time.monotonic() + 60
    while recorded_points(prometheus_url) < 5:
        assert time.monotonic() < deadline, "Prometheus recorded no CPU series in 60 s"
        time.sleep(1)

    embedded, prom = show("embedded", "cpu_pct"), show(prometheus_url, "cpu_pct")
    assert embedded["points"] >= 1
    assert prom["points"] >= 5
    for stat in ("p50", "p95", "max", "avg"):
        assert embedded[stat] == pytest.approx(100 * BUSY, abs=0.5)
        assert prom[stat] == pytest.approx(embedded[stat], abs=0.5)

    embedded, prom = show("embedded", "mem_used_pct"), show(prometheus_url, "mem_used_pct")
    assert embedded["max"] == pytest.approx(62.5, abs=1e-3)
    assert prom["max"] == pytest.approx(embedded["max"], abs=1e-3)


def test_shipped_rules_and_example_config_pass_promtool(promtool_bin: Path) -> None:
    for args in (
        ["check", "rules", str(RULES)],
        ["check", "config", str(RULES.with_name("prometheus-scrape-example.yml"))],
    ):
        result = subprocess.run([str(promtool_bin), *args], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
