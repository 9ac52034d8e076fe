"""The audit headline: reclaim per pool and department, each subject once, in yuan."""

from __future__ import annotations

from datetime import date

import pytest

from govcloud.core import models as m
from govcloud.core.findings import Finding, Reclaim, SubjectType, Text
from govcloud.core.reclaim_summary import by_department, by_pool
from govcloud.core.severity import Severity

DAY = date(2026, 12, 1)
PRICES = (
    m.UnitPrice("vcpu", 40.0, date(2026, 1, 1)),
    m.UnitPrice("ram_gib", 10.0, date(2026, 1, 1)),
    m.UnitPrice("volume_gib", 0.5, date(2026, 1, 1)),
)


def finding(check: str, subject: str, dept: str | None, reclaim: Reclaim, **ev: object) -> Finding:
    kind = SubjectType.PROJECT if check == "quota-idle" else SubjectType.VM
    return Finding(check, Severity.MEDIUM, kind, subject, subject, "p1", dept, Text("m", "m"),
                   Text("a", "a"), ev, reclaim)  # fmt: skip


FINDINGS = [
    finding("idle", "vm-1", "wjw", Reclaim(vcpus=4, ram_mib=8192)),
    finding("oversized", "vm-1", "wjw", Reclaim(vcpus=2, ram_mib=4096)),  # same VM: once
    finding("idle", "vm-2", None, Reclaim(vcpus=1, ram_mib=1024)),
    finding("quota-idle", "proj:cores", "wjw", Reclaim(vcpus=100), reclaim_kind="quota"),
]


def test_each_subject_once_quota_kept_out_and_priced_per_month_times_twelve() -> None:
    (pool,) = by_pool(FINDINGS, PRICES, DAY, {"p1": "Pool one"})
    assert (pool.key, pool.name, pool.subjects, pool.vcpus, pool.ram_gib) == (
        "p1", "Pool one", 2, 5, 9.0)  # fmt: skip
    assert pool.yuan_per_year == pytest.approx((5 * 40 + 9 * 10) * 12)
    depts = by_department(FINDINGS, PRICES, DAY, {"wjw": "卫健委", "-": "(undeclared)"})
    assert [(d.key, d.name, d.vcpus) for d in depts] == [
        ("wjw", "卫健委", 4),
        ("-", "(undeclared)", 1),
    ]


def test_money_is_none_without_a_price_never_zero() -> None:
    (pool,) = by_pool(FINDINGS, PRICES[:1], DAY, {})
    assert pool.yuan_per_year is None
