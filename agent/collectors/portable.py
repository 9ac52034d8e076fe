"""The same series as the /proc collectors, read through psutil, for hosts without /proc.

Legacy Windows Server and non-Linux Unix hosts still in the estate have no procfs; psutil reads
their counters. Only this module imports psutil, and only ``--collector.backend psutil`` (or
``auto`` on a host without ``<path.procfs>/stat``) imports this module: the default Linux path
runs on the standard library alone.

Names, labels and units are those of the /proc collectors; series psutil cannot give are left out
rather than invented (memory: only the fields with the same meaning; disk: no ``io_now`` or
weighted time; filesystem: no inode counts where there is no statvfs, i.e. Windows).
tests/agent/test_portable.py compares both backends on the same Linux host.
"""

import os
import re
from typing import Dict, List, Optional, Tuple, Type

import psutil

from agent.collectors import cpu, disk, filesystem, load, memory, network, uptime
from agent.collectors.base import COLLECTORS, Collector
from agent.collectors.filesystem import Mount
from agent.metrics import MetricFamily
from agent.options import CollectorOptions
from agent.system import FsStats, System

# psutil field -> /proc/stat mode; Windows reports interrupt/dpc time where Linux has irq/softirq.
_CPU_FIELDS = (
    ("user", "user"),
    ("nice", "nice"),
    ("system", "system"),
    ("idle", "idle"),
    ("iowait", "iowait"),
    ("irq", "irq"),
    ("softirq", "softirq"),
    ("steal", "steal"),
    ("interrupt", "irq"),
    ("dpc", "softirq"),
)
# psutil.virtual_memory / swap_memory field -> meminfo name, only where the meaning is the same
# (psutil's "cached" adds SReclaimable to Cached, so it is not exported as Cached).
_MEMORY_FIELDS = (
    ("total", "node_memory_MemTotal_bytes"),
    ("free", "node_memory_MemFree_bytes"),
    ("available", "node_memory_MemAvailable_bytes"),
    ("buffers", "node_memory_Buffers_bytes"),
)
_SWAP_FIELDS = (("total", "node_memory_SwapTotal_bytes"), ("free", "node_memory_SwapFree_bytes"))
# psutil.disk_io_counters field -> (/proc/diskstats collector family, scale)
_DISK_FIELDS = (
    ("read_count", "node_disk_reads_completed_total", 1),
    ("read_merged_count", "node_disk_reads_merged_total", 1),
    ("read_bytes", "node_disk_read_bytes_total", 1),
    ("read_time", "node_disk_read_time_seconds_total", 0.001),
    ("write_count", "node_disk_writes_completed_total", 1),
    ("write_merged_count", "node_disk_writes_merged_total", 1),
    ("write_bytes", "node_disk_written_bytes_total", 1),
    ("write_time", "node_disk_write_time_seconds_total", 0.001),
    ("busy_time", "node_disk_io_time_seconds_total", 0.001),
)
# psutil.net_io_counters field -> /proc/net/dev column of the network collector
_NET_FIELDS = (
    ("bytes_recv", 0),
    ("packets_recv", 1),
    ("errin", 2),
    ("dropin", 3),
    ("bytes_sent", 8),
    ("packets_sent", 9),
    ("errout", 10),
    ("dropout", 11),
)


def _compile(pattern: str) -> "Optional[re.Pattern[str]]":
    return re.compile(pattern) if pattern else None


class PortableCpu(Collector):
    name = "cpu"
    help = cpu.CpuCollector.help

    def collect(self, system: System) -> List[MetricFamily]:
        cpus: List[Tuple[str, List[Tuple[str, float]]]] = []
        for index, times in enumerate(psutil.cpu_times(percpu=True)):
            modes = [(mode, getattr(times, f)) for f, mode in _CPU_FIELDS if hasattr(times, f)]
            cpus.append((str(index), modes))
        seconds, count = cpu.cpu_families([], 1)  # the /proc collector's families, empty
        for label, modes in cpus:
            for mode, value in modes:
                seconds.add_metric((label, mode), float(value))
        count.set_value(len(cpus))
        return [seconds, count]


class PortableMemory(Collector):
    name = "memory"
    help = memory.MemoryCollector.help

    def collect(self, system: System) -> List[MetricFamily]:
        virtual, swap = psutil.virtual_memory(), psutil.swap_memory()
        fields = [(n, float(getattr(virtual, f))) for f, n in _MEMORY_FIELDS if hasattr(virtual, f)]
        fields += [(n, float(getattr(swap, f))) for f, n in _SWAP_FIELDS]
        return memory.memory_families(fields)


def _statvfs_or_usage(system: System, mountpoint: str) -> FsStats:
    """statvfs where the OS has it (every Unix); psutil's disk_usage on Windows (no inodes)."""
    if hasattr(os, "statvfs"):
        return system.statvfs(mountpoint)
    usage = psutil.disk_usage(mountpoint)
    return FsStats(1, usage.total, usage.total - usage.used, usage.free, -1, -1)


class PortableFilesystem(filesystem.FilesystemCollector):
    """The /proc collector with the mount list from psutil (statvfs deadline and all)."""

    def collect(self, system: System) -> List[MetricFamily]:
        mount_exclude = _compile(self.options.mount_exclude)
        fstype_exclude = _compile(self.options.fstype_exclude)
        seen: Dict[str, Mount] = {}
        for part in psutil.disk_partitions(all=True):
            if fstype_exclude is not None and fstype_exclude.match(part.fstype):
                continue
            if mount_exclude is not None and mount_exclude.match(part.mountpoint):
                continue
            readonly = "ro" in part.opts.split(",")
            seen[part.mountpoint] = Mount(part.device, part.mountpoint, part.fstype, readonly)
        return filesystem.filesystem_families(self._stat_all(system, list(seen.values())))

    def _stat(self, system: System, path: str) -> FsStats:
        return _statvfs_or_usage(system, path)


class PortableDisk(Collector):
    name = "disk"
    help = disk.DiskCollector.help

    def __init__(self, options: CollectorOptions) -> None:
        super().__init__(options)
        self._exclude = _compile(options.disk_exclude)

    def collect(self, system: System) -> List[MetricFamily]:
        counters = psutil.disk_io_counters(perdisk=True, nowrap=True) or {}
        devices = sorted(
            (name, io)
            for name, io in counters.items()
            if self._exclude is None or not self._exclude.match(name)
        )
        families = []
        for field, name, scale in _DISK_FIELDS:
            if devices and not hasattr(devices[0][1], field):
                continue  # e.g. merged counts and busy time exist on Linux only
            family = disk.disk_counter(name)
            for device, io in devices:
                family.add_metric((device,), getattr(io, field) * scale)
            families.append(family)
        return families


class PortableNetwork(Collector):
    name = "network"
    help = network.NetworkCollector.help

    def __init__(self, options: CollectorOptions) -> None:
        super().__init__(options)
        self._exclude = _compile(options.netdev_exclude)

    def collect(self, system: System) -> List[MetricFamily]:
        devices = []
        for nic, io in sorted(psutil.net_io_counters(pernic=True, nowrap=True).items()):
            if self._exclude is not None and self._exclude.match(nic):
                continue
            columns = [0] * 16
            for field, column in _NET_FIELDS:
                columns[column] = getattr(io, field)
            devices.append((nic, columns))
        return network.network_families(devices)


class PortableLoad(Collector):
    name = "load"
    help = "1/5/15 minute load averages (psutil; emulated on Windows)."

    def collect(self, system: System) -> List[MetricFamily]:
        one, five, fifteen = psutil.getloadavg()
        return load.load_families((one, five, fifteen))


class PortableUptime(Collector):
    name = "uptime"
    help = uptime.UptimeCollector.help

    def collect(self, system: System) -> List[MetricFamily]:
        return uptime.uptime_families(psutil.boot_time(), system.time())


_PORTABLE: Tuple[Type[Collector], ...] = (
    PortableCpu,
    PortableMemory,
    PortableFilesystem,
    PortableDisk,
    PortableNetwork,
    PortableLoad,
    PortableUptime,
)


def portable_collectors() -> Dict[str, Type[Collector]]:
    """The selectable collectors with psutil where /proc would be read; identity stays."""
    chosen = dict(COLLECTORS)
    for cls in _PORTABLE:
        chosen[cls.name] = cls
    return chosen
