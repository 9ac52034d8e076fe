"""`govcloud playbook validate|run|schema|list`, and every shipped playbook validates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.cli.runner import govcloud

PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"
SHIPPED = sorted(PLAYBOOKS.glob("*.yaml"))


def test_the_required_playbooks_ship() -> None:
    names = {p.stem for p in SHIPPED}
    assert {"daily-sync", "monthly-utilization-audit", "quota-review"} <= names


@pytest.mark.usefixtures("loaded")  # with a store, pool names are checked too
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_playbook_validates(path: Path) -> None:
    result = govcloud("playbook", "validate", str(path))
    assert result.exit_code == 0, result.stderr


@pytest.mark.usefixtures("db")
def test_list_shows_every_shipped_playbook() -> None:
    rows = govcloud("-o", "json", "playbook", "list", str(PLAYBOOKS)).json()
    assert [r["status"] for r in rows] == ["ok"] * len(SHIPPED)
    assert {r["name"] for r in rows} >= {"daily-sync", "quota-review"}


@pytest.mark.usefixtures("loaded")
def test_validate_reports_file_line_and_exit_2(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("name: ok\nsteps:\n  - type: sync\n    pools: [hlw]\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nsteps:\n  - type: sync\n    pools: [hlv]\n")
    result = govcloud("playbook", "validate", str(good), str(bad))
    assert result.exit_code == 2
    assert f"error: {bad}:4 (steps.0.pools.0): unknown pool 'hlv'" in result.stderr
    assert "did you mean 'hlw'" in result.stderr
    as_json = govcloud("-o", "json", "playbook", "validate", str(good), str(bad))
    assert as_json.exit_code == 2
    assert as_json.stderr == ""
    assert [r["status"] for r in as_json.json()] == ["ok", "invalid"]


@pytest.mark.usefixtures("db")
def test_schema_is_json_with_every_check() -> None:
    result = govcloud("playbook", "schema")
    schema = json.loads(result.stdout)
    types = {v["properties"]["type"]["const"] for v in schema["$defs"]["CheckConfig"]["oneOf"]}
    assert {"idle", "zombie", "orphan-volume", "quota-near-limit", "oversized"} <= types


@pytest.mark.usefixtures("loaded")
def test_run_audit_and_textfile_with_fail_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "metrics").mkdir()
    book = tmp_path / "audit.yaml"
    book.write_text(
        "name: nightly\nwindow: 14d\nfail_on: critical\nsteps:\n"
        "  - type: audit\n    checks:\n      - type: pool-overcommit\n"
        "  - type: textfile\n    path: metrics/govcloud.prom\n"
    )
    calm = govcloud("playbook", "run", str(book))
    assert calm.exit_code == 0, calm.stderr
    assert "[1] audit: ok - run 1" in calm.stderr
    families = {
        f.name: f
        for f in text_string_to_metric_families((tmp_path / "metrics/govcloud.prom").read_text())
    }
    assert families["govcloud_audit_run_success"].samples[0].value == 1
    assert sum(s.value for s in families["govcloud_audit_findings"].samples) >= 1
    strict = govcloud("-o", "json", "playbook", "run", str(book), "--fail-on", "high")
    assert strict.exit_code == 3
    assert strict.stderr == ""
    assert [s["status"] for s in strict.json()] == ["ok", "ok"]


@pytest.mark.usefixtures("loaded")
def test_a_failed_step_is_recorded_and_the_rest_still_runs(tmp_path: Path) -> None:
    targets = tmp_path / "targets.yaml"
    targets.write_text("- url: http://127.0.0.1:9/metrics\n")  # nothing listens on port 9
    book = tmp_path / "pb.yaml"
    book.write_text(
        f"name: t\nsteps:\n  - type: collect\n    targets: {targets}\n    timeout: 1s\n"
        "  - type: audit\n    checks: [{type: pool-overcommit}]\n"
    )
    result = govcloud("-o", "json", "playbook", "run", str(book))
    assert result.exit_code == 1
    steps = result.json()
    assert [(s["type"], s["status"]) for s in steps] == [("collect", "failed"), ("audit", "ok")]
    assert "1 of 1 targets failed" in steps[0]["error"]


@pytest.mark.usefixtures("loaded")
def test_run_refuses_an_invalid_playbook_before_doing_anything(tmp_path: Path) -> None:
    book = tmp_path / "pb.yaml"
    book.write_text("name: t\nsteps:\n  - type: audit\n    checks: [{type: nope}]\n")
    result = govcloud("playbook", "run", str(book))
    assert result.exit_code == 2
    assert f"{book}:4" in result.stderr
    assert govcloud("audit", "show").exit_code == 1  # no run was stored


@pytest.mark.usefixtures("loaded")
def test_a_report_step_writes_the_migration_plan_beside_other_kinds(tmp_path: Path) -> None:
    book = tmp_path / "plan.yaml"
    out = tmp_path / "out"
    book.write_text(
        "name: monthly-migration\nsteps:\n  - type: report\n"
        f"    kinds: [capacity, migration]\n    formats: [json]\n    output: {out}\n"
    )
    result = govcloud("-o", "json", "playbook", "run", str(book))
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name.split("-")[0] for p in out.iterdir())
    assert names == ["capacity", "migration"]
    migration = json.loads(next(out.glob("migration-*.json")).read_text())
    assert migration["kind"] == "migration"
