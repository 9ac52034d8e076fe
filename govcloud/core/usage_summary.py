"""Utilization as `vm show` and `tenant show` print it: P95 CPU and memory over a trailing
window, and how much data stands behind the figures.

A department's P95 is the mean of its VMs' P95s weighted by their size (vCPUs for CPU, RAM for
memory): a busy 32-vCPU database counts for more than an idle 1-vCPU jump box, which is what a
capacity owner asks ("how much of what we hold is used"). Only VMs with data are in the mean;
how many have data, and the mean coverage over all VMs, say how far to trust it. No data at all
is None, never zeros, so a table shows nothing rather than a misleading 0 %.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from govcloud.core.utilization import DAY_S, WindowStats

WINDOW_S = 14 * DAY_S
CPU, MEMORY = "cpu_pct", "mem_used_pct"


@dataclass(frozen=True)
class VmUtilization:
    window_days: float
    cpu_p95_pct: float | None
    mem_p95_pct: float | None
    coverage_pct: float  # share of expected points present (CPU's series, else memory's)


@dataclass(frozen=True)
class DepartmentUtilization:
    window_days: float
    cpu_p95_pct: float | None  # vCPU-weighted mean of the VMs' P95
    mem_p95_pct: float | None  # RAM-weighted mean of the VMs' P95
    vms_with_data: int
    vms: int
    coverage_pct: float  # mean coverage over all the department's VMs (no data counts 0)


@dataclass(frozen=True)
class SizedVm:
    vcpus: int
    ram_gib: float
    usage: VmUtilization | None


def vm_utilization(
    cpu: WindowStats | None, memory: WindowStats | None, window_s: int = WINDOW_S
) -> VmUtilization | None:
    """One VM's figures; None when neither series has a point in the window."""
    present = [s for s in (cpu, memory) if s is not None and s.points]
    if not present:
        return None
    return VmUtilization(
        window_days=round(window_s / DAY_S, 2),
        cpu_p95_pct=_pct(cpu.p95 if cpu else None),
        mem_p95_pct=_pct(memory.p95 if memory else None),
        coverage_pct=round(present[0].coverage_pct, 1),
    )


def department_utilization(
    vms: Sequence[SizedVm], window_s: int = WINDOW_S
) -> DepartmentUtilization | None:
    """The department's figures from its VMs; None when none of them has data."""
    with_data = [v for v in vms if v.usage is not None]
    if not with_data:
        return None
    cpu = _weighted([(v.vcpus, v.usage.cpu_p95_pct) for v in with_data if v.usage])
    memory = _weighted([(v.ram_gib, v.usage.mem_p95_pct) for v in with_data if v.usage])
    coverage = sum(v.usage.coverage_pct for v in with_data if v.usage) / len(vms)
    return DepartmentUtilization(
        window_days=round(window_s / DAY_S, 2),
        cpu_p95_pct=cpu,
        mem_p95_pct=memory,
        vms_with_data=len(with_data),
        vms=len(vms),
        coverage_pct=round(coverage, 1),
    )


def _weighted(pairs: Sequence[tuple[float, float | None]]) -> float | None:
    known = [(w, v) for w, v in pairs if v is not None and w > 0]
    total = sum(w for w, _ in known)
    if not total:
        return None
    return _pct(sum(w * v for w, v in known) / total)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
