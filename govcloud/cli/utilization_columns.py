"""The utilization block of `vm show` and `tenant show`: P95 over the window and how much data
stands behind it (a block only when there is data; see core/usage_summary.py)."""

from __future__ import annotations

from govcloud.cli.render import Column as C

VM_UTILIZATION = (
    C("window_days", "统计窗口", "Window", "d", kind="float"),
    C("cpu_p95_pct", "CPU利用率 P95", "CPU P95", kind="pct"),
    C("mem_p95_pct", "内存利用率 P95", "Memory P95", kind="pct"),
    C("coverage_pct", "数据覆盖率", "Coverage", kind="pct"),
)

TENANT_UTILIZATION = (
    C("window_days", "统计窗口", "Window", "d", kind="float"),
    C("cpu_p95_pct", "CPU利用率 P95(按虚拟CPU加权)", "CPU P95 (vCPU-weighted)", kind="pct"),
    C("mem_p95_pct", "内存利用率 P95(按内存加权)", "Memory P95 (RAM-weighted)", kind="pct"),
    C("vms_with_data", "有数据的云主机", "VMs with data", kind="int"),
    C("vms", "云主机", "VMs", kind="int"),
    C("coverage_pct", "数据覆盖率", "Coverage", kind="pct"),
)
