"""Embedded metrics store: one row per (target, metric, day) chunk vs one row per sample.

Measures, on SQLite, the reads rightsizing needs ("every VM, one metric, the last 14 days") and
the writes collection does (one sweep: one new point per VM), plus the 14-day bulk load and the
file size. The chunk side runs the shipped code (metrics_repo); the row side is plain SQL with
the best layout for it (WITHOUT ROWID, primary key (metric, ts, target)), so the ratio is fair
to the alternative.

    .venv/bin/python benchmarks/metrics_store.py [--vms 10000] [--days 14]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from array import array
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govcloud.adapters.store import metrics_repo
from govcloud.adapters.store.engine import open_store
from govcloud.core.metrics_sweep import Point
from govcloud.core.utilization import DAY_S, STEP_S, window_stats
from tests.core.azure_trace import azure_cpu_traces

PER_DAY = DAY_S // STEP_S
FIRST_DAY = 20_000


def day_values(trace: list[float], vm: int, day: int) -> list[float]:
    start = (vm * 37 + day * PER_DAY) % (len(trace) - PER_DAY)
    return trace[start : start + PER_DAY]


def load_chunks(url: str, traces: list[list[float]], vms: int, days: int) -> float:
    store = open_store(url, create=True)
    started = time.perf_counter()
    counts = array("H", [1] * PER_DAY).tobytes()
    with store.write() as conn:
        rows = (
            (f"vm-{vm:05d}", "cpu_pct", FIRST_DAY + d, STEP_S,
             array("f", day_values(traces[vm % len(traces)], vm, d)).tobytes(), PER_DAY, counts)
            for vm in range(vms)
            for d in range(days)
        )  # fmt: skip
        conn.exec_driver_sql(
            'INSERT INTO metric_chunk (target, metric, day, step_s, "values", sample_count,'
            " counts) VALUES (?, ?, ?, ?, ?, ?, ?)",
            list(rows),
        )
    store.close()
    return time.perf_counter() - started


ROWS_DDL = (
    "CREATE TABLE metric_sample (metric TEXT NOT NULL, ts INTEGER NOT NULL, target TEXT NOT NULL,"
    " value REAL NOT NULL, PRIMARY KEY (metric, ts, target)) WITHOUT ROWID"
)


def load_rows(url: str, traces: list[list[float]], vms: int, days: int) -> float:
    store = open_store(url, create=True)
    started = time.perf_counter()
    with store.write() as conn:
        conn.exec_driver_sql(ROWS_DDL)
        for d in range(days):  # one day at a time keeps the parameter list in memory small
            base = (FIRST_DAY + d) * DAY_S
            conn.exec_driver_sql(
                "INSERT INTO metric_sample VALUES (?, ?, ?, ?)",
                [
                    ("cpu_pct", base + i * STEP_S, f"vm-{vm:05d}", v)
                    for vm in range(vms)
                    for i, v in enumerate(day_values(traces[vm % len(traces)], vm, d))
                ],
            )
    store.close()
    return time.perf_counter() - started


def read_chunks(url: str, days: int) -> tuple[float, float]:
    store = open_store(url)
    started = time.perf_counter()
    with store.read() as conn:
        series = metrics_repo.read_series(conn, "cpu_pct", FIRST_DAY, FIRST_DAY + days - 1)
    elapsed = time.perf_counter() - started
    check = sum(window_stats(s, s.end_ts, days * DAY_S).p95 or 0.0 for s in series.values())
    store.close()
    return elapsed, check


def read_rows(url: str, days: int) -> tuple[float, float]:
    store = open_store(url)
    started = time.perf_counter()
    first, end = FIRST_DAY * DAY_S, (FIRST_DAY + days) * DAY_S
    per_target: dict[str, array[float]] = {}
    with store.read() as conn:
        result = conn.exec_driver_sql(
            "SELECT target, ts, value FROM metric_sample WHERE metric = ? AND ts >= ? AND ts < ?",
            ("cpu_pct", first, end),
        )
        for target, ts, value in result:
            values = per_target.get(target)
            if values is None:
                values = per_target[target] = array("d", (math.nan,) * (days * PER_DAY))
            values[(ts - first) // STEP_S] = value
    elapsed = time.perf_counter() - started
    store.close()
    from govcloud.core.utilization import Series

    check = sum(
        window_stats(Series(first, STEP_S, v), end, days * DAY_S).p95 or 0.0
        for v in per_target.values()
    )
    return elapsed, check


def sweep_chunks(url: str, vms: int, days: int) -> float:
    store = open_store(url)
    ts = (FIRST_DAY + days - 1) * DAY_S + 7 * STEP_S + 30  # a slot that already has a value
    points = [Point(f"vm-{vm:05d}", "cpu_pct", ts, 42.0) for vm in range(vms)]
    started = time.perf_counter()
    with store.write() as conn:
        metrics_repo.write_points(conn, points)
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed


def sweep_rows(url: str, vms: int, days: int) -> float:
    store = open_store(url)
    ts = (FIRST_DAY + days - 1) * DAY_S + 7 * STEP_S
    started = time.perf_counter()
    with store.write() as conn:
        conn.exec_driver_sql(
            "INSERT INTO metric_sample VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE"
            " SET value = (value + excluded.value) / 2",
            [("cpu_pct", ts, f"vm-{vm:05d}", 42.0) for vm in range(vms)],
        )
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vms", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=14)
    args = parser.parse_args()
    traces = list(azure_cpu_traces().values())
    with tempfile.TemporaryDirectory() as tmp:
        chunk_db, row_db = Path(tmp) / "chunks.db", Path(tmp) / "rows.db"
        chunk_url, row_url = f"sqlite:///{chunk_db}", f"sqlite:///{row_db}"
        load_c = load_chunks(chunk_url, traces, args.vms, args.days)
        load_r = load_rows(row_url, traces, args.vms, args.days)
        read_c, check_c = read_chunks(chunk_url, args.days)
        read_r, check_r = read_rows(row_url, args.days)
        sweep_c, sweep_r = (
            sweep_chunks(chunk_url, args.vms, args.days),
            sweep_rows(row_url, args.vms, args.days),
        )
        size_c, size_r = (os.path.getsize(p) for p in (chunk_db, row_db))
    assert abs(check_c - check_r) < 1e-3 * max(1.0, abs(check_r)), (check_c, check_r)
    samples = args.vms * args.days * PER_DAY
    print(f"SQLite, {args.vms:,} VMs x {args.days} days x 288 = {samples:,} samples, one metric")
    print(f"{'':34}{'chunk/day':>12}{'row/sample':>12}{'ratio':>9}")
    for label, c, r in (
        ("bulk load (s)", load_c, load_r),
        (f"read {args.days} d, every VM (s)", read_c, read_r),
        ("one sweep: 1 point per VM (s)", sweep_c, sweep_r),
        ("file size (MiB)", size_c / 2**20, size_r / 2**20),
    ):
        print(f"{label:34}{c:12.2f}{r:12.2f}{r / c:8.1f}x")
    print("(ratio = row/sample divided by chunk/day; > 1: chunks are better)")


if __name__ == "__main__":
    main()
