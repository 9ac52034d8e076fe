"""Finding and rightsizing tables name a department the way tenant and vm lists do: 卫健委 under
`--lang zh`, its English name under `--lang en`; the code stays the JSON contract (`department`)
beside `department_zh` / `department_en`. Units in headings are the reader's words (天, not d)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import govcloud.cli as cli_package
from govcloud.cli.render import Column
from tests.cli.runner import govcloud

ENGLISH_UNIT = re.compile(r"\((d|h|min|days)\)")


@pytest.fixture
def audited(estate: Path) -> Path:
    """ESTATE with one audit run: its idle-box (卫健委, no data) gives wjw findings."""
    result = govcloud("audit", "run")
    assert result.exit_code in (0, 3), result.stderr
    return estate


def cells(table: str) -> set[str]:
    return {c.strip() for line in table.splitlines() for c in re.split(r"\s{2,}", line)}


@pytest.mark.parametrize("args", [("audit", "show"), ("rightsize",)])
def test_tables_name_the_department_in_the_chosen_language(
    audited: Path, args: tuple[str, ...]
) -> None:
    zh = govcloud("--lang", "zh", *args)
    assert zh.exit_code == 0, zh.stderr
    assert "卫健委" in cells(zh.stdout)
    assert "wjw" not in cells(zh.stdout)
    en = govcloud("--lang", "en", *args)
    assert en.exit_code == 0, en.stderr
    assert "Health Commission" in cells(en.stdout)
    assert "wjw" not in cells(en.stdout)
    assert "wjw" in cells(govcloud("--lang", "en", *args, "--long").stdout)  # the code


@pytest.mark.parametrize("args", [("audit", "show"), ("audit", "run"), ("rightsize",)])
def test_machine_formats_keep_the_code_and_add_the_names(
    audited: Path, args: tuple[str, ...]
) -> None:
    rows = govcloud("-o", "json", *args).json()
    wjw = [r for r in rows if r["department"] == "wjw"]
    assert wjw, rows
    assert {(r["department_zh"], r["department_en"]) for r in wjw} == {
        ("卫健委", "Health Commission")
    }
    header = govcloud("-o", "csv", *args).stdout.splitlines()[0].split(",")
    assert {"department", "department_zh", "department_en"} <= set(header)


def test_a_finding_without_a_department_has_no_names(audited: Path) -> None:
    rows = govcloud("-o", "json", "audit", "show").json()
    pools = [r for r in rows if r["department"] is None]
    assert pools, "the example estate has pool findings"
    assert all(r["department_zh"] is None and r["department_en"] is None for r in pools)


def test_audit_diff_names_the_department(audited: Path) -> None:
    assert govcloud("audit", "run").exit_code in (0, 3)
    rows = govcloud("-o", "json", "audit", "diff").json()
    wjw = [r for r in rows if r["department"] == "wjw"]
    assert wjw
    assert all(r["department_zh"] == "卫健委" for r in wjw)
    zh = govcloud("--lang", "zh", "audit", "diff")
    assert "卫健委" in cells(zh.stdout)
    assert "wjw" not in cells(zh.stdout)


def test_rightsize_totals_name_departments(audited: Path) -> None:
    zh = govcloud("--lang", "zh", "rightsize", "--totals", "department")
    assert "卫健委" in cells(zh.stdout)
    assert "wjw" not in cells(zh.stdout)
    rows = govcloud("-o", "json", "rightsize", "--totals", "department").json()
    assert {"wjw", "卫健委", "Health Commission"} <= {v for r in rows for v in r.values()}


def test_tenant_show_gives_the_window_in_days_in_chinese(audited: Path) -> None:
    out = govcloud("--lang", "zh", "tenant", "show", "wjw")
    assert out.exit_code == 0, out.stderr
    assert "(天)" in out.stdout
    assert not ENGLISH_UNIT.search(out.stdout), out.stdout


def defined_columns() -> list[tuple[str, Column]]:
    """Every Column(...) / C(...) written in govcloud/cli with literal arguments, wherever it
    is written (module tuples and those built inside commands), read from the source."""
    found = []
    for path in sorted(Path(cli_package.__path__[0]).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in ("C", "Column"):
                continue
            try:
                args = [ast.literal_eval(a) for a in node.args]
                kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
            except ValueError:
                continue  # built from variables (host.py's per-key columns)
            if len(args) >= 3 and all(isinstance(a, str) for a in args[:3]):
                found.append((f"{path.name}:{node.lineno}", Column(*args, **kwargs)))
    return found


def test_no_chinese_heading_carries_an_english_unit() -> None:
    columns = defined_columns()
    assert len(columns) > 300  # the scan found the column modules
    assert any(c.unit == "d" for _, c in columns)  # and the windows in days
    bad = [(where, c.label("zh")) for where, c in columns if ENGLISH_UNIT.search(c.label("zh"))]
    assert not bad, bad
    assert Column("window_days", "窗口", "Window", "d").label("zh") == "窗口 (天)"
    assert Column("window_days", "窗口", "Window", "d").label("en") == "Window (d)"
