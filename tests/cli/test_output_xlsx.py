"""`-o xlsx --output-file`, `--output-file` for the other formats, and `--bom` for csv."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import typer

from govcloud.cli.argv import hoist_global_options
from govcloud.cli.main import app
from tests.cli.runner import govcloud
from tests.cli.test_quota import RAM_GIB, observe

EVIL = '=HYPERLINK("http://x")'  # a tenant-chosen project name


def quota_rows(loaded: Path) -> None:
    observe(loaded, "zw-prod", "wjw-zw-prod", "id-wjw",
            {"cores": (40, 36), "ram": (64 * RAM_GIB, 60 * RAM_GIB)})  # fmt: skip
    observe(loaded, "zw-prod", EVIL, "id-evil", {"cores": (10, 5)})


def test_xlsx_is_typed_labelled_frozen_filtered_and_neutralised(loaded: Path) -> None:
    quota_rows(loaded)
    target = loaded.parent / "quota.xlsx"
    out = govcloud("quota", "show", "-o", "xlsx", "--output-file", str(target), "--lang", "zh")
    assert (out.exit_code, out.stdout, out.stderr) == (0, "", "")
    assert target.stat().st_mode & 0o777 == 0o600
    expected = govcloud("quota", "show", "-o", "json").json()
    ws = openpyxl.load_workbook(target).active
    assert ws is not None
    assert ws.title == "quota show"
    last = openpyxl.utils.get_column_letter(ws.max_column)
    assert (ws.freeze_panes, ws.auto_filter.ref) == ("A2", f"A1:{last}{len(expected) + 1}")
    header = [c.value for c in ws[1]]
    assert "部门" in header
    assert "Department" not in header
    rows = [dict(zip(header, (c for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    assert len(rows) == len(expected)
    pct = "使用率"
    used = [r[pct] for r in rows if r[pct].value is not None]
    assert used
    assert all(isinstance(c.value, int | float) for c in used)
    assert used[0].number_format == '0.0"%"'
    wjw = [r for r in rows if r["部门"].value == "卫健委"]
    assert any(r[pct].value == 90.0 for r in wjw)  # the value json gives, not 0.9
    counts = [c for r in rows for c in r.values() if c.number_format == "#,##0"]
    assert counts
    assert all(type(c.value) is int for c in counts)
    texts = [c for r in rows for c in r.values() if isinstance(c.value, str)]
    assert "'" + EVIL in [c.value for c in texts]
    assert all(c.data_type == "s" for c in texts)  # never a formula cell


def test_xlsx_needs_a_file_and_never_replaces_one_unasked(loaded: Path) -> None:
    out = govcloud("pool", "list", "-o", "xlsx")
    assert out.exit_code == 2
    assert out.stdout == ""
    assert out.stderr.startswith("error: -o xlsx needs --output-file")
    assert "Traceback" not in out.stderr
    target = loaded.parent / "pools.xlsx"
    target.write_text("someone's file")
    refused = govcloud("pool", "list", "--output-file", str(target), "-o", "xlsx")
    assert refused.exit_code == 2
    assert "already exists" in refused.stderr
    assert target.read_text() == "someone's file"
    assert (
        govcloud("pool", "list", "-o", "xlsx", "--output-file", str(target), "--force").exit_code
        == 0
    )
    assert openpyxl.load_workbook(target).active.title == "pool list"  # type: ignore[union-attr]


def test_output_file_takes_the_format_of_o_or_of_its_suffix(loaded: Path) -> None:
    as_json = loaded.parent / "pools.json"
    out = govcloud("pool", "list", "--output-file", str(as_json))
    assert (out.exit_code, out.stdout) == (0, "")
    assert [p["code"] for p in json.loads(as_json.read_text())] == [
        p["code"] for p in govcloud("pool", "list", "-o", "json").json()
    ]
    mismatch = govcloud("pool", "list", "-o", "csv", "--output-file", str(loaded.parent / "p.xlsx"))
    assert mismatch.exit_code == 2
    assert "does not match" in mismatch.stderr
    table = loaded.parent / "pools.txt"
    assert govcloud("pool", "list", "--output-file", str(table)).exit_code == 0
    assert "zw-prod" in table.read_text()


def test_csv_bom_only_when_asked_and_formulas_neutralised(loaded: Path) -> None:
    quota_rows(loaded)
    plain = govcloud("quota", "show", "-o", "csv")
    assert plain.exit_code == 0
    assert not plain.stdout.startswith("\ufeff")
    assert '\'=HYPERLINK(""http://x"")' in plain.stdout
    target = loaded.parent / "quota.csv"
    assert govcloud("quota", "show", "--bom", "--output-file", str(target)).exit_code == 0
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfpool,")
    assert data.count(b"\xef\xbb\xbf") == 1
    assert data[3:].decode("utf-8") == plain.stdout


def test_a_commands_own_output_file_and_force_stay_its_own() -> None:
    root = typer.main.get_command(app)
    own = ["log", "export", "--output-file", "x.jsonl", "--force"]
    assert hoist_global_options(own, root) == own
    listing = ["pool", "list", "--output-file", "p.xlsx", "--force", "--bom"]
    assert hoist_global_options(listing, root) == [
        "--output-file", "p.xlsx", "--force", "--bom", "pool", "list",
    ]  # fmt: skip
