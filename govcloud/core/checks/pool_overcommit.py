"""`pool-overcommit`: per pool, Σ approved quota and Σ allocated against what the pool can hold.

The arithmetic and severities are `quota check`'s (govcloud.core.quota_check.check_pool):
capacity is Placement's (total - reserved) x allocation ratio minus the pool's failover
reserve; Σ quotas above capacity is risky (medium), above Placement's own limit high;
allocation in the Skyline bands low/medium, into the reserve high, above the limit critical;
an unlimited (-1) department quota high. This check only turns those rows into findings.

Storage is judged the same way, per pool and per volume type, with `quota check`'s storage rows
(govcloud.core.quota_check.check_storage over govcloud.core.storage_capacity): usable is the
Cinder backends' total x over-subscription (thin) minus their reserve, what is held is the
provisioned GiB, and Σ approved above usable is a finding even where the cloud's limits are
lower. A backend reporting infinite/unknown capacity makes the figure unknown: that is an info
note (like unknown vCPU capacity), never a risk; a volume type's unknown capacity is noted only
where something was promised on it.
"""

from __future__ import annotations

from pydantic import Field

from govcloud.core.audit_data import AuditData
from govcloud.core.capacity import Allocated
from govcloud.core.checks import CheckParams, register
from govcloud.core.commitment import allocated_by_pool, committed_quota, storage_by_pool
from govcloud.core.findings import Finding, SubjectType, Text
from govcloud.core.quota_check import PoolQuotaCheck, check_pool, check_storage
from govcloud.core.severity import Severity
from govcloud.core.storage_capacity import StorageCapacity

_RES_ZH = {"cores": "虚拟CPU", "ram": "内存", "gigabytes": "云硬盘容量"}
_RES_EN = {"cores": "vCPU", "ram": "RAM", "gigabytes": "volume GiB"}


class PoolOvercommitParams(CheckParams):
    report_unknown: bool = Field(True, description="an info finding when capacity is unknown")


@register(
    "pool-overcommit",
    PoolOvercommitParams,
    summary=Text(
        "Σ approved quota and Σ allocated vCPU/RAM/storage against each pool's capacity",
        "各资源池配额总和与已分配虚拟CPU/内存/存储对比可用容量",
    ),
    example={"report_unknown": True},
)
def pool_overcommit(data: AuditData, params: PoolOvercommitParams) -> list[Finding]:
    allocated = allocated_by_pool(data)
    storage = storage_by_pool(data)
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
        rows += [check_storage(pool, cap) for cap in storage.get(pool.code, []) if _judged(cap)]
        for row in rows:
            if row.severity is Severity.OK:
                continue
            if row.severity is Severity.INFO and not params.report_unknown:
                continue
            findings.append(_finding(row))
    return findings


def _judged(cap: StorageCapacity) -> bool:
    """The pool's row always; a volume type's only when its capacity is known or something was
    promised on it (an unknown type nobody was promised is no news)."""
    if cap.volume_type is None or cap.usable_gib is not None:
        return True
    return cap.approved_gib > 0 or cap.quota_gib > 0


def _names(resource: str) -> tuple[str, str]:
    """(English, Chinese) name of a row's resource: `gigabytes_ssd` is volume GiB of type ssd."""
    if resource in _RES_EN:
        return _RES_EN[resource], _RES_ZH[resource]
    vt = resource.removeprefix("gigabytes_")
    return f"volume GiB of type {vt}", f"云硬盘类型 {vt} 容量"


def _finding(row: PoolQuotaCheck) -> Finding:
    res_en, res_zh = _names(row.resource)
    unit = row.unit
    storage = row.resource.startswith("gigabytes")
    if row.capacity is None and storage:
        message = Text(
            f"{res_en} capacity unknown, not judged: {row.finding.removeprefix(_UNKNOWN)}",
            f"{res_zh}未知，未作判断：{row.finding.removeprefix(_UNKNOWN)}",
        )
    elif row.capacity is None:
        message = Text(
            f"{res_en} capacity unknown: sync the pool or declare its physical capacity",
            f"{res_zh}容量未知：请同步资源池或声明物理容量",
        )
    elif storage:
        message = Text(
            f"{res_en}: Σ quotas {row.quota_committed:,} GiB ({_p(row.quota_pct)}), "
            f"Σ approved {row.approved or 0:,} GiB, provisioned {row.provisioned or 0:,} GiB "
            f"({_p(row.allocated_pct)}) of usable {row.capacity:,} GiB",
            f"{res_zh}：配额合计 {row.quota_committed:,} GiB（{_p(row.quota_pct)}），"
            f"批复合计 {row.approved or 0:,} GiB，已置备 {row.provisioned or 0:,} GiB"
            f"（{_p(row.allocated_pct)}），可用容量 {row.capacity:,} GiB",
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
        subject_name_en=f"{row.pool_en} {res_en}",
        pool=row.pool,
        department=None,
        message=message,
        action=_STORAGE_ACTION if storage else _ACTION,
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
            **_storage_evidence(row),
        },
    )


_UNKNOWN = "storage capacity unknown: "
_ACTION = Text(
    "reclaim idle quota (`quota-idle`) and idle VMs before approving more; "
    "plan capacity if allocation keeps growing",
    "审批新配额前先收回闲置配额和闲置云主机；已分配持续增长时规划扩容",
)
_STORAGE_ACTION = Text(
    "reclaim orphan volumes and idle storage quota (`orphan-volume`, `quota-idle`) before "
    "approving more; add backend capacity if provisioning keeps growing",
    "审批新配额前先回收孤立云硬盘和闲置存储配额；已置备容量持续增长时扩容存储后端",
)


def _storage_evidence(row: PoolQuotaCheck) -> dict[str, object]:
    if not row.resource.startswith("gigabytes"):
        return {}
    vt = row.resource.removeprefix("gigabytes").removeprefix("_")
    return {
        "volume_type": vt or None,
        "approved": row.approved,
        "provisioned": row.provisioned,
    }


def _p(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"
