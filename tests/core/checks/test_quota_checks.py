"""quota-near-limit, quota-exceeded and quota-idle: Skyline's bands at their exact edges."""

from __future__ import annotations

from govcloud.core.checks import registry
from govcloud.core.severity import Severity
from tests.core.checks.estate import R, estate, quota


def run(name: str, data, params=None):  # type: ignore[no-untyped-def]
    return registry()[name](data, params)


def near(limit: int, in_use: int, **params: object):  # type: ignore[no-untyped-def]
    return run("quota-near-limit", estate(quotas=(quota(R.CORES, limit, in_use),)), params)


def test_near_limit_bands_at_exact_edges() -> None:
    assert near(100, 79) == []
    [danger] = near(100, 80)
    assert danger.severity is Severity.MEDIUM
    assert "危险" in danger.message.zh
    assert near(100, 89)[0].severity is Severity.MEDIUM
    [full] = near(100, 90)
    assert full.severity is Severity.HIGH
    assert "爆满" in full.message.zh
    assert full.evidence["used_pct"] == 90.0
    assert full.subject_id == "p-wjw:cores"
    assert near(100, 100)[0].severity is Severity.HIGH


def test_near_limit_skips_unlimited_zero_and_exceeded() -> None:
    assert near(-1, 10_000) == []
    assert near(0, 0) == []
    assert near(100, 101) == []  # quota-exceeded's
    assert near(100, 85, danger_pct=86, full_pct=95) == []


def test_ram_is_shown_in_gib() -> None:
    [f] = run("quota-near-limit", estate(quotas=(quota(R.RAM, 102_400, 97_280),)))
    assert "100.0 GiB" in f.message.en
    assert "内存" in f.message.zh


def test_quota_exceeded() -> None:
    data = estate(
        quotas=(
            quota(R.CORES, 100, 120),
            quota(R.RAM, 100, 100),
            quota(R.INSTANCES, -1, 999),
            quota(R.VOLUMES, 0, 1),
        )
    )
    found = {f.subject_id: f for f in run("quota-exceeded", data)}
    assert set(found) == {"p-wjw:cores", "p-wjw:volumes"}
    assert found["p-wjw:cores"].severity is Severity.HIGH
    assert found["p-wjw:cores"].evidence["over"] == 20
    assert found["p-wjw:volumes"].evidence["used_pct"] is None


def test_quota_idle_reclaims_quota_above_usage_with_headroom() -> None:
    data = estate(
        quotas=(
            quota(R.CORES, 200, 20),
            quota(R.RAM, 102_400, 40_000),  # 39%: not idle
            quota(R.CORES, 8, 0, project_id="p-small"),  # below min_vcpus
            quota(R.INSTANCES, 100, 0),  # not judged
        )
    )
    [f] = run("quota-idle", data)
    assert f.subject_id == "p-wjw:cores"
    assert f.severity is Severity.LOW
    assert f.reclaim.vcpus == 200 - 26
    assert f.reclaim.ram_mib == 0
    assert f.evidence["reclaim_kind"] == "quota"
    assert f.evidence["suggested_limit"] == 26


def test_quota_idle_boundary_and_ram() -> None:
    exact = estate(quotas=(quota(R.CORES, 100, 30),))
    assert run("quota-idle", exact) == []
    [ram] = run("quota-idle", estate(quotas=(quota(R.RAM, 65_536, 0),)))
    assert ram.reclaim.ram_mib == 65_536
    assert "配额" in ram.action.zh
