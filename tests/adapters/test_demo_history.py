"""write_history on SQLite and PostgreSQL: what lands is what the generator made, and running it
twice replaces instead of doubling."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import func, insert, select

from govcloud.adapters.store import metrics_repo
from govcloud.adapters.store import schema as t
from govcloud.adapters.store.engine import Store, open_store
from govcloud.adapters.store.metrics_repo import ChunkRow
from govcloud.adapters.store.schema_metrics import MetricChunkRow
from govcloud.core import simulated_utilization as sim
from govcloud.core.errors import UsageError
from govcloud.core.simulated_utilization import AgentMode, VmSpec
from govcloud.core.utilization import DAY_S, STEP_S
from govcloud.services.demo_history import write_history

NOW = datetime(2026, 11, 25, 6, 7, tzinfo=UTC)
DAYS = 3
SEED = 3


def _ids_with_every_agent_mode() -> list[str]:
    """Server ids the simulation gives each agent mode (the mode is fixed by the id)."""
    wanted = {AgentMode.OK: 3, AgentMode.MISSING: 1, AgentMode.STALE: 1, AgentMode.LOW_COVERAGE: 1}
    out: list[str] = []
    for i in range(5000):
        sid = str(uuid.UUID(int=i * 2_654_435_761 + 17)).upper()  # keys are lower case
        mode = sim.plan(VmSpec(sid), NOW.timestamp(), SEED).agent  # tied to no system
        if wanted.get(mode, 0) > 0:
            wanted[mode] -= 1
            out.append(sid)
    assert not any(wanted.values())
    return out


def _seed_servers(store: Store) -> list[str]:
    ids = _ids_with_every_agent_mode()
    with store.write() as conn:
        pool_id = conn.execute(
            insert(t.PoolRow).returning(t.PoolRow.c.id),
            [{"code": "p", "name_zh": "池", "name_en": "pool", "cloud": "c", "region": "r",
              "security_zone": "政务外网", "mlps_level_max": 3}],
        ).scalar_one()  # fmt: skip
        rows = [
            {"pool_id": pool_id, "server_id": sid, "name": f"vm-app-{i}", "project_id": "p1",
             "status": "ACTIVE", "flavor_name": "c2m4", "vcpus": 2, "ram_mib": 4096,
             "disk_gib": 40, "addresses": [f"10.0.0.{i + 1}"], "updated_at": None,
             "deleted_at": None}
            for i, sid in enumerate(ids)
        ]  # fmt: skip
        stopped_at = NOW - timedelta(days=1, hours=2)
        rows.append(
            {**rows[0], "server_id": "stopped-1", "status": "SHUTOFF", "updated_at": stopped_at}
        )
        rows.append({**rows[0], "server_id": "gone-1", "deleted_at": NOW - timedelta(days=9)})
        conn.execute(insert(t.ServerRow), rows)
        # Another target's chunk in the same days: not ours to touch.
        flat_day = np.full(sim.SLOTS_PER_DAY, 1.5, dtype="<f4").tobytes()
        day = int(NOW.timestamp() // DAY_S) - 1
        metrics_repo.write_chunks(
            conn, [ChunkRow("legacy-1", "cpu_pct", day, STEP_S, flat_day, None, 288)]
        )
    return ids


def _utc(ts: datetime) -> datetime:
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def _chunk_count(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(MetricChunkRow)).scalar_one())


def test_written_history_reads_back_as_generated_and_a_rerun_replaces_it(store_url: str) -> None:
    store = open_store(store_url, create=True)
    try:
        ids = _seed_servers(store)
        first = write_history(store, days=DAYS, now=NOW, seed=SEED)
        chunks_once = _chunk_count(store)
        again = write_history(store, days=DAYS, now=NOW, seed=SEED)
        assert _chunk_count(store) == chunks_once == first.chunks + 1  # + the legacy chunk
        assert again.chunks == first.chunks
        assert again.agents == first.agents
        with store.read() as conn:
            series = {m: metrics_repo.read_series(conn, m, first.first_day, first.last_day)
                      for m in sim.SIM_METRICS}  # fmt: skip
            states = {s.server_id: s for s in metrics_repo.read_states(conn).values()}
    finally:
        store.close()
    assert first.servers == len(ids) + 1  # live ones only
    assert "legacy-1" in series["cpu_pct"]
    specs = [VmSpec(sid, f"vm-app-{i}", None) for i, sid in enumerate(ids)]
    for spec in specs:
        history = sim.simulate(spec, now_ts=NOW.timestamp(), days=DAYS, seed=SEED)
        key = history.plan.key
        if history.last_sample_ts is None:  # no agent, or a low-coverage one never reached
            assert key not in series["cpu_pct"]
            assert spec.server_id not in states
            continue
        for metric in sim.SIM_METRICS:
            got = np.asarray(series[metric][key].values, dtype=np.float64)
            want = history.metrics[metric].astype(np.float64)
            assert got.shape == want.shape
            assert series[metric][key].start_ts == history.start_ts
            np.testing.assert_array_equal(got, want)  # float32 in, float32 out: exact
        state = states[spec.server_id]
        assert state.target == key
        assert state.last_ok_at is not None
        assert state.last_ok_at.timestamp() == history.last_sample_ts
        assert (state.last_error is None) == (history.plan.agent is not AgentMode.STALE)
    stopped = states["stopped-1"]
    assert stopped.last_ok_at is not None
    assert _utc(stopped.last_ok_at) <= NOW - timedelta(days=1, hours=2)
    assert math.isclose(_utc(stopped.last_ok_at).timestamp() % STEP_S, 0)


def test_no_servers_writes_nothing(store_url: str) -> None:
    store = open_store(store_url, create=True)
    try:
        stats = write_history(store, days=2, now=NOW)
    finally:
        store.close()
    assert (stats.servers, stats.chunks, stats.agents) == (0, 0, 0)


def test_a_subset_of_metrics_and_bad_arguments(store_url: str) -> None:
    store = open_store(store_url, create=True)
    try:
        _seed_servers(store)
        stats = write_history(store, days=1, now=NOW, seed=SEED, metrics=["cpu_pct"])
        with store.read() as conn:
            mem = metrics_repo.read_series(conn, "mem_used_pct", stats.first_day, stats.last_day)
            busy = metrics_repo.read_series(conn, "cpu_pct", stats.first_day, stats.last_day)
        with pytest.raises(UsageError, match="not a simulated metric: load1"):
            write_history(store, days=1, now=NOW, metrics=["cpu_pct", "load1"])
        with pytest.raises(UsageError, match="0 days"):
            write_history(store, days=0, now=NOW)
    finally:
        store.close()
    assert mem == {}
    assert len(busy) == stats.with_samples + 1  # + the legacy chunk's target
