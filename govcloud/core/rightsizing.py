"""Rightsizing: how much CPU and memory a VM needs, and the smallest flavor that holds it.

The policy is a pure function over one demand series (percent of the current flavor per
five-minute slot, NaN for gaps), vectorized over many series at once (`size_matrix`), so anyone
can evaluate it outside the CLI (`benchmarks/rightsizing_backtest.py` does, on real traces).

Default policy, "daily peak" (see docs/rightsizing.md for the backtest behind it):
1. cut the window (default 14 days) into days, counted back from the end of the window;
2. each day's peak is a high percentile (default P98) of that day's slots, so the ~30 busiest
   minutes of a day do not size the VM but its daily busy hour does;
3. the estimate is the highest daily peak of the window: one busy day holds the size for the
   whole window, so a scheduled audit does not shrink, grow and shrink again (no flapping) and a
   step up in demand is seen the day after it happens;
4. a level shift is flagged when the last `shift_days` days all peak well above the median
   day before them; the recent level then sizes the VM (it already does for the daily-peak
   estimator; for the Azure-Migrate-like "window" estimator it is what saves a late step up);
5. demand = estimate x headroom (default 1.2), in vCPUs or MiB of the current flavor;
6. growing needs sustained pressure: demand is capped at the current size unless a typical day
   (the median daily peak of the window, or of every day since a step up) also needs more, so
   a VM whose busiest days touch 100% is kept, not grown (asymmetric, like a hysteresis band).

Coverage (the share of the window's slots that hold a sample) gives Azure Migrate's confidence
stars; below `min_coverage_pct` no recommendation is made.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import Field

from govcloud.core.audit_data import AuditData, UtilizationTable, server_key
from govcloud.core.checks import CheckParams
from govcloud.core.findings import Reclaim
from govcloud.core.flavor_fit import build_recommendations
from govcloud.core.recommendation import Recommendation
from govcloud.core.utilization import DAY_S, STEP_S, confidence_stars

F64 = npt.NDArray[np.float64]
MIN_DAY_POINTS = 12  # a day with less than an hour of samples has no meaningful peak


class RightsizeParams(CheckParams):
    """Rightsizing policy; defaults follow DESIGN.md §7 and the backtest in docs/rightsizing.md."""

    window_days: int = Field(14, ge=1, le=90, description="trailing window (AWS: 14 days)")
    estimator: Literal["daily-peak", "window"] = Field(
        "daily-peak",
        description="daily-peak: highest daily percentile; window: one percentile of the "
        "whole window (Azure Migrate)",
    )
    percentile: float = Field(98.0, gt=0, le=100, description="percentile of the slots")
    headroom: float = Field(1.2, ge=1.0, le=3.0, description="comfort factor on the estimate")
    min_coverage_pct: float = Field(20.0, ge=0, le=100, description="below: insufficient data")
    min_vcpus: int = Field(1, ge=1, le=256, description="never size below this")
    min_ram_mib: int = Field(1024, ge=256, le=4_194_304, description="never size below this")
    cpu_metric: Literal["cpu_pct_max", "cpu_pct", "load1"] = Field(
        "cpu_pct_max",
        description="cpu_pct_max: each slot's highest scrape (falls back to the slot mean "
        "where a VM has no peaks stored); cpu_pct: slot means; load1: runnable tasks",
    )
    shift_days: int = Field(2, ge=1, le=7, description="recent days compared to the window")
    shift_ratio: float = Field(1.5, ge=1.0, le=10.0, description="recent / earlier peak ratio")
    shift_min_pct: float = Field(10.0, ge=0, le=100, description="and at least this many points")


@dataclass(frozen=True)
class SizedDemand:
    """One series sized: DEMAND is in the units of CAPACITY (vCPUs or MiB); None: no data."""

    demand: float | None  # estimate x headroom
    estimate: float | None  # the percentile-based level before headroom
    percentile: float
    headroom: float
    window_days: int
    coverage_pct: float
    confidence: int
    level_shift: bool
    capped: bool = False  # kept at the current size: only busy days would need more

    @property
    def sufficient(self) -> bool:
        return self.demand is not None


@dataclass(frozen=True)
class SizedMatrix:
    """`size_matrix` for many series: one entry per row; NaN demand: insufficient data."""

    demand: F64
    estimate: F64
    coverage_pct: F64
    level_shift: npt.NDArray[np.bool_]
    capped: npt.NDArray[np.bool_]  # busy days exceed the flavor but a typical day does not


def size_series(
    demand_pct: Sequence[float] | npt.NDArray[np.floating],
    capacity_units: float,
    params: RightsizeParams,
    *,
    step_s: int = STEP_S,
) -> SizedDemand:
    """Size ONE series of percent-of-capacity values (oldest first, NaN for gaps)."""
    row = np.asarray(demand_pct, dtype=np.float64).reshape(1, -1)
    out = size_matrix(row, np.array([float(capacity_units)]), params, step_s=step_s)
    coverage = float(out.coverage_pct[0])
    demand, estimate = float(out.demand[0]), float(out.estimate[0])
    return SizedDemand(
        demand=None if math.isnan(demand) else demand,
        estimate=None if math.isnan(estimate) else estimate,
        percentile=params.percentile,
        headroom=params.headroom,
        window_days=params.window_days,
        coverage_pct=coverage,
        confidence=confidence_stars(coverage),
        level_shift=bool(out.level_shift[0]),
        capped=bool(out.capped[0]),
    )


def size_matrix(
    pct: npt.NDArray[np.floating],
    capacity_units: npt.NDArray[np.floating],
    params: RightsizeParams,
    *,
    step_s: int = STEP_S,
    sustain: npt.NDArray[np.floating] | None = None,
    in_place: bool = False,
) -> SizedMatrix:
    """Size every row of PCT (rows x slots, last column newest) against CAPACITY_UNITS.

    SUSTAIN (same shape, e.g. slot means when PCT holds per-slot peaks) decides growth instead
    of PCT: shrink safely on peaks, grow only on sustained load. IN_PLACE lets it sort PCT
    itself (a float32 copy the caller owns) instead of a copy.
    """
    day_slots = DAY_S // step_s
    window_slots = params.window_days * day_slots
    window = np.asarray(pct)[:, -window_slots:]
    rows, days = window.shape[0], params.window_days
    present = np.count_nonzero(~np.isnan(window), axis=1)
    coverage = np.minimum(100.0, 100.0 * present / window_slots)
    owned = in_place and window.shape[1] == window_slots and window.dtype == np.float32
    padded = window if owned else _padded(window, window_slots)
    if params.estimator == "window":
        estimate = _nan_percentile(padded, params.percentile, 1)
    daily = _nan_percentile(
        padded.reshape(rows, days, day_slots), params.percentile, MIN_DAY_POINTS, in_place=True
    )
    if params.estimator == "daily-peak":
        estimate = np.where(np.isnan(daily).all(axis=1), np.nan, np.max(_nz(daily), axis=1))
    shift, recent = _level_shift(daily, params)
    level = np.where(shift, np.fmax(estimate, recent), estimate)
    if sustain is not None:
        daily = _nan_percentile(
            _padded(np.asarray(sustain)[:, -window_slots:], window_slots).reshape(
                rows, days, day_slots
            ),
            params.percentile,
            MIN_DAY_POINTS,
            in_place=True,
        )
    sustained = _sustained(daily, params.shift_days)
    ceiling = np.fmax(100.0, sustained * params.headroom)
    sized = level * params.headroom
    capped = sized > ceiling
    enough = (coverage >= params.min_coverage_pct) & (present > 0) & ~np.isnan(level)
    units = np.asarray(capacity_units, dtype=np.float64) / 100.0
    return SizedMatrix(
        demand=np.where(enough, np.fmin(sized, ceiling) * units, np.nan),
        estimate=np.where(enough, level * units, np.nan),
        coverage_pct=coverage,
        level_shift=shift & enough,
        capped=capped & enough,
    )


def _padded(window: npt.NDArray[np.floating], window_slots: int) -> npt.NDArray[np.float32]:
    """One float32 copy, padded at the oldest end so whole days count back from the window's
    end; sorted in place by the percentile step (10,000 VMs x 14 days stay around a second)."""
    if window.shape[1] == window_slots:
        return np.array(window, dtype=np.float32, copy=True)
    out = np.full((window.shape[0], window_slots), np.nan, dtype=np.float32)
    out[:, window_slots - window.shape[1] :] = window
    return out


def _sustained(daily: F64, min_days: int) -> F64:
    """The highest median daily peak of any trailing run of at least MIN_DAYS days (the whole
    window included): high when a typical day is busy, or when every day since a step up is.
    Grow only for this: a few busy days that are over keep the size. It stays high for as long
    as the new level lasts, so a grown VM is not shrunk back the day a detector lets go."""
    days = daily.shape[1]
    runs = [_nan_percentile(daily[:, s:], 50.0, 1) for s in range(max(days - min_days, 0) + 1)]
    stacked = np.vstack(runs)
    return np.where(np.isnan(stacked).all(axis=0), np.nan, np.max(_nz(stacked), axis=0))


def _nz(a: F64) -> F64:
    """NaN -> -inf, so nanmax-like reductions need no all-NaN warning handling."""
    return np.where(np.isnan(a), -np.inf, a)


def _nan_percentile(
    a: npt.NDArray[np.floating], q: float, min_points: int, *, in_place: bool = False
) -> F64:
    """q-th percentile over the last axis ignoring NaN (linear between ranks, numpy's and
    Prometheus' definition); NaN where fewer than MIN_POINTS values are present. IN_PLACE
    sorts A itself instead of a copy."""
    if in_place:
        a.sort(axis=-1)  # NaN sorts last
        ordered = a
    else:
        ordered = np.sort(a, axis=-1)
    n = np.count_nonzero(~np.isnan(ordered), axis=-1)
    rank = q / 100.0 * np.maximum(n - 1, 0)
    low = np.floor(rank).astype(np.int64)
    high = np.minimum(low + 1, np.maximum(n - 1, 0))
    lo_v = np.take_along_axis(ordered, low[..., None], axis=-1)[..., 0]
    hi_v = np.take_along_axis(ordered, high[..., None], axis=-1)[..., 0]
    out = lo_v.astype(np.float64) + (hi_v - lo_v).astype(np.float64) * (rank - low)
    return np.where(n >= max(min_points, 1), out, np.nan)


def _level_shift(daily: F64, params: RightsizeParams) -> tuple[npt.NDArray[np.bool_], F64]:
    """Every one of the last SHIFT_DAYS daily peaks well above the median earlier day."""
    k = params.shift_days
    if daily.shape[1] <= k:
        return np.zeros(daily.shape[0], dtype=bool), np.full(daily.shape[0], np.nan)
    recent_days = daily[:, -k:]
    recent = np.where(np.isnan(recent_days).any(axis=1), np.nan, np.min(_nz(recent_days), axis=1))
    earlier = _nan_percentile(daily[:, :-k], 50.0, 1)
    with np.errstate(invalid="ignore"):
        shift = (recent >= earlier * params.shift_ratio) & (
            recent - earlier >= params.shift_min_pct
        )
    return shift & ~np.isnan(recent) & ~np.isnan(earlier), recent


# ---------------------------------------------------------------------------------------------
# Recommendations over an audit's data


@dataclass(frozen=True)
class ReclaimTotal:
    """Rightsizing summed per department or pool (key None: no department declares the VMs)."""

    key: str | None
    vms: int
    over: int
    under: int
    reclaim: Reclaim

    @property
    def reclaim_vcpus(self) -> int:
        return self.reclaim.vcpus

    @property
    def reclaim_ram_gib(self) -> float:
        return self.reclaim.ram_gib


def recommend(data: AuditData, params: RightsizeParams) -> list[Recommendation]:
    """One recommendation per live ACTIVE VM, in the order of `data.servers`; computed once
    per data and parameters (checks and reports of one audit share it)."""
    key = ("rightsizing.recommend", params)
    cached: list[Recommendation] | None = data.memo.get(key)
    if cached is None:
        cached = data.memo[key] = _recommend(data, params)
    return list(cached)


def _recommend(data: AuditData, params: RightsizeParams) -> list[Recommendation]:
    servers = [s for s in data.servers if s.status.upper() == "ACTIVE"]
    if not servers:
        return []
    # Sized over the table's own rows (one copy of each matrix, not a gather and a copy: at
    # 10,000 VMs x 14 days a matrix is 160 MB), then the ACTIVE servers' rows are taken.
    table = data.utilization
    step_s = table.step_s or STEP_S
    by_key = {server_key(s.server_id): s for s in data.servers}
    owners = [by_key.get(k) for k in table.keys]
    vcpus = np.array([o.vcpus if o else 1 for o in owners], dtype=np.float64)
    ram = np.array([o.ram_mib if o else 1024 for o in owners], dtype=np.float64)
    cpu_pct = _cpu_matrix(table, params, vcpus)
    sustain = table.metrics.get("cpu_pct") if params.cpu_metric == "cpu_pct_max" else None
    cpu = mem = None
    if cpu_pct is not None:
        cpu = size_matrix(cpu_pct, vcpus, params, step_s=step_s, sustain=sustain, in_place=True)
    mem_pct = table.metrics.get("mem_used_pct")
    if mem_pct is not None and table.slots:
        mem = size_matrix(mem_pct, ram, params, step_s=step_s)
    rows = np.array([_row(table, s.server_id) for s in servers], dtype=np.int64)
    return build_recommendations(data, params, servers, _take(cpu, rows), _take(mem, rows))


def _row(table: UtilizationTable, server_id: str) -> int:
    row = table.row(server_key(server_id))
    return -1 if row is None else row


def _cpu_matrix(
    table: UtilizationTable, params: RightsizeParams, vcpus: F64
) -> npt.NDArray[np.float32] | None:
    """A fresh copy (sized in place) of the CPU demand in % of the flavor, or None."""
    means = table.metrics.get("cpu_pct")
    if not table.slots or not table.keys:
        return None
    if params.cpu_metric == "cpu_pct_max":
        # Peaks are what a VM must hold (shrink on them); growing needs sustained load (means).
        # Stores filled before peaks were kept only have means.
        peaks = table.metrics.get("cpu_pct_max")
        if peaks is None:
            return None if means is None else np.array(means, dtype=np.float32, copy=True)
        out = np.array(peaks, dtype=np.float32, copy=True)
        if means is not None:
            no_peaks = np.all(np.isnan(out), axis=1)
            out[no_peaks] = means[no_peaks]
        return out
    source = table.metrics.get(params.cpu_metric)
    if source is None:
        return None
    out = np.array(source, dtype=np.float32, copy=True)
    if params.cpu_metric == "load1":  # runnable tasks -> percent of the flavor's vCPUs
        out *= (100.0 / np.maximum(vcpus, 1)).astype(np.float32)[:, None]
    return out


def _take(sized: SizedMatrix | None, rows: npt.NDArray[np.int64]) -> SizedMatrix:
    """ROWS of SIZED; row -1 (no data) or no matrix at all: insufficient data."""
    have = rows >= 0
    safe = np.where(have, rows, 0)
    if sized is None:
        nan = np.full(len(rows), np.nan)
        none = np.zeros(len(rows), dtype=bool)
        return SizedMatrix(nan, nan, np.zeros(len(rows)), none, none)
    return SizedMatrix(
        demand=np.where(have, sized.demand[safe], np.nan),
        estimate=np.where(have, sized.estimate[safe], np.nan),
        coverage_pct=np.where(have, sized.coverage_pct[safe], 0.0),
        level_shift=have & sized.level_shift[safe],
        capped=have & sized.capped[safe],
    )


def totals(recs: Sequence[Recommendation], by: str) -> list[ReclaimTotal]:
    """Per department or pool: VMs, over/under counts and what shrinking gives back."""
    if by not in ("department", "pool"):
        raise ValueError(f"totals by {by!r}: use 'department' or 'pool'")
    groups: dict[str | None, list[Recommendation]] = {}
    for r in recs:
        groups.setdefault(r.department if by == "department" else r.pool, []).append(r)
    out = []
    for key, group in groups.items():
        reclaim = Reclaim()
        for r in group:
            reclaim = reclaim + r.reclaim
        over = sum(1 for r in group if r.verdict.value == "over-provisioned")
        under = sum(1 for r in group if r.verdict.value == "under-provisioned")
        out.append(ReclaimTotal(key, len(group), over, under, reclaim))
    return sorted(out, key=lambda t: (-t.reclaim.vcpus, -t.reclaim.ram_mib, t.key or ""))


def recommendation_evidence(r: Recommendation, params: RightsizeParams) -> dict[str, object]:
    """What an oversized/undersized finding stores as evidence (JSON-able)."""
    return {
        "estimator": params.estimator,
        "percentile": params.percentile,
        "headroom": params.headroom,
        "window_days": r.window_days,
        "coverage_pct": r.coverage_pct,
        "confidence": r.confidence,
        "level_shift": r.level_shift,
        "cpu_demand_vcpus": r.cpu_demand_vcpus,
        "ram_demand_mib": r.ram_demand_mib,
        "current_flavor": r.current_flavor,
        "current_vcpus": r.current_vcpus,
        "current_ram_mib": r.current_ram_mib,
        "target_flavor": r.target_flavor,
        "target_vcpus": r.target_vcpus,
        "target_ram_mib": r.target_ram_mib,
    }
