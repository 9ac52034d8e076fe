"""Two audit runs compared: which findings are new, resolved or persisting.

Findings are matched by `Finding.key` (check, subject type, subject id), so a VM that stays idle
is one persisting finding even if its numbers moved; a severity that changed is noted, which is
how a bureau sees whether departments act on the last report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from govcloud.core.findings import Finding, sort_findings
from govcloud.core.severity import Severity


class DiffStatus(StrEnum):
    NEW = "new"
    RESOLVED = "resolved"
    PERSISTING = "persisting"

    @property
    def zh(self) -> str:
        return {"new": "新增", "resolved": "已解决", "persisting": "持续"}[self.value]


@dataclass(frozen=True)
class AuditDiff:
    new: list[Finding]  # in the later run only
    resolved: list[Finding]  # in the earlier run only (as the earlier run saw them)
    persisting: list[Finding]  # in both (as the later run sees them)
    severity_before: dict[tuple[str, str, str], Severity]  # persisting keys whose severity moved

    @property
    def changed(self) -> list[Finding]:
        return [f for f in self.persisting if f.key in self.severity_before]

    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.new),
            "resolved": len(self.resolved),
            "persisting": len(self.persisting),
            "severity_changed": len(self.severity_before),
        }


def diff_findings(before: Iterable[Finding], after: Iterable[Finding]) -> AuditDiff:
    old = _by_key(before)
    cur = _by_key(after)
    persisting = [f for k, f in cur.items() if k in old]
    moved = {f.key: old[f.key].severity for f in persisting if old[f.key].severity != f.severity}
    return AuditDiff(
        new=sort_findings([f for k, f in cur.items() if k not in old]),
        resolved=sort_findings([f for k, f in old.items() if k not in cur]),
        persisting=sort_findings(persisting),
        severity_before=moved,
    )


def _by_key(findings: Iterable[Finding]) -> dict[tuple[str, str, str], Finding]:
    # One finding per key and run; should a check repeat a subject, the first one counts.
    out: dict[tuple[str, str, str], Finding] = {}
    for f in findings:
        out.setdefault(f.key, f)
    return out


@dataclass(frozen=True)
class DiffRow:
    """One line of `audit diff`: snake_case fields are the JSON contract."""

    status: DiffStatus
    severity: Severity
    previous_severity: Severity | None
    check: str
    subject_type: str
    subject_id: str
    subject_name: str
    subject_name_en: str  # the subject_name when no English name is declared
    pool: str | None
    department: str | None  # the code; its declared names follow (None: not declared)
    department_zh: str | None
    department_en: str | None
    message_en: str
    message_zh: str


def diff_rows(diff: AuditDiff) -> list[DiffRow]:
    """New first, then persisting, then resolved; worst first within each."""
    rows: list[DiffRow] = []
    groups: Sequence[tuple[DiffStatus, list[Finding]]] = (
        (DiffStatus.NEW, diff.new),
        (DiffStatus.PERSISTING, diff.persisting),
        (DiffStatus.RESOLVED, diff.resolved),
    )
    for status, findings in groups:
        for f in findings:
            previous = diff.severity_before.get(f.key) if status is DiffStatus.PERSISTING else None
            rows.append(_row(status, f, previous))
    return rows


def _row(status: DiffStatus, f: Finding, previous: Severity | None) -> DiffRow:
    return DiffRow(
        status=status,
        severity=f.severity,
        previous_severity=previous,
        check=f.check,
        subject_type=f.subject_type.value,
        subject_id=f.subject_id,
        subject_name=f.subject_name,
        subject_name_en=f.subject.en,
        pool=f.pool,
        department=f.department,
        department_zh=f.department_name.zh if f.department_name else None,
        department_en=f.department_name.en if f.department_name else None,
        message_en=f.message.en,
        message_zh=f.message.zh,
    )


def summary_counts(findings: Iterable[Finding]) -> dict[str, Any]:
    """Counts by severity and by check: the summary stored with each run."""
    by_severity: dict[str, int] = {}
    by_check: dict[str, int] = {}
    for f in findings:
        by_severity[f.severity.value] = by_severity.get(f.severity.value, 0) + 1
        by_check[f.check] = by_check.get(f.check, 0) + 1
    ordered = {s.value: by_severity[s.value] for s in reversed(Severity) if s.value in by_severity}
    return {"by_severity": ordered, "by_check": dict(sorted(by_check.items()))}
