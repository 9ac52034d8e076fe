"""The backtest's metrics compute what they say, on tiny literal input."""

from __future__ import annotations

import numpy as np
import pytest

from govcloud.core.backtest import F64, fit_ladder, reversals, run_backtest, summarize, violations

LADDER = (1, 2, 4, 8, 16, 32)


def test_fit_ladder_takes_the_smallest_size_that_holds_the_demand() -> None:
    demand = np.array([0.3, 1.0, 1.01, 3.0, 40.0])
    assert fit_ladder(demand, LADDER).tolist() == [1, 1, 2, 4, 32]
    assert fit_ladder(np.array([0.3]), LADDER, floor=2).tolist() == [2]


def test_violations_count_slots_above_the_size_and_ignore_gaps() -> None:
    test = np.array([[0.5, 1.5, np.nan, 2.0], [3.0, 3.0, 3.0, 3.0]])
    assert violations(test, np.array([1.5, 2.0])).tolist() == [1, 4]


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [([4, 2, 2, 4, 2], 2), ([4, 4, 4], 0), ([8, 4, 2, 1], 0), ([2, 4, 4, 2], 1), ([], 0)],
)
def test_reversals_count_direction_changes(sizes: list[float], expected: int) -> None:
    assert reversals(sizes) == expected


def test_summarize_shares_worst_vm_and_flaps() -> None:
    original = np.array([4.0, 2.0])
    sizes = np.array([[2.0, 4.0, 2.0, 4.0], [4.0, 2.0, 2.0, 2.0]])
    violated = np.array([[0.0, 0.0, 3.0, 0.0], [0.0, 0.0, 0.0, 1.0]])
    slots = np.full((2, 4), 10.0)
    r = summarize(original, sizes, violated, slots)
    assert r.reclaimed_share == pytest.approx(4 / 24)  # (2 + 2) of 4 x 4 + 2 x 4 vCPU-days
    assert r.grown_share == pytest.approx(2 / 24)
    assert r.violation_share == pytest.approx(4 / 80)
    assert r.worst_vm_violation_share == pytest.approx(3 / 40)
    assert (r.changes, r.reversals, r.flapping_vms, r.vm_days) == (4, 2, 1, 8)


def test_run_backtest_sizes_on_the_window_and_tests_on_the_next_day() -> None:
    # 1 VM of 4 vCPUs, days of 2 slots, a 1-day window: days 1 and 2 are tested.
    max_pct = np.array([[25.0, 25.0, 50.0, 50.0, 100.0, 10.0]])
    seen: list[F64] = []

    def peak(mx: F64, av: F64, orig: F64) -> F64:
        seen.append(mx.copy())
        return np.asarray(mx.max(axis=1) * orig / 100.0)

    r = run_backtest(max_pct, max_pct, np.array([4.0]), peak, LADDER, window_days=1, day_slots=2)
    assert [w.tolist() for w in seen] == [[[25.0, 25.0]], [[50.0, 50.0]]]
    # day 1 sized 1 vCPU, demand 2 -> 2 violations; day 2 sized 2, demand 4 then 0.4 -> 1
    assert r.violation_share == pytest.approx(3 / 4)
    assert r.reclaimed_share == pytest.approx((3 + 2) / 8)
    assert (r.changes, r.reversals) == (1, 0)


def test_run_backtest_needs_one_day_more_than_the_window() -> None:
    with pytest.raises(ValueError, match="fewer than 15 days"):
        run_backtest(np.zeros((1, 288)), np.zeros((1, 288)), np.ones(1), lambda a, b, c: c, LADDER)
