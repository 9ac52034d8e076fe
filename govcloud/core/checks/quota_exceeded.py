"""`quota-exceeded`: a project using more than its quota allows.

Nova and Cinder only enforce a quota when something is created, so lowering a limit below what
a project already holds leaves usage above it — real clouds show this after a quota review.
The department cannot create anything until usage is back under the limit.
"""

from __future__ import annotations

from pydantic import Field

from govcloud.core.audit_data import AuditData
from govcloud.core.checks import CheckParams, register
from govcloud.core.checks._common import RESOURCE_EN, RESOURCE_ZH, quota_amount, quota_finding
from govcloud.core.findings import Finding, Text
from govcloud.core.models import QuotaResource, QuotaUsage
from govcloud.core.severity import Severity


class QuotaExceededParams(CheckParams):
    resources: tuple[QuotaResource, ...] = Field(tuple(QuotaResource), min_length=1)


@register(
    "quota-exceeded",
    QuotaExceededParams,
    summary=Text("Projects using more than their quota", "已使用量超过配额的项目"),
    example={"resources": [r.value for r in QuotaResource]},
)
def quota_exceeded(data: AuditData, params: QuotaExceededParams) -> list[Finding]:
    wanted = set(params.resources)
    return [
        _finding(data, q)
        for q in data.quotas
        if q.resource in wanted and q.limit >= 0 and q.in_use > q.limit
    ]


def _finding(data: AuditData, q: QuotaUsage) -> Finding:
    res = QuotaResource(q.resource)
    used, limit = quota_amount(res, q.in_use), quota_amount(res, q.limit)
    over = quota_amount(res, q.in_use - q.limit)
    return quota_finding(
        data,
        q,
        check="quota-exceeded",
        severity=Severity.HIGH,
        message=Text(
            f"{RESOURCE_EN[res]} in use {used} exceeds the quota {limit} by {over}",
            f"{RESOURCE_ZH[res]}已使用 {used}，超出配额 {limit}（超出 {over}）",
        ),
        action=Text(
            "release resources until usage is under the quota, or have the higher quota "
            "approved and applied (`govcloud quota plan`)",
            "释放资源使已使用量回到配额以内，或走审批流程调高配额（`govcloud quota plan`）",
        ),
        evidence={
            "over": q.in_use - q.limit,
            "used_pct": None if q.limit == 0 else round(100.0 * q.in_use / q.limit, 1),
        },
    )
