"""`govcloud sync` and `govcloud vm list` against `openstack server list --all-projects --long`.

One sandbox (N servers, injected latency) serves both tools in the same run:

    .venv/bin/python benchmarks/sync_vs_openstackclient.py --servers 10000 --latency-ms 20
    .venv/bin/python benchmarks/sync_vs_openstackclient.py --servers 0 --memory-servers 100000

The estate has the example's 3 pools and exactly --projects Keystone projects (default 100): the
first departments of the example, cut to size, plus the sandbox's undeclared projects; written
as an inventory to a temporary directory. --projects 0 takes the whole example.
Prints the timings, the ratios and (with --memory-servers) the peak RSS of a sync child process.

The incremental case: after the full sync, --changed percent of the servers change in the
sandbox (`Sandbox.touch_servers`: a fifth deleted, the others stopped or started, every second
one also resized), and `govcloud sync` runs again (incremental by default). Both runs' API
calls are counted by govcloud itself.
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
from typing import Any

import yaml

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


def write_inventory(tmp: Path, projects: int) -> Path:
    """The example's pools and hosts, and its first departments holding PROJECTS projects in all
    (the sandbox adds its undeclared projects to the declared ones)."""
    from govcloud.sandbox.seeding import UNDECLARED_PROJECTS

    if not projects:
        return EXAMPLE
    budget = projects - len(UNDECLARED_PROJECTS)
    doc = yaml.safe_load((EXAMPLE / "departments.yaml").read_text(encoding="utf-8"))
    kept = []
    for dept in doc["departments"]:
        if budget <= 0:
            break
        kept.append({**dept, "projects": dept["projects"][:budget]})
        budget -= len(kept[-1]["projects"])
    if budget > 0:
        raise SystemExit(f"the example declares fewer than {projects} projects")
    out = tmp / "inventory"
    out.mkdir()
    (out / "pools.yaml").write_bytes((EXAMPLE / "pools.yaml").read_bytes())
    codes = {d["code"] for d in kept}
    systems = yaml.safe_load((EXAMPLE / "systems.yaml").read_text(encoding="utf-8"))
    systems["systems"] = [s for s in systems["systems"] if s["department"] in codes]
    left = {s["code"] for s in systems["systems"]}
    hosts = yaml.safe_load((EXAMPLE / "hosts.yaml").read_text(encoding="utf-8"))
    hosts["legacy_hosts"] = [h for h in hosts["legacy_hosts"] if h.get("system", "") in left]
    for name, data in (
        ("departments.yaml", {"departments": kept}),
        ("systems.yaml", systems),
        ("hosts.yaml", hosts),
    ):
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (out / name).write_text(text, encoding="utf-8")
    return out


def best_of(runs: int, cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, bytes]:
    times, out = [], b""
    for _ in range(runs):
        elapsed, _, out = run(cmd, env, cwd)
        times.append(elapsed)
    return min(times), out


def change_servers(sb: Any, percent: float) -> tuple[int, int]:
    """PERCENT of the servers changed by the sandbox's own `touch_servers` (a fifth deleted,
    the rest stopped or started, every second one also resized), stamped with the wall clock
    as Nova stamps `updated`: (changed, deleted)."""
    touched = sb.touch_servers(percent / 100)
    return len(touched.changed), len(touched.deleted)


def sync_figures(out: bytes) -> tuple[int, float, set[str]]:
    """API calls (per region, summed), the slowest region's seconds inside the process, and
    the modes of a `govcloud -o json sync` answer."""
    rows = json.loads(out)
    calls = {r["region"]: r["calls"] or 0 for r in rows}
    return sum(calls.values()), max(r["duration_s"] for r in rows), {r["mode"] for r in rows}


def compare(servers: int, latency_ms: int, runs: int, projects: int, changed_pct: float) -> None:
    from govcloud.sandbox import Sandbox
    from govcloud.services.inventory import read_inventory

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        source = write_inventory(tmp, projects)
        inventory = read_inventory(source)
        with Sandbox.start(inventory, size=servers, latency_ms=latency_ms) as sb:
            env = environment(tmp, sb.write_clouds_yaml(tmp / "clouds.yaml"))
            gc = str(BIN / "govcloud")
            run([gc, "inventory", "load", str(source)], env, tmp)
            sync_s, out = best_of(runs, [gc, "-o", "json", "sync", "--full"], env, tmp)
            synced = sum(r["servers"] for r in json.loads(out))
            full_calls, full_in, _ = sync_figures(out)
            changed, deleted = change_servers(sb, changed_pct)
            inc_s, _, out = run([gc, "-o", "json", "sync"], env, tmp)
            inc_calls, inc_in, modes = sync_figures(out)
            moved = sum(r["changed"] for r in json.loads(out))
            if modes != {"incremental"}:
                raise SystemExit(f"the second sync was not incremental: {modes}")
            list_s, out = best_of(runs, [gc, "-o", "json", "vm", "list"], env, tmp)
            listed = len(json.loads(out))
            osc_s, osc_n = 0.0, 0
            for region in sb.regions("zwy"):
                cmd = [str(BIN / "openstack"), "--os-cloud", "zwy", "--os-region-name", region,
                       "server", "list", "--all-projects", "--long", "-f", "json"]  # fmt: skip
                elapsed, out = best_of(runs, cmd, env, tmp)
                osc_s += elapsed
                osc_n += len(json.loads(out))
            keystone = len(sb.estate.projects)
    print(f"estate: {servers} servers ({synced} synced, {listed} listed, {osc_n} by openstack), "
          f"{keystone} projects, {len(inventory.pools)} pools, latency {latency_ms} ms, "
          f"best of {runs}")  # fmt: skip
    print("| command | seconds | vs openstack server list |")
    print("|---|---|---|")
    print(f"| `govcloud sync` (all pools: servers, projects, flavors, quotas, volumes, "
          f"placement) | {sync_s:.2f} | {sync_s / osc_s:.2f}x |")  # fmt: skip
    print(f"| `govcloud sync`, incremental, {changed + deleted} servers ({changed_pct:g}%: "
          f"{changed} changed, {deleted} deleted; {moved} records changed) | {inc_s:.2f} "
          f"| {inc_s / osc_s:.3f}x |")  # fmt: skip
    print()
    print("| sync | wall seconds (process) | seconds inside (slowest region) | API calls |")
    print("|---|---|---|---|")
    print(f"| full | {sync_s:.2f} | {full_in:.2f} | {full_calls} |")
    print(f"| incremental ({changed_pct:g}% changed) | {inc_s:.2f} | {inc_in:.2f} | {inc_calls} |")
    print(f"| ratio incremental / full | {inc_s / sync_s:.3f}x | {inc_in / full_in:.3f}x "
          f"| {inc_calls / full_calls:.3f}x |")  # fmt: skip
    print()
    print(f"| `govcloud vm list -o json` (store) | {list_s:.2f} | {list_s / osc_s:.3f}x "
          f"({osc_s / list_s:.1f}x faster) |")  # fmt: skip
    print(f"| `openstack server list --all-projects --long -f json` (per region, summed) "
          f"| {osc_s:.2f} | 1.00x |")  # fmt: skip


def memory(servers: int, projects: int) -> None:
    from govcloud.sandbox import Sandbox
    from govcloud.services.inventory import read_inventory

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        source = write_inventory(tmp, projects)
        with Sandbox.start(read_inventory(source), size=servers) as sb:
            env = environment(tmp, sb.write_clouds_yaml(tmp / "clouds.yaml"))
            gc = str(BIN / "govcloud")
            run([gc, "inventory", "load", str(source)], env, tmp)
            first, rss1, _ = run([gc, "-o", "json", "sync"], env, tmp)
            second, rss2, out = run([gc, "-o", "json", "sync"], env, tmp)
    moved = sum(r["added"] + r["changed"] + r["removed"] for r in json.loads(out))
    print(f"| sync of {servers} servers | first {first:.1f} s, peak RSS {rss1 / 1024:.0f} MiB "
          f"| second {second:.1f} s, peak RSS {rss2 / 1024:.0f} MiB, "
          f"{moved} added+changed+removed |")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--servers", type=int, default=10_000)
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--memory-servers", type=int, default=0)
    ap.add_argument("--projects", type=int, default=100, help="0: the whole example estate")
    ap.add_argument("--changed", type=float, default=1.0, help="percent of servers changed")
    args = ap.parse_args()
    if args.servers:
        compare(args.servers, args.latency_ms, args.runs, args.projects, args.changed)
    if args.memory_servers:
        memory(args.memory_servers, args.projects)


if __name__ == "__main__":
    main()
