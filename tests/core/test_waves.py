from __future__ import annotations

import pytest

from govcloud.core.waves import WaveHost, plan_waves


def _wave_of(waves: list, host: str) -> int:  # type: ignore[type-arg]
    return next(w.number for w in waves if host in w.hosts)


def test_hosts_of_one_system_move_together() -> None:
    hosts = [
        WaveHost("a1", "sa", "prod"),
        WaveHost("b1", "sb", "prod"),
        WaveHost("a2", "sa", "prod"),
    ]
    waves = plan_waves(hosts, max_hosts=2)
    assert _wave_of(waves, "a1") == _wave_of(waves, "a2")
    assert _wave_of(waves, "b1") != _wave_of(waves, "a1")


def test_dependencies_move_first_and_say_why() -> None:
    hosts = [
        WaveHost("app", "s-app", "prod", depends_on=("db",)),
        WaveHost("db", "s-db", "prod"),
        WaveHost("web", "s-web", "prod", depends_on=("app",)),
    ]
    waves = plan_waves(hosts, max_hosts=1)
    assert [w.hosts for w in waves] == [("db",), ("app",), ("web",)]
    assert "dependency of wave 2" in waves[0].reason
    assert "after its dependencies s-db" in waves[1].reason


def test_cycle_stays_together() -> None:
    hosts = [
        WaveHost("x", "sx", "prod", depends_on=("y",)),
        WaveHost("y", "sy", "prod", depends_on=("x",)),
        WaveHost("z", "sz", "prod"),
    ]
    waves = plan_waves(hosts, max_hosts=2)
    assert _wave_of(waves, "x") == _wave_of(waves, "y")
    assert "cycle" in waves[_wave_of(waves, "x") - 1].reason


def test_test_and_dev_before_production_and_never_mixed() -> None:
    hosts = [
        WaveHost("p1", "sp", "prod"),
        WaveHost("t1", "st", "test"),
        WaveHost("d1", "sd", "dev"),
    ]
    waves = plan_waves(hosts, max_hosts=10)
    assert waves[0].hosts == ("d1", "t1") or set(waves[0].hosts) == {"d1", "t1"}
    assert waves[-1].hosts == ("p1",)
    assert waves[0].reason.startswith("non-production")


def test_cap_splits_a_large_system_callee_first() -> None:
    hosts = [WaveHost(f"h{i}", "big", "prod", depends_on=("h9",)) for i in range(9)]
    hosts.append(WaveHost("h9", "big", "prod"))
    waves = plan_waves(hosts, max_hosts=4)
    assert [len(w.hosts) for w in waves] == [4, 4, 2]
    assert waves[0].hosts[0] == "h9"
    assert all(len(w.hosts) <= 4 for w in waves)
    assert "part of big (10 hosts > 4)" in waves[0].reason


def test_every_host_in_exactly_one_wave() -> None:
    hosts = [
        WaveHost(f"h{i}", f"s{i % 7}", ("prod", "test", "dev", None)[i % 4]) for i in range(50)
    ]
    waves = plan_waves(hosts, max_hosts=6)
    placed = [h for w in waves for h in w.hosts]
    assert sorted(placed) == sorted(h.host for h in hosts)
    assert all(len(w.hosts) <= 6 for w in waves)


def test_max_wave_below_one_refused() -> None:
    with pytest.raises(ValueError):
        plan_waves([], 0)
