from __future__ import annotations

import pytest

from govcloud.core.rates import RawScrape, derive, increases, reduce_samples

UUID = "5a1c7d3e-0f8b-4c2a-9e61-2b7d4f0a9c11"


def scrape(ts: float, idle: float, busy: float, rx: float = 0.0, **extra: float) -> RawScrape:
    samples = [
        ("node_cpu_seconds_total", {"cpu": "0", "mode": "idle"}, idle / 2),
        ("node_cpu_seconds_total", {"cpu": "1", "mode": "idle"}, idle / 2),
        ("node_cpu_seconds_total", {"cpu": "0", "mode": "user"}, busy),
        ("node_cpu_seconds_total", {"cpu": "0", "mode": "iowait"}, 0.0),
        ("node_network_receive_bytes_total", {"device": "eth0"}, rx),
        ("node_network_receive_bytes_total", {"device": "lo"}, 10 * rx),  # excluded
        ("node_memory_MemTotal_bytes", {}, 8e9),
        ("node_memory_MemAvailable_bytes", {}, 2e9),
        ("node_load1", {}, 0.5),
        ("govcloud_agent_info", {"instance_uuid": UUID, "hostname": "vm1"}, 1.0),
    ]
    samples += [(name, {"device": "sda"}, value) for name, value in extra.items()]
    return reduce_samples(ts, samples)


def test_first_scrape_gives_gauges_only() -> None:
    cur = scrape(100.0, 50.0, 50.0)
    d = derive(None, cur)
    assert d.values == {"mem_used_pct": 75.0, "load1": 0.5}
    assert d.note is not None
    assert "first" in d.note
    assert (cur.instance_uuid, cur.hostname) == (UUID, "vm1")


def test_rates_between_two_scrapes() -> None:
    prev, cur = scrape(100.0, 50.0, 50.0, rx=1000.0), scrape(160.0, 95.0, 65.0, rx=7000.0)
    d = derive(prev, cur)
    # idle +45, busy +15 -> 25% busy; eth0 +6000 B in 60 s, loopback ignored
    assert d.values["cpu_pct"] == pytest.approx(25.0)
    assert d.values["net_rx_bps"] == pytest.approx(100.0)
    assert d.note is None


def test_counter_reset_counts_the_new_value_as_the_increase() -> None:
    prev = scrape(100.0, 5000.0, 5000.0, rx=10_000_000.0)
    cur = scrape(160.0, 30.0, 10.0, rx=600.0)  # the machine rebooted in between
    d = derive(prev, cur)
    assert d.values["net_rx_bps"] == pytest.approx(10.0)
    assert d.values["cpu_pct"] == pytest.approx(25.0)
    assert all(v >= 0 for v in d.values.values())


@pytest.mark.parametrize("later_ts", [100.0, 40.0])
def test_clock_jump_backwards_gives_no_rates(later_ts: float) -> None:
    d = derive(scrape(100.0, 50.0, 50.0), scrape(later_ts, 60.0, 60.0))
    assert "cpu_pct" not in d.values
    assert "net_rx_bps" not in d.values
    assert d.note is not None
    assert "backwards" in d.note
    assert d.values["mem_used_pct"] == 75.0  # gauges are still good


def test_long_gap_gives_no_rates() -> None:
    d = derive(scrape(0.0, 50.0, 50.0), scrape(7200.0, 60.0, 60.0))
    assert "cpu_pct" not in d.values
    assert d.note is not None
    assert "7200s" in d.note


def test_idle_machine_and_no_cpu_progress() -> None:
    prev, cur = scrape(100.0, 50.0, 50.0), scrape(160.0, 50.0, 50.0)
    assert "cpu_pct" not in derive(prev, cur).values  # 0/0: no figure rather than a made-up one


def test_new_series_start_counting_next_time() -> None:
    prev = scrape(0.0, 1.0, 1.0, node_disk_read_bytes_total=100.0)
    cur = scrape(
        60.0, 2.0, 2.0, node_disk_read_bytes_total=700.0, node_disk_written_bytes_total=5e9
    )
    d = derive(prev, cur)
    assert d.values["disk_read_bps"] == pytest.approx(10.0)
    assert "disk_write_bps" not in d.values  # the written counter appeared only now


def test_increases_sum_per_group() -> None:
    got = increases({"a|x": 1.0, "a|y": 5.0, "b|z": 3.0}, {"a|x": 4.0, "a|y": 2.0, "b|w": 9.0})
    assert got == {"a": 3.0 + 2.0}


def test_filesystems_skip_pseudo_and_count_each_device_once() -> None:
    samples = []
    for mount, device, fstype, size, avail in [
        ("/", "/dev/vda1", "ext4", 100.0, 40.0),
        ("/srv/bind", "/dev/vda1", "ext4", 100.0, 40.0),  # bind mount of the same device
        ("/data", "/dev/vdb", "xfs", 300.0, 260.0),
        ("/run", "tmpfs", "tmpfs", 10.0, 0.0),
    ]:
        labels = {"mountpoint": mount, "device": device, "fstype": fstype}
        samples.append(("node_filesystem_size_bytes", labels, size))
        samples.append(("node_filesystem_avail_bytes", labels, avail))
    d = derive(None, reduce_samples(0.0, samples))
    assert d.values["disk_used_pct"] == pytest.approx(100.0 * (1 - 300.0 / 400.0))


def test_non_finite_and_negative_values_are_ignored() -> None:
    raw = reduce_samples(
        0.0,
        [
            ("node_memory_MemTotal_bytes", {}, float("nan")),
            ("node_memory_MemAvailable_bytes", {}, 1.0),
            ("node_load1", {}, -1.0),
        ],
    )
    assert derive(None, raw).values == {}
