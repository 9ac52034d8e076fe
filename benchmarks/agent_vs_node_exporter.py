"""govcloud-agent vs Debian's prometheus-node-exporter, side by side on loopback.

Both exporters run restricted to equivalent collectors and are scraped like Prometheus does
(OpenMetrics Accept header, gzip, a new connection per scrape). Exporter CPU is read from
/proc/PID/stat (utime+stime), so the load generator's own CPU is not counted.

    .venv/bin/python benchmarks/agent_vs_node_exporter.py --scrapes 3000 --soak 20000
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agent.options import DEFAULT_DISK_EXCLUDE, DEFAULT_NETDEV_EXCLUDE  # noqa: E402

ACCEPT = (
    "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;"
    "version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.2,*/*;q=0.1"
)
NODE_EXPORTER = "/usr/bin/prometheus-node-exporter"
# node_exporter collectors equivalent to the agent's cpu, memory, filesystem, disk, network,
# load and uptime collectors (stat provides node_boot_time_seconds, time node_time_seconds).
NE_COLLECTORS = ("cpu", "meminfo", "filesystem", "diskstats", "netdev", "loadavg", "time", "stat")
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Exporter:
    name: str
    argv: list[str]
    port: int
    context: ssl.SSLContext | None
    proc: subprocess.Popen[bytes] | None = None
    startup_ms: float = 0.0

    def scrape(self) -> int:
        conn: http.client.HTTPConnection
        if self.context is None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        else:
            conn = http.client.HTTPSConnection(
                "127.0.0.1", self.port, timeout=10, context=self.context
            )
        try:
            conn.request("GET", "/metrics", headers={"Accept": ACCEPT, "Accept-Encoding": "gzip"})
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def start(self) -> None:
        began = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        while time.perf_counter() - began < 10:
            try:
                if self.scrape() == 200:
                    self.startup_ms = (time.perf_counter() - began) * 1000
                    return
            except OSError:
                time.sleep(0.002)
        raise RuntimeError(f"{self.name} did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def measure(exporter: Exporter, scrapes: int) -> dict[str, float]:
    assert exporter.proc is not None
    pid = exporter.proc.pid
    for _ in range(50):  # warm caches, JIT-free but allocator and TLS session setup
        exporter.scrape()
    cpu0, latencies = cpu_seconds(pid), []
    for _ in range(scrapes):
        start = time.perf_counter()
        exporter.scrape()
        latencies.append((time.perf_counter() - start) * 1000)
    cpu_ms = (cpu_seconds(pid) - cpu0) * 1000 / scrapes
    latencies.sort()
    return {
        "cpu_ms": cpu_ms,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1],
        "rss_mib": rss_mib(pid),
    }


def idle_cpu_ms(exporter: Exporter, seconds: float) -> float:
    assert exporter.proc is not None
    before = cpu_seconds(exporter.proc.pid)
    time.sleep(seconds)
    return (cpu_seconds(exporter.proc.pid) - before) * 1000 / seconds


def soak(exporter: Exporter, scrapes: int) -> tuple[float, float]:
    assert exporter.proc is not None
    before = rss_mib(exporter.proc.pid)
    for _ in range(scrapes):
        exporter.scrape()
    return before, rss_mib(exporter.proc.pid)


def exporters(mtls_dir: Path | None) -> list[Exporter]:
    agent_port, ne_port = free_port(), free_port()
    agent = [sys.executable, "-m", "agent.main", "--web.listen-address", f"127.0.0.1:{agent_port}"]
    ne = [
        NODE_EXPORTER,
        f"--web.listen-address=127.0.0.1:{ne_port}",
        "--collector.disable-defaults",
        "--web.disable-exporter-metrics",
        f"--collector.diskstats.device-exclude={DEFAULT_DISK_EXCLUDE}",
        f"--collector.netdev.device-exclude={DEFAULT_NETDEV_EXCLUDE}",
        *(f"--collector.{c}" for c in NE_COLLECTORS),
    ]
    context = None
    if mtls_dir is not None:
        agent += ["--web.config.file", str(mtls_dir / "web.yml")]
        ne += [f"--web.config.file={mtls_dir / 'web.yml'}"]
        context = ssl.create_default_context(cafile=str(mtls_dir / "ca.crt"))
        context.load_cert_chain(str(mtls_dir / "client.crt"), str(mtls_dir / "client.key"))
    return [
        Exporter("govcloud-agent", agent, agent_port, context),
        Exporter("node_exporter", ne, ne_port, context),
    ]


def write_pki(directory: Path) -> None:
    from tests.agent import certs

    ca = certs.make_ca("bench-ca")
    certs.write_pair(directory, "ca", ca)
    certs.write_pair(directory, "server", certs.make_leaf(ca, "exporter", server=True))
    certs.write_pair(directory, "client", certs.make_leaf(ca, "prometheus", server=False))
    (directory / "web.yml").write_text(
        "tls_server_config:\n"
        f"  cert_file: {directory / 'server.crt'}\n  key_file: {directory / 'server.key'}\n"
        f"  client_ca_file: {directory / 'ca.crt'}\n"
        "  client_auth_type: RequireAndVerifyClientCert\n"
    )


def run(label: str, pair: list[Exporter], args: argparse.Namespace) -> None:
    rows = {}
    for exporter in pair:
        exporter.start()
    try:
        for exporter in pair:
            row = measure(exporter, args.scrapes)
            row["startup_ms"] = exporter.startup_ms
            row["idle_cpu_ms_per_s"] = idle_cpu_ms(exporter, args.idle)
            if args.soak:
                before, after = soak(exporter, args.soak)
                row["soak_growth_mib"] = after - before
                row["rss_mib"] = after
            rows[exporter.name] = row
    finally:
        for exporter in pair:
            exporter.stop()
    print_table(label, rows)


def print_table(label: str, rows: dict[str, dict[str, float]]) -> None:
    agent, ne = rows["govcloud-agent"], rows["node_exporter"]
    print(f"\n### {label}\n")
    print("| metric | govcloud-agent | node_exporter | agent / node_exporter |")
    print("|---|---:|---:|---:|")
    for key in agent:
        ratio = f"{agent[key] / ne[key]:.2f}" if ne[key] else "-"
        print(f"| {key} | {agent[key]:.3f} | {ne[key]:.3f} | {ratio} |")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scrapes", type=int, default=2000)
    parser.add_argument("--soak", type=int, default=0, help="extra scrapes for RSS growth")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of idle CPU sampling")
    parser.add_argument("--no-mtls", action="store_true")
    args = parser.parse_args()
    args.scrapes = max(100, min(args.scrapes, 100_000))
    print(f"{os.cpu_count()} CPUs, {args.scrapes} scrapes each, soak {args.soak}")
    run("plain HTTP", exporters(None), args)
    if not args.no_mtls:
        with tempfile.TemporaryDirectory() as tmp:
            write_pki(Path(tmp))
            run("mutual TLS", exporters(Path(tmp)), args)


if __name__ == "__main__":
    main()
