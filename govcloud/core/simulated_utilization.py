"""A simulated utilization history per VM, for the demo and the benchmarks: deterministic, and
shaped like real VM traces.

The shapes follow the Azure Public Dataset V1 CPU traces in ../shared/data/traces (Cortez et al.,
"Resource Central", SOSP 2017, CC-BY-4.0): most VMs sit on a flat baseline of a few percent
with small, short-lived noise (lag-one autocorrelation ~0.8) and rare single-slot spikes towards
100%; some follow the working day; some run a nightly job; a few change level for good late in
the month (one trace's daily mean jumps from 1% to 15-32% over its last four days).

Profiles, and their share of VMs whose business system is in production (test/dev systems and
disaster-recovery standbys are idler; VMs tied to no system sit in between):

| profile    | CPU                                                  | prod | test/dev | dr  | none |
|------------|------------------------------------------------------|------|----------|-----|------|
| idle       | 0.5-2.2% with cron blips; network under 1 KB/s       | 12%  | 50%      | 45% | 35%  |
| light      | 3-9% baseline, rare spikes to 20-95% (most traces)   | 23%  | 25%      | 25% | 30%  |
| office     | China office hours (UTC+8), weekdays 9-12 and 14-18  | 26%  | 12%      | 10% | 12%  |
| batch      | quiet by day, a 1.5-4 h job at 60-95% each night     | 10%  | 5%       | 10% | 8%   |
| steady     | 30-60% all day with a slow wander                    | 12%  | 3%       | 5%  | 8%   |
| growing    | a working-day load that doubles over the window      | 7%   | 2%       | 2%  | 3%   |
| step-up    | 4-12%, then 35-65% for the last 3-6 days             | 7%   | 2%       | 2%  | 2%   |
| undersized | sustained 86-94%                                     | 3%   | 1%       | 1%  | 2%   |

`cpu_pct_max` (each slot's highest scrape) sits above the slot mean by about mean^0.6 points,
as the traces' max column does. Memory is flatter than CPU (20-90%, higher on `-db-` VMs);
network and disk follow CPU.
Collection has gaps like a real one: 0.3% of slots lost at random and sometimes an hour-long
outage. Independently of the profile some agents misbehave: none installed (3% of VMs with a
system, 35% of VMs without one), stopped reporting two days ago (2%), reachable only part of the
time (0.6% at 2% coverage, 1.2% at 40%). A VM that is not ACTIVE reports until it stopped.

Everything is drawn from a generator seeded by (seed, server id), so a VM's history does not
depend on which other VMs are simulated with it.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from govcloud.core.utilization import DAY_S, STEP_S

FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]

SIM_METRICS = (
    "cpu_pct",
    "cpu_pct_max",
    "mem_used_pct",
    "net_rx_bps",
    "net_tx_bps",
    "disk_read_bps",
    "disk_write_bps",
)
LOCAL_OFFSET_S = 8 * 3600  # China Standard Time, UTC+8: office hours are local
SLOTS_PER_DAY = DAY_S // STEP_S
STALE_S = 2 * DAY_S  # how long ago a stale agent stopped reporting


class Profile(StrEnum):
    IDLE = "idle"
    LIGHT = "light"
    OFFICE = "office"
    BATCH = "batch"
    STEADY = "steady"
    GROWING = "growing"
    STEP_UP = "step-up"
    UNDERSIZED = "undersized"


class AgentMode(StrEnum):
    OK = "ok"
    MISSING = "missing"  # no agent: no samples, no scrape target
    STALE = "stale"  # reported until STALE_S ago
    LOW_COVERAGE = "low-coverage"  # reachable for a share of the time only
    STOPPED = "stopped"  # the VM is not running: samples until it stopped, if known


_P = Profile
_MIX: Mapping[str, tuple[tuple[Profile, float], ...]] = {
    "prod": (
        (_P.IDLE, 0.12), (_P.LIGHT, 0.23), (_P.OFFICE, 0.26), (_P.BATCH, 0.10),
        (_P.STEADY, 0.12), (_P.GROWING, 0.07), (_P.STEP_UP, 0.07), (_P.UNDERSIZED, 0.03),
    ),
    "test": (
        (_P.IDLE, 0.50), (_P.LIGHT, 0.25), (_P.OFFICE, 0.12), (_P.BATCH, 0.05),
        (_P.STEADY, 0.03), (_P.GROWING, 0.02), (_P.STEP_UP, 0.02), (_P.UNDERSIZED, 0.01),
    ),
    "dr": (
        (_P.IDLE, 0.45), (_P.LIGHT, 0.25), (_P.OFFICE, 0.10), (_P.BATCH, 0.10),
        (_P.STEADY, 0.05), (_P.GROWING, 0.02), (_P.STEP_UP, 0.02), (_P.UNDERSIZED, 0.01),
    ),
    "none": (
        (_P.IDLE, 0.35), (_P.LIGHT, 0.30), (_P.OFFICE, 0.12), (_P.BATCH, 0.08),
        (_P.STEADY, 0.08), (_P.GROWING, 0.03), (_P.STEP_UP, 0.02), (_P.UNDERSIZED, 0.02),
    ),
}  # fmt: skip
_ENV_MIX = {"prod": "prod", "test": "test", "dev": "test", "dr": "dr"}


@dataclass(frozen=True)
class VmSpec:
    """What the simulation knows of a VM: its id, name, its system's environment (None: tied to
    no declared system), whether it runs, and when it stopped if it does not (UTC seconds)."""

    server_id: str
    name: str = ""
    environment: str | None = None
    active: bool = True
    stopped_ts: float | None = None


@dataclass(frozen=True)
class Plan:
    """What the simulation decided for one VM."""

    key: str  # the metrics store key: lower-case server id
    profile: Profile
    agent: AgentMode
    coverage_pct: float  # share of slots reachable (100: only the ordinary gaps)
    silent_s: float  # the agent sent nothing for this long before `now` (0: reporting)


@dataclass(frozen=True)
class History:
    plan: Plan
    start_ts: int  # UTC midnight of the first day
    slots: int  # whole days of five-minute slots, the last day running past `now`
    metrics: Mapping[str, Float32Array]  # SIM_METRICS -> (slots,), NaN where no sample
    last_sample_ts: int | None  # end of the newest slot holding a sample

    @property
    def days(self) -> int:
        return self.slots // SLOTS_PER_DAY

    @property
    def first_day(self) -> int:
        return self.start_ts // DAY_S


def _digest(seed: int, key: str, salt: str) -> bytes:
    return hashlib.blake2b(f"{seed}\x00{key}\x00{salt}".encode(), digest_size=16).digest()


def _unit(seed: int, key: str, salt: str) -> float:
    """A uniform number in [0, 1) fixed by (seed, key, salt)."""
    return int.from_bytes(_digest(seed, key, salt)[:8], "big") / 2.0**64


def choose_profile(spec: VmSpec, seed: int = 0) -> Profile:
    group = _ENV_MIX.get(spec.environment or "", "prod") if spec.environment else "none"
    u = _unit(seed, spec.server_id.lower(), "profile")
    total = 0.0
    for profile, share in _MIX[group]:
        total += share
        if u < total:
            return profile
    return _MIX[group][-1][0]


def plan(spec: VmSpec, now_ts: float, seed: int = 0) -> Plan:
    key = spec.server_id.lower()
    profile = choose_profile(spec, seed)
    if not spec.active:
        silent = now_ts - spec.stopped_ts if spec.stopped_ts is not None else float("inf")
        return Plan(key, profile, AgentMode.STOPPED, 100.0, max(silent, 0.0))
    u = _unit(seed, key, "agent")
    missing_share = 0.03 if spec.environment else 0.35
    if u < missing_share:
        return Plan(key, profile, AgentMode.MISSING, 0.0, float("inf"))
    u -= missing_share
    if u < 0.02:
        return Plan(key, profile, AgentMode.STALE, 100.0, STALE_S + u / 0.02 * 3 * 3600)
    if u < 0.026:
        return Plan(key, profile, AgentMode.LOW_COVERAGE, 2.0, 0.0)
    if u < 0.038:
        return Plan(key, profile, AgentMode.LOW_COVERAGE, 40.0, 0.0)
    return Plan(key, profile, AgentMode.OK, 100.0, 0.0)


def window_start(now_ts: float, days: int) -> int:
    """Midnight UTC DAYS whole days before the day holding NOW_TS."""
    return (int(now_ts // DAY_S) - days) * DAY_S


@dataclass(frozen=True)
class _Calendar:
    hour: FloatArray  # local hour of the slot's middle, 0-24
    weekday: npt.NDArray[np.int64]  # local, Monday = 0
    office: FloatArray  # 1 in office hours, lower at lunch and at the edges, ~0 at night


@functools.lru_cache(maxsize=8)
def _calendar(start_ts: int, slots: int) -> _Calendar:
    local = start_ts + LOCAL_OFFSET_S + (np.arange(slots) + 0.5) * STEP_S
    hour = ((local % DAY_S) / 3600.0).astype(np.float64)
    weekday = ((local // DAY_S).astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    work = ((hour >= 9) & (hour < 12)) | ((hour >= 14) & (hour < 18))
    lunch = (hour >= 12) & (hour < 14)
    edge = ((hour >= 8) & (hour < 9)) | ((hour >= 18) & (hour < 20))
    office = np.where(work, 1.0, np.where(lunch, 0.55, np.where(edge, 0.3, 0.0)))
    office = np.where(weekday >= 5, 0.1 * (work | lunch), office)
    office = np.convolve(office, np.full(5, 0.2), mode="same")  # people drift in and out
    for a in (hour, weekday, office):
        a.setflags(write=False)
    return _Calendar(hour, weekday, office)


def simulate(spec: VmSpec, *, now_ts: float, days: int = 30, seed: int = 0) -> History:
    """DAYS whole days of history before the day of NOW_TS, and that day up to NOW_TS."""
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    the_plan = plan(spec, now_ts, seed)
    start = window_start(now_ts, days)
    slots = (days + 1) * SLOTS_PER_DAY
    now_idx = min(int((now_ts - start) // STEP_S), slots)
    rng = np.random.default_rng(int.from_bytes(_digest(seed, the_plan.key, "values"), "big"))
    present = _present(rng, the_plan, slots, now_idx)
    if not present.any():
        empty = np.full(slots, np.nan, dtype=np.float32)
        empty.setflags(write=False)
        return History(the_plan, start, slots, dict.fromkeys(SIM_METRICS, empty), None)
    cal = _calendar(start, slots)
    cpu = _cpu(the_plan.profile, rng, cal, now_idx)
    values = {
        "cpu_pct": cpu,
        "cpu_pct_max": _slot_peaks(rng, cpu),
        **_followers(spec, the_plan.profile, rng, cal, cpu, now_idx),
    }
    metrics: dict[str, Float32Array] = {}
    for name in SIM_METRICS:
        out = np.where(present, values[name], np.nan).astype(np.float32)
        out.setflags(write=False)
        metrics[name] = out
    last = int(np.flatnonzero(present)[-1])
    return History(the_plan, start, slots, metrics, start + (last + 1) * STEP_S)


def _present(rng: np.random.Generator, p: Plan, slots: int, now_idx: int) -> BoolArray:
    """Which slots hold a sample: none after now or after the agent fell silent."""
    if p.agent is AgentMode.MISSING:
        return np.zeros(slots, dtype=np.bool_)
    present = np.ones(slots, dtype=np.bool_)
    present[rng.integers(0, slots, int(rng.poisson(0.003 * slots)))] = False  # lost scrapes
    if rng.random() < 0.3:  # an agent restart or a network change: an hour or three
        start, length = int(rng.integers(0, max(now_idx, 1))), int(rng.integers(12, 37))
        present[start : start + length] = False
    if p.agent is AgentMode.LOW_COVERAGE:  # reachable in whole hours, at random
        hours = rng.random(slots // 12 + 1) < p.coverage_pct / 100.0
        present &= np.repeat(hours, 12)[:slots]
    silent_slots = min(p.silent_s / STEP_S, float(slots))
    present[max(now_idx - int(np.ceil(silent_slots)), 0) :] = False
    return present


_TABLE_SIZE = 1 << 20  # about 3.6 years of five-minute slots


@functools.lru_cache(maxsize=8)
def _noise_table(width: int) -> FloatArray:
    """Unit-variance noise correlated over about WIDTH slots, drawn once from a fixed seed.

    Drawing and smoothing fresh noise per VM and metric cost milliseconds per VM; a VM takes
    windows of this table at offsets from its own generator instead, which is as random for a
    demo and costs a slice.
    """
    factor = max(1, width // 4)  # long correlations: smooth on a coarser grid, then interpolate
    coarse_n = _TABLE_SIZE // factor + 2
    step = width / factor
    kernel = np.exp(-np.arange(int(3 * step) + 1) / step)
    white = np.random.default_rng(width).standard_normal(coarse_n + kernel.size - 1)
    coarse = np.convolve(white, kernel, mode="valid")
    fine = np.interp(np.arange(_TABLE_SIZE) / factor, np.arange(coarse.size), coarse)
    table: FloatArray = ((fine - fine.mean()) / fine.std()).astype(np.float64)
    table.setflags(write=False)
    return table


def _noise(rng: np.random.Generator, n: int, width: int = 4) -> FloatArray:
    """N slots of unit-variance noise correlated over about WIDTH slots (the traces' lag-one
    autocorrelation is ~0.8, i.e. WIDTH ~4), from a random place of the shared table."""
    table = _noise_table(width)
    at = int(rng.integers(0, table.size - n))
    out: FloatArray = table[at : at + n]
    return out


def _spikes(
    rng: np.random.Generator, n: int, per_day: float, low: float, high: float
) -> FloatArray:
    """Short bursts (one or two slots) at random, PER_DAY of them on average."""
    out = np.zeros(n)
    count = int(rng.poisson(per_day * n / SLOTS_PER_DAY))
    at = rng.integers(0, n, count)
    height = rng.uniform(low, high, count)
    out[at] = height
    out[np.minimum(at + 1, n - 1)] += height * (rng.random(count) < 0.4)
    return out


def _cpu(profile: Profile, rng: np.random.Generator, cal: _Calendar, now_idx: int) -> FloatArray:
    n = cal.hour.size
    u = rng.uniform
    if profile is Profile.IDLE:
        level = u(0.5, 2.2)
        cpu = level * (1 + 0.25 * _noise(rng, n)) + _spikes(rng, n, 0.5, 2.0, 8.0)
    elif profile is Profile.LIGHT:
        level = u(3.0, 9.0)
        cpu = level * (1 + 0.12 * _noise(rng, n)) + _spikes(rng, n, 1.2, 20.0, 95.0)
    elif profile is Profile.OFFICE:
        night, peak = u(2.0, 6.0), u(25.0, 65.0)
        cpu = night + peak * cal.office * _daily(rng, n, 0.12) + 1.5 * _noise(rng, n)
        cpu += 0.08 * cpu * _noise(rng, n, 2) + _spikes(rng, n, 0.5, 15.0, 40.0)
    elif profile is Profile.BATCH:
        cpu = _batch(rng, cal) + _spikes(rng, n, 0.3, 10.0, 40.0)
    elif profile is Profile.STEADY:
        level = u(30.0, 60.0)
        cpu = level * (1 + 0.08 * _noise(rng, n, 96) + 0.15 * cal.office) + 3 * _noise(rng, n)
    elif profile is Profile.GROWING:
        ramp = 1 + u(0.8, 1.6) * np.clip(np.arange(n) / max(now_idx, 1), 0, 1)
        cpu = u(10.0, 22.0) * ramp * (0.6 + 0.7 * cal.office) + 1.5 * _noise(rng, n)
    elif profile is Profile.STEP_UP:
        cpu = _step_up(rng, cal, now_idx)
    else:  # undersized: pressed against the ceiling all day
        level = u(86.0, 94.0)
        cpu = level + 4 * cal.office - 3 * (1 - cal.office) + 2.5 * _noise(rng, n)
    return np.clip(cpu, 0.05, 100.0)


def _slot_peaks(rng: np.random.Generator, cpu: FloatArray) -> FloatArray:
    """The highest scrape within each slot. In the traces' max-vs-average columns the excess
    grows slower than the mean (median ~4 points at 7%, ~8 at 25-35%): about mean^0.6."""
    excess = rng.uniform(0.7, 1.6) * cpu**0.6 * np.exp(0.6 * _noise(rng, cpu.size, 2) - 0.18)
    return np.clip(cpu + excess, cpu, 100.0)


def _daily(rng: np.random.Generator, n: int, spread: float) -> FloatArray:
    """A factor per day (busier and quieter days), repeated over the day's slots."""
    days = -(-n // SLOTS_PER_DAY)
    return np.repeat(1 + spread * rng.standard_normal(days), SLOTS_PER_DAY)[:n]


def _batch(rng: np.random.Generator, cal: _Calendar) -> FloatArray:
    n = cal.hour.size
    start_h, hours = float(rng.integers(0, 4)), rng.uniform(1.5, 4.0)
    running = ((cal.hour - start_h) % 24) < np.where(cal.weekday == 6, 1.5 * hours, hours)
    job = rng.uniform(60.0, 95.0) * np.clip(_daily(rng, n, 0.08), 0.5, 1.1)
    base = rng.uniform(2.0, 8.0)
    return base * (1 + 0.15 * _noise(rng, n)) + running * (job - base) * (1 + 0.05 * _noise(rng, n))


def _step_up(rng: np.random.Generator, cal: _Calendar, now_idx: int) -> FloatArray:
    n = cal.hour.size
    before, after = rng.uniform(4.0, 12.0), rng.uniform(35.0, 65.0)
    at = now_idx - int(rng.uniform(3.0, 6.0) * SLOTS_PER_DAY)
    share = np.clip((np.arange(n) - at) / 12.0, 0.0, 1.0)  # the new load arrives within an hour
    level = before + (after - before) * share
    return level * (0.85 + 0.3 * cal.office) * (1 + 0.1 * _noise(rng, n)) + _spikes(
        rng, n, 0.5, 10.0, 40.0
    )


def _followers(
    spec: VmSpec, profile: Profile, rng: np.random.Generator, cal: _Calendar, cpu: FloatArray,
    now_idx: int,
) -> dict[str, FloatArray]:  # fmt: skip
    """Memory, network and disk: driven by CPU, each with its own scale and noise."""
    n, u = cpu.size, rng.uniform
    role = spec.name.lower()
    idle = profile is Profile.IDLE
    mem_base = {
        Profile.IDLE: (18, 35), Profile.LIGHT: (25, 50), Profile.OFFICE: (35, 60),
        Profile.BATCH: (30, 50), Profile.STEADY: (50, 75), Profile.GROWING: (35, 50),
        Profile.STEP_UP: (30, 45), Profile.UNDERSIZED: (68, 85),
    }[profile]  # fmt: skip
    mem = u(*mem_base) + (18 if "-db-" in role else 0) + 2.5 * _noise(rng, n, 144)
    mem += 0.12 * (cpu - np.mean(cpu[: max(now_idx, 1)])) + 0.4 * _noise(rng, n)
    if profile is Profile.GROWING:  # caches and sessions grow with the load
        mem += u(8, 18) * np.clip(np.arange(n) / max(now_idx, 1), 0, 1)
    net_floor = u(150, 700) if idle else u(2e3, 2e4)
    per_pct = u(5, 40) if idle else u(5e3, 6e4) * (3 if "-web-" in role else 1)
    rx = (net_floor + per_pct * cpu) * np.exp(0.3 * _noise(rng, n, 2) - 0.045)
    tx = rx * (u(0.3, 0.7) if idle else u(0.4, 2.5)) * np.exp(0.2 * _noise(rng, n, 2) - 0.02)
    write_floor = u(1e3, 5e3) if idle else u(1e4, 1e5)
    write = (write_floor + u(2e3, 2e4) * cpu * (3 if "-db-" in role else 1)) * np.exp(
        0.4 * _noise(rng, n, 2) - 0.08
    )
    read = (u(0, 200) if idle else u(5e3, 5e4)) + u(1e3, 3e4) * cpu * (
        4 if profile is Profile.BATCH else 1
    ) * np.exp(0.5 * _noise(rng, n, 2) - 0.125)
    return {
        "mem_used_pct": np.clip(mem, 5.0, 98.0),
        "net_rx_bps": rx,
        "net_tx_bps": tx,
        "disk_read_bps": read,
        "disk_write_bps": write,
    }
