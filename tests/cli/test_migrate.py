from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.cli.runner import govcloud


@pytest.mark.usefixtures("loaded")
def test_plan_of_the_example_estate_as_json() -> None:
    result = govcloud("-o", "json", "migrate", "plan")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    plan = result.json()
    assert len(plan["hosts"]) == 120
    assert all(h["sizing"]["basis"] == "declared" for h in plan["hosts"])  # nothing discovered
    assert all({"no_facts", "no_utilization"} <= {r["code"] for r in h["risks"]}
               for h in plan["hosts"])  # fmt: skip
    waves = plan["waves"]
    assert sum(len(w["hosts"]) for w in waves) == 120
    assert all(len(w["hosts"]) <= 20 for w in waves)
    envs = [w["environments"] for w in waves]
    first_prod = next(i for i, e in enumerate(envs) if "prod" in e)
    assert all("prod" not in e for e in envs[:first_prod])  # test/dev first
    assert all(e == ["prod"] for e in envs[first_prod:])
    for fit in plan["pools"]:
        assert fit["hypervisors_lower_bound"] <= fit["hypervisors_needed"]
    assert plan["adoption"]
    assert plan["yearly_cost_yuan"] > 0


@pytest.mark.usefixtures("loaded")
def test_plan_table_options_and_unknown_pool() -> None:
    result = govcloud("migrate", "plan", "--max-wave", "5", "--pool", "zw-prod")
    assert result.exit_code == 0, result.stderr
    assert "Waves" in result.stdout
    assert "Pool fit" in result.stdout
    assert "hlw " not in result.stdout.split("Waves")[0]
    bad = govcloud("migrate", "plan", "--pool", "zw-prd")
    assert bad.exit_code != 0
    assert "zw-prod" in bad.stderr


@pytest.mark.usefixtures("loaded")
def test_workloads_export_is_private_and_recorded(tmp_path: Path) -> None:
    out = tmp_path / "waves"
    result = govcloud(
        "-o", "json", "migrate", "plan", "--tenant", "gaj", "--workloads-dir", str(out)
    )
    assert result.exit_code == 0, result.stderr
    files = sorted(out.iterdir())
    assert files
    assert files[0].name == "wave-01.json"
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    doc = json.loads(files[0].read_text())
    first = doc["workloads"][0]
    assert {"host", "source_address", "target_pool", "flavor", "disks", "order"} <= set(first)
    assert len(result.json()["hosts"]) == sum(
        len(json.loads(f.read_text())["workloads"]) + len(json.loads(f.read_text())["not_placed"])
        for f in files
    )
    log = govcloud("-o", "json", "log", "show")
    assert log.exit_code == 0, log.stderr
    assert any(r.get("event") == "migration.export" for r in log.json())
