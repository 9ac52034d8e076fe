"""Picks the builder of a report kind: capacity, utilization, rightsizing, audit, department.

Each builder turns an `AuditData`, findings and recommendations into a `Report` (see
report_model). Tables keep every row, sorted so the rows that matter come first; writers that
must stay small (HTML) show the top of each table and say where the full list is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from govcloud.core.audit_data import AuditData
from govcloud.core.errors import NotFoundError, UsageError
from govcloud.core.findings import Finding, sort_findings
from govcloud.core.recommendation import Recommendation
from govcloud.core.report_capacity import capacity
from govcloud.core.report_department import department_reports
from govcloud.core.report_facts import Inputs, narrow
from govcloud.core.report_model import KINDS, FindingsDiff, Report
from govcloud.core.report_usage import audit, rightsizing, utilization

_BUILDERS: dict[str, Callable[[Inputs], Report]] = {
    "capacity": capacity,
    "utilization": utilization,
    "rightsizing": rightsizing,
    "audit": audit,
}


def build(
    kind: str,
    data: AuditData,
    findings: Sequence[Finding],
    recs: Sequence[Recommendation],
    *,
    diff: FindingsDiff | None = None,
    department: str | None = None,
) -> list[Report]:
    inputs = Inputs(data, sort_findings(list(findings)), list(recs), diff)
    if department is not None and department not in data.department_by_code:
        raise NotFoundError(
            f"no department {department!r}",
            hint="departments: " + ", ".join(sorted(data.department_by_code)),
        )
    if kind == "department":
        return department_reports(inputs, department)
    builder = _BUILDERS.get(kind)
    if builder is None:
        raise UsageError(f"unknown report kind {kind!r}", hint="kinds: " + ", ".join(KINDS))
    if department is not None:
        inputs = narrow(inputs, department)
    return [builder(inputs)]
