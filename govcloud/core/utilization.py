"""Utilization series and their window statistics: what `metrics show` prints and rightsizing uses.

A `Series` is one target's one metric at a fixed step (5 minutes), NaN where no sample exists.
`window_stats` reduces a series over a trailing window to percentiles, max, average and data
coverage (the share of expected points present), the evidence every recommendation carries.

Percentiles interpolate linearly between closest ranks (rank = q * (n - 1)), the definition
Prometheus' `quantile_over_time` and numpy's default use, so embedded and Prometheus figures agree.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

STEP_S = 300  # five minutes: the resolution of the embedded store
DAY_S = 86_400

METRICS = (
    "cpu_pct",
    "mem_used_pct",
    "disk_used_pct",
    "disk_read_bps",
    "disk_write_bps",
    "net_rx_bps",
    "net_tx_bps",
    "load1",
    "cpu_pct_max",  # the highest scrape of each five-minute slot
)

# Azure Migrate's confidence rating from the share of data points present.
_STAR_FLOORS = ((81.0, 5), (61.0, 4), (41.0, 3), (21.0, 2))


@dataclass(frozen=True)
class Series:
    """Values at `start_ts + i * step_s` (UTC seconds, slot starts); NaN marks a gap."""

    start_ts: int
    step_s: int
    values: Sequence[float]

    @property
    def end_ts(self) -> int:
        """The end of the last slot (exclusive)."""
        return self.start_ts + len(self.values) * self.step_s

    def present(self) -> list[float]:
        return [v for v in self.values if not math.isnan(v)]

    def between(self, start_ts: int, end_ts: int) -> Series:
        """The slots that start in [start_ts, end_ts), padded with NaN outside the data."""
        first = math.ceil((start_ts - self.start_ts) / self.step_s)
        last = math.ceil((end_ts - self.start_ts) / self.step_s)
        out = array("d", (math.nan,) * max(last - first, 0))
        lo, hi = max(first, 0), min(last, len(self.values))
        if hi > lo:
            out[lo - first : hi - first] = array("d", self.values[lo:hi])
        return Series(self.start_ts + first * self.step_s, self.step_s, out)


@dataclass(frozen=True)
class WindowStats:
    """One series reduced over a window; percentiles are None when no point is present."""

    window_s: int
    points: int
    expected_points: int
    p50: float | None
    p90: float | None
    p95: float | None
    p99: float | None
    max: float | None
    avg: float | None

    @property
    def coverage_pct(self) -> float:
        if self.expected_points <= 0:
            return 0.0
        return min(100.0, 100.0 * self.points / self.expected_points)

    @property
    def confidence_stars(self) -> int:
        return confidence_stars(self.coverage_pct)


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of ascending VALUES, interpolated linearly between ranks."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    if not 0.0 <= q <= 100.0:
        raise ValueError(f"percentile {q} outside 0-100")
    rank = q / 100.0 * (len(sorted_values) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(sorted_values) - 1)
    frac = rank - low
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * frac


def confidence_stars(coverage_pct: float) -> int:
    """Azure Migrate: 0-20% 1 star, 21-40% 2, 41-60% 3, 61-80% 4, 81-100% 5."""
    for floor, stars in _STAR_FLOORS:
        if coverage_pct >= floor:
            return stars
    return 1


def window_stats(series: Series, end_ts: int, window_s: int) -> WindowStats:
    """Statistics of the slots in [end_ts - window_s, end_ts); expected points: the slot count."""
    part = series.between(end_ts - window_s, end_ts)
    return stats_of(part.present(), window_s, len(part.values))


def stats_of(values: Iterable[float], window_s: int, expected_points: int) -> WindowStats:
    ordered = sorted(v for v in values if not math.isnan(v))
    if not ordered:
        return WindowStats(window_s, 0, expected_points, None, None, None, None, None, None)
    return WindowStats(
        window_s=window_s,
        points=len(ordered),
        expected_points=expected_points,
        p50=percentile(ordered, 50),
        p90=percentile(ordered, 90),
        p95=percentile(ordered, 95),
        p99=percentile(ordered, 99),
        max=ordered[-1],
        avg=math.fsum(ordered) / len(ordered),
    )


def parse_duration_s(text: str, default_unit: str = "s") -> float:
    """`14d`, `36h`, `90m`, `1.5s`, `2w` -> seconds; a bare number is in DEFAULT_UNIT."""
    units = {"s": 1, "m": 60, "h": 3600, "d": DAY_S, "w": 7 * DAY_S}
    raw = text.strip().lower()
    unit = raw[-1:] if raw[-1:] in units else default_unit
    number = raw[:-1] if raw[-1:] in units else raw
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"not a duration: {text!r} (use e.g. 14d, 36h, 90m, 60s)") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"duration must be positive: {text!r}")
    return value * units[unit]


def parse_window(text: str) -> int:
    """A window in whole seconds; a bare number is days (`--window 14`)."""
    return max(1, round(parse_duration_s(text, default_unit="d")))


def slot_start(ts: float, step_s: int = STEP_S) -> int:
    return int(ts // step_s) * step_s


def trailing_window(now: float, window_s: int) -> tuple[int, int, int]:
    """A window ending with the current five-minute slot (which counts): its end, and the first
    and last day whose chunks hold it."""
    end_ts = slot_start(now) + STEP_S
    return end_ts, (end_ts - window_s) // DAY_S, (end_ts - 1) // DAY_S
