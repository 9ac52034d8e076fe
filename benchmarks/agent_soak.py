"""Does govcloud-agent's memory stay flat under steady scraping? (issue 9, section 5, load)

Starts a real agent on 127.0.0.1 with the spool on (1 s interval, small bound so it rotates),
scrapes it every second, alternating text / OpenMetrics, gzip / plain and new / kept-alive
connections the way Prometheus and curl do, and samples the agent's RSS (VmRSS in
/proc/PID/status) after each scrape. Growth is measured from the end of a warm-up (imports,
caches and allocator arenas settle in the first minute) to the median of the last ten samples,
so one transient peak does not decide the result.

Prints start / after warm-up / peak / end RSS and growth; ``--json FILE`` also writes them.
Exit status 1 when growth reaches ``--max-growth`` percent or any scrape failed.

    .venv/bin/python benchmarks/agent_soak.py --minutes 30 --json soak.json
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parents[1]
_LISTENING = re.compile(r"listening on http://(\S+):(\d+)")
OPENMETRICS = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"


@dataclass
class SoakResult:
    minutes: float
    warmup_minutes: float
    scrapes: int = 0
    failures: int = 0
    start_rss_kib: int = 0
    warm_rss_kib: int = 0
    peak_rss_kib: int = 0
    end_rss_kib: int = 0
    growth_percent: float = 0.0
    samples: list[tuple[float, int]] = field(default_factory=list)  # (seconds, RSS KiB)

    def summary(self) -> str:
        mib = 1024
        return (
            f"agent soak {self.minutes:g} min: {self.scrapes} scrapes, {self.failures} failed; "
            f"RSS start {self.start_rss_kib / mib:.1f} MiB, after {self.warmup_minutes:g} min "
            f"warm-up {self.warm_rss_kib / mib:.1f} MiB, peak {self.peak_rss_kib / mib:.1f} MiB, "
            f"end {self.end_rss_kib / mib:.1f} MiB; growth {self.growth_percent:+.2f}%"
        )


def rss_kib(pid: int) -> int:
    """VmRSS of ``pid`` in KiB, from /proc (what the kernel charges the process)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def _start_agent(spool_dir: str) -> tuple[subprocess.Popen[str], int, threading.Thread]:
    argv = [
        sys.executable,
        "-m",
        "agent.main",
        "--web.listen-address",
        "127.0.0.1:0",
        "--spool.dir",
        spool_dir,
        "--spool.interval",
        "1s",
        "--spool.max-bytes",
        "4MiB",
    ]
    proc = subprocess.Popen(argv, cwd=REPO, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        match = _LISTENING.search(line)
        if match:
            # Keep draining stderr so a chatty agent never blocks on a full pipe.
            drain = threading.Thread(target=proc.stderr.read, daemon=True)
            drain.start()
            return proc, int(match.group(2)), drain
    proc.stderr.close()
    raise RuntimeError(f"agent did not start (exit status {proc.wait()})")


def _stop_agent(proc: subprocess.Popen[str], drain: threading.Thread) -> None:
    proc.send_signal(signal.SIGTERM)  # by PID: this process started it
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    drain.join(timeout=10)  # the pipe's end of stream came with the exit
    assert proc.stderr is not None
    proc.stderr.close()


def _scrape(port: int, kept: http.client.HTTPConnection | None, n: int) -> bool:
    headers = {}
    if n % 2:
        headers["Accept"] = OPENMETRICS
    if n % 3 == 0:
        headers["Accept-Encoding"] = "gzip"
    conn = kept or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/metrics", headers=headers)
        response = conn.getresponse()
        body = response.read()
        return response.status == 200 and len(body) > 0
    except (OSError, http.client.HTTPException):
        return False
    finally:
        if kept is None:
            conn.close()


def soak(minutes: float, warmup_minutes: float, interval_s: float = 1.0) -> SoakResult:
    """Run the soak and return its figures; the agent is stopped whatever happens."""
    result = SoakResult(minutes=minutes, warmup_minutes=warmup_minutes)
    with tempfile.TemporaryDirectory(prefix="agent-soak-") as spool_dir:
        proc, port, drain = _start_agent(spool_dir)
        kept = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            start = time.monotonic()
            end = start + minutes * 60
            warm_end = start + warmup_minutes * 60
            n = 0
            while (now := time.monotonic()) < end:
                # Every fourth scrape on a kept-alive connection, the rest on new ones.
                ok = _scrape(port, kept if n % 4 == 0 else None, n)
                if not ok and n % 4 == 0:
                    kept.close()
                    kept = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                result.scrapes += 1
                result.failures += not ok
                rss = rss_kib(proc.pid)
                result.samples.append((round(now - start, 1), rss))
                if not result.start_rss_kib:
                    result.start_rss_kib = rss
                if now < warm_end or not result.warm_rss_kib:
                    result.warm_rss_kib = rss
                result.peak_rss_kib = max(result.peak_rss_kib, rss)
                n += 1
                time.sleep(max(0.0, start + n * interval_s - time.monotonic()))
        finally:
            kept.close()
            _stop_agent(proc, drain)
    tail = [rss for _, rss in result.samples[-10:]]
    result.end_rss_kib = int(statistics.median(tail)) if tail else 0
    if result.warm_rss_kib:
        growth = (result.end_rss_kib - result.warm_rss_kib) / result.warm_rss_kib * 100
        result.growth_percent = round(growth, 2)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="soak length (30)")
    parser.add_argument(
        "--warmup-minutes", type=float, default=None, help="excluded from growth (1, or 1/5)"
    )
    parser.add_argument("--max-growth", type=float, default=5.0, help="percent that fails (5)")
    parser.add_argument("--json", default="", help="also write the figures here")
    args = parser.parse_args(argv)
    warmup = args.warmup_minutes
    if warmup is None:
        warmup = min(1.0, args.minutes / 5)
    signal.signal(signal.SIGTERM, _raise_stop)  # so a CI that gives up still stops the agent
    try:
        result = soak(args.minutes, warmup)
    except _Stop:
        print("agent soak: stopped before the end", file=sys.stderr)
        return 1
    print(result.summary())
    if args.json:
        Path(args.json).write_text(json.dumps(asdict(result), indent=1) + "\n")
    if result.failures or result.growth_percent >= args.max_growth:
        print(
            f"agent soak: FAILED (growth must stay below {args.max_growth:g}%, "
            "every scrape must succeed)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
