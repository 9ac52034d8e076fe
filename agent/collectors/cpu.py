"""CPU time per logical CPU and mode, from /proc/stat (node_exporter's ``cpu`` collector)."""

from typing import List, Tuple

from agent.collectors.base import Collector, register
from agent.metrics import MetricFamily, counter, gauge
from agent.system import System

# Order of the first eight columns of a "cpuN" line; guest time is already inside "user".
CPU_MODES = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def parse_proc_stat_cpus(text: str) -> List[Tuple[str, List[int]]]:
    """Per-CPU tick counters from /proc/stat text: ``[("0", [user, nice, ...]), ...]``."""
    cpus: List[Tuple[str, List[int]]] = []
    for line in text.splitlines():
        if not line.startswith("cpu"):
            if cpus:
                break  # the cpuN lines are contiguous; skip the long intr/softirq lines
            continue
        fields = line.split()
        label = fields[0][3:]
        if not label:
            continue  # the aggregate "cpu" line; Prometheus sums per-CPU series itself
        cpus.append((label, [int(v) for v in fields[1:9]]))
    return cpus


def cpu_families(cpus: List[Tuple[str, List[int]]], ticks_per_second: int) -> List[MetricFamily]:
    """Build ``node_cpu_seconds_total{cpu,mode}`` and the CPU count from parsed ticks."""
    seconds = counter(
        "node_cpu_seconds_total",
        "Seconds the CPUs spent in each mode.",
        labels=("cpu", "mode"),
    )
    scale = 1.0 / ticks_per_second
    for label, ticks in cpus:
        for mode, value in zip(CPU_MODES, ticks):
            seconds.add_metric((label, mode), value * scale)
    count = gauge("govcloud_cpus", "Number of logical CPUs.", value=len(cpus))
    return [seconds, count]


@register
class CpuCollector(Collector):
    name = "cpu"
    help = "CPU seconds per CPU and mode (/proc/stat)."

    def collect(self, system: System) -> List[MetricFamily]:
        cpus = parse_proc_stat_cpus(system.read_proc("stat"))
        return cpu_families(cpus, system.clock_ticks())
