"""How big a legacy host's target VM must be, by the best evidence there is.

1. measured: the host's utilization in the metrics store (an agent deployed on it, keyed by
   its name) sized by the rightsizing policy itself (`rightsizing.size_series`: same
   percentile, headroom, window and minimum coverage), in units of its discovered CPUs and
   memory; confidence from coverage (Azure Migrate's stars: 4-5 high, else medium);
2. hardware: no (or too little) utilization, but discovered facts: as big as the server is
   now (CPU count, memory), confidence medium - a lift-and-shift keeps what it had;
3. declared: never discovered: the documented defaults, confidence low (a risk of its own).

Disks: the used space of the host's filesystems plus a growth margin; the root disk is the
flavor's (or the default root size) and the rest becomes a data volume.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from govcloud.core import models as m
from govcloud.core.audit_data import FloatArray, UtilizationTable
from govcloud.core.host_facts import HostFacts
from govcloud.core.rightsizing import RightsizeParams, size_series
from govcloud.core.utilization import confidence_stars

_VIRTUAL_FS = frozenset({"tmpfs", "devtmpfs", "overlay", "squashfs", "proc", "sysfs", "iso9660"})


@dataclass(frozen=True)
class SizingDefaults:
    declared_vcpus: int = 4  # a host never discovered: a typical legacy application server
    declared_ram_gib: int = 8
    declared_disk_gib: int = 100
    root_gib: int = 50  # the root disk where the flavor has none (boot from volume)


@dataclass(frozen=True)
class Need:
    vcpus: float
    ram_mib: float
    disk_gib: float  # used + growth margin, root included
    root_gib: int
    basis: str  # measured | hardware | declared
    confidence: str  # high | medium | low
    reason: str
    io_p95_bps: float | None = None


def host_need(
    host: m.LegacyHost,
    facts: HostFacts | None,
    table: UtilizationTable,
    defaults: SizingDefaults,
    params: RightsizeParams,
    growth_pct: float,
) -> Need:
    if facts is None:
        return Need(
            float(defaults.declared_vcpus), defaults.declared_ram_gib * 1024.0,
            float(defaults.declared_disk_gib), defaults.root_gib, "declared", "low",
            f"not discovered: assumed {defaults.declared_vcpus} vCPU, "
            f"{defaults.declared_ram_gib} GiB, {defaults.declared_disk_gib} GiB disk",
        )  # fmt: skip
    disk, disk_why = _disk(facts, defaults, growth_pct)
    cpus = facts.cpu_count or defaults.declared_vcpus
    mem_mib = (facts.memory_gib or defaults.declared_ram_gib) * 1024.0
    io = _io_p95(table, host.name)
    measured = _measured(table, host.name, cpus, mem_mib, params)
    if measured is not None:
        vcpus, ram_mib, stars, why = measured
        confidence = "high" if stars >= 4 else "medium"
        return Need(vcpus, ram_mib, disk, defaults.root_gib, "measured", confidence,
                    f"{why}; {disk_why}", io)  # fmt: skip
    hw = f"hardware {cpus} CPU, {mem_mib / 1024:.1f} GiB (no utilization data)"
    if facts.cpu_count is None or facts.memory_gib is None:
        hw += "; CPU or memory not discovered: defaults used"
    return Need(float(cpus), mem_mib, disk, defaults.root_gib, "hardware", "medium",
                f"{hw}; {disk_why}", io)  # fmt: skip


def _disk(facts: HostFacts, defaults: SizingDefaults, growth_pct: float) -> tuple[float, str]:
    real = [f for f in facts.filesystems if f.fstype not in _VIRTUAL_FS]
    used = sum(f.used_gib for f in real)
    if not real:
        used = facts.disk_size_gib or float(defaults.declared_disk_gib)
        what = "disk size (no filesystems discovered)"
    else:
        what = "used"
    need = max(used * (1 + growth_pct / 100.0), float(defaults.root_gib))
    return need, f"disk {what} {used:.0f} GiB + {growth_pct:g}% = {math.ceil(need)} GiB"


def _measured(
    table: UtilizationTable, key: str, cpus: int, mem_mib: float, params: RightsizeParams
) -> tuple[float, float, int, str] | None:
    """(vCPUs, RAM MiB, stars, reason) from the rightsizing policy; None: not enough data."""
    cpu = _series(table, ("cpu_pct_max", "cpu_pct"), key)
    if cpu is None:
        return None
    sized = size_series(cpu, cpus, params, step_s=table.step_s)
    if sized.demand is None:
        return None
    vcpus = max(sized.demand, float(params.min_vcpus))
    mem = _series(table, ("mem_used_pct",), key)
    ram = size_series(mem, mem_mib, params, step_s=table.step_s) if mem is not None else None
    ram_mib = ram.demand if ram is not None and ram.demand is not None else mem_mib
    ram_mib = max(ram_mib, float(params.min_ram_mib))
    why = (
        f"measured P{params.percentile:g} x {params.headroom:g} over {params.window_days} d: "
        f"{vcpus:.2f} vCPU of {cpus}, {ram_mib / 1024:.1f} GiB; "
        f"coverage {sized.coverage_pct:.0f}%"
    )
    return vcpus, ram_mib, confidence_stars(sized.coverage_pct), why


def _series(table: UtilizationTable, metrics: tuple[str, ...], key: str) -> FloatArray | None:
    for metric in metrics:
        values = table.series(metric, key)
        if values is not None and not np.all(np.isnan(values)):
            return values
    return None


def _io_p95(table: UtilizationTable, key: str) -> float | None:
    read, write = table.series("disk_read_bps", key), table.series("disk_write_bps", key)
    if read is None and write is None:
        return None
    total = np.nan_to_num(read if read is not None else 0.0) + np.nan_to_num(
        write if write is not None else 0.0
    )
    present = ~np.isnan(read if read is not None else write)  # type: ignore[arg-type]
    if not present.any():
        return None
    return float(np.percentile(np.asarray(total)[present], 95))
