"""Every store-backed read command on the example estate: today's code beside a baseline commit
and beside the nearest `openstack` command on the sandbox, with bytecode caching on and off.

    python benchmarks/cli_read_paths.py [--runs 5] [--baseline REV] [--mode cached|uncached|both]

The example estate (88 departments, 1,727 VMs, 30 days of simulated utilization and one audit
run) is built once by `govcloud demo` into a throwaway store. The sandbox, seeded the same way,
serves the OpenStack side over HTTP on 127.0.0.1. Each command runs as a fresh process, as an
operator waits for it; the median of --runs is printed, after one warm-up run.

- now: this checkout, each command in its own process (no warm reader runs).
- warm: this checkout with `govcloud warm start` run first: the command is handed to the warm
  reader, which forks a child that has SQLAlchemy, Typer and the read path imported.
- baseline: REV (default: the commit before issue 11) extracted with `git archive` and put first
  on PYTHONPATH, so it runs with the same interpreter and packages on the same store.
- openstack: python-openstackclient against the sandbox, the nearest command (`-` where none).

Modes: `cached` keeps compiled modules in a private PYTHONPYCACHEPREFIX warmed by the first run
(how a pip install runs: pip compiles bytecode on install); `uncached` sets
PYTHONDONTWRITEBYTECODE=1 with an empty prefix, so every process compiles everything it imports
(SQLAlchemy included) from source.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[1]
BASELINE = "b5c34e4"  # the last commit before issue 11's read-path work
ENTRY = "import sys; from govcloud.cli.main import main; sys.argv[0] = 'govcloud'; main()"
# today's executable (govcloud.cli.entry): hands a read to a warm reader when one runs
ENTRY_NOW = "import sys; from govcloud.cli.entry import main; sys.argv[0] = 'govcloud'; main()"
OS_CLOUD, OS_REGION = "govcloud-sandbox-zwy", "zw-region"  # the sandbox's admin entry


def reads(server: dict[str, str], project: str) -> list[tuple[list[str], list[str] | None]]:
    """(govcloud arguments, nearest openstack arguments or None). The openstack side reads one
    region (zw-region: zw-prod and dr-test); govcloud answers for all three pools."""
    return [
        (["pool", "list"], ["aggregate", "list"]),
        (["pool", "show", "dr-test"], ["aggregate", "show", "agg-dr"]),
        (["tenant", "list"], ["project", "list"]),
        (["tenant", "show", "wjw"], ["project", "show", project]),
        (["vm", "list"], ["server", "list", "--all-projects"]),
        (["vm", "list", "--tenant", "卫健委"], ["server", "list", "--project", project]),
        (["vm", "show", server["name"]], ["server", "show", server["id"]]),
        (["quota", "show"], ["quota", "list", "--compute"]),
        (["quota", "check"], ["quota", "show", "--usage", project]),
        (["audit", "list"], None),
        (["audit", "show", "--severity", "high"], None),
        (["metrics", "show", "--tenant", "wjw"], None),
    ]


def run(cmd: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if result.returncode not in (0, 3):  # 3: findings at or above --fail-on
        raise SystemExit(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr[-600:]}")
    return result.stdout


def median_s(cmd: list[str], env: dict[str, str], runs: int) -> float:
    run(cmd, env)  # warm-up: page cache, and the bytecode cache in `cached` mode
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run(cmd, env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def extract(rev: str, into: Path) -> Path:
    """REV's package in INTO, checked to be what `python` imports with INTO on PYTHONPATH."""
    # the package and what its demo reads from the checkout (example estate, audit playbook)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev, "govcloud", "inventory", "playbooks"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    probe = [sys.executable, "-c", "import govcloud; print(govcloud.__file__)"]
    found = subprocess.run(probe, env={**os.environ, "PYTHONPATH": str(into)}, capture_output=True)
    if not found.stdout.decode().startswith(str(into)):
        raise SystemExit(f"the baseline at {into} is not what python imports: {found.stdout!r}")
    return into


def mode_env(base: dict[str, str], mode: str, tmp: Path, side: str) -> dict[str, str]:
    env = dict(base)
    prefix = tmp / f"pycache-{mode}-{side}"
    prefix.mkdir(exist_ok=True)
    env["PYTHONPYCACHEPREFIX"] = str(prefix)
    if mode == "cached":
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", default=BASELINE, help="git revision to compare with")
    parser.add_argument("--mode", choices=("cached", "uncached", "both"), default="both")
    args = parser.parse_args()
    openstack = shutil.which("openstack", path=str(BIN)) or shutil.which("openstack")

    from govcloud.sandbox import Sandbox
    from govcloud.services.demo import example_dir
    from govcloud.services.inventory import read_inventory

    with tempfile.TemporaryDirectory(prefix="govcloud-bench-") as name:
        tmp = Path(name)
        # `python -c` puts the current folder first on sys.path: from a checkout, the baseline
        # would silently run today's package
        os.chdir(tmp)
        env = {
            **os.environ,
            "GOVCLOUD_DB": f"sqlite:///{tmp / 'baseline.db'}",
            "XDG_CONFIG_HOME": str(tmp / "config"),
            "XDG_DATA_HOME": str(tmp / "data"),
            "XDG_STATE_HOME": str(tmp / "state"),
            "GOVCLOUD_LANG": "en",
            "PYTHONWARNINGS": "ignore",
        }
        baseline = extract(args.baseline, tmp / "baseline")
        # the baseline builds the estate (its schema), a copy upgraded by `govcloud init` is
        # what today's code reads: the same rows on both sides
        print("building the example estate (govcloud demo) ...", file=sys.stderr)
        demo = [sys.executable, "-c", ENTRY, "--db", env["GOVCLOUD_DB"], "demo"]
        run(demo, {**env, "PYTHONPATH": str(baseline)})
        shutil.copyfile(tmp / "baseline.db", tmp / "now.db")
        now_db = {"GOVCLOUD_DB": f"sqlite:///{tmp / 'now.db'}"}
        run([str(BIN / "govcloud"), "init"], {**env, **now_db})
        gc = [str(BIN / "govcloud"), "-o", "json"]
        wjw = ["vm", "list", "--tenant", "wjw", "--pool", "zw-prod"]
        first = json.loads(run([*gc, *wjw], {**env, **now_db}))[0]
        server = {"name": first["name"], "id": first["server_id"], "project": first["project"]}
        with Sandbox.start(read_inventory(example_dir())) as sb:
            env["OS_CLIENT_CONFIG_FILE"] = str(sb.write_clouds_yaml(tmp / "clouds.yaml"))
            modes = ("cached", "uncached") if args.mode == "both" else (args.mode,)
            for mode in modes:
                report(args, mode, tmp, env, baseline, openstack, server)
        os.chdir(REPO)
    return 0


def report(
    args: argparse.Namespace,
    mode: str,
    tmp: Path,
    env: dict[str, str],
    baseline: Path,
    openstack: str | None,
    server: dict[str, str],
) -> None:
    now_env = {**mode_env(env, mode, tmp, "now"), "GOVCLOUD_DB": f"sqlite:///{tmp / 'now.db'}"}
    base_env = {**mode_env(env, mode, tmp, "baseline"), "PYTHONPATH": str(baseline)}
    os_env = mode_env(env, mode, tmp, "openstack")
    print(f"\n{mode}: bytecode {'cached' if mode == 'cached' else 'compiled by every process'}")
    head = f"{'govcloud command':<34}{'baseline':>9}{'now':>7}{'warm':>7}{'now/base':>9}"
    print(f"{head}{'warm/base':>10}  {'openstack (nearest)':<44}{'s':>6}{'warm/os':>8}")
    warm_cli = [sys.executable, "-c", ENTRY_NOW, "warm"]
    for gc_args, os_args in reads(server, server["project"]):
        base_s = median_s([sys.executable, "-c", ENTRY, *gc_args], base_env, args.runs)
        cmd = [sys.executable, "-c", ENTRY_NOW, *gc_args]
        now_s = median_s(cmd, now_env, args.runs)
        run([*warm_cli, "start"], now_env)
        try:
            warm_s = median_s(cmd, now_env, args.runs)
            served = json.loads(run([*warm_cli[:3], "-o", "json", "warm", "status"], now_env))
        finally:
            run([*warm_cli, "stop"], now_env)
        if served["served"] != args.runs + 1:  # the warm column really was the warm reader
            raise SystemExit(f"{' '.join(gc_args)}: the warm reader answered {served}")
        line = f"{' '.join(gc_args):<34}{base_s:>9.2f}{now_s:>7.2f}{warm_s:>7.2f}"
        line += f"{now_s / base_s:>8.2f}x{warm_s / base_s:>9.2f}x"
        if os_args and openstack:
            peer = [openstack, "--os-cloud", OS_CLOUD, "--os-region-name", OS_REGION, *os_args]
            os_s = median_s([*peer, "-f", "value"], os_env, args.runs)
            line += f"  {' '.join(os_args):<44}{os_s:>6.2f}{warm_s / os_s:>7.2f}x"
        else:
            line += f"  {'-':<44}"
        print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
