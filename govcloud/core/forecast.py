"""Robust trends and days-to-exhaustion for pool usage history (the `pool-headroom` check).

Method: the Theil–Sen estimator (Theil 1950, Sen 1968). The slope is the median of the slopes
of every pair of points; the intercept is the median of y - slope * x. A single bulk migration
or a bad sync moves it far less than it moves least squares (breakdown point ~29%).

Uncertainty: Sen's distribution-free confidence interval for the slope, from the null
distribution of Kendall's S. With N = n(n-1)/2 ordered pairwise slopes and
Var(S) = [n(n-1)(2n+5) - Σ t(t-1)(2t+5)] / 18 (t: sizes of groups of tied y values),
C = z * sqrt(Var(S)); the bounds are the slopes of rank (N - C)/2 and (N + C)/2 + 1 (1-based,
rounded outwards). The normal approximation of S is the usual one for n >= 10; for fewer
points the interval is wider than it looks and the evidence says how many points there were.

Days to exhaustion start from the current level (what the pool holds now is known exactly; the
trend only says how fast it grows): days = (capacity - level) / slope when slope > 0. The range
uses the interval's high slope (soonest) and low slope (latest; None when that slope does not
grow at all, i.e. "never" is inside the interval).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

MAX_POINTS = 500  # pairwise slopes are O(n^2): thin longer histories evenly before fitting


@dataclass(frozen=True)
class Trend:
    """y = intercept + slope * x, with a confidence interval for the slope."""

    slope: float
    intercept: float
    slope_low: float
    slope_high: float
    points: int
    confidence: float

    def at(self, x: float) -> float:
        return self.intercept + self.slope * x


@dataclass(frozen=True)
class Exhaustion:
    """Days until LEVEL reaches CAPACITY at the trend; None: not within the trend (no growth)."""

    days: float | None
    days_low: float | None  # soonest (at the interval's high slope)
    days_high: float | None  # latest (at the low slope); None: may never run out


def theil_sen(xs: npt.ArrayLike, ys: npt.ArrayLike, confidence: float = 0.95) -> Trend:
    """Theil–Sen fit of YS over XS with Sen's confidence interval for the slope.

    Needs at least two points with distinct x; raises ValueError otherwise.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must be between 0 and 1")
    x = np.asarray(xs, dtype=np.float64)
    y = np.asarray(ys, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError("xs and ys must be 1-D and of the same length")
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if x.size > MAX_POINTS:
        pick = np.unique(np.linspace(0, x.size - 1, MAX_POINTS).round().astype(np.int64))
        x, y = x[pick], y[pick]
    slopes = _pairwise_slopes(x, y)
    if slopes.size == 0:
        raise ValueError("a trend needs at least two points at different times")
    slopes.sort()
    slope = float(np.median(slopes))
    intercept = float(np.median(y - slope * x))
    low, high = _sen_interval(slopes, y, confidence)
    return Trend(slope, intercept, low, high, int(x.size), confidence)


def _pairwise_slopes(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    i, j = np.triu_indices(x.size, k=1)
    dx = x[j] - x[i]
    ok = dx != 0  # pairs at the same time carry no slope
    slopes: npt.NDArray[np.float64] = (y[j] - y[i])[ok] / dx[ok]
    return slopes


def _sen_interval(
    sorted_slopes: npt.NDArray[np.float64], y: npt.NDArray[np.float64], confidence: float
) -> tuple[float, float]:
    n = y.size
    total = sorted_slopes.size
    _, counts = np.unique(y, return_counts=True)
    ties = float(np.sum(counts * (counts - 1) * (2 * counts + 5)))
    var_s = max((n * (n - 1) * (2 * n + 5) - ties) / 18.0, 0.0)
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    c = z * math.sqrt(var_s)
    lo_rank = math.floor((total - c) / 2.0)  # 1-based rank, rounded outwards
    hi_rank = math.ceil((total + c) / 2.0) + 1
    lo = min(max(lo_rank, 1), total) - 1
    hi = min(max(hi_rank, 1), total) - 1
    return float(sorted_slopes[lo]), float(sorted_slopes[hi])


def days_to_exhaustion(level: float, capacity: float, trend: Trend) -> Exhaustion:
    """Days from LEVEL to CAPACITY at the trend's slope (x in days), with the interval's range.

    At or above capacity already: 0 days. A slope that does not grow: None (no exhaustion).
    """
    if level >= capacity:
        return Exhaustion(0.0, 0.0, 0.0)

    def days(slope: float) -> float | None:
        return (capacity - level) / slope if slope > 0 else None

    return Exhaustion(days(trend.slope), days(trend.slope_high), days(trend.slope_low))
