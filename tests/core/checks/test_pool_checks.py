"""pool-overcommit (quota check's arithmetic as findings) and pool-headroom (forecasts)."""

from __future__ import annotations

from dataclasses import replace

from govcloud.core.checks import registry
from govcloud.core.models import CapacityRecord, Department, UsagePoint
from govcloud.core.severity import Severity
from tests.core.checks.estate import GAJ, PROD, WJW, R, ago, estate, quota, server


def run(name: str, data, params=None):  # type: ignore[no-untyped-def]
    return registry()[name](data, params)


def test_overcommit_uses_the_clouds_limit_where_synced() -> None:
    # PROD: 100 cores x 4 = 400, minus reserve 40 -> 360 vCPU; RAM 200 GiB - 10 GiB.
    approved_only = {f.subject_id: f for f in run("pool-overcommit", estate())}
    assert "zw-prod:cores" not in approved_only  # 200 of 360
    synced = estate(quotas=(quota(R.CORES, 380, 10),))  # 380 > 360 capacity, <= 400 limit
    [f] = [x for x in run("pool-overcommit", synced) if x.subject_id == "zw-prod:cores"]
    assert f.severity is Severity.MEDIUM
    assert f.evidence["quota_committed"] == 380
    assert f.evidence["capacity"] == 360
    assert "配额合计" in f.message.zh


def test_overcommit_unlimited_and_unknown_capacity() -> None:
    unlimited = estate(quotas=(quota(R.RAM, -1, 10),))
    [f] = [x for x in run("pool-overcommit", unlimited) if x.subject_id == "zw-prod:ram"]
    assert f.severity is Severity.HIGH
    assert f.evidence["unlimited_projects"] == 1
    unknown = [x for x in run("pool-overcommit", estate()) if x.pool == "zw-test"]
    assert {x.severity for x in unknown} == {Severity.INFO}
    assert [
        x
        for x in run("pool-overcommit", estate(), {"report_unknown": False})
        if x.pool == "zw-test"
    ] == []


def test_overcommit_allocation_eats_the_reserve() -> None:
    servers = tuple(server(f"s{i}", vcpus=32, ram_mib=1024) for i in range(12))  # 384 > 360
    [f] = [
        x
        for x in run("pool-overcommit", estate(servers=servers))
        if x.subject_id == "zw-prod:cores"
    ]
    assert f.severity is Severity.HIGH
    assert f.evidence["allocated"] == 384


def test_overcommit_resolves_project_by_department_when_binding_has_no_id() -> None:
    binding = replace(WJW.projects[0], project_id=None)
    dept = Department(WJW.code, WJW.name_zh, WJW.short_zh, WJW.name_en, (binding,))
    data = estate(departments=(dept, GAJ), quotas=(quota(R.CORES, 380, 0),))
    assert any(x.subject_id == "zw-prod:cores" for x in run("pool-overcommit", data))


def history(per_day: int, days: int = 30, start: int = 100) -> tuple[UsagePoint, ...]:
    return tuple(
        UsagePoint("zw-prod", ago(days=d), 1, start + per_day * (days - d), 1024, 10)
        for d in range(days)
    )


def headroom(data, **params):  # type: ignore[no-untyped-def]
    return {f.subject_id: f for f in run("pool-headroom", data, params or None)}


def test_headroom_forecast_days_to_exhaustion() -> None:
    # capacity 360 vCPU; 240 allocated now; +2 vCPU/day -> 60 days: medium
    data = estate(servers=(server("a", vcpus=240, ram_mib=1024),), usage_history=history(2))
    f = headroom(data)["zw-prod:vcpu"]
    assert f.severity is Severity.MEDIUM
    assert f.evidence["days_to_exhaustion"] == 60.0
    assert f.evidence["slope_per_day"] == 2.0
    assert f.evidence["method"] == "theil-sen"
    assert f.evidence["days_low"] <= 60.0 <= f.evidence["days_high"]
    fast = estate(servers=(server("a", vcpus=240, ram_mib=1024),), usage_history=history(5))
    assert headroom(fast)["zw-prod:vcpu"].severity is Severity.HIGH  # 24 days


def test_headroom_flat_history_has_no_exhaustion() -> None:
    flat = estate(servers=(server("a", vcpus=100, ram_mib=1024),), usage_history=history(0))
    assert "zw-prod:vcpu" not in headroom(flat)
    tight = estate(servers=(server("a", vcpus=320, ram_mib=1024),), usage_history=history(0))
    f = headroom(tight)["zw-prod:vcpu"]  # 11% headroom < 15%
    assert f.severity is Severity.MEDIUM
    assert f.evidence["days_to_exhaustion"] is None
    full = estate(servers=(server("a", vcpus=400, ram_mib=1024),), usage_history=history(0))
    assert headroom(full)["zw-prod:vcpu"].severity is Severity.HIGH


def test_headroom_short_history_is_an_info_finding() -> None:
    data = estate(servers=(server("a", vcpus=320, ram_mib=1024),), usage_history=history(2, days=2))
    found = headroom(data)
    assert found["zw-prod:history"].severity is Severity.INFO
    assert found["zw-prod:vcpu"].evidence["history_points"] == 0  # headroom rule alone
    assert "days_to_exhaustion" not in found["zw-prod:vcpu"].evidence
    assert found["zw-test:history"].severity is Severity.INFO


def test_headroom_ignores_history_outside_the_window() -> None:
    old = tuple(replace(p, ts=p.ts.replace(year=2020)) for p in history(5))
    data = estate(servers=(server("a", vcpus=100, ram_mib=1024),), usage_history=old)
    assert "zw-prod:history" in headroom(data)


def test_headroom_capacity_from_placement() -> None:
    cap = {"zw-prod": {"VCPU": CapacityRecord("zw-prod", "VCPU", 50, 0, 2.0, 150, 1)}}
    data = estate(
        servers=(server("a", vcpus=150, ram_mib=1024),), capacity=cap, usage_history=history(0)
    )
    f = headroom(data)["zw-prod:vcpu"]  # Placement's 50 x the pool's own ratio 4 - 40 reserve
    assert f.severity is Severity.MEDIUM
    assert f.evidence["capacity"] == 160
    assert PROD.reserve.vcpu == 40
