"""Backtest rightsizing policies as a scheduled audit uses them, on real VM traces.

    .venv/bin/python benchmarks/rightsizing_backtest.py [--traces DIR] [--quick]

Every day d from day 14 on, each policy sizes every VM on the previous 14 days and the size is
tested on day d (govcloud/core/backtest.py defines the metrics). The traces hold CPU % only, so
each VM gets an original size by a fixed rule: the i-th column of the trace file (0-based) has
(2, 4, 8, 16)[i % 4] vCPUs; the flavor ladder is 1, 2, 4, 8, 16, 32 vCPUs; demand in vCPUs is
cpu % x original vCPUs / 100, and violations use the per-slot MAX trace (the next day's peak).

Data: Azure Public Dataset V1 (`Azure/AzurePublicDataset`, vm_cpu_readings), CC-BY-4.0;
E. Cortez et al., "Resource Central: Understanding and Predicting Workloads for Improved Resource
Management in Large Cloud Platforms", SOSP 2017; 100-VM subset from the R package
`carlonlv/DataCenterSim`, first 25 columns (see the README next to the traces).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
import time
from pathlib import Path

import numpy as np

from govcloud.core.backtest import F64, BacktestResult, Policy, run_backtest
from govcloud.core.rightsizing import RightsizeParams, size_matrix

TRACES = Path(__file__).resolve().parents[2] / "shared/data/traces/azure-public-dataset-v1"
LADDER = (1, 2, 4, 8, 16, 32)
ORIGINAL_SIZES = (2, 4, 8, 16)


def load(path: Path) -> F64:
    """(vms, slots) CPU % from a trace file: column step_5min, then one column per VM."""
    with gzip.open(path, "rb") as handle:
        rows = list(csv.reader(io.TextIOWrapper(handle, encoding="ascii")))
    return np.array([[float(v) for v in r[1:]] for r in rows[1:]], dtype=np.float64).T


def anchor(q: float, headroom: float, trace: str) -> Policy:
    """A published rule: one percentile of the whole window x headroom, on one trace."""

    def policy(mx: F64, av: F64, orig: F64) -> F64:
        src = mx if trace == "max" else av
        return np.percentile(src, q, axis=1) * headroom * orig / 100.0

    return policy


def govcloud(params: RightsizeParams, trace: str = "max") -> Policy:
    """govcloud's policy (govcloud.core.rightsizing.size_matrix), fed one trace."""

    def policy(mx: F64, av: F64, orig: F64) -> F64:
        if trace == "max":  # as production: peaks size, slot means decide growth
            return size_matrix(mx, orig, params, sustain=av).demand
        return size_matrix(av, orig, params).demand

    return policy


def policies() -> dict[str, Policy]:
    base = RightsizeParams()
    return {
        "Azure Migrate: P95 of peaks x 1.3": anchor(95, 1.3, "max"),
        "Compute Optimizer-style: P99.5 of peaks x 1.2": anchor(99.5, 1.2, "max"),
        "VPA-style: P90 of averages x 1.15": anchor(90, 1.15, "avg"),
        "govcloud default (daily P98 peak x 1.2)": govcloud(base),
        "govcloud, fed 5-min averages only": govcloud(base, "avg"),
        "govcloud percentile 97": govcloud(base.model_copy(update={"percentile": 97.0})),
        "govcloud headroom 1.1": govcloud(base.model_copy(update={"headroom": 1.1})),
        "govcloud window estimator P99 x 1.0": govcloud(
            base.model_copy(update={"estimator": "window", "percentile": 99.0, "headroom": 1.0})
        ),
    }


def synthetic(days: int, seed: int = 7) -> tuple[dict[str, F64], F64]:
    """Shapes the traces may lack, as (avg, max) CPU % per scenario: a late step up, one busy
    week, a bursty idle VM, a steady diurnal VM. Deterministic."""
    rng = np.random.default_rng(seed)
    t = np.arange(days * 288)
    diurnal = 0.5 + 0.5 * np.sin(2 * np.pi * (t % 288) / 288 - np.pi / 2)
    step = np.where(t >= 20 * 288, 60.0, 15.0) * (0.6 + 0.4 * diurnal)
    week = np.where((t >= 15 * 288) & (t < 22 * 288), 70.0, 18.0) * (0.6 + 0.4 * diurnal)
    bursty = np.where(rng.random(t.size) < 0.004, 90.0, 2.0)
    steady = 10.0 + 30.0 * diurnal
    avg = np.vstack([step, week, bursty, steady])
    peak = np.minimum(avg * (1.15 + 0.25 * rng.random(avg.shape)), 100.0)
    names = ("late step up (day 20)", "one busy week (days 15-21)", "bursty idle", "steady diurnal")
    return dict(zip(names, avg, strict=True)), peak


def evaluate(
    mx: F64, av: F64, picks: dict[str, Policy], quick: bool
) -> dict[str, dict[str, BacktestResult]]:
    orig = np.array([ORIGINAL_SIZES[i % 4] for i in range(mx.shape[0])], dtype=np.float64)
    half = mx.shape[0] // 2
    splits: dict[str, slice] = {"all VMs": slice(None)}
    if not quick:
        splits |= {
            f"VMs 1-{half}": slice(0, half),
            f"VMs {half + 1}-{mx.shape[0]}": slice(half, None),
        }
    out: dict[str, dict[str, BacktestResult]] = {}
    for split, sl in splits.items():
        out[split] = {
            name: run_backtest(mx[sl], av[sl], orig[sl], p, LADDER) for name, p in picks.items()
        }
    return out


def print_table(split: str, results: dict[str, BacktestResult]) -> None:
    print(f"\n### {split}\n")
    print(
        "| policy | reclaimed vCPU-days | grown | violations | worst VM | changes | reversals"
        " | flapping VMs |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r.reclaimed_share:.1%} | {r.grown_share:.1%} | {r.violation_share:.3%}"
            f" | {r.worst_vm_violation_share:.2%} | {r.changes} | {r.reversals}"
            f" | {r.flapping_vms} |"
        )


def print_ratios(results: dict[str, BacktestResult], ours: str) -> None:
    g = results[ours]
    for name, r in results.items():
        if name.startswith("govcloud"):
            continue
        print(
            f"- vs {name}: reclaimed {_ratio(g.reclaimed_share, r.reclaimed_share)},"
            f" violations {_ratio(g.violation_share, r.violation_share)}"
        )


def _ratio(ours: float, theirs: float) -> str:
    return f"x{ours / theirs:.2f}" if theirs else f"n/a (anchor 0, ours {ours:.3%})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--traces", type=Path, default=TRACES)
    ap.add_argument("--quick", action="store_true", help="8 VMs, 18 days, no splits")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    mx, av = (
        load(args.traces / "cpu_max_5min_25vms.csv.gz"),
        load(args.traces / "cpu_avg_5min_25vms.csv.gz"),
    )
    if args.quick:
        mx, av = mx[:8, : 18 * 288], av[:8, : 18 * 288]
    picks = policies()
    ours = "govcloud default (daily P98 peak x 1.2)"
    print(
        f"traces: {mx.shape[0]} VMs x {mx.shape[1]} slots;"
        f" original sizes {ORIGINAL_SIZES}; ladder {LADDER}"
    )
    for split, results in evaluate(mx, av, picks, args.quick).items():
        print_table(split, results)
        print(f"\nratios of {ours}:")
        print_ratios(results, ours)
    run_synthetic(picks)
    print(f"\nelapsed {time.perf_counter() - started:.1f} s")
    return 0


def run_synthetic(picks: dict[str, Policy]) -> None:
    avg, peak = synthetic(days=42)
    orig = np.full(len(avg), 8.0)
    print("\n### synthetic shapes, 42 days, 8 vCPUs each: violations / reversals / reclaimed\n")
    print("| policy | " + " | ".join(avg) + " |")
    print("|---|" + "---|" * len(avg))
    stacked = np.vstack(list(avg.values()))
    for name, p in picks.items():
        cells = []
        for i in range(len(avg)):
            r = run_backtest(peak[i : i + 1], stacked[i : i + 1], orig[i : i + 1], p, LADDER)
            cells.append(
                f"{r.violation_share:.2%} / rev {r.reversals} / rec {r.reclaimed_share:.0%}"
            )
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    sys.exit(main())
