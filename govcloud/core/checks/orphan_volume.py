"""`orphan-volume`: 云硬盘 attached to nothing (status `available`) for more than N days.

Cinder's `updated_at` moves on attach and detach, so it dates the detachment; where it is
missing, `created_at` stands in (the evidence says which). A volume with neither is not judged.
Anchor: Trusted Advisor's "underutilized EBS volumes" and Azure Advisor's unattached-disk rule
both reclaim storage nothing uses; 30 days is the retention most bureaus give after notice.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from govcloud.core.audit_data import AuditData
from govcloud.core.checks import CheckParams, register
from govcloud.core.checks._common import age_days, since_of
from govcloud.core.findings import Finding, Reclaim, SubjectType, Text
from govcloud.core.models import Volume
from govcloud.core.severity import Severity


class OrphanVolumeParams(CheckParams):
    min_days: int = Field(30, ge=1, description="unattached for more than this many days")
    medium_after_days: int = Field(90, ge=1, description="medium severity from this many days")

    @model_validator(mode="after")
    def _ordered(self) -> OrphanVolumeParams:
        if self.medium_after_days < self.min_days:
            raise ValueError("medium_after_days must be at least min_days")
        return self


@register(
    "orphan-volume",
    OrphanVolumeParams,
    summary=Text(
        "Volumes attached to nothing for more than N days",
        "未挂载到任何云主机超过N天的云硬盘",
    ),
    example={"min_days": 30, "medium_after_days": 90},
)
def orphan_volume(data: AuditData, params: OrphanVolumeParams) -> list[Finding]:
    findings = []
    for volume in data.volumes:
        if volume.status.lower() != "available" or volume.attached_server_id:
            continue
        since, source = since_of(volume.updated_at, volume.created_at)
        days = age_days(data.now, since)
        if days is None or days <= params.min_days:
            continue
        findings.append(_finding(data, params, volume, days, source))
    return findings


def _finding(
    data: AuditData, params: OrphanVolumeParams, volume: Volume, days: float, source: str
) -> Finding:
    whole = int(days)
    return Finding(
        check="orphan-volume",
        severity=Severity.MEDIUM if days >= params.medium_after_days else Severity.LOW,
        subject_type=SubjectType.VOLUME,
        subject_id=volume.volume_id,
        subject_name=volume.name or volume.volume_id,
        pool=volume.pool_code,
        department=data.department_of(volume.pool_code, volume.project_id),
        message=Text(
            f"{volume.size_gib} GiB volume attached to nothing for {whole} days",
            f"{volume.size_gib} GiB 云硬盘已{whole}天未挂载到任何云主机",
        ),
        action=Text(
            "ask the department whether the data is still needed; snapshot or back it up if so, "
            "then delete the volume through the reclaim process",
            "与部门确认数据是否仍需保留；需要的先快照或备份，再按回收流程删除该云硬盘",
        ),
        evidence={
            "size_gib": volume.size_gib,
            "volume_type": volume.volume_type,
            "bootable": volume.bootable,
            "days_unattached": round(days, 1),
            "since": source,
            "min_days": params.min_days,
        },
        reclaim=Reclaim(volume_gib=volume.size_gib),
    )
