"""idle, agent-missing and agent-stale on hand-built utilization tables."""

from __future__ import annotations

import numpy as np

from govcloud.core.audit_data import AgentState
from govcloud.core.checks import registry
from govcloud.core.severity import Severity
from tests.core.checks.estate import SLOTS, ago, estate, server, table

QUIET = {"net_rx_bps": 100.0, "net_tx_bps": 50.0}


def run(name: str, data, params=None):  # type: ignore[no-untyped-def]
    return registry()[name](data, params)


def cpu(p95_below: float, burst: float) -> np.ndarray:
    """4.9%-ish most of the time, with 4% of slots at BURST: P95 stays low."""
    values = np.full(SLOTS, p95_below, dtype=np.float32)
    values[: int(SLOTS * 0.04)] = burst
    return values


def test_idle_flags_a_quiet_vm_with_evidence_and_reclaim() -> None:
    data = estate(
        servers=(server("a", vcpus=8, ram_mib=16_384),),
        utilization=table({"a": {"cpu_pct": cpu(1.0, 80.0), **QUIET}}),
    )
    [f] = run("idle", data)
    assert f.severity is Severity.MEDIUM
    assert f.department == "wjw"
    assert f.system == "his"
    assert (f.reclaim.vcpus, f.reclaim.ram_mib) == (8, 16_384)
    assert f.evidence["cpu_p95_pct"] == 1.0
    assert f.evidence["window_days"] == 14.0
    assert f.evidence["coverage_pct"] == 100.0
    assert f.evidence["confidence"] == 5
    assert "云主机" in f.message.zh


def test_idle_threshold_is_strict() -> None:
    at = estate(servers=(server("a"),), utilization=table({"a": {"cpu_pct": 5.0, **QUIET}}))
    below = estate(servers=(server("a"),), utilization=table({"a": {"cpu_pct": 4.99, **QUIET}}))
    assert run("idle", at) == []
    assert len(run("idle", below)) == 1
    assert len(run("idle", at, {"cpu_p95_pct": 10})) == 1


def test_busy_cpu_or_network_is_not_idle() -> None:
    busy = cpu(1.0, 80.0)
    busy[: int(SLOTS * 0.10)] = 80.0  # 10% of slots busy: P95 is high
    noisy_rx = {"net_rx_bps": 5000.0, "net_tx_bps": 50.0}
    noisy_tx = {"net_rx_bps": 100.0, "net_tx_bps": 1000.0}
    for metrics in (
        {"cpu_pct": busy, **QUIET},
        {"cpu_pct": 1.0, **noisy_rx},
        {"cpu_pct": 1.0, **noisy_tx},
    ):
        data = estate(servers=(server("a"),), utilization=table({"a": metrics}))
        assert run("idle", data) == []


def test_low_coverage_is_never_judged_idle() -> None:
    sparse = np.full(SLOTS, np.nan, dtype=np.float32)
    sparse[: int(SLOTS * 0.02)] = 0.5  # 2% coverage
    half = np.full(SLOTS, np.nan, dtype=np.float32)
    half[: SLOTS // 2] = 0.5  # exactly 50%
    two = estate(servers=(server("a"),), utilization=table({"a": {"cpu_pct": sparse, **QUIET}}))
    fifty = estate(servers=(server("a"),), utilization=table({"a": {"cpu_pct": half, **QUIET}}))
    assert run("idle", two) == []
    [f] = run("idle", fifty)
    assert f.evidence["coverage_pct"] == 50.0
    assert f.evidence["confidence"] == 3
    assert run("idle", fifty, {"min_coverage_pct": 60}) == []


def test_idle_needs_network_data_and_an_active_vm() -> None:
    no_net = estate(servers=(server("a"),), utilization=table({"a": {"cpu_pct": 1.0}}))
    stopped = estate(
        servers=(server("a", status="SHUTOFF"),),
        utilization=table({"a": {"cpu_pct": 1.0, **QUIET}}),
    )
    assert run("idle", no_net) == []
    assert run("idle", stopped) == []


def test_agent_missing_only_for_silent_active_vms_without_agent() -> None:
    data = estate(
        servers=(
            server("seen"),
            server("silent"),
            server("nan-row"),
            server("new", created_at=ago(hours=2)),
            server("off", status="SHUTOFF"),
            server("known"),
        ),
        utilization=table({"seen": {"cpu_pct": 3.0}, "nan-row": {"cpu_pct": np.nan}}),
        agents={"known": AgentState("known", "http://10.0.0.9:9100", ago(1), None, "refused")},
    )
    found = {f.subject_id for f in run("agent-missing", data)}
    assert found == {"silent", "nan-row"}
    assert {f.subject_id for f in run("agent-missing", data, {"grace_hours": 1})} == {
        "silent",
        "nan-row",
        "new",
    }


def stale_after(hours: float) -> np.ndarray:
    """Samples up to HOURS before the end of the window, none after."""
    values = np.full(SLOTS, 2.0, dtype=np.float32)
    cut = int(hours * 12)
    if cut:
        values[-cut:] = np.nan
    return values


def test_agent_stale_ages_and_boundary() -> None:
    data = estate(
        servers=(server("fresh"), server("exact"), server("old"), server("week")),
        utilization=table(
            {
                "fresh": {"cpu_pct": stale_after(1)},
                "exact": {"cpu_pct": stale_after(24)},
                "old": {"cpu_pct": stale_after(30)},
                "week": {"cpu_pct": stale_after(24 * 8)},
            }
        ),
    )
    found = {f.subject_id: f for f in run("agent-stale", data)}
    assert set(found) == {"old", "week"}
    assert found["old"].evidence["age_hours"] == 30.0
    assert found["old"].severity is Severity.LOW
    assert found["week"].severity is Severity.MEDIUM


def test_agent_stale_takes_the_newer_of_table_and_agent() -> None:
    agent = AgentState("old", "http://10.0.0.9:9100", ago(hours=1), ago(hours=1), None)
    never = AgentState("never", "http://10.0.0.8:9100", ago(hours=1), None, "timeout")
    data = estate(
        servers=(server("old"), server("never")),
        utilization=table({"old": {"cpu_pct": stale_after(30)}}),
        agents={"old": agent, "never": never},
    )
    [f] = run("agent-stale", data)
    assert f.subject_id == "never"
    assert f.evidence["age_hours"] is None
    assert f.evidence["agent_last_error"] == "timeout"
