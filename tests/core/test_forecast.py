"""Theil–Sen trend, Sen's slope interval and days to exhaustion."""

from __future__ import annotations

import numpy as np
import pytest

from govcloud.core.forecast import Trend, days_to_exhaustion, theil_sen


def test_recovers_the_slope_despite_outliers() -> None:
    x = np.arange(40, dtype=float)
    y = 3.0 * x + 10.0
    y[[5, 17, 33]] = [500.0, -400.0, 900.0]  # a bulk migration, a bad sync ...
    fit = theil_sen(x, y)
    assert fit.slope == pytest.approx(3.0)
    assert fit.intercept == pytest.approx(10.0)
    assert fit.slope_low <= 3.0 <= fit.slope_high
    ols = np.polyfit(x, y, 1)[0]
    assert abs(ols - 3.0) > 0.5  # least squares is dragged off; Theil–Sen is not


def test_interval_narrows_with_more_points_and_covers_noise() -> None:
    rng = np.random.default_rng(1)
    widths = []
    for n in (10, 100):
        x = np.arange(n, dtype=float)
        fit = theil_sen(x, 2.0 * x + rng.normal(0, 5, n))
        assert fit.slope_low < 2.0 < fit.slope_high
        widths.append(fit.slope_high - fit.slope_low)
    assert widths[1] < widths[0]


def test_flat_history_never_runs_out() -> None:
    fit = theil_sen([0, 1, 2, 3, 4], [7, 7, 7, 7, 7])
    assert (fit.slope, fit.slope_low, fit.slope_high) == (0.0, 0.0, 0.0)
    ex = days_to_exhaustion(7, 10, fit)
    assert (ex.days, ex.days_low, ex.days_high) == (None, None, None)


def test_days_to_exhaustion_range() -> None:
    trend = Trend(
        slope=2.0, intercept=0.0, slope_low=1.0, slope_high=4.0, points=30, confidence=0.95
    )
    ex = days_to_exhaustion(40, 100, trend)
    assert (ex.days, ex.days_low, ex.days_high) == (30.0, 15.0, 60.0)
    unsure = Trend(2.0, 0.0, -0.5, 4.0, 30, 0.95)
    assert days_to_exhaustion(40, 100, unsure).days_high is None  # may never run out
    assert days_to_exhaustion(120, 100, trend).days == 0.0


def test_rejects_degenerate_input() -> None:
    with pytest.raises(ValueError, match="two points"):
        theil_sen([1.0], [2.0])
    with pytest.raises(ValueError, match="two points"):
        theil_sen([1.0, 1.0], [2.0, 3.0])
    with pytest.raises(ValueError, match="confidence"):
        theil_sen([0, 1], [0, 1], confidence=1.0)


def test_long_histories_are_thinned() -> None:
    x = np.arange(5000, dtype=float)
    fit = theil_sen(x, 0.5 * x)
    assert fit.points == 500
    assert fit.slope == pytest.approx(0.5)
