"""Day chunks: one target's one metric for one UTC day, as 288 five-minute slots.

A slot holds the mean of the samples that fell into it and how many there were, so merging is
order-independent: samples may arrive late, out of order, or twice (a re-imported spool doubles
every count of a slot and leaves its mean unchanged). Values are float32 (7 significant digits,
ample for percentages and byte rates), counts uint16; both little-endian on disk.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from govcloud.core.utilization import DAY_S, STEP_S, Series

COUNT_MAX = 65_535


@dataclass
class DayChunk:
    day: int  # days since 1970-01-01 UTC
    step_s: int
    values: array[float]  # 'd' in memory, float32 on disk; NaN where counts[i] == 0
    counts: array[int]

    @classmethod
    def empty(cls, day: int, step_s: int = STEP_S) -> DayChunk:
        n = DAY_S // step_s
        return cls(day, step_s, array("d", (math.nan,) * n), array("H", bytes(2 * n)))

    @property
    def sample_count(self) -> int:
        return sum(1 for c in self.counts if c)

    def add(self, slot: int, value: float, weight: int = 1, peak: bool = False) -> None:
        """Fold VALUE into SLOT's running mean (or, for a PEAK metric, its maximum); a full
        counter stops growing but keeps folding."""
        if not math.isfinite(value):
            return
        count = self.counts[slot]
        if count == 0:
            self.values[slot] = value
        elif peak:
            self.values[slot] = max(self.values[slot], value)
        else:
            self.values[slot] += (value - self.values[slot]) * weight / (count + weight)
        self.counts[slot] = min(count + weight, COUNT_MAX)


def day_and_slot(ts: float, step_s: int = STEP_S) -> tuple[int, int]:
    day = int(ts // DAY_S)
    return day, int((ts - day * DAY_S) // step_s)


def group_by_day(points: Iterable[tuple[float, float]]) -> dict[int, list[tuple[int, float]]]:
    """(ts, value) pairs -> {day: [(slot, value), ...]} at the store's five-minute step."""
    out: dict[int, list[tuple[int, float]]] = {}
    for ts, value in points:
        day, slot = day_and_slot(ts)
        out.setdefault(day, []).append((slot, value))
    return out


def is_peak(metric: str) -> bool:
    """Peak metrics keep the maximum of the samples in a slot, not their mean: rightsizing
    sizes for per-interval peaks (AWS Compute Optimizer: max per 5-minute interval)."""
    return metric.endswith("_max")


def merge(chunk: DayChunk, slots: Iterable[tuple[int, float]], peak: bool = False) -> DayChunk:
    if chunk.step_s != STEP_S:
        # A down-sampled day only takes late samples at its own (coarser) resolution.
        factor = chunk.step_s // STEP_S
        slots = [(slot // factor, value) for slot, value in slots]
    for slot, value in slots:
        chunk.add(slot, value, peak=peak)
    return chunk


def downsample(chunk: DayChunk, step_s: int, peak: bool = False) -> DayChunk:
    """A coarser day: each new slot is the count-weighted mean of the slots it covers (the
    maximum for a PEAK metric)."""
    if step_s % chunk.step_s or DAY_S % step_s:
        raise ValueError(f"cannot down-sample a {chunk.step_s}s chunk to {step_s}s")
    factor = step_s // chunk.step_s
    out = DayChunk.empty(chunk.day, step_s)
    for i, (value, count) in enumerate(zip(chunk.values, chunk.counts, strict=True)):
        if count:
            out.add(i // factor, value, count, peak=peak)
    return out


def pack(chunk: DayChunk) -> tuple[bytes, bytes]:
    values, counts = array("f", chunk.values), array("H", chunk.counts)
    if sys.byteorder == "big":
        values.byteswap()
        counts.byteswap()
    return values.tobytes(), counts.tobytes()


def unpack(day: int, step_s: int, values_blob: bytes, counts_blob: bytes | None) -> DayChunk:
    values, counts = array("f"), array("H")
    values.frombytes(values_blob)
    if counts_blob:
        counts.frombytes(counts_blob)
    if sys.byteorder == "big":
        values.byteswap()
        counts.byteswap()
    if not counts_blob:  # written without counts: every present value counts once
        counts = array("H", (0 if math.isnan(v) else 1 for v in values))
    if len(values) != DAY_S // step_s or len(counts) != len(values):
        raise ValueError(f"chunk of day {day} has {len(values)} values for step {step_s}s")
    return DayChunk(day, step_s, array("d", values), counts)


def series_of(chunks: Mapping[int, DayChunk], first_day: int, last_day: int) -> Series:
    """Days FIRST..LAST (inclusive) at five-minute steps; coarser days repeat each value over
    the slots it covers, so percentiles weigh every hour alike whatever its resolution."""
    per_day = DAY_S // STEP_S
    values = array("d", (math.nan,) * (per_day * (last_day - first_day + 1)))
    for day, chunk in chunks.items():
        if not first_day <= day <= last_day:
            continue
        base = (day - first_day) * per_day
        factor = chunk.step_s // STEP_S
        if factor == 1:  # the common case, at C speed: gaps are already NaN
            values[base : base + per_day] = chunk.values
            continue
        for i, value in enumerate(chunk.values):
            if chunk.counts[i]:
                for j in range(factor):
                    values[base + i * factor + j] = value
    return Series(first_day * DAY_S, STEP_S, values)


_NAN32 = array("f", [math.nan]).tobytes()


def series_of_blobs(
    blobs: Mapping[int, tuple[int, bytes]], first_day: int, last_day: int
) -> Series:
    """Like `series_of`, straight from stored (step_s, values blob) pairs per day.

    The read path of "every VM, 14 days": five-minute days are spliced in as bytes (their
    empty slots already hold NaN), so no per-value Python work happens for them.
    """
    per_day = DAY_S // STEP_S
    buf = bytearray(_NAN32 * (per_day * (last_day - first_day + 1)))
    coarse: dict[int, DayChunk] = {}
    for day, (step_s, blob) in blobs.items():
        if not first_day <= day <= last_day:
            continue
        if step_s != STEP_S:
            coarse[day] = unpack(day, step_s, blob, None)
            continue
        if len(blob) != per_day * 4:
            raise ValueError(f"chunk of day {day} has {len(blob)} bytes for step {step_s}s")
        offset = (day - first_day) * per_day * 4
        buf[offset : offset + len(blob)] = blob
    values = array("f")
    values.frombytes(bytes(buf))
    if sys.byteorder == "big":
        values.byteswap()
    if coarse:
        expanded = series_of(coarse, first_day, last_day).values
        for i, v in enumerate(expanded):
            if not math.isnan(v):
                values[i] = v
    return Series(first_day * DAY_S, STEP_S, values)
