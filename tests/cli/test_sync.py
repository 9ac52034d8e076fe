"""`govcloud sync` end to end: sandbox over HTTP -> store -> `govcloud vm list`."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Table, create_engine, select

from govcloud.adapters.store import schema as t
from govcloud.sandbox import Faults, Sandbox
from govcloud.services.inventory import read_inventory
from tests.cli.conftest import EXAMPLE
from tests.cli.runner import govcloud


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox.start(read_inventory(Path(EXAMPLE)), size=300, seed=5) as sb:
        yield sb


@pytest.fixture
def clouds_yaml(sandbox: Sandbox, tmp_path: Path) -> Iterator[Path]:
    yield sandbox.write_clouds_yaml(tmp_path / "clouds.yaml")
    sandbox.set_faults(Faults())


def sync(*args: str) -> tuple[int, list[dict[str, object]], str]:
    res = govcloud("-o", "json", "sync", "--timeout", "10", *args)
    return res.exit_code, res.json(), res.stderr


def test_sync_fills_the_store_and_a_second_sync_changes_nothing(
    loaded: Path, clouds_yaml: Path
) -> None:
    code, rows, err = sync("--clouds-yaml", str(clouds_yaml))
    assert (code, err) == (0, "")
    assert {r["pool"]: r["status"] for r in rows} == dict.fromkeys(
        ("dr-test", "hlw", "zw-prod"), "ok"
    )
    vms = govcloud("-o", "json", "vm", "list").json()
    assert len(vms) == sum(int(r["servers"]) for r in rows)  # type: ignore[call-overload]
    assert len(vms) == 300
    assert sum(1 for v in vms if v["department"]) > len(vms) * 0.9
    assert any(v["system"] for v in vms)
    code, again, _ = sync("--clouds-yaml", str(clouds_yaml))
    assert code == 0
    assert [(r["added"], r["changed"], r["removed"]) for r in again] == [(0, 0, 0)] * 3


def rows_of(db: Path, row: Table) -> list[Any]:
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(row)))
    finally:
        engine.dispose()


def test_sync_stores_change_times_snapshots_and_usage_history(
    loaded: Path, clouds_yaml: Path, sandbox: Sandbox
) -> None:
    assert sync("--clouds-yaml", str(clouds_yaml))[0] == 0
    servers = rows_of(loaded, t.ServerRow)
    assert all(s.updated_at is not None for s in servers)
    stopped = [s for s in servers if s.status != "ACTIVE"]
    assert stopped
    assert min(s.updated_at for s in stopped) < min(s.updated_at for s in servers
                                                    if s.status == "ACTIVE")  # fmt: skip
    volumes = rows_of(loaded, t.VolumeRow)
    assert all(v.created_at is not None and v.updated_at is not None for v in volumes)
    snapshots = rows_of(loaded, t.SnapshotRow)
    assert len(snapshots) == len(sandbox.estate.snapshots)  # each pool took its own, none twice
    assert len({s.snapshot_id for s in snapshots}) == len(snapshots)
    known = {v.volume_id for v in volumes}
    assert any(s.volume_id not in known for s in snapshots)  # of volumes deleted since
    usage = {r.pool_id: r for r in rows_of(loaded, t.PoolUsageRow)}
    assert len(usage) == 3
    assert sum(u.servers for u in usage.values()) == 300
    assert sum(u.volume_gib for u in usage.values()) == sum(v.size_gib for v in volumes)
    sync("--clouds-yaml", str(clouds_yaml), "--pool", "hlw")
    assert len(rows_of(loaded, t.PoolUsageRow)) == 4  # one more point, for hlw only


def test_a_cloud_without_snapshots_is_noted_not_failed(
    loaded: Path, clouds_yaml: Path, sandbox: Sandbox
) -> None:
    assert sync("--clouds-yaml", str(clouds_yaml))[0] == 0
    before = len(rows_of(loaded, t.SnapshotRow))
    sandbox.set_faults(Faults(no_snapshots=True))
    code, rows, err = sync("--clouds-yaml", str(clouds_yaml))
    assert (code, err) == (0, "")
    assert all(r["status"] == "ok" for r in rows)
    assert all("no snapshots (404)" in str(r["notes"]) for r in rows)
    gone = [s for s in rows_of(loaded, t.SnapshotRow) if s.deleted_at is not None]
    assert (len(rows_of(loaded, t.SnapshotRow)), gone) == (before, [])


def test_table_output_is_a_summary_per_pool(loaded: Path, clouds_yaml: Path) -> None:
    res = govcloud("sync", "--clouds-yaml", str(clouds_yaml), "--pool", "hlw")
    assert res.exit_code == 0, res.stderr
    table = res.stdout.split("\n\n")[0].splitlines()  # unassigned objects may follow
    assert table[0].split()[:3] == ["Pool", "Status", "VMs"]
    assert [line.split()[0] for line in table[1:]] == ["hlw"]
    assert res.stderr == ""  # not a terminal: no progress display


def _break_region(clouds_yaml: Path, region: str) -> None:
    """Give one region of cloud zwy a wrong password (openstacksdk per-region values)."""
    doc = yaml.safe_load(clouds_yaml.read_text())
    cloud = doc["clouds"]["govcloud-sandbox-zwy"]
    bad_auth = copy.deepcopy(cloud["auth"])
    bad_auth["password"] = "wrong-password"
    cloud["regions"] = [
        {"name": r, "values": {"auth": bad_auth}} if r == region else r
        for r in ["zw-region", "hlw-region"]
    ]
    clouds_yaml.write_text(yaml.safe_dump(doc))


def test_a_pool_with_a_bad_password_fails_while_the_others_commit(
    loaded: Path, clouds_yaml: Path
) -> None:
    _break_region(clouds_yaml, "hlw-region")
    res = govcloud("sync", "--clouds-yaml", str(clouds_yaml))
    assert res.exit_code == 1
    first = res.stderr.splitlines()[0]
    assert first.startswith("error: 1 of 3 pools failed: hlw: authenticate")
    assert "401" in first
    assert "wrong-password" not in res.stderr + res.stdout
    assert "govcloud sync --pool hlw" in res.stderr
    pools = {v["pool"] for v in govcloud("-o", "json", "vm", "list").json()}
    assert pools == {"zw-prod", "dr-test"}


def test_json_mode_failure_keeps_stdout_one_document_and_stderr_empty(
    loaded: Path, clouds_yaml: Path, sandbox: Sandbox
) -> None:
    sandbox.set_faults(Faults(fail_rate=1.0))
    code, rows, err = sync("--clouds-yaml", str(clouds_yaml), "--pool", "zw-prod")
    assert (code, err) == (1, "")
    [row] = rows
    assert row["status"] == "failed"
    assert "503 after 4 tries" in str(row["error"])
    assert govcloud("-o", "json", "vm", "list").json() == []  # nothing partial was written
    assert rows_of(loaded, t.PoolUsageRow) == []  # a failed pool adds no usage point


def test_failed_pool_is_retried_by_the_next_run(
    loaded: Path, clouds_yaml: Path, sandbox: Sandbox
) -> None:
    sandbox.set_faults(Faults(fail_rate=1.0))
    code, rows, _ = sync("--clouds-yaml", str(clouds_yaml), "--pool", "zw-prod")
    assert code == 1
    assert rows[0]["status"] == "failed"
    sandbox.set_faults(Faults())
    code, rows, _ = sync("--clouds-yaml", str(clouds_yaml), "--pool", "zw-prod")
    assert code == 0
    assert int(rows[0]["added"]) > 0  # type: ignore[call-overload]


def test_bad_input_is_a_usage_error(loaded: Path, clouds_yaml: Path, tmp_path: Path) -> None:
    res = govcloud("sync", "--clouds-yaml", str(clouds_yaml), "--pool", "nope")
    assert res.exit_code == 2
    assert "unknown pool 'nope'" in res.stderr
    res = govcloud("sync", "--clouds-yaml", str(tmp_path / "missing.yaml"))
    assert res.exit_code == 2
    assert "does not exist" in res.stderr


def _declare(tmp_path: Path, **changes: dict[str, object]) -> Path:
    """A copy of the example inventory with some pools' fields changed."""
    import shutil

    target = tmp_path / "inventory"
    shutil.copytree(EXAMPLE, target)
    doc = yaml.safe_load((target / "pools.yaml").read_text())
    for p in doc["pools"]:
        p.update(changes.get(p["code"], {}))
    (target / "pools.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True))
    return target


def test_what_no_pool_takes_is_reported_stored_and_replaced(
    db: Path, clouds_yaml: Path, tmp_path: Path
) -> None:
    """zw-region as an aggregate pool with no hosts beside a zone pool: the servers of the other
    zones are in neither, and sync says so instead of dropping them."""
    inventory = _declare(tmp_path, **{"zw-prod": {"aggregate": "agg-empty"}})
    assert govcloud("inventory", "load", str(inventory)).exit_code == 0
    code, rows, err = sync("--clouds-yaml", str(clouds_yaml))
    assert (code, err) == (0, "")
    zw = [r for r in rows if r["region"] == "zwy/zw-region"]
    assert len(zw) == 2
    objects = zw[0]["unassigned_objects"]
    assert zw[1]["unassigned_objects"] == objects  # of the region, on each of its pools
    servers = [o for o in objects if o["kind"] == "servers"]  # type: ignore[index]
    assert servers
    assert all("its host is in no pool's zone" in str(o["reason"]) for o in servers)  # type: ignore[index]
    assert zw[0]["unassigned"] == len(objects)  # type: ignore[arg-type]
    stored = rows_of(db, t.UnassignedRow)
    assert {(r.kind, r.object_id) for r in stored if r.region == "zw-region"} == {
        (o["kind"], o["object_id"])
        for o in objects  # type: ignore[index]
    }
    placed = sum(int(r["servers"]) for r in rows)  # type: ignore[call-overload]
    assert placed + len(servers) == 300  # nothing lost
    table = govcloud("-v", "sync", "--clouds-yaml", str(clouds_yaml))
    assert f"zwy/zw-region: {len(servers)} servers in no pool" in table.stdout
    assert servers[0]["object_id"] in table.stdout  # type: ignore[index]
    # declared back as it was: the next sync places them and replaces the list
    assert govcloud("inventory", "load", EXAMPLE).exit_code == 0
    code, rows, _ = sync("--clouds-yaml", str(clouds_yaml))
    assert code == 0
    assert not [u for u in rows_of(db, t.UnassignedRow) if u.kind == "servers"]
