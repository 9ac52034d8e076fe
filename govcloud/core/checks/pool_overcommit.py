"""`pool-overcommit`: per pool, Σ approved quota and Σ allocated against what the pool can hold.

The arithmetic and severities are `quota check`'s (govcloud.core.quota_check.check_pool):
capacity is Placement's (total - reserved) x allocation ratio minus the pool's failover
reserve; Σ quotas above capacity is risky (medium), above Placement's own limit high;
allocation in the Skyline bands low/medium, into the reserve high, above the limit critical;
an unlimited (-1) department quota high. This check only turns those rows into findings.
"""

from __future__ import annotations

from pydantic import Field

from govcloud.core.audit_data import AuditData
from govcloud.core.capacity import Allocated
from govcloud.core.checks import CheckParams, register
from govcloud.core.commitment import allocated_by_pool, committed_quota
from govcloud.core.findings import Finding, SubjectType, Text
from govcloud.core.quota_check import PoolQuotaCheck, check_pool
from govcloud.core.severity import Severity

_RES_ZH = {"cores": "虚拟CPU", "ram": "内存"}
_RES_EN = {"cores": "vCPU", "ram": "RAM"}


class PoolOvercommitParams(CheckParams):
    report_unknown: bool = Field(True, description="an info finding when capacity is unknown")


@register(
    "pool-overcommit",
    PoolOvercommitParams,
    summary=Text(
        "Σ approved quota and Σ allocated vCPU/RAM against each pool's capacity",
        "各资源池配额总和与已分配虚拟CPU/内存对比可用容量",
    ),
    example={"report_unknown": True},
)
def pool_overcommit(data: AuditData, params: PoolOvercommitParams) -> list[Finding]:
    allocated = allocated_by_pool(data)
    findings = []
    for pool in data.pools:
        committed, unlimited = committed_quota(data, pool.code)
        rows = check_pool(
            pool,
            data.capacity.get(pool.code, {}),
            allocated.get(pool.code, Allocated()),
            committed,
            unlimited,
        )
        for row in rows:
            if row.severity is Severity.OK:
                continue
            if row.severity is Severity.INFO and not params.report_unknown:
                continue
            findings.append(_finding(row))
    return findings


def _finding(row: PoolQuotaCheck) -> Finding:
    res_en, res_zh = _RES_EN[row.resource], _RES_ZH[row.resource]
    unit = row.unit
    if row.capacity is None:
        message = Text(
            f"{res_en} capacity unknown: sync the pool or declare its physical capacity",
            f"{res_zh}容量未知：请同步资源池或声明物理容量",
        )
    else:
        message = Text(
            f"{res_en}: Σ quotas {row.quota_committed:,} {unit} ({_p(row.quota_pct)}), "
            f"allocated {row.allocated:,} {unit} ({_p(row.allocated_pct)}) "
            f"of capacity {row.capacity:,} {unit}",
            f"{res_zh}：配额合计 {row.quota_committed:,} {unit}（{_p(row.quota_pct)}），"
            f"已分配 {row.allocated:,} {unit}（{_p(row.allocated_pct)}），"
            f"可用容量 {row.capacity:,} {unit}",
        )
    return Finding(
        check="pool-overcommit",
        severity=row.severity,
        subject_type=SubjectType.POOL,
        subject_id=f"{row.pool}:{row.resource}",
        subject_name=f"{row.pool_zh} {res_zh}",
        pool=row.pool,
        department=None,
        message=message,
        action=Text(
            "reclaim idle quota (`quota-idle`) and idle VMs before approving more; "
            "plan capacity if allocation keeps growing",
            "审批新配额前先收回闲置配额和闲置云主机；已分配持续增长时规划扩容",
        ),
        evidence={
            "resource": row.resource,
            "unit": unit,
            "capacity_source": row.capacity_source,
            "ratio": row.ratio,
            "placement_limit": row.placement_limit,
            "reserve": row.reserve,
            "capacity": row.capacity,
            "quota_committed": row.quota_committed,
            "unlimited_projects": row.unlimited_projects,
            "quota_pct": row.quota_pct,
            "allocated": row.allocated,
            "allocated_pct": row.allocated_pct,
            "detail": row.finding,
        },
    )


def _p(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"
