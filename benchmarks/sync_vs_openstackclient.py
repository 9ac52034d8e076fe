"""`govcloud sync` and `govcloud vm list` against `openstack server list --all-projects --long`.

One sandbox (example estate, N servers, injected latency) serves both tools in the same run:

    .venv/bin/python benchmarks/sync_vs_openstackclient.py --servers 10000 --latency-ms 20
    .venv/bin/python benchmarks/sync_vs_openstackclient.py --memory-servers 100000

Prints the timings, the ratios and (with --memory-servers) the peak RSS of a sync child process.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
EXAMPLE = ROOT / "inventory" / "example"


def run(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int, bytes]:
    """Wall time, peak RSS (KiB, of this child alone: os.wait4) and stdout of one command."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            tail = err.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{tail}")
        return elapsed, usage.ru_maxrss, out.read()


def environment(tmp: Path, clouds_yaml: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update(
        GOVCLOUD_DB=str(tmp / "govcloud.db"),
        XDG_CONFIG_HOME=str(tmp / "config"),
        OS_CLIENT_CONFIG_FILE=str(clouds_yaml),
        PYTHONWARNINGS="ignore",
    )
    return env


def best_of(runs: int, cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, bytes]:
    times, out = [], b""
    for _ in range(runs):
        elapsed, _, out = run(cmd, env, cwd)
        times.append(elapsed)
    return min(times), out


def compare(servers: int, latency_ms: int, runs: int) -> None:
    from govcloud.sandbox import Sandbox
    from govcloud.services.inventory import read_inventory

    inventory = read_inventory(EXAMPLE)
    with (
        tempfile.TemporaryDirectory() as d,
        Sandbox.start(inventory, size=servers, latency_ms=latency_ms) as sb,
    ):
        tmp = Path(d)
        env = environment(tmp, sb.write_clouds_yaml(tmp / "clouds.yaml"))
        gc = str(BIN / "govcloud")
        run([gc, "inventory", "load", str(EXAMPLE)], env, tmp)
        sync_s, out = best_of(runs, [gc, "-o", "json", "sync"], env, tmp)
        synced = sum(r["servers"] for r in json.loads(out))
        list_s, out = best_of(runs, [gc, "-o", "json", "vm", "list"], env, tmp)
        listed = len(json.loads(out))
        osc_s, osc_n = 0.0, 0
        for region in sb.regions("zwy"):
            cmd = [str(BIN / "openstack"), "--os-cloud", "zwy", "--os-region-name", region,
                   "server", "list", "--all-projects", "--long", "-f", "json"]  # fmt: skip
            elapsed, out = best_of(runs, cmd, env, tmp)
            osc_s += elapsed
            osc_n += len(json.loads(out))
    projects = len({b.project_name for dept in inventory.departments for b in dept.projects})
    print(f"estate: {servers} servers ({synced} synced, {listed} listed, {osc_n} by openstack), "
          f"{projects} projects, {len(inventory.pools)} pools, latency {latency_ms} ms, "
          f"best of {runs}")  # fmt: skip
    print("| command | seconds | vs openstack server list |")
    print("|---|---|---|")
    print(f"| `govcloud sync` (all pools: servers, projects, flavors, quotas, volumes, "
          f"placement) | {sync_s:.2f} | {sync_s / osc_s:.2f}x |")  # fmt: skip
    print(f"| `govcloud vm list -o json` (store) | {list_s:.2f} | {list_s / osc_s:.3f}x "
          f"({osc_s / list_s:.1f}x faster) |")  # fmt: skip
    print(f"| `openstack server list --all-projects --long -f json` (per region, summed) "
          f"| {osc_s:.2f} | 1.00x |")  # fmt: skip


def memory(servers: int) -> None:
    from govcloud.sandbox import Sandbox
    from govcloud.services.inventory import read_inventory

    inventory = read_inventory(EXAMPLE)
    with tempfile.TemporaryDirectory() as d, Sandbox.start(inventory, size=servers) as sb:
        tmp = Path(d)
        env = environment(tmp, sb.write_clouds_yaml(tmp / "clouds.yaml"))
        gc = str(BIN / "govcloud")
        run([gc, "inventory", "load", str(EXAMPLE)], env, tmp)
        first, rss1, _ = run([gc, "-o", "json", "sync"], env, tmp)
        second, rss2, _ = run([gc, "-o", "json", "sync"], env, tmp)
    print(f"| sync of {servers} servers | first {first:.1f} s, peak RSS {rss1 / 1024:.0f} MiB "
          f"| second (no change) {second:.1f} s, peak RSS {rss2 / 1024:.0f} MiB |")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--servers", type=int, default=10_000)
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--memory-servers", type=int, default=0)
    args = ap.parse_args()
    if args.servers:
        compare(args.servers, args.latency_ms, args.runs)
    if args.memory_servers:
        memory(args.memory_servers)


if __name__ == "__main__":
    main()
