"""Audit performance: every check and rightsizing over 10,000 VMs x 14 days x 5 minutes, read
from the embedded store, beside a plain numpy pass over the same arrays.

The store is built the real way: the example estate is loaded, the sandbox serves it grown to
--vms servers, `sync` reads it over HTTP, and `services.demo_history.write_history` writes a
simulated 14-day history (six metrics) for every live server. Then, each repeated --runs times
(the median is printed):

  (a) load    `audit_data_repo.read_audit_data`: inventory, observed state, metric matrices
  (b) checks  every registered check with its default parameters
  (c) rightsize `rightsizing.recommend` with the default policy
  (d) numpy   the peer: P95, max and mean per row of each (VMs, 4032) float32 matrix the audit
              loaded, two ways: numpy's NaN-aware functions (the matrices hold gaps), and one
              sort per row with rank indexing; the faster is the ratio's denominator

and prints (a)+(b)+(c), the target (<= 5 s), and the ratio ((a)+(b)+(c)) / (d). Finally the
HTML reports for the estate are written and their sizes printed.

    .venv/bin/python benchmarks/audit_10k.py [--vms 10000] [--days 14] [--runs 3] [--db PATH]

--db keeps the store at PATH and reuses it when it exists (the set-up takes about a minute).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govcloud.adapters.store.engine import open_store, resolve_url
from govcloud.services import inventory, sync
from govcloud.services.demo import example_dir
from govcloud.services.demo_history import write_history
from govcloud.services.settings import Settings

T = TypeVar("T")
WINDOW_S = 14 * 86_400
TARGET_S = 5.0


def settings_for(db: Path) -> Settings:
    return Settings(str(db), "bench", "bench", None)


def build_store(settings: Settings, vms: int, days: int, now: datetime) -> None:
    from govcloud.sandbox import Sandbox

    started = time.perf_counter()
    inventory.load(settings, example_dir())
    inv = inventory.read_inventory(example_dir())
    with tempfile.TemporaryDirectory() as tmp, Sandbox.start(inv, size=vms) as sandbox:
        clouds = sandbox.write_clouds_yaml(Path(tmp) / "clouds.yaml")
        report = sync.run(settings, sync.SyncOptions(clouds_yaml=str(clouds)))
    synced = time.perf_counter() - started
    stats = write_history(settings, days=days, now=now)
    print(f"set-up: load + sandbox + sync {synced:.1f} s ({report.__class__.__name__});"
          f" history {stats.seconds:.1f} s: {stats.servers} servers, {stats.chunks} chunks,"
          f" agents {stats.agent_modes}")  # fmt: skip


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def numpy_peer(matrices: dict[str, Any]) -> float:
    """P95 / max / mean per row with numpy's NaN-aware functions; returns a checksum so nothing
    is optimised away."""
    total = 0.0
    for matrix in matrices.values():
        p95 = np.nanpercentile(matrix, 95, axis=1)
        mx = np.nanmax(matrix, axis=1)
        mean = np.nanmean(matrix, axis=1)
        total += float(np.nansum(p95) + np.nansum(mx) + np.nansum(mean))
    return total


def numpy_sort_peer(matrices: dict[str, Any]) -> float:
    """The same figures the fastest plain way: sort each row once (NaN sorts last), then index
    P95 and max by rank; the mean from nansum / count."""
    total = 0.0
    for matrix in matrices.values():
        ordered = np.sort(matrix, axis=1)
        n = np.count_nonzero(~np.isnan(matrix), axis=1)
        rows = np.arange(matrix.shape[0])
        last = np.maximum(n - 1, 0)
        rank = 0.95 * last
        low = np.floor(rank).astype(np.int64)
        high = np.minimum(low + 1, last)
        p95 = ordered[rows, low] + (ordered[rows, high] - ordered[rows, low]) * (rank - low)
        mx = ordered[rows, last]
        mean = np.nansum(matrix, axis=1) / np.maximum(n, 1)
        total += float(np.nansum(p95) + np.nansum(mx) + np.nansum(mean))
    return total


def one_run(url: str, now: datetime) -> dict[str, float]:
    import warnings

    from govcloud.adapters.store.audit_data_repo import read_audit_data
    from govcloud.core.checks import registry
    from govcloud.core.rightsizing import RightsizeParams, recommend

    store = open_store(url)
    try:
        with store.read() as conn:
            load_s, data = timed(lambda: read_audit_data(conn, now=now, window_s=WINDOW_S))
    finally:
        store.close()
    checks: dict[str, float] = {}
    findings = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows in numpy's nan* peers
        for name, spec in registry().items():
            seconds, found = timed(lambda spec=spec: spec(data))
            checks[name] = seconds
            findings += len(found)
        rightsize_s, recs = timed(lambda: recommend(data, RightsizeParams()))
        matrices = dict(data.utilization.metrics)
        numpy_s, _ = timed(lambda: numpy_peer(matrices))
        sort_s, _ = timed(lambda: numpy_sort_peer(matrices))
    shape = next(iter(matrices.values())).shape if matrices else (0, 0)
    return {
        "load": load_s,
        "checks": sum(checks.values()),
        "rightsize": rightsize_s,
        "numpy": min(numpy_s, sort_s),
        "numpy_nan": numpy_s,
        "numpy_sort": sort_s,
        "rows": shape[0],
        "slots": shape[1],
        "metrics": len(matrices),
        "findings": findings,
        "recommendations": len(recs),
        **{f"check:{k}": v for k, v in checks.items()},
    }


def reports(settings: Settings, now: datetime, out: Path) -> None:
    from govcloud.services.report import write_reports

    for kind in ("capacity", "utilization", "rightsizing", "audit"):
        seconds, paths = timed(
            lambda kind=kind: write_reports(settings, kind, ["html"], out, lang="zh", now=now)
        )
        for path in paths:
            print(f"  report {kind}: {path.name} {path.stat().st_size / 1024:.0f} KiB"
                  f" in {seconds:.1f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vms", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="govcloud-audit-bench-") as tmp:
        db = args.db or Path(tmp) / "bench.db"
        settings = settings_for(db)
        marker = db.with_suffix(".now")
        if not (db.exists() and marker.exists()):
            now = datetime.now(UTC).replace(microsecond=0)
            build_store(settings, args.vms, args.days, now)
            marker.write_text(now.isoformat())
        now = datetime.fromisoformat(marker.read_text().strip())
        print(f"store {db} ({db.stat().st_size / 2**20:.0f} MiB), now {now.isoformat()},"
              f" load average {os.getloadavg()[0]:.2f}")  # fmt: skip
        runs = [one_run(resolve_url(str(db)), now) for _ in range(args.runs)]
        report_table(runs)
        reports(settings, now, Path(tmp) / "reports")


def report_table(runs: list[dict[str, float]]) -> None:
    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    first = runs[0]
    print(f"{int(first['rows'])} VMs x {int(first['slots'])} slots x {int(first['metrics'])}"
          f" metrics; {int(first['findings'])} findings, {int(first['recommendations'])}"
          f" recommendations; median of {len(runs)} runs")  # fmt: skip
    total = med("load") + med("checks") + med("rightsize")
    for label, key in (("(a) load AuditData", "load"), ("(b) all checks", "checks"),
                       ("(c) rightsizing", "rightsize"),
                       ("(d) numpy nanpercentile", "numpy_nan"),
                       ("(d) numpy sort + rank", "numpy_sort")):  # fmt: skip
        print(f"  {label:<26} {med(key):7.3f} s")
    print(f"  (a)+(b)+(c)                {total:7.3f} s  (target <= {TARGET_S:.0f} s:"
          f" {'met' if total <= TARGET_S else 'MISSED'})")  # fmt: skip
    print(f"  ratio (a+b+c) / faster (d) {total / med('numpy'):7.2f}x")
    slowest = sorted((k for k in first if k.startswith("check:")), key=med, reverse=True)[:5]
    print("  slowest checks: " + ", ".join(f"{k[6:]} {med(k):.3f} s" for k in slowest))


if __name__ == "__main__":
    main()
