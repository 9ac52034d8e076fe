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


@pytest.mark.parametrize(
    ("lang", "title", "unknown"),
    [("zh", "各资源池存储", "未知"), ("en", "Storage per pool", "unknown")],
)
def test_capacity_report_shows_storage_per_pool_and_type(
    loaded: Path, tmp_path: Path, lang: str, title: str, unknown: str
) -> None:
    from tests.cli.test_quota import PROD_BACKENDS, storage

    storage(loaded, "zw-prod", PROD_BACKENDS, [("ssd", "ceph-ssd")])
    out = tmp_path / "out"
    result = govcloud("--lang", lang, "-o", "json", "report", "capacity", "-f", "json,html,md",
                      "--output-dir", str(out))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    paths = {Path(r["path"]).suffix: Path(r["path"]) for r in result.json()}
    doc = json.loads(paths[".json"].read_text())
    table = next(t for s in doc["sections"] for t in s["tables"] if t["key"] == "storage")
    prod = [r for r in table["rows"] if r["pool"] == "zw-prod"]
    assert prod[0]["usable_gib"] == 20000 * 2 - 2000 + 200000  # as `quota check` computes it
    assert [r["volume_type"] for r in prod[1:]] == ["ssd"]
    assert any(r["usable_gib"] is None for r in table["rows"])  # pools without backends
    html = paths[".html"].read_text()
    assert title in html
    assert f'<td class="num none">{unknown}</td>' in html
    assert f"| {unknown} |" in paths[".md"].read_text()
