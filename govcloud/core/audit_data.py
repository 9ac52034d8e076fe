"""Everything an audit judges, fetched once: declared and observed state plus utilization.

Checks and rightsizing are pure functions over an `AuditData`; the store adapter builds it in a
handful of queries (never per resource), and tests build it by hand.

Utilization is a `UtilizationTable`: per metric one float32 matrix, a row per target (the
server id in lower case for VMs) and a column per five-minute slot of the window, NaN where no
sample exists. Window statistics are computed for all rows at once (numpy), once per metric.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from govcloud.core import models as m
from govcloud.core.utilization import DAY_S, STEP_S, confidence_stars

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class MetricStats:
    """Vectorized window statistics of one metric, one entry per table row; NaN: no data."""

    p50: npt.NDArray[np.float64]
    p90: npt.NDArray[np.float64]
    p95: npt.NDArray[np.float64]
    p99: npt.NDArray[np.float64]
    max: npt.NDArray[np.float64]
    avg: npt.NDArray[np.float64]
    points: npt.NDArray[np.int64]
    expected_points: int

    def coverage_pct(self, row: int) -> float:
        if self.expected_points <= 0:
            return 0.0
        return min(100.0, 100.0 * float(self.points[row]) / self.expected_points)


@dataclass(frozen=True, eq=False)
class UtilizationTable:
    """KEYS[i] owns row i of every matrix; column j is slot `start_ts + j * step_s`."""

    keys: tuple[str, ...]
    start_ts: int
    step_s: int
    slots: int
    metrics: Mapping[str, FloatArray]  # metric -> shape (len(keys), slots)

    @classmethod
    def empty(cls, start_ts: int = 0, slots: int = 0) -> UtilizationTable:
        return cls((), start_ts, STEP_S, slots, {})

    @property
    def end_ts(self) -> int:
        return self.start_ts + self.slots * self.step_s

    @functools.cached_property
    def _index(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.keys)}

    def row(self, key: str) -> int | None:
        return self._index.get(key.lower())

    def series(self, metric: str, key: str) -> FloatArray | None:
        """One target's values of METRIC over the window (a view, do not modify)."""
        i = self.row(key)
        matrix = self.metrics.get(metric)
        if i is None or matrix is None:
            return None
        row: FloatArray = matrix[i]
        return row

    @functools.cached_property
    def _stats_cache(self) -> dict[str, MetricStats]:
        return {}

    def stats(self, metric: str) -> MetricStats | None:
        """Computed once per table and metric (checks and rightsizing share them)."""
        matrix = self.metrics.get(metric)
        if matrix is None:
            return None
        cached = self._stats_cache.get(metric)
        if cached is None:
            cached = self._stats_cache[metric] = window_stats_matrix(matrix)
        return cached

    def last_sample_ts(self, key: str) -> int | None:
        """End of the newest slot that holds any metric for KEY; None: no sample in the window."""
        i = self.row(key)
        if i is None:
            return None
        newest = -1
        for matrix in self.metrics.values():
            present = np.flatnonzero(~np.isnan(matrix[i]))
            if present.size:
                newest = max(newest, int(present[-1]))
        return None if newest < 0 else self.start_ts + (newest + 1) * self.step_s


def window_stats_matrix(matrix: FloatArray) -> MetricStats:
    """Per-row statistics; percentiles interpolate linearly between ranks (numpy's default,
    and Prometheus' quantile_over_time), over the present points only."""
    rows, slots = matrix.shape
    present = ~np.isnan(matrix)
    points = np.count_nonzero(present, axis=1).astype(np.int64)
    if rows == 0 or slots == 0:
        empty = np.full(rows, np.nan)
        return MetricStats(empty, empty, empty, empty, empty, empty, points, slots)
    # Sorting puts NaN last; the q-th percentile of row i is at rank q*(n_i - 1). float32 is
    # sorted as is (half the memory traffic of a float64 copy); arithmetic below is float64.
    ordered = np.sort(matrix, axis=1)

    def pct(q: float) -> npt.NDArray[np.float64]:
        rank = q / 100.0 * np.maximum(points - 1, 0)
        low = np.floor(rank).astype(np.int64)
        high = np.minimum(low + 1, np.maximum(points - 1, 0))
        idx = np.arange(rows)
        lo_v = ordered[idx, low].astype(np.float64)
        hi_v = ordered[idx, high].astype(np.float64)
        out = lo_v + (hi_v - lo_v) * (rank - low)
        return np.where(points > 0, out, np.nan)

    with np.errstate(invalid="ignore", divide="ignore"):
        # summed where present: no NaN-replaced copy of the matrix (nansum makes one)
        total = np.add.reduce(matrix, axis=1, dtype=np.float64, where=present, initial=0.0)
        avg = np.where(points > 0, total / np.maximum(points, 1), np.nan)
        last = ordered[np.arange(rows), np.maximum(points - 1, 0)].astype(np.float64)
        mx = np.where(points > 0, last, np.nan)
    return MetricStats(pct(50), pct(90), pct(95), pct(99), mx, avg, points, slots)


@dataclass(frozen=True)
class AgentState:
    """A VM's agent as the collector last saw it (metric_target), by server key."""

    server_key: str
    url: str
    last_scrape_at: datetime | None
    last_ok_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, eq=False)
class AuditData:
    now: datetime  # UTC, the end of the window
    window_s: int
    pools: tuple[m.Pool, ...]
    departments: tuple[m.Department, ...]
    systems: tuple[m.BusinessSystem, ...]
    projects: tuple[m.Project, ...] = ()  # observed; department_code set where declared
    servers: tuple[m.Server, ...] = ()  # live servers only
    volumes: tuple[m.Volume, ...] = ()
    snapshots: tuple[m.Snapshot, ...] = ()
    flavors: tuple[m.Flavor, ...] = ()
    quotas: tuple[m.QuotaUsage, ...] = ()
    capacity: Mapping[str, Mapping[str, m.CapacityRecord]] = field(default_factory=dict)
    usage_history: tuple[m.UsagePoint, ...] = ()
    utilization: UtilizationTable = field(default_factory=UtilizationTable.empty)
    agents: Mapping[str, AgentState] = field(default_factory=dict)  # by server key
    prices: tuple[m.UnitPrice, ...] = ()
    last_sync: Mapping[str, datetime] = field(default_factory=dict)  # pool -> last ok sync
    # networking and Placement truth (issue 8); empty where the store holds none yet
    ports: tuple[m.Port, ...] = ()
    floating_ips: tuple[m.FloatingIp, ...] = ()
    security_groups: tuple[m.SecurityGroup, ...] = ()
    allocations: tuple[m.ProjectAllocation, ...] = ()
    # storage (issue 8): Cinder scheduler pools, volume types and per-type quotas
    backends: tuple[m.StorageBackend, ...] = ()
    volume_types: tuple[m.VolumeType, ...] = ()
    type_quotas: tuple[m.TypeQuotaUsage, ...] = ()

    @property
    def window_days(self) -> float:
        return round(self.window_s / DAY_S, 2)

    @functools.cached_property
    def memo(self) -> dict[Hashable, Any]:
        """Results derived from this data, shared by the checks of one audit (e.g. the
        rightsizing that `oversized`, `undersized` and the reports all need): computed once."""
        return {}

    @functools.cached_property
    def pool_by_code(self) -> dict[str, m.Pool]:
        return {p.code: p for p in self.pools}

    @functools.cached_property
    def department_by_code(self) -> dict[str, m.Department]:
        return {d.code: d for d in self.departments}

    @functools.cached_property
    def system_by_code(self) -> dict[str, m.BusinessSystem]:
        return {s.code: s for s in self.systems}

    @functools.cached_property
    def project_by_key(self) -> dict[tuple[str, str], m.Project]:
        """(pool code, project id) -> observed project."""
        return {(p.pool_code, p.project_id): p for p in self.projects}

    def department_of(self, pool_code: str, project_id: str) -> str | None:
        project = self.project_by_key.get((pool_code, project_id))
        return project.department_code if project else None

    @functools.cached_property
    def flavors_by_pool(self) -> dict[str, list[m.Flavor]]:
        out: dict[str, list[m.Flavor]] = {}
        for f in self.flavors:
            out.setdefault(f.pool_code, []).append(f)
        for flavors in out.values():
            flavors.sort(key=lambda f: (f.vcpus, f.ram_mib, f.disk_gib, f.name))
        return out

    @functools.cached_property
    def servers_by_id(self) -> dict[str, m.Server]:
        return {s.server_id: s for s in self.servers}


def server_key(server_id: str) -> str:
    """The metrics store keys VMs by lower-case server id."""
    return server_id.lower()


def evidence_window(data: AuditData, coverage_pct: float | None = None) -> dict[str, Any]:
    """The window part of every utilization finding's evidence."""
    out: dict[str, Any] = {"window_days": data.window_days}
    if coverage_pct is not None and math.isfinite(coverage_pct):
        out["coverage_pct"] = round(coverage_pct, 1)
        out["confidence"] = confidence_stars(coverage_pct)
    return out


def as_float(value: Any) -> float | None:
    """A numpy scalar as a plain float for evidence; None for NaN."""
    f = float(value)
    return None if math.isnan(f) else round(f, 3)


def keys_of(servers: Sequence[m.Server]) -> list[str]:
    return [server_key(s.server_id) for s in servers]
