"""`quota-near-limit`: a project's 已使用 share of a quota in Skyline's warning bands.

Skyline colours quota usage 危险 at 80% and 爆满 at 90%; a department at its limit cannot create
the next 云主机 or 云硬盘, which is an outage at the worst moment. Unlimited (-1) and zero
limits are skipped; usage above the limit is `quota-exceeded`'s finding, not this one's.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from govcloud.core.audit_data import AuditData
from govcloud.core.checks import CheckParams, register
from govcloud.core.checks._common import RESOURCE_EN, RESOURCE_ZH, quota_amount, quota_finding
from govcloud.core.findings import Finding, Text
from govcloud.core.models import QuotaResource, QuotaUsage
from govcloud.core.quota_check import DANGER_PCT, FULL_PCT
from govcloud.core.severity import Severity


class QuotaNearLimitParams(CheckParams):
    danger_pct: float = Field(DANGER_PCT, gt=0, le=100, description="Skyline 危险")
    full_pct: float = Field(FULL_PCT, gt=0, le=100, description="Skyline 爆满")
    resources: tuple[QuotaResource, ...] = Field(tuple(QuotaResource), min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> QuotaNearLimitParams:
        if self.full_pct <= self.danger_pct:
            raise ValueError("full_pct must be above danger_pct")
        return self


@register(
    "quota-near-limit",
    QuotaNearLimitParams,
    summary=Text(
        "Project quotas used ≥ 80% (危险) or ≥ 90% (爆满), as Skyline shows them",
        "项目配额已使用≥80%（危险）或≥90%（爆满）",
    ),
    example={"danger_pct": 80, "full_pct": 90, "resources": [r.value for r in QuotaResource]},
)
def quota_near_limit(data: AuditData, params: QuotaNearLimitParams) -> list[Finding]:
    wanted = set(params.resources)
    findings = []
    for q in data.quotas:
        if q.resource not in wanted or q.limit <= 0 or q.in_use > q.limit:
            continue
        used_pct = 100.0 * q.in_use / q.limit
        if used_pct >= params.full_pct:
            findings.append(_finding(data, params, q, used_pct, Severity.HIGH, "爆满"))
        elif used_pct >= params.danger_pct:
            findings.append(_finding(data, params, q, used_pct, Severity.MEDIUM, "危险"))
    return findings


def _finding(
    data: AuditData,
    params: QuotaNearLimitParams,
    q: QuotaUsage,
    used_pct: float,
    severity: Severity,
    band_zh: str,
) -> Finding:
    res = QuotaResource(q.resource)
    used, limit = quota_amount(res, q.in_use), quota_amount(res, q.limit)
    return quota_finding(
        data,
        q,
        check="quota-near-limit",
        severity=severity,
        message=Text(
            f"{RESOURCE_EN[res]} quota {used_pct:.1f}% used ({used} of {limit})",
            f"{RESOURCE_ZH[res]}配额已使用 {used_pct:.1f}%（{used} / {limit}），{band_zh}",
        ),
        action=Text(
            "reclaim idle resources in the project, or apply for a larger quota in time",
            "清理项目内闲置资源，或及时申请扩大配额",
        ),
        evidence={
            "reserved": q.reserved,
            "used_pct": round(used_pct, 1),
            "band": "full" if severity is Severity.HIGH else "danger",
            "danger_pct": params.danger_pct,
            "full_pct": params.full_pct,
        },
    )
