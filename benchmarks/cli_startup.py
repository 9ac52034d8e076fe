"""Start-up time of `govcloud --help` beside `openstack --help`, measured in one run.

    python benchmarks/cli_startup.py [--runs 20]

Each command runs as a fresh process (what an operator waits for); the median wall time is
reported with the ratio against python-openstackclient, which imports its SDKs eagerly.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def median_seconds(cmd: list[str], runs: int) -> float:
    subprocess.run(cmd, capture_output=True, check=True)  # warm the page cache once
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    rows = [
        ("govcloud --help", [str(BIN / "govcloud"), "--help"]),
        ("govcloud pool list --help", [str(BIN / "govcloud"), "pool", "list", "--help"]),
    ]
    openstack = shutil.which("openstack", path=str(BIN)) or shutil.which("openstack")
    if openstack:
        rows.append(("openstack --help", [openstack, "--help"]))
    results = {name: median_seconds(cmd, args.runs) for name, cmd in rows}
    peer = results.get("openstack --help")
    print(f"{'command':<28}{'median s':>10}{'vs openstack':>14}")
    for name, seconds in results.items():
        ratio = f"{seconds / peer:.2f}x" if peer else "-"
        print(f"{name:<28}{seconds:>10.3f}{ratio:>14}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
