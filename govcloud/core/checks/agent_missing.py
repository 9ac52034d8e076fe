"""`agent-missing`: running 云主机 that have never delivered a metric in the window.

Without samples no check can judge the VM (idle, oversized, undersized all need data), so an
estate with many such VMs looks healthier than it is. A VM counts as missing when it has no
sample of any metric in the window and the collector knows no agent for it; a known agent that
stopped answering is `agent-stale`'s. VMs younger than `grace_hours` are left alone: the agent
may not be installed yet.
"""

from __future__ import annotations

from pydantic import Field

from govcloud.core.audit_data import AuditData, server_key
from govcloud.core.checks import CheckParams, register
from govcloud.core.checks._common import age_days, last_seen_ts, vm_finding
from govcloud.core.findings import Finding, Text
from govcloud.core.models import Server
from govcloud.core.severity import Severity


class AgentMissingParams(CheckParams):
    grace_hours: float = Field(24.0, ge=0, le=24 * 90, description="newer VMs are not judged")


@register(
    "agent-missing",
    AgentMissingParams,
    summary=Text(
        "Running VMs with no metrics at all in the window and no known agent",
        "窗口期内无任何监控数据且无采集代理的运行中云主机",
    ),
    example={"grace_hours": 24},
)
def agent_missing(data: AuditData, params: AgentMissingParams) -> list[Finding]:
    active = [
        s for s in data.servers if s.status.upper() == "ACTIVE" and _old_enough(data, s, params)
    ]
    candidates = [s for s in active if server_key(s.server_id) not in data.agents]
    seen = last_seen_ts(data, candidates, fresh_s=86_400)
    return [_finding(data, s) for s in candidates if seen[s.server_id] is None]


def _old_enough(data: AuditData, server: Server, params: AgentMissingParams) -> bool:
    age = age_days(data.now, server.created_at)
    return age is None or age * 24 >= params.grace_hours


def _finding(data: AuditData, server: Server) -> Finding:
    return vm_finding(
        data,
        server,
        check="agent-missing",
        severity=Severity.MEDIUM,
        message=Text(
            f"no utilization data in the last {data.window_days:g} days and no agent known",
            f"近{data.window_days:g}天无任何利用率数据，且未发现采集代理",
        ),
        action=Text(
            "install govcloud-agent (or node_exporter) on the VM and run `govcloud metrics "
            "targets sync`, so the VM can be judged",
            "在云主机上安装 govcloud-agent（或 node_exporter）并同步采集目标，以便评估其利用率",
        ),
        evidence={"window_days": data.window_days, "coverage_pct": 0.0, "agent_known": False},
    )
