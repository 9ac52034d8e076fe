"""Report writers: every format from one hand-built report, hostile tenant names, XLSX reopened
with openpyxl, confinement of paths and nothing half-written."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from govcloud.adapters import report_writers as rw
from govcloud.core.errors import GovcloudError, UsageError
from govcloud.core.report_model import Report, build_reports
from tests.core.report_fixtures import HOSTILE, estate, findings, recommendations

ALL = ["html,xlsx,md,json,csv"]


def _reports(kind: str = "department", extra: int = 0) -> list[Report]:
    return build_reports(kind, estate(extra), findings(), recommendations())


def test_every_format_written_0600_with_nothing_left_over(tmp_path: Path) -> None:
    paths = rw.write(_reports(), ALL, tmp_path, "zh")
    assert {p.suffix for p in paths} == {".html", ".xlsx", ".md", ".json", ".csv"}
    assert all(p.parent == tmp_path for p in paths)
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in paths)
    assert sorted(tmp_path.iterdir()) == sorted(paths)  # no temp files


def test_hostile_names_are_inert_in_every_format(tmp_path: Path) -> None:
    paths = rw.write(_reports(), ALL, tmp_path, "en")
    for p in paths:
        if p.suffix == ".xlsx":
            continue
        text = p.read_text(encoding="utf-8-sig")
        assert "\x1b" not in text or p.suffix == ".json", p.name  # JSON keeps it as \u001b
        assert "\u202e" not in text or p.suffix == ".json", p.name
        if p.suffix == ".html":
            assert "<script>" not in text
            if "evil" in p.name:
                assert "&lt;script&gt;" in text
                assert "http://x" in text  # only as escaped text, never a link or resource
            assert 'href="' not in text
            assert 'src="' not in text
        if p.suffix == ".md":
            assert "<script>" not in text
            assert "\\]" not in HOSTILE
        if p.suffix == ".csv":
            for row in csv.reader(io.StringIO(text)):
                assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row
    evil_json = next(p for p in paths if p.suffix == ".json" and "evil" in p.name)
    assert HOSTILE in json.loads(evil_json.read_text())["title"]  # machine output: the raw name


def test_xlsx_reopens_with_numbers_frozen_headers_and_neutralised_formulas(tmp_path: Path) -> None:
    (path,) = rw.write(_reports("utilization"), ["xlsx"], tmp_path, "en")
    wb = load_workbook(path)
    names = wb.sheetnames
    assert len(names) == len(set(names))
    assert all(len(n) <= 31 for n in names)
    vms = wb["VMs, least used first"]
    assert vms.freeze_panes == "A2"
    header = [c.value for c in vms[1]]
    rows = {
        r[0]: dict(zip(header, r, strict=True)) for r in vms.iter_rows(min_row=2, values_only=True)
    }
    web = rows["web-1"]
    assert web["vCPU"] == 8
    assert isinstance(web["vCPU"], int)
    assert web["CPU peak (%)"] == 50  # a number, not "50.0%"
    hostile = next(k for k in rows if isinstance(k, str) and "HYPERLINK" in k)
    assert hostile.startswith("'=HYPERLINK")
    assert "\\x1b" in hostile
    assert "\\u202e" in hostile
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)


def test_money_without_price_says_so(tmp_path: Path) -> None:
    from datetime import date

    from govcloud.core import models as m

    data = estate(prices=(m.UnitPrice("vcpu", 40.0, date(2025, 1, 1)),))
    reports = build_reports("rightsizing", data, [], recommendations())
    paths = rw.write(reports, ["html", "xlsx", "json"], tmp_path, "zh")
    html = next(p for p in paths if p.suffix == ".html").read_text()
    assert "未声明单价" in html
    doc = json.loads(next(p for p in paths if p.suffix == ".json").read_text())
    assert doc["headline"]["reclaim_yuan_per_year"] is None
    wb = load_workbook(next(p for p in paths if p.suffix == ".xlsx"))
    assert "未声明单价" in [c.value for c in wb.worksheets[0]["B"]]


@pytest.mark.parametrize(("lang", "word"), [("zh", "未知"), ("en", "unknown")])
def test_unknown_storage_reads_unknown_for_people_and_null_for_machines(
    tmp_path: Path, lang: str, word: str
) -> None:
    paths = rw.write(_reports("capacity"), ALL, tmp_path, lang)
    by_suffix = {p.suffix: p for p in paths if "storage" in p.name or p.suffix != ".csv"}
    html = by_suffix[".html"].read_text()
    assert 'data-table="storage"' in html
    storage_html = html.split('data-table="storage"')[1].split("</table>")[0]
    assert f'<td class="num none">{word}</td>' in storage_html  # dmz's `infinite` backend
    assert ("各资源池存储" if lang == "zh" else "Storage per pool") in html  # the chart
    md = by_suffix[".md"].read_text()
    assert f"| {word} |" in md
    doc = json.loads(by_suffix[".json"].read_text())
    table = next(t for s in doc["sections"] for t in s["tables"] if t["key"] == "storage")
    dmz = next(r for r in table["rows"] if r["pool"] == "dmz")
    assert dmz["usable_gib"] is None
    assert dmz["quota_pct"] is None
    core = next(r for r in table["rows"] if r["pool"] == "core")
    assert core["usable_gib"] == 1900
    rows = list(csv.DictReader(io.StringIO(by_suffix[".csv"].read_text(encoding="utf-8-sig"))))
    assert [r["usable_gib"] for r in rows if r["pool"] == "dmz"] == [""]
    wb = load_workbook(by_suffix[".xlsx"])
    cells = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert word in cells
    assert 1900 in cells


def test_large_html_is_truncated_and_says_where_the_rest_is(tmp_path: Path) -> None:
    paths = rw.write(_reports("utilization", extra=10_000), ["html", "csv"], tmp_path, "en")
    html = next(p for p in paths if p.suffix == ".html")
    assert html.stat().st_size < 500_000
    text = html.read_text()
    assert 'data-truncated="10003"' in text
    assert "full list is in the XLSX, CSV or JSON" in text
    vms_csv = next(p for p in paths if p.name.endswith("-vms.csv"))
    assert len(vms_csv.read_text(encoding="utf-8-sig").splitlines()) == 10_004


@pytest.mark.parametrize("name", ["../x.html", "/etc/passwd", "a/b.html", "x\x00.html", "..", ""])
def test_paths_outside_the_folder_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError):
        rw.confined(tmp_path.resolve(), name)


@pytest.mark.parametrize("code", ["../../etc", "a/b", "x\x00y", "..", "/abs"])
def test_department_codes_cannot_steer_file_names(code: str) -> None:
    part = rw.safe_name_part(code)
    assert "/" not in part
    assert "\x00" not in part
    assert not part.startswith(".")
    assert part


def test_unknown_format_lists_valid_ones() -> None:
    with pytest.raises(UsageError) as err:
        rw.parse_formats(["html,pdf"])
    assert "xlsx" in (err.value.hint or "")


def test_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.replace
    calls = {"n": 0}

    def flaky(src: str, dst: str) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(GovcloudError, match="No space left"):
        rw.write(_reports("capacity"), ALL, tmp_path, "en")
    assert list(tmp_path.iterdir()) == []
