from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from govcloud.adapters.report_writers import render_all, write
from govcloud.core.findings import Text
from govcloud.core.migration_models import DepartmentAdoption
from govcloud.core.report_migration import migration_report, wave_file
from govcloud.core.report_model import Report, Table
from tests.core.report_migration_fixtures import HOSTILE, plan


def _table(report: Report, key: str) -> Table:
    return next(t for t in report.tables() if t.key == key)


def test_headline_counts_the_plan() -> None:
    report = migration_report(plan())
    h = report.headline
    assert (h["hosts"], h["systems"], h["departments"], h["waves"]) == (12, 6, 3, 3)
    assert h["hosts_without_pool"] == 1
    # h12 (32 vCPU) has no pool: it is not in the target totals
    assert h["target_vcpus"] == 2 + 2 + 4 + 4 + 4 + 8 + 4 + 4 + 16 + 8 + 2
    assert (
        h["target_disk_gib"] == 11 * 50 + 20 + 20 + 100 + 40 + 40 + 500 + 60 + 60 + 2000 + 200 + 20
    )
    assert h["yearly_cost_yuan"] == round(plan().yearly_cost_yuan or 0.0, 2)
    assert report.kind == "migration"
    assert [s.key for s in report.sections] == [
        "summary", "adoption", "waves", "hosts", "pools", "risks", "method",
    ]  # fmt: skip


def test_every_row_uses_only_its_tables_columns() -> None:
    for table in migration_report(plan()).tables():
        keys = {c.key for c in table.columns}
        assert all(set(row) <= keys for row in table.rows), table.key


def test_adoption_lowest_first_with_a_stacked_chart() -> None:
    report = migration_report(plan())
    rows = _table(report, "adoption").rows
    assert [r["department"] for r in rows] == ["d-hea", "d-fin", "d-edu"]
    assert rows[0]["rate_pct"] == 16.7
    section = next(s for s in report.sections if s.key == "adoption")
    (chart,) = section.charts
    assert chart.kind == "stacked_bar"
    assert chart.categories == ("d-hea", "d-fin", "d-edu")  # most systems outside first
    assert chart.category_labels("zh") == ("卫健委", "财政局", "教育局")
    assert chart.category_labels("en") == (
        "Health Commission",
        "Finance Bureau",
        "Education Bureau",
    )
    assert [s.values for s in chart.series] == [(1.0, 3.0, 3.0), (5.0, 2.0, 1.0)]
    assert "7 of 15" in section.notes[0].en


def test_waves_table_and_charts_by_environment_and_cumulative() -> None:
    report = migration_report(plan())
    rows = _table(report, "waves").rows
    assert [r["cumulative_hosts"] for r in rows] == [3, 6, 11]
    assert rows[0]["workload_file"] == wave_file(1) == "wave-01.json"
    env = rows[0]["environments"]
    assert isinstance(env, Text)
    assert env.zh == "测试、开发"
    stacked, timeline = next(s for s in report.sections if s.key == "waves").charts
    by_name = {s.name.en: s.values for s in stacked.series}
    assert by_name == {
        "production": (0.0, 3.0, 5.0),
        "test": (2.0, 0.0, 0.0),
        "development": (1.0, 0.0, 0.0),
    }
    assert stacked.category_labels("zh") == ("第1批", "第2批", "第3批")
    assert timeline.series[0].values == (8.0, 24.0, 58.0)


def test_hosts_without_pool_first_then_by_wave() -> None:
    rows = _table(migration_report(plan()), "hosts").rows
    assert rows[0]["host"] == "h12"
    assert rows[0]["pool"] is None
    assert rows[0]["wave"] is None
    assert [r["wave"] for r in rows[1:]] == sorted(r["wave"] for r in rows[1:])  # type: ignore[type-var]
    h09 = next(r for r in rows if r["host"] == "h09")
    risks = h09["risks"]
    assert isinstance(risks, Text)
    assert risks.zh.count("；") == 1
    assert h09["target_disk_gib"] == 2050


def test_pools_that_run_out_come_first_and_are_flagged() -> None:
    report = migration_report(plan())
    table = _table(report, "pools")
    assert table.flag == "runs_out"
    assert [(r["pool"], r["runs_out"]) for r in table.rows[:3]] == [("dmz", False), ("dmz", True),
                                                                     ("dmz", False)]  # fmt: skip
    notes = next(s for s in report.sections if s.key == "pools").notes
    assert [n.zh for n in notes] == ["资源池 dmz 的内存缺口 76.0 GiB。"]
    ram = next(
        c
        for c in next(s for s in report.sections if s.key == "pools").charts
        if "RAM" in c.title.en
    )
    shortfall = next(s for s in ram.series if s.name.en == "shortfall")
    assert ram.categories == ("dmz", "core")
    assert shortfall.values == (76.0, 0.0)


def test_risks_grouped_by_kind_worst_first() -> None:
    report = migration_report(plan())
    summary = _table(report, "risk_summary").rows
    assert [r["code"] for r in summary] == ["eol_os", "high_io", "no_utilization",
                                            "licensed_middleware", "large_disk"]  # fmt: skip
    big = next(r for r in summary if r["code"] == "large_disk")
    assert (big["low"], big["hosts"]) == (3, 3)
    detail = _table(report, "risks").rows
    assert len(detail) == sum(r["hosts"] for r in summary)  # type: ignore[misc]


def test_a_plan_with_no_waves_or_risks_still_renders() -> None:
    empty = replace(plan(), hosts=(), waves=(), pools=(), adoption=(), yearly_cost_yuan=None)
    report = migration_report(empty)
    assert report.headline["hosts"] == 0
    for fmt in ("html", "xlsx", "md", "json"):
        assert render_all([report], [fmt], "zh")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_writers_render_every_format_with_labels_in_the_language(lang: str, tmp_path: Path) -> None:
    report = migration_report(plan())
    paths = write([report], ["html", "xlsx", "md", "json"], tmp_path, lang)
    assert sorted(p.name for p in paths) == [
        f"migration-20250301.{ext}" for ext in ("html", "json", "md", "xlsx")
    ]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in paths)
    by_ext = {p.suffix: p for p in paths}
    page = by_ext[".html"].read_text()
    doc = json.loads(by_ext[".json"].read_text())
    md = by_ext[".md"].read_text()
    word = "上云率" if lang == "zh" else "Adoption"
    assert word in page
    assert word in md
    assert ("迁移批次" if lang == "zh" else "Waves") in page
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert page.count('<tr class="flag">') == 1
    assert page.count("<svg") == 1 + 2 + 3 + 1
    wave_chart = next(s for s in doc["sections"] if s["key"] == "waves")["charts"][0]
    assert wave_chart["labels"][0] == ("第1批" if lang == "zh" else "Wave 1")
    assert doc["headline"]["hosts_without_pool"] == 1
    hosts = next(t for s in doc["sections"] for t in s["tables"] if t["key"] == "hosts")
    assert hosts["rows"][0]["pool"] is None
    assert hosts["rows"][0]["host"] == "h12"


def test_xlsx_one_sheet_per_table_numbers_as_numbers_frozen_header() -> None:
    report = migration_report(plan())
    (xlsx,) = render_all([report], ["xlsx"], "zh")
    wb = load_workbook(io.BytesIO(xlsx.data))
    assert wb.sheetnames == ["迁移上云规划", "按部门汇总", "各部门上云率", "迁移批次", "主机清单",
                             "资源池容量匹配", "风险分类汇总", "各主机风险"]  # fmt: skip
    hosts = wb["主机清单"]
    assert hosts.freeze_panes == "A2"
    header = [c.value for c in hosts[1]]
    assert header[0] == "主机"
    assert "目标规格" in header
    assert "风险" in header
    first = {header[i]: c.value for i, c in enumerate(hosts[2])}
    assert first["主机"] == "h12"
    assert first["目标资源池"] == "无可用资源池"
    assert first["批次"] == "未排期"
    assert first["目标虚拟CPU (核)"] == 32
    assert isinstance(first["目标虚拟CPU (核)"], int)
    hostile = next(r for r in hosts.iter_rows(min_row=2, values_only=True) if r[0] == "h10")
    assert hostile[header.index("系统")] == HOSTILE  # markup is plain text in a cell
    pools = wb["资源池容量匹配"]
    flagged = [row[0].fill.fgColor.rgb for row in pools.iter_rows(min_row=2)]
    assert flagged.count("00FDE8E7") == 1
    assert pools.cell(row=3, column=6).value == -76.0
    summary = wb["迁移上云规划"]
    figures = {r[0]: r[1] for r in summary.iter_rows(min_row=2, values_only=True) if r[0]}
    assert figures["待迁移主机"] == 12


def test_adoption_chart_keeps_the_departments_with_most_left_to_move() -> None:
    many = tuple(
        DepartmentAdoption(f"d{i:02d}", f"部门{i}", 10, 10 - i % 7, i % 7, (10 - i % 7) / 10)
        for i in range(30)
    )
    report = migration_report(replace(plan(), adoption=many))
    section = next(s for s in report.sections if s.key == "adoption")
    (chart,) = section.charts
    assert len(chart.categories) == 20
    outside = [v or 0.0 for v in chart.series[1].values]
    assert min(outside) >= max(i % 7 for i in range(30) if f"d{i:02d}" not in chart.categories)
    assert len(_table(report, "adoption").rows) == 30
    assert "20" in section.notes[1].en


_CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\uff00-\uffef]")


def test_english_report_titles_and_notes_read_english_only(tmp_path: Path) -> None:
    """上云率 is "Cloud adoption" under en: no Chinese in any title, heading or note."""
    report = migration_report(plan())
    paths = write([report], ["html", "md", "json"], tmp_path, "en")
    by_ext = {p.suffix: p.read_text() for p in paths}
    doc = json.loads(by_ext[".json"])
    titles = [doc["title"]]
    for s in doc["sections"]:
        titles += [s["title"], *s["notes"]]
        titles += [t["title"] for t in s["tables"]] + [
            c["label"] for t in s["tables"] for c in t["columns"]
        ]
        titles += [c["title"] for c in s["charts"]] + [
            x["name"] for c in s["charts"] for x in c["series"]
        ]
    titles += [f["label"] for f in doc["figures"]]
    heads = re.findall(r"<(?:h[1-3]|figcaption|th|title)[^>]*>([^<]*)<", by_ext[".html"])
    heads += re.findall(r'<p class="note">([^<]*)<', by_ext[".html"])
    heads += re.findall(r'<div class="label">([^<]*)<', by_ext[".html"])
    heads += [line for line in by_ext[".md"].splitlines() if line.startswith(("#", ">"))]
    assert "Cloud adoption" in titles
    assert "Cloud adoption per department" in heads
    assert "## Cloud adoption" in heads
    assert [t for t in titles + heads if _CJK.search(t)] == []
    zh = migration_report(plan()).sections[1]
    assert (zh.title.zh, zh.tables[0].title.zh) == ("上云率", "各部门上云率")  # zh unchanged
