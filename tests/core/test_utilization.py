from __future__ import annotations

import math
import statistics
from array import array

import pytest

from govcloud.core.utilization import (
    DAY_S,
    STEP_S,
    Series,
    confidence_stars,
    parse_duration_s,
    parse_window,
    percentile,
    stats_of,
    window_stats,
)
from tests.core.azure_trace import azure_cpu_traces


def test_percentile_interpolates_between_ranks_like_prometheus() -> None:
    values = [1.0, 2.0, 3.0, 4.0]
    # rank = q * (n - 1): 0.5 * 3 = 1.5 -> halfway between 2 and 3
    assert percentile(values, 50) == 2.5
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 4.0
    assert percentile(values, 95) == pytest.approx(3.85)
    assert percentile([7.0], 99) == 7.0


def test_percentile_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    with pytest.raises(ValueError, match="outside"):
        percentile([1.0], 101)


def test_percentiles_of_real_traces_match_the_statistics_module() -> None:
    for trace in azure_cpu_traces().values():
        ordered = sorted(trace)
        # statistics.quantiles(method="inclusive") is the same (n - 1) interpolation
        cuts = statistics.quantiles(trace, n=100, method="inclusive")
        assert percentile(ordered, 95) == pytest.approx(cuts[94])
        assert percentile(ordered, 50) == pytest.approx(statistics.median(trace))


def test_window_stats_counts_gaps_against_coverage() -> None:
    trace = next(iter(azure_cpu_traces().values()))
    values = array("d", trace)
    for i in range(0, len(values), 4):  # a quarter of the points missing
        values[i] = math.nan
    series = Series(0, STEP_S, values)
    st = window_stats(series, end_ts=series.end_ts, window_s=14 * DAY_S)
    present = [v for v in values if not math.isnan(v)]
    assert st.expected_points == 4032
    assert st.points == len(present) == 3024
    assert st.coverage_pct == pytest.approx(75.0)
    assert st.confidence_stars == 4
    assert st.max == max(present)
    assert st.avg == pytest.approx(sum(present) / len(present))
    assert st.p99 == pytest.approx(percentile(sorted(present), 99))


def test_window_selects_the_trailing_slots_only() -> None:
    series = Series(1000 * STEP_S, STEP_S, array("d", [float(i) for i in range(100)]))
    st = window_stats(series, end_ts=series.end_ts, window_s=10 * STEP_S)
    assert (st.points, st.max, st.p50) == (10, 99.0, 94.5)
    # a window reaching before the data: the missing part counts as expected but absent
    wide = window_stats(series, end_ts=series.end_ts, window_s=200 * STEP_S)
    assert (wide.points, wide.expected_points, wide.coverage_pct) == (100, 200, 50.0)
    # a window after the data: nothing present
    later = window_stats(series, end_ts=series.end_ts + 50 * STEP_S, window_s=20 * STEP_S)
    assert (later.points, later.p95) == (0, None)


def test_between_pads_and_slices() -> None:
    series = Series(10 * STEP_S, STEP_S, array("d", [1.0, 2.0, 3.0]))
    part = series.between(9 * STEP_S, 12 * STEP_S)
    assert part.start_ts == 9 * STEP_S
    assert [None if math.isnan(v) else v for v in part.values] == [None, 1.0, 2.0]


def test_stats_of_nothing() -> None:
    st = stats_of([], 3600, 12)
    assert (st.points, st.coverage_pct, st.avg, st.confidence_stars) == (0, 0.0, None, 1)


@pytest.mark.parametrize(
    ("coverage", "stars"), [(0, 1), (20, 1), (21, 2), (40, 2), (41, 3), (61, 4), (80, 4), (81, 5)]
)
def test_confidence_stars_follow_azure_migrate(coverage: float, stars: int) -> None:
    assert confidence_stars(coverage) == stars


def test_durations() -> None:
    assert parse_window("14d") == 14 * DAY_S
    assert parse_window("14") == 14 * DAY_S
    assert parse_window("36h") == 36 * 3600
    assert parse_duration_s("5") == 5.0
    assert parse_duration_s("1.5s") == 1.5
    assert parse_duration_s("2w") == 14 * DAY_S
    for bad in ("", "x", "-1d", "0s", "nan"):
        with pytest.raises(ValueError):
            parse_duration_s(bad)
