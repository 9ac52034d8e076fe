"""Backtest a rightsizing policy the way a scheduled audit uses it (DESIGN.md §7).

Every day d from `window_days` on, a policy sizes every VM on the trailing window [d - w, d) and
the size is tested on day d: a violation is a test slot whose peak demand exceeds the new size.
Pure functions over numpy arrays, so the benchmark script stays thin and the metrics are tested
on literal input (tests/core/test_backtest.py).

Metrics, all over VM-days:
- reclaimed share: sum of max(original - new, 0) / sum of original (vCPU-days given back);
- grown share: sum of max(new - original, 0) / sum of original (what growing costs);
- violation share: test slots with demand > new size / test slots;
- worst VM: the largest per-VM violation share;
- changes: days on which a VM's size differs from the day before; reversals: a change in the
  opposite direction of the VM's previous change (shrink -> grow or grow -> shrink); a VM flaps
  when it reverses at least twice (shrink, grow, shrink).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
# (window of the max trace, window of the avg trace, original sizes) -> demand in vCPUs per VM
Policy = Callable[[F64, F64, F64], F64]


@dataclass(frozen=True)
class BacktestResult:
    reclaimed_share: float
    grown_share: float
    violation_share: float
    worst_vm_violation_share: float
    changes: int
    reversals: int
    flapping_vms: int
    vm_days: int


def fit_ladder(demand: F64, ladder: Sequence[float], floor: float = 1.0) -> F64:
    """The smallest ladder size >= max(demand, floor); the largest size when none holds it.
    NaN demand (no data) keeps nothing: the caller decides (the backtest keeps the original)."""
    steps = np.asarray(sorted(ladder), dtype=np.float64)
    need = np.maximum(demand, floor)
    idx = np.searchsorted(steps, need - 1e-9, side="left")
    return steps[np.minimum(idx, len(steps) - 1)]


def violations(test_demand: F64, sizes: F64) -> npt.NDArray[np.int64]:
    """Per VM, the test slots whose demand exceeds its size (NaN slots never violate)."""
    with np.errstate(invalid="ignore"):
        over = test_demand > sizes[:, None] + 1e-9
    counts: npt.NDArray[np.int64] = np.count_nonzero(over, axis=1).astype(np.int64)
    return counts


def reversals(sizes: Sequence[float]) -> int:
    """Direction changes in one VM's daily sizes: [4, 2, 2, 4, 2] has 2 (shrink, grow, shrink)."""
    steps = np.diff(np.asarray(sizes, dtype=np.float64))
    signs = np.sign(steps[steps != 0])
    return int(np.count_nonzero(np.diff(signs) != 0))


def summarize(original: F64, sizes: F64, violated: F64, test_slots: F64) -> BacktestResult:
    """ORIGINAL: (vms,); SIZES, VIOLATED, TEST_SLOTS: (vms, test days)."""
    orig = np.broadcast_to(original[:, None], sizes.shape)
    total = float(orig.sum())
    per_vm = violated.sum(axis=1) / np.maximum(test_slots.sum(axis=1), 1)
    revs = [reversals(row) for row in sizes]
    return BacktestResult(
        reclaimed_share=float(np.maximum(orig - sizes, 0).sum()) / total if total else 0.0,
        grown_share=float(np.maximum(sizes - orig, 0).sum()) / total if total else 0.0,
        violation_share=float(violated.sum()) / max(float(test_slots.sum()), 1.0),
        worst_vm_violation_share=float(per_vm.max()) if per_vm.size else 0.0,
        changes=int(np.count_nonzero(np.diff(sizes, axis=1))),
        reversals=sum(revs),
        flapping_vms=sum(1 for r in revs if r >= 2),
        vm_days=int(sizes.size),
    )


def run_backtest(
    max_pct: F64,
    avg_pct: F64,
    original: F64,
    policy: Policy,
    ladder: Sequence[float],
    *,
    window_days: int = 14,
    day_slots: int = 288,
) -> BacktestResult:
    """Re-size daily on the trailing window, test on the next day (peak demand from MAX_PCT)."""
    days = max_pct.shape[1] // day_slots
    sizes, violated, slots = [], [], []
    for d in range(window_days, days):
        lo, hi = (d - window_days) * day_slots, d * day_slots
        demand = policy(max_pct[:, lo:hi], avg_pct[:, lo:hi], original)
        size = np.where(np.isnan(demand), original, fit_ladder(demand, ladder))
        test = max_pct[:, hi : hi + day_slots] * original[:, None] / 100.0
        sizes.append(size)
        violated.append(violations(test, size))
        slots.append(np.count_nonzero(~np.isnan(test), axis=1))
    if not sizes:
        raise ValueError(f"the traces hold fewer than {window_days + 1} days")
    return summarize(original, _by_vm(sizes), _by_vm(violated), _by_vm(slots))


def _by_vm(per_day: Sequence[npt.NDArray[np.generic]]) -> F64:
    """A list of per-day vectors as a (vms, days) matrix."""
    return np.array(per_day, dtype=np.float64).T
