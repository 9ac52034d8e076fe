"""Block device I/O counters from /proc/diskstats (node_exporter's ``diskstats``)."""

import re
from typing import List, Optional, Tuple

from agent.collectors.base import Collector, register
from agent.metrics import MetricFamily, counter, gauge
from agent.options import CollectorOptions
from agent.system import System

# /proc/diskstats counts sectors of 512 bytes whatever the device's real sector size.
SECTOR_BYTES = 512

# (metric name, help, column index after the device name, scale); see
# Documentation/admin-guide/iostats.rst for the column meanings.
_COUNTERS = (
    ("node_disk_reads_completed_total", "Reads completed successfully.", 0, 1),
    ("node_disk_reads_merged_total", "Reads merged.", 1, 1),
    ("node_disk_read_bytes_total", "Bytes read successfully.", 2, SECTOR_BYTES),
    ("node_disk_read_time_seconds_total", "Seconds spent by all reads.", 3, 0.001),
    ("node_disk_writes_completed_total", "Writes completed successfully.", 4, 1),
    ("node_disk_writes_merged_total", "Writes merged.", 5, 1),
    ("node_disk_written_bytes_total", "Bytes written successfully.", 6, SECTOR_BYTES),
    ("node_disk_write_time_seconds_total", "Seconds spent by all writes.", 7, 0.001),
    ("node_disk_io_time_seconds_total", "Seconds spent doing I/Os.", 9, 0.001),
    (
        "node_disk_io_time_weighted_seconds_total",
        "The weighted number of seconds spent doing I/Os.",
        10,
        0.001,
    ),
)


def parse_diskstats(text: str, exclude: "Optional[re.Pattern[str]]") -> List[Tuple[str, List[int]]]:
    """``[(device, [reads, reads_merged, sectors_read, ...]), ...]`` minus excluded devices."""
    disks = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 14:
            continue
        device = fields[2]
        if exclude is not None and exclude.match(device):
            continue
        disks.append((device, [int(v) for v in fields[3:14]]))
    return disks


def disk_counter(name: str) -> MetricFamily:
    """An empty counter family of this collector by name (the psutil backend fills it too)."""
    doc = next(doc for n, doc, _, _ in _COUNTERS if n == name)
    return counter(name, f"The total number of {doc[0].lower()}{doc[1:]}", labels=("device",))


def disk_families(disks: List[Tuple[str, List[int]]]) -> List[MetricFamily]:
    families: List[MetricFamily] = []
    for name, _, column, scale in _COUNTERS:
        family = disk_counter(name)
        for device, values in disks:
            family.add_metric((device,), values[column] * scale)
        families.append(family)
    io_now = gauge(
        "node_disk_io_now", "The number of I/Os currently in progress.", labels=("device",)
    )
    for device, values in disks:
        io_now.add_metric((device,), values[8])
    families.append(io_now)
    return families


@register
class DiskCollector(Collector):
    name = "disk"
    help = "Disk I/O counters per whole device (/proc/diskstats)."

    def __init__(self, options: CollectorOptions) -> None:
        super().__init__(options)
        self._exclude = re.compile(options.disk_exclude) if options.disk_exclude else None

    def collect(self, system: System) -> List[MetricFamily]:
        return disk_families(parse_diskstats(system.read_proc("diskstats"), self._exclude))
