"""`oversized`: VMs whose demand fits a smaller flavor of their pool (rightsizing's shrink)."""

from __future__ import annotations

from govcloud.core.audit_data import AuditData
from govcloud.core.checks import register
from govcloud.core.checks._common import recommendation_finding
from govcloud.core.findings import Finding, Text
from govcloud.core.recommendation import Recommendation, Verdict
from govcloud.core.rightsizing import RightsizeParams, recommend, recommendation_evidence
from govcloud.core.severity import Severity


@register(
    "oversized",
    RightsizeParams,
    summary=Text(
        "VMs whose peak demand plus headroom fits a smaller flavor: reclaim the difference",
        "峰值需求加余量可由更小规格容纳的云主机：可回收差额",
    ),
    example={"window_days": 14, "percentile": 98, "headroom": 1.2},
)
def oversized(data: AuditData, params: RightsizeParams) -> list[Finding]:
    return [_finding(r, params) for r in recommend(data, params) if r.verdict is Verdict.OVER]


def _severity(r: Recommendation) -> Severity:
    if r.confidence < 3:
        return Severity.INFO  # too little data to press for a change
    halved = r.reclaim.vcpus * 2 >= r.current_vcpus or r.reclaim.ram_mib * 2 >= r.current_ram_mib
    return Severity.MEDIUM if halved else Severity.LOW


def _finding(r: Recommendation, params: RightsizeParams) -> Finding:
    return recommendation_finding(
        r,
        check="oversized",
        severity=_severity(r),
        message=Text(
            f"{r.current_flavor} is larger than needed: {r.reason.en}",
            f"{r.current_flavor} 配置过高：{r.reason.zh}",
        ),
        action=Text(
            f"resize to {r.target_flavor} after the owner agrees (frees {r.reclaim.vcpus} vCPU,"
            f" {r.reclaim.ram_gib:g} GiB)",
            f"经业主确认后调整为 {r.target_flavor}（释放 {r.reclaim.vcpus} vCPU、"
            f"{r.reclaim.ram_gib:g} GiB 内存）",
        ),
        evidence=recommendation_evidence(r, params),
        reclaim=r.reclaim,
    )
