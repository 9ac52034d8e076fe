"""Do CPU % and memory % computed from govcloud-agent's series agree with node_exporter's?

A real Prometheus (Debian's ``prometheus``) on 127.0.0.1 scrapes both exporters every second
while this script generates a bounded CPU and memory load; then, for each job, the window's P95
and max of

    CPU %    = 100 - avg(rate(node_cpu_seconds_total{mode="idle"}[RATE])) * 100
    memory % = (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) * 100

are read with ``quantile_over_time`` / ``max_over_time`` subqueries and compared. Passes (exit 0)
when every difference is within ``--tolerance`` points (0.5).

The load runs in plateaus longer than the rate window: Prometheus scrapes the two targets at
different offsets within the interval, and on a steep load edge that offset alone would show as
a difference that says nothing about the exporters.

    .venv/bin/python benchmarks/agent_accuracy_vs_node_exporter.py --window 90
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agent.options import DEFAULT_DISK_EXCLUDE, DEFAULT_NETDEV_EXCLUDE  # noqa: E402
from benchmarks.agent_vs_node_exporter import (  # noqa: E402
    NE_COLLECTORS,
    NODE_EXPORTER,
    free_port,
)

PROMETHEUS = "/usr/bin/prometheus"
CPU = '100 - avg(rate(node_cpu_seconds_total{{job="{job}",mode="idle"}}[{rate}s])) * 100'
MEM = (
    '(1 - node_memory_MemAvailable_bytes{{job="{job}"}}'
    ' / node_memory_MemTotal_bytes{{job="{job}"}}) * 100'
)
# A child that keeps one CPU busy for a fraction (duty) of every 100 ms and holds MiB of touched
# memory until its deadline.
LOAD = (
    "import sys,time\n"
    "end=time.monotonic()+float(sys.argv[1]); duty=float(sys.argv[3])\n"
    "keep=b'\\x01'*(int(sys.argv[2])<<20)\n"
    "while (now:=time.monotonic())<end:\n"
    "    while time.monotonic()<now+0.1*duty: pass\n"
    "    time.sleep(0.1*(1-duty))\n"
)


def wait_http(url: str, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout_s:.0f} s")


def start_all(
    tmp: Path, prometheus: str, node_exporter: str
) -> tuple[list[subprocess.Popen[bytes]], str]:
    agent_port, ne_port, prom_port = free_port(), free_port(), free_port()
    agent = [sys.executable, "-m", "agent.main", "--web.listen-address", f"127.0.0.1:{agent_port}"]
    ne = [
        node_exporter,
        f"--web.listen-address=127.0.0.1:{ne_port}",
        "--collector.disable-defaults",
        f"--collector.diskstats.device-exclude={DEFAULT_DISK_EXCLUDE}",
        f"--collector.netdev.device-exclude={DEFAULT_NETDEV_EXCLUDE}",
        *(f"--collector.{c}" for c in NE_COLLECTORS),
    ]
    (tmp / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, scrape_timeout: 900ms, evaluation_interval: 1s}\n"
        "scrape_configs:\n"
        f"  - job_name: agent\n    static_configs: [{{targets: ['127.0.0.1:{agent_port}']}}]\n"
        f"  - job_name: node\n    static_configs: [{{targets: ['127.0.0.1:{ne_port}']}}]\n"
    )
    prom = [
        prometheus,
        f"--config.file={tmp / 'prometheus.yml'}",
        f"--storage.tsdb.path={tmp / 'data'}",
        f"--web.listen-address=127.0.0.1:{prom_port}",
        "--log.level=warn",
    ]
    procs = []
    for argv in (agent, ne, prom):
        procs.append(
            subprocess.Popen(argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
    wait_http(f"http://127.0.0.1:{agent_port}/healthz")
    wait_http(f"http://127.0.0.1:{ne_port}/metrics")
    wait_http(f"http://127.0.0.1:{prom_port}/-/ready")
    return procs, f"http://127.0.0.1:{prom_port}"


def generate_load(seconds: float, mem_mib: int) -> None:
    """Idle, then one busy CPU + memory, then one and a half, then idle; plateaus of seconds/4
    (not both CPUs of a 2-CPU host: a saturated plateau would make P95 and max trivially equal)."""
    phase = seconds / 4
    time.sleep(phase)
    children = [subprocess.Popen([sys.executable, "-c", LOAD, str(2 * phase), str(mem_mib), "1"])]
    try:
        time.sleep(phase)
        children.append(subprocess.Popen([sys.executable, "-c", LOAD, str(phase), "0", "0.5"]))
        for child in children:
            child.wait(timeout=seconds)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
                child.wait(timeout=10)
    time.sleep(max(0.0, seconds - 3 * phase))


def query(base: str, expr: str, at: float) -> float:
    url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": expr, "time": f"{at:.3f}"})
    with urllib.request.urlopen(url, timeout=30) as response:
        data = json.load(response)
    result = data["data"]["result"]
    if not result:
        raise RuntimeError(f"no result for {expr}")
    return float(result[0]["value"][1])


def compare(base: str, window: int, rate: int, at: float) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {}
    for what, template in (("cpu_pct", CPU), ("mem_pct", MEM)):
        for agg, fn in (("p95", "quantile_over_time(0.95, "), ("max", "max_over_time(")):
            key = f"{what} {agg}"
            rows[key] = {
                job: query(base, f"{fn}({template.format(job=job, rate=rate)})[{window}s:1s])", at)
                for job in ("agent", "node")
            }
    return rows


def measure(
    window: int,
    rate: int,
    mem_mib: int,
    prometheus: str = PROMETHEUS,
    node_exporter: str = NODE_EXPORTER,
) -> dict[str, dict[str, float]]:
    """{aggregate: {"agent": value, "node": value}} after one bounded load window."""
    with tempfile.TemporaryDirectory() as tmp:
        procs, base = start_all(Path(tmp), prometheus, node_exporter)
        try:
            time.sleep(rate + 2)  # enough samples for the first rate()
            start = time.time()
            generate_load(window, max(0, min(mem_mib, 4096)))
            time.sleep(2)  # the last scrapes of the window
            return compare(base, int(time.time() - start), rate, time.time())
        finally:
            for proc in reversed(procs):
                proc.terminate()
                proc.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--window", type=int, default=90, help="seconds of load (30-600)")
    parser.add_argument("--rate", type=int, default=10, help="rate() window in seconds")
    parser.add_argument("--mem-mib", type=int, default=512, help="memory the load holds")
    parser.add_argument("--tolerance", type=float, default=0.5, help="points")
    args = parser.parse_args()
    window = max(30, min(args.window, 600))
    return report(measure(window, args.rate, args.mem_mib), window, args)


def report(rows: dict[str, dict[str, float]], window: int, args: argparse.Namespace) -> int:
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, window {window} s,")
    print(f"rate window {args.rate} s, scrape interval 1 s, load holds {args.mem_mib} MiB\n")
    print("| aggregate | govcloud-agent | node_exporter | difference (points) |")
    print("|---|---:|---:|---:|")
    worst = 0.0
    for key, values in rows.items():
        diff = values["agent"] - values["node"]
        worst = max(worst, abs(diff))
        print(f"| {key} | {values['agent']:.3f} | {values['node']:.3f} | {diff:+.3f} |")
    ok = worst <= args.tolerance
    print(f"\nlargest difference {worst:.3f} points: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
