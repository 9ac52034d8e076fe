"""The simulated history: deterministic, and each profile and agent mode has its shape."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime

import numpy as np
import pytest

from govcloud.core import simulated_utilization as sim
from govcloud.core.simulated_utilization import AgentMode, Profile, VmSpec
from govcloud.core.utilization import DAY_S, STEP_S

NOW = datetime(2026, 11, 25, 6, 7, tzinfo=UTC).timestamp()  # a Wednesday, 14:07 in Beijing
SPD = sim.SLOTS_PER_DAY


def server_id(i: int) -> str:
    return str(uuid.UUID(int=i * 2_654_435_761 + 17))


def find(
    profile: Profile | None = None, agent: AgentMode = AgentMode.OK, env: str = "prod"
) -> VmSpec:
    """The first made-up server the simulation gives PROFILE and AGENT (both are fixed by id)."""
    for i in range(20_000):
        spec = VmSpec(server_id(i), f"sys-app-{i:05d}", env)
        chosen = sim.plan(spec, NOW)
        if (profile is None or chosen.profile is profile) and chosen.agent is agent:
            return spec
    raise AssertionError(f"no {profile} VM with agent {agent}")


def cpu(spec: VmSpec, days: int = 30, seed: int = 0) -> np.ndarray:
    return sim.simulate(spec, now_ts=NOW, days=days, seed=seed).metrics["cpu_pct"]


def local_hours(history: sim.History) -> tuple[np.ndarray, np.ndarray]:
    ts = history.start_ts + np.arange(history.slots) * STEP_S + sim.LOCAL_OFFSET_S
    return (ts % DAY_S) / 3600.0, (ts // DAY_S + 3) % 7


def test_same_seed_and_id_give_the_same_history_and_another_seed_another() -> None:
    spec = find(Profile.OFFICE)
    first = sim.simulate(spec, now_ts=NOW, days=30, seed=7)
    again = sim.simulate(spec, now_ts=NOW, days=30, seed=7)
    for metric in sim.SIM_METRICS:
        np.testing.assert_array_equal(first.metrics[metric], again.metrics[metric])
    assert not np.array_equal(cpu(spec, seed=7), cpu(spec, seed=8), equal_nan=True)
    assert first.metrics["cpu_pct"].dtype == np.float32
    assert first.slots == 31 * SPD
    assert first.start_ts % DAY_S == 0


def test_history_stops_at_now_and_covers_the_whole_window_before_it() -> None:
    history = sim.simulate(find(Profile.STEADY), now_ts=NOW, days=14)
    now_idx = int((NOW - history.start_ts) // STEP_S)
    values = history.metrics["cpu_pct"]
    assert np.isnan(values[now_idx:]).all()
    assert np.count_nonzero(~np.isnan(values[:now_idx])) / now_idx > 0.98
    assert history.last_sample_ts is not None
    assert NOW - history.last_sample_ts < 3600


def test_idle_vms_have_p95_cpu_under_5_and_near_zero_network() -> None:
    specs = (VmSpec(server_id(i), f"t-web-{i}", "test") for i in range(400))
    idle = [s for s in specs if sim.plan(s, NOW).profile is Profile.IDLE]
    histories = [sim.simulate(s, now_ts=NOW, days=14) for s in idle[:40]]
    checked = 0
    for history in histories:
        if history.last_sample_ts is None:  # no agent
            continue
        m = history.metrics
        assert np.nanpercentile(m["cpu_pct"], 95) < 5.0
        assert np.nanpercentile(m["net_rx_bps"], 95) < 2000  # GCE's idle-VM bands
        assert np.nanpercentile(m["net_tx_bps"], 95) < 1000
        checked += 1
    assert checked >= 30


def test_office_vm_is_busy_in_china_office_hours_and_quiet_at_night_and_weekends() -> None:
    history = sim.simulate(find(Profile.OFFICE), now_ts=NOW, days=28)
    values = history.metrics["cpu_pct"]
    hour, weekday = local_hours(history)
    workday = weekday < 5
    morning = np.nanmean(values[workday & (hour >= 9.5) & (hour < 11.5)])
    afternoon = np.nanmean(values[workday & (hour >= 14.5) & (hour < 17.5)])
    night = np.nanmean(values[workday & (hour >= 1) & (hour < 5)])
    weekend = np.nanmean(values[~workday & (hour >= 9.5) & (hour < 11.5)])
    assert morning > 3 * night
    assert afternoon > 3 * night
    assert weekend < 0.5 * morning


def test_batch_vm_runs_its_job_at_night() -> None:
    history = sim.simulate(find(Profile.BATCH), now_ts=NOW, days=14)
    values = history.metrics["cpu_pct"]
    hour, _ = local_hours(history)
    assert np.nanpercentile(values[hour < 8], 90) > 50
    assert np.nanmedian(values[(hour >= 10) & (hour < 20)]) < 15


def test_step_up_vm_is_much_busier_in_its_last_days() -> None:
    values = cpu(find(Profile.STEP_UP))
    now_idx = int(np.flatnonzero(~np.isnan(values))[-1]) + 1
    recent = np.nanmean(values[now_idx - 2 * SPD : now_idx])
    earlier = np.nanmean(values[now_idx - 20 * SPD : now_idx - 10 * SPD])
    assert recent > 2.5 * earlier
    assert recent > 25


def test_growing_vm_trends_up_and_undersized_vm_sits_above_85() -> None:
    grow = cpu(find(Profile.GROWING))
    assert np.nanmean(grow[-8 * SPD :]) > 1.4 * np.nanmean(grow[: 7 * SPD])
    assert np.nanpercentile(cpu(find(Profile.UNDERSIZED)), 50) > 85


def test_memory_is_flatter_than_cpu_and_within_bounds() -> None:
    history = sim.simulate(find(Profile.OFFICE), now_ts=NOW, days=14)
    mem, busy = history.metrics["mem_used_pct"], history.metrics["cpu_pct"]
    assert np.nanmin(mem) >= 5
    assert np.nanmax(mem) <= 98
    assert np.nanstd(mem) < 0.5 * np.nanstd(busy)
    net = history.metrics["net_rx_bps"]
    both = ~np.isnan(net)
    assert np.corrcoef(busy[both], net[both])[0, 1] > 0.5  # traffic follows the load


@pytest.mark.parametrize(("coverage", "low", "high"), [(2.0, 0.5, 4.0), (40.0, 33.0, 47.0)])
def test_low_coverage_agents_report_that_share_of_the_time(
    coverage: float, low: float, high: float
) -> None:
    for i in range(20_000):
        spec = VmSpec(server_id(i), "x", "prod")
        chosen = sim.plan(spec, NOW)
        if chosen.agent is AgentMode.LOW_COVERAGE and chosen.coverage_pct == coverage:
            break
    values = cpu(spec, days=14)
    now_idx = int((NOW - sim.window_start(NOW, 14)) // STEP_S)
    share = 100 * np.count_nonzero(~np.isnan(values)) / now_idx
    assert low < share < high


def test_missing_stale_and_stopped_agents() -> None:
    missing = sim.simulate(find(agent=AgentMode.MISSING), now_ts=NOW, days=14)
    assert missing.last_sample_ts is None
    assert np.isnan(missing.metrics["cpu_pct"]).all()
    stale = sim.simulate(find(agent=AgentMode.STALE), now_ts=NOW, days=14)
    assert stale.last_sample_ts is not None
    assert sim.STALE_S <= NOW - stale.last_sample_ts <= sim.STALE_S + 3 * 3600 + 2 * STEP_S
    stopped_ts = NOW - 5 * DAY_S
    spec = VmSpec(server_id(1), "x", "prod", active=False, stopped_ts=stopped_ts)
    stopped = sim.simulate(spec, now_ts=NOW, days=14)
    assert stopped.plan.agent is AgentMode.STOPPED
    assert stopped.last_sample_ts is not None
    assert stopped.last_sample_ts <= stopped_ts
    unknown = VmSpec(server_id(1), "x", "prod", active=False)
    assert sim.simulate(unknown, now_ts=NOW, days=14).last_sample_ts is None


def test_test_systems_are_idler_than_production_and_the_mix_has_every_profile() -> None:
    def mix(env: str | None) -> Counter[Profile]:
        return Counter(sim.choose_profile(VmSpec(server_id(i), "", env)) for i in range(3000))

    prod, test = mix("prod"), mix("test")
    assert set(prod) == set(Profile)
    assert test[Profile.IDLE] > 2.5 * prod[Profile.IDLE]
    assert 0.08 < prod[Profile.IDLE] / 3000 < 0.16
    assert prod[Profile.UNDERSIZED] / 3000 < 0.05  # a few, not a crowd


def test_days_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        sim.simulate(VmSpec("a"), now_ts=NOW, days=0)


def test_slot_peaks_sit_above_the_slot_means_like_the_traces_max_column() -> None:
    history = sim.simulate(find(Profile.STEADY), now_ts=NOW, days=14)
    mean, peak = history.metrics["cpu_pct"], history.metrics["cpu_pct_max"]
    assert np.array_equal(np.isnan(mean), np.isnan(peak))
    present = ~np.isnan(mean)
    assert np.all(peak[present] >= mean[present])
    assert np.all(peak[present] <= 100)
    assert 2 < np.median(peak[present] - mean[present]) < 20  # traces: ~4-9 points at 7-35%
