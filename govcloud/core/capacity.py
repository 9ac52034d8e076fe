"""Pool capacity arithmetic: what a pool can hold, what is allocated and what is promised.

Placement's rule: usable = (total - reserved) x allocation_ratio. The pool file may override the
ratio (operators set it per aggregate), and its reserve is held back for failover on top.
Before the first sync the declared physical capacity stands in for Placement's inventory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from govcloud.core.models import CapacityRecord, Pool, QuotaResource
from govcloud.core.storage_capacity import StorageCapacity

VCPU, MEMORY_MB, DISK_GB = "VCPU", "MEMORY_MB", "DISK_GB"


@dataclass(frozen=True)
class Allocated:
    """Resources held by a pool's live servers and volumes: Σ flavors and volume sizes (see
    `held_on_hypervisors` for what Placement says the hypervisors hold)."""

    servers: int = 0
    vcpus: int = 0
    ram_mib: int = 0
    disk_gib: int = 0
    volume_gib: int = 0


@dataclass(frozen=True)
class PoolSummary:
    code: str
    name_zh: str
    name_en: str
    security_zone: str
    cloud: str
    region: str
    capacity_source: str  # placement | declared | unknown
    servers: int
    vcpu_capacity: int | None
    vcpu_allocated: int
    vcpu_quota: int | None
    vcpu_headroom: int | None
    ram_gib_capacity: int | None
    ram_gib_allocated: int
    ram_gib_quota: int | None
    ram_gib_headroom: int | None
    disk_gib_capacity: int | None
    disk_gib_allocated: int
    volume_gib_quota: int | None
    cpu_ratio: float | None
    ram_ratio: float | None
    disk_ratio: float | None
    vcpu_allocated_pct: float | None
    ram_allocated_pct: float | None
    quota_overcommit: bool
    vcpu_quota_pct: float | None = None  # Σ quotas / capacity; None when unknown or unbounded
    ram_quota_pct: float | None = None
    # Cinder storage (None: unknown; see storage_note), as `storage_capacity` computes it
    volume_gib_total: int | None = None
    volume_gib_usable: int | None = None
    volume_gib_allocated: int | None = None
    volume_gib_provisioned: int | None = None
    volume_gib_approved: int | None = None
    volume_quota_pct: float | None = None
    volume_provisioned_pct: float | None = None
    storage_note: str = ""


def held_on_hypervisors(allocated: Allocated, capacity: Mapping[str, CapacityRecord]) -> Allocated:
    """What the pool's hypervisors hold: Placement's usage where sync has read it - the truth,
    since a SHELVED_OFFLOADED server or an ERROR server without a host holds nothing there
    while its flavor still counts - else Σ flavors of the live servers."""

    def used(rc: str, flavors: int) -> int:
        record = capacity.get(rc)
        return flavors if record is None else record.used

    return replace(
        allocated,
        vcpus=used(VCPU, allocated.vcpus),
        ram_mib=used(MEMORY_MB, allocated.ram_mib),
        disk_gib=used(DISK_GB, allocated.disk_gib),
    )


def usable(total: int, reserved: int, ratio: float) -> int:
    return int((total - reserved) * ratio)


def pct(part: int | float, whole: int | float | None) -> float | None:
    if not whole or whole <= 0:
        return None
    return round(100.0 * part / whole, 1)


def summarize_pool(
    pool: Pool,
    capacity: Mapping[str, CapacityRecord],
    allocated: Allocated,
    committed_quota: Mapping[QuotaResource, int | None],
    storage: StorageCapacity | None = None,
) -> PoolSummary:
    """One pool's capacity, allocation and quota commitment; None means "not known yet".

    A committed quota of None means some department may use the pool without limit (-1).
    STORAGE: the pool's row of `storage_capacity.pool_storage` (Cinder backends).
    """
    allocated = held_on_hypervisors(allocated, capacity)
    vcpu_cap, cpu_ratio = usable_capacity(pool, capacity.get(VCPU), "cpu")
    ram_cap, ram_ratio = usable_capacity(pool, capacity.get(MEMORY_MB), "ram")
    disk_cap, disk_ratio = usable_capacity(pool, capacity.get(DISK_GB), "disk")
    if vcpu_cap is not None:
        vcpu_cap -= pool.reserve.vcpu
    if ram_cap is not None:
        ram_cap -= pool.reserve.ram_mib
    if disk_cap is not None:
        disk_cap -= pool.reserve.disk_gib
    cores_q = committed_quota.get(QuotaResource.CORES)
    ram_q = committed_quota.get(QuotaResource.RAM)
    gib_q = committed_quota.get(QuotaResource.GIGABYTES)
    overcommit = _exceeds(cores_q, vcpu_cap) or _exceeds(ram_q, ram_cap)
    return PoolSummary(
        code=pool.code,
        name_zh=pool.name_zh,
        name_en=pool.name_en,
        security_zone=pool.security_zone,
        cloud=pool.cloud,
        region=pool.region,
        capacity_source=_source(capacity, pool),
        servers=allocated.servers,
        vcpu_capacity=vcpu_cap,
        vcpu_allocated=allocated.vcpus,
        vcpu_quota=cores_q,
        vcpu_headroom=None if vcpu_cap is None else vcpu_cap - allocated.vcpus,
        ram_gib_capacity=_gib(ram_cap),
        ram_gib_allocated=allocated.ram_mib // 1024,
        ram_gib_quota=_gib(ram_q),
        ram_gib_headroom=_gib(None if ram_cap is None else ram_cap - allocated.ram_mib),
        disk_gib_capacity=disk_cap,
        disk_gib_allocated=allocated.disk_gib,
        volume_gib_quota=gib_q,
        cpu_ratio=cpu_ratio,
        ram_ratio=ram_ratio,
        disk_ratio=disk_ratio,
        vcpu_allocated_pct=pct(allocated.vcpus, vcpu_cap),
        ram_allocated_pct=pct(allocated.ram_mib, ram_cap),
        quota_overcommit=overcommit,
        vcpu_quota_pct=None if cores_q is None else pct(cores_q, vcpu_cap),
        ram_quota_pct=None if ram_q is None else pct(ram_q, ram_cap),
        **_storage_fields(storage, gib_q),
    )


def _storage_fields(storage: StorageCapacity | None, quota: int | None) -> dict[str, Any]:
    if storage is None:
        return {"storage_note": "no storage figures"}
    return {
        "volume_gib_total": storage.total_gib,
        "volume_gib_usable": storage.usable_gib,
        "volume_gib_allocated": storage.allocated_gib,
        "volume_gib_provisioned": storage.provisioned_gib,
        "volume_gib_approved": storage.approved_gib,
        "volume_quota_pct": None if quota is None else pct(quota, storage.usable_gib),
        "volume_provisioned_pct": storage.provisioned_pct,
        "storage_note": storage.note,
    }


def usable_capacity(
    pool: Pool, record: CapacityRecord | None, kind: str
) -> tuple[int | None, float | None]:
    """(total - reserved) x ratio before the pool's own reserve, and the ratio used; kind is
    cpu | ram | disk. Placement's inventory where synced, else the declared physical capacity."""
    declared_ratio = getattr(pool.ratios, kind) if pool.ratios else None
    if record is not None:
        ratio = declared_ratio if declared_ratio is not None else record.allocation_ratio
        return usable(record.total, record.reserved, ratio), ratio
    if pool.physical is None or declared_ratio is None:
        return None, declared_ratio
    physical = {
        "cpu": pool.physical.cpu_cores,
        "ram": pool.physical.ram_mib,
        "disk": pool.physical.disk_gib,
    }[kind]
    return usable(physical, 0, declared_ratio), declared_ratio


def _source(capacity: Mapping[str, CapacityRecord], pool: Pool) -> str:
    if capacity:
        return "placement"
    return "declared" if pool.physical is not None and pool.ratios is not None else "unknown"


def _exceeds(quota: int | None, cap: int | None) -> bool:
    if cap is None:
        return False
    return quota is None or quota > cap


def _gib(mib: int | None) -> int | None:
    return None if mib is None else mib // 1024
