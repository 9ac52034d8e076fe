"""`govcloud report migration` through the real CLI on the example estate (120 legacy hosts):
every format, the per-wave workload lists, the export in the audit trail, bad input."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.cli.runner import govcloud

ALL = "html,xlsx,md,json,workloads"


def _run(*args: str, lang: str = "zh") -> list[Path]:
    result = govcloud("--lang", lang, "-o", "json", "report", "migration", *args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return [Path(r["path"]) for r in result.json()]


def test_every_format_and_the_workload_lists(loaded: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    paths = _run("-f", ALL, "--output-dir", str(out))
    assert all(p.parent == out.resolve() for p in paths)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in paths)
    by_ext = {p.suffix: p for p in paths if not p.name.startswith("wave-")}
    assert set(by_ext) == {".html", ".xlsx", ".md", ".json"}
    doc = json.loads(by_ext[".json"].read_text())
    assert doc["kind"] == "migration"
    assert doc["lang"] == "zh"
    assert doc["headline"]["hosts"] == 120
    waves = sorted(p.name for p in paths if p.name.startswith("wave-"))
    assert len(waves) == doc["headline"]["waves"] > 0
    wave_rows = next(t for s in doc["sections"] for t in s["tables"] if t["key"] == "waves")
    assert [r["workload_file"] for r in wave_rows["rows"]] == waves
    moved = sum(len(json.loads((out / w).read_text())["workloads"]) for w in waves)
    assert moved == sum(r["hosts"] for r in wave_rows["rows"])
    assert "上云率" in by_ext[".html"].read_text()
    assert "上云率" in by_ext[".md"].read_text()

    wb = load_workbook(by_ext[".xlsx"], read_only=False)
    hosts = wb["主机清单"]
    assert hosts.freeze_panes == "A2"
    assert hosts.max_row == 1 + 120
    header = [c.value for c in hosts[1]]
    vcpus = [r[header.index("目标虚拟CPU (核)")] for r in hosts.iter_rows(2, values_only=True)]
    assert all(type(v) is int for v in vcpus)
    placed = [
        r
        for r in hosts.iter_rows(2, values_only=True)
        if r[header.index("目标资源池")] != "无可用资源池"
    ]
    column = header.index("目标虚拟CPU (核)")
    assert sum(int(str(r[column])) for r in placed) == doc["headline"]["target_vcpus"]

    log = govcloud("-o", "json", "log", "show", "--event", "report.export")
    assert log.exit_code == 0, log.stderr
    record = log.json()[0]["after"]
    assert record["kinds"] == ["migration"]
    assert sorted(record["files"]) == sorted(p.name for p in by_ext.values())
    assert govcloud("-o", "json", "log", "show", "--event", "migration.export").json()


def test_english_labels_and_tenant_scope(loaded: Path, tmp_path: Path) -> None:
    everyone = _run("-f", "json", "--output-dir", str(tmp_path / "a"), lang="en")
    doc = json.loads(everyone[0].read_text())
    code = next(t for s in doc["sections"] for t in s["tables"] if t["key"] == "summary")["rows"][
        0
    ]["department"]
    (one,) = _run("-f", "json", "--tenant", code, "--output-dir", str(tmp_path / "b"), lang="en")
    scoped = json.loads(one.read_text())
    titles = [s["title"] for s in scoped["sections"]]
    assert titles[:3] == ["Summary", "Cloud adoption", "Waves"]
    summary = next(t for s in scoped["sections"] for t in s["tables"] if t["key"] == "summary")
    assert {r["department"] for r in summary["rows"]} == {code}
    assert 0 < scoped["headline"]["hosts"] < doc["headline"]["hosts"]


@pytest.mark.parametrize(
    ("args", "code", "word"),
    [
        (["-f", "pdf"], 2, "workloads"),
        (["-f", "html", "--tenant", "nobody"], 1, "nobody"),
        (["-f", "html", "--pool", "nowhere"], 1, "nowhere"),
        (["-f", "html", "--max-wave", "0"], 2, "max-wave"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    loaded: Path, tmp_path: Path, args: list[str], code: int, word: str
) -> None:
    out = tmp_path / "out"
    result = govcloud("report", "migration", *args, "--output-dir", str(out))
    assert result.exit_code == code
    assert word in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() or list(out.iterdir()) == []
