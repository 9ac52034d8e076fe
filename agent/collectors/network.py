"""Network interface counters from /proc/net/dev (node_exporter's ``netdev``)."""

import re
from typing import List, Optional, Tuple

from agent.collectors.base import Collector, register
from agent.metrics import MetricFamily, counter
from agent.options import CollectorOptions
from agent.system import System

# Column index in /proc/net/dev after "iface:"; receive columns 0-7, transmit 8-15.
_COUNTERS = (
    ("receive", "bytes", 0),
    ("receive", "packets", 1),
    ("receive", "errs", 2),
    ("receive", "drop", 3),
    ("transmit", "bytes", 8),
    ("transmit", "packets", 9),
    ("transmit", "errs", 10),
    ("transmit", "drop", 11),
)


def parse_net_dev(text: str, exclude: "Optional[re.Pattern[str]]") -> List[Tuple[str, List[int]]]:
    """``[(device, [rx_bytes, rx_packets, ... 16 columns]), ...]`` minus excluded devices."""
    devices = []
    for line in text.splitlines()[2:]:  # two header lines
        name, sep, rest = line.partition(":")
        if not sep:
            continue
        device = name.strip()
        if exclude is not None and exclude.match(device):
            continue
        devices.append((device, [int(v) for v in rest.split()]))
    return devices


def network_families(devices: List[Tuple[str, List[int]]]) -> List[MetricFamily]:
    families: List[MetricFamily] = []
    for direction, what, column in _COUNTERS:
        family = counter(
            f"node_network_{direction}_{what}_total",
            f"Network device statistic {direction}_{what}.",
            labels=("device",),
        )
        for device, values in devices:
            family.add_metric((device,), values[column])
        families.append(family)
    return families


@register
class NetworkCollector(Collector):
    name = "network"
    help = "Network interface byte/packet/error/drop counters (/proc/net/dev)."

    def __init__(self, options: CollectorOptions) -> None:
        super().__init__(options)
        self._exclude = re.compile(options.netdev_exclude) if options.netdev_exclude else None

    def collect(self, system: System) -> List[MetricFamily]:
        return network_families(parse_net_dev(system.read_proc("net/dev"), self._exclude))
