"""`undersized`: VMs under sustained CPU or memory pressure (rightsizing's grow)."""

from __future__ import annotations

from govcloud.core.audit_data import AuditData
from govcloud.core.checks import register
from govcloud.core.checks._common import recommendation_finding
from govcloud.core.findings import Finding, Text
from govcloud.core.recommendation import Recommendation, Verdict
from govcloud.core.rightsizing import RightsizeParams, recommend, recommendation_evidence
from govcloud.core.severity import Severity


@register(
    "undersized",
    RightsizeParams,
    summary=Text(
        "VMs whose peak demand plus headroom exceeds their flavor (CPU or memory pressure)",
        "峰值需求加余量超过当前规格的云主机（CPU 或内存压力）",
    ),
    example={"window_days": 14, "percentile": 98, "headroom": 1.2},
)
def undersized(data: AuditData, params: RightsizeParams) -> list[Finding]:
    return [_finding(r, params) for r in recommend(data, params) if _pressured(r)]


def _pressured(r: Recommendation) -> bool:
    return r.verdict is Verdict.UNDER or (r.verdict is Verdict.NO_FIT and excess(r) > 1.0)


def excess(r: Recommendation) -> float:
    """How far demand exceeds the flavor: the larger of CPU and RAM demand / current size."""
    cpu = (r.cpu_demand_vcpus or 0.0) / max(r.current_vcpus, 1)
    ram = (r.ram_demand_mib or 0.0) / max(r.current_ram_mib, 1)
    return max(cpu, ram)


def _severity(r: Recommendation) -> Severity:
    ratio = excess(r)
    if ratio >= 2.0 or r.verdict is Verdict.NO_FIT:
        return Severity.HIGH
    return Severity.MEDIUM if ratio >= 1.5 else Severity.LOW


def _finding(r: Recommendation, params: RightsizeParams) -> Finding:
    if r.target_flavor:
        action = Text(
            f"grow to {r.target_flavor} ({r.target_vcpus} vCPU) or spread the load",
            f"扩容至 {r.target_flavor}（{r.target_vcpus} vCPU）或分担负载",
        )
    else:
        action = Text(
            "no flavor of the pool holds the demand: split the workload or add a larger flavor",
            "资源池中没有能容纳该需求的规格：拆分业务或新增更大规格",
        )
    return recommendation_finding(
        r,
        check="undersized",
        severity=_severity(r),
        message=Text(
            f"{r.current_flavor} is too small ({excess(r):.1f}x): {r.reason.en}",
            f"{r.current_flavor} 配置不足（{excess(r):.1f} 倍）：{r.reason.zh}",
        ),
        action=action,
        evidence=recommendation_evidence(r, params),
    )
