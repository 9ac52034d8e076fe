"""Rightsizing: the policy on literal series, flavor fit, verdicts, reasons, totals, checks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from govcloud.core import models as m
from govcloud.core.audit_data import AuditData, UtilizationTable
from govcloud.core.checks import registry
from govcloud.core.findings import Reclaim
from govcloud.core.recommendation import Recommendation, Verdict
from govcloud.core.rightsizing import (
    RightsizeParams,
    recommend,
    size_matrix,
    size_series,
    totals,
)
from govcloud.core.severity import Severity

DAY = 288  # five-minute slots per day
SLOTS = 14 * DAY
NOW = datetime(2025, 3, 1, tzinfo=UTC)
POOL = m.Pool("p1", "一区", "Zone 1", "c", "r", "政务外网", 3)
CATALOGUE = tuple(
    m.Flavor("p1", name, name, vcpus, ram_gib * 1024, 20)
    for name, vcpus, ram_gib in (
        ("c1m1", 1, 1),
        ("c1m2", 1, 2),
        ("c2m4", 2, 4),
        ("c4m8", 4, 8),
        ("c8m16", 8, 16),
    )
)
DEPT = m.Department("wjw", "卫生健康委员会", "卫健委", "Health")
PROJECTS = (m.Project("p1", "proj", "wjw-prod", department_code="wjw"),)


def vm(
    sid: str, flavor: str = "c8m16", vcpus: int = 8, ram_gib: int = 16, **kw: object
) -> m.Server:
    return m.Server(
        pool_code=str(kw.get("pool_code", "p1")),
        server_id=sid,
        name=f"vm-{sid}",
        project_id="proj",
        status=str(kw.get("status", "ACTIVE")),
        flavor_name=flavor,
        vcpus=vcpus,
        ram_mib=ram_gib * 1024,
        disk_gib=20,
    )


def data(
    servers: tuple[m.Server, ...],
    metrics: Mapping[str, Mapping[str, Any]],
    flavors: tuple[m.Flavor, ...] = CATALOGUE,
) -> AuditData:
    """METRICS: server id -> metric -> scalar or SLOTS values."""
    keys = tuple(metrics)
    names = sorted({name for per in metrics.values() for name in per})
    matrices = {}
    for name in names:
        matrix = np.full((len(keys), SLOTS), np.nan, dtype=np.float32)
        for i, per in enumerate(metrics.values()):
            if name in per:
                matrix[i] = per[name]
        matrices[name] = matrix
    table = UtilizationTable(keys, 0, 300, SLOTS, matrices)
    return AuditData(
        now=NOW,
        window_s=14 * 86_400,
        pools=(POOL,),
        departments=(DEPT,),
        systems=(),
        projects=PROJECTS,
        servers=servers,
        flavors=flavors,
        utilization=table,
    )


def one(d: AuditData, params: RightsizeParams | None = None) -> Recommendation:
    (rec,) = recommend(d, params or RightsizeParams())
    return rec


# --- the policy over one series ---------------------------------------------------------------


def test_window_percentile_and_headroom_arithmetic() -> None:
    series = [10.0] * 144 + [30.0] * 144  # P50 interpolates halfway: 20%
    params = RightsizeParams(window_days=1, estimator="window", percentile=50, headroom=1.5)
    sized = size_series(series, 4, params)
    assert sized.estimate == pytest.approx(0.8)  # 20% of 4 vCPUs
    assert sized.demand == pytest.approx(1.2)  # x 1.5
    assert (sized.coverage_pct, sized.confidence, sized.level_shift) == (100.0, 5, False)


def test_daily_peak_is_the_highest_daily_percentile() -> None:
    day1 = np.linspace(0, 20, DAY)  # P98 of day 1 is about 19.6
    day2 = np.full(DAY, 40.0)
    sized = size_series(np.concatenate([day1, day2]), 2, RightsizeParams(window_days=2))
    assert sized.estimate == pytest.approx(0.8)  # 40% of 2 vCPUs
    assert sized.demand == pytest.approx(0.96)


def test_days_count_back_from_the_end_of_the_window() -> None:
    # 1.5 days of data: the half day is the oldest day; a 40% block only in it still counts.
    series = np.concatenate([np.full(DAY // 2, 40.0), np.full(DAY, 10.0)])
    sized = size_series(series, 10, RightsizeParams(window_days=2))
    assert sized.estimate == pytest.approx(4.0)
    assert sized.coverage_pct == pytest.approx(75.0)


def test_late_step_up_is_a_level_shift_and_sized_for_the_new_level() -> None:
    rng = np.random.default_rng(3)
    base = 20 + rng.random(SLOTS) * 5
    stepped = base.copy()
    stepped[-2 * DAY :] += 40
    params = RightsizeParams(estimator="window", percentile=95, headroom=1.0)
    flat = size_series(base, 10, params)
    shifted = size_series(stepped, 10, params)
    assert not flat.level_shift
    assert shifted.level_shift
    # the window's P95 alone (2 of 14 days high) would stay near the old level
    assert shifted.estimate is not None
    assert shifted.estimate > 6.0


def test_one_spike_day_is_no_level_shift() -> None:
    series = np.full(SLOTS, 20.0)
    series[-DAY:] = 90.0
    assert not size_series(series, 4, RightsizeParams()).level_shift


def test_busy_days_alone_do_not_grow_the_vm() -> None:
    series = np.full(SLOTS, 30.0)
    series[2 * DAY : 4 * DAY] = 95.0  # two busy days in the middle of the window
    sized = size_series(series, 4, RightsizeParams())
    assert sized.capped
    assert sized.demand == pytest.approx(4.0)  # kept at the current size, not 4 x 0.95 x 1.2


def test_two_percent_coverage_is_insufficient_and_does_not_crash() -> None:
    series = np.full(SLOTS, np.nan)
    series[::50] = 50.0  # 2% of the slots
    sized = size_series(series, 4, RightsizeParams())
    assert sized.demand is None
    assert not sized.sufficient
    assert sized.confidence == 1
    empty = size_series([], 4, RightsizeParams())
    assert empty.demand is None
    assert empty.coverage_pct == 0.0


def test_matrix_rows_equal_single_series() -> None:
    rng = np.random.default_rng(5)
    rows = rng.random((3, SLOTS)) * 80
    rows[1, : 5 * DAY] = np.nan
    caps = np.array([2.0, 4.0, 8.0])
    matrix = size_matrix(rows, caps, RightsizeParams())
    for i in range(3):
        single = size_series(rows[i], caps[i], RightsizeParams())
        assert single.demand == pytest.approx(matrix.demand[i])


@pytest.mark.parametrize(
    "bad",
    [
        {"percentile": 150},
        {"percentile": 0},
        {"window_days": 0},
        {"window_days": 91},
        {"headroom": 0.5},
        {"min_vcpus": 0},
        {"min_coverage_pct": 101},
        {"estimator": "magic"},
        {"cpu_metric": "disk_used_pct"},
        {"percentil": 95},
    ],
)
def test_impossible_parameters_are_validation_errors(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RightsizeParams.model_validate(bad)


# --- recommendations over an audit ------------------------------------------------------------


def test_oversized_vm_gets_the_smallest_flavor_holding_cpu_and_ram() -> None:
    rec = one(data((vm("a"),), {"a": {"cpu_pct": 10.0, "mem_used_pct": 10.0}}))
    # CPU 0.8 x 1.2 = 0.96 vCPU; RAM 1.6 GiB x 1.2 = 1.92 GiB -> c1m2, not c1m1
    assert rec.verdict is Verdict.OVER
    assert (rec.target_flavor, rec.target_vcpus, rec.target_ram_mib) == ("c1m2", 1, 2048)
    assert rec.reclaim == Reclaim(vcpus=7, ram_mib=14 * 1024)
    assert rec.department == "wjw"
    assert rec.cpu_demand_vcpus == pytest.approx(0.96)
    assert "0.80 vCPU x 1.2 = 0.96 vCPU" in rec.reason.en
    assert "c1m2 (1 vCPU, 2 GiB)" in rec.reason.en
    assert "coverage 100% ★★★★★" in rec.reason.en
    assert "c1m2（1 vCPU，2 GiB）" in rec.reason.zh


def test_floors_hold() -> None:
    d = data((vm("a"),), {"a": {"cpu_pct": 1.0, "mem_used_pct": 1.0}})
    assert one(d).target_flavor == "c1m1"
    floored = one(d, RightsizeParams(min_vcpus=2, min_ram_mib=4096))
    assert floored.target_flavor == "c2m4"


def test_under_provisioned_vm_grows() -> None:
    rec = one(data((vm("a", "c1m2", 1, 2),), {"a": {"cpu_pct": 95.0, "mem_used_pct": 30.0}}))
    assert rec.verdict is Verdict.UNDER
    assert rec.target_flavor == "c2m4"
    assert rec.reclaim == Reclaim()


def test_no_flavor_fits() -> None:
    rec = one(data((vm("a"),), {"a": {"cpu_pct": 99.0, "mem_used_pct": 20.0}}))
    assert rec.verdict is Verdict.NO_FIT
    assert rec.target_flavor is None
    assert "no flavor of the pool's catalogue holds it" in rec.reason.en


def test_pool_without_catalogue_says_so() -> None:
    d = data((vm("a"),), {"a": {"cpu_pct": 5.0, "mem_used_pct": 5.0}}, flavors=())
    assert one(d).verdict is Verdict.NO_FIT


def test_current_flavor_no_longer_in_the_catalogue() -> None:
    rec = one(data((vm("a", "legacy.big"),), {"a": {"cpu_pct": 10.0, "mem_used_pct": 10.0}}))
    assert rec.verdict is Verdict.OVER
    assert rec.current_flavor == "legacy.big"
    assert "legacy.big is no longer in the catalogue" in rec.reason.en
    assert "已不在规格目录中" in rec.reason.zh


def test_missing_memory_keeps_ram_and_says_so() -> None:
    flavors = (*CATALOGUE, m.Flavor("p1", "c2m16", "c2m16", 2, 16 * 1024, 20))
    rec = one(data((vm("a"),), {"a": {"cpu_pct": 10.0}}, flavors))
    assert rec.verdict is Verdict.OVER
    assert (rec.target_flavor, rec.target_ram_mib) == ("c2m16", 16 * 1024)
    assert rec.reclaim == Reclaim(vcpus=6)
    assert rec.ram_demand_mib is None
    assert "no memory data: RAM stays 16 GiB" in rec.reason.en
    assert "无内存数据" in rec.reason.zh


def test_right_sized_vm_is_optimized() -> None:
    rec = one(data((vm("a", "c2m4", 2, 4),), {"a": {"cpu_pct": 60.0, "mem_used_pct": 60.0}}))
    assert rec.verdict is Verdict.OPTIMIZED
    assert rec.target_flavor is None
    assert "keep c2m4" in rec.reason.en


def test_low_coverage_vm_is_insufficient_data() -> None:
    series = np.full(SLOTS, np.nan, dtype=np.float32)
    series[::50] = 10.0
    rec = one(data((vm("a"),), {"a": {"cpu_pct": series, "mem_used_pct": series}}))
    assert rec.verdict is Verdict.INSUFFICIENT_DATA
    assert rec.confidence == 1
    assert rec.reclaim == Reclaim()
    assert "insufficient data" in rec.reason.en


def test_only_active_vms_and_vms_without_metrics() -> None:
    d = data((vm("a"), vm("b", status="SHUTOFF"), vm("c")), {"a": {"cpu_pct": 10.0}})
    recs = recommend(d, RightsizeParams())
    assert [r.server_id for r in recs] == ["a", "c"]
    assert recs[1].verdict is Verdict.INSUFFICIENT_DATA


def test_totals_per_department_and_pool() -> None:
    d = data(
        (vm("a"), vm("b"), vm("c", "c1m2", 1, 2)),
        {
            "a": {"cpu_pct": 10.0, "mem_used_pct": 10.0},
            "b": {"cpu_pct": 10.0, "mem_used_pct": 10.0},
            "c": {"cpu_pct": 95.0, "mem_used_pct": 10.0},
        },
    )
    recs = recommend(d, RightsizeParams())
    (dept,) = totals(recs, by="department")
    assert (dept.key, dept.vms, dept.over, dept.under) == ("wjw", 3, 2, 1)
    assert dept.reclaim_vcpus == 14
    assert dept.reclaim_ram_gib == 28.0
    (pool,) = totals(recs, by="pool")
    assert pool.key == "p1"
    assert pool.reclaim == dept.reclaim
    with pytest.raises(ValueError, match="department"):
        totals(recs, by="system")


# --- the checks -------------------------------------------------------------------------------


def test_oversized_and_undersized_checks() -> None:
    d = data(
        (vm("a"), vm("c", "c1m2", 1, 2)),
        {
            "a": {"cpu_pct": 10.0, "mem_used_pct": 10.0},
            "c": {"cpu_pct": 95.0, "mem_used_pct": 10.0},
        },
    )
    checks = registry()
    (over,) = checks["oversized"](d, {})
    assert over.subject_id == "a"
    assert over.reclaim == Reclaim(7, 14 * 1024)
    assert over.severity is Severity.MEDIUM
    for key in ("percentile", "window_days", "coverage_pct", "confidence", "cpu_demand_vcpus"):
        assert key in over.evidence
    assert over.evidence["target_flavor"] == "c1m2"
    (under,) = checks["undersized"](d, {"headroom": 1.2})
    assert under.subject_id == "c"
    assert not under.reclaim
    assert under.severity is Severity.LOW  # 0.95 x 1.2 = 1.14x the flavor
    assert under.evidence["target_flavor"] == "c2m4"
    with pytest.raises(ValidationError):
        checks["oversized"](d, {"percentile": 150})


def test_per_slot_peaks_size_the_vm_where_stored_and_means_stand_in_elsewhere() -> None:
    servers = (vm("a"), vm("b"))
    # a: slot means of 10% hide peaks of 40% (bursts shorter than five minutes)
    d = data(
        servers,
        {
            "a": {"cpu_pct": 10.0, "cpu_pct_max": 40.0, "mem_used_pct": 10.0},
            "b": {"cpu_pct": 10.0, "mem_used_pct": 10.0},  # stored before peaks were kept
        },
    )
    a, b = recommend(d, RightsizeParams())
    assert a.cpu_demand_vcpus == pytest.approx(8 * 0.40 * 1.2)  # the peaks, not the means
    assert b.cpu_demand_vcpus == pytest.approx(8 * 0.10 * 1.2)
    means_only = recommend(d, RightsizeParams(cpu_metric="cpu_pct"))
    assert means_only[0].cpu_demand_vcpus == pytest.approx(8 * 0.10 * 1.2)
