"""How many hypervisors a set of VMs needs: vector first-fit decreasing and the lower bound.

Each VM is a demand vector (vCPU, RAM GiB, root disk GiB) and each hypervisor the same
capacity vector (after allocation ratios and reserve). Vector bin packing is NP-hard; first-fit
decreasing is the heuristic schedulers and capacity planners use: sort the items by their
largest share of a hypervisor (the dimension that binds), then put each into the first
hypervisor where every dimension still fits. The plan shows it beside the lower bound
max over resources of ceil(sum demand / per-hypervisor capacity), which no packing can beat:
the gap says how much the estimate may be pessimistic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_EPS = 1e-9  # a demand of exactly the remaining capacity fits despite float noise


@dataclass(frozen=True)
class Packing:
    """BINS[i]: the item indexes on hypervisor i; OVERSIZED: items no empty hypervisor holds."""

    bins: tuple[tuple[int, ...], ...]
    oversized: tuple[int, ...]
    lower_bound: int

    @property
    def hypervisors(self) -> int:
        return len(self.bins)


def lower_bound(demands: Sequence[Sequence[float]], capacity: Sequence[float]) -> int:
    """max over resources of ceil(sum demand / capacity): fewer hypervisors cannot hold it."""
    if not demands:
        return 0
    totals = np.asarray(demands, dtype=np.float64).sum(axis=0)
    cap = np.asarray(capacity, dtype=np.float64)
    _check(cap, totals.shape[0])
    return int(max(math.ceil(t / c - _EPS) for t, c in zip(totals, cap, strict=True)))


def first_fit_decreasing(demands: Sequence[Sequence[float]], capacity: Sequence[float]) -> Packing:
    """Pack DEMANDS (one vector per item) into hypervisors of CAPACITY, first fit decreasing.

    Items are ordered by their largest share of one hypervisor, then by the sum of shares (ties
    by index, so the result is deterministic). An item larger than an empty hypervisor in any
    resource is reported as oversized, not packed: it needs a bigger host, not more hosts.
    """
    cap = np.asarray(capacity, dtype=np.float64)
    items = np.asarray(demands, dtype=np.float64).reshape(len(demands), -1)
    if not len(items):
        return Packing((), (), 0)
    _check(cap, items.shape[1])
    share = items / cap
    order = sorted(range(len(items)), key=lambda i: (-share[i].max(), -share[i].sum(), i))
    free = np.empty((0, cap.shape[0]), dtype=np.float64)
    bins: list[list[int]] = []
    oversized: list[int] = []
    fits_empty = np.all(items <= cap + _EPS, axis=1)
    packed: list[int] = []
    for i in order:
        if not fits_empty[i]:
            oversized.append(i)
            continue
        packed.append(i)
        fit = np.flatnonzero(np.all(free + _EPS >= items[i], axis=1))
        if fit.size:
            b = int(fit[0])
        else:
            free = np.vstack([free, cap])
            bins.append([])
            b = len(bins) - 1
        free[b] -= items[i]
        bins[b].append(i)
    bound = lower_bound(items[packed].tolist(), cap.tolist()) if packed else 0
    return Packing(tuple(tuple(b) for b in bins), tuple(sorted(oversized)), bound)


def _check(capacity: np.ndarray[tuple[int], np.dtype[np.float64]], dims: int) -> None:
    if capacity.shape != (dims,) or np.any(capacity <= 0):
        raise ValueError(f"capacity {capacity.tolist()}: needs {dims} positive values")
