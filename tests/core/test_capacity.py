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
from govcloud.core.quota_check import check_pool

POOL = Pool(
    code="p", name_zh="生产", name_en="prod", cloud="c", region="r", security_zone="政务外网",
    mlps_level_max=3, ratios=None, reserve=Reserve(vcpu=10, ram_mib=1024, disk_gib=0),
    physical=PhysicalCapacity(cpu_cores=100, ram_mib=100 * 1024, disk_gib=1000),
)  # fmt: skip
Q = QuotaResource


def _vcpu(total: int, reserved: int, ratio: float, used: int = 0) -> dict[str, CapacityRecord]:
    return {"VCPU": CapacityRecord("p", "VCPU", total, reserved, ratio, used, 2)}


def test_placement_rule_is_total_minus_reserved_times_ratio() -> None:
    assert usable(64, 4, 4.0) == 240


def test_placement_capacity_with_its_own_ratio_then_pool_reserve() -> None:
    s = summarize_pool(POOL, _vcpu(128, 8, 16.0, used=100), Allocated(vcpus=100), {Q.CORES: 500})
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


def test_allocation_is_what_placement_says_the_hypervisors_hold() -> None:
    """A shelved (SHELVED_OFFLOADED) 4-vCPU server still counts in the flavors' Σ (43) but holds
    nothing on a hypervisor: Placement's 39 is what the pool has allocated."""
    s = summarize_pool(POOL, _vcpu(128, 8, 16.0, used=39), Allocated(vcpus=43), {Q.CORES: 500})
    assert (s.vcpu_allocated, s.vcpu_headroom) == (39, s.vcpu_capacity - 39)
    rows = {r.resource: r for r in check_pool(POOL, _vcpu(128, 8, 16.0, used=39),
                                              Allocated(vcpus=43), {Q.CORES: 500}, {})}  # fmt: skip
    assert rows["cores"].allocated == 39
    # before the first sync, the flavors' Σ stands in
    assert summarize_pool(POOL, {}, Allocated(vcpus=43), {}).vcpu_allocated == 43
