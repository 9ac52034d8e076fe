"""`govcloud sync` incremental against the sandbox: the second sync lists only changes, a
change made in the cloud arrives, and a full sync afterwards finds nothing to change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from govcloud.adapters.store import schema as t
from govcloud.sandbox import Sandbox
from govcloud.services.inventory import read_inventory
from tests.cli.conftest import EXAMPLE
from tests.cli.runner import govcloud


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """Its own estate: the tests change servers in it."""
    with Sandbox.start(read_inventory(Path(EXAMPLE)), size=300, seed=7) as sb:
        yield sb


def sync(clouds_yaml: Path, *args: str) -> dict[str, dict[str, object]]:
    res = govcloud("-o", "json", "sync", "--clouds-yaml", str(clouds_yaml), *args)
    assert (res.exit_code, res.stderr) == (0, ""), res.stdout + res.stderr
    return {str(r["pool"]): r for r in res.json()}


def change_servers(sb: Sandbox) -> tuple[str, str]:
    """Stop one zw-prod server and move another onto a dr-test host (same region), stamped
    after everything else, as Nova stamps `updated`: (stopped id, moved id)."""
    e = sb.estate
    hosts = {i: h for i, h in enumerate(e.hosts)}
    rows = [r for r in e.region_servers["zw-region"]
            if hosts.get(e.servers.host[r]) and hosts[e.servers.host[r]].pool_code == "zw-prod"
            and e.servers.status[r] == 0]  # fmt: skip
    target = next(i for i, h in hosts.items() if h.pool_code == "dr-test")
    stopped, moved = rows[0], rows[1]
    with e.lock:
        e.servers.status[stopped] = 1  # SHUTOFF
        e.servers.host[moved] = target
        for r in (stopped, moved):
            e.servers.updated[r] = e.now + 60
    return e.server_ids.of(stopped), e.server_ids.of(moved)


def test_a_second_sync_is_incremental_and_brings_what_changed(
    loaded: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    clouds_yaml = sandbox.write_clouds_yaml(tmp_path / "clouds.yaml")
    first = sync(clouds_yaml)
    assert {r["mode"] for r in first.values()} == {"full"}
    assert all("never synced" in str(r["why"]) for r in first.values())
    again = sync(clouds_yaml)
    assert {r["mode"] for r in again.values()} == {"incremental"}
    assert [(r["added"], r["changed"], r["removed"]) for r in again.values()] == [(0, 0, 0)] * 3
    for code, row in again.items():  # fewer calls: no server, volume or port listing
        assert int(row["calls"]) < int(first[code]["calls"])  # type: ignore[call-overload]

    stopped, moved = change_servers(sandbox)
    changed = sync(clouds_yaml)
    assert {r["mode"] for r in changed.values()} == {"incremental"}
    vms = {v["server_id"]: v for v in govcloud("-o", "json", "vm", "list").json()}
    assert vms[stopped]["status"] == "SHUTOFF"
    assert vms[moved]["pool"] == "dr-test"  # placed with the stored rest of the region
    assert (bool(changed["zw-prod"]["removed"]), bool(changed["dr-test"]["added"])) == (True, True)

    full = sync(clouds_yaml, "--full")
    assert {(r["mode"], r["why"]) for r in full.values()} == {("full", "--full given")}
    # what the incremental runs brought is what a full listing says, but Placement capacity,
    # which only full runs read (and the allocations of projects spread over pools)
    engine = create_engine(f"sqlite:///{loaded}")
    with engine.connect() as conn:
        last = list(conn.execute(select(t.SyncRunRow).order_by(t.SyncRunRow.c.id.desc())))[:3]
    engine.dispose()
    moved_kinds = {
        kind
        for run in last
        for kind, n in run.counts.items()
        if isinstance(n, dict) and {"added", "changed", "removed"} <= n.keys()
        and n["added"] + n["changed"] + n["removed"]
    }  # fmt: skip
    assert moved_kinds <= {"capacity", "allocations"}, moved_kinds

    table = govcloud("-v", "sync", "--clouds-yaml", str(clouds_yaml))
    assert table.exit_code == 0, table.stderr
    assert "zwy/zw-region: incremental (changes since " in table.stdout
    assert "API calls" in table.stdout


def test_runs_record_mode_watermark_and_calls_and_age_forces_a_full_sync(
    loaded: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    clouds_yaml = sandbox.write_clouds_yaml(tmp_path / "clouds.yaml")
    sync(clouds_yaml)
    aged = sync(clouds_yaml, "--full-every", "0.01")
    assert {r["mode"] for r in aged.values()} == {"full"}
    assert all("old (full every 1 min)" in str(r["why"]) for r in aged.values())
    engine = create_engine(f"sqlite:///{loaded}")
    with engine.connect() as conn:
        runs = [r.counts["sync"] for r in conn.execute(select(t.SyncRunRow))]
    engine.dispose()
    assert len(runs) == 6
    assert all(r["calls"] > 0 and r["watermark"] and r["full_at"] for r in runs)


def test_a_bad_full_sync_interval_in_the_config_is_one_line(loaded: Path, tmp_path: Path) -> None:
    config = tmp_path / "config" / "govcloud" / "config.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)  # the audit key lives there
    config.write_text("sync_full_every_h: soon\n")
    res = govcloud("sync")
    assert res.exit_code == 2, res.stdout + res.stderr
    assert "sync_full_every_h must be a positive number of hours" in res.stderr
    assert "Traceback" not in res.stderr
