"""Per-department view: approved quota against what the department's servers hold."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from govcloud.core.capacity import Allocated, pct
from govcloud.core.models import Department, QuotaResource


@dataclass(frozen=True)
class TenantSummary:
    code: str
    name_zh: str
    short_zh: str
    name_en: str
    pools: str  # comma-separated pool codes
    projects: int
    systems: int
    servers: int
    vcpu_used: int
    vcpu_quota: int
    vcpu_pct: float | None
    ram_gib_used: int
    ram_gib_quota: int
    ram_pct: float | None
    volume_gib_used: int
    volume_gib_quota: int
    volume_pct: float | None
    findings: int | None


def approved_totals(dept: Department) -> dict[QuotaResource, int]:
    totals = dict.fromkeys(QuotaResource, 0)
    for binding in dept.projects:
        for resource, limit in binding.approved_quota.items():
            totals[resource] += limit
    return totals


def summarize_tenant(
    dept: Department,
    allocated: Allocated,
    systems: int,
    findings: Mapping[str, int] | None = None,
) -> TenantSummary:
    quota = approved_totals(dept)
    ram_used_gib = allocated.ram_mib // 1024
    ram_quota_gib = quota[QuotaResource.RAM] // 1024
    return TenantSummary(
        code=dept.code,
        name_zh=dept.name_zh,
        short_zh=dept.short_zh,
        name_en=dept.name_en,
        pools=",".join(b.pool_code for b in dept.projects),
        projects=len(dept.projects),
        systems=systems,
        servers=allocated.servers,
        vcpu_used=allocated.vcpus,
        vcpu_quota=quota[QuotaResource.CORES],
        vcpu_pct=pct(allocated.vcpus, quota[QuotaResource.CORES]),
        ram_gib_used=ram_used_gib,
        ram_gib_quota=ram_quota_gib,
        ram_pct=pct(allocated.ram_mib, quota[QuotaResource.RAM]),
        volume_gib_used=allocated.volume_gib,
        volume_gib_quota=quota[QuotaResource.GIGABYTES],
        volume_pct=pct(allocated.volume_gib, quota[QuotaResource.GIGABYTES]),
        findings=None if findings is None else findings.get(dept.code, 0),
    )
