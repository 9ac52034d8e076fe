"""The metrics tables on SQLite and PostgreSQL: chunk upserts, series reads, scrape state."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime

import pytest

from govcloud.adapters.store import metrics_repo
from govcloud.adapters.store.engine import open_store
from govcloud.core.metrics_sweep import Point, TargetState
from govcloud.core.rates import RawScrape
from govcloud.core.utilization import DAY_S, STEP_S, window_stats
from tests.core.azure_trace import azure_cpu_traces

DAY = 20_000


def test_trace_written_out_of_order_and_twice_reads_back_exactly(store_url: str) -> None:
    traces = azure_cpu_traces()
    points = [
        Point(vm, "cpu_pct", DAY * DAY_S + i * STEP_S + 17, v)
        for vm, trace in traces.items()
        for i, v in enumerate(trace)
    ]
    shuffled = points[:]
    random.Random(1).shuffle(shuffled)
    store = open_store(store_url, create=True)
    try:
        for start in range(0, len(shuffled), 5000):  # several sweeps, each its own transaction
            with store.write() as conn:
                metrics_repo.write_points(conn, shuffled[start : start + 5000])
        with store.write() as conn:  # the whole lot again: means unchanged
            metrics_repo.write_points(conn, points)
        with store.read() as conn:
            series = metrics_repo.read_series(conn, "cpu_pct", DAY, DAY + 13)
            one = metrics_repo.read_series(conn, "cpu_pct", DAY, DAY + 13, [next(iter(traces))])
            other_metric = metrics_repo.read_series(conn, "mem_used_pct", DAY, DAY + 13)
    finally:
        store.close()
    assert set(series) == set(traces)
    assert set(one) == {next(iter(traces))}
    assert other_metric == {}
    for vm, trace in traces.items():
        got = window_stats(series[vm], series[vm].end_ts, 14 * DAY_S)
        assert got.points == 4032
        assert got.max == pytest.approx(max(trace), rel=1e-6)
        assert got.avg == pytest.approx(sum(trace) / len(trace), rel=1e-5)


def test_target_state_round_trips_and_updates(store_url: str) -> None:
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    state = TargetState(
        url="http://10.0.0.5:9109/metrics",
        target="u1",
        joined_by="uuid",
        name="web-1",
        raw=RawScrape(1000.5, {"cpu_idle|0|idle": 12.5, "net_rx|eth0": 9e15}),
        last_scrape_at=now,
        last_ok_at=now,
        last_duration_ms=12,
    )
    store = open_store(store_url, create=True)
    try:
        with store.write() as conn:
            metrics_repo.save_states(conn, [state])
        with store.write() as conn:
            failed = TargetState(**{**state.__dict__, "last_error": "connection refused"})
            metrics_repo.save_states(conn, [failed])
        with store.read() as conn:
            got = metrics_repo.read_states(conn)
    finally:
        store.close()
    assert list(got) == [state.url]
    back = got[state.url]
    assert back.raw == state.raw
    assert back.last_error == "connection refused"
    assert back.last_scrape_at is not None
    assert back.last_scrape_at.timestamp() == now.timestamp()


def test_retention_and_downsampling(store_url: str) -> None:
    store = open_store(store_url, create=True)
    points = [
        Point("u1", "load1", (DAY + d) * DAY_S + s * STEP_S, float(s))
        for d in range(3)
        for s in range(24)
    ]
    try:
        with store.write() as conn:
            metrics_repo.write_points(conn, points)
            assert metrics_repo.downsample(conn, DAY + 2, 3600) == 2
            assert metrics_repo.expire(conn, DAY + 1) == 1
        with store.read() as conn:
            series = metrics_repo.read_series(conn, "load1", DAY, DAY + 2)["u1"]
    finally:
        store.close()
    per_day = DAY_S // STEP_S
    assert all(math.isnan(v) for v in series.values[:per_day])  # expired
    hourly = series.values[per_day : per_day + 24]  # first two hours of day 2, one value each
    assert hourly[0] == hourly[11] == pytest.approx(5.5)
    assert hourly[12] == pytest.approx(17.5)
    assert series.values[2 * per_day + 5] == 5.0  # the newest day keeps five-minute slots
