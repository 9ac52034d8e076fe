"""Boot time and current time (node_exporter's ``stat`` btime and ``time`` collectors)."""

from typing import List, Optional

from agent.collectors.base import Collector, register
from agent.metrics import MetricFamily, gauge
from agent.options import CollectorOptions
from agent.system import System


def parse_boot_time(stat_text: str) -> float:
    """The ``btime`` line of /proc/stat, in seconds since the epoch."""
    for line in stat_text.splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    raise ValueError("no btime line in /proc/stat")


def uptime_families(boot_time: float, now: float) -> List[MetricFamily]:
    return [
        gauge("node_boot_time_seconds", "Node boot time, in unixtime.", value=boot_time),
        gauge("node_time_seconds", "System time in seconds since epoch (1970).", value=now),
    ]


@register
class UptimeCollector(Collector):
    name = "uptime"
    help = "Boot time and system time."

    def __init__(self, options: CollectorOptions) -> None:
        super().__init__(options)
        # btime does not change while the kernel runs; re-reading /proc/stat each scrape is waste.
        self._boot_time: Optional[float] = None

    def collect(self, system: System) -> List[MetricFamily]:
        if self._boot_time is None:
            self._boot_time = parse_boot_time(system.read_proc("stat"))
        return uptime_families(self._boot_time, system.time())
