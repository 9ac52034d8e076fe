"""Every /proc/meminfo field as ``node_memory_<Field>[_bytes]`` (node_exporter's ``meminfo``)."""

from typing import Dict, List, Optional, Tuple

from agent.collectors.base import Collector, register
from agent.metrics import MetricFamily, gauge
from agent.options import CollectorOptions
from agent.system import System


def parse_meminfo(text: str) -> List[Tuple[str, float]]:
    """``[("node_memory_MemTotal_bytes", 16.0e9), ("node_memory_HugePages_Total", 0.0)]``.

    Names follow node_exporter: ``Active(anon)`` becomes ``Active_anon``; kB values become bytes
    and get the ``_bytes`` suffix, unitless counts keep the bare name.
    """
    out = []
    for line in text.splitlines():
        key, sep, rest = line.partition(":")
        if not sep:
            continue
        parts = rest.split()
        if not parts:
            continue
        key = key.replace("(", "_").replace(")", "")
        if len(parts) > 1 and parts[1] == "kB":
            out.append((f"node_memory_{key}_bytes", float(parts[0]) * 1024.0))
        else:
            out.append((f"node_memory_{key}", float(parts[0])))
    return out


def memory_families(
    fields: List[Tuple[str, float]], reuse: Optional[Dict[str, MetricFamily]] = None
) -> List[MetricFamily]:
    """One gauge family per meminfo field.

    ``reuse`` keeps the ~50 family objects between scrapes and only swaps their sample: building
    them anew was the most expensive part of the scrape. Safe because scrapes are serialised.
    """
    families: List[MetricFamily] = []
    for name, value in fields:
        family = reuse.get(name) if reuse is not None else None
        if family is None:
            family = gauge(name, f"Memory information field {name[12:]}.")
            if reuse is not None:
                reuse[name] = family
        family.set_value(value)
        families.append(family)
    return families


@register
class MemoryCollector(Collector):
    name = "memory"
    help = "Memory and swap sizes (/proc/meminfo)."

    def __init__(self, options: CollectorOptions) -> None:
        super().__init__(options)
        self._families: Dict[str, MetricFamily] = {}

    def collect(self, system: System) -> List[MetricFamily]:
        return memory_families(parse_meminfo(system.read_proc("meminfo")), self._families)
