"""`unapproved-vm`: 云主机 that no declared department or business system accounts for.

MLPS 2.0's cloud-computing extension asks the operator to know, for every VM, whose it is and
which system it serves (资产清单). A VM in a project no department declares is outside the
approval process altogether (high); a VM in a declared project but tied to no declared
business system (its metadata names none, or an unknown one) is half-approved (medium, and
optional via `require_system`). One finding per VM, the worst reason first.
"""

from __future__ import annotations

from dataclasses import replace

from pydantic import Field

from govcloud.core.audit_data import AuditData
from govcloud.core.checks import CheckParams, register
from govcloud.core.checks._common import vm_finding
from govcloud.core.findings import Finding, Text
from govcloud.core.models import Server
from govcloud.core.severity import Severity


class UnapprovedVmParams(CheckParams):
    require_system: bool = Field(True, description="also flag VMs tied to no declared system")


@register(
    "unapproved-vm",
    UnapprovedVmParams,
    summary=Text(
        "VMs in projects no department declares, or tied to no declared business system",
        "所属项目未经部门申报或未关联已申报业务系统的云主机",
    ),
    example={"require_system": True},
)
def unapproved_vm(data: AuditData, params: UnapprovedVmParams) -> list[Finding]:
    findings = []
    for server in data.servers:
        project = data.project_by_key.get((server.pool_code, server.project_id))
        department = project.department_code if project else None
        system_ok = server.system_code is not None and server.system_code in data.system_by_code
        if department is None:
            findings.append(_finding(data, server, project is not None, system_ok))
        elif params.require_system and not system_ok:
            findings.append(_finding(data, server, True, system_ok))
    return findings


def _finding(data: AuditData, server: Server, project_known: bool, system_ok: bool) -> Finding:
    department = data.department_of(server.pool_code, server.project_id)
    if department is None:
        severity = Severity.HIGH
        message = Text(
            "VM in a project no department declares",
            "云主机所属项目未由任何部门申报",
        )
        action = Text(
            "find the owner: declare the project under its department (with approved quota) "
            "or reclaim the VM after notice",
            "查明归属：将项目申报到所属部门（含审批配额），或经通知后回收该云主机",
        )
    else:
        severity = Severity.MEDIUM
        message = Text(
            "VM tied to no declared business system",
            "云主机未关联已申报的业务系统",
        )
        action = Text(
            "set the VM's business-system metadata to a declared system, or declare the system",
            "为云主机设置业务系统元数据并指向已申报的系统，或补充申报该业务系统",
        )
    finding = vm_finding(
        data,
        server,
        check="unapproved-vm",
        severity=severity,
        message=message,
        action=action,
        evidence={
            "project_id": server.project_id,
            "project_known": project_known,
            "department_declared": department is not None,
            "system_code": server.system_code,
            "system_declared": system_ok,
            "status": server.status,
        },
    )
    # a system code no declaration knows names no system
    return finding if system_ok else replace(finding, system=None)
