"""The audit loader on SQLite and PostgreSQL: declared and observed state round-trip, and the
utilization matrices agree with the per-series read path (`metrics show`'s arithmetic)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import Connection, insert, select

from govcloud.adapters.store import declared_repo, metrics_repo
from govcloud.adapters.store import schema as t
from govcloud.adapters.store import schema_storage as ts
from govcloud.adapters.store.audit_data_repo import read_audit_data, read_utilization
from govcloud.adapters.store.engine import open_store
from govcloud.adapters.store.schema_metrics import MetricChunkRow, MetricTargetRow
from govcloud.core import models as m
from govcloud.core.audit_data import AuditData, server_key
from govcloud.core.errors import StoreError
from govcloud.core.metrics_sweep import Point
from govcloud.core.utilization import DAY_S, STEP_S, slot_start, window_stats

NOW = datetime(2026, 3, 15, 10, 7, 30, tzinfo=UTC)  # mid-slot: the current slot counts
WINDOW_S = 3 * DAY_S + 1000  # not a whole number of slots on purpose
TODAY = int(NOW.timestamp()) // DAY_S
END_TS = slot_start(NOW.timestamp()) + STEP_S

UP = "0A1B2C3D-0000-4000-8000-00000000000A"  # Nova ids are lower case; the key must be anyway
LIVE = [UP, "00000000-0000-4000-8000-000000000002", "00000000-0000-4000-8000-000000000003"]
GONE = "00000000-0000-4000-8000-0000000000ff"


def _inventory() -> m.Inventory:
    pool = m.Pool("p1", "生产区", "Production", "zwy", "r1", "政务外网", 3)
    quota = {m.QuotaResource.CORES: 64, m.QuotaResource.RAM: 131072}
    dept = m.Department(
        "wjw",
        "市卫生健康委员会",
        "卫健委",
        "Health",
        (m.ProjectBinding("wjw", "p1", "wjw-prod", quota),),
    )
    system = m.BusinessSystem(
        "wjw-his", "健康平台", "Health platform", "wjw", 3, m.Environment.PROD
    )
    prices = (
        m.UnitPrice("vcpu", 45.0, date(2026, 1, 1), date(2026, 7, 1)),
        m.UnitPrice("vcpu", 40.0, date(2026, 7, 1)),
        m.UnitPrice("volume_gib:ssd", 1.0, date(2026, 1, 1), None, "p1"),
    )
    return m.Inventory(("zwy",), (pool,), (dept,), (system,), prices=prices)


def _server(pool_id: int, server_id: str, **kw: object) -> dict[str, object]:
    return {
        "pool_id": pool_id, "server_id": server_id, "name": f"vm-{server_id[-2:]}",
        "project_id": "proj-1", "status": "ACTIVE", "flavor_name": "m1.large", "vcpus": 4,
        "ram_mib": 8192, "disk_gib": 40, "addresses": ["10.0.0.5"], "system_code": "wjw-his",
        "created_at": NOW - timedelta(days=90), "updated_at": NOW - timedelta(days=2),
        "deleted_at": None, **kw,
    }  # fmt: skip


def _observed(conn: Connection) -> None:
    pool_id = conn.execute(select(t.PoolRow.c.id)).scalar_one()
    conn.execute(insert(t.ProjectRow), [
        {"pool_id": pool_id, "project_id": "proj-1", "name": "wjw-prod"},
        {"pool_id": pool_id, "project_id": "proj-x", "name": "nobody"},
    ])  # fmt: skip
    declared_repo.relink_projects(conn)
    conn.execute(
        insert(t.ServerRow),
        [_server(pool_id, sid) for sid in LIVE[::-1]]
        + [_server(pool_id, GONE, deleted_at=NOW - timedelta(days=1))],
    )
    vol = {"pool_id": pool_id, "project_id": "proj-1", "size_gib": 100, "status": "available",
           "volume_type": "ssd", "created_at": NOW - timedelta(days=40),
           "updated_at": NOW - timedelta(days=30), "deleted_at": None}  # fmt: skip
    conn.execute(insert(t.VolumeRow), [
        {**vol, "volume_id": "vol-1", "name": "data"},
        {**vol, "volume_id": "vol-gone", "name": "old", "deleted_at": NOW},
    ])  # fmt: skip
    snap = {"pool_id": pool_id, "project_id": "proj-1", "volume_id": "vol-1", "size_gib": 100,
            "status": "available", "created_at": NOW - timedelta(days=200),
            "deleted_at": None}  # fmt: skip
    conn.execute(insert(t.SnapshotRow), [
        {**snap, "snapshot_id": "snap-1", "name": "before-upgrade"},
        {**snap, "snapshot_id": "snap-gone", "name": "x", "deleted_at": NOW},
    ])  # fmt: skip
    conn.execute(insert(t.FlavorRow).values(
        pool_id=pool_id, flavor_id="f1", name="m1.large", vcpus=4, ram_mib=8192, disk_gib=40
    ))  # fmt: skip
    conn.execute(insert(t.QuotaRow), [
        {"pool_id": pool_id, "project_id": "proj-1", "resource": res, "limit": 64, "in_use": 12}
        for res in ("cores", "server_groups")  # server_groups: not modelled, left out
    ])  # fmt: skip
    conn.execute(insert(t.PoolCapacityRow).values(
        pool_id=pool_id, resource_class="VCPU", total=128, reserved=0, allocation_ratio=4.0,
        used=12, provider_count=2,
    ))  # fmt: skip
    conn.execute(insert(ts.StorageBackendRow), [
        {"pool_id": pool_id, "name": "c1@ssd#ssd", "backend_name": "ssd", "total_gib": 1000.0,
         "free_gib": 600.0, "allocated_gib": 400.0, "provisioned_gib": 900.0,
         "max_over_subscription_ratio": 2.0, "reserved_pct": 10.0, "thin": True, "thick": False},
        {"pool_id": pool_id, "name": "c1@lvm#lvm", "backend_name": "lvm", "total_gib": None,
         "free_gib": None, "allocated_gib": None, "provisioned_gib": None,
         "max_over_subscription_ratio": None, "reserved_pct": 0.0, "thin": False, "thick": True},
    ])  # fmt: skip
    conn.execute(insert(ts.VolumeTypeRow).values(
        pool_id=pool_id, type_id="vt-ssd", name="ssd", backend_name="ssd", is_public=True
    ))  # fmt: skip
    conn.execute(insert(ts.TypeQuotaRow).values(
        pool_id=pool_id, project_id="proj-1", volume_type="ssd", resource="gigabytes",
        limit=500, in_use=100, reserved=0,
    ))  # fmt: skip
    conn.execute(insert(t.PoolUsageRow), [
        {"pool_id": pool_id, "ts": NOW - timedelta(days=d), "servers": 3, "vcpus": 12 - d,
         "ram_mib": 24576, "volume_gib": 100}
        for d in (1, 2, 400)  # 400 days ago: outside the history the loader reads
    ])  # fmt: skip
    conn.execute(insert(t.SyncRunRow), [
        {"pool_id": pool_id, "started_at": NOW - timedelta(hours=h), "status": status,
         "finished_at": NOW - timedelta(hours=h) + timedelta(minutes=1)}
        for h, status in ((30, "ok"), (6, "ok"), (1, "failed"))
    ])  # fmt: skip
    agent = {"target": "t", "joined_by": "uuid", "last_error": None, "last_ok_at": None}
    week_ago = NOW - timedelta(days=7)
    conn.execute(insert(MetricTargetRow), [
        {**agent, "url": "http://a/metrics", "server_id": UP, "last_ok_at": week_ago},
        {**agent, "url": "http://b/metrics", "server_id": UP, "last_ok_at": NOW},
        {**agent, "url": "http://c/metrics", "server_id": LIVE[1], "last_error": "refused"},
        {**agent, "url": "http://legacy/metrics", "server_id": None},
    ])  # fmt: skip


def _points() -> Iterator[Point]:
    """Four days up to NOW with gaps, a server that is gone, and a legacy host."""
    first = (TODAY - 3) * DAY_S
    for i in range((END_TS - first) // STEP_S):
        ts = first + i * STEP_S + 17
        for n, target in enumerate([*LIVE, GONE, "legacy-host"]):
            if (i + n) % 7 == 0 or (target == LIVE[2] and i > 200):
                continue  # gaps; LIVE[2] goes quiet early
            yield Point(server_key(target), "cpu_pct", ts, (i * (n + 3)) % 97 + 0.25)
            yield Point(server_key(target), "net_rx_bps", ts, 1e6 + i * 13.5 + n)


@pytest.fixture
def loaded(store_url: str) -> str:
    store = open_store(store_url, create=True)
    try:
        with store.write() as conn:
            declared_repo.load_inventory(conn, _inventory())
            _observed(conn)
            metrics_repo.write_points(conn, _points())
            # The oldest day in the window is kept at one-hour resolution only.
            assert metrics_repo.downsample(conn, TODAY - 2, 3600) > 0
    finally:
        store.close()
    return store_url


def _read(url: str, window_s: int = WINDOW_S) -> AuditData:
    store = open_store(url)
    try:
        with store.read() as conn:
            return read_audit_data(
                conn, now=NOW, window_s=window_s, metrics=("cpu_pct", "net_rx_bps", "load1")
            )
    finally:
        store.close()


def _series(url: str, metric: str) -> dict[str, object]:
    store = open_store(url)
    try:
        with store.read() as conn:
            return dict(metrics_repo.read_series(conn, metric, TODAY - 4, TODAY))
    finally:
        store.close()


@pytest.mark.parametrize("metric", ["cpu_pct", "net_rx_bps"])
def test_matrix_matches_the_series_read_path(loaded: str, metric: str) -> None:
    data = _read(loaded)
    table = data.utilization
    assert table.keys == tuple(server_key(s.server_id) for s in data.servers)
    assert table.slots == WINDOW_S // STEP_S
    assert table.end_ts == END_TS
    series = _series(loaded, metric)
    stats = table.stats(metric)
    assert stats is not None
    for row, key in enumerate(table.keys):
        want = series[key].between(END_TS - WINDOW_S, END_TS)  # type: ignore[attr-defined]
        got = table.series(metric, key)
        assert got is not None
        expected = np.asarray(want.values, dtype=np.float32)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
        np.testing.assert_array_equal(got, expected)  # NaN == NaN here
        ref = window_stats(series[key], END_TS, WINDOW_S)  # type: ignore[arg-type]
        assert int(stats.points[row]) == ref.points
        assert float(stats.p95[row]) == pytest.approx(ref.p95, rel=1e-6)
        assert float(stats.max[row]) == pytest.approx(ref.max, rel=1e-6)


def test_down_sampled_day_repeats_each_hour_and_gaps_stay_gaps(loaded: str) -> None:
    table = _read(loaded).utilization
    row = table.series("cpu_pct", LIVE[1])
    assert row is not None
    day_start_col = ((TODAY - 3) * DAY_S - table.start_ts) // STEP_S
    assert day_start_col < 0  # the window begins inside the down-sampled day
    in_day = range(0, day_start_col + DAY_S // STEP_S - 12)
    hour_cols = [c for c in in_day if (c - day_start_col) % 12 == 0]
    first_full_hour = hour_cols[0]
    hour = row[first_full_hour : first_full_hour + 12]
    assert not np.isnan(hour).any()
    assert (hour == hour[0]).all()
    quiet = table.series("cpu_pct", LIVE[2])  # no samples after its first ~16 hours
    assert quiet is not None
    assert np.isnan(quiet[-288:]).all()


def test_deleted_servers_and_other_targets_have_no_rows(loaded: str) -> None:
    data = _read(loaded)
    assert [s.server_id for s in data.servers] == sorted(LIVE)
    assert data.utilization.row(GONE) is None
    assert data.utilization.row("legacy-host") is None
    assert data.utilization.row(UP) == data.utilization.row(UP.lower())


def test_a_metric_without_chunks_is_all_gaps(loaded: str) -> None:
    stats = _read(loaded).utilization.stats("load1")
    assert stats is not None
    assert (stats.points == 0).all()


def test_declared_and_observed_state_round_trip(loaded: str) -> None:
    data = _read(loaded)
    assert data.now == NOW
    assert data.window_s == WINDOW_S
    assert [p.code for p in data.pools] == ["p1"]
    assert data.departments[0].projects[0].approved_quota[m.QuotaResource.CORES] == 64
    assert data.systems == _inventory().systems
    assert sorted(data.prices, key=repr) == sorted(_inventory().prices, key=repr)
    assert data.department_of("p1", "proj-1") == "wjw"
    assert data.department_of("p1", "proj-x") is None
    server = data.servers_by_id[UP]
    assert server.updated_at == NOW - timedelta(days=2)
    assert server.addresses == ("10.0.0.5",)
    assert server.system_code == "wjw-his"
    assert [v.volume_id for v in data.volumes] == ["vol-1"]
    assert data.volumes[0].updated_at == NOW - timedelta(days=30)
    assert data.volumes[0].created_at == NOW - timedelta(days=40)
    assert [s.snapshot_id for s in data.snapshots] == ["snap-1"]
    assert data.snapshots[0].created_at == NOW - timedelta(days=200)
    assert [f.name for f in data.flavors] == ["m1.large"]
    assert [(q.resource, q.limit, q.in_use) for q in data.quotas] == [
        (m.QuotaResource.CORES, 64, 12)
    ]
    assert data.capacity["p1"]["VCPU"].allocation_ratio == 4.0
    assert [u.vcpus for u in data.usage_history] == [10, 11]  # oldest first, 400 days left out
    assert data.usage_history[0].ts.tzinfo is not None


def test_storage_backends_types_and_type_quotas(loaded: str) -> None:
    data = _read(loaded)
    by_name = {b.name: b for b in data.backends}
    assert by_name["c1@ssd#ssd"].thin
    assert by_name["c1@ssd#ssd"].max_over_subscription_ratio == 2.0
    assert by_name["c1@lvm#lvm"].total_gib is None  # infinite/unknown stays unknown
    assert [(v.name, v.backend_name) for v in data.volume_types] == [("ssd", "ssd")]
    [q] = data.type_quotas
    assert (q.project_id, q.volume_type, q.resource, q.limit) == (
        "proj-1",
        "ssd",
        m.QuotaResource.GIGABYTES,
        500,
    )


def test_agents_and_last_sync(loaded: str) -> None:
    data = _read(loaded)
    assert set(data.agents) == {server_key(UP), server_key(LIVE[1])}
    assert data.agents[server_key(UP)].url == "http://b/metrics"  # the one that answered last
    assert data.agents[server_key(UP)].last_ok_at == NOW
    assert data.agents[server_key(LIVE[1])].last_error == "refused"
    # The failed run an hour ago does not count; the newest successful one does.
    assert data.last_sync == {"p1": NOW - timedelta(hours=6) + timedelta(minutes=1)}


def test_window_shorter_than_a_day_and_empty_window(loaded: str) -> None:
    short = _read(loaded, window_s=3600).utilization
    assert short.slots == 12
    assert short.end_ts == END_TS
    empty = _read(loaded, window_s=0).utilization
    assert empty.slots == 0
    assert empty.metrics["cpu_pct"].shape == (len(LIVE), 0)


def test_malformed_chunk_is_a_store_error_not_a_traceback(loaded: str) -> None:
    store = open_store(loaded)
    try:
        with store.write() as conn:
            conn.execute(insert(MetricChunkRow).values(
                target=server_key(LIVE[0]), metric="disk_read_bps", day=TODAY, step_s=STEP_S,
                values=b"\x00" * 10, sample_count=1, counts=None,
            ))  # fmt: skip
        with store.read() as conn, pytest.raises(StoreError, match="malformed"):
            read_utilization(
                conn, [server_key(LIVE[0])], now=NOW, window_s=DAY_S, metrics=["disk_read_bps"]
            )
    finally:
        store.close()


def test_no_servers_gives_empty_matrices(store_url: str) -> None:
    store = open_store(store_url, create=True)
    try:
        with store.read() as conn:
            data = read_audit_data(conn, now=NOW.replace(tzinfo=None), window_s=DAY_S)
    finally:
        store.close()
    assert data.servers == ()
    assert data.now == NOW  # a naive NOW is taken as UTC
    assert all(mx.shape == (0, 288) for mx in data.utilization.metrics.values())
    assert not math.isnan(data.utilization.start_ts)
