"""What an audit says could be reclaimed, per pool and per department, in capacity and yuan.

The headline of a monthly audit (the demo prints it; reports carry the same figures): each
subject is counted once per group (an idle VM that is also oversized is reclaimed once), quota
given back is kept out (it frees promises, not hardware), and money is the declared unit price
valid on the audit's day (None where no price is declared, never 0).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from govcloud.core.findings import Finding, is_quota_reclaim, reclaim_total
from govcloud.core.models import UnitPrice
from govcloud.core.pricing import reclaim_yuan_per_year, sum_yuan


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
    return _rows(findings, lambda f: f.pool, lambda key, _: key, prices, on, names)


def by_department(
    findings: Sequence[Finding], prices: Sequence[UnitPrice], on: date, names: Mapping[str, str]
) -> list[ReclaimRow]:
    """One row per department with something to reclaim, largest first (money where priced)."""
    return _rows(findings, lambda f: f.department or "-", lambda _, f: f.pool, prices, on, names)


def _rows(
    findings: Iterable[Finding],
    group: Callable[[Finding], str | None],
    pool_of: Callable[[str, Finding], str | None],
    prices: Sequence[UnitPrice],
    on: date,
    names: Mapping[str, str],
) -> list[ReclaimRow]:
    grouped: dict[str, list[Finding]] = {}
    for f in findings:
        key = group(f)
        if f.reclaim and not is_quota_reclaim(f) and key is not None:
            grouped.setdefault(key, []).append(f)
    rows = []
    for key, items in grouped.items():
        total = reclaim_total(items)
        # money per pool, since prices differ between pools
        per_pool: dict[str, list[Finding]] = {}
        for f in items:
            per_pool.setdefault(pool_of(key, f) or "", []).append(f)
        yuan = [
            reclaim_yuan_per_year(reclaim_total(fs), p, prices, on) for p, fs in per_pool.items()
        ]
        subjects = {(f.subject_type, f.subject_id) for f in items}
        rows.append(
            ReclaimRow(
                key=key,
                name=names.get(key, key),
                subjects=len(subjects),
                vcpus=total.vcpus,
                ram_gib=total.ram_gib,
                volume_gib=total.volume_gib,
                yuan_per_year=None if None in yuan else sum_yuan(yuan),
            )
        )
    rows.sort(key=lambda r: (-(r.yuan_per_year or 0.0), -r.vcpus, -r.ram_gib, r.key))
    return rows
