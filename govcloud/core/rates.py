"""From raw exporter samples to utilization: the counters to keep, and rates between two scrapes.

`reduce_samples` keeps only what utilization needs from one scrape (a few dozen numbers even for
a big node_exporter); `derive` turns the previous and the current scrape into the metrics of
`utilization.METRICS`. Counters follow Prometheus' `rate()` semantics: a value lower than the
previous one is a counter reset (the process or machine restarted), and the increase is the new
value itself. A non-positive interval (the clock went backwards) or a too-long one gives no rates.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

Sample = tuple[str, Mapping[str, str], float]

MAX_INTERVAL_S = 3600.0  # older previous scrape: a rate over it says nothing about 5 minutes
INFO_METRIC = "govcloud_agent_info"

# The agent's default exclusions (node_exporter's, plus dm- to avoid counting LVM I/O twice);
# applied here too so plain node_exporter targets give the same figures.
_DISK_EXCLUDE = re.compile(
    r"^(z?ram\d+|loop\d+|fd\d+|dm-\d+|sr\d+|(h|s|v|xv)d[a-z]+\d+|nvme\d+n\d+p\d+|mmcblk\d+p\d+)$"
)
_NETDEV_EXCLUDE = re.compile(r"^(lo|docker.*|veth.*|virbr.*|br-.*)$")
_PSEUDO_FS = re.compile(
    r"^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|erofs|fusectl|hugetlbfs"
    r"|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|ramfs|rpc_pipefs|securityfs|selinuxfs"
    r"|squashfs|sysfs|tmpfs|tracefs)$"
)
_COUNTERS = {
    "node_disk_read_bytes_total": "disk_read",
    "node_disk_written_bytes_total": "disk_write",
    "node_network_receive_bytes_total": "net_rx",
    "node_network_transmit_bytes_total": "net_tx",
}
# Every series `reduce_samples` looks at: scrapers may hand it only these.
USED_METRICS = frozenset(
    {
        "node_cpu_seconds_total",
        *_COUNTERS,
        "node_filesystem_size_bytes",
        "node_filesystem_avail_bytes",
        "node_memory_MemTotal_bytes",
        "node_memory_MemAvailable_bytes",
        "node_load1",
        INFO_METRIC,
    }
)


@dataclass(frozen=True)
class RawScrape:
    """What one scrape of one target contributes; `counters` keys are `group|series`."""

    ts: float
    counters: dict[str, float] = field(default_factory=dict)
    gauges: dict[str, float] = field(default_factory=dict)
    instance_uuid: str | None = None
    hostname: str | None = None


@dataclass(frozen=True)
class Derived:
    values: dict[str, float]
    note: str | None = None  # why rates are missing, e.g. "clock went backwards"


def reduce_samples(ts: float, samples: Iterable[Sample]) -> RawScrape:
    counters: dict[str, float] = {}
    fs_size: dict[str, float] = {}
    fs_avail: dict[str, float] = {}
    gauges: dict[str, float] = {}
    info: Mapping[str, str] = {}
    for name, labels, value in samples:
        if not math.isfinite(value):
            continue
        if name == "node_cpu_seconds_total":
            group = "cpu_idle" if labels.get("mode") == "idle" else "cpu_busy"
            counters[f"{group}|{labels.get('cpu', '')}|{labels.get('mode', '')}"] = value
        elif name in _COUNTERS:
            device = labels.get("device", "")
            excluded = _DISK_EXCLUDE if name.startswith("node_disk") else _NETDEV_EXCLUDE
            if not excluded.match(device):
                counters[f"{_COUNTERS[name]}|{device}"] = value
        elif name in ("node_filesystem_size_bytes", "node_filesystem_avail_bytes"):
            if not _PSEUDO_FS.match(labels.get("fstype", "")):
                # One device mounted twice (bind mounts) counts once.
                device = labels.get("device") or labels.get("mountpoint", "")
                (fs_size if name.endswith("size_bytes") else fs_avail)[device] = value
        elif name in ("node_memory_MemTotal_bytes", "node_memory_MemAvailable_bytes", "node_load1"):
            gauges[name] = value
        elif name == INFO_METRIC:
            info = labels
    _filesystem_gauges(fs_size, fs_avail, gauges)
    return RawScrape(
        ts, counters, gauges, info.get("instance_uuid") or None, info.get("hostname") or None
    )


def _filesystem_gauges(
    size: Mapping[str, float], avail: Mapping[str, float], gauges: dict[str, float]
) -> None:
    both = [d for d in size if d in avail]
    if both:
        gauges["fs_size_bytes"] = math.fsum(size[d] for d in both)
        gauges["fs_avail_bytes"] = math.fsum(avail[d] for d in both)


def gauge_values(cur: RawScrape) -> dict[str, float]:
    g = cur.gauges
    out: dict[str, float] = {}
    total, available = g.get("node_memory_MemTotal_bytes"), g.get("node_memory_MemAvailable_bytes")
    if total and available is not None and total > 0:
        out["mem_used_pct"] = _pct(1.0 - available / total)
    size, free = g.get("fs_size_bytes"), g.get("fs_avail_bytes")
    if size and free is not None and size > 0:
        out["disk_used_pct"] = _pct(1.0 - free / size)
    if "node_load1" in g and g["node_load1"] >= 0:
        out["load1"] = g["node_load1"]
    return out


def increases(prev: Mapping[str, float], cur: Mapping[str, float]) -> dict[str, float]:
    """Per group, the summed increase of the series present in both scrapes."""
    out: dict[str, float] = {}
    for key, value in cur.items():
        before = prev.get(key)
        if before is None:
            continue  # a new series (hot-plugged disk): it starts counting next time
        delta = value - before if value >= before else value  # lower: the counter was reset
        group = key.split("|", 1)[0]
        out[group] = out.get(group, 0.0) + delta
    return out


def rate_values(
    prev: RawScrape | None, cur: RawScrape, max_interval_s: float = MAX_INTERVAL_S
) -> Derived:
    if prev is None:
        return Derived({}, "first scrape: rates start with the next one")
    interval = cur.ts - prev.ts
    if interval <= 0:
        return Derived({}, f"clock went backwards by {-interval:.0f}s: no rates this time")
    if interval > max_interval_s:
        return Derived({}, f"previous scrape {interval:.0f}s ago: no rates this time")
    inc = increases(prev.counters, cur.counters)
    out: dict[str, float] = {}
    cpu_all = inc.get("cpu_idle", 0.0) + inc.get("cpu_busy", 0.0)
    if "cpu_idle" in inc and cpu_all > 0:
        # A ratio of two counters: independent of how far apart the scrapes were timed.
        out["cpu_pct"] = _pct(1.0 - inc["cpu_idle"] / cpu_all)
    for group, metric in (
        ("disk_read", "disk_read_bps"),
        ("disk_write", "disk_write_bps"),
        ("net_rx", "net_rx_bps"),
        ("net_tx", "net_tx_bps"),
    ):
        if group in inc:
            out[metric] = inc[group] / interval
    return Derived(out)


def derive(
    prev: RawScrape | None, cur: RawScrape, max_interval_s: float = MAX_INTERVAL_S
) -> Derived:
    rates = rate_values(prev, cur, max_interval_s)
    return Derived({**gauge_values(cur), **rates.values}, rates.note)


def _pct(ratio: float) -> float:
    return 100.0 * min(max(ratio, 0.0), 1.0)
