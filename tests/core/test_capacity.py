from __future__ import annotations

from govcloud.core.capacity import Allocated, summarize_pool, usable
from govcloud.core.models import (
    CapacityRecord,
    PhysicalCapacity,
    Pool,
    QuotaResource,
    Ratios,
    Reserve,
)

POOL = Pool(
    code="p", name_zh="生产", name_en="prod", cloud="c", region="r", security_zone="政务外网",
    mlps_level_max=3, ratios=None, reserve=Reserve(vcpu=10, ram_mib=1024, disk_gib=0),
    physical=PhysicalCapacity(cpu_cores=100, ram_mib=100 * 1024, disk_gib=1000),
)  # fmt: skip
Q = QuotaResource


def _vcpu(total: int, reserved: int, ratio: float) -> dict[str, CapacityRecord]:
    return {"VCPU": CapacityRecord("p", "VCPU", total, reserved, ratio, 0, 2)}


def test_placement_rule_is_total_minus_reserved_times_ratio() -> None:
    assert usable(64, 4, 4.0) == 240


def test_placement_capacity_with_its_own_ratio_then_pool_reserve() -> None:
    s = summarize_pool(POOL, _vcpu(128, 8, 16.0), Allocated(vcpus=100), {Q.CORES: 500})
    assert s.capacity_source == "placement"
    assert s.vcpu_capacity == (128 - 8) * 16 - 10
    assert s.vcpu_headroom == s.vcpu_capacity - 100
    assert s.cpu_ratio == 16.0
    assert s.quota_overcommit is False


def test_declared_ratio_overrides_placement() -> None:
    pool = Pool(**{**POOL.__dict__, "ratios": Ratios(4.0, 1.0, 1.0)})
    s = summarize_pool(pool, _vcpu(128, 8, 16.0), Allocated(), {Q.CORES: 500})
    assert s.vcpu_capacity == 120 * 4 - 10
    assert s.quota_overcommit is True  # 500 > 470


def test_before_sync_declared_hardware_stands_in() -> None:
    pool = Pool(**{**POOL.__dict__, "ratios": Ratios(4.0, 1.5, 1.0)})
    s = summarize_pool(pool, {}, Allocated(), {})
    assert s.capacity_source == "declared"
    assert s.vcpu_capacity == 390
    assert s.ram_gib_capacity == int(100 * 1024 * 1.5 - 1024) // 1024


def test_unknown_capacity_is_none_not_zero() -> None:
    s = summarize_pool(POOL, {}, Allocated(vcpus=5), {Q.CORES: 10})
    assert s.capacity_source == "unknown"
    assert (s.vcpu_capacity, s.vcpu_headroom, s.vcpu_allocated_pct) == (None, None, None)
    assert s.quota_overcommit is False


def test_unlimited_quota_is_an_overcommitment() -> None:
    s = summarize_pool(POOL, _vcpu(128, 0, 1.0), Allocated(), {Q.CORES: None})
    assert s.vcpu_quota is None
    assert s.quota_overcommit is True
