from __future__ import annotations

import pytest

from govcloud.core.audit_diff import diff_findings
from govcloud.core.errors import NotFoundError, UsageError
from govcloud.core.report_model import KINDS, NO_PRICE, build_reports
from tests.core.report_fixtures import estate, findings, recommendations


def _build(kind: str, **kw: object) -> list:  # type: ignore[type-arg]
    return build_reports(kind, estate(), findings(), recommendations(), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_builds_with_tables_and_charts(kind: str) -> None:
    for report in _build(kind):
        assert report.kind == kind
        assert report.headline
        assert report.tables()
        assert any(s.charts for s in report.sections)
        for table in report.tables():
            keys = {c.key for c in table.columns}
            assert all(set(row) <= keys for row in table.rows), table.key


def test_capacity_report_figures_and_forecast() -> None:
    (report,) = _build("capacity")
    h = report.headline
    assert h["pools"] == 2
    assert h["vcpu_capacity"] == 128
    assert h["vcpu_allocated"] == 14
    assert h["min_days_to_exhaustion"] == 42.5
    forecast = next(t for t in report.tables() if t.key == "forecast")
    assert forecast.rows[0]["resource"] == "vcpu"
    assert forecast.rows[0]["days_low"] == 30
    costs = next(t for t in report.tables() if t.key == "costs")
    shared = [r for r in costs.rows if r["department"] == ""]
    assert {r["pool"] for r in shared} == {"core", "dmz"}


def test_utilization_reports_each_vm_peak_and_coverage() -> None:
    (report,) = _build("utilization")
    vms = {r["name"]: r for r in next(t for t in report.tables() if t.key == "vms").rows}
    assert vms["web-1"]["cpu_peak_pct"] == 50.0
    assert vms["web-1"]["cpu_p95_pct"] == 2.0
    assert vms["db-1"]["coverage_pct"] == 100.0
    assert next(iter(vms)) == "web-1"  # least used first


def test_rightsizing_totals_in_vcpu_gib_and_yuan() -> None:
    (report,) = _build("rightsizing")
    h = report.headline
    assert (h["reclaim_vcpus"], h["reclaim_ram_gib"]) == (6, 12.0)
    assert h["reclaim_yuan_per_year"] == (6 * 40 + 12 * 10) * 12


def test_audit_counts_reclaim_once_and_shows_changes() -> None:
    before, after = findings()[:1], findings()[1:]
    (report,) = build_reports("audit", estate(), after, [], diff=diff_findings(before, after))
    assert report.headline["new"] == 2
    assert report.headline["resolved"] == 1
    assert report.headline["reclaim_vcpus"] == 2


def test_department_reports_one_per_department_with_bill() -> None:
    reports = _build("department")
    assert [r.department for r in reports] == ["evil", "health"]
    health = reports[1].headline
    assert health["bill_allocated_yuan_per_month"] == 12 * 40 + 24 * 10 + 100 * 1.0 + 200 * 0.5
    assert health["idle_yuan_per_month"] == 8 * 40 + 16 * 10
    assert health["reclaim_vcpus"] == 8  # idle web-1 (8) beats its rightsizing (6): counted once


def test_unknown_kind_and_department() -> None:
    with pytest.raises(UsageError, match="unknown report kind") as err:
        _build("migration-plan")
    assert "capacity" in (err.value.hint or "")
    with pytest.raises(NotFoundError):
        _build("department", department="nobody")


def test_no_price_reads_as_none() -> None:
    from govcloud.core import models as m

    data = estate(prices=(m.UnitPrice("ram_gib", 1.0, m.date(2025, 1, 1)),))
    (report,) = build_reports("rightsizing", data, [], recommendations())
    assert report.headline["reclaim_yuan_per_year"] is None
    assert NO_PRICE.en == "no price declared"


def test_quota_given_back_is_not_hardware_to_reclaim() -> None:
    from govcloud.core import report_facts as rf
    from govcloud.core.findings import Finding, Reclaim, SubjectType, Text
    from govcloud.core.severity import Severity

    def finding(check: str, subject: SubjectType, ident: str, **evidence: object) -> Finding:
        return Finding(check, Severity.LOW, subject, ident, ident, "p1", "d1", Text("m", "m"),
                       Text("a", "a"), evidence, Reclaim(vcpus=4, ram_mib=8192))  # fmt: skip

    subjects = rf.reclaim_by_subject(
        [
            finding("quota-idle", SubjectType.PROJECT, "proj:cores", reclaim_kind="quota"),
            finding("idle", SubjectType.VM, "vm-1"),
        ]
    )
    assert list(subjects) == [("vm", "vm-1")]


def test_capacity_report_storage_per_pool_and_type_unknown_stays_unknown() -> None:
    (report,) = _build("capacity")
    h = report.headline
    assert h["storage_usable_gib"] is None  # dmz's backend reports `infinite`
    assert h["storage_provisioned_gib"] == 300 + 50  # dmz: allocated where not reported
    storage = next(t for t in report.tables() if t.key == "storage")
    rows = {(r["pool"], str(r["volume_type"])): r for r in storage.rows}
    core = next(r for (p, _), r in rows.items() if p == "core" and r["volume_type"] != "ssd")
    assert (core["usable_gib"], core["provisioned_gib"], core["ratio"]) == (1900, 300, 2.0)
    assert (core["approved_gib"], core["quota_gib"], core["quota_pct"]) == (500, 500, 26.3)
    assert rows[("core", "ssd")]["usable_gib"] == 1900
    dmz = next(r for (p, _), r in rows.items() if p == "dmz")
    assert dmz["usable_gib"] is None
    assert dmz["quota_pct"] is None
    assert "infinite" in dmz["note"].en  # type: ignore[union-attr]
    assert "infinite" in dmz["note"].zh  # type: ignore[union-attr]
    assert "报告容量" in dmz["note"].zh  # type: ignore[union-attr]
    pools = next(t for t in report.tables() if t.key == "pools")
    assert [r["volume_gib_usable"] for r in pools.rows] == [1900, None]
    chart = next(c for s in report.sections for c in s.charts if c.title.en == "Storage per pool")
    assert chart.series[0].values == (1900.0, None)
