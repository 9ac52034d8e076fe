"""`quota-idle`: approved quota a department barely uses — quota to give back to the pool.

A pool's quotas add up to more than it can hold (`pool-overcommit`); the cheapest capacity is
quota promised and never used. The reclaim keeps the usage plus headroom (x1.3, Azure
Migrate's comfort factor) and gives back the rest. It is quota, not hardware: no VM changes,
but the promise the pool must honour shrinks. Small quotas are left alone (not worth a review).
"""

from __future__ import annotations

import math

from pydantic import Field

from govcloud.core.audit_data import AuditData
from govcloud.core.checks import CheckParams, register
from govcloud.core.checks._common import RESOURCE_EN, RESOURCE_ZH, quota_amount, quota_finding
from govcloud.core.findings import Finding, Reclaim, Text
from govcloud.core.models import QuotaResource, QuotaUsage
from govcloud.core.severity import Severity


class QuotaIdleParams(CheckParams):
    max_used_pct: float = Field(30.0, gt=0, lt=100, description="used below this is idle")
    headroom: float = Field(1.3, ge=1.0, le=5.0, description="kept above usage")
    min_vcpus: int = Field(16, ge=0, description="cores quotas below this are not judged")
    min_ram_mib: int = Field(32_768, ge=0, description="ram quotas below this are not judged")


@register(
    "quota-idle",
    QuotaIdleParams,
    summary=Text(
        "Approved vCPU/RAM quota mostly unused: quota to give back",
        "虚拟CPU/内存配额大部分未使用，可收回配额",
    ),
    example={"max_used_pct": 30, "headroom": 1.3, "min_vcpus": 16, "min_ram_mib": 32768},
)
def quota_idle(data: AuditData, params: QuotaIdleParams) -> list[Finding]:
    minimum = {QuotaResource.CORES: params.min_vcpus, QuotaResource.RAM: params.min_ram_mib}
    findings = []
    for q in data.quotas:
        floor = minimum.get(QuotaResource(q.resource))
        if floor is None or q.limit <= 0 or q.limit < floor:
            continue
        used_pct = 100.0 * q.in_use / q.limit
        if used_pct >= params.max_used_pct:
            continue
        keep = max(q.in_use, math.ceil(q.in_use * params.headroom))
        if q.limit - keep > 0:
            findings.append(_finding(data, params, q, used_pct, keep))
    return findings


def _finding(
    data: AuditData, params: QuotaIdleParams, q: QuotaUsage, used_pct: float, keep: int
) -> Finding:
    res = QuotaResource(q.resource)
    give_back = q.limit - keep
    reclaim = Reclaim(vcpus=give_back) if res is QuotaResource.CORES else Reclaim(ram_mib=give_back)
    return quota_finding(
        data,
        q,
        check="quota-idle",
        severity=Severity.LOW,
        message=Text(
            f"only {used_pct:.1f}% of the {RESOURCE_EN[res]} quota is used "
            f"({quota_amount(res, q.in_use)} of {quota_amount(res, q.limit)})",
            f"{RESOURCE_ZH[res]}配额仅已使用 {used_pct:.1f}%"
            f"（{quota_amount(res, q.in_use)} / {quota_amount(res, q.limit)}）",
        ),
        action=Text(
            f"lower the quota to {quota_amount(res, keep)} at the next quota review, "
            f"giving back {quota_amount(res, give_back)} of quota (not hardware)",
            f"在下次配额审核时将配额调整为 {quota_amount(res, keep)}，"
            f"收回 {quota_amount(res, give_back)} 配额（为配额，非实际硬件）",
        ),
        evidence={
            "used_pct": round(used_pct, 1),
            "suggested_limit": keep,
            "headroom": params.headroom,
            "reclaim_kind": "quota",  # quota given back, not hardware freed
        },
        reclaim=reclaim,
    )
