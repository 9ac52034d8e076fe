"""What an audit says could be reclaimed, per pool and per department, in capacity and yuan.

The headline of a monthly audit (the demo prints it) with the same figures the reports carry:
each subject counted once (an idle VM that is also oversized is reclaimed once), quota given
back kept out (it frees promises, not hardware), money at the declared unit price valid on the
audit's day (None where no price is declared, never 0). The arithmetic is the reports' own
(`report_facts.reclaim_by_subject` and `priced_totals`); this module names and orders rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from govcloud.core import report_facts as rf
from govcloud.core.findings import Finding
from govcloud.core.models import UnitPrice

UNDECLARED = "-"  # the department of projects no department declares


@dataclass(frozen=True)
class ReclaimRow:
    key: str  # pool code or department code ("-" for undeclared projects)
    name: str  # what people read: pool or department short name
    subjects: int  # VMs, volumes and snapshots with something to give back
    vcpus: int
    ram_gib: float
    volume_gib: int
    yuan_per_year: float | None


def by_pool(
    findings: Sequence[Finding], prices: Sequence[UnitPrice], on: date, names: Mapping[str, str]
) -> list[ReclaimRow]:
    """One row per pool with something to reclaim, largest first."""
    return _rows(findings, "pool", prices, on, names)


def by_department(
    findings: Sequence[Finding], prices: Sequence[UnitPrice], on: date, names: Mapping[str, str]
) -> list[ReclaimRow]:
    """One row per department with something to reclaim, largest first (money where priced)."""
    return _rows(findings, "department", prices, on, names)


def _rows(
    findings: Sequence[Finding],
    by: str,
    prices: Sequence[UnitPrice],
    on: date,
    names: Mapping[str, str],
) -> list[ReclaimRow]:
    totals = rf.priced_totals(rf.reclaim_by_subject(findings), by, prices, on)
    rows = [
        ReclaimRow(
            key=t.group or UNDECLARED,
            name=names.get(t.group or UNDECLARED, t.group or UNDECLARED),
            subjects=t.subjects,
            vcpus=t.reclaim.vcpus,
            ram_gib=t.reclaim.ram_gib,
            volume_gib=t.reclaim.volume_gib,
            yuan_per_year=t.yuan_per_year,
        )
        for t in totals
        if t.reclaim
    ]
    rows.sort(key=lambda r: (-(r.yuan_per_year or 0.0), -r.vcpus, -r.ram_gib, r.key))
    return rows
