"""`agent-stale`: running 云主机 whose newest sample is older than N hours.

The newest sample is the later of the metrics table's last slot with data and the collector's
last good scrape of the VM's agent. A VM whose known agent never delivered anything is stale
too ("never"); a VM with neither data nor a known agent is `agent-missing`'s.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from govcloud.core.audit_data import AuditData, server_key
from govcloud.core.checks import CheckParams, register
from govcloud.core.checks._common import last_seen_ts, utc, vm_finding
from govcloud.core.findings import Finding, Text
from govcloud.core.models import Server
from govcloud.core.severity import Severity


class AgentStaleParams(CheckParams):
    max_age_hours: float = Field(24.0, gt=0, le=24 * 90, description="older samples are stale")
    medium_after_hours: float = Field(168.0, gt=0, description="medium severity from this age")

    @model_validator(mode="after")
    def _ordered(self) -> AgentStaleParams:
        if self.medium_after_hours < self.max_age_hours:
            raise ValueError("medium_after_hours must be at least max_age_hours")
        return self


@register(
    "agent-stale",
    AgentStaleParams,
    summary=Text(
        "Running VMs whose last metric sample is older than N hours",
        "最近一次监控数据早于N小时的运行中云主机",
    ),
    example={"max_age_hours": 24, "medium_after_hours": 168},
)
def agent_stale(data: AuditData, params: AgentStaleParams) -> list[Finding]:
    active = [s for s in data.servers if s.status.upper() == "ACTIVE"]
    seen = last_seen_ts(data, active, fresh_s=params.max_age_hours * 3600)
    now_ts = utc(data.now).timestamp()
    findings = []
    for server in active:
        last = seen[server.server_id]
        known = server_key(server.server_id) in data.agents
        if last is None and not known:
            continue  # agent-missing
        age_h = None if last is None else (now_ts - last) / 3600
        if age_h is None or age_h > params.max_age_hours:
            findings.append(_finding(data, params, server, last, age_h))
    return findings


def _finding(
    data: AuditData, params: AgentStaleParams, server: Server, last: int | None, age_h: float | None
) -> Finding:
    agent = data.agents.get(server_key(server.server_id))
    medium = age_h is None or age_h >= params.medium_after_hours
    age_en = "never" if age_h is None else f"{age_h:.0f} hours ago"
    age_zh = "从未收到" if age_h is None else f"{age_h:.0f} 小时前"
    return vm_finding(
        data,
        server,
        check="agent-stale",
        severity=Severity.MEDIUM if medium else Severity.LOW,
        message=Text(
            f"last utilization sample {age_en} (limit {params.max_age_hours:g} h)",
            f"最近一次利用率数据为{age_zh}（阈值 {params.max_age_hours:g} 小时）",
        ),
        action=Text(
            "check the agent on the VM (service running, port reachable from the collector)",
            "检查云主机上的采集代理（服务是否运行、采集端能否访问其端口）",
        ),
        evidence={
            "last_sample_ts": last,
            "age_hours": None if age_h is None else round(age_h, 1),
            "max_age_hours": params.max_age_hours,
            "agent_url": agent.url if agent else None,
            "agent_last_error": agent.last_error if agent else None,
        },
    )
