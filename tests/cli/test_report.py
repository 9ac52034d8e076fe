from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.runner import govcloud


@pytest.mark.parametrize("kind", ["capacity", "utilization", "rightsizing", "audit"])
def test_report_writes_files_and_lists_them(loaded: Path, tmp_path: Path, kind: str) -> None:
    out = tmp_path / "out"
    result = govcloud("-o", "json", "report", kind, "-f", "json,html", "--output-dir", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    listed = [Path(r["path"]) for r in result.json()]
    assert {p.suffix for p in listed} == {".json", ".html"}
    assert all(p.parent == out.resolve() and p.exists() for p in listed)
    doc = json.loads(next(p for p in listed if p.suffix == ".json").read_text())
    assert doc["kind"] == kind
    assert doc["headline"]


def test_department_report_one_per_department_and_tenant_filter(
    loaded: Path, tmp_path: Path
) -> None:
    every = govcloud(
        "-o", "json", "report", "department", "-f", "json", "--output-dir", str(tmp_path / "a")
    )
    assert every.exit_code == 0, every.stderr
    assert len(every.json()) > 1
    one = every.json()[0]["path"]
    code = json.loads(Path(one).read_text())["department"]
    single = govcloud(
        "-o",
        "json",
        "report",
        "department",
        "-f",
        "md",
        "--tenant",
        code,
        "--output-dir",
        str(tmp_path / "b"),
    )
    assert single.exit_code == 0, single.stderr
    assert len(single.json()) == 1


def test_bad_kind_format_run_and_tenant_are_usage_errors(loaded: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    bad_format = govcloud("report", "audit", "-f", "pdf", "--output-dir", out)
    assert bad_format.exit_code == 2
    assert "xlsx" in bad_format.stderr
    assert govcloud("report", "nope").exit_code == 2
    assert govcloud("report", "audit", "--run", "999", "--output-dir", out).exit_code == 1
    assert govcloud("report", "audit", "--tenant", "nobody", "--output-dir", out).exit_code == 1
    assert govcloud("report", "audit", "--window", "0d", "--output-dir", out).exit_code == 2
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
