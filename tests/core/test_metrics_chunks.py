from __future__ import annotations

import math
import random

import pytest

from govcloud.core import metric_chunks as mc
from govcloud.core.utilization import DAY_S, STEP_S, window_stats
from tests.core.azure_trace import azure_cpu_traces

DAY = 19_700


def chunk_with(points: list[tuple[int, float]]) -> mc.DayChunk:
    return mc.merge(mc.DayChunk.empty(DAY), points)


def test_out_of_order_and_repeated_samples_give_the_same_chunk() -> None:
    points = [(slot, float(slot % 37)) for slot in range(0, 288, 3) for _ in range(2)]
    shuffled = points[:]
    random.Random(7).shuffle(shuffled)
    a, b = chunk_with(points), chunk_with(shuffled)
    assert list(a.values[:12]) == pytest.approx(list(b.values[:12]), nan_ok=True)
    assert mc.pack(a) == mc.pack(b)
    # merging everything again (a spool imported twice) keeps every slot's mean
    twice = mc.merge(chunk_with(points), points)
    assert mc.pack(twice)[0] == mc.pack(a)[0]
    assert twice.counts[0] == 4


def test_slot_holds_the_mean_of_its_samples() -> None:
    chunk = chunk_with([(5, 10.0), (5, 20.0), (5, 60.0)])
    assert chunk.values[5] == pytest.approx(30.0)
    assert chunk.counts[5] == 3
    assert math.isnan(chunk.values[4])
    assert chunk.counts[4] == 0
    assert chunk.sample_count == 1


def test_non_finite_values_never_enter() -> None:
    chunk = chunk_with([(1, math.nan), (2, math.inf)])
    assert chunk.sample_count == 0


def test_pack_round_trip_is_float32() -> None:
    chunk = chunk_with([(0, 1 / 3), (287, 1e9 + 1)])
    values, counts = mc.pack(chunk)
    assert len(values) == 288 * 4
    assert len(counts) == 288 * 2
    back = mc.unpack(DAY, STEP_S, values, counts)
    assert back.values[0] == pytest.approx(1 / 3, rel=1e-7)
    assert back.values[287] == pytest.approx(1e9, rel=1e-7)
    assert math.isnan(back.values[1])
    assert list(back.counts) == list(chunk.counts)


def test_unpack_rejects_a_wrong_length() -> None:
    with pytest.raises(ValueError, match="values for step"):
        mc.unpack(DAY, STEP_S, b"\0" * 40, None)


def test_day_and_slot() -> None:
    ts = DAY * DAY_S + 3 * STEP_S + 299.9
    assert mc.day_and_slot(ts) == (DAY, 3)
    assert mc.group_by_day([(ts, 1.0), (ts + DAY_S, 2.0)]) == {DAY: [(3, 1.0)], DAY + 1: [(3, 2.0)]}


def test_downsample_keeps_count_weighted_means() -> None:
    chunk = chunk_with([(0, 10.0), (0, 10.0), (1, 40.0), (13, 5.0)])
    hourly = mc.downsample(chunk, 3600)
    assert len(hourly.values) == 24
    assert hourly.values[0] == pytest.approx((10 + 10 + 40) / 3)
    assert hourly.counts[0] == 3
    assert hourly.values[1] == pytest.approx(5.0)
    # a late five-minute sample lands in its hour
    mc.merge(hourly, [(2, 65.0)])
    assert hourly.values[0] == pytest.approx((10 + 10 + 40 + 65) / 4)
    with pytest.raises(ValueError):
        mc.downsample(chunk, 700)


def test_series_of_real_trace_through_day_chunks() -> None:
    trace = next(iter(azure_cpu_traces().values()))
    start = DAY * DAY_S
    chunks: dict[int, mc.DayChunk] = {}
    for day, slots in mc.group_by_day((start + i * STEP_S, v) for i, v in enumerate(trace)).items():
        values, counts = mc.pack(mc.merge(mc.DayChunk.empty(day), slots))
        chunks[day] = mc.unpack(day, STEP_S, values, counts)
    series = mc.series_of(chunks, DAY, DAY + 13)
    st = window_stats(series, series.end_ts, 14 * DAY_S)
    assert st.points == 4032
    assert st.max == pytest.approx(max(trace), rel=1e-6)
    # coarser days repeat their value over the hour they cover
    chunks[DAY] = mc.downsample(chunks[DAY], 3600)
    coarse = mc.series_of(chunks, DAY, DAY)
    assert coarse.values[0] == coarse.values[11] == pytest.approx(sum(trace[:12]) / 12, rel=1e-6)


def test_series_from_stored_blobs_equals_series_from_chunks() -> None:
    fine = chunk_with([(0, 1.5), (100, 2.5), (287, 3.5)])
    coarse = mc.downsample(chunk_with([(12, 8.0), (13, 10.0)]), 3600)
    blobs = {DAY: (STEP_S, mc.pack(fine)[0]), DAY + 1: (3600, mc.pack(coarse)[0])}
    got = mc.series_of_blobs(blobs, DAY - 1, DAY + 1)
    want = mc.series_of({DAY: fine, DAY + 1: coarse}, DAY - 1, DAY + 1)
    assert got.start_ts == want.start_ts
    assert list(got.values) == pytest.approx(list(want.values), nan_ok=True)
    assert got.values[288 * 2 + 12] == pytest.approx(9.0)
    with pytest.raises(ValueError, match="bytes for step"):
        mc.series_of_blobs({DAY: (STEP_S, b"\0" * 8)}, DAY, DAY)


def test_peak_metrics_keep_the_slot_maximum_in_any_order() -> None:
    samples = [(3, 10.0), (3, 90.0), (3, 20.0), (4, 5.0)]
    forward = mc.merge(mc.DayChunk.empty(0), samples, peak=mc.is_peak("cpu_pct_max"))
    backward = mc.merge(mc.DayChunk.empty(0), samples[::-1], peak=True)
    assert forward.values[3] == backward.values[3] == 90.0
    assert mc.merge(mc.DayChunk.empty(0), samples).values[3] == pytest.approx(40.0)
    hourly = mc.downsample(forward, 3600, peak=True)
    assert hourly.values[0] == 90.0  # the hour's peak, not its mean
    assert not mc.is_peak("cpu_pct")
