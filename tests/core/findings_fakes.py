"""Hand-written findings for audit tests."""

from __future__ import annotations

from govcloud.core.findings import Finding, Reclaim, SubjectType, Text
from govcloud.core.severity import Severity


def finding(
    check: str = "idle",
    subject_id: str = "vm-1",
    severity: Severity = Severity.MEDIUM,
    *,
    pool: str | None = "zw-prod",
    department: str | None = "wjw",
    reclaim: Reclaim | None = None,
    subject_type: SubjectType = SubjectType.VM,
    name: str | None = None,
    name_en: str | None = None,
) -> Finding:
    return Finding(
        check=check,
        severity=severity,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_name=name or f"name-{subject_id}",
        pool=pool,
        department=department,
        message=Text(f"{check} {subject_id}", f"{check} {subject_id}（中文）"),
        action=Text("reclaim it", "回收"),
        evidence={"cpu_p95_pct": 1.5, "window_days": 14},
        reclaim=reclaim or Reclaim(),
        system="sys-1",
        subject_name_en=name_en,
    )
