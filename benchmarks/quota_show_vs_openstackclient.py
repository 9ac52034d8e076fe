"""`govcloud quota show -o json` for N projects beside `openstack quota show --usage` looped over
the same N projects, against the sandbox, in one run.

    python benchmarks/quota_show_vs_openstackclient.py [--projects 100] [--runs 5] [--latency-ms 0]

A synthetic estate of N departments with one project each is served by the sandbox
(in-process, over HTTP on 127.0.0.1); `govcloud inventory load` and `govcloud sync` fill a
throwaway store. Then, as an operator would run them:

- govcloud: one process, `quota show -o json`, every project and resource from the store
  (median of --runs);
- openstackclient: one `openstack quota show --usage PROJECT -f json` process per project,
  what a shell loop over the projects does (run once; it is the slow side).

Both sides must report limits for the same project ids, or the run fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
CLOUD, REGION, POOL = "bench", "r1", "bench-pool"


def estate_yaml(projects: int) -> str:
    lines = [
        "clouds:",
        f"- name: {CLOUD}",
        f"  regions: [{REGION}]",
        "pools:",
        f"- code: {POOL}",
        "  name_zh: 基准资源池",
        "  name_en: Benchmark pool",
        f"  cloud: {CLOUD}",
        f"  region: {REGION}",
        "  security_zone: 政务外网",
        "departments:",
    ]
    for i in range(projects):
        lines += [
            f"- code: d{i:03d}",
            f"  name_zh: 部门{i:03d}",
            f"  name_en: Department {i:03d}",
            "  projects:",
            f"  - pool: {POOL}",
            f"    project: d{i:03d}-prod",
            "    quota: {cores: 64, ram_gib: 256, instances: 20, volume_gib: 2000, volumes: 40}",
        ]
    return "\n".join(lines) + "\n"


def run(cmd: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr[-800:]}")
    return result


def time_govcloud(env: dict[str, str], runs: int) -> tuple[float, set[str]]:
    cmd = [str(BIN / "govcloud"), "quota", "show", "-o", "json"]
    ids = {r["project_id"] for r in json.loads(run(cmd, env).stdout) if r["limit"] is not None}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run(cmd, env)
        times.append(time.perf_counter() - start)
    return statistics.median(times), ids


def time_openstack(env: dict[str, str], project_ids: list[str]) -> tuple[float, set[str]]:
    openstack = shutil.which("openstack", path=str(BIN)) or shutil.which("openstack")
    if openstack is None:
        raise SystemExit("python-openstackclient is not installed (pip install .[dev])")
    seen = set()
    start = time.perf_counter()
    for pid in project_ids:
        cmd = [openstack, "--os-cloud", CLOUD, "--os-region-name", REGION]
        out = run([*cmd, "quota", "show", "--usage", pid, "-f", "json"], env)
        if json.loads(out.stdout):
            seen.add(pid)
    return time.perf_counter() - start, seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency-ms", type=int, default=0, help="sandbox latency per request")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE as set (every process compiles its imports afresh)",
    )
    args = parser.parse_args()

    from govcloud.sandbox import Sandbox
    from govcloud.services.inventory import read_inventory

    with tempfile.TemporaryDirectory(prefix="govcloud-bench-") as tmp:
        base = Path(tmp)
        (base / "inventory").mkdir()
        (base / "inventory" / "estate.yaml").write_text(estate_yaml(args.projects), "utf-8")
        inventory = read_inventory(base / "inventory")
        size = args.projects * 4
        with Sandbox.start(inventory, size=size, latency_ms=args.latency_ms) as sb:
            env = {
                **os.environ,
                "GOVCLOUD_DB": str(base / "govcloud.db"),
                "XDG_CONFIG_HOME": str(base / "config"),
                "OS_CLIENT_CONFIG_FILE": str(sb.write_clouds_yaml(base / "clouds.yaml")),
                "PYTHONWARNINGS": "ignore",
            }
            if not args.no_bytecode:
                # as installed: compiled modules cached (in a private prefix, not in the venv)
                env.pop("PYTHONDONTWRITEBYTECODE", None)
                env["PYTHONPYCACHEPREFIX"] = str(base / "pycache")
            govcloud = str(BIN / "govcloud")
            run([govcloud, "inventory", "load", str(base / "inventory")], env)
            run([govcloud, "sync"], env)
            wanted = sorted(p.id for p in sb.estate.projects if p.department_code)
            gc_s, gc_ids = time_govcloud(env, args.runs)
            os_s, os_ids = time_openstack(env, wanted)
    if not set(wanted) <= gc_ids or os_ids != set(wanted):
        raise SystemExit(
            f"coverage differs: govcloud {len(gc_ids)}, openstack {len(os_ids)}, "
            f"wanted {len(wanted)} projects"
        )
    mode = "no bytecode cache" if args.no_bytecode else "bytecode cached"
    print(f"projects: {len(wanted)}  servers: {size}  latency: {args.latency_ms} ms  {mode}")
    print(f"{'command':<58}{'seconds':>10}{'ratio':>10}")
    print(f"{'govcloud quota show -o json (median of ' + str(args.runs) + ')':<58}{gc_s:>10.2f}")
    label = f"openstack quota show --usage PROJECT -f json x {len(wanted)}"
    print(f"{label:<58}{os_s:>10.2f}{os_s / gc_s:>9.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
