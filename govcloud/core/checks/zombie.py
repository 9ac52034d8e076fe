"""`zombie`: VMs stopped, paused, suspended or shelved for more than N days.

Nova counts a stopped server's vCPU and RAM against the project's quota whatever its state
(SHELVED_OFFLOADED frees the host but still counts for quota), and its attached 云硬盘 keep
their storage: a server forgotten in such a state holds capacity nobody uses.

How long: Nova's `updated` moves on every state change, so it is the time the server entered
its state; where it is missing, `created_at` stands in (the evidence says so, and the age is
then an upper bound). A server with neither is not judged.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from govcloud.core.audit_data import AuditData
from govcloud.core.checks import CheckParams, register
from govcloud.core.checks._common import STOPPED_STATES, age_days, since_of, vm_finding
from govcloud.core.findings import Finding, Reclaim, Text
from govcloud.core.models import Server, Volume
from govcloud.core.severity import Severity

_STATE_ZH = {
    "SHUTOFF": "关机",
    "PAUSED": "暂停",
    "SUSPENDED": "挂起",
    "SHELVED": "搁置",
    "SHELVED_OFFLOADED": "搁置（已卸载）",
}


class ZombieParams(CheckParams):
    min_days: int = Field(30, ge=1, description="in the state for more than this many days")
    high_after_days: int = Field(90, ge=1, description="high severity from this many days")
    states: tuple[str, ...] = Field(STOPPED_STATES, min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> ZombieParams:
        if self.high_after_days < self.min_days:
            raise ValueError("high_after_days must be at least min_days")
        unknown = sorted({s.upper() for s in self.states} - set(STOPPED_STATES))
        if unknown:
            raise ValueError(f"unknown states {unknown}; valid: {', '.join(STOPPED_STATES)}")
        return self


@register(
    "zombie",
    ZombieParams,
    summary=Text(
        "VMs shut off, paused, suspended or shelved for more than N days, still holding quota",
        "关机、暂停、挂起或搁置超过N天仍占用配额的云主机",
    ),
    example={"min_days": 30, "high_after_days": 90, "states": list(STOPPED_STATES)},
)
def zombie(data: AuditData, params: ZombieParams) -> list[Finding]:
    states = {s.upper() for s in params.states}
    attached: dict[str, list[Volume]] = {}
    for v in data.volumes:
        if v.attached_server_id:
            attached.setdefault(v.attached_server_id, []).append(v)
    findings = []
    for server in data.servers:
        status = server.status.upper()
        if status not in states:
            continue
        since, source = since_of(server.updated_at, server.created_at)
        days = age_days(data.now, since)
        if days is None or days <= params.min_days:
            continue
        volumes = attached.get(server.server_id, [])
        findings.append(_finding(data, params, server, status, days, source, volumes))
    return findings


def _finding(
    data: AuditData,
    params: ZombieParams,
    server: Server,
    status: str,
    days: float,
    source: str,
    volumes: list[Volume],
) -> Finding:
    volume_gib = sum(v.size_gib for v in volumes)
    whole = int(days)
    state_zh = _STATE_ZH.get(status, status)
    return vm_finding(
        data,
        server,
        check="zombie",
        severity=Severity.HIGH if days >= params.high_after_days else Severity.MEDIUM,
        message=Text(
            f"{status} for {whole} days, still holding {server.vcpus} vCPU, "
            f"{server.ram_mib / 1024:g} GiB RAM and {volume_gib} GiB of volumes",
            f"云主机已{state_zh}{whole}天，仍占用 {server.vcpus} 个虚拟CPU、"
            f"{server.ram_mib / 1024:g} GiB 内存配额和 {volume_gib} GiB 云硬盘",
        ),
        action=Text(
            "ask the department whether it is still needed; if not, delete it and its volumes "
            "(after a backup if required) through the reclaim process",
            "与部门确认是否仍需要；不再需要的，按回收流程（必要时先备份）删除云主机及其云硬盘",
        ),
        evidence={
            "status": status,
            "days_in_state": round(days, 1),
            "since": source,  # updated_at, or created_at when Nova gave no update time
            "min_days": params.min_days,
            "holds_host": status != "SHELVED_OFFLOADED",
            "attached_volumes": len(volumes),
            "attached_volume_gib": volume_gib,
        },
        reclaim=Reclaim(vcpus=server.vcpus, ram_mib=server.ram_mib, volume_gib=volume_gib),
    )
