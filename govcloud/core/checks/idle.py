"""`idle`: running VMs that do next to nothing — CPU P95 under 5% and almost no network.

Anchors (DESIGN.md §7): Cloudpods' low-load rule (CPU < 5% over 14 days); GCE's idle VM
(received < 2,000 B/s and sent < 1,000 B/s for 95% of runtime, i.e. the P95 of each, over up
to 14 days); AWS Trusted Advisor's 14-day lookback. A VM whose data cover less than half the
window is never judged: too little evidence to tell idle from unmeasured.

Vectorized: the window statistics of every VM come from `UtilizationTable.stats` (one numpy
pass per metric, shared with the other checks); the per-VM loop only reads numbers.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from govcloud.core.audit_data import (
    AuditData,
    MetricStats,
    as_float,
    evidence_window,
    window_stats_matrix,
)
from govcloud.core.checks import CheckParams, register
from govcloud.core.checks._common import vm_finding
from govcloud.core.findings import Finding, Reclaim, Text
from govcloud.core.models import Server
from govcloud.core.severity import Severity


class IdleParams(CheckParams):
    cpu_p95_pct: float = Field(5.0, gt=0, le=100, description="CPU P95 below this is idle")
    net_rx_bps: float = Field(2000.0, ge=0, description="P95 of received bytes/s below this")
    net_tx_bps: float = Field(1000.0, ge=0, description="P95 of sent bytes/s below this")
    min_coverage_pct: float = Field(50.0, gt=0, le=100, description="else no verdict")


EXAMPLE = {"cpu_p95_pct": 5, "net_rx_bps": 2000, "net_tx_bps": 1000, "min_coverage_pct": 50}


@register(
    "idle",
    IdleParams,
    summary=Text(
        "Running VMs with CPU P95 < 5% and near-zero network over the window",
        "窗口期内虚拟CPU使用率P95低于5%且网络流量近乎为零的运行中云主机",
    ),
    example=EXAMPLE,
)
def idle(data: AuditData, params: IdleParams) -> list[Finding]:
    table = data.utilization
    cpu = table.stats("cpu_pct")
    rx_matrix, tx_matrix = table.metrics.get("net_rx_bps"), table.metrics.get("net_tx_bps")
    if cpu is None or rx_matrix is None or tx_matrix is None:
        return []  # without CPU and network data nothing can be called idle
    candidates: list[tuple[Server, int, float]] = []
    for server in data.servers:
        row = table.row(server.server_id) if server.status.upper() == "ACTIVE" else None
        if row is None or not cpu.p95[row] < params.cpu_p95_pct:  # NaN: not idle
            continue
        coverage = cpu.coverage_pct(row)
        if coverage >= params.min_coverage_pct:
            candidates.append((server, row, coverage))
    if not candidates:
        return []
    # Network statistics only for the quiet-CPU rows: a fraction of the estate, one numpy pass.
    rows = np.array([row for _, row, _ in candidates], dtype=np.int64)
    rx, tx = window_stats_matrix(rx_matrix[rows]), window_stats_matrix(tx_matrix[rows])
    quiet = (rx.p95 < params.net_rx_bps) & (tx.p95 < params.net_tx_bps)  # NaN: unknown, not quiet
    return [
        _finding(data, server, row, coverage, cpu, (rx, tx, i))
        for i, (server, row, coverage) in enumerate(candidates)
        if quiet[i]
    ]


def _finding(
    data: AuditData,
    server: Server,
    row: int,
    coverage: float,
    cpu: MetricStats,
    net: tuple[MetricStats, MetricStats, int],
) -> Finding:
    rx, tx, i = net
    cpu_p95 = float(np.round(cpu.p95[row], 2))
    days = data.window_days
    return vm_finding(
        data,
        server,
        check="idle",
        severity=Severity.MEDIUM,
        message=Text(
            f"idle for {days:g} days: CPU P95 {cpu_p95:g}%, network near zero",
            f"云主机近{days:g}天闲置：虚拟CPU使用率P95为{cpu_p95:g}%，网络流量近乎为零",
        ),
        action=Text(
            "confirm with the department, then shut down and release the VM "
            f"({server.vcpus} vCPU, {server.ram_mib / 1024:g} GiB RAM) through the reclaim process",
            f"与部门确认后，按回收流程关机并释放该云主机（{server.vcpus} 个虚拟CPU，"
            f"{server.ram_mib / 1024:g} GiB 内存）",
        ),
        evidence={
            "cpu_p95_pct": as_float(cpu.p95[row]),
            "cpu_avg_pct": as_float(cpu.avg[row]),
            "cpu_max_pct": as_float(cpu.max[row]),
            "net_rx_p95_bps": as_float(rx.p95[i]),
            "net_tx_p95_bps": as_float(tx.p95[i]),
            "points": int(cpu.points[row]),
            **evidence_window(data, coverage),
        },
        reclaim=Reclaim(vcpus=server.vcpus, ram_mib=server.ram_mib),
    )
