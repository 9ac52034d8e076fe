"""What an audit says: findings with evidence, and what could be reclaimed.

A finding names its subject (a pool, department, system, VM, volume, snapshot or project), says
what is wrong and what to do in both languages, and carries its evidence: the numbers, the
window and the data coverage behind the verdict. govcloud recommends; it never acts on its own
(reclaiming follows the bureau's 申请 → 审核 → 开通 → 回收 lifecycle as a separate, audited change).

Findings of two runs are matched by `key` (check, subject type, subject id), which is what
`audit diff` uses to say new / resolved / persisting.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from govcloud.core.severity import Severity, at_or_above_rank

if TYPE_CHECKING:
    from govcloud.core.models import Department


class SubjectType(StrEnum):
    POOL = "pool"
    DEPARTMENT = "department"
    SYSTEM = "system"
    PROJECT = "project"
    VM = "vm"
    VOLUME = "volume"
    SNAPSHOT = "snapshot"
    SECURITY_GROUP = "security_group"
    FLOATING_IP = "floating_ip"

    @property
    def zh(self) -> str:
        return _SUBJECT_ZH[self]


_SUBJECT_ZH = {
    SubjectType.POOL: "资源池",
    SubjectType.DEPARTMENT: "部门",
    SubjectType.SYSTEM: "业务系统",
    SubjectType.PROJECT: "项目",
    SubjectType.VM: "云主机",
    SubjectType.VOLUME: "云硬盘",
    SubjectType.SNAPSHOT: "快照",
    SubjectType.SECURITY_GROUP: "安全组",
    SubjectType.FLOATING_IP: "浮动IP",
}


@dataclass(frozen=True)
class Reclaim:
    """Capacity a finding would give back if acted on (never negative)."""

    vcpus: int = 0
    ram_mib: int = 0
    volume_gib: int = 0

    def __bool__(self) -> bool:
        return bool(self.vcpus or self.ram_mib or self.volume_gib)

    def __add__(self, other: Reclaim) -> Reclaim:
        return Reclaim(
            self.vcpus + other.vcpus,
            self.ram_mib + other.ram_mib,
            self.volume_gib + other.volume_gib,
        )

    @property
    def ram_gib(self) -> float:
        return round(self.ram_mib / 1024, 1)


@dataclass(frozen=True)
class Text:
    """One message in both languages; reports and tables pick one."""

    en: str
    zh: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Finding:
    check: str  # the registered check type, e.g. "idle"
    severity: Severity
    subject_type: SubjectType
    subject_id: str  # stable id: server/volume UUID, pool/department/system code, project id
    subject_name: str  # what people read (VM name; declared names in Chinese)
    pool: str | None
    department: str | None  # department code; None: no department declares the subject
    message: Text
    action: Text
    evidence: Mapping[str, Any] = field(default_factory=dict)  # JSON-able numbers and window
    reclaim: Reclaim = field(default_factory=Reclaim)
    system: str | None = None
    # The subject in English when it is built from declared names (a system's name_en, "RAM");
    # None: it reads the same in both languages (a VM, volume or project name from OpenStack).
    subject_name_en: str | None = None
    # The department's declared names (short_zh, name_en), for tables; None: no department, or
    # one the inventory no longer declares. Not stored with the finding: read by joining it.
    department_name: Text | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.check, self.subject_type.value, self.subject_id)

    @property
    def subject(self) -> Text:
        """The subject's name in both languages: a table under `--lang en` shows no Chinese
        where an English name is declared."""
        return Text(self.subject_name_en or self.subject_name, self.subject_name)


def department_names(departments: Iterable[Department]) -> dict[str, Text]:
    """Code -> the names tables show: the short Chinese name (卫健委) and the English name."""
    return {d.code: Text(d.name_en, d.short_zh) for d in departments}


def with_department_names(
    findings: Sequence[Finding], departments: Iterable[Department]
) -> list[Finding]:
    """FINDINGS with their department's names, as a stored run reads them back: a check knows
    the department by its code only."""
    names = department_names(departments)
    out = []
    for f in findings:
        name = names.get(f.department) if f.department else None
        out.append(dataclasses.replace(f, department_name=name) if name else f)
    return out


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Worst first, then by check, pool, department and subject: a stable, readable order."""
    return sorted(
        findings,
        key=lambda f: (
            -f.severity.rank,
            f.check,
            f.pool or "",
            f.department or "",
            f.subject_name,
            f.subject_id,
        ),
    )


def is_quota_reclaim(finding: Finding) -> bool:
    """Quota given back (`quota-idle`) frees promises, not hardware: kept out of totals."""
    return finding.evidence.get("reclaim_kind") == "quota"


def reclaim_total(findings: list[Finding]) -> Reclaim:
    """Σ reclaimable hardware over findings, counting each subject once (the largest claim
    wins), so an idle VM that is also oversized is not reclaimed twice."""
    best: dict[tuple[str, str], Reclaim] = {}
    for f in findings:
        if not f.reclaim or is_quota_reclaim(f):
            continue
        k = (f.subject_type.value, f.subject_id)
        cur = best.get(k)
        if cur is None or _size(f.reclaim) > _size(cur):
            best[k] = f.reclaim
    total = Reclaim()
    for r in best.values():
        total = total + r
    return total


def _size(r: Reclaim) -> tuple[int, int, int]:
    return (r.vcpus, r.ram_mib, r.volume_gib)


@dataclass(frozen=True)
class CheckCount:
    """How many findings one check gave, by severity: the first table of an audit."""

    check: str
    findings: int
    critical: int
    high: int
    medium: int
    low: int
    info: int


def count_by_check(findings: list[Finding]) -> list[CheckCount]:
    """Per check, most severe first (then by count)."""
    per: dict[str, dict[Severity, int]] = {}
    for f in findings:
        counts = per.setdefault(f.check, {})
        counts[f.severity] = counts.get(f.severity, 0) + 1
    rows = [
        CheckCount(
            check=check,
            findings=sum(c.values()),
            critical=c.get(Severity.CRITICAL, 0),
            high=c.get(Severity.HIGH, 0),
            medium=c.get(Severity.MEDIUM, 0),
            low=c.get(Severity.LOW, 0),
            info=c.get(Severity.INFO, 0),
        )
        for check, c in per.items()
    ]
    return sorted(rows, key=lambda r: (-r.critical, -r.high, -r.medium, -r.findings, r.check))


def filter_findings(
    findings: Sequence[Finding],
    *,
    severity: Severity | None = None,
    check: str | None = None,
    department: str | None = None,
    pool: str | None = None,
) -> list[Finding]:
    return [
        f
        for f in findings
        if (severity is None or at_or_above_rank(f.severity, severity))
        and (check is None or f.check == check)
        and (department is None or f.department == department)
        and (pool is None or f.pool == pool)
    ]
