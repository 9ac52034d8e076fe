"""Load averages from /proc/loadavg (node_exporter's ``loadavg``)."""

from typing import List, Tuple

from agent.collectors.base import Collector, register
from agent.metrics import MetricFamily, gauge
from agent.system import System


def parse_loadavg(text: str) -> Tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages."""
    one, five, fifteen = text.split()[:3]
    return float(one), float(five), float(fifteen)


def load_families(loads: Tuple[float, float, float]) -> List[MetricFamily]:
    return [
        gauge(f"node_load{minutes}", f"{minutes}m load average.", value=value)
        for minutes, value in zip((1, 5, 15), loads)
    ]


@register
class LoadCollector(Collector):
    name = "load"
    help = "1/5/15 minute load averages (/proc/loadavg)."

    def collect(self, system: System) -> List[MetricFamily]:
        return load_families(parse_loadavg(system.read_proc("loadavg")))
