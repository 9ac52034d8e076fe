"""`stale-snapshot`: volume snapshots older than N days, and snapshots whose volume is gone.

A snapshot of a deleted 云硬盘 is the more likely leftover (nobody restores into a volume that
no longer exists by accident), so it rates higher and is reported from `orphan_min_days` on.
A snapshot without a recorded source volume is judged by age only: the data is incomplete,
not proof the volume was deleted. Anchor: Trusted Advisor and Azure Advisor both flag old
snapshots; 90 days is a common snapshot retention (and AWS Data Lifecycle Manager examples).
"""

from __future__ import annotations

from pydantic import Field

from govcloud.core.audit_data import AuditData
from govcloud.core.checks import CheckParams, register
from govcloud.core.checks._common import age_days
from govcloud.core.findings import Finding, Reclaim, SubjectType, Text
from govcloud.core.models import Snapshot
from govcloud.core.severity import Severity


class StaleSnapshotParams(CheckParams):
    max_age_days: int = Field(90, ge=1, description="older than this is stale")
    orphan_min_days: int = Field(0, ge=0, description="report volume-less snapshots this old")


@register(
    "stale-snapshot",
    StaleSnapshotParams,
    summary=Text(
        "Snapshots older than N days, or whose source volume no longer exists",
        "超过N天的快照，以及源云硬盘已不存在的快照",
    ),
    example={"max_age_days": 90, "orphan_min_days": 0},
)
def stale_snapshot(data: AuditData, params: StaleSnapshotParams) -> list[Finding]:
    live = {(v.pool_code, v.volume_id) for v in data.volumes}
    findings = []
    for snap in data.snapshots:
        days = age_days(data.now, snap.created_at)
        orphan = snap.volume_id is not None and (snap.pool_code, snap.volume_id) not in live
        if orphan and (days is None or days >= params.orphan_min_days):
            findings.append(_finding(data, params, snap, days, orphan=True))
        elif days is not None and days > params.max_age_days:
            findings.append(_finding(data, params, snap, days, orphan=False))
    return findings


def _finding(
    data: AuditData,
    params: StaleSnapshotParams,
    snap: Snapshot,
    days: float | None,
    *,
    orphan: bool,
) -> Finding:
    age_en = "of unknown age" if days is None else f"{int(days)} days old"
    age_zh = "创建时间未知" if days is None else f"已创建{int(days)}天"
    if orphan:
        message = Text(
            f"{snap.size_gib} GiB snapshot ({age_en}) of a volume that no longer exists",
            f"{snap.size_gib} GiB 快照（{age_zh}）的源云硬盘已不存在",
        )
    else:
        message = Text(
            f"{snap.size_gib} GiB snapshot {age_en} (kept over {params.max_age_days} days)",
            f"{snap.size_gib} GiB 快照{age_zh}（超过 {params.max_age_days} 天保留期）",
        )
    return Finding(
        check="stale-snapshot",
        severity=Severity.MEDIUM if orphan else Severity.LOW,
        subject_type=SubjectType.SNAPSHOT,
        subject_id=snap.snapshot_id,
        subject_name=snap.name or snap.snapshot_id,
        pool=snap.pool_code,
        department=data.department_of(snap.pool_code, snap.project_id),
        message=message,
        action=Text(
            "confirm with the department that no restore needs it, then delete the snapshot",
            "与部门确认无需用于恢复后删除该快照",
        ),
        evidence={
            "size_gib": snap.size_gib,
            "age_days": None if days is None else round(days, 1),
            "source_volume_id": snap.volume_id,
            "source_volume_exists": not orphan,
            "max_age_days": params.max_age_days,
            "status": snap.status,
        },
        reclaim=Reclaim(volume_gib=snap.size_gib),
    )
